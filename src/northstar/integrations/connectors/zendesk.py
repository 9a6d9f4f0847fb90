"""Zendesk Support: tickets and their satisfaction ratings from the cursor-based incremental ticket export.

``GET /api/v2/incremental/tickets/cursor.json`` with ``start_time`` (first page) or ``cursor`` (every later one),
side-loading the requesters and their organizations (``include=users,organizations``); each answer carries
``after_cursor`` and ``end_of_stream``. The after-cursor of the last page is where the next incremental sync starts.
Authentication is an API token (``<email>/token`` with the token as password). Webhooks are signed
base64(HMAC-SHA256(timestamp + body)); a webhook queues an incremental sync, since a Zendesk webhook's body is
whatever the trigger that sends it says.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from northstar.integrations.connectors.base import (
    Connector,
    Page,
    ServiceSpec,
    SettingField,
    WebhookCall,
    WebhookWork,
    dump_cursor,
    load_cursor,
)
from northstar.integrations.connectors.http import ServiceClient, ServiceError
from northstar.integrations.engine.records import RecordError, zendesk_records
from northstar.integrations.engine.signatures import verify_zendesk

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"

ZENDESK = ServiceSpec(
    name="zendesk",
    label="Zendesk",
    settings=(
        SettingField("base_url", "Zendesk address", "e.g. https://acme.zendesk.com"),
        SettingField("email", "Agent e-mail", "the agent the API token belongs to"),
        SettingField(
            "start_time", "Start from (Unix time)", "the first sync takes tickets changed since", False, "0"
        ),
    ),
    credentials=(
        SettingField("api_token", "API token", "Admin Center → Apps and integrations → Zendesk API"),
        SettingField("webhook_secret", "Webhook signing secret", "shown on the webhook's page", False),
    ),
    brings="tickets and satisfaction ratings → feedback, the requester's organization as customer",
    webhook_headers="X-Zendesk-Webhook-Signature + X-Zendesk-Webhook-Signature-Timestamp",
)


class ZendeskConnector(Connector):
    spec = ZENDESK

    def make_client(self) -> ServiceClient:
        auth = (f"{self.config.get('email', '')}/token", self.credentials.get("api_token", ""))
        return ServiceClient("Zendesk", self.config["base_url"], {"Accept": "application/json"}, auth)

    def test(self) -> str:
        user = self.client.json("GET", "/api/v2/users/me.json").get("user") or {}
        if not user.get("id"):
            raise ServiceError(
                "Zendesk did not recognise the e-mail and API token (it answered as anonymous)"
            )
        return f"signed in to Zendesk as {user.get('name', '?')} <{user.get('email', '?')}>"

    def fetch_page(self, cursor: str | None) -> Page:
        state = load_cursor(cursor)
        params: dict[str, Any] = {"include": "users,organizations"}
        if state.get("after"):
            params["cursor"] = state["after"]
        else:
            params["start_time"] = int(self.config.get("start_time") or 0)
        data = self.client.json("GET", EXPORT_PATH, params=params)
        if not isinstance(data, Mapping):
            raise RecordError("Zendesk export page: not a JSON object")
        records = zendesk_records(data, self.config["base_url"])
        after = data.get("after_cursor") or state.get("after")
        return Page(
            records=records,
            cursor=dump_cursor({"after": after}) if after else cursor,
            done=bool(data.get("end_of_stream", True)),
            fetched=len(data.get("tickets") or []),
        )

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookCall:
        verify_zendesk(self.webhook_secret(), dict(headers), body, now)
        delivery = headers.get("x-zendesk-webhook-invocation-id") or headers["x-zendesk-webhook-signature"]
        return WebhookCall(delivery_id=delivery[:200], event="ticket")

    def webhook_work(self, event: str, payload: Mapping[str, Any]) -> WebhookWork:
        return WebhookWork(resync=True)

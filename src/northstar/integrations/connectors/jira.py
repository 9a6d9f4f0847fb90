"""Jira Cloud: ideas ↔ issues. Create an issue from an idea or link one; its status and fix versions flow back.

A sync searches the project with JQL (``POST /rest/api/3/search/jql``, paged by ``nextPageToken`` until
``isLast``), ordered by ``updated`` and, incrementally, from the last update seen (JQL's minute resolution makes
consecutive passes overlap by up to a minute, which the idempotent apply absorbs). Authentication is an Atlassian
API token with the account's e-mail (basic auth). Admin webhooks with a secret are signed ``X-Hub-Signature`` =
``sha256=<hex HMAC-SHA256(body)>``; their ``X-Atlassian-Webhook-Identifier`` and the body's ``timestamp`` guard
against replays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from northstar.core.errors import ValidationFailed
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
from northstar.integrations.engine.records import IssueState, RecordError, jira_state, parse_time
from northstar.integrations.engine.signatures import SignatureRefused, check_fresh, verify_hub

FIELDS = ["summary", "status", "resolution", "fixVersions", "updated"]
PAGE_SIZE = 50

JIRA = ServiceSpec(
    name="jira",
    label="Jira",
    settings=(
        SettingField("base_url", "Jira address", "e.g. https://acme.atlassian.net"),
        SettingField("email", "Account e-mail", "the Atlassian account the API token belongs to"),
        SettingField("project", "Project key", "issues are created in and read from this project, e.g. PROD"),
        SettingField("issue_type", "Issue type", "the type of issues created from ideas", False, "Story"),
    ),
    credentials=(
        SettingField("api_token", "API token", "id.atlassian.com → Security → API tokens"),
        SettingField("webhook_secret", "Webhook secret", "the secret of the admin webhook", False),
    ),
    brings="ideas ↔ issues: create or link from an idea; status and fix version back, done marks it shipped",
    write_back=True,
    webhook_headers="X-Hub-Signature + X-Atlassian-Webhook-Identifier",
)


def _jql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y/%m/%d %H:%M")


class JiraConnector(Connector):
    spec = JIRA

    def make_client(self) -> ServiceClient:
        auth = (self.config.get("email", ""), self.credentials.get("api_token", ""))
        return ServiceClient("Jira", self.config["base_url"], {"Accept": "application/json"}, auth)

    @property
    def project(self) -> str:
        return self.config["project"].strip()

    def test(self) -> str:
        me = self.client.json("GET", "/rest/api/3/myself")
        return f"signed in to Jira as {me.get('displayName', '?')} <{me.get('emailAddress', '?')}>"

    def fetch_page(self, cursor: str | None) -> Page:
        state = load_cursor(cursor)
        since, seen = state.get("since"), state.get("seen")
        jql = f'project = "{self.project}"'
        if since:
            jql += f' AND updated >= "{since}"'
        body: dict[str, Any] = {
            "jql": jql + " ORDER BY updated ASC",
            "maxResults": PAGE_SIZE,
            "fields": FIELDS,
        }
        if state.get("token"):
            body["nextPageToken"] = state["token"]
        data = self.client.json("POST", "/rest/api/3/search/jql", json=body)
        if not isinstance(data, Mapping) or not isinstance(data.get("issues"), list):
            raise RecordError("Jira search page: no 'issues' list")
        page = Page(fetched=len(data["issues"]))
        for issue in data["issues"]:
            issue_state = jira_state(issue, self.config["base_url"])
            page.states.append(issue_state)
            if issue_state.updated_at is not None:
                stamp = _jql_time(issue_state.updated_at)
                seen = stamp if seen is None or stamp > seen else seen
        token = data.get("nextPageToken")
        if token and not data.get("isLast", False):
            page.cursor, page.done = dump_cursor({"token": token, "since": since, "seen": seen}), False
        else:
            page.cursor, page.done = dump_cursor({"since": seen or since}), True
        return page

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookCall:
        verify_hub(self.webhook_secret(), dict(headers), body, "x-hub-signature")
        try:
            payload = json.loads(body)
        except ValueError:
            raise SignatureRefused("the body is not JSON")
        stamp = payload.get("timestamp") if isinstance(payload, dict) else None
        if not isinstance(stamp, int | float):
            raise SignatureRefused(
                "the body has no 'timestamp'; a call without one cannot be checked for replay"
            )
        check_fresh(datetime.fromtimestamp(stamp / 1000, UTC), now)
        delivery = headers.get("x-atlassian-webhook-identifier") or headers["x-hub-signature"]
        return WebhookCall(delivery_id=delivery[:200], event=str(payload.get("webhookEvent", ""))[:100])

    def webhook_work(self, event: str, payload: Mapping[str, Any]) -> WebhookWork:
        issue = payload.get("issue")
        if not event.startswith("jira:issue_") or not isinstance(issue, Mapping) or event.endswith("deleted"):
            return WebhookWork()
        return WebhookWork(states=[jira_state(issue, self.config["base_url"])])

    def create_issue(self, title: str, description: str) -> IssueState:
        document = {
            "type": "doc",
            "version": 1,
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": line}]}
                for line in (description or title).splitlines()
                if line.strip()
            ],
        }
        fields = {
            "project": {"key": self.project},
            "summary": title[:255],
            "issuetype": {"name": self.config.get("issue_type") or "Story"},
            "description": document,
        }
        created = self.client.json("POST", "/rest/api/3/issue", json={"fields": fields})
        if not isinstance(created, Mapping) or not created.get("key"):
            raise ServiceError("Jira created the issue but did not answer with its key")
        return self.get_issue(str(created["key"]))

    def get_issue(self, key: str) -> IssueState:
        key = key.strip().upper()
        if not key or "-" not in key or not key.split("-")[-1].isdigit():
            raise ValidationFailed(f"issue: {key!r} is not a Jira issue key like {self.project}-12")
        data = self.client.json("GET", f"/rest/api/3/issue/{key}", params={"fields": ",".join(FIELDS)})
        return jira_state(data, self.config["base_url"])


__all__ = ["JIRA", "JiraConnector", "parse_time"]

"""The connector interface every service implements, and the description of each service's settings.

A connector is built for one connection (its settings and decrypted credentials) and offers: ``test`` (is the
account reachable with these credentials), ``fetch_page`` (one page of a full sync from the start, or of an
incremental sync from a cursor), ``verify_webhook`` and ``webhook_work`` (a signed call and what it changes),
and, where the service allows, ``create_issue`` / ``get_issue`` for write-back from an idea.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from northstar.core.errors import Conflict, FieldError, ValidationFailed
from northstar.integrations.connectors.http import ServiceClient, ServiceError
from northstar.integrations.engine.records import FeedbackRecord, IssueState
from northstar.integrations.engine.signatures import SignatureRefused

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class SettingField:
    name: str
    label: str
    help: str = ""
    required: bool = True
    default: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    """What a service needs and can do: its settings, its credentials and its capabilities."""

    name: str
    label: str
    settings: tuple[SettingField, ...]
    credentials: tuple[SettingField, ...]
    #: what each sync brings in, in words
    brings: str
    write_back: bool = False
    webhook_headers: str = ""

    def clean_settings(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The settings with defaults filled in; ``ValidationFailed`` naming each missing or bad field."""
        known = {f.name for f in self.settings}
        errors = [
            FieldError(f"config.{key}", "not a setting of this service") for key in values if key not in known
        ]
        cleaned: dict[str, str] = {}
        for spec in self.settings:
            value = str(values.get(spec.name) or "").strip() or spec.default
            if spec.required and not value:
                errors.append(FieldError(f"config.{spec.name}", f"{spec.label} is required"))
            cleaned[spec.name] = value
        url = cleaned.get("base_url", "")
        if url:
            parts = urlsplit(url)
            local = parts.hostname in LOCAL_HOSTS
            if parts.scheme not in ("https", "http") or not parts.hostname:
                errors.append(FieldError("config.base_url", "enter an address like https://acme.zendesk.com"))
            elif parts.scheme == "http" and not local:
                errors.append(FieldError("config.base_url", "use https (plain http only for this machine)"))
            cleaned["base_url"] = url.rstrip("/")
        if errors:
            raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        return cleaned

    def clean_credentials(self, values: Mapping[str, Any]) -> dict[str, str]:
        known = {f.name for f in self.credentials}
        errors = [
            FieldError(f"credentials.{k}", "not a credential of this service")
            for k in values
            if k not in known
        ]
        cleaned = {k: str(v).strip() for k, v in values.items() if k in known and str(v or "").strip()}
        for spec in self.credentials:
            if spec.required and spec.name not in cleaned:
                errors.append(FieldError(f"credentials.{spec.name}", f"{spec.label} is required"))
        if errors:
            raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        return cleaned


@dataclass
class Page:
    """One page of a sync: what it brought, where the next page starts, and whether the pass is over."""

    records: list[FeedbackRecord] = field(default_factory=list)
    states: list[IssueState] = field(default_factory=list)
    cursor: str | None = None
    done: bool = True
    fetched: int = 0


@dataclass(frozen=True)
class WebhookCall:
    delivery_id: str
    event: str


@dataclass
class WebhookWork:
    """What a verified webhook changes: records to upsert, issue states to apply, or "run a sync now"."""

    records: list[FeedbackRecord] = field(default_factory=list)
    states: list[IssueState] = field(default_factory=list)
    resync: bool = False


def dump_cursor(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), sort_keys=True)


def load_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return dict(value) if isinstance(value, dict) else {}


class Connector(ABC):
    """Base of every connector; a subclass sets ``spec`` and implements the methods its service allows."""

    spec: ServiceSpec

    def __init__(self, config: Mapping[str, str], credentials: Mapping[str, str]) -> None:
        self.config = dict(config)
        self.credentials = dict(credentials)
        self.client = self.make_client()

    @abstractmethod
    def make_client(self) -> ServiceClient: ...

    @property
    def retries(self) -> int:
        return self.client.retries

    def close(self) -> None:
        self.client.close()

    @abstractmethod
    def test(self) -> str:
        """One line saying who the credentials sign in as; ``ServiceError`` when they do not."""
        ...

    @abstractmethod
    def fetch_page(self, cursor: str | None) -> Page:
        """The page at ``cursor`` (None: the first page of a full sync)."""
        ...

    def webhook_secret(self) -> str:
        secret = self.credentials.get("webhook_secret", "")
        if not secret:
            raise SignatureRefused("this connection has no webhook secret; set one to receive webhooks")
        return secret

    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookCall: ...

    @abstractmethod
    def webhook_work(self, event: str, payload: Mapping[str, Any]) -> WebhookWork: ...

    def create_issue(self, title: str, description: str) -> IssueState:
        raise Conflict(f"{self.spec.label} connections cannot create issues")

    def get_issue(self, key: str) -> IssueState:
        raise Conflict(f"{self.spec.label} connections cannot link issues")


__all__ = [
    "Connector",
    "Page",
    "ServiceError",
    "ServiceSpec",
    "SettingField",
    "SignatureRefused",
    "WebhookCall",
    "WebhookWork",
    "dump_cursor",
    "load_cursor",
]

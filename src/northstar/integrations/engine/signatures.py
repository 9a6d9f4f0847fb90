"""Webhook signatures as each service documents them, and freshness checks against replays. No I/O.

- Zendesk: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body)), with the timestamp in
  ``X-Zendesk-Webhook-Signature-Timestamp``.
- GitHub: ``X-Hub-Signature-256`` = ``sha256=`` + hex(HMAC-SHA256(secret, body)); GitHub sends no timestamp, so
  replays are caught by the delivery id (``X-GitHub-Delivery``) alone.
- Jira (admin webhooks with a secret): ``X-Hub-Signature`` = ``sha256=`` + hex(HMAC-SHA256(secret, body)).
- Northstar's own outgoing deliveries: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

#: how far a signed timestamp may be from now before the call counts as a replay (seconds)
TOLERANCE_SECONDS = 300


class SignatureRefused(Exception):
    """A webhook call that is unsigned, wrongly signed or too old; ``reason`` says which, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    return base64.b64encode(_hmac(secret, timestamp.encode() + body)).decode()


def hub_signature(secret: str, body: bytes) -> str:
    """The ``sha256=<hex>`` form GitHub (``X-Hub-Signature-256``) and Jira (``X-Hub-Signature``) send."""
    return "sha256=" + _hmac(secret, body).hex()


def northstar_signature(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1=" + _hmac(secret, f"{timestamp}.".encode() + body).hex()


def _same(expected: str, sent: str) -> bool:
    return hmac.compare_digest(expected.encode(), sent.encode())


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 time (Zendesk's form, ``2021-07-25T10:00:00Z``) or Unix seconds, as an aware datetime."""
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_fresh(moment: datetime, now: datetime, tolerance: int = TOLERANCE_SECONDS) -> None:
    age = (now - moment).total_seconds()
    if abs(age) > tolerance:
        raise SignatureRefused(
            f"the signed timestamp is {abs(age):.0f} s {'old' if age > 0 else 'in the future'}; "
            f"at most {tolerance} s is accepted"
        )


def verify_zendesk(secret: str, headers: dict[str, str], body: bytes, now: datetime) -> None:
    sent = headers.get("x-zendesk-webhook-signature", "")
    timestamp = headers.get("x-zendesk-webhook-signature-timestamp", "")
    if not sent or not timestamp:
        raise SignatureRefused("unsigned: X-Zendesk-Webhook-Signature and its timestamp header are required")
    try:
        moment = parse_timestamp(timestamp)
    except ValueError:
        raise SignatureRefused(f"the signature timestamp {timestamp[:40]!r} is not a time")
    if not _same(zendesk_signature(secret, timestamp, body), sent):
        raise SignatureRefused("the Zendesk signature does not match the body")
    check_fresh(moment, now)


def verify_hub(secret: str, headers: dict[str, str], body: bytes, header: str) -> None:
    sent = headers.get(header, "")
    if not sent:
        raise SignatureRefused(f"unsigned: the {header} header is missing")
    if not _same(hub_signature(secret, body), sent):
        raise SignatureRefused(f"the {header} signature does not match the body")


def verify_northstar(secret: str, header: str, body: bytes, now: datetime) -> None:
    """Check a Northstar delivery signature (what a subscriber of outgoing webhooks does)."""
    parts = dict(piece.split("=", 1) for piece in header.split(",") if "=" in piece)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise SignatureRefused("unsigned: expected 't=<seconds>,v1=<hex>'")
    if not _same(northstar_signature(secret, int(parts["t"]), body), header):
        raise SignatureRefused("the signature does not match the body")
    check_fresh(datetime.fromtimestamp(int(parts["t"]), UTC), now)

"""Pure rules of notifications: the events and modes, retry backoff, webhook URL checks, digests and the signed
unsubscribe token. No I/O here; the service and the delivery code use these."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

#: event -> (words a person reads, default mode)
EVENTS: dict[str, tuple[str, str]] = {
    "mention": ("Someone mentions me", "immediately"),
    "assignment": ("I am made owner of something", "immediately"),
    "review_request": ("I am asked for a review", "immediately"),
    "idea_status_change": ("An idea I own or lead changes status", "immediately"),
    "key_result_at_risk": ("A key result is at risk", "daily"),
    "budget_overrun": ("A budget forecast overspends", "immediately"),
    "brief_sent": ("A weekly product brief is sent", "immediately"),
    "comment": ("Someone comments on something I follow", "immediately"),
}
#: changelog e-mail to customers' contacts: not a user preference (they unsubscribe instead)
CUSTOMER_EVENTS = ("changelog_shipped",)
MODES = ("immediately", "daily", "off")
CHANNELS = ("email", "slack")

#: attempts before a message is given up (about 2 h 8 min of retries in all with these delays)
MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 3600.0
#: a message claimed longer ago than this by a worker that died is retried
STALE_CLAIM = timedelta(minutes=10)
#: the hour (UTC) the daily digest goes out
DIGEST_HOUR_UTC = 8


class NotificationError(ValueError):
    """Input a notification cannot be built from: an unknown event or mode, a malformed webhook URL."""


def check_event(event: str) -> str:
    if event not in EVENTS and event not in CUSTOMER_EVENTS:
        raise NotificationError(f"unknown event {event!r}; known: {', '.join([*EVENTS, *CUSTOMER_EVENTS])}")
    return event


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise NotificationError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode


def check_webhook_url(url: str) -> str:
    """A Slack incoming-webhook URL: https with a host (plain http only to this machine, for local testing)."""
    text = url.strip()
    if any(ord(c) < 32 for c in text):
        raise NotificationError("the webhook URL contains control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise NotificationError(f"{text!r} is not a URL: {error}")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NotificationError(
            f"{text!r} is not a webhook URL; Slack's look like https://hooks.slack.com/services/T000/B000/XXXX"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise NotificationError(f"{text!r} must use https (plain http is allowed only to 127.0.0.1)")
    if any(c.isspace() or ord(c) < 32 for c in text) or (port is not None and port == 0):
        raise NotificationError(f"{text!r} is not a valid URL")
    return text


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 30 s doubling to at most an hour.

    A server that says when to come back (Slack's 429 ``Retry-After``) is believed, within the same ceiling.
    """
    delay = min(BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1), MAX_DELAY_SECONDS)
    if retry_after is not None and retry_after >= 0:
        delay = min(max(delay, retry_after), MAX_DELAY_SECONDS)
    return timedelta(seconds=delay)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given as delta-seconds (RFC 9110 §10.2.3); None if absent or a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def next_digest_time(now: datetime) -> datetime:
    """The next daily digest after ``now``: today at DIGEST_HOUR_UTC, or tomorrow if that has passed."""
    now = now.astimezone(UTC)
    slot = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return slot if slot > now else slot + timedelta(days=1)


@dataclass(frozen=True)
class DigestItem:
    subject: str
    body: str


def digest_text(items: list[DigestItem]) -> tuple[str, str]:
    """One e-mail (subject, body) from the day's messages, newest last."""
    subject = f"Northstar daily digest: {len(items)} notification{'s' if len(items) != 1 else ''}"
    parts = [f"{index}. {item.subject}\n{item.body}".strip() for index, item in enumerate(items, 1)]
    return subject, "\n\n".join(parts) + "\n\nChange what you get at /notifications/preferences.\n"


def slack_payload(subject: str, body: str, link: str | None) -> dict[str, str]:
    """The JSON an incoming webhook takes: ``text`` (Slack's mrkdwn, with ``<url|label>`` links)."""
    text = f"*{_slack_escape(subject)}*"
    if body:
        text += f"\n{_slack_escape(body)}"
    if link:
        text += f"\n<{link}|Open in Northstar>"
    return {"text": text}


def _slack_escape(text: str) -> str:
    # Slack asks for exactly these three characters to be escaped in message text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- unsubscribe tokens --------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_unsubscribe(secret: str, workspace_id: int, email: str) -> str:
    """A token that names a workspace and an address, signed with HMAC-SHA256 so nobody can forge another's."""
    payload = _b64(f"{workspace_id}:{email.strip().lower()}".encode())
    mac = hmac.new(secret.encode(), b"unsubscribe:" + payload.encode(), hashlib.sha256).digest()[:18]
    return f"{payload}.{_b64(mac)}"


def read_unsubscribe(secret: str, token: str) -> tuple[int, str] | None:
    """(workspace id, address) of a genuine token, else None."""
    payload, _, mac = token.partition(".")
    if not payload or not mac or len(token) > 1000:
        return None
    expected = hmac.new(secret.encode(), b"unsubscribe:" + payload.encode(), hashlib.sha256).digest()[:18]
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        workspace, _, email = _unb64(payload).decode().partition(":")
        return int(workspace), email
    except (ValueError, UnicodeDecodeError):
        return None

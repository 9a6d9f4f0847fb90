"""Event timestamps: parse ISO 8601 (or epoch milliseconds), correct client clock skew from ``sent_at``, and keep
impossible values out of the store without losing the event (it gets the receive time and a warning property)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

MAX_FUTURE = timedelta(hours=23)
WARNING_PROPERTY = "$ingestion_warning"


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or epoch milliseconds; ``None`` if it does not parse."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def resolve_timestamp(
    raw: Any, sent_at: datetime | None, received_at: datetime, skew_correction: bool = True
) -> tuple[datetime, str | None]:
    """The stored (naive UTC) time of an event and an optional warning.

    With ``sent_at``, the client clock is corrected: ``timestamp + (received_at - sent_at)``. A missing timestamp
    means "now"; an unparseable one, or one more than 23 hours in the future, is replaced by the receive time and
    reported in the warning.
    """
    warning = None
    parsed = parse_timestamp(raw)
    if parsed is None:
        if raw is not None:
            warning = f"unparseable timestamp {str(raw)[:64]!r} replaced by the receive time"
        moment = received_at
    else:
        moment = parsed
        if skew_correction and sent_at is not None:
            moment = parsed + (received_at - sent_at)
        if moment - received_at > MAX_FUTURE:
            warning = f"timestamp {str(raw)[:64]!r} is in the future; replaced by the receive time"
            moment = received_at
    return moment.astimezone(UTC).replace(tzinfo=None), warning

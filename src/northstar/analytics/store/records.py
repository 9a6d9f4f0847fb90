"""The normalised event every source (PostHog, Segment, file import) is turned into before storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(slots=True)
class EventRecord:
    """One event ready to store: timestamps are naive UTC, ``properties`` is a plain dict.

    ``set_properties`` / ``set_once_properties`` carry ``$set`` / ``$set_once`` whether they came at the top level
    (PostHog v0) or inside ``properties`` (PostHog v1, Segment identify traits).
    """

    event: str
    distinct_id: str
    timestamp: datetime
    uuid: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    set_properties: dict[str, Any] = field(default_factory=dict)
    set_once_properties: dict[str, Any] = field(default_factory=dict)

    def properties_json(self) -> str | None:
        """The properties as compact JSON text (``None`` when empty, which stores as SQL NULL)."""
        if not self.properties:
            return None
        return json.dumps(self.properties, separators=(",", ":"), sort_keys=True, default=str)


def to_naive_utc(moment: datetime) -> datetime:
    """Convert an aware datetime to naive UTC; a naive one is taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)

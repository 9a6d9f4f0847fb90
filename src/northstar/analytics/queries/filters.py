"""Shared query inputs: which events a step or series matches, and the date range, rendered as portable SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from northstar.analytics.queries.engine import SqlEngine, literal, property_text

PropertyValue = str | int | float | bool


@dataclass(frozen=True)
class EventMatcher:
    """An event name (``None`` = any event) plus property equality filters, like a PostHog action step."""

    event: str | None
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)

    def condition(self, event_ids: Mapping[str, int] | None = None) -> str:
        """A SQL boolean for rows of ``events`` that match; with ``event_ids`` the name is compared by number."""
        parts = []
        if self.event is not None:
            if event_ids is None:
                parts.append(f"event = {literal(self.event)}")
            else:
                parts.append(f"event_id = {int(event_ids.get(self.event, -1))}")
        for name, value in sorted(self.properties.items()):
            text = _json_text(value)
            parts.append(f"{property_text(name)} = {literal(text)}")
        return "(" + " AND ".join(parts) + ")" if parts else "TRUE"


def _json_text(value: PropertyValue) -> str:
    """How ``->>`` renders a JSON scalar as text (``true``, ``1``, ``1.5``, ``abc``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def event_ids(engine: SqlEngine, matchers: Iterable[EventMatcher]) -> dict[str, int]:
    """The numbers of the named events (names never seen are absent, so they match nothing)."""
    names = sorted({matcher.event for matcher in matchers if matcher.event is not None})
    if not names:
        return {}
    listed = ", ".join(literal(name) for name in names)
    return {
        str(name): int(number)
        for number, name in engine.rows(f"SELECT id, name FROM event_names WHERE name IN ({listed})")
    }


@dataclass(frozen=True)
class DateRange:
    """A half-open time range ``[start, end)`` in naive UTC; either bound may be open."""

    start: datetime | None = None
    end: datetime | None = None

    def condition(self, column: str = "timestamp") -> str:
        """A SQL boolean restricting ``column`` to the range."""
        parts = []
        if self.start is not None:
            parts.append(f"{column} >= {literal(self.start)}")
        if self.end is not None:
            parts.append(f"{column} < {literal(self.end)}")
        return " AND ".join(parts) if parts else "TRUE"

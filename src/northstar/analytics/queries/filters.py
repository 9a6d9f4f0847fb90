"""Shared query inputs: which events a step or series matches, and the date range, rendered as portable SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

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

    @property
    def by_name_only(self) -> bool:
        """Whether the event name alone decides a match (no property filter, not "any event")."""
        return self.event is not None and not self.properties


MAX_MATCHERS = 62


@dataclass(frozen=True)
class MatchColumns:
    """Which of several matchers each fetched row matches, as one bit mask per row (bit i = matcher i).

    Rows are fetched with their ``event_id``; a matcher on an event name alone is decided in NumPy from that
    number through a lookup table, so the SQL only selects plain columns (the cheapest thing an engine can return).
    Only matchers with property filters add a 0/1 column computed in SQL."""

    matchers: Sequence[EventMatcher]
    ids: Mapping[str, int]
    fetch_only_matching: bool = False  # the query fetches only rows matching some matcher (not every event)

    def __post_init__(self) -> None:
        if len(self.matchers) > MAX_MATCHERS:
            raise ValueError(
                f"at most {MAX_MATCHERS} event filters can be combined, got {len(self.matchers)}"
            )

    @property
    def single_event(self) -> bool:
        """Whether only rows matching a matcher are fetched, every matcher names the same event and none filters
        on properties: then every fetched row matches all of them and the event number need not be fetched."""
        return (
            self.fetch_only_matching
            and all(m.by_name_only for m in self.matchers)
            and len({m.event for m in self.matchers}) == 1
        )

    def select_sql(self) -> str:
        """The select-list items this needs, with a leading comma (``event_id`` and one flag per property
        matcher; nothing when :attr:`single_event`)."""
        if self.single_event:
            return ""
        items = ["event_id"]
        for index, matcher in enumerate(self.matchers):
            if not matcher.by_name_only and matcher.properties:
                condition = matcher.condition(self.ids)
                items.append(f"CAST(CASE WHEN {condition} THEN 1 ELSE 0 END AS SMALLINT) AS match_{index}")
        return "".join(", " + item for item in items)

    def any_sql(self) -> str:
        """A SQL boolean true for rows matching at least one matcher.

        An OR of equalities rather than ``event_id IN (...)``: DuckDB 2.0 keeps the table order for the former with
        several threads but not for the latter (observed), and the kernels are fastest on rows in table order. The
        results never depend on the order."""
        conditions = [matcher.condition(self.ids) for matcher in self.matchers]
        return "(" + " OR ".join(conditions) + ")" if conditions else "FALSE"

    def lookup(self, largest_event_id: int = 0) -> np.ndarray:
        """The int64 mask of the name-only matchers (and of "any event") indexed by event number."""
        known = [number for number in self.ids.values() if number >= 0]
        table = np.zeros(max(largest_event_id, max(known, default=0)) + 1, dtype=np.int64)
        for index, matcher in enumerate(self.matchers):
            bit = np.int64(1) << np.int64(index)
            if matcher.by_name_only:
                number = self.ids.get(matcher.event or "")
                if number is not None and number >= 0:
                    table[number] |= bit
            elif not matcher.properties:
                table[:] |= bit
        return table

    def flags(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The int64 mask of the property matchers per row (an empty array when there are none)."""
        indices = [i for i, m in enumerate(self.matchers) if not m.by_name_only and m.properties]
        if not indices:
            return np.zeros(0, dtype=np.int64)
        flags = np.zeros(len(columns["event_id"]), dtype=np.int64)
        for index in indices:
            flags |= np.asarray(columns[f"match_{index}"], dtype=np.int64) << np.int64(index)
        return flags

    def masks(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The int64 bit mask of matched matchers for every fetched row."""
        events = np.asarray(columns["event_id"])
        table = self.lookup(int(events.max()) if len(events) else 0)
        masks = table[events]
        flags = self.flags(columns)
        if len(flags):
            masks |= flags
        return masks


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

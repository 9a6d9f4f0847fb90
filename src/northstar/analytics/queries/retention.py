"""Retention runner: calendar cohorts (day, week, month), recurring or first-time, as in PostHog.

The date range is the ``intervals`` periods ending with the period that contains ``date_to``. Cohort ``c`` holds the
persons who did the start event in period ``c`` (recurring: every such period; first time: only the period of their
first-ever start event, which must fall inside the range). Column 0 is the cohort size; column ``k`` counts the cohort's
persons with a return event in period ``c + k`` (several returns in one period count once).

Recurring retention lists (person, timestamp, event number) rows in portable SQL and builds the matrix in one compiled
pass over the person-ordered rows, deriving each row's period and start / return flags on the way (no hash table of
persons, no per-row expressions in SQL). First-time retention reduces each person to
two bit masks in SQL (first start period, return periods) and counts persons per distinct pair of masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher, MatchColumns, event_ids
from northstar.analytics.queries.periods import microseconds, shift, truncate
from northstar.analytics.queries.periods import period_index_sql as interval_index_sql
from northstar.analytics.queries.person_scan import PERIOD_CODES, recurring_retention

RetentionPeriod = Literal["day", "week", "month"]
RetentionType = Literal["recurring", "first_time"]
MAX_INTERVALS = 62


@dataclass(frozen=True)
class RetentionQuery:
    """Start and return events, the period, how many periods, the type and the last day of the range."""

    start: EventMatcher
    returning: EventMatcher
    date_to: datetime
    period: RetentionPeriod = "day"
    intervals: int = 11
    retention_type: RetentionType = "recurring"
    week_starts_on_sunday: bool = False

    def first_period(self) -> datetime:
        """The start of cohort 0."""
        return shift(self._truncate(self.date_to), self.period, -(self.intervals - 1))

    def end(self) -> datetime:
        """The end (exclusive) of the last period."""
        return shift(self._truncate(self.date_to), self.period, 1)

    def _truncate(self, moment: datetime) -> datetime:
        if self.period == "week" and self.week_starts_on_sunday:
            return truncate(moment + timedelta(days=1), "week") - timedelta(days=1)
        return truncate(moment, self.period)


@dataclass(frozen=True)
class RetentionCohort:
    """One cohort row: its first day and the counts per period offset (column 0 = cohort size)."""

    start: datetime
    values: list[int]


def period_index_sql(query: RetentionQuery, column: str = "timestamp") -> str:
    """SQL for the 0-based period number of ``column`` counted from cohort 0 (valid inside the range)."""
    index = interval_index_sql(query.first_period(), query.period, column)
    assert index is not None
    return index


def _match_columns(query: RetentionQuery, ids: Mapping[str, int]) -> MatchColumns:
    """Bit 0 = start event, bit 1 = return event."""
    return MatchColumns([query.start, query.returning], ids, fetch_only_matching=True)


def recurring_rows_sql(query: RetentionQuery, ids: Mapping[str, int]) -> str:
    """Portable SQL listing (person, timestamp, event number[, property flags]) of the start and return events in
    the range, for the recurring retention kernel (which derives periods and start / return flags itself)."""
    in_range = DateRange(query.first_period(), query.end()).condition()
    columns = _match_columns(query, ids)
    return f"SELECT person_id, timestamp{columns.select_sql()} FROM events WHERE {in_range} AND {columns.any_sql()}"


def retention_sql(query: RetentionQuery, ids: Mapping[str, int] | None = None) -> str:
    """Portable SQL returning (start_mask, return_mask, persons) rows."""
    in_range = DateRange(query.first_period(), query.end()).condition()
    index = period_index_sql(query)
    bit = f"(CAST(1 AS BIGINT) << CAST({index} AS INTEGER))"
    start, returning = query.start.condition(ids), query.returning.condition(ids)
    return_mask = f"bit_or(CASE WHEN {returning} AND {in_range} THEN {bit} ELSE CAST(0 AS BIGINT) END)"
    if query.retention_type == "recurring":
        per_person = (
            f"SELECT person_id, bit_or(CASE WHEN {start} THEN {bit} ELSE CAST(0 AS BIGINT) END) AS start_mask, "
            f"{return_mask} AS return_mask FROM events WHERE {in_range} AND ({start} OR {returning}) "
            "GROUP BY person_id"
        )
    else:
        first_index = period_index_sql(query, "first_start")
        first_in_range = DateRange(query.first_period(), query.end()).condition("first_start")
        per_person = (
            "SELECT person_id, CASE WHEN "
            f"{first_in_range} THEN (CAST(1 AS BIGINT) << CAST({first_index} AS INTEGER)) "
            "ELSE CAST(0 AS BIGINT) END AS start_mask, return_mask FROM ("
            f"SELECT person_id, min(CASE WHEN {start} THEN timestamp END) AS first_start, {return_mask} AS return_mask "
            f"FROM events WHERE {start} OR ({returning} AND {in_range}) GROUP BY person_id) AS firsts"
        )
    return (
        "SELECT start_mask, return_mask, count(*) AS persons FROM ("
        f"{per_person}) AS masks WHERE start_mask <> 0 GROUP BY start_mask, return_mask"
    )


def run_retention(engine: SqlEngine, query: RetentionQuery) -> list[RetentionCohort]:
    """Compute the retention table on ``engine``: one row per cohort, the row for cohort c has N - c values."""
    if not 1 <= query.intervals <= MAX_INTERVALS:
        raise ValueError(f"intervals must be between 1 and {MAX_INTERVALS}")
    n = query.intervals
    ids = event_ids(engine, [query.start, query.returning])
    if query.retention_type == "recurring":
        return _cohorts(query, _recurring_matrix(engine, query, ids))
    rows = engine.rows(retention_sql(query, ids))
    starts = np.array([int(row[0]) for row in rows], dtype=np.int64)
    returns = np.array([int(row[1]) for row in rows], dtype=np.int64)
    persons = np.array([int(row[2]) for row in rows], dtype=np.int64)
    positions = np.arange(n, dtype=np.int64)
    start_bits = (starts[:, None] >> positions) & 1 if len(rows) else np.zeros((0, n), dtype=np.int64)
    return_bits = (returns[:, None] >> positions) & 1 if len(rows) else np.zeros((0, n), dtype=np.int64)
    matrix = np.zeros((n, n), dtype=np.int64)
    for c in range(n):
        in_cohort = start_bits[:, c] * persons
        matrix[c, 0] = int(in_cohort.sum())
        for k in range(1, n - c):
            matrix[c, k] = int((in_cohort * return_bits[:, c + k]).sum())
    return _cohorts(query, matrix)


def _recurring_matrix(engine: SqlEngine, query: RetentionQuery, ids: Mapping[str, int]) -> np.ndarray:
    data = engine.columns(recurring_rows_sql(query, ids))
    persons = np.asarray(data["person_id"], dtype=np.int64)
    timestamps = np.asarray(data["timestamp"], dtype=np.int64)
    columns = _match_columns(query, ids)
    if columns.single_event:  # one named event: every row is a start and a return event
        event_numbers = np.zeros(0, dtype=np.int32)
        lookup = np.full(1, 3 if query.start.event in ids else 0, dtype=np.int64)
    else:
        event_numbers = np.asarray(data["event_id"])
        lookup = columns.lookup(int(event_numbers.max()) if len(event_numbers) else 0)
    first = np.int64(microseconds(query.first_period()))
    return recurring_retention(
        persons, timestamps, event_numbers, columns.flags(data), lookup, first, PERIOD_CODES[query.period],
        query.intervals,
    )  # fmt: skip


def _cohorts(query: RetentionQuery, matrix: np.ndarray) -> list[RetentionCohort]:
    n, first = query.intervals, query.first_period()
    return [
        RetentionCohort(start=shift(first, query.period, c), values=[int(v) for v in matrix[c, : n - c]])
        for c in range(n)
    ]

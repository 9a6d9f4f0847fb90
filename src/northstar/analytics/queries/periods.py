"""Calendar intervals (hour, day, week, month) in Python, matching SQL ``date_trunc`` (weeks start on Monday)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

Interval = Literal["hour", "day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("hour", "day", "week", "month")
EPOCH = datetime(1970, 1, 1)


def microseconds(moment: datetime) -> int:
    """A naive UTC datetime as microseconds since the epoch (the integer form timestamps are fetched in)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def truncate(moment: datetime, interval: Interval) -> datetime:
    """The start of the interval containing ``moment``."""
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def shift(moment: datetime, interval: Interval, count: int = 1) -> datetime:
    """``moment`` moved by ``count`` intervals (months keep the day, which is 1 for truncated values)."""
    if interval == "hour":
        return moment + timedelta(hours=count)
    if interval == "day":
        return moment + timedelta(days=count)
    if interval == "week":
        return moment + timedelta(weeks=count)
    month_index = moment.year * 12 + (moment.month - 1) + count
    return moment.replace(year=month_index // 12, month=month_index % 12 + 1)


def buckets(start: datetime, end: datetime, interval: Interval) -> list[datetime]:
    """Every interval start from the one containing ``start`` up to (excluding) ``end``."""
    current = truncate(start, interval)
    result = []
    while current < end:
        result.append(current)
        current = shift(current, interval)
    return result


def as_datetime(value: datetime | date) -> datetime:
    """A SQL date or timestamp value as a naive datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def period_index_sql(first: datetime, interval: Interval, column: str = "timestamp") -> str | None:
    """Portable SQL for the 0-based number of the ``interval`` holding ``column``, counted from ``first`` (which
    must be an interval start); ``None`` for hours (no portable day-free form is needed there)."""
    if interval == "month":
        base = first.year * 12 + first.month
        return (
            f"(CAST(EXTRACT(YEAR FROM {column}) AS BIGINT) * 12 "
            f"+ CAST(EXTRACT(MONTH FROM {column}) AS BIGINT) - {base})"
        )
    if interval == "hour":
        return None
    days = f"(CAST({column} AS DATE) - CAST('{first.date().isoformat()}' AS DATE))"
    if interval == "day":
        return f"CAST({days} AS INTEGER)"
    return f"CAST(({days}) // 7 AS INTEGER)"


def sql_interval(interval: Interval, count: int = 1) -> str:
    """A portable SQL INTERVAL literal."""
    if interval == "week":
        return f"INTERVAL '{7 * count} days'"
    return f"INTERVAL '{count} {interval}s'"

"""Demand per theme, computed in a few grouped queries for many themes at once.

For each theme: items, unique customers, ARR represented (the ARR of each distinct customer counted once per
theme, never once per item), the same split by customer segment, average sentiment and rating, and weekly counts
with the Cochran–Armitage trend test of ``analysis/trends.py`` on the theme's share of all analysed items.

``level="sub"`` counts the items of each sub-theme; ``level="top"`` counts, for a parent theme, the items of all
its sub-themes together (a customer who asked in two sub-themes still counts once for the parent).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from northstar.customers.models import Customer
from northstar.feedback.engine.trends import trend, week_range, week_start, weekly_counts
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.themes.schemas import Level, SegmentDemand, ThemeDemand, WeeklyTrend

#: weeks shown and tested, ending with the week of the newest analysed item
TREND_WEEKS = 26
UNKNOWN_SEGMENT = "unknown"


@dataclass
class _Tally:
    items: int = 0
    sentiment_sum: float = 0.0
    rating_sum: float = 0.0
    rated: int = 0
    segments: dict[str, list[float]] = field(default_factory=dict)  # segment → [items, customers, arr]

    def segment(self, name: str) -> list[float]:
        return self.segments.setdefault(name, [0, 0, 0.0])


def _key(level: Level) -> ColumnElement[Any]:
    if level == "top":
        return func.coalesce(FeedbackTheme.parent_id, FeedbackTheme.id)
    return FeedbackAnalysis.theme_id.expression


def _scope(
    query: Select[Any], workspace_id: int, key: ColumnElement[Any], ids: Collection[int] | None
) -> Any:
    query = query.where(FeedbackAnalysis.workspace_id == workspace_id, FeedbackAnalysis.theme_id.is_not(None))
    return query.where(key.in_(list(ids))) if ids is not None else query


def trend_window(session: Session, workspace_id: int, weeks: int = TREND_WEEKS) -> list[date]:
    """The ``weeks`` Monday dates ending with the week of the newest analysed item (or this week)."""
    newest = session.scalar(
        select(func.max(Feedback.received_at))
        .join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == Feedback.id)
        .where(FeedbackAnalysis.workspace_id == workspace_id)
    )
    last = week_start(newest or datetime.now(UTC))
    return week_range(last - timedelta(weeks=weeks - 1), last)


def demand_by_theme(
    session: Session, workspace_id: int, level: Level, ids: Collection[int] | None = None
) -> dict[int, ThemeDemand]:
    """Demand of every theme at ``level`` (or of ``ids`` only), keyed by theme id; themes without items are absent."""
    key = _key(level)
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    segment = Customer.segment
    per_segment = _scope(
        select(
            key,
            segment,
            func.count(),
            func.sum(FeedbackAnalysis.sentiment),
            func.count(Feedback.rating),
            func.sum(Feedback.rating),
        )
        .select_from(FeedbackAnalysis)
        .join(FeedbackTheme, FeedbackTheme.id == FeedbackAnalysis.theme_id)
        .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id),
        workspace_id,
        key,
        ids,
    ).group_by(key, segment)
    for theme_id, segment_name, items, sentiment, rated, rating in session.execute(per_segment):
        tally = tallies[int(theme_id)]
        tally.items += int(items)
        tally.sentiment_sum += float(sentiment or 0.0)
        tally.rated += int(rated)
        tally.rating_sum += float(rating or 0.0)
        tally.segment(segment_name or UNKNOWN_SEGMENT)[0] += int(items)
    pairs = (
        _scope(
            select(key.label("theme"), Feedback.customer_id.label("customer"))
            .select_from(FeedbackAnalysis)
            .join(FeedbackTheme, FeedbackTheme.id == FeedbackAnalysis.theme_id)
            .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
            .where(Feedback.customer_id.is_not(None)),
            workspace_id,
            key,
            ids,
        )
        .distinct()
        .subquery()
    )
    per_customer = (
        select(pairs.c.theme, Customer.segment, func.count(), func.sum(Customer.arr))
        .join(Customer, Customer.id == pairs.c.customer)
        .group_by(pairs.c.theme, Customer.segment)
    )
    for theme_id, segment_name, customers, arr in session.execute(per_customer):
        numbers = tallies[int(theme_id)].segment(segment_name or UNKNOWN_SEGMENT)
        numbers[1] += int(customers)
        numbers[2] += float(arr or 0.0)
    weeks = trend_window(session, workspace_id)
    weekly = _weekly(session, workspace_id, level, ids, weeks)
    return {
        theme_id: _demand(tally, weeks, weekly.get(theme_id, [0] * len(weeks)), weekly["totals"])
        for theme_id, tally in tallies.items()
    }


def _weekly(
    session: Session, workspace_id: int, level: Level, ids: Collection[int] | None, weeks: list[date]
) -> dict[Any, list[int]]:
    """Counts per week for each theme, and ``"totals"``: all analysed, non-empty items per week."""
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=UTC)
    key = _key(level)
    dates: dict[int, list[datetime]] = defaultdict(list)
    rows = session.execute(
        _scope(
            select(key, Feedback.received_at)
            .select_from(FeedbackAnalysis)
            .join(FeedbackTheme, FeedbackTheme.id == FeedbackAnalysis.theme_id)
            .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
            .where(Feedback.received_at >= since),
            workspace_id,
            key,
            ids,
        )
    )
    for theme_id, received in rows:
        dates[int(theme_id)].append(received)
    all_dates = session.scalars(
        select(Feedback.received_at)
        .join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == Feedback.id)
        .where(
            FeedbackAnalysis.workspace_id == workspace_id,
            FeedbackAnalysis.empty.is_(False),
            Feedback.received_at >= since,
        )
    ).all()
    result: dict[Any, list[int]] = {
        theme_id: weekly_counts(found, weeks) for theme_id, found in dates.items()
    }
    result["totals"] = weekly_counts(all_dates, weeks)
    return result


def _demand(tally: _Tally, weeks: list[date], counts: list[int], totals: list[int]) -> ThemeDemand:
    # a theme's items are a subset of the week's analysed items; moved empty items cannot exist, but guard anyway
    totals = [max(total, count) for total, count in zip(totals, counts, strict=True)]
    tested = trend(counts, totals)
    segments = sorted(
        (
            SegmentDemand(segment=name, items=int(n[0]), customers=int(n[1]), arr=round(n[2], 2))
            for name, n in tally.segments.items()
        ),
        key=lambda s: (-s.arr, -s.items, s.segment),
    )
    return ThemeDemand(
        items=tally.items,
        customers=sum(s.customers for s in segments),
        arr=round(sum(s.arr for s in segments), 2),
        by_segment=segments,
        average_sentiment=round(tally.sentiment_sum / tally.items, 3) if tally.items else None,
        average_rating=round(tally.rating_sum / tally.rated, 2) if tally.rated else None,
        rated_items=tally.rated,
        trend=WeeklyTrend(
            weeks=weeks,
            counts=counts,
            totals=totals,
            direction=tested.direction,  # type: ignore[arg-type]
            z=tested.z,
            p_value=tested.p_value,
        ),
    )


def empty_demand(session: Session, workspace_id: int) -> ThemeDemand:
    """The demand of a theme with no items (all zeros, the same weeks as the others)."""
    weeks = trend_window(session, workspace_id)
    return _demand(_Tally(), weeks, [0] * len(weeks), [0] * len(weeks))

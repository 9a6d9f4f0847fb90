"""Facts about the people side of a workspace, for the maturity evidence rules (plain values only).

The maturity module calls :func:`facts`; it returns numbers, dates and, for each 1:1 pair, a tuple
``(cadence_days, meeting_dates, action_items_total, action_items_closed_or_carried)``.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.people.engine.checkins import CADENCE_DAYS
from northstar.people.engine.ladder import ladder_from_dict, load_default_ladder
from northstar.people.models import (
    Assessment,
    CheckInMeeting,
    CheckInSeries,
    GrowthItem,
    GrowthPlan,
    LadderDocument,
    LadderLevel,
    ReviewCycle,
    ReviewParticipant,
)


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[no-any-return]


def _one_on_one_pairs(
    session: Session, workspace_id: int
) -> tuple[list[tuple[int, list[date], int, int]], list[date]]:
    pairs, pulse_dates = [], []
    for series in session.scalars(select(CheckInSeries).where(CheckInSeries.workspace_id == workspace_id)):
        meetings = list(
            session.scalars(
                select(CheckInMeeting)
                .where(CheckInMeeting.series_id == series.id)
                .order_by(CheckInMeeting.held_on)
            )
        )
        total = handled = 0
        for before, after in pairwise(meetings):
            later = {i.get("text") for i in after.action_items}
            for item in before.action_items:
                total += 1
                handled += bool(item.get("done")) or item.get("text") in later
        pairs.append((CADENCE_DAYS.get(series.cadence, 7), [m.held_on for m in meetings], total, handled))
        pulse_dates += [m.held_on for m in meetings if m.pulse is not None]
    return pairs, pulse_dates


def _people_facts(session: Session, workspace_id: int, today: date) -> dict[str, object]:
    on_ladder = list(
        session.scalars(select(LadderLevel.person_id).where(LadderLevel.workspace_id == workspace_id))
    )
    has_doc = session.scalar(select(LadderDocument.id).where(LadderDocument.workspace_id == workspace_id))
    behaviours = 0
    if has_doc is not None:
        doc = session.get_one(LadderDocument, has_doc)
        behaviours = len(ladder_from_dict(doc.document).behaviours)
    elif on_ladder:
        behaviours = len(load_default_ladder().behaviours)
    assessed = set(
        session.scalars(
            select(Assessment.person_id).where(
                Assessment.workspace_id == workspace_id, Assessment.assessed_on >= today - timedelta(days=183)
            )
        )
    )
    with_plan = set(
        session.scalars(
            select(GrowthPlan.person_id)
            .join(GrowthItem, GrowthItem.plan_id == GrowthPlan.id)
            .where(GrowthPlan.workspace_id == workspace_id)
        )
    )
    cycles = list(
        session.scalars(
            select(ReviewCycle).where(
                ReviewCycle.workspace_id == workspace_id, ReviewCycle.status == "closed"
            )
        )
    )
    calibrated = [
        _day(c.closes_at)
        for c in cycles
        if session.scalar(
            select(func.count())
            .select_from(ReviewParticipant)
            .where(ReviewParticipant.cycle_id == c.id, ReviewParticipant.performance.is_not(None))
        )
    ]
    people = set(on_ladder)
    return {
        "ladder_behaviours": behaviours,
        "people": len(people),
        "people_assessed_recently": len(people & assessed),
        "people_with_growth_plan": len(people & with_plan),
        "review_cycles_completed": [_day(c.closes_at) for c in cycles],
        "calibration_dates": calibrated,
    }


def facts(session: Session, workspace_id: int, today: date) -> dict[str, Any]:
    """Everything the people-side evidence rules need, as keyword values of ``WorkspaceFacts``."""
    pairs, pulse_dates = _one_on_one_pairs(session, workspace_id)
    return {
        "one_on_one_pairs": pairs,
        "pulse_dates": pulse_dates,
        **_people_facts(session, workspace_id, today),
    }

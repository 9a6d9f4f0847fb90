"""Demo content of reports & sharing (called by ``northstar demo`` after every other module's demo).

The Head of Product has issued the board report of the quarter that ended last, sent last week's brief and is
writing this week's (a draft with a note). Last week's brief recorded the 85 % dates of three funded ideas a week
or two earlier than the plan now forecasts them, so this week's brief shows them as slipped. One share link gives
the board the roadmap until the end of next month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.reports import engine, gather, service, sharing
from northstar.reports.schemas import ShareLinkCreate

NOTE = (
    "Enterprise SSO work is on track, but three roadmap dates moved: capacity in Data Platform went to the "
    "connector incident. Budget: Data Platform contractors are running ahead of plan; we are reviewing the "
    "scope with finance on Thursday."
)


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    today = context.company.as_of.date()
    service.issue_board_report(session, actor, context.settings, engine.previous_quarter(today), today)
    last_week = service.generate_brief(session, actor, today - dt.timedelta(days=7))
    assert last_week is not None
    moved = dict(last_week.data.get("forecast_p85") or {})
    on_roadmap = {str(idea[0]) for idea in gather.roadmap_ideas(session, actor)}
    candidates = sorted((k for k in moved if k in on_roadmap), key=lambda k: moved[k])
    for index, key in enumerate(candidates[-3:]):
        moved[key] = (dt.date.fromisoformat(moved[key]) - dt.timedelta(days=7 * (index + 1))).isoformat()
    last_week.data = {**last_week.data, "forecast_p85": moved}
    service.set_brief_note(session, actor, last_week.id, "Quiet week: two fixes shipped, roadmap unchanged.")
    service.send_brief(session, actor, last_week.id)
    this_week = service.generate_brief(session, actor, today)
    assert this_week is not None
    service.set_brief_note(session, actor, this_week.id, NOTE)
    sharing.create_link(
        session, actor, "demo", ShareLinkCreate(label="Board members, December meeting", expires_in_days=45)
    )
    session.flush()

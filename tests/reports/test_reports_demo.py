"""The reports demo on its own (without the minute-long full demo seed), over the small test company: the board
report of the quarter that ended last is issued, last week's brief was sent and this week's is a draft with the
author's note that shows slipped dates, and one share link is active."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy.orm import Session

from northstar.reports import demo, engine, service, sharing
from tests.reports.company import TODAY, make_company


def test_demo_has_an_issued_board_report_two_briefs_with_slips_and_a_share_link(session: Session) -> None:
    company = make_company(session)
    actor = company.world.actor()
    as_of = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
    demo.seed_demo(session, actor, SimpleNamespace(company=SimpleNamespace(as_of=as_of), settings=None))
    session.commit()
    reports = service.list_reports(session, actor)
    assert [(r.kind, r.period, r.status) for r in reports] == [
        ("brief", "2026-W47", "draft"),
        ("brief", "2026-W46", "issued"),
        ("board", engine.previous_quarter(TODAY), "issued"),
    ]
    draft = service.get_report(session, actor, reports[0].id)
    assert draft.note == demo.NOTE and draft.data["compared_with"] == "2026-W46"
    assert draft.data["slipped"], "last week's brief recorded earlier 85 % dates"
    assert all(slip["days"] > 0 for slip in draft.data["slipped"])
    links = sharing.list_links(session, actor, "secret")
    assert len(links) == 1 and links[0].state == "active"

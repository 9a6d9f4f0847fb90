"""Board reports and weekly briefs on both databases: an issued report is a snapshot that reopens as it was after
the data changed; a brief is a draft until sent and frozen after; slipped dates are found against the previous
brief; the Head of Product's dues stay private; permissions and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.audit import AuditEvent
from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.decisions.models import Plan
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate
from northstar.notifications.models import Notification
from northstar.reports import service
from northstar.strategy import service as strategy
from northstar.strategy.schemas import CheckInCreate
from tests.reports.company import QUARTER, TODAY, make_company, p85_forecast


def test_issued_board_report_reopens_as_it_was_after_the_data_changed(session: Session) -> None:
    company = make_company(session)
    actor = company.world.actor()
    report = service.issue_board_report(session, actor, None, QUARTER.lower(), TODAY)
    session.commit()
    data = report.data
    assert report.status == "issued" and report.period == QUARTER and report.issued_at is not None
    assert [o["title"] for o in data["objectives"]] == ["Win enterprise accounts"]
    sso = data["objectives"][0]["key_results"][0]
    assert (sso["current"], sso["confidence"], sso["pace"]) == (20.0, 0.3, "at_risk")
    assert [r["title"] for r in data["roadmap"]] == ["SSO enforcement", "Audit log export", "Dark mode"]
    assert data["roadmap"][0]["p85"] == "2026-12-10" and data["roadmap"][2]["p85"] is None
    assert data["portfolio"]["value"] == 910000.0 and data["portfolio"]["budget_used"] == 420000.0
    assert data["budget"]["planned_cents"] == 9_000_000 and data["budget"]["actual_cents"] == 10_000_000
    kinds = [(r["kind"], r["title"]) for r in data["risks"]]
    assert ("key_result", "Accounts with SSO") in kinds and ("slipped", "SSO enforcement") in kinds
    assert ("overspend", "Trust is forecast to overspend") in kinds
    before_html = service.document_html(session, actor, report.id)
    assert "Accounts with SSO" in before_html and "SSO enforcement" in before_html and "<svg" in before_html

    # the data moves on: a new check-in, a renamed idea, a later forecast
    strategy.add_check_in(
        session, actor, company.key_result_id, CheckInCreate(value=55, confidence=0.9, day=TODAY)
    )
    ideas.update_idea(session, actor, company.idea_ids["SSO enforcement"], IdeaUpdate(title="SSO everywhere"))
    plan = session.get_one(Plan, company.plan_id)
    plan.forecast = p85_forecast(company.idea_ids, shift_days=30)
    session.commit()
    session.expire_all()

    reopened = service.get_report(session, actor, report.id)
    assert reopened.data == data
    assert service.document_html(session, actor, report.id) == before_html
    assert "SSO everywhere" not in before_html
    fresh = service.issue_board_report(session, actor, None, QUARTER, TODAY).data
    assert fresh["objectives"][0]["key_results"][0]["current"] == 55.0
    assert fresh["roadmap"][0]["title"] == "SSO everywhere" and fresh["roadmap"][0]["p85"] == "2027-01-09"
    listed = service.list_reports(session, actor, "board")
    assert len(listed) == 2 and listed[0].issued_by_name == company.world.users[Role.OWNER].name


def test_board_report_refuses_a_month_and_a_viewer(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(ValidationFailed, match="covers a quarter") as failure:
        service.issue_board_report(session, company.world.actor(), None, "2026-11", TODAY)
    assert failure.value.errors[0].field == "period"
    with pytest.raises(PermissionDenied):
        service.issue_board_report(session, company.world.actor(Role.VIEWER), None, QUARTER, TODAY)
    session.rollback()
    assert service.list_reports(session, company.world.actor()) == []


def test_brief_is_drafted_annotated_sent_then_frozen_and_the_next_finds_slips(session: Session) -> None:
    company = make_company(session)
    actor = company.world.actor(Role.HEAD_OF_PRODUCT)
    assert service.brief_is_due(session, actor, TODAY)
    draft = service.generate_brief(session, actor, TODAY)
    assert draft is not None and draft.status == "draft" and draft.period == "2026-W47" and draft.html is None
    assert service.generate_brief(session, actor, TODAY, only_if_due=True) is None, "one brief a week"
    assert draft.data["compared_with"] is None and draft.data["slipped"] == []
    assert draft.data["forecast_p85"][str(company.idea_ids["SSO enforcement"])] == "2026-12-10"
    service.set_brief_note(session, actor, draft.id, "  Enterprise push on track.  ")
    sent = service.send_brief(session, actor, draft.id)
    session.commit()
    assert sent.status == "issued" and sent.note == "Enterprise push on track."
    assert (
        sent.html is not None
        and "Enterprise push on track." in sent.html
        and "Accounts with SSO" in sent.html
    )
    with pytest.raises(Conflict, match="does not change"):
        service.set_brief_note(session, actor, draft.id, "edited later")
    with pytest.raises(Conflict):
        service.send_brief(session, actor, draft.id)

    plan = session.get_one(Plan, company.plan_id)
    plan.forecast = p85_forecast(company.idea_ids, shift_days=9)
    session.commit()
    next_week = service.generate_brief(session, actor, TODAY + dt.timedelta(days=7), only_if_due=True)
    assert next_week is not None and next_week.data["compared_with"] == "2026-W47"
    slipped = {s["title"]: (s["was"], s["now"], s["days"]) for s in next_week.data["slipped"]}
    assert slipped == {
        "SSO enforcement": ("2026-12-10", "2026-12-19", 9),
        "Audit log export": ("2027-01-20", "2027-01-29", 9),
    }
    audit = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "report")).all()
    assert sorted(audit) == ["generate", "generate", "issue", "update"]
    told = session.scalars(select(Notification).where(Notification.key == f"brief_sent:{sent.id}")).all()
    members = {user.id for user in company.world.users.values()} - {actor.user_id}
    assert {n.user_id for n in told} == members, "every other member is told, the author is not"
    assert all(n.link == f"/reports/{sent.id}" and n.title == sent.title for n in told)


def test_brief_dues_are_shown_to_their_author_alone(session: Session) -> None:
    company = make_company(session)
    author = company.world.actor(Role.HEAD_OF_PRODUCT)
    brief = service.generate_brief(session, author, TODAY)
    assert brief is not None
    brief.data = {
        **brief.data,
        "for_head_of_product": [{"what": "1:1 with Priya", "due": "2026-11-21", "overdue": False}],
    }
    assert [d.what for d in service.private_dues(session, author, brief)] == ["1:1 with Priya"]  # type: ignore[attr-defined]
    assert service.private_dues(session, company.world.actor(Role.OWNER), brief) == []
    service.send_brief(session, author, brief.id)
    assert brief.html is not None and "Priya" not in brief.html, "the private list is never part of the HTML"
    with pytest.raises(PermissionDenied):
        service.generate_brief(session, company.world.actor(Role.PRODUCT_MANAGER), TODAY)

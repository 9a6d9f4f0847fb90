"""In a real browser: after a finished 360 cycle, the reviewee, a peer, the manager and an admin each see
exactly what they should — and no page shows which peer wrote what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.people import reviews_service as reviews
from northstar.people.models import ReviewRequest
from northstar.people.schemas import NominationCreate, ResponseSubmit
from tests.factories import PASSWORD
from tests.people.world import ProductTeam, make_team, open_cycle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEER_NOTES = {
    "peer1": "Brings customer quotes to planning",
    "peer2": "Great at saying no",
    "peer3": "Specs are crisp",
}
XFN_NOTES = {"peer4": "Cross-functional remark alpha", "lead": "Cross-functional remark beta"}


def _answer(
    session: Session, team: ProductTeam, key: str, participant_id: int, clarity: int, note: str
) -> None:
    request = session.scalar(
        select(ReviewRequest).where(
            ReviewRequest.participant_id == participant_id,
            ReviewRequest.rater_person_id == team.persons[key].id,
        )
    )
    assert request is not None
    reviews.submit_response(
        session,
        team.actor(key),
        request.id,
        ResponseSubmit(ratings={"clarity": clarity, "data": 4}, comments={"keep": note}),
    )
    session.commit()


def _finished_cycle(session: Session, team: ProductTeam) -> tuple[int, int]:
    cycle_id, participant_id = open_cycle(session, team, peers=3)
    for key in XFN_NOTES:
        reviews.nominate(
            session,
            team.actor("manager"),
            participant_id,
            NominationCreate(rater_person_id=team.persons[key].id, rater_group="cross_functional"),
        )
    session.commit()
    _answer(session, team, "ana", participant_id, 5, "I explain the plan well")
    _answer(session, team, "manager", participant_id, 3, "Manager view: tighten the weekly update")
    for n, (key, note) in enumerate(PEER_NOTES.items()):
        _answer(session, team, key, participant_id, 2 + n, note)
    for key, note in XFN_NOTES.items():
        _answer(session, team, key, participant_id, 1, note)
    reviews.close_cycle(session, team.actor("lead"), cycle_id)
    reviews.release_reports(session, team.actor("lead"), cycle_id)
    session.commit()
    return cycle_id, participant_id


def _login(page: Any, server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _assert_anonymous_report(page: Any, team: ProductTeam) -> str:
    content = page.content()
    assert "Manager (not anonymous)" in content
    peers_row = page.locator("[data-testid=groups] tr[data-group=peer]")
    assert "3" in peers_row.inner_text() and "anonymous" in peers_row.inner_text()
    xfn_row = page.locator("[data-testid=groups] tr[data-group=cross_functional]")
    assert "fewer than 3 responses" in xfn_row.inner_text()
    comments = page.locator("[data-testid=comments]").inner_text()
    for note in PEER_NOTES.values():
        assert note in comments
    for note in XFN_NOTES.values():
        assert note not in content
    for key in ("peer1", "peer2", "peer3", "peer4"):
        assert team.persons[key].name not in content
    return comments


def test_reviewee_peer_manager_and_admin_each_see_what_they_should(
    live_server: str, session: Session, page: Any, screenshots: Path, backend: str
) -> None:
    team = make_team(session)
    cycle_id, participant_id = _finished_cycle(session, team)
    report_url = f"{live_server}/reviews/participants/{participant_id}/report"

    # the reviewee finds the released report from the reviews page
    _login(page, live_server, team.emails["ana"])
    page.goto(f"{live_server}/reviews")
    page.click("text=Read your report")
    page.wait_for_url(report_url)
    seen_by_reviewee = _assert_anonymous_report(page, team)
    page.screenshot(path=str(screenshots / f"people-360-report-{backend}.png"), full_page=True)

    # a peer cannot open the reviewee's report, profile or the cycle, and has nothing left to answer
    _login(page, live_server, team.emails["peer1"])
    response = page.goto(report_url)
    assert response is not None and response.status == 403
    assert PEER_NOTES["peer2"] not in page.content()
    assert page.goto(f"{live_server}/people/{team.persons['ana'].id}").status == 403
    assert page.goto(f"{live_server}/reviews/cycles/{cycle_id}").status == 403
    page.goto(f"{live_server}/reviews")
    assert "Nothing to answer" in page.locator("[data-testid=my-requests]").inner_text()

    # the manager sees the same report, and the reviewee's profile
    _login(page, live_server, team.emails["manager"])
    page.goto(report_url)
    assert _assert_anonymous_report(page, team) == seen_by_reviewee
    assert page.goto(f"{live_server}/people/{team.persons['ana'].id}").status == 200

    # an admin sees exactly the same anonymised report — no rater names — and the calibration view
    _login(page, live_server, team.emails["admin"])
    page.goto(report_url)
    assert _assert_anonymous_report(page, team) == seen_by_reviewee
    page.goto(f"{live_server}/reviews/cycles/{cycle_id}")
    assert page.locator("[data-testid=nine-box]").is_visible()
    assert "Release reports" not in page.content()  # only the cycle owner releases
    page.screenshot(path=str(screenshots / f"people-calibration-{backend}.png"), full_page=True)

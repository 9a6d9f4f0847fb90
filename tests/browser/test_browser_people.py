"""People in a real browser, as a manager: the team list, a report's page (set their level, start 1:1s), the
career ladder, and a 1:1 series where a meeting is recorded with notes and an action item that is then ticked off.

Each page is opened clean (no console error, no failed request) and checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.people.world import make_team

pytestmark = pytest.mark.browser

ILLEGIBLE = re.compile(r"\{'|\['|\bNone\b|\d+\.\d{5,}|/api/v1/|\b[a-z]+_[a-z_]+\b")


def _legible(page: Any, where: str) -> None:
    text = page.locator("main").inner_text()
    bad = ILLEGIBLE.findall(text)
    assert not bad, f"{where}: illegible text {bad[:5]}"


def test_a_manager_runs_a_report_s_level_and_1_1s(live_server: str, session: Session, page: Any) -> None:
    team = make_team(session)
    ana = team.persons["ana"]
    page.set_default_timeout(10_000)
    log_in(page, live_server, team.emails["manager"])
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/people", watch)
    assert_accessible(page, "/people")
    _legible(page, "/people")
    reports = page.locator("[data-testid=team-table] tbody")
    assert "Ana" in reports.inner_text() and "Peer1" in reports.inner_text()

    page.click("text=Career ladder & job descriptions")
    page.wait_for_url(f"{live_server}/people/ladder")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/people/ladder")
    assert_accessible(page, "/people/ladder")
    _legible(page, "/people/ladder")
    assert page.locator("main table").count() >= 1, "the ladder lists its levels and competencies"

    open_clean(page, f"{live_server}/people", watch)
    reports.get_by_role("link", name="Ana").click()
    page.wait_for_url(f"{live_server}/people/{ana.id}")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/people/{id}")
    assert_accessible(page, "/people/{id}")
    _legible(page, "/people/{id}")

    level = page.locator("form[action$='/level'] select[name=level_code]")
    chosen = level.locator("option").nth(1).inner_text()
    level.select_option(label=chosen)
    page.get_by_role("button", name="Set level").click()
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/people/{id} after setting the level")
    assert chosen in page.locator("main .stats").inner_text()

    page.locator("form[action$='/one-on-ones'] select[name=cadence]").select_option(label="Biweekly")
    page.get_by_role("button", name="Start 1:1s with their manager").click()
    page.wait_for_url(re.compile(r"/people/one-on-ones/\d+"))
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/people/one-on-ones/{id}")
    assert_accessible(page, "/people/one-on-ones/{id}")
    assert "No 1:1 recorded yet" in page.locator("main").inner_text()

    page.get_by_label("Shared agenda").fill("Roadmap review\nHiring plan")
    page.get_by_label("Shared notes").fill("Agreed to trim the Q3 scope.")
    page.get_by_label("My private notes").fill("Seems tired; check workload.")
    page.get_by_label("New action items").fill("Send the trimmed scope to sales")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Agreed to trim the Q3 scope.")
    watch.assert_clean("/people/one-on-ones/{id} after recording")
    history = page.locator("main section", has_text="History")
    assert "Roadmap review" in history.inner_text()
    assert "Seems tired" in history.inner_text(), "the manager sees their own private note"
    assert "☐ Send the trimmed scope to sales" in history.inner_text()
    assert_accessible(page, "/people/one-on-ones/{id} with a meeting")
    _legible(page, "/people/one-on-ones/{id}")

    history.get_by_role("button", name="done").click()
    page.wait_for_selector("text=☑ Send the trimmed scope to sales")
    watch.assert_clean("/people/one-on-ones/{id} after ticking off")

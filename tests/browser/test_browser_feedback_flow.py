"""From feedback to an idea in a real browser: import a CSV (upload, map its columns, start), see the items in
the inbox, run the analysis, open a theme, create an idea from it, and see the idea with its linked feedback.

Each page is opened clean (no console error, no failed request) and checked with axe. The analysis runs the real
model in the server's job runner, so this is the slowest browser test; it waits for the job, never sleeps.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_world
from tests.feedback.analysis_support import TOPICS

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser

ILLEGIBLE = re.compile(r"\{'|\['|\{\"|\bNone\b|\d+\.\d{5,}|/api/v1/")


def _csv() -> str:
    """The login and export complaints of the analysis tests, as a support tool would export them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Comment", "Account", "Stars"])
    for topic in ("login", "export", "pricing"):
        for n, text in enumerate(TOPICS[topic]):
            writer.writerow([text, "ACME" if n % 2 == 0 else "", 2 if topic == "login" else 4])
    return out.getvalue()


def _legible(page: Any, where: str) -> None:
    bad = ILLEGIBLE.findall(page.locator("main").inner_text())
    assert not bad, f"{where}: illegible text {bad[:5]}"


def test_feedback_is_imported_analysed_and_turned_into_an_idea(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    make_customer(session, world, "Acme Bank", arr=120_000, segment="enterprise", external_id="ACME")
    page.set_default_timeout(15_000)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/feedback", watch)
    assert_accessible(page, "/feedback (empty)")
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(f"{live_server}/feedback/imports")
    page.get_by_role("link", name="CSV with column mapping").click()
    page.wait_for_url(f"{live_server}/feedback/import")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/feedback/import")
    assert_accessible(page, "/feedback/import")
    page.get_by_label("CSV file").set_input_files(
        {"name": "support-export.csv", "mimeType": "text/csv", "buffer": _csv().encode()}
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_selector("text=Step 2 of 2")
    watch.assert_clean("/feedback/import/map")
    assert_accessible(page, "/feedback/import/map")
    assert "18 rows" in page.locator("main").inner_text()
    page.get_by_label("Field for comment").select_option(label="Text")
    page.get_by_label("Field for account").select_option(label="Customer External Id")
    page.get_by_label("Field for stars").select_option(label="Rating")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/jobs/\d+"))
    page.wait_for_selector(".job[data-status=succeeded]")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/jobs/{id} (import)")
    assert re.search(r"Created\s+18", page.locator("main").inner_text())

    open_clean(page, f"{live_server}/feedback", watch)
    assert_accessible(page, "/feedback")
    _legible(page, "/feedback")
    inbox = page.locator("main").inner_text()
    assert "Export to CSV is missing from the reports page" in inbox
    assert "Acme Bank" in inbox, "rows with an account are attributed to the customer"

    open_clean(page, f"{live_server}/feedback/themes", watch)
    assert_accessible(page, "/feedback/themes (empty)")
    assert "No themes yet" in page.locator("main").inner_text()
    page.get_by_role("button", name="Analyse new feedback").click()
    page.wait_for_url(re.compile(r"/jobs/\d+"))
    page.wait_for_selector(".job[data-status=succeeded]", timeout=180_000)
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/jobs/{id} (analysis)")
    assert_accessible(page, "/jobs/{id}")
    _legible(page, "/jobs/{id} (analysis)")

    open_clean(page, f"{live_server}/feedback/themes", watch)
    assert_accessible(page, "/feedback/themes")
    _legible(page, "/feedback/themes")
    page.locator("form.filters select[name=level]").select_option(label="Sub-themes")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"level=sub"))
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/feedback/themes?level=sub")
    themes = page.locator("main table tbody tr")
    assert themes.count() == 3, "login, export and pricing complaints form a sub-theme each"
    export_theme = themes.filter(has_text=re.compile("export", re.I)).first
    export_theme.locator("a").first.click()
    page.wait_for_url(re.compile(r"/feedback/themes/\d+$"))
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/feedback/themes/{id}")
    assert_accessible(page, "/feedback/themes/{id}")
    _legible(page, "/feedback/themes/{id}")

    page.get_by_label("New idea from this theme").fill("Export reports to CSV and Excel")
    page.get_by_label(re.compile("Importance of the")).select_option(label="must-have (3)")
    page.get_by_role("button", name="Create idea and link all items").click()
    page.wait_for_url(re.compile(r"/ideas/\d+$"))
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/ideas/{id} created from the theme")
    assert_accessible(page, "/ideas/{id}")
    _legible(page, "/ideas/{id}")
    assert page.locator("h1").inner_text() == "Export reports to CSV and Excel"
    linked = page.locator("[data-testid=idea-feedback] tbody")
    assert "Export to CSV is missing from the reports page" in linked.inner_text()
    assert "Acme Bank" in linked.inner_text()
    assert "I cannot log in to my account since the update" not in linked.inner_text()

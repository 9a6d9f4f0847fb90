"""Customers in a real browser: the list (search, segment), a customer's page with its feedback, and importing
customers from a CSV file by uploading it, mapping its columns and watching the import job finish.

Each page is opened clean (no console error, no failed request) and checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_feedback, make_world

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser

ILLEGIBLE = re.compile(r"\{'|\['|\{\"|\bNone\b|\d+\.\d{5,}|/api/v1/|_")

CSV = (
    "Company,Account ID,Annual revenue,Tier,Region\n"
    "Borealis Freight,BF-1,48000,mid_market,EMEA\n"
    "Cobalt Health,CH-7,250000,enterprise,North America\n"
    "Dune Studio,DS-3,3600,smb,APAC\n"
)


def test_customers_are_listed_opened_and_imported(live_server: str, session: Session, page: Any) -> None:
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Bank", arr=120_000, segment="enterprise", external_id="AC-1")
    make_customer(session, world, "Tiny Shop", arr=900, segment="smb")
    make_feedback(session, world, "We need SAML single sign-on before renewal", acme)
    page.set_default_timeout(10_000)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/customers", watch)
    assert_accessible(page, "/customers")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    assert "$120k" in rows.first.inner_text()
    assert "Enterprise" in rows.first.inner_text(), "segments read as words"
    page.locator("form.filters select[name=segment]").select_option(label="SMB")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"segment=smb"))
    assert page.locator("main table tbody tr").count() == 1
    assert "Tiny Shop" in page.locator("main table tbody").inner_text()
    watch.assert_clean("/customers filtered")

    open_clean(page, f"{live_server}/customers", watch)
    page.click("text=Acme Bank")
    page.wait_for_url(f"{live_server}/customers/{acme.id}")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/customers/{id}")
    assert_accessible(page, "/customers/{id}")
    main = page.locator("main")
    assert "SAML single sign-on" in main.inner_text()
    assert "Enterprise" in main.inner_text()
    assert not ILLEGIBLE.findall(main.inner_text()), ILLEGIBLE.findall(main.inner_text())

    page.click("text=← All customers")
    page.click("text=Import CSV")
    page.wait_for_url(f"{live_server}/customers/import")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/customers/import")
    assert_accessible(page, "/customers/import")
    page.set_input_files(
        "input[type=file]", {"name": "accounts.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_selector("text=Step 2 of 2")
    watch.assert_clean("/customers/import/map")
    assert_accessible(page, "/customers/import/map")
    assert "3 rows" in page.locator("main").inner_text()
    page.get_by_label("Field for Company").select_option(label="Name")
    page.get_by_label("Field for account_id").select_option(label="External Id")
    page.get_by_label("Field for annual_revenue").select_option(label="ARR")
    page.get_by_label("Field for Tier").select_option(label="Segment")
    page.get_by_label("Field for Region").select_option(label="Region")
    page.get_by_role("button", name="Import").click()

    page.wait_for_url(re.compile(r"/jobs/\d+"))
    page.wait_for_selector(".job[data-status=succeeded]")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/jobs/{id}")
    assert_accessible(page, "/jobs/{id}")
    job_text = page.locator("main").inner_text()
    assert "Customer import" in job_text and "Succeeded" in job_text
    assert re.search(r"Created\s+3", job_text), job_text
    assert not ILLEGIBLE.findall(job_text), f"the job's report reads as words, not JSON: {job_text}"

    open_clean(page, f"{live_server}/customers?sort=-arr", watch)
    table = page.locator("main table tbody")
    assert table.locator("tr").count() == 5
    assert table.locator("tr").first.inner_text().startswith("Cobalt Health")
    assert "Mid Market" in table.inner_text()

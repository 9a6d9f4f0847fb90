"""Every navigation page in a real browser: loads with no console error or failed request, passes axe, reads clean.

A small world (one workspace, a customer and a few feedback items) rather than the full demo: this checks the
layout and each page's empty-or-filled rendering; the demo crawl is separate work.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_feedback, make_world

from northstar import modules
from northstar.core.permissions import Role

pytestmark = pytest.mark.browser

# raw Python reprs, None, long unformatted floats and API paths have no place in what a person reads
ILLEGIBLE = re.compile(r"\{'|\['|\bNone\b|\d+\.\d{5,}|/api/v1/")

# Pages owned by other branches that still fail a check; the lead removes entries as those branches merge.
KNOWN_FAILURES: dict[str, str] = {}


def test_every_navigation_page_loads_clean_passes_axe_and_reads_clean(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Bank", arr=120_000, segment="enterprise")
    make_feedback(session, world, "We need SAML single sign-on before renewal", acme)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    problems = []
    for path in ["/"] + [item.path for item in modules.navigation()]:
        try:
            open_clean(page, f"{live_server}{path}", watch)
            current = page.locator("nav.mainnav [aria-current=page]")
            assert current.count() == 1, f"{path}: {current.count()} entries marked current"
            assert_accessible(page, path)
            text = page.locator("main").inner_text()
            bad = ILLEGIBLE.findall(text)
            assert not bad, f"{path}: illegible text {bad[:5]}"
        except AssertionError as error:
            if path not in KNOWN_FAILURES:
                problems.append(str(error))
    assert not problems, "\n".join(problems)


def test_phone_width_menu_opens_and_leads_to_a_page(live_server: str, session: Session, browser: Any) -> None:
    world = make_world(session, "Lumen")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, world.email(Role.OWNER))
        menu = page.locator("details.navmenu")
        page.evaluate("document.querySelector('details.navmenu').open = false")
        assert not page.locator("nav.mainnav a[href='/people']").is_visible()
        page.click("details.navmenu > summary")
        page.click("nav.mainnav a[href='/people']")
        page.wait_for_url(f"{live_server}/people")
        assert menu.count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide at a 390px viewport"
    finally:
        context.close()


# the outermost elements that reach past the screen's right edge, to say what makes a page too wide
WIDEST_ELEMENTS = """() => {
  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  return [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > 391 && !clipped(e))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).join(', ');
}"""


def test_every_navigation_page_fits_a_phone_screen(live_server: str, session: Session, browser: Any) -> None:
    """At 390 px wide no page scrolls sideways: wide tables and charts scroll inside their own box."""
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Bank", arr=120_000, segment="enterprise")
    make_feedback(
        session, world, "We need SAML single sign-on before renewal, our auditors insist on it", acme
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, world.email(Role.OWNER))
        too_wide = []
        for path in ["/"] + [item.path for item in modules.navigation()]:
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide.append(f"{path}: {width}px ({page.evaluate(WIDEST_ELEMENTS)})")
        assert not too_wide, "pages wider than a 390px phone screen: " + ", ".join(too_wide)
    finally:
        context.close()

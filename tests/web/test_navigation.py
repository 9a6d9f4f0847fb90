"""The navigation along the value chain: groups from the module registry, the current page marked, no dead links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar import modules
from northstar.core.permissions import Role
from tests.factories import PASSWORD, make_world


def test_navigation_groups_follow_the_value_chain_with_settings_last() -> None:
    groups = {group: [item.label for item in items] for group, items in modules.navigation_groups()}
    assert list(groups) == ["Discover", "Decide", "Measure", "Team", "Settings"]
    assert groups["Discover"] == [
        "Inbox",
        "Themes",
        "Changelog",
        "Activity",
    ]  # the changelog closes the loop with customers
    assert groups["Decide"] == ["Ideas", "Prioritize", "Plans", "Budget"]
    assert groups["Team"] == ["People", "Reviews", "Maturity"]
    assert groups["Measure"] == ["Analytics", "Experiments", "Objectives", "Feature flags", "Reports"]
    assert groups["Settings"] == ["Customers", "Teams", "Settings", "Integrations", "Single sign-on"]


def test_current_entry_is_the_longest_nav_path_the_page_is_under() -> None:
    items = modules.navigation()
    assert modules.current_nav_path("/feedback/themes/12", items) == "/feedback/themes"
    assert modules.current_nav_path("/feedback", items) == "/feedback"
    assert modules.current_nav_path("/ideas/7", items) == "/ideas"
    assert modules.current_nav_path("/ideas-archive", items) == ""  # a prefix of the text is not a parent
    assert modules.current_nav_path("/", items) == ""


def test_every_page_marks_exactly_its_own_entry_as_current(client: TestClient, session: Session) -> None:
    world = make_world(session)
    login = client.post(
        "/login",
        data={"email": world.email(Role.OWNER), "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert login.status_code == 303
    for path, entry in [
        ("/", "Home"),
        ("/feedback/themes", "Themes"),
        ("/people", "People"),
        ("/maturity", "Maturity"),
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"[^>]*>([^<]+)</a>', page.text)
        assert [label for _href, label in current] == [entry], path
        assert "<summary>Menu</summary>" in page.text  # the phone-width disclosure menu
        assert 'class="navgroup-label" id="nav-discover">Discover<' in page.text


def test_maturity_page_links_only_to_pages_that_exist(client: TestClient, session: Session) -> None:
    world = make_world(session)
    client.post("/login", data={"email": world.email(Role.OWNER), "password": PASSWORD, "next": "/"})
    page = client.get("/maturity")
    assert page.status_code == 200
    links = set(re.findall(r'href="(/[^"?#]*)', page.text)) - {"/static/app.css", "/static/northstar.svg"}
    for href in sorted(links):
        if href.startswith("/static/") or "/pdf" in href:
            continue
        assert client.get(href).status_code == 200, href

"""The settings pages over HTTP: who sees which section, refused input kept next to its field, the invite link's
page for a stranger and for a member."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Role
from tests.factories import PASSWORD, make_world


def _log_in(client: Any, email: str) -> str:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/settings")
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def test_sections_follow_the_permission_table(client: Any, session: Session) -> None:
    world = make_world(session, "Lumen")
    _log_in(client, world.email(Role.OWNER))
    owner_page = client.get("/settings").text
    assert all(part in owner_page for part in ("workspace-form", "invite-form", "token-form", "audit-log"))
    client.cookies.clear()
    _log_in(client, world.email(Role.VIEWER))
    viewer_page = client.get("/settings").text
    assert 'data-testid="members"' in viewer_page
    assert not any(
        part in viewer_page for part in ("workspace-form", "invite-form", "token-form", "audit-log")
    )


def test_refused_input_is_kept_and_explained(client: Any, session: Session) -> None:
    world = make_world(session, "Lumen")
    csrf = _log_in(client, world.email(Role.OWNER))
    response = client.post(
        "/settings/workspace",
        data={"csrf_token": csrf, "name": "Lumen", "currency": "dollars", "discount_rate_percent": "8"},
    )
    assert response.status_code == 422
    assert 'value="dollars"' in response.text and 'aria-invalid="true"' in response.text
    invite = client.post(
        "/settings/invites", data={"csrf_token": csrf, "email": "not-an-address", "role": "viewer"}
    )
    assert invite.status_code == 422 and 'value="not-an-address"' in invite.text


def test_an_invite_link_page_for_a_stranger_and_a_forged_link(client: Any, session: Session) -> None:
    world = make_world(session, "Lumen")
    csrf = _log_in(client, world.email(Role.ADMIN))
    created = client.post(
        "/settings/invites", data={"csrf_token": csrf, "email": "kim@example.com", "role": "viewer"}
    )
    link = created.text.split('id="invite-url" class="copy" readonly value="')[1].split('"')[0]
    path = link[link.index("/invite/") :]
    client.cookies.clear()
    page = client.get(path)
    assert page.status_code == 200 and "kim@example.com" in page.text and "Create my account" in page.text
    short = client.post(path + "/sign-up", data={"name": "Kim", "password": "short"})
    assert short.status_code == 422 and "password" in short.text
    assert client.get(path[:-3] + "abc").status_code == 404

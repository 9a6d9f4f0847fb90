"""The embeddable feedback form: public, shows nothing of the workspace, lands in the inbox as ``in_app``, and
refuses robots (honeypot), forged or stale form tokens, oversized input and floods."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied
from northstar.core.listing import ListParams
from northstar.core.permissions import Role
from northstar.feedback import service
from northstar.feedback.importers.limits import RateLimiter
from northstar.feedback.intake import form_service
from northstar.feedback.models import Feedback
from northstar.feedback.models.imports import FeedbackForm
from tests.factories import PASSWORD, World, make_customer, make_world


def make_form(session: Session, world: World) -> FeedbackForm:
    form = form_service.rotate_form_key(session, world.actor())
    session.commit()
    return form


def open_form(client: TestClient, form: FeedbackForm, query: str = "") -> tuple[str, str]:
    """The form page's URL and the signed token it carries."""
    url = f"/embed/feedback/{form.form_key}"
    page = client.get(url + query)
    assert page.status_code == 200, page.text
    match = re.search(r'name="token" value="([^"]+)"', page.text)
    assert match
    return url, match.group(1)


def stored(session: Session) -> list[Feedback]:
    session.expire_all()
    return list(session.scalars(select(Feedback)))


def test_a_submission_lands_in_the_inbox_as_in_app(client: TestClient, session: Session) -> None:
    world = make_world(session)
    make_customer(session, world, "Acme", domain="acme.io")
    form = make_form(session, world)
    url, token = open_form(client, form, "?context=settings page")
    sent = client.post(
        url,
        data={
            "token": token,
            "text": "Let me export to PDF",
            "email": "Jo@Acme.io",
            "context": "settings page",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and "sent=1" in sent.headers["location"]
    thanks = client.get(sent.headers["location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.text and "Send more feedback" in thanks.text
    inbox = service.list_feedback(session, world.actor(Role.VIEWER), ListParams(filters={"source": "in_app"}))
    assert [f.text for f in inbox.items] == ["Let me export to PDF"]
    item = inbox.items[0]
    assert item.meta == {
        "origin": "embedded_form",
        "email": "jo@acme.io",
        "email_verified": False,
        "context": "settings page",
    }
    assert item.customer_id is None  # an unverified address never attributes demand to a customer
    assert item.created_by is None


def test_the_page_reveals_nothing_of_the_workspace_and_can_be_framed(
    client: TestClient, session: Session
) -> None:
    world = make_world(session, "Secret Project Zeta")
    make_customer(session, world, "Megacorp")
    form = make_form(session, world)
    page = client.get(f"/embed/feedback/{form.form_key}")
    assert page.status_code == 200 and form.title in page.text
    for secret in ("Secret Project Zeta", "Megacorp", world.email(), "Owner", "href=", "/static/"):
        assert secret not in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and "set-cookie" not in page.headers
    missing = client.get("/embed/feedback/not-a-real-form-key-at-all")
    assert missing.status_code == 404 and "not available" in missing.text
    assert client.get("/embed/feedback/x").status_code == 404


def test_the_honeypot_drops_robots_silently(client: TestClient, session: Session) -> None:
    form = make_form(session, make_world(session))
    url, token = open_form(client, form)
    robot = client.post(
        url,
        data={"token": token, "text": "Buy cheap pills", "homepage": "http://spam"},
        follow_redirects=False,
    )
    assert robot.status_code == 303 and "sent=1" in robot.headers["location"]
    assert stored(session) == []


def test_forged_stale_or_rotated_tokens_are_refused_and_the_text_is_kept(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    form = make_form(session, world)
    url, token = open_form(client, form)
    forged = client.post(url, data={"token": token[:-4] + "0000", "text": "Keep my words"})
    assert forged.status_code == 422 and "Keep my words" in forged.text and "send it again" in forged.text
    assert client.post(url, data={"text": "No token"}).status_code == 422
    stale = form_service.issue_token("test-secret", form, now=time.time() - form_service.TOKEN_MAX_AGE - 5)
    assert client.post(url, data={"token": stale, "text": "Too late"}).status_code == 422
    rotated = form_service.rotate_form_key(session, world.actor())
    session.commit()
    assert client.post(url, data={"token": token, "text": "Old key"}).status_code == 404
    new_url, new_token = open_form(client, rotated)
    assert client.post(new_url, data={"token": token, "text": "Old token"}).status_code == 422
    assert (
        client.post(new_url, data={"token": new_token, "text": "Fresh"}).status_code == 200
    )  # after redirect
    assert [f.text for f in stored(session)] == ["Fresh"]


def test_sending_the_same_form_twice_stores_it_once(client: TestClient, session: Session) -> None:
    form = make_form(session, make_world(session))
    url, token = open_form(client, form)
    for _ in range(2):
        response = client.post(url, data={"token": token, "text": "Double click"}, follow_redirects=False)
        assert response.status_code == 303
    assert len(stored(session)) == 1


def test_length_and_format_limits_are_clear_errors(client: TestClient, session: Session) -> None:
    form = make_form(session, make_world(session))
    url, token = open_form(client, form)
    long_text = client.post(url, data={"token": token, "text": "x" * (form_service.MAX_TEXT + 1)})
    assert long_text.status_code == 422 and "under 5,000 characters" in long_text.text
    bad_email = client.post(url, data={"token": token, "text": "Hi", "email": "not-an-address"})
    assert (
        bad_email.status_code == 422
        and "e-mail address" in bad_email.text
        and ">Hi</textarea>" in bad_email.text
    )
    blank = client.post(url, data={"token": token, "text": "   "})
    assert blank.status_code == 422 and "write your feedback" in blank.text
    huge = client.post(
        url, content=b"text=" + b"x" * 70_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert huge.status_code == 413
    assert stored(session) == []


def test_a_flood_from_one_visitor_is_slowed_down(client: TestClient, session: Session) -> None:
    form = make_form(session, make_world(session))
    client.app.state.rate_limiter_feedback_form = RateLimiter(limit=1, window=600)  # type: ignore[attr-defined]
    url, token = open_form(client, form)
    assert client.post(url, data={"token": token, "text": "First"}, follow_redirects=False).status_code == 303
    _url, second = open_form(client, form)
    flood = client.post(url, data={"token": second, "text": "Second"})
    assert flood.status_code == 429 and "try again" in flood.text and "Second" in flood.text
    assert len(stored(session)) == 1


def test_a_switched_off_form_is_not_available(client: TestClient, session: Session) -> None:
    world = make_world(session)
    form = make_form(session, world)
    url, token = open_form(client, form)
    form_service.update_form(session, world.actor(), enabled=False)
    session.commit()
    assert client.get(url).status_code == 404
    assert client.post(url, data={"token": token, "text": "Hello"}).status_code == 404
    assert stored(session) == []


def test_only_admins_create_rotate_or_switch_the_form(session: Session) -> None:
    world = make_world(session)
    for role in (Role.HEAD_OF_PRODUCT, Role.PRODUCT_MANAGER, Role.VIEWER):
        try:
            form_service.rotate_form_key(session, world.actor(role))
        except PermissionDenied:
            continue
        raise AssertionError(f"{role} rotated the form key")
    form = form_service.rotate_form_key(session, world.actor(Role.ADMIN))
    assert form_service.get_form(session, world.actor(Role.VIEWER)) is form
    assert session.scalar(select(func.count()).select_from(FeedbackForm)) == 1


def test_admin_page_shows_the_embed_code_and_rotates_with_csrf(client: TestClient, session: Session) -> None:
    world = make_world(session)
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    empty = client.get("/feedback/form")
    assert empty.status_code == 200 and "Create the form" in empty.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', empty.text)
    assert csrf
    assert client.post("/feedback/form/rotate", data={"csrf_token": "forged"}).status_code == 403
    created = client.post("/feedback/form/rotate", data={"csrf_token": csrf.group(1)})
    assert created.status_code == 200
    form = session.scalar(select(FeedbackForm))
    assert (
        form is not None
        and f"/embed/feedback/{form.form_key}" in created.text
        and "&lt;iframe" in created.text
    )
    client.post("/feedback/form/settings", data={"csrf_token": csrf.group(1), "title": "Ideas welcome"})
    session.expire_all()
    assert (form.title, form.enabled) == ("Ideas welcome", False)  # an unchecked box switches it off

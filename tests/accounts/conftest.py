"""Fixtures for sign-in tests: the local OpenID Connect provider (one per test session) and helpers that walk
a browser-less client through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session

from northstar.accounts import sso
from northstar.accounts.encryption import SecretBox
from northstar.accounts.schemas import SsoConfigure
from northstar.core.permissions import Role
from tests.accounts.oidc_provider import Provider, running_provider
from tests.factories import World

CLIENT_ID = "northstar-test"
CLIENT_SECRET = "s3cret-from-the-provider"
SERVER_SECRET = "test-secret"  # the app_settings fixture's secret key


@pytest.fixture(scope="session")
def _provider_server() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(_provider_server: Provider) -> Provider:
    """The provider with no people and no misbehaviour left over from another test."""
    _provider_server.people.clear()
    _provider_server.codes.clear()
    _provider_server.misbehaviour = {}
    return _provider_server


def configure(session: Session, world: World, provider: Provider, redirect_uri: str, **changes: Any) -> None:
    """Register Northstar at the provider and configure the world's workspace to sign in through it."""
    provider.register(CLIENT_ID, CLIENT_SECRET, redirect_uri)
    data = {
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": ["lumen.example"],
        "default_role": Role.VIEWER,
        "group_roles": {"product-leads": Role.HEAD_OF_PRODUCT, "pm": Role.PRODUCT_MANAGER},
        **changes,
    }
    sso.configure_sso(
        session, world.actor(Role.OWNER), SsoConfigure.model_validate(data), SecretBox(SERVER_SECRET)
    )
    session.commit()


def through_provider(client: Any, provider: Provider, slug: str, subject: str) -> tuple[str, dict[str, str]]:
    """Start a sign-in at Northstar, press the provider's button for ``subject``; returns the callback path and
    its query (not yet sent back to Northstar, so a test can tamper with it)."""
    start = client.get(f"/sso/{slug}", follow_redirects=False)
    assert start.status_code == 303, start.text
    location = start.headers["location"]
    assert location.startswith(provider.issuer + "/authorize?")
    params = dict(parse_qsl(urlsplit(location).query))
    assert params["code_challenge_method"] == "S256" and params["nonce"] and params["state"]
    with httpx.Client(timeout=10) as browser:
        shown = browser.get(location)
        assert shown.status_code == 200, shown.text
        answer = browser.post(f"{provider.issuer}/authorize", data={**params, "subject": subject})
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return back.path, dict(parse_qsl(back.query))


def sign_in(client: Any, provider: Provider, slug: str, subject: str, **tamper: str) -> Any:
    path, query = through_provider(client, provider, slug, subject)
    return client.get(path, params={**query, **tamper}, follow_redirects=False)


_APPS: dict[str, Any] = {}


@pytest.fixture
def client(app_settings: Any, database_url: str) -> Iterator[Any]:
    """A TestClient of the whole application; the application is built once per database (building it takes
    seconds on a busy machine) and a fresh client (no cookies) is made for each test. No lifespan: these tests
    start no background jobs."""
    from fastapi.testclient import TestClient

    from northstar.web.app import create_app

    if database_url not in _APPS:
        _APPS[database_url] = create_app(app_settings)
    yield TestClient(_APPS[database_url])

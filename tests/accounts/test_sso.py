"""Single sign-on against a real OpenID Connect provider on 127.0.0.1 (tests/accounts/oidc_provider.py), on
SQLite and PostgreSQL: the code flow with PKCE lands a just-in-time user in the workspace with the role mapped from
their groups; a tampered state, a wrong nonce, an expired token, another audience, a foreign signing key, a
disallowed domain and a replayed callback are each refused with a page that says why; "SSO required" refuses
passwords except for the break-glass owner; the client secret is stored encrypted and never shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts import sso
from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import SsoSettings, User
from northstar.accounts.schemas import SsoConfigure
from northstar.core.errors import PermissionDenied
from northstar.core.permissions import Role
from tests.accounts.conftest import CLIENT_SECRET, configure, sign_in, through_provider
from tests.accounts.oidc_provider import Provider
from tests.factories import PASSWORD, make_world

CALLBACK = "http://testserver/sso/callback"


def _refusal(response: Any) -> str:
    assert response.status_code == 403, response.text
    assert "Single sign-on refused" in response.text
    return str(response.text)


def test_sign_in_creates_the_account_with_the_role_of_its_groups(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session, "Lumen")
    configure(session, world, provider, CALLBACK)
    provider.add_person(
        "u-1",
        email="Ana@Lumen.example",
        email_verified=True,
        name="Ana Ruiz",
        groups=["staff", "product-leads"],
    )
    response = sign_in(client, provider, world.workspace.slug, "u-1")
    assert response.status_code == 303 and response.headers["location"] == "/"
    me = client.get("/api/v1/me").json()
    assert (
        me["workspace"]["slug"] == world.workspace.slug
        and me["role"] == "head_of_product"
        and me["name"] == "Ana Ruiz"
    )
    session.expire_all()
    user = session.scalar(select(User).where(User.email == "ana@lumen.example"))
    assert user is not None and user.password_hash == "!sso"
    # a JIT account has no password: the password form cannot open it
    assert (
        client.post(
            "/login", data={"email": "ana@lumen.example", "password": "!sso"}, follow_redirects=False
        ).status_code
        == 401
    )
    # the home page opens in that workspace; logging out ends the Northstar session
    home = client.get("/")
    assert home.status_code == 200 and world.workspace.name in home.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf is not None
    assert (
        client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code == 303
    )
    assert client.get("/api/v1/me").status_code == 401


def test_group_change_at_the_provider_changes_the_role_at_the_next_sign_in(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    provider.add_person("u-2", email="li@lumen.example", groups=["pm"])
    assert sign_in(client, provider, world.workspace.slug, "u-2").status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "product_manager"
    provider.add_person(
        "u-2", email="li@lumen.example", groups=["staff"]
    )  # left the mapped group, no mapped one
    assert sign_in(client, provider, world.workspace.slug, "u-2").status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "product_manager"  # unmapped groups keep the role
    provider.add_person("u-2", email="li@lumen.example", groups=["product-leads"])
    assert sign_in(client, provider, world.workspace.slug, "u-2").status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "head_of_product"


def test_tampered_replayed_or_foreign_state_is_refused(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    provider.add_person("u-3", email="bo@lumen.example")
    text = _refusal(sign_in(client, provider, world.workspace.slug, "u-3", state="forged-state-value"))
    assert "state does not match" in text
    assert client.get("/api/v1/me").status_code == 401
    # a callback used twice: the second is refused
    path, query = through_provider(client, provider, world.workspace.slug, "u-3")
    assert client.get(path, params=query, follow_redirects=False).status_code == 303
    assert "already used" in _refusal(client.get(path, params=query, follow_redirects=False))
    # a callback in a browser that did not start the sign-in (no binding cookie): refused
    path, query = through_provider(client, provider, world.workspace.slug, "u-3")
    client.cookies.clear()
    assert "another browser" in _refusal(client.get(path, params=query, follow_redirects=False))


def test_wrong_nonce_expired_token_and_clock_skew(client: Any, session: Session, provider: Provider) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    provider.add_person("u-7", email="fa@lumen.example")
    provider.misbehave(nonce="a-nonce-of-another-sign-in")
    assert "(nonce)" in _refusal(sign_in(client, provider, world.workspace.slug, "u-7"))
    provider.misbehave(exp_offset=-3600)
    assert "expired" in _refusal(sign_in(client, provider, world.workspace.slug, "u-7"))
    provider.misbehave(exp_offset=-20)  # expired 20 s ago: within the 60 s allowed for clock skew
    assert sign_in(client, provider, world.workspace.slug, "u-7").status_code == 303
    provider.misbehave(iat_offset=600)  # issued ten minutes in the future
    assert "(iat)" in _refusal(sign_in(client, provider, world.workspace.slug, "u-7"))


def test_wrong_audience_and_foreign_signature_and_issuer_are_refused(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    provider.add_person("u-8", email="gu@lumen.example")
    provider.misbehave(aud="some-other-application")
    assert "(aud)" in _refusal(sign_in(client, provider, world.workspace.slug, "u-8"))
    provider.misbehave(foreign_key=True)
    assert "signature" in _refusal(sign_in(client, provider, world.workspace.slug, "u-8"))
    provider.misbehave(iss="https://evil.example")
    assert "(iss)" in _refusal(sign_in(client, provider, world.workspace.slug, "u-8"))
    session.expire_all()
    assert (
        session.scalar(select(User).where(User.email == "gu@lumen.example")) is None
    )  # nothing half-created


def test_disallowed_domain_and_a_denial_at_the_provider_are_refused(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    provider.add_person("u-9", email="mallory@elsewhere.example")
    text = _refusal(sign_in(client, provider, world.workspace.slug, "u-9"))
    assert "mallory@elsewhere.example is not allowed" in text and "lumen.example" in text
    session.expire_all()
    assert session.scalar(select(User).where(User.email == "mallory@elsewhere.example")) is None
    # the person pressed "Deny" at the provider
    provider.add_person("u-10", email="hu@lumen.example")
    path, query = through_provider(client, provider, world.workspace.slug, "u-10")
    refused = client.get(
        path,
        params={
            "state": query["state"],
            "error": "access_denied",
            "error_description": "The user denied the request",
        },
    )
    assert "The user denied the request" in _refusal(refused)


def test_without_just_in_time_accounts_only_members_get_in(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(
        session,
        world,
        provider,
        CALLBACK,
        create_accounts=False,
        allowed_domains=["example.com", "lumen.example"],
    )
    provider.add_person("u-11", email="stranger@lumen.example")
    assert "not a member" in _refusal(sign_in(client, provider, world.workspace.slug, "u-11"))
    provider.add_person("u-12", email=world.email(Role.CONTRIBUTOR))
    assert sign_in(client, provider, world.workspace.slug, "u-12").status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "contributor"


def test_sso_required_refuses_passwords_except_the_break_glass_owner(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK, sso_required=True, allowed_domains=[])
    refused = client.post(
        "/login", data={"email": world.email(Role.ADMIN), "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 403 and "requires single sign-on" in refused.text
    owner = client.post(
        "/login", data={"email": world.email(Role.OWNER), "password": PASSWORD}, follow_redirects=False
    )
    assert owner.status_code == 303
    # the admin signs in through the provider instead, keeping their role (no group maps)
    client.cookies.clear()
    provider.add_person("adm", email=world.email(Role.ADMIN))
    assert sign_in(client, provider, world.workspace.slug, "adm").status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "admin"


def test_the_secret_is_stored_encrypted_and_never_returned(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    configure(session, world, provider, CALLBACK)
    stored = session.scalar(select(SsoSettings))
    assert stored is not None and CLIENT_SECRET not in stored.client_secret_encrypted
    assert (
        client.post("/login", data={"email": world.email(Role.OWNER), "password": PASSWORD}).status_code
        == 200
    )
    shown = client.get("/api/v1/sso")
    assert (
        shown.status_code == 200
        and CLIENT_SECRET not in shown.text
        and shown.json()["client_secret_set"] is True
    )
    assert CLIENT_SECRET not in client.get("/settings/sso").text


def test_api_configure_validates_and_checks_the_role(
    client: Any, session: Session, provider: Provider
) -> None:
    world = make_world(session)
    login = client.post(
        "/login", data={"email": world.email(Role.OWNER), "password": PASSWORD}, follow_redirects=False
    )
    assert login.status_code == 303
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate

    _token, secret = accounts.create_token(
        session, world.actor(Role.OWNER), TokenCreate(name="t", scope="write")
    )
    session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    bad = client.put(
        "/api/v1/sso",
        json={"issuer": "http://idp.example", "client_id": "x", "default_role": "owner"},
        headers=auth,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"issuer", "default_role", "client_secret"} <= fields
    assert session.scalar(select(SsoSettings)) is None  # nothing saved
    good = client.put(
        "/api/v1/sso",
        json={
            "issuer": provider.issuer,
            "client_id": "c",
            "client_secret": "shh",
            "allowed_domains": ["@Lumen.Example"],
        },
        headers=auth,
    )
    assert (
        good.status_code == 200
        and good.json()["allowed_domains"] == ["lumen.example"]
        and "shh" not in good.text
    )
    assert client.delete("/api/v1/sso", headers=auth).json()["enabled"] is False
    # a product manager may read the settings but not change them
    pm = world.actor(Role.PRODUCT_MANAGER)
    assert sso.get_sso(session, pm) is not None
    with pytest.raises(PermissionDenied):
        sso.configure_sso(
            session, pm, SsoConfigure(issuer=provider.issuer, client_id="c"), SecretBox("test-secret")
        )


def test_cli_configure_show_and_disable(cli: Any, provider: Provider) -> None:
    from northstar.cli import app

    configured = cli.invoke(  # type: ignore[attr-defined]
        app,
        [
            "sso", "configure", "--issuer", provider.issuer, "--client-id", "northstar", "--client-secret", "cli-secret",
            "--domain", "acme.example", "--group-role", "leads=head_of_product", "--required", "--format", "json",
        ],
    )  # fmt: skip
    assert configured.exit_code == 0, configured.output
    assert "cli-secret" not in configured.output and '"sso_required": true' in configured.output
    assert '"break_glass_email": "hop@example.com"' in configured.output  # the acting owner by default
    shown = cli.invoke(app, ["sso", "show", "--format", "json"])  # type: ignore[attr-defined]
    assert (
        shown.exit_code == 0
        and '"leads": "head_of_product"' in shown.output
        and "cli-secret" not in shown.output
    )
    bad = cli.invoke(
        app, ["sso", "configure", "--issuer", provider.issuer, "--client-id", "x", "--group-role", "leads"]
    )  # type: ignore[attr-defined]
    assert bad.exit_code == 2 and "GROUP=ROLE" in bad.output
    wrong_role = cli.invoke(  # type: ignore[attr-defined]
        app,
        [
            "sso",
            "configure",
            "--issuer",
            provider.issuer,
            "--client-id",
            "x",
            "--client-secret",
            "-",
            "--default-role",
            "owner",
        ],
    )
    assert wrong_role.exit_code == 2 and "never makes an owner" in wrong_role.output
    off = cli.invoke(app, ["sso", "disable", "--format", "json"])  # type: ignore[attr-defined]
    assert off.exit_code == 0 and '"enabled": false' in off.output

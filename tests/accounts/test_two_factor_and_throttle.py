"""Two-factor login and login throttling through the real pages, on SQLite and PostgreSQL: set up TOTP from the
security page (QR as inline SVG, secret shown once), log in in two steps, a code is never accepted twice, a
recovery code works once, turning it off needs the password and a code; and failed logins lock an account and an
address out across two separately built applications (two server processes) because the counts are in the
database."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import RecoveryCode, TwoFactor
from northstar.core.permissions import Role
from northstar.web.app import create_app
from tests.factories import PASSWORD, make_world


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _log_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


def test_enrol_log_in_with_a_code_and_a_recovery_code_then_turn_off(client: Any, session: Session) -> None:
    world = make_world(session)
    email = world.email(Role.PRODUCT_MANAGER)
    assert _log_in(client, email).status_code == 303
    page = client.get("/account/security")
    assert "Two-factor login is off" in page.text
    started = client.post("/account/security/two-factor/start", data={"csrf_token": _csrf(page.text)})
    assert "<svg" in started.text and 'data-testid="totp-qr"' in started.text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', started.text)
    assert secret
    totp = pyotp.TOTP(secret.group(1))
    stored = session.scalar(select(TwoFactor))
    assert stored is not None and secret.group(1) not in stored.secret_encrypted  # encrypted at rest
    wrong = client.post(
        "/account/security/two-factor/confirm", data={"csrf_token": _csrf(started.text), "code": "000000"}
    )
    assert wrong.status_code == 422 and "not the current code" in wrong.text and "<svg" in wrong.text
    confirmed = client.post(
        "/account/security/two-factor/confirm", data={"csrf_token": _csrf(started.text), "code": totp.now()}
    )
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", confirmed.text)
    assert len(codes) == 10
    session.expire_all()
    hashes = {row.code_hash for row in session.scalars(select(RecoveryCode))}
    assert len(hashes) == 10 and not any(code in hashes for code in codes)  # only hashes stored
    assert "recovery-codes" not in client.get("/account/security").text  # shown once

    # log in again: the password alone leads to the second step, not into Northstar
    client.cookies.clear()
    first = _log_in(client, email)
    assert first.status_code == 303 and first.headers["location"] == "/login/two-factor"
    assert client.get("/api/v1/me").status_code == 401
    # the code used to confirm the set-up is not accepted again (same 30-second step)
    reused = client.post("/login/two-factor", data={"code": totp.now()}, follow_redirects=False)
    assert reused.status_code == 401 and "not right" in reused.text
    # a recovery code gets in, once
    entered = client.post("/login/two-factor", data={"code": codes[0]}, follow_redirects=False)
    assert entered.status_code == 303 and client.get("/api/v1/me").json()["role"] == "product_manager"
    client.cookies.clear()
    _log_in(client, email)
    assert (
        client.post("/login/two-factor", data={"code": codes[0]}, follow_redirects=False).status_code == 401
    )
    next_step = pyotp.TOTP(secret.group(1)).at(
        time.time() + 30
    )  # the next step's code (drift of one allowed)
    assert (
        client.post("/login/two-factor", data={"code": next_step}, follow_redirects=False).status_code == 303
    )

    # turning it off needs the password and a code
    page = client.get("/account/security")
    assert "9 of 10 recovery codes" in page.text
    bad = client.post(
        "/account/security/two-factor/disable",
        data={"csrf_token": _csrf(page.text), "password": "wrong password", "code": codes[1]},
    )
    assert bad.status_code == 422 and "not your password" in bad.text
    off = client.post(
        "/account/security/two-factor/disable",
        data={"csrf_token": _csrf(page.text), "password": PASSWORD, "code": codes[1]},
        follow_redirects=False,
    )
    assert off.status_code == 303
    client.cookies.clear()
    assert _log_in(client, email).headers["location"] == "/"


def test_failed_logins_lock_the_account_across_two_server_processes(
    client: Any, session: Session, app_settings: Any
) -> None:
    world = make_world(session)
    email = world.email(Role.VIEWER)
    other_process = TestClient(create_app(app_settings))  # its own engine and pools: shares only the database
    for attempt in range(5):  # the limit is 5 failures in 15 minutes; alternate between the two processes
        answer = _log_in(client if attempt % 2 else other_process, email, "not the password")
        assert answer.status_code == 401, answer.text
    locked = _log_in(client, email)  # the right password, but the account is locked out now
    assert locked.status_code == 429 and "too many failed logins for this account" in locked.text
    assert _log_in(other_process, email).status_code == 429
    # another account from the same address is still let in (its own count; the address limit is 20)
    assert _log_in(other_process, world.email(Role.ADMIN)).status_code == 303


def test_failed_logins_lock_the_address_whatever_the_account(client: Any, session: Session) -> None:
    world = make_world(session)
    for n in range(20):  # 20 different e-mails, none known: only the address count reaches its limit
        assert _log_in(client, f"guess{n}@example.com", "x").status_code == 401
    locked = _log_in(client, world.email(Role.OWNER))
    assert locked.status_code == 429 and "this address" in locked.text

"""A small OpenID Connect provider for the tests, served over HTTP on 127.0.0.1 by uvicorn in a thread.

It speaks the parts of OpenID Connect Core 1.0 and RFC 6749/7636 that a relying party uses: the discovery
document, an authorization endpoint (a sign-in page with one button per known person; it checks the client,
the redirect URI and an S256 code challenge), a token endpoint (client authentication by HTTP Basic or form,
single-use codes bound to the redirect URI, the PKCE verifier checked with Authlib's S256 helper) and the JWKS.
ID tokens are RS256-signed with joserfc. ``misbehave`` makes the next ID token wrong in one way (an expired
token, another audience, another nonce, another issuer, a foreign key) to prove the relying party refuses it.
"""

from __future__ import annotations

import base64
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    subject: str
    expires: float


@dataclass
class Provider:
    """The provider's state: its clients, people (claims by subject), issued codes and the next misbehaviour."""

    issuer: str = ""
    clients: dict[str, tuple[str, str]] = field(default_factory=dict)  # client_id -> (secret, redirect_uri)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, _Code] = field(default_factory=dict)
    misbehaviour: dict[str, Any] = field(default_factory=dict)
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
    )
    foreign_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1"})
    )
    token_requests: int = 0

    def register(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = (secret, redirect_uri)

    def add_person(self, subject: str, **claims: Any) -> None:
        self.people[subject] = claims

    def misbehave(self, **changes: Any) -> None:
        """Make the next ID token wrong: ``exp_offset=-3600``, ``aud="other"``, ``nonce="x"``, ``foreign_key=True``."""
        self.misbehaviour = changes

    def id_token(self, client_id: str, code: _Code) -> str:
        now = int(time.time())
        wrong, self.misbehaviour = self.misbehaviour, {}
        claims: dict[str, Any] = {
            "iss": wrong.get("iss", self.issuer),
            "sub": code.subject,
            "aud": wrong.get("aud", client_id),
            "iat": now + int(wrong.get("iat_offset", 0)),
            "exp": now + int(wrong.get("exp_offset", 300)),
            "auth_time": now,
            **self.people[code.subject],
        }
        if code.nonce is not None or "nonce" in wrong:
            claims["nonce"] = wrong.get("nonce", code.nonce)
        key = self.foreign_key if wrong.get("foreign_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        from urllib.parse import unquote

        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def build_app(provider: Provider) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": provider.issuer,
            "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token",
            "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return KeySet([provider.key]).as_dict(private=False)

    def _check(params: dict[str, str]) -> str | None:
        client = provider.clients.get(params.get("client_id", ""))
        if client is None:
            return "unknown client"
        if params.get("redirect_uri") != client[1]:
            return "redirect_uri is not the registered one"
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return "only the code flow with the openid scope"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        return None

    @app.get("/authorize")
    def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        problem = _check(params)
        if problem:
            return HTMLResponse(f"<h1>Bad request</h1><p>{escape(problem)}</p>", status_code=400)
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items()
        )
        buttons = "".join(
            f'<button type="submit" name="subject" value="{escape(sub)}">Sign in as {escape(str(c.get("email")))}</button>'
            for sub, c in provider.people.items()
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title>'
            '<link rel="icon" href="data:,"></head>'
            f'<body><main><h1>Test identity provider</h1><form method="post" action="/authorize">{hidden}{buttons}'
            '<button type="submit" name="deny" value="1">Deny</button></form></main></body></html>'
        )
        return HTMLResponse(page)

    @app.post("/authorize")
    async def approve(request: Request) -> Response:
        params = {k: str(v) for k, v in (await request.form()).items()}
        problem = _check(params)
        if problem:
            return HTMLResponse(f"<p>{escape(problem)}</p>", status_code=400)
        target = params["redirect_uri"]
        if params.get("deny"):
            query = {
                "error": "access_denied",
                "error_description": "The user denied the request",
                "state": params.get("state", ""),
            }
            return RedirectResponse(f"{target}?{urlencode(query)}", status_code=302)
        subject = params.get("subject", "")
        if subject not in provider.people:
            return HTMLResponse("<p>unknown person</p>", status_code=400)
        code = secrets.token_urlsafe(24)
        provider.codes[code] = _Code(
            client_id=params["client_id"],
            redirect_uri=target,
            challenge=params["code_challenge"],
            nonce=params.get("nonce"),
            subject=subject,
            expires=time.time() + 60,
        )
        return RedirectResponse(
            f"{target}?{urlencode({'code': code, 'state': params.get('state', '')})}", status_code=302
        )

    @app.post("/token")
    async def token(request: Request) -> Response:
        provider.token_requests += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, secret = _client_credentials(request, form)
        client = provider.clients.get(client_id)
        if client is None or not secrets.compare_digest(client[0], secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        code = provider.codes.pop(form.get("code", ""), None)
        if code is None or code.expires < time.time() or code.client_id != client_id:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "unknown or used code"}, status_code=400
            )
        if form.get("redirect_uri") != code.redirect_uri:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "redirect_uri differs"}, status_code=400
            )
        if create_s256_code_challenge(form.get("code_verifier", "")) != code.challenge:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "PKCE verifier does not match"},
                status_code=400,
            )
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(client_id, code),
            },
            headers={"Cache-Control": "no-store"},
        )

    return app


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Serve a fresh provider on a free port of 127.0.0.1 for the duration of the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = Provider(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(build_app(provider), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test identity provider did not start")
        time.sleep(0.05)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)

"""The OpenID Connect relying party: discovery, the authorization request (code flow with PKCE, state and
nonce), the code exchange and the validation of the ID token.

Authlib does the OAuth 2.0 client work (authorization URL with an S256 code challenge, token request with the
client's authentication) and the ID token claims rules (``CodeIDToken``); joserfc, Authlib's JOSE library,
checks the signature against the provider's published keys (JWKS). Every call to the provider has a timeout.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from northstar.core.errors import NorthstarError

#: seconds a provider may take to answer one request
HTTP_TIMEOUT = 10.0
#: seconds of clock difference allowed between Northstar and the provider when checking exp and iat
CLOCK_SKEW = 60
#: signature algorithms accepted on an ID token (never "none", never a MAC keyed with the client secret)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
SCOPE = "openid email profile"


class SsoRefused(NorthstarError):
    """A single sign-on that Northstar refuses, with the reason in words a person can act on."""

    status = 403
    type_slug = "sso-refused"
    title = "Single sign-on refused"


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of a provider's discovery document that the code flow needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_method: str


def check_issuer_url(issuer: str) -> str:
    """The issuer URL without a trailing slash; https is required except on this machine (development)."""
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    local = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme not in {"https", "http"} or not parts.hostname or parts.query or parts.fragment:
        raise NorthstarError(f"the issuer {issuer!r} is not a URL like https://login.example.com")
    if parts.scheme == "http" and not local:
        raise NorthstarError("the issuer must use https (plain http is allowed only for localhost)")
    return issuer.rstrip("/")


def _get_json(http: httpx.Client, url: str, what: str) -> dict[str, Any]:
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        raise SsoRefused(f"the identity provider could not be reached for its {what}: {exc}") from None
    if response.status_code != 200:
        raise SsoRefused(f"the identity provider answered {response.status_code} for its {what} ({url})")
    try:
        body = response.json()
    except ValueError:
        raise SsoRefused(f"the identity provider's {what} at {url} is not JSON") from None
    if not isinstance(body, dict):
        raise SsoRefused(f"the identity provider's {what} at {url} is not a JSON object")
    return body


def discover(http: httpx.Client, issuer: str) -> ProviderMetadata:
    """Read ``<issuer>/.well-known/openid-configuration``; its ``issuer`` must be the configured one exactly
    (OpenID Connect Discovery 1.0, section 4.3)."""
    issuer = check_issuer_url(issuer)
    document = _get_json(http, f"{issuer}/.well-known/openid-configuration", "discovery document")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise SsoRefused(
            f"the discovery document names issuer {document.get('issuer')!r}, not the configured {issuer!r}"
        )
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(k)]
    if missing:
        raise SsoRefused(f"the discovery document lacks {', '.join(missing)}")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return ProviderMetadata(
        issuer=str(document["issuer"]),
        authorization_endpoint=str(document["authorization_endpoint"]),
        token_endpoint=str(document["token_endpoint"]),
        jwks_uri=str(document["jwks_uri"]),
        token_auth_method=method,
    )


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request(
    metadata: ProviderMetadata, client_id: str, redirect_uri: str
) -> AuthorizationRequest:
    """The URL to send the browser to, with fresh state, nonce and PKCE verifier (S256 challenge)."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    with OAuth2Client(
        client_id=client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256"
    ) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
        )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


def exchange_code(
    metadata: ProviderMetadata,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> str:
    """Trade the authorization code (with the PKCE verifier) for tokens; returns the ID token."""
    try:
        with OAuth2Client(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method=metadata.token_auth_method,
            timeout=HTTP_TIMEOUT,
        ) as client:
            token = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except httpx.HTTPError as exc:
        raise SsoRefused(f"the identity provider's token endpoint could not be reached: {exc}") from None
    except Exception as exc:  # Authlib raises OAuthError (and ValueError for a non-JSON body)
        description = getattr(exc, "description", None) or str(exc)
        raise SsoRefused(f"the identity provider refused the sign-in code: {description}") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SsoRefused(
            "the identity provider answered without an ID token (is the 'openid' scope allowed?)"
        )
    return id_token


def _claim_words(claim: str) -> str:
    return {
        "iss": "it was issued by another provider (iss)",
        "aud": "it was issued for another application (aud); check the client id",
        "nonce": "it answers another sign-in (nonce); start again from the login page",
        "exp": "it has expired (exp)",
        "iat": "it was issued in the future (iat); check the server clocks",
        "azp": "it was issued to another party (azp)",
        "sub": "it has no subject (sub)",
    }.get(claim, f"its claim {claim!r} is wrong")


def validate_id_token(
    http: httpx.Client,
    metadata: ProviderMetadata,
    id_token: str,
    client_id: str,
    nonce: str,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature checks against the provider's JWKS and iss, aud, exp, iat and
    nonce are right (``CLOCK_SKEW`` seconds allowed); else ``SsoRefused`` saying which check failed."""
    keys = _get_json(http, metadata.jwks_uri, "signing keys (JWKS)")
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SsoRefused(f"the identity provider's signing keys cannot be read: {exc}") from None
    try:
        token = jwt.decode(id_token, key_set, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError) as exc:
        raise SsoRefused(
            f"the ID token's signature does not check against the provider's keys ({exc})"
        ) from None
    claims = CodeIDToken(
        token.claims,
        dict(token.header),
        options={
            "iss": {"essential": True, "value": metadata.issuer},
            "aud": {"essential": True, "value": client_id},
        },
        params={"nonce": nonce, "client_id": client_id},
    )
    try:
        claims.validate(now=now, leeway=CLOCK_SKEW)
    except ExpiredTokenError:
        raise SsoRefused("the ID token was refused: " + _claim_words("exp")) from None
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        raise SsoRefused("the ID token was refused: " + _claim_words(claim)) from None
    except (InvalidTokenError, JoseError) as exc:
        raise SsoRefused(f"the ID token was refused: {exc}") from None
    if not token.claims.get("nonce"):
        raise SsoRefused("the ID token was refused: " + _claim_words("nonce"))
    return dict(token.claims)


def http_client() -> httpx.Client:
    """The client for discovery and keys: a timeout, no redirects to elsewhere."""
    return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)

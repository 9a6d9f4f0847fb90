"""Pages of sign-in and security: the second login step, single sign-on (start, the provider's callback, the
workspace's settings) and a person's own security page (two-factor set-up, recovery codes, turning it off)."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from markupsafe import Markup
from pydantic import ValidationError as PydanticError
from starlette.responses import RedirectResponse, Response

from northstar.accounts import login as login_flow
from northstar.accounts import sso, two_factor
from northstar.accounts.oidc import SsoRefused
from northstar.accounts.schemas import SsoConfigure, SsoRead, TwoFactorEnrolment
from northstar.core.errors import (
    AuthenticationRequired,
    FieldError,
    NorthstarError,
    NotFound,
    ValidationFailed,
)
from northstar.core.permissions import Role
from northstar.web.deps import DB, CurrentUser, PageUser, check_csrf, client_address, secret_box
from northstar.web.forms import field_messages
from northstar.web.pages_core import CHALLENGE_COOKIE, _safe_next, set_session_cookie
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
SSO_COOKIE = "northstar_sso"
ROLE_CHOICES = [(r.value, r.value.replace("_", " ").capitalize()) for r in Role if r != Role.OWNER]


# --- the second login step ---------------------------------------------------------------------


@router.get("/login/two-factor")
def two_factor_form(request: Request, session: DB) -> Response:
    if login_flow.challenge_next(session, request.cookies.get(CHALLENGE_COOKIE, "")) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "two_factor_login.html", error=None)


@router.post("/login/two-factor")
def two_factor_submit(
    request: Request, session: DB, code: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    settings = request.app.state.settings
    try:
        login, next_path = login_flow.second_factor(
            session,
            request.cookies.get(CHALLENGE_COOKIE, ""),
            code,
            client_address(request),
            secret_box(request),
            settings.session_hours,
        )
    except (AuthenticationRequired, login_flow.TooManyAttempts) as exc:
        return render(request, "two_factor_login.html", status_code=exc.status, error=str(exc))
    response = RedirectResponse(_safe_next(next_path), status_code=303)
    response.delete_cookie(CHALLENGE_COOKIE, path="/login")
    set_session_cookie(request, response, login.secret)
    return response


# --- single sign-on ----------------------------------------------------------------------------


def _refused(request: Request, exc: NorthstarError) -> Response:
    return render(request, "sso_refused.html", status_code=exc.status, reason=exc.detail)


def _start(request: Request, session: DB, slug: str, next_path: str) -> Response:
    redirect_uri = str(request.url_for("sso_callback"))
    try:
        start = sso.begin_sso_login(session, slug, redirect_uri, _safe_next(next_path))
    except (SsoRefused, NotFound) as exc:
        return _refused(request, exc)
    response = RedirectResponse(start.url, status_code=303)
    response.set_cookie(
        SSO_COOKIE,
        start.browser_secret,
        max_age=int(sso.ATTEMPT_LIFETIME.total_seconds()),
        httponly=True,
        secure=request.app.state.settings.secure_cookies,
        samesite="lax",
        path="/sso",
    )
    return response


@router.post("/sso/start")
def sso_start(
    request: Request,
    session: DB,
    sso_email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """The login page's "work e-mail": find the workspace whose single sign-on takes that domain."""
    try:
        workspace = sso.workspace_for_email(session, sso_email)
    except (ValidationFailed, NotFound) as exc:
        return _refused(request, exc)
    return _start(request, session, workspace.slug, next)


@router.get("/sso/callback", name="sso_callback")
def sso_callback(
    request: Request,
    session: DB,
    state: str = "",
    code: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> Response:
    """Where the provider sends the browser back: finish the sign-in, or say clearly why it was refused."""
    try:
        signed_in = sso.complete_sso_login(
            session,
            state=state,
            code=code,
            error=error,
            error_description=error_description,
            browser_secret=request.cookies.get(SSO_COOKIE, ""),
            box=secret_box(request),
            session_hours=request.app.state.settings.session_hours,
        )
    except SsoRefused as exc:
        return _refused(request, exc)
    response = RedirectResponse(_safe_next(signed_in.next_path), status_code=303)
    response.delete_cookie(SSO_COOKIE, path="/sso")
    set_session_cookie(request, response, signed_in.login.secret)
    return response


@router.get("/sso/{slug}")
def sso_workspace_start(request: Request, session: DB, slug: str, next: str = "/") -> Response:
    """A workspace's own sign-in link (shown on its settings page, for a bookmark or the provider's app tile)."""
    return _start(request, session, slug, next)


def _form_values(current: SsoRead | None) -> dict[str, Any]:
    if current is None:
        return {"default_role": "viewer", "groups_claim": "groups", "create_accounts": True}
    return {
        "issuer": current.issuer,
        "client_id": current.client_id,
        "allowed_domains": ", ".join(current.allowed_domains),
        "create_accounts": current.create_accounts,
        "default_role": current.default_role.value,
        "groups_claim": current.groups_claim,
        "group_roles": "\n".join(f"{g} = {r.value}" for g, r in current.group_roles.items()),
        "sso_required": current.sso_required,
        "break_glass_email": current.break_glass_email or "",
    }


def _sso_page(
    request: Request, session: DB, user: PageUser, status_code: int = 200, **context: Any
) -> Response:
    current = sso.get_sso(session, user.actor)
    context.setdefault("values", _form_values(current))
    context.setdefault("errors", {})
    return render(
        request,
        "sso_settings.html",
        status_code=status_code,
        user=user,
        config=current,
        can_edit=user.actor.can("sso.manage"),
        roles=ROLE_CHOICES,
        callback_url=str(request.url_for("sso_callback")),
        **context,
    )


@router.get("/settings/sso")
def sso_settings_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _sso_page(request, session, user)


def _group_roles(text: str) -> dict[str, str]:
    """``group = role`` lines (or ``group: role``) as a mapping; a line without a role is an error."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        sep = "=" if "=" in line else ":"
        group, _, role = line.partition(sep)
        if not role.strip() or not group.strip():
            raise ValidationFailed(
                f"line {number} of the group mapping is not 'group = role'",
                [FieldError("group_roles", f"line {number}: write it as 'group = role'")],
            )
        mapping[group.strip()] = role.strip().lower().replace(" ", "_")
    return mapping


@router.post("/settings/sso")
async def sso_settings_save(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    data = {key: str(value) for key, value in form.items()}
    check_csrf(user, data.get("csrf_token"))
    values: dict[str, Any] = {
        **data,
        "create_accounts": "create_accounts" in data,
        "sso_required": "sso_required" in data,
    }
    try:
        payload = SsoConfigure.model_validate(
            {
                "issuer": data.get("issuer", ""),
                "client_id": data.get("client_id", ""),
                "client_secret": data.get("client_secret") or None,
                "allowed_domains": [
                    d for d in data.get("allowed_domains", "").replace(";", ",").split(",") if d.strip()
                ],
                "create_accounts": values["create_accounts"],
                "default_role": data.get("default_role", "viewer"),
                "groups_claim": data.get("groups_claim") or "groups",
                "group_roles": _group_roles(data.get("group_roles", "")),
                "sso_required": values["sso_required"],
                "break_glass_email": data.get("break_glass_email") or None,
            }
        )
        sso.configure_sso(session, user.actor, payload, secret_box(request))
    except ValidationFailed as exc:
        return _sso_page(request, session, user, 422, values=values, errors=field_messages(exc))
    except PydanticError as exc:
        failure = ValidationFailed(
            "invalid settings",
            [FieldError(".".join(map(str, e["loc"])) or "form", e["msg"]) for e in exc.errors()],
        )
        return _sso_page(request, session, user, 422, values=values, errors=field_messages(failure))
    return RedirectResponse("/settings/sso?saved=1", status_code=303)


@router.post("/settings/sso/disable")
def sso_settings_disable(session: DB, user: CurrentUser, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(user, csrf_token)
    sso.disable_sso(session, user.actor)
    return RedirectResponse("/settings/sso?disabled=1", status_code=303)


# --- a person's own security page --------------------------------------------------------------


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code (segno; no image request, no JavaScript)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=2, dark="#111", light="#fff", title="QR code for your authenticator app"
    )
    return Markup(svg)


def _security_page(
    request: Request,
    session: DB,
    user: PageUser,
    status_code: int = 200,
    enrolment: TwoFactorEnrolment | None = None,
    **context: Any,
) -> Response:
    context.setdefault("errors", {})
    context.setdefault("recovery_codes", None)
    return render(
        request,
        "security.html",
        status_code=status_code,
        user=user,
        status=two_factor.status(session, user.user),
        has_password=user.user.password_hash != sso.NO_PASSWORD,
        enrolment=enrolment,
        qr=qr_svg(enrolment.uri) if enrolment else None,
        **context,
    )


@router.get("/account/security")
def security_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _security_page(request, session, user)


@router.post("/account/security/two-factor/start")
def two_factor_start(
    request: Request, session: DB, user: CurrentUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(user, csrf_token)
    enrolment = two_factor.start_enrolment(session, user.user, secret_box(request))
    return _security_page(request, session, user, enrolment=enrolment)


@router.post("/account/security/two-factor/confirm")
def two_factor_confirm(
    request: Request,
    session: DB,
    user: CurrentUser,
    code: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(user, csrf_token)
    box = secret_box(request)
    try:
        codes = two_factor.confirm_enrolment(session, user.user, code, box)
    except ValidationFailed as exc:
        enrolment = two_factor.pending_enrolment(session, user.user, box)
        return _security_page(request, session, user, 422, enrolment=enrolment, errors=field_messages(exc))
    return _security_page(request, session, user, recovery_codes=codes)


@router.post("/account/security/two-factor/disable")
def two_factor_disable(
    request: Request,
    session: DB,
    user: CurrentUser,
    password: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(user, csrf_token)
    try:
        two_factor.disable(session, user.user, password, code, secret_box(request))
    except ValidationFailed as exc:
        return _security_page(request, session, user, 422, errors=field_messages(exc))
    return RedirectResponse("/account/security?disabled=1", status_code=303)

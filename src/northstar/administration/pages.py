"""The /settings page (workspace, members and invites, API tokens, audit log: each section shown to whom the
permission table allows) and the invite link's page."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate, UserCreate
from northstar.administration import service
from northstar.administration.schemas import InviteCreate, WorkspaceSettingsUpdate
from northstar.core.errors import NorthstarError, ValidationFailed
from northstar.core.permissions import Role
from northstar.web.deps import DB, SESSION_COOKIE, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
ROLES = [(role.value, role.value.replace("_", " ").capitalize()) for role in Role]


async def _form(request: Request, user: Any) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _settings_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    **extra: Any,
) -> Response:
    actor, query = user.actor, request.query_params
    workspace = accounts.get_workspace(session, actor)
    audit_page = None
    if actor.can("audit.read"):
        audit_page = service.audit_log(
            session,
            actor,
            action=query.get("action", ""),
            object_type=query.get("object_type", ""),
            user_id=_int(query.get("user_id")),
            before_id=_int(query.get("before")),
        )
    errors = errors or {}
    return render(
        request,
        "settings.html",
        status_code=422 if any(errors.values()) else 200,
        user=user,
        workspace=workspace,
        workspace_values=(values or {}).get("workspace")
        or {
            "name": workspace.name,
            "currency": workspace.currency,
            "discount_rate_percent": f"{workspace.discount_rate * 100:g}",
        },
        invite_values=(values or {}).get("invite") or {"role": Role.CONTRIBUTOR.value},
        token_values=(values or {}).get("token") or {"scope": "read"},
        errors=errors,
        members=accounts.list_members(session, actor),
        tokens=accounts.list_tokens(session, actor) if actor.can("tokens.manage") else [],
        audit=audit_page,
        roles=ROLES,
        scopes=[("read", "Read"), ("write", "Write"), ("ingest", "Ingest (send feedback and events only)")],
        can=actor.can,
        filters={k: query.get(k, "") for k in ("action", "object_type", "user_id")},
        audit_choices=None
        if audit_page is None
        else {
            "actions": [(a, a.replace("_", " ").capitalize()) for a in audit_page.actions],
            "objects": [(o, o.replace("_", " ").capitalize()) for o in audit_page.object_types],
            "people": [(str(i), name) for i, name in audit_page.people],
        },
        **extra,
    )


@router.get("/settings")
def settings_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _settings_page(request, session, user)


@router.post("/settings/workspace")
async def save_workspace(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    try:
        service.update_workspace(session, user.actor, parse_form(WorkspaceSettingsUpdate, form))
    except ValidationFailed as failure:
        session.rollback()
        return _settings_page(
            request, session, user, {"workspace": field_messages(failure)}, {"workspace": form}
        )
    return see_other("/settings", saved="workspace")


@router.post("/settings/invites")
async def invite(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    try:
        token = service.create_invite(
            session, user.actor, request.app.state.secret_key, parse_form(InviteCreate, form)
        )
    except ValidationFailed as failure:
        session.rollback()
        return _settings_page(request, session, user, {"invite": field_messages(failure)}, {"invite": form})
    link = str(request.base_url).rstrip("/") + f"/invite/{token}"
    return _settings_page(request, session, user, invite_link=link, invited=form.get("email", ""))


@router.post("/settings/members/{user_id}/role")
async def change_role(user_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        return _settings_page(request, session, user, {"members": {"form": "choose one of the roles"}})
    try:
        service.change_role(session, user.actor, user_id, role)
    except ValidationFailed as failure:
        session.rollback()
        return _settings_page(request, session, user, {"members": {"form": failure.detail}})
    return see_other("/settings", saved="role")


@router.post("/settings/members/{user_id}/remove")
async def remove_member(user_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    await _form(request, user)
    try:
        service.remove_member(session, user.actor, user_id)
    except ValidationFailed as failure:
        session.rollback()
        return _settings_page(request, session, user, {"members": {"form": failure.detail}})
    return see_other("/settings", saved="removed")


@router.post("/settings/tokens")
async def create_token(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    try:
        token, secret = accounts.create_token(session, user.actor, parse_form(TokenCreate, form))
    except ValidationFailed as failure:
        session.rollback()
        return _settings_page(request, session, user, {"token": field_messages(failure)}, {"token": form})
    return _settings_page(request, session, user, new_token=token, new_secret=secret)


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(token_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    await _form(request, user)
    accounts.revoke_token(session, user.actor, token_id)
    return see_other("/settings", saved="revoked")


# --- the invite link ------------------------------------------------------------------------------------------


def _viewer(request: Request, session: DB) -> tuple[Any, Any] | None:
    """(login session, user) of whoever opens the invite link, if logged in."""
    secret = request.cookies.get(SESSION_COOKIE)
    found = accounts.resolve_page_login(session, secret) if secret else None
    return None if found is None else (found[0], found[1])


def _invite_page(request: Request, session: DB, token: str, status: int = 200, **extra: Any) -> Response:
    invite = service.read_invite(session, request.app.state.secret_key, token)
    login, viewer = _viewer(request, session) or (None, None)
    return render(
        request,
        "invite.html",
        status_code=status,
        user=None,
        invite=invite,
        token=token,
        viewer=viewer,
        viewer_csrf=login.csrf_token if login is not None else "",
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        **extra,
    )


@router.get("/invite/{token}")
def invite_page(token: str, request: Request, session: DB) -> Response:
    return _invite_page(request, session, token)


def _logged_in(request: Request, session: DB, user: Any, target: str) -> Response:
    settings = request.app.state.settings
    login = accounts.start_login_session(session, user, settings.session_hours)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        login.secret,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
    return response


@router.post("/invite/{token}/join")
async def join(token: str, request: Request, session: DB) -> Response:
    invite = service.read_invite(session, request.app.state.secret_key, token)
    found = _viewer(request, session)
    if found is None:
        return RedirectResponse(f"/login?next=/invite/{token}", status_code=303)
    login, viewer = found
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), login.csrf_token):
        return _invite_page(
            request, session, token, 403, errors={"form": "this page was out of date: try again"}
        )
    try:
        service.accept_invite(session, invite, viewer)
    except NorthstarError as problem:
        session.rollback()
        return _invite_page(request, session, token, 403, errors={"form": problem.detail})
    accounts.switch_workspace(session, login, invite.workspace_id)
    return RedirectResponse("/", status_code=303)


@router.post("/invite/{token}/sign-up")
async def sign_up(token: str, request: Request, session: DB) -> Response:
    invite = service.read_invite(session, request.app.state.secret_key, token)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = parse_form(
            UserCreate,
            {"email": invite.email, "name": form.get("name", ""), "password": form.get("password", "")},
        )
        user = service.sign_up_by_invite(session, invite, data)
    except ValidationFailed as failure:
        session.rollback()
        return _invite_page(request, session, token, 422, errors=field_messages(failure), values=form)
    except NorthstarError as problem:
        session.rollback()
        return _invite_page(request, session, token, 409, errors={"form": problem.detail}, values=form)
    return _logged_in(request, session, user, "/")

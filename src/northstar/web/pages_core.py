"""Core pages: login (password, then a second factor when set up) and logout, the workspace home, switching workspace, job progress, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from northstar.accounts import login as login_flow
from northstar.accounts import service as accounts
from northstar.accounts import sso
from northstar.core import jobs
from northstar.core.charts import bar_chart, line_chart
from northstar.core.errors import AuthenticationRequired, PermissionDenied
from northstar.home.service import module_panels, workspace_overview
from northstar.web.deps import DB, SESSION_COOKIE, CurrentUser, check_csrf, client_address
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
CHALLENGE_COOKIE = "northstar_login_step"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are allowed as a post-login destination."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _login_page(request: Request, session: DB, status_code: int = 200, **context: object) -> Response:
    context.setdefault("next", "/")
    context.setdefault("error", None)
    return render(
        request, "login.html", status_code=status_code, sso_available=sso.sso_available(session), **context
    )


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """The login cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS, as long as the session lasts."""
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


@router.get("/login")
def login_form(request: Request, session: DB, next: str | None = None) -> Response:
    return _login_page(request, session, next=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: DB,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials (throttled per account and address) and open a server-side session, or ask for
    the second factor when the account has two-factor login."""
    settings = request.app.state.settings
    try:
        outcome = login_flow.password_login(
            session, email, password, client_address(request), settings.session_hours, _safe_next(next)
        )
    except (AuthenticationRequired, PermissionDenied, login_flow.TooManyAttempts) as exc:
        return _login_page(
            request, session, status_code=exc.status, next=_safe_next(next), error=str(exc), email=email
        )
    if outcome.challenge is not None:
        response = RedirectResponse("/login/two-factor", status_code=303)
        response.set_cookie(
            CHALLENGE_COOKIE,
            outcome.challenge,
            max_age=int(login_flow.CHALLENGE_LIFETIME.total_seconds()),
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/login",
        )
        return response
    assert outcome.login is not None
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, outcome.login.secret)
    return response


@router.post("/logout")
def logout(
    request: Request, session: DB, user: CurrentUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(user, csrf_token)
    accounts.end_login_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/workspace")
def switch_workspace(
    session: DB,
    user: CurrentUser,
    workspace_id: Annotated[int, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(user, csrf_token)
    accounts.switch_workspace(session, user.login, workspace_id)
    return RedirectResponse("/", status_code=303)


@router.get("/")
def home(request: Request, session: DB, user: CurrentUser) -> Response:
    overview = workspace_overview(session, user.actor)
    weekly = line_chart(
        [{"week": week, "items": count} for week, count in overview.feedback_by_week],
        "week",
        "items",
        title="Feedback per week",
        x_type="O",
        width=560,
    )
    statuses = bar_chart(
        [
            {"status": status.replace("_", " "), "ideas": count}
            for status, count in overview.ideas_by_status.items()
        ],
        "status",
        "ideas",
        title="Ideas by status",
        width=360,
    )
    return render(
        request,
        "home.html",
        user=user,
        workspace=accounts.get_workspace(session, user.actor),
        workspaces=accounts.workspaces_of(session, user.user.id),
        overview=overview,
        weekly_chart=weekly,
        status_chart=statuses,
        panels=module_panels(session, user.actor),
    )


@router.get("/jobs/{job_id}")
def job_page(request: Request, session: DB, user: CurrentUser, job_id: int) -> Response:
    job = jobs.get_job(session, user.actor, job_id)
    return render(request, "job.html", user=user, job=job)

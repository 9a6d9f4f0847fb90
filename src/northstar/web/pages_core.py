"""Core pages: login and logout, the workspace home, switching workspace, job progress, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from northstar.accounts import service as accounts
from northstar.core import jobs
from northstar.core.charts import bar_chart, line_chart
from northstar.core.errors import AuthenticationRequired
from northstar.home.service import module_panels, workspace_overview
from northstar.web.deps import DB, SESSION_COOKIE, CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are allowed as a post-login destination."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    session: DB,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials and open a server-side session (HttpOnly, SameSite=Lax cookie)."""
    try:
        user = accounts.authenticate(session, email, password)
    except AuthenticationRequired as exc:
        return render(
            request, "login.html", status_code=401, next=_safe_next(next), error=str(exc), email=email
        )
    settings = request.app.state.settings
    login = accounts.start_login_session(session, user, settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        login.secret,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
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

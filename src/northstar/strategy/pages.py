"""The objectives page: objectives with their key results and computed progress."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from northstar.strategy import service
from northstar.strategy.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import parse_form
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/objectives")
def objectives_page(request: Request, session: DB, user: CurrentUser) -> Response:
    objectives = service.list_objectives(session, user.actor)
    return render(request, "objectives.html", user=user, objectives=objectives)


@router.post("/objectives")
async def create_objective(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.create_objective(session, user.actor, parse_form(ObjectiveCreate, form))
    return RedirectResponse("/objectives", status_code=303)


@router.post("/objectives/{objective_id}/key-results")
async def add_key_result(request: Request, session: DB, user: CurrentUser, objective_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.add_key_result(session, user.actor, objective_id, parse_form(KeyResultCreate, form))
    return RedirectResponse("/objectives", status_code=303)


@router.post("/key-results/{key_result_id}/check-ins")
async def add_check_in(request: Request, session: DB, user: CurrentUser, key_result_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.add_check_in(session, user.actor, key_result_id, parse_form(CheckInCreate, form))
    return RedirectResponse("/objectives", status_code=303)

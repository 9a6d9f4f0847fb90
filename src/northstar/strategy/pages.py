"""Pages for objectives: the list with each key result's pace, and an objective's page with check-in history,
check-in form, metric binding and the ideas that serve it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from northstar.core.charts import PALETTE, render_svg
from northstar.core.errors import FieldError, ValidationFailed
from northstar.strategy import pace, service
from northstar.strategy.schemas import CheckInCreate, KeyResultCreate, KeyResultDetail, ObjectiveCreate
from northstar.web.deps import DB, CurrentUser, check_csrf, get_settings
from northstar.web.forms import field_messages, parse_form, plain_number, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)

SOURCE_WORDS = {"manual": "Typed in", "metric": "From the metric", "experiment": "An experiment's decision"}


def kr_value(value: float | None, unit: str = "") -> str:
    """A key result's value as people read it: 1,240 users · 97.1 % · 2.45 tickets (no trailing .0)."""
    if value is None:
        return "—"
    magnitude = abs(float(value))
    digits = 0 if magnitude >= 1000 or float(value).is_integer() else (1 if magnitude >= 10 else 2)
    text = f"{float(value):,.{digits}f}"
    if digits and "." in text:
        text = text.rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text} %" if unit == "%" else f"{text} {unit}"


TEMPLATE_GLOBALS = {"kr_value": kr_value}


@router.get("/objectives")
def objectives_page(request: Request, session: DB, user: CurrentUser) -> Response:
    objectives = service.list_objectives(session, user.actor)
    today = dt.date.today()
    paces = {
        kr.id: pace.key_result_pace(kr.baseline, kr.target, kr.current, pace.parse_period(o.period), today)
        for o in objectives
        for kr in o.key_results
    }
    return render(request, "objectives.html", user=user, objectives=objectives, paces=paces)


@router.post("/objectives")
async def create_objective(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    objective = service.create_objective(session, user.actor, parse_form(ObjectiveCreate, form))
    return RedirectResponse(f"/objectives/{objective.id}", status_code=303)


def history_chart(kr: KeyResultDetail, starts_on: dt.date | None, ends_on: dt.date | None) -> Markup | None:
    """The check-ins over time, with the straight line from baseline to target the pace signal compares with."""
    import altair as alt

    if not kr.check_ins:
        return None
    points = [
        {"day": c.day.isoformat(), "value": c.value, "source": SOURCE_WORDS.get(c.source, c.source)}
        for c in kr.check_ins
    ]
    title = f"{kr.title} ({kr.unit})" if kr.unit else kr.title
    y = alt.Y("value:Q", title=kr.unit or "value", scale=alt.Scale(zero=False))
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b"))
    line = (
        alt.Chart(alt.Data(values=points))
        .mark_line(point=True, color=PALETTE[0])
        .encode(x=x, y=y, tooltip=[alt.Tooltip("day:T", format="%d %b %Y"), "value:Q", "source:N"])
    )
    layers: list[Any] = [line]
    if starts_on and ends_on:
        plan = [
            {"day": starts_on.isoformat(), "value": kr.baseline},
            {"day": ends_on.isoformat(), "value": kr.target},
        ]
        layers.insert(
            0,
            alt.Chart(alt.Data(values=plan)).mark_line(strokeDash=[5, 4], color="#8c9aa6").encode(x=x, y=y),
        )
    chart = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle="dashed: the straight line from baseline to target"),
        width=460,
        height=180,
    )
    return render_svg(chart)


def _objective_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    objective_id: int,
    failed: dict[int, tuple[str, dict[str, str], dict[str, str]]] | None = None,
) -> Response:
    """The objective page; ``failed`` maps a key result to (which form, typed values, errors) of a refused form."""
    detail = service.objective_detail(session, user.actor, objective_id)
    failed = failed or {}
    charts = {kr.id: history_chart(kr, detail.starts_on, detail.ends_on) for kr in detail.key_results}
    metrics = service.bindable_metrics(session, user.actor)
    from northstar.teams import service as teams_service

    team_names = {t.id: t.name for t in teams_service.list_teams(session, user.actor)}
    can_link = user.actor.can("ideas.write")
    return render(
        request,
        "objective.html",
        status_code=422 if failed else 200,
        user=user,
        objective=detail,
        charts=charts,
        metric_choices=[("manual", "Manual: typed in at each check-in")]
        + [(m.key, f"{m.name} ({m.key})") for m in metrics],
        has_metrics=bool(metrics),
        bound=any(kr.metric for kr in detail.key_results),
        failed=failed,
        source_words=SOURCE_WORDS,
        team_names=team_names,
        idea_choices=service.linkable_ideas(session, user.actor, objective_id) if can_link else [],
        can_link=can_link,
        can_check_in=user.actor.can("checkins.write"),
        can_edit=user.actor.can("objectives.write"),
    )


@router.get("/objectives/{objective_id}")
def objective_page(request: Request, session: DB, user: CurrentUser, objective_id: int) -> Response:
    return _objective_page(request, session, user, objective_id)


@router.post("/objectives/{objective_id}/key-results")
async def add_key_result(request: Request, session: DB, user: CurrentUser, objective_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.add_key_result(session, user.actor, objective_id, parse_form(KeyResultCreate, form))
    return RedirectResponse(f"/objectives/{objective_id}", status_code=303)


@router.post("/key-results/{key_result_id}/check-ins")
async def add_check_in(request: Request, session: DB, user: CurrentUser, key_result_id: int) -> Response:
    """Record a check-in; on bad input the objective page comes back with the error next to the field."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    kr = service.get_key_result(session, user.actor, key_result_id)
    typed = {"value": form.get("value", ""), "note": form.get("note", "")}
    try:
        service.add_check_in(
            session,
            user.actor,
            key_result_id,
            parse_form(CheckInCreate, {"value": plain_number(typed["value"]), "note": typed["note"].strip()}),
        )
    except ValidationFailed as failure:
        session.rollback()
        failed = {key_result_id: ("check-in", typed, field_messages(failure))}
        return _objective_page(request, session, user, kr.objective_id, failed)
    return see_other(f"/objectives/{kr.objective_id}", saved="check-in", kr=key_result_id)


@router.post("/key-results/{key_result_id}/metric")
async def bind_metric(request: Request, session: DB, user: CurrentUser, key_result_id: int) -> Response:
    """Bind a key result to a metric (or make it manual) from the picker on the objective page."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    kr = service.get_key_result(session, user.actor, key_result_id)
    typed = {"metric": form.get("metric", "")}
    try:
        service.bind_metric(session, user.actor, key_result_id, typed["metric"])
    except ValidationFailed as failure:
        session.rollback()
        failed = {key_result_id: ("metric", typed, field_messages(failure))}
        return _objective_page(request, session, user, kr.objective_id, failed)
    return see_other(f"/objectives/{kr.objective_id}", saved="metric", kr=key_result_id)


@router.post("/objectives/{objective_id}/update-from-metrics")
async def update_from_metrics(
    request: Request, session: DB, user: CurrentUser, objective_id: int
) -> Response:
    """Check in the metric-bound key results (all of them, or the one named in the form) from analytics."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    only = int(form["key_result_id"]) if form.get("key_result_id", "").isdigit() else None
    done = service.update_from_metrics(
        session, user.actor, get_settings(request), objective_id, key_result_id=only
    )
    updated = sum(1 for d in done if d.check_in_id is not None)
    return see_other(
        f"/objectives/{objective_id}", saved="metrics", updated=updated, skipped=len(done) - updated
    )


@router.post("/objectives/{objective_id}/ideas")
async def link_idea(request: Request, session: DB, user: CurrentUser, objective_id: int) -> Response:
    """Link an idea to the objective (or unlink it, with ``unlink``) from its page."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    idea_id = form.get("idea_id", "")
    if not idea_id.isdigit():
        raise ValidationFailed(
            "choose an idea to link", [FieldError("idea_id", "choose an idea from the list")]
        )
    unlink = form.get("unlink") == "1"
    service.link_idea(session, user.actor, objective_id, int(idea_id), linked=not unlink)
    return see_other(f"/objectives/{objective_id}", saved="unlinked" if unlink else "linked")

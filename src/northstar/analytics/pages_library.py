"""Analytics pages for what is kept: saved insights (list, page, CSV, onto a dashboard), dashboards (create, add
and remove insights, read their charts together) and metrics (define, read the current value, delete)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from northstar.analytics import dashboards, service
from northstar.analytics.charts import insight_chart
from northstar.analytics.models import SavedInsight
from northstar.analytics.presentation import (
    KINDS,
    METRIC_KINDS,
    METRIC_MATHS,
    builder_link,
    describe_query,
    display_table,
)
from northstar.analytics.schemas import DashboardCreate, InsightSpec, MetricCreate
from northstar.core.errors import Conflict, NorthstarError, ValidationFailed
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
SPEC: TypeAdapter[Any] = TypeAdapter(InsightSpec)
KIND_NAMES = dict(KINDS)
DASHBOARD_CHART_WIDTH = 520


async def _form(request: Request, user: CurrentUser) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


def _result_of(request: Request, session: DB, user: CurrentUser, insight: SavedInsight, width: int) -> Any:
    """The saved insight computed now: (chart, readable table, error message)."""
    try:
        result = service.run_insight(
            session, user.actor, request.app.state.settings, SPEC.validate_python(insight.query)
        )
    except (NorthstarError, ValueError) as exc:
        return None, None, str(getattr(exc, "detail", exc))
    return insight_chart(result, width), display_table(result, insight.query), ""


# --- saved insights -----------------------------------------------------------------------------------------


@router.get("/analytics/insights")
def saved_insights_page(request: Request, session: DB, user: CurrentUser) -> Response:
    insights = service.list_saved_insights(session, user.actor)
    return render(
        request,
        "analytics_insights.html",
        user=user,
        insights=insights,
        kind_names=KIND_NAMES,
        describe=describe_query,
        boards={i.id: dashboards.dashboards_of_insight(session, user.actor, i.id) for i in insights},
        breadcrumbs=[("Analytics", "/analytics"), ("Saved insights", "")],
    )


def _insight_page(
    request: Request, session: DB, user: CurrentUser, insight_id: int, errors: dict[str, str] | None = None
) -> Response:
    insight = service.get_saved_insight(session, user.actor, insight_id)
    chart, table, error = _result_of(request, session, user, insight, 640)
    on_boards = dashboards.dashboards_of_insight(session, user.actor, insight_id)
    placed = {board.id for board in on_boards}
    others = [
        board for board, _n in dashboards.list_dashboards(session, user.actor) if board.id not in placed
    ]
    return render(
        request,
        "analytics_insight.html",
        status_code=422 if errors else 200,
        user=user,
        insight=insight,
        kind_name=KIND_NAMES.get(insight.kind, insight.kind),
        description=describe_query(insight.kind, insight.query),
        builder=builder_link(insight.kind, insight.query),
        chart=chart,
        table=table,
        error=error,
        on_boards=on_boards,
        other_boards=others,
        errors=errors or {},
        saved=request.query_params.get("saved"),
        can_write=user.actor.can("analytics.write"),
        breadcrumbs=[
            ("Analytics", "/analytics"),
            ("Saved insights", "/analytics/insights"),
            (insight.name, ""),
        ],
    )


@router.get("/analytics/insights/{insight_id}")
def insight_page(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    return _insight_page(request, session, user, insight_id)


@router.post("/analytics/insights/{insight_id}/dashboards")
async def add_insight_to_dashboard(
    request: Request, session: DB, user: CurrentUser, insight_id: int
) -> Response:
    """Put the insight on a chosen dashboard, or on a new one named in the form."""
    form = await _form(request, user)
    try:
        if form.get("new_dashboard", "").strip():
            board = dashboards.create_dashboard(
                session, user.actor, DashboardCreate(name=form["new_dashboard"])
            )
            board_id = board.id
        elif form.get("dashboard_id", "").isdigit():
            board_id = int(form["dashboard_id"])
        else:
            raise ValidationFailed("choose a dashboard or name a new one")
        dashboards.add_insight(session, user.actor, board_id, insight_id)
    except (ValidationFailed, Conflict) as failure:
        session.rollback()
        return _insight_page(request, session, user, insight_id, {"dashboard_id": failure.detail})
    return see_other(f"/analytics/dashboards/{board_id}", added=insight_id)


@router.get("/analytics/insights/{insight_id}/export.csv")
def export_insight(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    result = service.run_saved_insight(session, user.actor, request.app.state.settings, insight_id)
    headers = {"Content-Disposition": f'attachment; filename="insight-{insight_id}.csv"'}
    return Response(service.insight_csv(result), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/analytics/insights/{insight_id}/delete")
async def delete_insight(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    await _form(request, user)
    service.delete_saved_insight(session, user.actor, insight_id)
    return see_other("/analytics/insights", deleted=1)


# --- dashboards ---------------------------------------------------------------------------------------------


def _dashboards_page(
    request: Request, session: DB, user: CurrentUser, typed: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "analytics_dashboards.html",
        status_code=422 if errors else 200,
        user=user,
        boards=dashboards.list_dashboards(session, user.actor),
        typed=typed,
        errors=errors,
        deleted=request.query_params.get("deleted"),
        can_write=user.actor.can("analytics.write"),
        breadcrumbs=[("Analytics", "/analytics"), ("Dashboards", "")],
    )


@router.get("/analytics/dashboards")
def dashboards_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _dashboards_page(request, session, user, {}, {})


@router.post("/analytics/dashboards")
async def create_dashboard(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    typed = {"name": form.get("name", ""), "description": form.get("description", "")}
    try:
        board = dashboards.create_dashboard(session, user.actor, parse_form(DashboardCreate, typed))
    except ValidationFailed as failure:
        return _dashboards_page(request, session, user, typed, field_messages(failure))
    except Conflict as failure:
        session.rollback()
        return _dashboards_page(request, session, user, typed, {"name": failure.detail})
    return see_other(f"/analytics/dashboards/{board.id}", created=1)


def _dashboard_page(
    request: Request, session: DB, user: CurrentUser, dashboard_id: int, errors: dict[str, str] | None = None
) -> Response:
    board = dashboards.get_dashboard(session, user.actor, dashboard_id)
    insights = dashboards.dashboard_insights(session, user.actor, dashboard_id)
    tiles = []
    for insight in insights:
        chart, table, error = _result_of(request, session, user, insight, DASHBOARD_CHART_WIDTH)
        tiles.append(
            {
                "insight": insight,
                "kind": KIND_NAMES.get(insight.kind, insight.kind),
                "description": describe_query(insight.kind, insight.query),
                "chart": chart,
                "table": table,
                "error": error,
            }
        )
    placed = {insight.id for insight in insights}
    addable = [i for i in service.list_saved_insights(session, user.actor) if i.id not in placed]
    return render(
        request,
        "analytics_dashboard.html",
        status_code=422 if errors else 200,
        user=user,
        board=board,
        tiles=tiles,
        addable=addable,
        errors=errors or {},
        notice=request.query_params,
        can_write=user.actor.can("analytics.write"),
        breadcrumbs=[("Analytics", "/analytics"), ("Dashboards", "/analytics/dashboards"), (board.name, "")],
    )


@router.get("/analytics/dashboards/{dashboard_id}")
def dashboard_page(request: Request, session: DB, user: CurrentUser, dashboard_id: int) -> Response:
    return _dashboard_page(request, session, user, dashboard_id)


@router.post("/analytics/dashboards/{dashboard_id}/insights")
async def add_dashboard_insight(
    request: Request, session: DB, user: CurrentUser, dashboard_id: int
) -> Response:
    form = await _form(request, user)
    if not form.get("insight_id", "").isdigit():
        return _dashboard_page(request, session, user, dashboard_id, {"insight_id": "choose a saved insight"})
    try:
        dashboards.add_insight(session, user.actor, dashboard_id, int(form["insight_id"]))
    except Conflict as failure:
        session.rollback()
        return _dashboard_page(request, session, user, dashboard_id, {"insight_id": failure.detail})
    return see_other(f"/analytics/dashboards/{dashboard_id}", added=form["insight_id"])


@router.post("/analytics/dashboards/{dashboard_id}/insights/{insight_id}/remove")
async def remove_dashboard_insight(
    request: Request, session: DB, user: CurrentUser, dashboard_id: int, insight_id: int
) -> Response:
    await _form(request, user)
    dashboards.remove_insight(session, user.actor, dashboard_id, insight_id)
    return see_other(f"/analytics/dashboards/{dashboard_id}", removed=1)


@router.post("/analytics/dashboards/{dashboard_id}/delete")
async def delete_dashboard(request: Request, session: DB, user: CurrentUser, dashboard_id: int) -> Response:
    await _form(request, user)
    dashboards.delete_dashboard(session, user.actor, dashboard_id)
    return see_other("/analytics/dashboards", deleted=1)


# --- metrics ------------------------------------------------------------------------------------------------


def _metrics_page(
    request: Request, session: DB, user: CurrentUser, typed: dict[str, str], errors: dict[str, str]
) -> Response:
    settings = request.app.state.settings
    metrics = service.list_metrics(session, user.actor)
    values: dict[int, float | None] = {}
    for metric in metrics:
        try:
            values[metric.id] = service.metric_value(session, user.actor, settings, metric.id).value
        except NorthstarError:
            values[metric.id] = None
    events = service.event_names(session, user.actor, settings, limit=200)
    return render(
        request,
        "analytics_metrics.html",
        status_code=422 if errors else 200,
        user=user,
        metrics=metrics,
        values=values,
        math_names=dict(METRIC_MATHS),
        kind_names=dict(METRIC_KINDS),
        maths=METRIC_MATHS,
        kinds=METRIC_KINDS,
        event_names=events,
        property_names=service.property_names(session, user.actor, settings, limit=200),
        typed=typed or {"window_days": "30", "kind": "custom", "math": "total"},
        errors=errors,
        notice=request.query_params,
        can_write=user.actor.can("analytics.write"),
        breadcrumbs=[("Analytics", "/analytics"), ("Metrics", "")],
    )


@router.get("/analytics/metrics")
def metrics_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _metrics_page(request, session, user, {}, {})


@router.post("/analytics/metrics")
async def create_metric(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    names = ("key", "name", "kind", "event", "math", "math_property", "window_days", "conversion_event")
    typed = {name: form.get(name, "").strip() for name in names}
    try:
        data = parse_form(MetricCreate, typed)
        service.create_metric(session, user.actor, data)
    except ValidationFailed as failure:
        errors = field_messages(failure)
        if "form" in errors and "property" in errors["form"]:
            errors["math_property"] = errors.pop("form")
        elif "form" in errors and "conversion" in errors["form"]:
            errors["conversion_event"] = "choose the event that counts as converted"
            errors.pop("form")
        if "key" in errors and "pattern" in errors["key"]:
            errors["key"] = (
                "use lower-case letters, digits, dots, dashes or underscores, like weekly_active_users"
            )
        return _metrics_page(request, session, user, typed, errors)
    except Conflict as failure:
        session.rollback()
        return _metrics_page(request, session, user, typed, {"key": failure.detail})
    return see_other("/analytics/metrics", created=typed["key"])


@router.post("/analytics/metrics/{metric_id}/delete")
async def delete_metric(request: Request, session: DB, user: CurrentUser, metric_id: int) -> Response:
    await _form(request, user)
    service.delete_metric(session, user.actor, metric_id)
    return see_other("/analytics/metrics", deleted=1)

"""Analytics pages: the insight explorer (trends, funnel, retention, stickiness, lifecycle) with charts, saved
insights with CSV export, metrics with their current values, anomaly alerts (acknowledge, check now), and the capture
keys for the SDKs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import TypeAdapter, ValidationError
from starlette.responses import RedirectResponse, Response

from northstar.analytics import alerts, runtime, service
from northstar.analytics.charts import insight_chart
from northstar.analytics.schemas import InsightSpec, SavedInsightCreate
from northstar.core.errors import NorthstarError
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
SPEC: TypeAdapter[Any] = TypeAdapter(InsightSpec)
LIST_FIELDS = {"steps", "exclusions"}


def spec_from_params(params: dict[str, str]) -> Any:
    """An insight spec from flat form / query parameters (lists are comma-separated)."""
    values: dict[str, Any] = {k: v for k, v in params.items() if v != "" and k not in {"csrf_token", "name"}}
    for name in LIST_FIELDS & set(values):
        values[name] = [part.strip() for part in str(values[name]).split(",") if part.strip()]
    values["compare"] = values.get("compare") in {"on", "true", "1"}
    values.setdefault("kind", "trends")
    return SPEC.validate_python(values)


@router.get("/analytics")
def analytics_page(request: Request, session: DB, user: CurrentUser) -> Response:
    params = dict(request.query_params)
    result = chart = error = None
    spec = None
    if params.get("kind"):
        try:
            spec = spec_from_params(params)
            result = service.run_insight(session, user.actor, request.app.state.settings, spec)
            chart = insight_chart(result)
        except ValidationError as exc:
            error = "; ".join(
                f"{'.'.join(map(str, e['loc'][1:])) or 'input'}: {e['msg']}" for e in exc.errors()[:3]
            )
        except NorthstarError as exc:
            error = exc.detail
    can_write = user.actor.can("analytics.write")
    return render(
        request,
        "analytics_explore.html",
        user=user,
        params=params,
        spec_json=spec.model_dump_json() if spec is not None else "",
        result=result,
        chart=chart,
        error=error,
        saved=service.list_saved_insights(session, user.actor),
        metrics=service.list_metrics(session, user.actor),
        keys=service.get_keys(session, user.actor) if can_write else None,
        can_write=can_write,
        alerts=alerts.list_alerts(session, user.actor, acknowledged=False, limit=50),
        alert_check=alerts.latest_check(session, user.actor),
    )


@router.post("/analytics/alerts/check")
async def check_alerts(request: Request, session: DB, user: CurrentUser) -> Response:
    """Evaluate the metrics for anomalies as a background job and show its progress."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    user.actor.require(alerts.WRITE)
    runtime.remember_settings(request.app.state.settings)
    job = request.app.state.jobs.submit(session, user.actor, "analytics.alerts", {})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/analytics/alerts/{alert_id}/acknowledge")
async def acknowledge_alert(request: Request, session: DB, user: CurrentUser, alert_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    alerts.acknowledge_alert(session, user.actor, alert_id)
    return RedirectResponse("/analytics#alerts", status_code=303)


@router.post("/analytics/insights")
async def save_insight(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    query = json.loads(form.get("spec_json") or "{}")
    insight = service.save_insight(
        session, user.actor, SavedInsightCreate.model_validate({"name": form.get("name", ""), "query": query})
    )
    return RedirectResponse(f"/analytics/insights/{insight.id}", status_code=303)


@router.get("/analytics/insights/{insight_id}")
def insight_page(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    insight = service.get_saved_insight(session, user.actor, insight_id)
    result = service.run_saved_insight(session, user.actor, request.app.state.settings, insight_id)
    return render(
        request,
        "analytics_insight.html",
        user=user,
        insight=insight,
        result=result,
        chart=insight_chart(result),
    )


@router.get("/analytics/insights/{insight_id}/export.csv")
def export_insight(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    result = service.run_saved_insight(session, user.actor, request.app.state.settings, insight_id)
    headers = {"Content-Disposition": f'attachment; filename="insight-{insight_id}.csv"'}
    return Response(service.insight_csv(result), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/analytics/insights/{insight_id}/delete")
async def delete_insight(request: Request, session: DB, user: CurrentUser, insight_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.delete_saved_insight(session, user.actor, insight_id)
    return RedirectResponse("/analytics", status_code=303)

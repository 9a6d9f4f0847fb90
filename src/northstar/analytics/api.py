"""JSON API of the analytics module (mounted under /api/v1): keys, insights, metrics, key results, adoption,
anomaly alerts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from northstar.analytics import alerts, dashboards, runtime, service
from northstar.analytics.schemas import (
    AdoptionRead,
    AlertEvaluateRequest,
    AlertEvaluation,
    AlertRead,
    DashboardCreate,
    DashboardInsightAdd,
    DashboardRead,
    EventNameCount,
    IdeaEventBind,
    InsightResult,
    InsightSpec,
    KeyResultRefresh,
    KeysRead,
    MetricCreate,
    MetricRead,
    MetricValue,
    SavedInsightCreate,
    SavedInsightRead,
)
from northstar.core.jobs_schemas import JobRead
from northstar.core.settings import Settings
from northstar.web.deps import DB, ApiActor, get_settings

router = APIRouter(prefix="/analytics", tags=["analytics"])
AppSettings = Annotated[Settings, Depends(get_settings)]
Spec = Annotated[InsightSpec, Body(discriminator="kind")]


@router.get("/keys")
def get_keys(session: DB, actor: ApiActor) -> KeysRead:
    """The PostHog project key and Segment write key to configure in the SDKs."""
    return KeysRead.model_validate(service.get_keys(session, actor))


@router.post("/keys/rotate")
def rotate_keys(session: DB, actor: ApiActor) -> KeysRead:
    return KeysRead.model_validate(service.rotate_keys(session, actor))


@router.post("/insights/run")
def run_insight(spec: Spec, session: DB, actor: ApiActor, settings: AppSettings) -> InsightResult:
    """Compute a trends, funnel, retention, stickiness or lifecycle insight without saving it."""
    return service.run_insight(session, actor, settings, spec)


@router.get("/insights")
def list_insights(session: DB, actor: ApiActor) -> list[SavedInsightRead]:
    return [SavedInsightRead.model_validate(i) for i in service.list_saved_insights(session, actor)]


@router.post("/insights", status_code=201)
def save_insight(body: SavedInsightCreate, session: DB, actor: ApiActor) -> SavedInsightRead:
    return SavedInsightRead.model_validate(service.save_insight(session, actor, body))


@router.get("/insights/{insight_id}")
def get_insight(insight_id: int, session: DB, actor: ApiActor) -> SavedInsightRead:
    return SavedInsightRead.model_validate(service.get_saved_insight(session, actor, insight_id))


@router.delete("/insights/{insight_id}", status_code=204)
def delete_insight(insight_id: int, session: DB, actor: ApiActor) -> Response:
    service.delete_saved_insight(session, actor, insight_id)
    return Response(status_code=204)


@router.get("/insights/{insight_id}/results")
def insight_results(insight_id: int, session: DB, actor: ApiActor, settings: AppSettings) -> InsightResult:
    return service.run_saved_insight(session, actor, settings, insight_id)


@router.get("/insights/{insight_id}/export.csv")
def export_insight(insight_id: int, session: DB, actor: ApiActor, settings: AppSettings) -> Response:
    """The saved insight's current results as CSV."""
    result = service.run_saved_insight(session, actor, settings, insight_id)
    headers = {"Content-Disposition": f'attachment; filename="insight-{insight_id}.csv"'}
    return Response(service.insight_csv(result), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/events")
def list_event_names(
    session: DB,
    actor: ApiActor,
    settings: AppSettings,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EventNameCount]:
    """Event names received so far, most sent first, with counts; ``q`` searches within the names."""
    return service.event_names(session, actor, settings, q, limit)


@router.get("/properties")
def list_property_names(
    session: DB,
    actor: ApiActor,
    settings: AppSettings,
    event: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EventNameCount]:
    """Property names found on the events (of ``event`` when given), with how many events carry each."""
    return service.property_names(session, actor, settings, event, limit)


@router.get("/dashboards")
def list_dashboards(session: DB, actor: ApiActor) -> list[DashboardRead]:
    return [
        dashboards.read_dashboard(session, actor, d.id)
        for d, _n in dashboards.list_dashboards(session, actor)
    ]


@router.post("/dashboards", status_code=201)
def create_dashboard(body: DashboardCreate, session: DB, actor: ApiActor) -> DashboardRead:
    dashboard = dashboards.create_dashboard(session, actor, body)
    return dashboards.read_dashboard(session, actor, dashboard.id)


@router.get("/dashboards/{dashboard_id}")
def get_dashboard(dashboard_id: int, session: DB, actor: ApiActor) -> DashboardRead:
    return dashboards.read_dashboard(session, actor, dashboard_id)


@router.delete("/dashboards/{dashboard_id}", status_code=204)
def delete_dashboard(dashboard_id: int, session: DB, actor: ApiActor) -> Response:
    dashboards.delete_dashboard(session, actor, dashboard_id)
    return Response(status_code=204)


@router.post("/dashboards/{dashboard_id}/insights", status_code=201)
def add_dashboard_insight(
    dashboard_id: int, body: DashboardInsightAdd, session: DB, actor: ApiActor
) -> DashboardRead:
    """Place a saved insight last on the dashboard."""
    dashboards.add_insight(session, actor, dashboard_id, body.insight_id)
    return dashboards.read_dashboard(session, actor, dashboard_id)


@router.delete("/dashboards/{dashboard_id}/insights/{insight_id}", status_code=204)
def remove_dashboard_insight(dashboard_id: int, insight_id: int, session: DB, actor: ApiActor) -> Response:
    dashboards.remove_insight(session, actor, dashboard_id, insight_id)
    return Response(status_code=204)


@router.get("/metrics")
def list_metrics(session: DB, actor: ApiActor) -> list[MetricRead]:
    return [MetricRead.model_validate(m) for m in service.list_metrics(session, actor)]


@router.post("/metrics", status_code=201)
def create_metric(body: MetricCreate, session: DB, actor: ApiActor) -> MetricRead:
    return MetricRead.model_validate(service.create_metric(session, actor, body))


@router.delete("/metrics/{metric_id}", status_code=204)
def delete_metric(metric_id: int, session: DB, actor: ApiActor) -> Response:
    service.delete_metric(session, actor, metric_id)
    return Response(status_code=204)


@router.get("/metrics/{metric_id}/value")
def metric_value(metric_id: int, session: DB, actor: ApiActor, settings: AppSettings) -> MetricValue:
    return service.metric_value(session, actor, settings, metric_id)


@router.post("/key-results/refresh")
def refresh_key_results(session: DB, actor: ApiActor, settings: AppSettings) -> list[KeyResultRefresh]:
    """Check in every key result bound to a metric with the metric's current value."""
    return service.refresh_key_results(session, actor, settings)


@router.put("/ideas/{idea_id}/adoption-event")
def bind_idea_event(idea_id: int, body: IdeaEventBind, session: DB, actor: ApiActor) -> IdeaEventBind:
    binding = service.bind_idea_event(session, actor, idea_id, body)
    return IdeaEventBind(event=binding.event, shipped_on=binding.shipped_on)


@router.get("/ideas/{idea_id}/adoption")
def feature_adoption(idea_id: int, session: DB, actor: ApiActor, settings: AppSettings) -> AdoptionRead:
    """Adoption of a shipped idea among the customers who asked for it vs the rest."""
    return service.feature_adoption(session, actor, settings, idea_id)


# --- anomaly alerts -----------------------------------------------------------------------------------------


@router.get("/alerts")
def list_alerts(
    session: DB,
    actor: ApiActor,
    status: Literal["open", "acknowledged", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertRead]:
    """Anomaly alerts on the workspace's metrics, newest day first (default: the unacknowledged ones)."""
    acknowledged = {"open": False, "acknowledged": True, "all": None}[status]
    return [
        AlertRead.model_validate(a)
        for a in alerts.list_alerts(session, actor, acknowledged=acknowledged, limit=limit)
    ]


@router.post("/alerts/evaluate")
def evaluate_alerts(
    session: DB, actor: ApiActor, settings: AppSettings, body: AlertEvaluateRequest | None = None
) -> AlertEvaluation:
    """Assess every metric and daily saved trend now, store the alerts and return what was found."""
    choice = body or AlertEvaluateRequest()
    return service.evaluate_alerts(
        session,
        actor,
        settings,
        through=choice.through,
        alert_days=choice.alert_days,
        threshold=choice.threshold,
    )


@router.post("/alerts/jobs", status_code=202)
def start_alert_job(
    request: Request,
    session: DB,
    actor: ApiActor,
    settings: AppSettings,
    body: AlertEvaluateRequest | None = None,
) -> JobRead:
    """The same evaluation as a background job (poll ``GET /api/v1/jobs/{id}``)."""
    choice = body or AlertEvaluateRequest()
    runtime.remember_settings(settings)
    params: dict[str, Any] = {"alert_days": choice.alert_days, "threshold": choice.threshold}
    if choice.through is not None:
        params["through"] = choice.through.isoformat()
    return JobRead.model_validate(request.app.state.jobs.submit(session, actor, "analytics.alerts", params))


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge_alert(alert_id: int, session: DB, actor: ApiActor) -> AlertRead:
    """Mark an alert as seen."""
    return AlertRead.model_validate(alerts.acknowledge_alert(session, actor, alert_id))

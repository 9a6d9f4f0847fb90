"""Analytics pages: the insight builder (one type's fields at a time, event and property pickers from the events
received, errors next to their field), the result as a chart and a readable table, saving it with a name, anomaly
alerts (acknowledge, check now) and the capture keys for the SDKs.

Saved insights, dashboards and metrics have their pages in :mod:`pages_library`, mounted on the same router.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from northstar.analytics import alerts, pages_library, runtime, service
from northstar.analytics.charts import insight_chart
from northstar.analytics.presentation import (
    FUNNEL_MODES,
    INTERVALS,
    KIND_HELP,
    KINDS,
    PERIODS,
    RETENTION_TYPES,
    TRENDS_MATHS,
    BuilderForm,
    builder_form,
    display_table,
    place_service_error,
    spec_of,
)
from northstar.analytics.schemas import SavedInsightCreate
from northstar.core.errors import NorthstarError, ValidationFailed
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(pages_library.router)
#: how many event and property names the pickers list before the search box asks the server for more
PICKER_SIZE = 200


def _pickers(request: Request, session: DB, user: CurrentUser) -> dict[str, Any]:
    settings = request.app.state.settings
    events = service.event_names(session, user.actor, settings, limit=PICKER_SIZE + 1)
    properties = service.property_names(session, user.actor, settings, limit=PICKER_SIZE)
    return {
        "event_names": events[:PICKER_SIZE],
        "events_truncated": len(events) > PICKER_SIZE,
        "property_names": properties,
    }


def explorer(
    request: Request,
    session: DB,
    user: CurrentUser,
    form: BuilderForm,
    run: bool,
    save_errors: dict[str, str] | None = None,
    save_name: str = "",
) -> Response:
    """The builder with ``form``; when ``run``, the insight computed (or its errors next to the fields)."""
    result = chart = table = spec = None
    if run:
        spec = spec_of(form)
        if spec is not None:
            try:
                result = service.run_insight(session, user.actor, request.app.state.settings, spec)
            except NorthstarError as exc:
                name, message = place_service_error(exc.detail)
                form.errors[name] = message
            else:
                chart = insight_chart(result)
                table = display_table(result, json.loads(spec.model_dump_json()))
    can_write = user.actor.can("analytics.write")
    failed = bool(form.errors or save_errors)
    return render(
        request,
        "analytics_explore.html",
        status_code=422 if failed else 200,
        user=user,
        form=form,
        kinds=KINDS,
        kind_help=KIND_HELP,
        maths=TRENDS_MATHS,
        intervals=INTERVALS,
        periods=PERIODS,
        funnel_modes=FUNNEL_MODES,
        retention_types=RETENTION_TYPES,
        spec_json=spec.model_dump_json() if spec is not None and result is not None else "",
        result=result,
        chart=chart,
        table=table,
        save_errors=save_errors or {},
        save_name=save_name,
        saved=service.list_saved_insights(session, user.actor),
        keys=service.get_keys(session, user.actor) if can_write else None,
        can_write=can_write,
        alerts=alerts.list_alerts(session, user.actor, acknowledged=False, limit=50),
        alert_check=alerts.latest_check(session, user.actor),
        **_pickers(request, session, user),
    )


@router.get("/analytics")
def analytics_page(request: Request, session: DB, user: CurrentUser) -> Response:
    """The builder: ``action=choose`` (the type chooser without JavaScript) only shows the type's fields."""
    params = list(request.query_params.multi_items())
    form = builder_form(params)
    choosing = request.query_params.get("action") == "choose"
    return explorer(request, session, user, form, run="kind" in request.query_params and not choosing)


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
    """Save the insight just run under a name; a missing name comes back next to the name field, with the
    insight still shown."""
    posted = await request.form()
    check_csrf(user, str(posted.get("csrf_token") or ""))
    pairs = [(k, str(v)) for k, v in posted.multi_items() if k not in {"csrf_token", "name", "spec_json"}]
    form = builder_form(pairs)
    name = str(posted.get("name") or "").strip()
    try:
        query = json.loads(str(posted.get("spec_json") or "{}"))
        insight = service.save_insight(
            session, user.actor, SavedInsightCreate.model_validate({"name": name, "query": query})
        )
    except ValueError as exc:  # pydantic's ValidationError and a broken spec_json are ValueErrors
        errors = {"name": "give the insight a name"} if not name else {"form": f"could not save: {exc}"}
        return explorer(request, session, user, form, run=True, save_errors=errors, save_name=name)
    except ValidationFailed as failure:
        messages = field_messages(failure)
        return explorer(request, session, user, form, run=True, save_errors=messages, save_name=name)
    return RedirectResponse(f"/analytics/insights/{insight.id}?saved=1", status_code=303)

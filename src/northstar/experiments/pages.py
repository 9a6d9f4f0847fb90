"""Pages for experiments: the list with a creation form, and the report with its interval chart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import Conflict, FieldError, NorthstarError, ValidationFailed
from northstar.core.listing import ListParams
from northstar.experiments import planning, service
from northstar.experiments.charts import effect_over_time_chart, interval_chart, verdict
from northstar.experiments.models import STATUSES
from northstar.experiments.schemas import (
    DecisionCreate,
    DesignRequest,
    ExperimentCreate,
    ExperimentUpdate,
    SummaryUpload,
)
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, plain_number, query_string, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


def parse_variants(text: str) -> list[dict[str, Any]]:
    """``control, treatment`` or ``control:1, treatment:2`` (key and optional weight)."""
    variants = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            key, _, weight = part.partition(":")
            variants.append({"key": key.strip(), "weight": weight.strip() or 1})
    return variants


def parse_metrics(text: str) -> list[dict[str, Any]]:
    """One metric per line: ``key type [goal|guardrail] [inverse] [event=NAME] [denominator=NAME] [property=NAME]
    [window=DAYS]``."""
    metrics = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if len(words) < 2:
            raise ValidationFailed(
                f"metrics line {number}: write 'key type', e.g. 'signup proportion goal'",
                [FieldError("metrics", "key and type needed", number)],
            )
        metric: dict[str, Any] = {"key": words[0], "type": words[1]}
        for word in words[2:]:
            if word in ("goal", "guardrail"):
                metric["role"] = word
            elif word == "inverse":
                metric["inverse"] = True
            elif word.startswith("event="):
                metric["event"] = word.removeprefix("event=")
            elif word.startswith("denominator="):
                metric["denominator_event"] = word.removeprefix("denominator=")
            elif word.startswith("property="):
                metric["value_property"] = word.removeprefix("property=")
            elif word.startswith("window="):
                metric["window_days"] = word.removeprefix("window=")
        metrics.append(metric)
    return metrics


def _flag(form: dict[str, str]) -> str | None:
    """The flag whose exposures count: as typed, else the key when the exposure event is PostHog's flag call."""
    typed = form.get("feature_flag", "").strip()
    if typed:
        return typed
    if form.get("exposure_event", "").strip() == "$feature_flag_called":
        return form.get("key", "").strip() or None
    return None


FORM_FIELDS = ("key", "name", "hypothesis", "exposure_event", "feature_flag", "variants", "metrics")


def _form_errors(error: NorthstarError) -> dict[str, str]:
    """The problems of a refused new-experiment form by field (``metrics.1.type`` → ``metrics``, line 2)."""
    errors: dict[str, str] = {}
    for problem in error.errors:
        top, _, rest = problem.field.partition(".")
        if top not in FORM_FIELDS:
            errors.setdefault("form", str(error))
            continue
        line = problem.row or (int(rest.split(".")[0]) + 1 if rest.split(".")[0].isdigit() else None)
        message = (
            "an experiment with this key already exists" if problem.message == "taken" else problem.message
        )
        errors.setdefault(top, f"line {line}: {message}" if line and top == "metrics" else message)
    return errors or {"form": str(error)}


def _list_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: str | None = None,
    status: str | None = None,
    page: int = 1,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    filters = {"status": status if status in STATUSES else None}
    result = service.list_experiments(session, user.actor, ListParams(q, None, page, 50, filters))
    return render(
        request,
        "experiments_list.html",
        status_code=422 if errors else 200,
        user=user,
        page=result,
        q=q or "",
        status=status or "",
        statuses=STATUSES,
        base_query=query_string(q=q, status=status),
        typed=typed or {},
        errors=errors or {},
    )


@router.get("/experiments")
def experiments_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    return _list_page(request, session, user, q, status, page)


@router.post("/experiments")
async def create_experiment(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        experiment = _create(session, user, form)
    except (ValidationFailed, Conflict) as error:
        # back to the form, open, with everything typed kept and each problem next to its field
        session.rollback()
        return _list_page(request, session, user, typed=form, errors=_form_errors(error))
    return RedirectResponse(f"/experiments/{experiment.id}", status_code=303)


def _create(session: DB, user: CurrentUser, form: dict[str, str]) -> Any:
    data = {
        "key": form.get("key", ""),
        "name": form.get("name", ""),
        "hypothesis": form.get("hypothesis", ""),
        "exposure_event": form.get("exposure_event", ""),
        "feature_flag": _flag(form),
        "variants": parse_variants(form.get("variants", "")),
        "metrics": parse_metrics(form.get("metrics", "")),
        "settings": {
            "engine": form.get("engine") or "frequentist",
            "difference": form.get("difference") or "relative",
            "sequential": form.get("sequential") == "on",
            "cuped": form.get("cuped") == "on",
        },
    }
    return service.create_experiment(session, user.actor, parse_form(ExperimentCreate, data))


def _percent(text: str | None) -> float | None:
    """A typed percentage ("31", "31 %", "0.5%") as a fraction; ``None`` when empty."""
    cleaned = plain_number(text).rstrip("%")
    return None if cleaned == "" else float(cleaned) / 100


def design_from_form(form: dict[str, str]) -> DesignRequest:
    """The design form in the units people type: rates and relative effects in %, absolute effects in points."""
    metric_type = form.get("metric_type") or "proportion"
    relative = form.get("mde_kind", "relative") == "relative"
    try:
        baseline_text = plain_number(form.get("baseline")).rstrip("%")
        baseline = (
            float(baseline_text) / (100 if metric_type == "proportion" else 1) if baseline_text else None
        )
        mde_text = plain_number(form.get("mde")).rstrip("%")
        scale = 100 if relative or metric_type == "proportion" else 1
        mde = float(mde_text) / scale if mde_text else None
        values = {
            "metric_type": metric_type,
            "baseline": baseline,
            "mde": mde,
            "mde_relative": relative,
            "standard_deviation": plain_number(form.get("standard_deviation")) or None,
            "alpha": _percent(form.get("alpha")),
            "power": _percent(form.get("power")),
            "daily_traffic": plain_number(form.get("daily_traffic")) or None,
        }
    except ValueError as exc:
        raise ValidationFailed(
            "enter numbers, like 31 for 31 %", [FieldError("form", "enter numbers, like 31 for 31 %")]
        ) from exc
    return parse_form(DesignRequest, {k: v for k, v in values.items() if v is not None})


def _report_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    experiment_id: int,
    design_typed: dict[str, str] | None = None,
    design_errors: dict[str, str] | None = None,
    decision_typed: dict[str, str] | None = None,
    decision_errors: dict[str, str] | None = None,
) -> Response:
    from northstar.strategy import service as strategy

    results = service.experiment_results(session, user.actor, experiment_id)
    relative = results.settings.difference == "relative"
    verdicts = {
        (m.key, v.variation): verdict(v.ci[0], v.ci[1], m.inverse) if not v.reason else "not computed"
        for m in results.metrics
        for v in m.variants
    }
    experiment = service.get_experiment(session, user.actor, experiment_id)
    effect = planning.cumulative_effect(session, user.actor, request.app.state.settings, experiment_id)
    key_results = [
        (kr.id, f"{o.title} · {kr.title}")
        for o in strategy.list_objectives(session, user.actor)
        for kr in o.key_results
    ]
    return render(
        request,
        "experiment_report.html",
        status_code=422 if design_errors or decision_errors else 200,
        user=user,
        results=results,
        experiment=results.experiment,
        chart=interval_chart(results.metrics, relative),
        effect_chart=effect_over_time_chart(effect, relative),
        relative=relative,
        verdicts=verdicts,
        statuses=STATUSES,
        design=planning.design_summary(experiment),
        design_typed=design_typed or _design_defaults(experiment.design),
        design_errors=design_errors or {},
        decisions=planning.list_decisions(session, user.actor, experiment_id),
        decision_typed=decision_typed or {"key_result_id": str(experiment.key_result_id or "")},
        decision_errors=decision_errors or {},
        key_results=key_results,
        can_edit=user.actor.can("experiments.write"),
    )


def _design_defaults(stored: dict[str, Any] | None) -> dict[str, str]:
    if not stored:
        return {"metric_type": "proportion", "mde_kind": "relative", "alpha": "5", "power": "80"}
    proportion = stored["metric_type"] == "proportion"
    relative = stored["mde_relative"]
    return {
        "metric_type": stored["metric_type"],
        "baseline": f"{stored['baseline'] * (100 if proportion else 1):g}",
        "standard_deviation": ""
        if stored.get("standard_deviation") is None
        else f"{stored['standard_deviation']:g}",
        "mde": f"{stored['mde'] * (100 if relative or proportion else 1):g}",
        "mde_kind": "relative" if relative else "absolute",
        "alpha": f"{stored['alpha'] * 100:g}",
        "power": f"{stored['power'] * 100:g}",
        "daily_traffic": "" if stored.get("daily_traffic") is None else f"{stored['daily_traffic']:g}",
    }


@router.get("/experiments/{experiment_id}")
def experiment_page(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    return _report_page(request, session, user, experiment_id)


@router.post("/experiments/{experiment_id}/design")
async def save_design(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    """Plan the sample size and duration; a plan that cannot be made comes back with the typed values."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        planning.save_design(session, user.actor, experiment_id, design_from_form(form))
    except ValidationFailed as error:
        session.rollback()
        return _report_page(request, session, user, experiment_id, form, field_messages(error))
    return see_other(f"/experiments/{experiment_id}", saved="design")


@router.post("/experiments/{experiment_id}/decision")
async def record_decision(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    """Ship, roll back or iterate, with the reason: concludes the run, moves the idea, checks in on the key result."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        data = parse_form(
            DecisionCreate,
            {
                "decision": form.get("decision", ""),
                "reason": form.get("reason", "").strip(),
                "variation": form.get("variation", ""),
                "key_result_id": form.get("key_result_id", ""),
            },
        )
        planning.record_decision(session, user.actor, experiment_id, data)
    except ValidationFailed as error:
        session.rollback()
        return _report_page(
            request, session, user, experiment_id, decision_typed=form, decision_errors=field_messages(error)
        )
    return see_other(f"/experiments/{experiment_id}", saved="decision")


@router.post("/experiments/{experiment_id}/summaries")
async def upload_summaries(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    data = parse_form(SummaryUpload, {"metric_key": form.get("metric_key", ""), "csv": form.get("csv", "")})
    service.upload_summaries(session, user.actor, experiment_id, data)
    return RedirectResponse(f"/experiments/{experiment_id}", status_code=303)


@router.post("/experiments/{experiment_id}/status")
async def change_status(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.update_experiment(
        session, user.actor, experiment_id, parse_form(ExperimentUpdate, {"status": form.get("status", "")})
    )
    return RedirectResponse(f"/experiments/{experiment_id}", status_code=303)


@router.post("/experiments/{experiment_id}/refresh")
async def refresh_from_events(
    request: Request, session: DB, user: CurrentUser, experiment_id: int
) -> Response:
    """Recompute the summaries of every metric that names an event from the workspace's event store."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.refresh_from_events(session, user.actor, request.app.state.settings, experiment_id)
    return RedirectResponse(f"/experiments/{experiment_id}", status_code=303)

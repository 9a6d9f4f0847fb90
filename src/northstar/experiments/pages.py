"""Pages for experiments: the list with a creation form, and the report with its interval chart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import Conflict, FieldError, NorthstarError, ValidationFailed
from northstar.core.listing import ListParams
from northstar.experiments import service
from northstar.experiments.charts import interval_chart, verdict
from northstar.experiments.models import STATUSES
from northstar.experiments.schemas import ExperimentCreate, ExperimentUpdate, SummaryUpload
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import parse_form, query_string
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


@router.get("/experiments/{experiment_id}")
def experiment_page(request: Request, session: DB, user: CurrentUser, experiment_id: int) -> Response:
    results = service.experiment_results(session, user.actor, experiment_id)
    relative = results.settings.difference == "relative"
    verdicts = {
        (m.key, v.variation): verdict(v.ci[0], v.ci[1], m.inverse) if not v.reason else "not computed"
        for m in results.metrics
        for v in m.variants
    }
    return render(
        request,
        "experiment_report.html",
        user=user,
        results=results,
        experiment=results.experiment,
        chart=interval_chart(results.metrics, relative),
        relative=relative,
        verdicts=verdicts,
        statuses=STATUSES,
    )


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

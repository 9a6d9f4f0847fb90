"""Use cases for experiments: define them, upload per-variant summaries or compute them from the event
store, and compute results.

Results come from the statistics engine (``northstar.experiments.stats``) fed with the summaries stored
for each metric; the first variant of an experiment is always the baseline.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from northstar.core.listing import ListParams, Page, apply_changes, get_owned, paginate
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.experiments.event_summaries import ExposureRules, exposure_counts, summaries_from_store
from northstar.experiments.exposures import MetricFromEvents, summaries_from_events
from northstar.experiments.models import Experiment, VariantMetricSummary
from northstar.experiments.schemas import (
    AnalysisChoices,
    AnalyzeRequest,
    ExperimentCreate,
    ExperimentRead,
    ExperimentResults,
    ExperimentUpdate,
    MetricDefinition,
    MetricResult,
    RefreshRequest,
    RefreshResult,
    SummaryUpload,
    UploadResult,
    VariantResult,
    naive_utc,
)
from northstar.experiments.stats.analysis import AnalysisSettings, VariantSummary, analyze
from northstar.experiments.summary_csv import SummaryFormatError, read_summary_csv

if TYPE_CHECKING:
    import pandas as pd

#: below this sample-ratio-mismatch p-value the report warns that assignment looks broken (GrowthBook's default)
SRM_THRESHOLD = 0.001

SORTABLE = {
    "name": Experiment.name,
    "key": Experiment.key,
    "status": Experiment.status,
    "created_at": Experiment.created_at,
    "updated_at": Experiment.updated_at,
    "id": Experiment.id,
}
SUMMARY_FIELDS = (
    "users",
    "count",
    "main_sum",
    "main_sum_squares",
    "denominator_sum",
    "denominator_sum_squares",
    "main_denominator_sum_product",
    "covariate_sum",
    "covariate_sum_squares",
    "main_covariate_sum_product",
    "denominator_pre_sum",
    "denominator_pre_sum_squares",
    "denominator_post_denominator_pre_sum_product",
    "main_pre_denominator_pre_sum_product",
    "main_post_denominator_pre_sum_product",
    "main_pre_denominator_post_sum_product",
)


def _check_idea(session: Session, actor: Actor, idea_id: int | None) -> None:
    if idea_id is None:
        return
    from northstar.ideas.models import Idea  # a reference check only; ideas stay their own module

    try:
        get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    except NotFound:
        raise ValidationFailed(
            f"idea_id: no idea {idea_id} in this workspace", [FieldError("idea_id", "unknown")]
        )


def _check_key_result(session: Session, actor: Actor, key_result_id: int | None) -> None:
    if key_result_id is None:
        return
    from northstar.strategy.models import KeyResult  # a reference check only; strategy stays its own module

    try:
        get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    except NotFound:
        raise ValidationFailed(
            f"key_result_id: no key result {key_result_id} in this workspace",
            [FieldError("key_result_id", "unknown")],
        )


def _stamp_status(experiment: Experiment, status: str) -> None:
    if status == "running" and experiment.started_at is None:
        experiment.started_at = utcnow()
    if status in ("stopped", "concluded") and experiment.ended_at is None:
        experiment.ended_at = utcnow()


def create_experiment(session: Session, actor: Actor, data: ExperimentCreate) -> Experiment:
    actor.require("experiments.write")
    _check_idea(session, actor, data.idea_id)
    _check_key_result(session, actor, data.key_result_id)
    exists = session.scalar(
        select(Experiment.id).where(Experiment.workspace_id == actor.workspace_id, Experiment.key == data.key)
    )
    if exists is not None:
        raise Conflict(f"an experiment with key {data.key!r} already exists", [FieldError("key", "taken")])
    values = data.model_dump()
    experiment = Experiment(workspace_id=actor.workspace_id, **values)
    _stamp_status(experiment, data.status)
    session.add(experiment)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"an experiment with key {data.key!r} already exists", [FieldError("key", "taken")])
    audit.record(session, actor, "create", "experiment", experiment.id, experiment.name)
    return experiment


def analyze_summary(actor: Actor, data: AnalyzeRequest) -> dict[str, Any]:
    """Analyse per-variant sums without storing anything (the API twin of ``experiment analyze``)."""
    actor.require(READ)
    try:
        summaries = read_summary_csv(data.csv, data.metric_type, cuped=data.cuped)
    except SummaryFormatError as exc:
        raise ValidationFailed(f"csv: {exc}", [FieldError(exc.column or "csv", str(exc), exc.row)])
    settings = AnalysisSettings(
        metric_type=data.metric_type,
        engine=data.engine,
        difference=data.difference,
        alpha=data.alpha,
        sequential=data.sequential and data.engine == "frequentist",
        sequential_tuning=data.sequential_tuning,
        cuped=data.cuped,
        inverse=data.inverse,
    )
    return analyze(summaries, settings).to_dict()


def get_experiment(session: Session, actor: Actor, experiment_id: int) -> Experiment:
    actor.require(READ)
    return get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")


def list_experiments(session: Session, actor: Actor, params: ListParams) -> Page[Experiment]:
    """Experiments of the workspace; filter: status."""
    actor.require(READ)
    query = select(Experiment).where(Experiment.workspace_id == actor.workspace_id)
    status = params.filters.get("status")
    if status:
        query = query.where(Experiment.status == status)
    return paginate(
        session,
        query,
        params,
        search=(Experiment.name, Experiment.key, Experiment.hypothesis),
        sortable=SORTABLE,
        default_sort="-created_at",
    )


def experiments_for_flag(session: Session, actor: Actor, flag_key: str) -> list[Experiment]:
    """The experiments whose exposures are this feature flag's ``$feature_flag_called`` events."""
    actor.require(READ)
    query = select(Experiment).where(
        Experiment.workspace_id == actor.workspace_id, Experiment.feature_flag == flag_key
    )
    return list(session.scalars(query.order_by(Experiment.created_at.desc(), Experiment.id.desc())))


def update_experiment(
    session: Session, actor: Actor, experiment_id: int, data: ExperimentUpdate
) -> Experiment:
    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "hypothesis", "status", "exposure_event", "metrics", "settings"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    if "idea_id" in changes:
        _check_idea(session, actor, changes["idea_id"])
    if "key_result_id" in changes:
        _check_key_result(session, actor, changes["key_result_id"])
    if "status" in changes:
        _stamp_status(experiment, changes["status"])
    changed = apply_changes(experiment, changes)
    if changed:
        audit.record(session, actor, "update", "experiment", experiment.id, experiment.name, changed)
    return experiment


def delete_experiment(session: Session, actor: Actor, experiment_id: int) -> None:
    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    audit.record(session, actor, "delete", "experiment", experiment.id, experiment.name)
    session.delete(experiment)


def _metric(experiment: Experiment, metric_key: str) -> MetricDefinition:
    for raw in experiment.metrics:
        metric = MetricDefinition.model_validate(raw)
        if metric.key == metric_key:
            return metric
    known = ", ".join(m["key"] for m in experiment.metrics) or "none defined"
    raise ValidationFailed(
        f"metric_key: experiment {experiment.key!r} has no metric {metric_key!r} (known: {known})",
        [FieldError("metric_key", "unknown")],
    )


def upload_summaries(session: Session, actor: Actor, experiment_id: int, data: SummaryUpload) -> UploadResult:
    """Replace one metric's per-variant summaries with those in the CSV, all or nothing.

    Every variant of the experiment must appear exactly once and no other; the columns the metric type
    (and CUPED, when the experiment uses it) needs must be present. Errors name the line and column.
    """
    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    metric = _metric(experiment, data.metric_key)
    choices = AnalysisChoices.model_validate(experiment.settings)
    cuped = choices.cuped
    try:
        summaries = read_summary_csv(data.csv, metric.type, cuped=cuped)
    except SummaryFormatError as exc:
        raise ValidationFailed(f"csv: {exc}", [FieldError(exc.column or "csv", str(exc), exc.row)])
    expected = [v["key"] for v in experiment.variants]
    given = [s.variation for s in summaries]
    unknown = [v for v in given if v not in expected]
    missing = [v for v in expected if v not in given]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown variants {', '.join(unknown)}")
        if missing:
            parts.append(f"missing variants {', '.join(missing)}")
        raise ValidationFailed(
            f"csv: {'; '.join(parts)} (the experiment's variants are {', '.join(expected)})",
            [FieldError("variation", "; ".join(parts))],
        )
    _replace_summaries(session, actor, experiment, metric.key, summaries)
    audit.record(
        session, actor, "upload", "experiment", experiment.id, f"{experiment.name}: summaries of {metric.key}"
    )
    return UploadResult(metric_key=metric.key, variants=len(summaries))


def _replace_summaries(
    session: Session, actor: Actor, experiment: Experiment, metric_key: str, summaries: list[VariantSummary]
) -> None:
    session.execute(
        delete(VariantMetricSummary).where(
            VariantMetricSummary.experiment_id == experiment.id,
            VariantMetricSummary.metric_key == metric_key,
        )
    )
    for summary in summaries:
        values = {name: getattr(summary, name) for name in SUMMARY_FIELDS}
        session.add(
            VariantMetricSummary(
                workspace_id=actor.workspace_id,
                experiment_id=experiment.id,
                metric_key=metric_key,
                variation=summary.variation,
                **values,
            )
        )
    session.flush()


def list_summaries(session: Session, actor: Actor, experiment_id: int) -> list[VariantMetricSummary]:
    actor.require(READ)
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    query = select(VariantMetricSummary).where(VariantMetricSummary.experiment_id == experiment.id)
    return list(session.scalars(query.order_by(VariantMetricSummary.metric_key, VariantMetricSummary.id)))


def _finite(value: float | None) -> float | None:
    return value if value is None or (value == value and abs(value) != float("inf")) else None


def _metric_result(
    experiment: Experiment,
    metric: MetricDefinition,
    rows: dict[str, VariantMetricSummary],
    choices: AnalysisChoices,
) -> MetricResult:
    variants = experiment.variants
    result = MetricResult(
        key=metric.key,
        name=metric.name or metric.key,
        role=metric.role,
        type=metric.type,
        inverse=metric.inverse,
        baseline=variants[0]["key"],
    )
    missing = [v["key"] for v in variants if v["key"] not in rows]
    if missing:
        result.missing = f"no summary uploaded yet for {', '.join(missing)}"
        return result
    summaries = []
    for variant in variants:
        row = rows[variant["key"]]
        values: dict[str, Any] = {name: getattr(row, name) for name in SUMMARY_FIELDS}
        summaries.append(VariantSummary(variation=variant["key"], weight=float(variant["weight"]), **values))
    settings = AnalysisSettings(
        metric_type=metric.type,
        engine=choices.engine,
        difference=choices.difference,
        alpha=choices.alpha,
        sequential=choices.sequential and choices.engine == "frequentist",
        sequential_tuning=choices.sequential_tuning,
        cuped=choices.cuped and all(s.covariate_sum is not None for s in summaries),
        inverse=metric.inverse,
    )
    try:
        analysis = analyze(summaries, settings)
    except ValueError as exc:
        result.missing = str(exc)
        return result
    result.baseline_mean = _finite(analysis.baseline_mean)
    result.srm_p_value = analysis.srm_p_value
    for c in analysis.comparisons:
        result.variants.append(
            VariantResult(
                variation=c.variation,
                users=c.users,
                mean=_finite(c.mean),
                expected=_finite(c.expected),
                ci=[_finite(c.ci[0]), _finite(c.ci[1])],
                standard_error=_finite(c.standard_error),
                p_value=c.p_value,
                chance_to_win=c.chance_to_win,
                risk=None if c.risk is None else [_finite(r) for r in c.risk],
                significant=c.significant,
                reason=c.reason,
            )
        )
    return result


def experiment_results(session: Session, actor: Actor, experiment_id: int) -> ExperimentResults:
    """Every metric of the experiment analysed from its uploaded summaries, plus the traffic-split check."""
    experiment = get_experiment(session, actor, experiment_id)
    choices = AnalysisChoices.model_validate(experiment.settings)
    by_metric: dict[str, dict[str, VariantMetricSummary]] = {}
    for row in list_summaries(session, actor, experiment.id):
        by_metric.setdefault(row.metric_key, {})[row.variation] = row
    metrics = [MetricDefinition.model_validate(m) for m in experiment.metrics]
    results = [_metric_result(experiment, m, by_metric.get(m.key, {}), choices) for m in metrics]
    srm = next((r.srm_p_value for r in results if r.srm_p_value is not None), None)
    return ExperimentResults(
        experiment=ExperimentRead.model_validate(experiment),
        settings=choices,
        metrics=results,
        srm_p_value=srm,
        srm_warning=srm is not None and srm < SRM_THRESHOLD,
    )


def store_summaries_from_events(
    session: Session,
    actor: Actor,
    experiment_id: int,
    events: pd.DataFrame,
    covariate_days: int | None = None,
) -> list[UploadResult]:
    """Compute and store the summaries of every metric that names its ``event``, from raw events.

    ``events`` has the columns ``event``, ``distinct_id``, ``timestamp`` and ``properties``; units enter
    at their first ``exposure_event`` and their variant is its ``variant_property``. Metrics without an
    event are left as they are (their summaries can still be uploaded).
    """
    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    choices = AnalysisChoices.model_validate(experiment.settings)
    variants = [v["key"] for v in experiment.variants]
    results = []
    for raw in experiment.metrics:
        metric = MetricDefinition.model_validate(raw)
        if not metric.event:
            continue
        spec = MetricFromEvents(
            type=metric.type,
            event=metric.event,
            denominator_event=metric.denominator_event,
            value_property=metric.value_property,
        )
        cuped_days = (covariate_days or 14) if choices.cuped else None
        try:
            summaries, _counts = summaries_from_events(
                events,
                exposure_event=experiment.exposure_event,
                variant_property=experiment.variant_property,
                variants=variants,
                metric=spec,
                covariate_days=cuped_days,
            )
        except ValueError as exc:
            raise ValidationFailed(f"events: {exc}", [FieldError("events", str(exc))])
        _replace_summaries(session, actor, experiment, metric.key, summaries)
        results.append(UploadResult(metric_key=metric.key, variants=len(summaries)))
    if not results:
        raise ValidationFailed(
            "no metric of this experiment names an event to compute it from",
            [FieldError("metrics", "no event")],
        )
    audit.record(
        session, actor, "compute", "experiment", experiment.id, f"{experiment.name}: summaries from events"
    )
    return results


def _window(experiment: Experiment) -> tuple[datetime | None, datetime | None]:
    """The analysis window in naive UTC: from the start of the run to its end (open ends when unset)."""
    return (
        None if experiment.started_at is None else naive_utc(experiment.started_at),
        None if experiment.ended_at is None else naive_utc(experiment.ended_at),
    )


def refresh_from_events(
    session: Session,
    actor: Actor,
    settings: Settings,
    experiment_id: int,
    data: RefreshRequest | None = None,
) -> RefreshResult:
    """Recompute every metric that names an ``event`` from the workspace's event store and store the summaries.

    Persons enter at their first exposure inside the analysis window (``started_at`` … ``ended_at``); persons
    exposed to several variants are left out and counted; metric events count from the exposure to the end of the
    window (and within the metric's ``window_days``). See :mod:`northstar.experiments.event_summaries`.
    """
    from northstar.analytics import service as analytics

    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    choices = AnalysisChoices.model_validate(experiment.settings)
    covariate_days = ((data.covariate_days if data else None) or 14) if choices.cuped else None
    start, end = _window(experiment)
    rules = ExposureRules(
        exposure_event=experiment.exposure_event,
        variant_property=experiment.variant_property,
        variants=[v["key"] for v in experiment.variants],
        feature_flag=experiment.feature_flag,
        start=start,
        end=end,
    )
    engine = analytics.event_engine(settings, actor)
    stored, skipped = [], []
    for raw in experiment.metrics:
        metric = MetricDefinition.model_validate(raw)
        if not metric.event:
            skipped.append(metric.key)
            continue
        spec = MetricFromEvents(metric.type, metric.event, metric.denominator_event, metric.value_property)
        try:
            summaries = summaries_from_store(
                engine, rules, spec, window_days=metric.window_days, covariate_days=covariate_days
            )
        except ValueError as exc:
            raise ValidationFailed(f"metric {metric.key}: {exc}", [FieldError("metrics", str(exc))])
        _replace_summaries(session, actor, experiment, metric.key, summaries)
        stored.append(UploadResult(metric_key=metric.key, variants=len(summaries)))
    if not stored:
        raise ValidationFailed(
            "no metric of this experiment names an event to compute it from",
            [FieldError("metrics", "no event")],
        )
    counts = exposure_counts(engine, rules)
    now = utcnow()
    experiment.exposure_summary = {
        "exposed": counts.exposed,
        "multiple_variants": counts.multiple_variants,
        "unknown_variant": counts.unknown_variant,
        "window_start": None if start is None else start.isoformat(),
        "window_end": None if end is None else end.isoformat(),
        "covariate_days": covariate_days,
    }
    experiment.computed_at = now
    audit.record(
        session, actor, "compute", "experiment", experiment.id,
        f"{experiment.name}: {len(stored)} metrics from the event store "
        f"({sum(counts.exposed.values())} persons, {counts.multiple_variants} left out for several variants)",
    )  # fmt: skip
    session.flush()
    return RefreshResult(
        metrics=stored,
        skipped=skipped,
        exposed=counts.exposed,
        multiple_variants=counts.multiple_variants,
        unknown_variant=counts.unknown_variant,
        window_start=start,
        window_end=end,
        computed_at=now,
    )

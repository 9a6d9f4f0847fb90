"""Use cases around an experiment's run: plan it before it starts (sample size and duration), follow its cumulative
effect day by day from the event store, and record the decision that ends it.

A decision (ship / roll back / iterate, with the reason) concludes the experiment, moves the linked idea along its
workflow (ship → shipped, roll back → won't do, iterate → planned) and appends a check-in to the linked key result's
history, all in the caller's transaction: if any of it is refused, none of it is kept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.experiments import service
from northstar.experiments.event_summaries import ExposureRules, summaries_from_store
from northstar.experiments.exposures import MetricFromEvents
from northstar.experiments.models import Experiment, ExperimentDecision
from northstar.experiments.schemas import (
    AnalysisChoices,
    DecisionCreate,
    DesignRead,
    DesignRequest,
    EffectPoint,
    ExperimentUpdate,
    MetricDefinition,
    naive_utc,
)
from northstar.experiments.stats.analysis import AnalysisSettings, analyze
from northstar.experiments.stats.design import DesignInput, plan

#: the idea status each decision moves the linked idea to
IDEA_STATUS = {"ship": "shipped", "roll_back": "wont_do", "iterate": "planned"}
#: at most this many days are drawn in the cumulative-effect chart (the last ones)
MAX_DAYS = 60


def design(data: DesignRequest, variants: int = 2) -> DesignRead:
    """People per variant and days needed (nothing stored); a plan that cannot be made is a ``ValidationFailed``."""
    count = data.variants or variants
    result = plan(
        DesignInput(
            metric_type=data.metric_type,
            baseline=data.baseline,
            mde=data.mde,
            mde_relative=data.mde_relative,
            standard_deviation=data.standard_deviation,
            alpha=data.alpha,
            power=data.power,
            variants=count,
            daily_traffic=data.daily_traffic,
        )
    )
    if result.per_variant is None or result.total is None:
        field = "standard_deviation" if "standard deviation" in (result.reason or "") else "mde"
        if "baseline" in (result.reason or "") and "plus" not in (result.reason or ""):
            field = "baseline"
        elif "per day" in (result.reason or ""):
            field = "daily_traffic"
        raise ValidationFailed(f"{field}: {result.reason}", [FieldError(field, result.reason or "")])
    return DesignRead(
        **data.model_dump(exclude={"variants"}),
        variants=count,
        per_variant=result.per_variant,
        total=result.total,
        days=result.days,
        effect=result.effect,
        treatment=result.treatment,
    )


def save_design(session: Session, actor: Actor, experiment_id: int, data: DesignRequest) -> DesignRead:
    """Plan the experiment's sample size for its variants and keep the plan on it."""
    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    planned = design(data, len(experiment.variants))
    planned.planned_at = utcnow()
    experiment.design = planned.model_dump(mode="json")
    audit.record(
        session, actor, "plan", "experiment", experiment.id,
        f"{experiment.name}: {planned.per_variant:,} per variant"
        + (f", {planned.days} days" if planned.days is not None else ""),
    )  # fmt: skip
    session.flush()
    return planned


def _goal(experiment: Experiment, with_event: bool = False) -> MetricDefinition | None:
    metrics = [MetricDefinition.model_validate(m) for m in experiment.metrics]
    goals = [m for m in metrics if m.role == "goal" and (m.event or not with_event)]
    return goals[0] if goals else None


def cumulative_effect(
    session: Session, actor: Actor, settings: Settings, experiment_id: int
) -> list[EffectPoint]:
    """Each variant's effect on the first goal metric that names an event, with every day's data up to that day.

    Empty when the experiment has not started or has no such metric. Read from the event store like a refresh.
    """
    from northstar.analytics import service as analytics

    experiment = service.get_experiment(session, actor, experiment_id)
    metric = _goal(experiment, with_event=True)
    if metric is None or experiment.started_at is None or metric.event is None:
        return []
    start = naive_utc(experiment.started_at)
    end = naive_utc(experiment.ended_at) if experiment.ended_at is not None else naive_utc(utcnow())
    first_day = max(start.date(), (end - timedelta(days=MAX_DAYS - 1)).date())
    choices = AnalysisChoices.model_validate(experiment.settings)
    keys = [v["key"] for v in experiment.variants]
    engine = analytics.event_engine(settings, actor)
    spec = MetricFromEvents(metric.type, metric.event, metric.denominator_event, metric.value_property)
    points: list[EffectPoint] = []
    day = first_day
    while day <= end.date():
        until = min(end, datetime(day.year, day.month, day.day) + timedelta(days=1))
        rules = ExposureRules(
            experiment.exposure_event,
            experiment.variant_property,
            keys,
            experiment.feature_flag,
            start,
            until,
        )
        summaries = summaries_from_store(engine, rules, spec, window_days=metric.window_days)
        summaries = [
            replace(summary, weight=float(variant["weight"]))
            for summary, variant in zip(summaries, experiment.variants, strict=True)
        ]
        settings_ = AnalysisSettings(
            metric_type=metric.type, engine="frequentist", difference=choices.difference, alpha=choices.alpha,
            inverse=metric.inverse,
        )  # fmt: skip
        try:
            comparisons = analyze(summaries, settings_).comparisons
        except ValueError:
            comparisons = ()
        for c in comparisons:
            usable = not c.reason
            points.append(
                EffectPoint(
                    day=day.isoformat(),
                    variation=c.variation,
                    users=c.users,
                    effect=service._finite(c.expected) if usable else None,
                    ci_low=service._finite(c.ci[0]) if usable else None,
                    ci_high=service._finite(c.ci[1]) if usable else None,
                )
            )
        day += timedelta(days=1)
    return points


def _status_path(start: str, goal: str) -> list[str]:
    """The idea statuses to pass through from ``start`` to ``goal`` along the allowed moves (shortest way)."""
    from northstar.ideas.models import TRANSITIONS

    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        if status == goal:
            path = []
            step: str | None = status
            while step is not None and step != start:
                path.append(step)
                step = previous[step]
            return list(reversed(path))
        for following in sorted(TRANSITIONS.get(status, set())):
            if following not in previous:
                previous[following] = status
                queue.append(following)
    return []


def _move_idea(session: Session, actor: Actor, idea_id: int, goal: str) -> str:
    from northstar.ideas import service as ideas
    from northstar.ideas.schemas import IdeaUpdate

    idea = ideas.get_idea(session, actor, idea_id)
    for status in _status_path(idea.status, goal):
        ideas.update_idea(session, actor, idea_id, IdeaUpdate.model_validate({"status": status}))
    return idea.status


def _words(
    decision: str,
    experiment: Experiment,
    metric: MetricDefinition | None,
    variation: str | None,
    effect: float | None,
    relative: bool,
) -> str:
    verb = {"ship": f"ship {variation}", "roll_back": "roll back to the baseline", "iterate": "iterate"}[
        decision
    ]
    text = f"Experiment {experiment.name!r}: {verb}"
    if metric is not None and effect is not None:
        shown = f"{effect * 100:+.1f} %" if relative else f"{effect:+.4g}"
        text += f" ({metric.name or metric.key} {shown} for {variation})"
    return text


def record_decision(
    session: Session, actor: Actor, experiment_id: int, data: DecisionCreate
) -> ExperimentDecision:
    """Conclude the experiment with a decision, move its idea and append to its key result's history."""
    from northstar.strategy import service as strategy
    from northstar.strategy.schemas import CheckInCreate

    actor.require("experiments.write")
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    keys = [v["key"] for v in experiment.variants]
    variation = data.variation or (keys[1] if len(keys) > 1 else None)
    if variation not in keys[1:]:
        raise ValidationFailed(
            f"variation: {variation!r} is not one of the experiment's variants ({', '.join(keys[1:])})",
            [FieldError("variation", "unknown")],
        )
    results = service.experiment_results(session, actor, experiment.id)
    metric = _goal(experiment)
    effect = low = high = None
    for result in results.metrics:
        if metric is not None and result.key == metric.key:
            for v in result.variants:
                if v.variation == variation and not v.reason:
                    effect, low, high = v.expected, v.ci[0], v.ci[1]
    record = ExperimentDecision(
        workspace_id=actor.workspace_id,
        experiment_id=experiment.id,
        decision=data.decision,
        reason=data.reason.strip(),
        metric_key=metric.key if metric else None,
        variation=variation,
        effect=effect,
        ci_low=low,
        ci_high=high,
        idea_id=experiment.idea_id,
        decided_by=actor.user_id or None,
    )
    if experiment.idea_id is not None:
        _move_idea(session, actor, experiment.idea_id, IDEA_STATUS[data.decision])
        record.idea_status = IDEA_STATUS[data.decision]
    key_result_id = data.key_result_id or experiment.key_result_id
    if key_result_id is not None:
        current = strategy.get_key_result(session, actor, key_result_id).current
        relative = results.settings.difference == "relative"
        note = _words(data.decision, experiment, metric, variation, effect, relative) + f". {record.reason}"
        check_in = strategy.add_check_in(
            session, actor, key_result_id,
            CheckInCreate(value=current, confidence=data.confidence, note=note[:10_000]), source="experiment",
        )  # fmt: skip
        record.key_result_id, record.check_in_id = key_result_id, check_in.id
    if experiment.status != "concluded":
        service.update_experiment(session, actor, experiment.id, ExperimentUpdate(status="concluded"))
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        "decide",
        "experiment",
        experiment.id,
        f"{experiment.name}: {data.decision} — {record.reason[:200]}",
    )
    return record


def list_decisions(session: Session, actor: Actor, experiment_id: int) -> list[ExperimentDecision]:
    actor.require(READ)
    experiment = get_owned(session, Experiment, experiment_id, actor.workspace_id, "experiment")
    query = select(ExperimentDecision).where(ExperimentDecision.experiment_id == experiment.id)
    return list(
        session.scalars(query.order_by(ExperimentDecision.created_at.desc(), ExperimentDecision.id.desc()))
    )


def design_summary(experiment: Experiment) -> dict[str, Any] | None:
    """The stored plan and how far the run has come: exposed people against the people planned."""
    if not experiment.design:
        return None
    planned = DesignRead.model_validate(experiment.design)
    exposed = sum((experiment.exposure_summary or {}).get("exposed", {}).values())
    return {
        "plan": planned,
        "exposed": exposed,
        "share": min(1.0, exposed / planned.total) if planned.total else 0.0,
    }

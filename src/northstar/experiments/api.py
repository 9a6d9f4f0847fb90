"""JSON API for experiments: definitions, per-variant summaries and results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from northstar.core.listing import ListParams
from northstar.core.schemas import PageOut
from northstar.core.settings import Settings
from northstar.experiments import planning, service
from northstar.experiments.schemas import (
    AnalyzeRequest,
    DecisionCreate,
    DecisionRead,
    DesignRead,
    DesignRequest,
    EffectPoint,
    ExperimentCreate,
    ExperimentRead,
    ExperimentResults,
    ExperimentUpdate,
    RefreshRequest,
    RefreshResult,
    Status,
    SummaryRead,
    SummaryUpload,
    UploadResult,
)
from northstar.web.deps import DB, ApiActor, get_settings

router = APIRouter(prefix="/experiments", tags=["experiments"])
AppSettings = Annotated[Settings, Depends(get_settings)]


@router.get("")
def list_experiments(
    session: DB,
    actor: ApiActor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Status | None = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[ExperimentRead]:
    result = service.list_experiments(session, actor, ListParams(q, sort, page, per_page, {"status": status}))
    return PageOut(
        items=[ExperimentRead.model_validate(e) for e in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        total_capped=result.total_capped,
    )


@router.post("", status_code=201)
def create_experiment(body: ExperimentCreate, session: DB, actor: ApiActor) -> ExperimentRead:
    return ExperimentRead.model_validate(service.create_experiment(session, actor, body))


@router.post("/analyze")
def analyze_summary(body: AnalyzeRequest, actor: ApiActor) -> dict[str, Any]:
    """Analyse per-variant sums given as CSV without storing them: each variant against the first."""
    return service.analyze_summary(actor, body)


@router.get("/{experiment_id}")
def get_experiment(experiment_id: int, session: DB, actor: ApiActor) -> ExperimentRead:
    return ExperimentRead.model_validate(service.get_experiment(session, actor, experiment_id))


@router.patch("/{experiment_id}")
def update_experiment(
    experiment_id: int, body: ExperimentUpdate, session: DB, actor: ApiActor
) -> ExperimentRead:
    return ExperimentRead.model_validate(service.update_experiment(session, actor, experiment_id, body))


@router.delete("/{experiment_id}", status_code=204)
def delete_experiment(experiment_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_experiment(session, actor, experiment_id)


@router.post("/{experiment_id}/summaries")
def upload_summaries(experiment_id: int, body: SummaryUpload, session: DB, actor: ApiActor) -> UploadResult:
    """Replace one metric's per-variant sums (CSV text with gbstats query-row columns)."""
    return service.upload_summaries(session, actor, experiment_id, body)


@router.get("/{experiment_id}/summaries")
def list_summaries(experiment_id: int, session: DB, actor: ApiActor) -> list[SummaryRead]:
    return [SummaryRead.model_validate(s) for s in service.list_summaries(session, actor, experiment_id)]


@router.get("/{experiment_id}/results")
def experiment_results(experiment_id: int, session: DB, actor: ApiActor) -> ExperimentResults:
    """Each metric against the baseline variant, with the sample-ratio-mismatch check."""
    return service.experiment_results(session, actor, experiment_id)


@router.post("/{experiment_id}/refresh")
def refresh_from_events(
    experiment_id: int,
    session: DB,
    actor: ApiActor,
    settings: AppSettings,
    body: RefreshRequest | None = None,
) -> RefreshResult:
    """Recompute every metric that names an event from the workspace's event store (first exposure per person,
    persons who saw several variants left out and counted, events inside the analysis window)."""
    return service.refresh_from_events(session, actor, settings, experiment_id, body)


@router.post("/design")
def design(body: DesignRequest, actor: ApiActor) -> DesignRead:
    """People per variant and days needed to detect ``mde`` (nothing stored; Evan Miller's formula for rates)."""
    actor.require("workspace.read")
    return planning.design(body)


@router.put("/{experiment_id}/design")
def save_design(experiment_id: int, body: DesignRequest, session: DB, actor: ApiActor) -> DesignRead:
    """Plan the experiment's sample size and duration for its variants, and keep the plan on it."""
    return planning.save_design(session, actor, experiment_id, body)


@router.get("/{experiment_id}/effect")
def cumulative_effect(
    experiment_id: int, session: DB, actor: ApiActor, settings: AppSettings
) -> list[EffectPoint]:
    """Each variant's cumulative effect on the first goal metric, day by day, from the event store."""
    return planning.cumulative_effect(session, actor, settings, experiment_id)


@router.post("/{experiment_id}/decisions", status_code=201)
def record_decision(experiment_id: int, body: DecisionCreate, session: DB, actor: ApiActor) -> DecisionRead:
    """Conclude with ship / roll_back / iterate and a reason; moves the linked idea, checks in on the key result."""
    return DecisionRead.model_validate(planning.record_decision(session, actor, experiment_id, body))


@router.get("/{experiment_id}/decisions")
def list_decisions(experiment_id: int, session: DB, actor: ApiActor) -> list[DecisionRead]:
    return [DecisionRead.model_validate(d) for d in planning.list_decisions(session, actor, experiment_id)]

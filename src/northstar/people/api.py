"""JSON API of the people module: ladder, profiles, growth plans, 1:1s and 360-degree reviews."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from northstar.people import reviews_service as reviews
from northstar.people import serialize, service
from northstar.people.engine import job_description as jd
from northstar.people.engine.ladder import ladder_to_dict
from northstar.people.schemas import (
    AssessmentCreate,
    AssessmentRead,
    CycleCreate,
    CycleRead,
    GrowthItemCreate,
    GrowthItemRead,
    GrowthItemUpdate,
    GrowthPlanSet,
    LevelSet,
    MeetingCreate,
    NominationCreate,
    NominationDecision,
    ParticipantCreate,
    PlacementSet,
    RequestRead,
    ResponseSubmit,
    SeriesCreate,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["people"])

Stage = Literal["startup", "scale-up", "enterprise"]


class LadderImport(BaseModel):
    yaml: str = Field(min_length=1, max_length=2_000_000)


@router.get("/people/ladder")
def get_ladder(session: DB, actor: ApiActor) -> dict[str, Any]:
    return ladder_to_dict(service.get_ladder(session, actor))


@router.get("/people/ladder/export", response_class=PlainTextResponse)
def export_ladder(session: DB, actor: ApiActor) -> PlainTextResponse:
    return PlainTextResponse(service.export_ladder(session, actor), media_type="application/yaml")


@router.put("/people/ladder")
def import_ladder(body: LadderImport, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Replace the ladder with a YAML document; every problem is listed in the 422 response."""
    return ladder_to_dict(service.import_ladder(session, actor, body.yaml))


@router.get("/people/job-description", response_model=None)
def job_description(
    session: DB,
    actor: ApiActor,
    level: Annotated[str, Query(max_length=64)],
    stage: Stage = "scale-up",
    format: Literal["markdown", "html", "pdf"] = "markdown",
) -> Response:
    description = jd.build_job_description(service.get_ladder(session, actor), level, stage)
    if format == "pdf":
        return Response(jd.to_pdf(description), media_type="application/pdf")
    if format == "html":
        return HTMLResponse(jd.to_html(description))
    return PlainTextResponse(jd.to_markdown(description), media_type="text/markdown")


@router.get("/people/team")
def team(session: DB, actor: ApiActor) -> dict[str, Any]:
    return serialize.team_dict(service.team_view(session, actor))


@router.get("/people/{person_id}")
def profile(person_id: int, session: DB, actor: ApiActor) -> dict[str, Any]:
    return serialize.profile_dict(service.person_profile(session, actor, person_id))


@router.put("/people/{person_id}/level")
def set_level(person_id: int, body: LevelSet, session: DB, actor: ApiActor) -> dict[str, Any]:
    row = service.set_level(session, actor, person_id, body)
    return {"person_id": row.person_id, "level": row.level_code, "target_level": row.target_level_code}


@router.post("/people/{person_id}/assessments", status_code=201)
def add_assessment(person_id: int, body: AssessmentCreate, session: DB, actor: ApiActor) -> AssessmentRead:
    return AssessmentRead.model_validate(service.record_assessment(session, actor, person_id, body))


@router.put("/people/{person_id}/growth-plan")
def set_growth_plan(person_id: int, body: GrowthPlanSet, session: DB, actor: ApiActor) -> dict[str, Any]:
    plan = service.set_growth_plan(session, actor, person_id, body)
    return {"id": plan.id, "target_level": plan.target_level_code, "note": plan.note}


@router.post("/people/{person_id}/growth-items", status_code=201)
def add_growth_item(person_id: int, body: GrowthItemCreate, session: DB, actor: ApiActor) -> GrowthItemRead:
    return GrowthItemRead.model_validate(service.add_growth_item(session, actor, person_id, body))


@router.patch("/people/growth-items/{item_id}")
def update_growth_item(item_id: int, body: GrowthItemUpdate, session: DB, actor: ApiActor) -> GrowthItemRead:
    return GrowthItemRead.model_validate(service.update_growth_item(session, actor, item_id, body))


@router.post("/one-on-ones", status_code=201)
def create_series(body: SeriesCreate, session: DB, actor: ApiActor) -> dict[str, Any]:
    series = service.create_series(session, actor, body)
    return serialize.series_dict(service.get_series(session, actor, series.id)) if series else {}


@router.get("/one-on-ones")
def my_check_ins(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [
        {
            "series_id": d.series_id,
            "with": d.other_person,
            "next_due": d.next_due.isoformat(),
            "overdue": d.overdue,
        }
        for d in service.my_check_ins(session, actor)
    ]


@router.get("/one-on-ones/{series_id}")
def get_series(series_id: int, session: DB, actor: ApiActor) -> dict[str, Any]:
    return serialize.series_dict(service.get_series(session, actor, series_id))


@router.post("/one-on-ones/{series_id}/meetings", status_code=201)
def record_meeting(series_id: int, body: MeetingCreate, session: DB, actor: ApiActor) -> dict[str, Any]:
    service.record_meeting(session, actor, series_id, body)
    return serialize.series_dict(service.get_series(session, actor, series_id))


@router.get("/reviews/cycles")
def list_cycles(session: DB, actor: ApiActor) -> list[CycleRead]:
    return [CycleRead.model_validate(c) for c in reviews.list_cycles(session, actor)]


@router.post("/reviews/cycles", status_code=201)
def create_cycle(body: CycleCreate, session: DB, actor: ApiActor) -> CycleRead:
    return CycleRead.model_validate(reviews.create_cycle(session, actor, body))


@router.get("/reviews/cycles/{cycle_id}")
def get_cycle(cycle_id: int, session: DB, actor: ApiActor) -> CycleRead:
    return CycleRead.model_validate(reviews.get_cycle(session, actor, cycle_id))


@router.get("/reviews/cycles/{cycle_id}/progress")
def cycle_progress(cycle_id: int, session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return serialize.progress_dict(reviews.cycle_overview(session, actor, cycle_id))


@router.post("/reviews/cycles/{cycle_id}/participants", status_code=201)
def add_participant(cycle_id: int, body: ParticipantCreate, session: DB, actor: ApiActor) -> dict[str, Any]:
    participant = reviews.add_participant(session, actor, cycle_id, body.subject_person_id)
    return {"participant_id": participant.id, "subject_person_id": participant.subject_person_id}


@router.post("/reviews/participants/{participant_id}/nominations", status_code=201)
def nominate(participant_id: int, body: NominationCreate, session: DB, actor: ApiActor) -> RequestRead:
    return RequestRead.model_validate(reviews.nominate(session, actor, participant_id, body))


@router.post("/reviews/nominations/{request_id}/decision")
def decide(request_id: int, body: NominationDecision, session: DB, actor: ApiActor) -> RequestRead:
    return RequestRead.model_validate(reviews.decide_nomination(session, actor, request_id, body.approve))


@router.get("/reviews/requests")
def my_requests(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [
        {
            "request_id": p.request.id,
            "cycle": p.cycle.name,
            "reviewee": p.subject_name,
            "group": p.request.rater_group,
        }
        for p in reviews.my_requests(session, actor)
    ]


@router.post("/reviews/requests/{request_id}/response", status_code=201)
def respond(request_id: int, body: ResponseSubmit, session: DB, actor: ApiActor) -> dict[str, str]:
    reviews.submit_response(session, actor, request_id, body)
    return {"status": "submitted"}


@router.post("/reviews/cycles/{cycle_id}/close")
def close_cycle(cycle_id: int, session: DB, actor: ApiActor) -> CycleRead:
    return CycleRead.model_validate(reviews.close_cycle(session, actor, cycle_id))


@router.post("/reviews/cycles/{cycle_id}/release")
def release(cycle_id: int, session: DB, actor: ApiActor) -> CycleRead:
    return CycleRead.model_validate(reviews.release_reports(session, actor, cycle_id))


@router.get("/reviews/participants/{participant_id}/report")
def report(participant_id: int, session: DB, actor: ApiActor) -> dict[str, Any]:
    """The anonymity-safe 360 report (the same for every reader who may see it)."""
    return serialize.report_dict(reviews.participant_report(session, actor, participant_id))


@router.put("/reviews/participants/{participant_id}/placement")
def placement(participant_id: int, body: PlacementSet, session: DB, actor: ApiActor) -> dict[str, Any]:
    row = reviews.set_placement(session, actor, participant_id, body)
    return {"participant_id": row.id, "performance": row.performance, "potential": row.potential}


@router.get("/reviews/cycles/{cycle_id}/calibration")
def calibration(cycle_id: int, session: DB, actor: ApiActor) -> dict[str, Any]:
    return serialize.calibration_dict(reviews.calibration(session, actor, cycle_id))

"""JSON API of the maturity module."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from northstar.maturity import serialize, service
from northstar.maturity.schemas import AssessmentCreate
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/maturity", tags=["maturity"])

Stage = Literal["startup", "scale-up", "enterprise"]


@router.get("/model")
def get_model(actor: ApiActor) -> dict[str, Any]:
    m = service.model()
    return {
        "name": m.name,
        "max_level": m.max_level,
        "stages": {k: asdict(v) for k, v in m.stages.items()},
        "business_functions": [
            {
                "id": f.id,
                "name": f.name,
                "focus_areas": [
                    {"id": a.id, "name": a.name, "capabilities": [asdict(c) for c in a.capabilities]}
                    for a in f.areas
                ],
            }
            for f in m.functions
        ],
    }


@router.get("/evidence")
def evidence(session: DB, actor: ApiActor) -> dict[str, Any]:
    """What the workspace's own records show, rule by rule."""
    return {name: asdict(f) for name, f in service.evidence(session, actor).items()}


@router.post("/assessments", status_code=201)
def assess(body: AssessmentCreate, session: DB, actor: ApiActor) -> dict[str, Any]:
    row = service.assess(session, actor, body)
    return serialize.report_dict(service.get_report(session, actor, row.id))


@router.get("/assessments")
def list_assessments(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    return [
        {"id": a.id, "assessed_on": a.assessed_on.isoformat(), "stage": a.stage, **a.summary}
        for a in service.list_assessments(session, actor)
    ]


@router.get("/assessments/{assessment_id}")
def get_assessment(assessment_id: int, session: DB, actor: ApiActor) -> dict[str, Any]:
    return serialize.report_dict(service.get_report(session, actor, assessment_id))


@router.get("/assessments/{assessment_id}/pdf", response_model=None)
def assessment_pdf(assessment_id: int, session: DB, actor: ApiActor) -> Response:
    return Response(service.report_pdf(session, actor, assessment_id), media_type="application/pdf")


@router.get("/compare")
def compare(
    session: DB, actor: ApiActor, before: Annotated[int, Query(ge=1)], after: Annotated[int, Query(ge=1)]
) -> dict[str, Any]:
    first, second, changes = service.compare(session, actor, before, after)
    return {
        "before": {"id": first.assessment.id, "assessed_on": first.assessment.assessed_on.isoformat()},
        "after": {"id": second.assessment.id, "assessed_on": second.assessment.assessed_on.isoformat()},
        "changes": serialize.changes_dict(changes),
    }


@router.get("/head-of-product")
def head_of_product(session: DB, actor: ApiActor, stage: Stage = "scale-up") -> list[dict[str, Any]]:
    return [asdict(i) for i in service.head_of_product_checklist(session, actor, stage)]

"""Pages of the maturity module: results with a radar chart and history, the assessment form, comparison
between two dates, the Head of Product checklist, and the PDF export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.maturity import service
from northstar.maturity.engine.model import ModelError
from northstar.maturity.radar import radar_svg
from northstar.maturity.schemas import AnswerIn, AssessmentCreate
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
STAGES = ("startup", "scale-up", "enterprise")


@router.get("/maturity")
def maturity_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    before: Annotated[int | None, Query(ge=1)] = None,
    after: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    history = service.list_assessments(session, user.actor)
    if not history:
        return render(
            request,
            "maturity.html",
            user=user,
            report=None,
            history=[],
            can_assess=user.actor.can("maturity.write"),
        )
    current = service.get_report(session, user.actor, after or history[0].id)
    other_id = before or (history[1].id if len(history) > 1 else None)
    previous = service.get_report(session, user.actor, other_id) if other_id else None
    changes = (
        service.compare(session, user.actor, previous.assessment.id, current.assessment.id)[2]
        if previous
        else ()
    )
    labels = [a.name for a in current.result.areas]
    series = [(f"{current.assessment.assessed_on}", [a.level for a in current.result.areas])]
    if previous:
        earlier = {a.area_id: a.level for a in previous.result.areas}
        series.append(
            (f"{previous.assessment.assessed_on}", [earlier.get(a.area_id, 0) for a in current.result.areas])
        )
    the_model = service.model()
    return render(
        request,
        "maturity.html",
        user=user,
        report=current,
        previous=previous,
        changes=changes,
        history=history,
        radar=radar_svg(labels, series, the_model.max_level),
        features=the_model.features,
        capability=the_model.capability,
        checklist=service.head_of_product_checklist(session, user.actor, current.assessment.stage),
        can_assess=user.actor.can("maturity.write"),
    )


@router.get("/maturity/assess")
def assess_page(
    request: Request, session: DB, user: CurrentUser, stage: Annotated[str, Query(max_length=16)] = "scale-up"
) -> Response:
    user.actor.require("maturity.write")
    findings = service.evidence(session, user.actor)
    return render(
        request,
        "maturity_assess.html",
        user=user,
        model=service.model(),
        findings=findings,
        stage=stage if stage in STAGES else "scale-up",
        stages=STAGES,
    )


@router.post("/maturity/assess")
async def assess(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    findings = service.evidence(session, user.actor)
    answers: dict[str, AnswerIn] = {}
    for cap in service.model().capabilities():
        value = form.get(f"answer_{cap.id}", "")
        if not value:
            continue
        evidence_answer = findings[cap.evidence].answer if cap.evidence else None
        if value == evidence_answer:
            continue  # keep the evidence as the source
        answers[cap.id] = AnswerIn(answer=value, note=form.get(f"note_{cap.id}", ""))  # type: ignore[arg-type]
    stage = form.get("stage", "scale-up")
    stage = stage if stage in STAGES else "scale-up"
    try:
        row = service.assess(session, user.actor, AssessmentCreate(stage=stage, answers=answers))  # type: ignore[arg-type]
    except ModelError as error:
        # back to the form with every answer and note kept, the problem next to the note it needs
        session.rollback()
        return render(
            request,
            "maturity_assess.html",
            status_code=422,
            user=user,
            model=service.model(),
            findings=findings,
            stage=stage,
            stages=STAGES,
            typed=form,
            errors={f"note_{problem.field}": problem.message for problem in error.errors},
        )
    return RedirectResponse(f"/maturity?after={row.id}", status_code=303)


@router.get("/maturity/{assessment_id}/pdf")
def assessment_pdf(session: DB, user: CurrentUser, assessment_id: int) -> Response:
    body = service.report_pdf(session, user.actor, assessment_id)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=maturity-{assessment_id}.pdf"},
    )

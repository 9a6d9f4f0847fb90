"""Pages of the people module: team view, profile, ladder and job descriptions, 1:1s, and 360 reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from northstar.core.charts import line_chart
from northstar.core.errors import FieldError, ValidationFailed
from northstar.people import reviews_service as reviews
from northstar.people import service
from northstar.people.engine import job_description as jd
from northstar.people.engine.calibration import BOX_NAMES, PERFORMANCE_STEPS, POTENTIAL_STEPS
from northstar.people.engine.head_of_product import STAGE_ORDER
from northstar.people.schemas import (
    ActionItemIn,
    AssessmentCreate,
    CycleCreate,
    GrowthItemCreate,
    GrowthItemUpdate,
    LevelSet,
    MeetingCreate,
    NominationCreate,
    PlacementSet,
    ResponseSubmit,
    SeriesCreate,
)
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


async def _form(request: Request, user: Any) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


@router.get("/people")
def team_page(request: Request, session: DB, user: CurrentUser) -> Response:
    view = service.team_view(session, user.actor)
    chart = None
    if view.pulse:
        chart = line_chart(
            [{"week": p.week, "pulse": p.mean} for p in view.pulse],
            "week",
            "pulse",
            title="Team-health pulse (1–5)",
            x_type="O",
        )
    me = service.viewer_person(session, user.actor)
    return render(
        request,
        "people_team.html",
        user=user,
        view=view,
        chart=chart,
        me=me,
        check_ins=service.my_check_ins(session, user.actor),
        requests=reviews.my_requests(session, user.actor),
    )


@router.get("/people/ladder")
def ladder_page(request: Request, session: DB, user: CurrentUser) -> Response:
    ladder = service.get_ladder(session, user.actor)
    return render(
        request,
        "people_ladder.html",
        user=user,
        ladder=ladder,
        stages=STAGE_ORDER,
        can_edit=user.actor.can("people.write"),
        error=None,
    )


@router.post("/people/ladder")
async def import_ladder(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    service.import_ladder(session, user.actor, form.get("yaml", ""))
    return RedirectResponse("/people/ladder", status_code=303)


@router.get("/people/ladder/export")
def export_ladder(session: DB, user: CurrentUser) -> Response:
    return PlainTextResponse(
        service.export_ladder(session, user.actor),
        media_type="application/yaml",
        headers={"Content-Disposition": "attachment; filename=ladder.yaml"},
    )


@router.get("/people/job-description")
def job_description_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    level: Annotated[str, Query(max_length=64)],
    stage: Annotated[str, Query(max_length=16)] = "scale-up",
    download: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    description = jd.build_job_description(service.get_ladder(session, user.actor), level, stage)
    name = f"{level}-{stage}"
    if download == "pdf":
        return Response(
            jd.to_pdf(description),
            media_type="application/pdf",
            headers={"Content-Disposition": f"attachment; filename={name}.pdf"},
        )
    if download == "md":
        return PlainTextResponse(
            jd.to_markdown(description), headers={"Content-Disposition": f"attachment; filename={name}.md"}
        )
    return render(
        request, "people_jd.html", user=user, body=jd.to_html(description), level=level, stage=stage
    )


@router.get("/people/{person_id}")
def profile_page(request: Request, session: DB, user: CurrentUser, person_id: int) -> Response:
    profile = service.person_profile(session, user.actor, person_id)
    ladder = service.get_ladder(session, user.actor)
    participations = reviews.reports_about(session, user.actor, person_id)
    latest = profile.latest_self if profile.relation.value == "self" else profile.latest_manager
    assess_levels = [
        lv
        for lv in (
            ladder.path_to(profile.target_level_code) if profile.target_level_code else ladder.levels[:1]
        )
    ]
    return render(
        request,
        "people_profile.html",
        user=user,
        profile=profile,
        ladder=ladder,
        participations=participations,
        competencies=ladder.competencies(),
        assess_kind="self" if profile.relation.value == "self" else "manager",
        assess_levels=assess_levels,
        already_met=set(latest.met_behaviours) if latest else set(),
        can_manage=profile.relation.value in ("manager", "leader"),
    )


@router.post("/people/{person_id}/assessments")
async def add_assessment(request: Request, session: DB, user: CurrentUser, person_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    met = [str(v) for v in form.getlist("met")]
    kind = str(form.get("kind", "self"))
    service.record_assessment(
        session,
        user.actor,
        person_id,
        AssessmentCreate(kind=kind, met_behaviours=met, note=str(form.get("note", ""))),  # type: ignore[arg-type]
    )
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/level")
async def set_level(request: Request, session: DB, user: CurrentUser, person_id: int) -> Response:
    form = await _form(request, user)
    service.set_level(
        session,
        user.actor,
        person_id,
        LevelSet(
            level_code=form.get("level_code", ""), target_level_code=form.get("target_level_code") or None
        ),
    )
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id}/one-on-ones")
async def start_series(request: Request, session: DB, user: CurrentUser, person_id: int) -> Response:
    form = await _form(request, user)
    person = service.person_profile(session, user.actor, person_id).person
    if person.manager_id is None:
        raise ValidationFailed(
            "set the person's manager first (Teams)", [FieldError("manager_id", "missing")]
        )
    series = service.create_series(
        session,
        user.actor,
        SeriesCreate(
            manager_person_id=person.manager_id,
            report_person_id=person.id,
            cadence=form.get("cadence", "weekly"),
        ),  # type: ignore[arg-type]
    )
    return RedirectResponse(f"/people/one-on-ones/{series.id}", status_code=303)


@router.post("/people/{person_id}/growth-items")
async def add_growth_item(request: Request, session: DB, user: CurrentUser, person_id: int) -> Response:
    form = await _form(request, user)
    due = date.fromisoformat(form["due"]) if form.get("due") else None
    service.add_growth_item(
        session,
        user.actor,
        person_id,
        GrowthItemCreate(
            title=form.get("title", ""),
            competency_id=form.get("competency_id", ""),
            behaviour_id=form.get("behaviour_id") or None,
            due=due,
        ),
    )
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/growth-items/{item_id}")
async def update_growth_item(request: Request, session: DB, user: CurrentUser, item_id: int) -> Response:
    form = await _form(request, user)
    status = form.get("status")
    if status not in ("open", "in_progress", "done", "dropped"):
        raise ValidationFailed(
            "status must be open, in_progress, done or dropped", [FieldError("status", "invalid")]
        )
    service.update_growth_item(session, user.actor, item_id, GrowthItemUpdate(status=status))  # type: ignore[arg-type]
    person = form.get("person_id", "")
    return RedirectResponse(f"/people/{person}" if person.isdigit() else "/people", status_code=303)


@router.get("/people/one-on-ones/{series_id}")
def series_page(request: Request, session: DB, user: CurrentUser, series_id: int) -> Response:
    view = service.get_series(session, user.actor, series_id)
    return render(request, "people_series.html", user=user, view=view, today=date.today().isoformat())


@router.post("/people/one-on-ones/{series_id}")
async def record_meeting(request: Request, session: DB, user: CurrentUser, series_id: int) -> Response:
    form = await _form(request, user)
    try:
        held_on = date.fromisoformat(form.get("held_on", ""))
    except ValueError:
        raise ValidationFailed(
            "held_on: give the date of the 1:1 as YYYY-MM-DD", [FieldError("held_on", "invalid date")]
        )
    items = [
        ActionItemIn(text=line.strip()) for line in form.get("action_items", "").splitlines() if line.strip()
    ]
    pulse = int(form["pulse"]) if form.get("pulse", "").isdigit() else None
    service.record_meeting(
        session,
        user.actor,
        series_id,
        MeetingCreate(
            held_on=held_on,
            agenda=[line.strip() for line in form.get("agenda", "").splitlines() if line.strip()],
            shared_notes=form.get("shared_notes", ""),
            private_notes=form.get("private_notes", ""),
            action_items=items,
            pulse=pulse,
        ),
    )
    return RedirectResponse(f"/people/one-on-ones/{series_id}", status_code=303)


@router.post("/people/one-on-ones/{series_id}/items/{meeting_id}/{index}")
async def close_item(
    request: Request, session: DB, user: CurrentUser, series_id: int, meeting_id: int, index: int
) -> Response:
    await _form(request, user)
    service.close_action_item(session, user.actor, meeting_id, index)
    return RedirectResponse(f"/people/one-on-ones/{series_id}", status_code=303)


@router.get("/reviews")
def reviews_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return render(
        request,
        "reviews_index.html",
        user=user,
        requests=reviews.my_requests(session, user.actor),
        participations=reviews.my_participations(session, user.actor),
        cycles=reviews.list_cycles(session, user.actor) if user.actor.can("reviews.manage") else [],
        people=service.team_view(session, user.actor).rows if user.actor.can("reviews.manage") else [],
        directory=service.directory(session, user.actor),
        today=date.today(),
        in_three_weeks=date.today() + timedelta(weeks=3),
    )


@router.post("/reviews/cycles")
async def create_cycle(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    try:
        opens = datetime.combine(date.fromisoformat(str(form.get("opens_on", ""))), time(0), tzinfo=UTC)
        closes = datetime.combine(
            date.fromisoformat(str(form.get("closes_on", ""))), time(23, 59), tzinfo=UTC
        )
    except ValueError:
        raise ValidationFailed(
            "give the response window as two dates (YYYY-MM-DD)", [FieldError("opens_on", "invalid date")]
        )
    questions = reviews.default_questions(service.get_ladder(session, user.actor))
    cycle = reviews.create_cycle(
        session,
        user.actor,
        CycleCreate(name=str(form.get("name", "")), questions=questions, opens_at=opens, closes_at=closes),
    )
    for value in form.getlist("participant"):
        if str(value).isdigit():
            reviews.add_participant(session, user.actor, cycle.id, int(str(value)))
    return RedirectResponse(f"/reviews/cycles/{cycle.id}", status_code=303)


@router.post("/reviews/participants/{participant_id}/nominate")
async def nominate(request: Request, session: DB, user: CurrentUser, participant_id: int) -> Response:
    form = await _form(request, user)
    rater = form.get("rater_person_id", "")
    if not rater.isdigit():
        raise ValidationFailed("choose a rater", [FieldError("rater_person_id", "required")])
    reviews.nominate(
        session,
        user.actor,
        participant_id,
        NominationCreate(rater_person_id=int(rater), rater_group=form.get("rater_group", "peer")),
    )  # type: ignore[arg-type]
    return RedirectResponse("/reviews", status_code=303)


@router.get("/reviews/requests/{request_id}")
def request_page(request: Request, session: DB, user: CurrentUser, request_id: int) -> Response:
    pending = reviews.get_request_form(session, user.actor, request_id)
    questionnaire = reviews.questionnaire_of(pending.cycle)
    return render(request, "reviews_request.html", user=user, pending=pending, questionnaire=questionnaire)


@router.post("/reviews/requests/{request_id}")
async def submit(request: Request, session: DB, user: CurrentUser, request_id: int) -> Response:
    form = await _form(request, user)
    ratings = {k[7:]: int(v) for k, v in form.items() if k.startswith("rating_") and v.isdigit()}
    comments = {k[8:]: v for k, v in form.items() if k.startswith("comment_") and v.strip()}
    reviews.submit_response(
        session, user.actor, request_id, ResponseSubmit(ratings=ratings, comments=comments)
    )
    return RedirectResponse("/reviews?submitted=1", status_code=303)


@router.get("/reviews/participants/{participant_id}/report")
def report_page(request: Request, session: DB, user: CurrentUser, participant_id: int) -> Response:
    view = reviews.participant_report(session, user.actor, participant_id)
    questions = {q.id: q.text for q in reviews.questionnaire_of(view.cycle).questions}
    return render(
        request, "reviews_report.html", user=user, view=view, report=view.report, questions=questions
    )


@router.get("/reviews/cycles/{cycle_id}")
def cycle_page(request: Request, session: DB, user: CurrentUser, cycle_id: int) -> Response:
    cycle = reviews.get_cycle(session, user.actor, cycle_id)
    progress = reviews.cycle_overview(session, user.actor, cycle_id)
    result = reviews.calibration(session, user.actor, cycle_id)
    rows = [list(reversed(range(7, 10))), list(reversed(range(4, 7))), list(reversed(range(1, 4)))]
    grid = [[(n, result.nine_box.grid.get(n, ())) for n in reversed(row)] for row in rows]
    return render(
        request,
        "reviews_cycle.html",
        user=user,
        cycle=cycle,
        progress=progress,
        calibration=result,
        grid=grid,
        box_names={p * 1 + q * 3 + 1: name for (p, q), name in BOX_NAMES.items()},
        performance_steps=PERFORMANCE_STEPS,
        potential_steps=POTENTIAL_STEPS,
        is_owner=cycle.owner_user_id == user.actor.user_id,
        reminded=request.query_params.get("reminded"),
    )


@router.post("/reviews/cycles/{cycle_id}/remind")
async def remind(request: Request, session: DB, user: CurrentUser, cycle_id: int) -> Response:
    await _form(request, user)
    reminders = reviews.send_reminders(session, user.actor, cycle_id)
    return RedirectResponse(f"/reviews/cycles/{cycle_id}?reminded={len(reminders)}", status_code=303)


@router.post("/reviews/cycles/{cycle_id}/release")
async def release(request: Request, session: DB, user: CurrentUser, cycle_id: int) -> Response:
    await _form(request, user)
    reviews.release_reports(session, user.actor, cycle_id)
    return RedirectResponse(f"/reviews/cycles/{cycle_id}", status_code=303)


@router.post("/reviews/cycles/{cycle_id}/close")
async def close(request: Request, session: DB, user: CurrentUser, cycle_id: int) -> Response:
    await _form(request, user)
    reviews.close_cycle(session, user.actor, cycle_id)
    return RedirectResponse(f"/reviews/cycles/{cycle_id}", status_code=303)


@router.post("/reviews/participants/{participant_id}/placement")
async def placement(request: Request, session: DB, user: CurrentUser, participant_id: int) -> Response:
    form = await _form(request, user)
    participant = reviews.set_placement(
        session,
        user.actor,
        participant_id,
        PlacementSet(performance=form.get("performance", ""), potential=form.get("potential", "")),  # type: ignore[arg-type]
    )
    return RedirectResponse(f"/reviews/cycles/{participant.cycle_id}", status_code=303)

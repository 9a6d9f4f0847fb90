"""Use cases of the people module: the ladder, ladder positions and assessments, growth plans, 1:1s.

360-degree reviews live in :mod:`northstar.people.reviews_service`. Every function takes the session and
the acting user, checks permissions and the viewer's relation to the person (see :mod:`.access`), and
leaves the transaction to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.people.access import (
    Relation,
    person_for_viewer,
    relation_to,
    require_manager_or_leader,
    viewer_person,
)
from northstar.people.engine import checkins as checkin_engine
from northstar.people.engine.growth import GrowthItem as GrowthItemValue
from northstar.people.engine.growth import (
    GrowthProgress,
    GrowthSuggestion,
    growth_progress,
    suggest_growth_items,
)
from northstar.people.engine.ladder import (
    Ladder,
    dump_ladder_yaml,
    ladder_from_dict,
    ladder_to_dict,
    load_default_ladder,
    parse_ladder_yaml,
)
from northstar.people.engine.readiness import (
    AssessmentComparison,
    Readiness,
    compare_assessments,
    readiness_for,
)
from northstar.people.models import (
    Assessment,
    CheckInMeeting,
    CheckInSeries,
    GrowthItem,
    GrowthPlan,
    LadderDocument,
    LadderLevel,
)
from northstar.people.schemas import (
    AssessmentCreate,
    GrowthItemCreate,
    GrowthItemUpdate,
    GrowthPlanSet,
    LevelSet,
    MeetingCreate,
    SeriesCreate,
)
from northstar.teams.models import Person

# --- ladder -------------------------------------------------------------------------------------------


def get_ladder(session: Session, actor: Actor) -> Ladder:
    """The workspace's ladder, or Northstar's default until one is imported."""
    actor.require(READ)
    row = session.scalar(select(LadderDocument).where(LadderDocument.workspace_id == actor.workspace_id))
    return ladder_from_dict(row.document) if row is not None else load_default_ladder()


def import_ladder(session: Session, actor: Actor, yaml_text: str) -> Ladder:
    """Replace the workspace's ladder with a validated YAML document; an invalid one changes nothing."""
    actor.require("people.write")
    ladder = parse_ladder_yaml(yaml_text)
    row = session.scalar(select(LadderDocument).where(LadderDocument.workspace_id == actor.workspace_id))
    if row is None:
        row = LadderDocument(workspace_id=actor.workspace_id, name=ladder.name, document={})
        session.add(row)
    row.name, row.document = ladder.name, ladder_to_dict(ladder)
    session.flush()
    audit.record(
        session, actor, "import", "ladder", row.id, f"{ladder.name}: {len(ladder.behaviours)} behaviours"
    )
    return ladder


def export_ladder(session: Session, actor: Actor) -> str:
    return dump_ladder_yaml(get_ladder(session, actor))


# --- positions and assessments ------------------------------------------------------------------------


def set_level(session: Session, actor: Actor, person_id: int, data: LevelSet) -> LadderLevel:
    person = get_owned(session, Person, person_id, actor.workspace_id, "person")
    require_manager_or_leader(session, actor, person)
    ladder = get_ladder(session, actor)
    for code in filter(None, (data.level_code, data.target_level_code)):
        ladder.level(code)
    row = session.scalar(select(LadderLevel).where(LadderLevel.person_id == person.id))
    if row is None:
        row = LadderLevel(workspace_id=actor.workspace_id, person_id=person.id, level_code=data.level_code)
        session.add(row)
    row.level_code, row.target_level_code = data.level_code, data.target_level_code
    session.flush()
    audit.record(session, actor, "set_level", "person", person.id, f"{person.name}: {data.level_code}")
    return row


def record_assessment(session: Session, actor: Actor, person_id: int, data: AssessmentCreate) -> Assessment:
    """A self-assessment by the person, or a manager assessment by their manager or a people leader."""
    person, relation = person_for_viewer(session, actor, person_id)
    if data.kind == "self" and relation is not Relation.SELF:
        raise PermissionDenied("only the person can record their self-assessment")
    if data.kind == "manager" and relation not in (Relation.MANAGER, Relation.LEADER):
        raise PermissionDenied("only the person's manager or a people leader can record a manager assessment")
    known = {b.id for b in get_ladder(session, actor).behaviours}
    unknown = [b for b in data.met_behaviours if b not in known]
    if unknown:
        raise ValidationFailed(
            f"{len(unknown)} behaviour id(s) are not in the ladder, e.g. '{unknown[0]}'; nothing was saved",
            [FieldError("met_behaviours", f"unknown behaviour '{b}'") for b in unknown[:20]],
        )
    me = viewer_person(session, actor)
    row = Assessment(
        workspace_id=actor.workspace_id,
        person_id=person.id,
        assessor_person_id=me.id if me else None,
        kind=data.kind,
        assessed_on=data.assessed_on or date.today(),
        met_behaviours=sorted(set(data.met_behaviours)),
        note=data.note,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "assess", "person", person.id, f"{data.kind} assessment of {person.name}")
    return row


def _latest(session: Session, person_id: int, kind: str) -> Assessment | None:
    return session.scalar(
        select(Assessment)
        .where(Assessment.person_id == person_id, Assessment.kind == kind)
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    )


# --- growth plans -------------------------------------------------------------------------------------


def _plan(session: Session, actor: Actor, person: Person, create: bool) -> GrowthPlan | None:
    plan = session.scalar(select(GrowthPlan).where(GrowthPlan.person_id == person.id))
    if plan is None and create:
        plan = GrowthPlan(workspace_id=actor.workspace_id, person_id=person.id)
        session.add(plan)
        session.flush()
    return plan


def set_growth_plan(session: Session, actor: Actor, person_id: int, data: GrowthPlanSet) -> GrowthPlan:
    person, _ = person_for_viewer(session, actor, person_id)
    if data.target_level_code:
        get_ladder(session, actor).level(data.target_level_code)
    plan = _plan(session, actor, person, create=True)
    assert plan is not None
    plan.target_level_code, plan.note = data.target_level_code, data.note
    audit.record(session, actor, "update", "growth_plan", plan.id, person.name)
    return plan


def add_growth_item(session: Session, actor: Actor, person_id: int, data: GrowthItemCreate) -> GrowthItem:
    """Add an item to the person's plan (the person, their manager or a leader); it must name a competency."""
    person, _ = person_for_viewer(session, actor, person_id)
    ladder = get_ladder(session, actor)
    ladder.competency(data.competency_id)
    if data.behaviour_id and data.behaviour_id not in {b.id for b in ladder.behaviours}:
        raise ValidationFailed(
            f"unknown behaviour '{data.behaviour_id}'", [FieldError("behaviour_id", "unknown")]
        )
    plan = _plan(session, actor, person, create=True)
    assert plan is not None
    item = GrowthItem(workspace_id=actor.workspace_id, plan_id=plan.id, **data.model_dump())
    session.add(item)
    session.flush()
    audit.record(session, actor, "create", "growth_item", item.id, item.title)
    return item


def update_growth_item(session: Session, actor: Actor, item_id: int, data: GrowthItemUpdate) -> GrowthItem:
    item = get_owned(session, GrowthItem, item_id, actor.workspace_id, "growth item")
    plan = get_owned(session, GrowthPlan, item.plan_id, actor.workspace_id, "growth plan")
    person_for_viewer(session, actor, plan.person_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(item, key, value)
    audit.record(session, actor, "update", "growth_item", item.id, item.title)
    return item


# --- 1:1 check-ins ------------------------------------------------------------------------------------


def create_series(session: Session, actor: Actor, data: SeriesCreate) -> CheckInSeries:
    """Start a recurring 1:1 between a manager and a report (the manager themself or a people leader)."""
    manager = get_owned(session, Person, data.manager_person_id, actor.workspace_id, "person")
    report = get_owned(session, Person, data.report_person_id, actor.workspace_id, "person")
    if manager.id == report.id:
        raise ValidationFailed(
            "a 1:1 needs two different people", [FieldError("report_person_id", "same person")]
        )
    me = viewer_person(session, actor)
    if not actor.can("people.write") and (me is None or me.id != manager.id):
        raise PermissionDenied("only the manager or a people leader can start a 1:1 series")
    existing = session.scalar(
        select(CheckInSeries).where(
            CheckInSeries.manager_person_id == manager.id, CheckInSeries.report_person_id == report.id
        )
    )
    if existing is not None:
        return existing
    series = CheckInSeries(
        workspace_id=actor.workspace_id,
        manager_person_id=manager.id,
        report_person_id=report.id,
        cadence=data.cadence,
        started_on=data.started_on or date.today(),
    )
    session.add(series)
    session.flush()
    audit.record(session, actor, "create", "checkin_series", series.id, f"{manager.name} / {report.name}")
    return series


def _series_side(session: Session, actor: Actor, series: CheckInSeries) -> str:
    """'manager' or 'report' for the two participants; anyone else may not read or write the 1:1."""
    me = viewer_person(session, actor)
    if me is not None and me.id == series.manager_person_id:
        return "manager"
    if me is not None and me.id == series.report_person_id:
        return "report"
    raise PermissionDenied("1:1 notes are visible only to the two people in the 1:1")


@dataclass(frozen=True)
class MeetingView:
    id: int
    held_on: date
    agenda: list[str]
    shared_notes: str
    my_private_notes: str
    action_items: list[dict[str, Any]]
    pulse: int | None


def _meeting_view(meeting: CheckInMeeting, side: str) -> MeetingView:
    private = meeting.manager_private_notes if side == "manager" else meeting.report_private_notes
    return MeetingView(
        id=meeting.id,
        held_on=meeting.held_on,
        agenda=list(meeting.agenda),
        shared_notes=meeting.shared_notes,
        my_private_notes=private,
        action_items=list(meeting.action_items),
        pulse=meeting.pulse if side == "report" else None,
    )


def _meetings(session: Session, series_id: int) -> list[CheckInMeeting]:
    return list(
        session.scalars(
            select(CheckInMeeting)
            .where(CheckInMeeting.series_id == series_id)
            .order_by(CheckInMeeting.held_on.desc(), CheckInMeeting.id.desc())
        )
    )


def record_meeting(session: Session, actor: Actor, series_id: int, data: MeetingCreate) -> MeetingView:
    """Record a 1:1; the writer's private notes go to their side only, open items of the last meeting are
    carried forward, and the pulse is taken only from the report."""
    series = get_owned(session, CheckInSeries, series_id, actor.workspace_id, "1:1 series")
    side = _series_side(session, actor, series)
    previous = _meetings(session, series.id)
    carried = []
    if previous:
        carried = [
            dict(item)
            for item in previous[0].action_items
            if not item.get("done") and item.get("text") not in {a.text for a in data.action_items}
        ]
    items = carried + [
        {"text": a.text, "owner": a.owner, "done": a.done, "raised_on": data.held_on.isoformat()}
        for a in data.action_items
    ]
    if data.pulse is not None and side != "report":
        raise ValidationFailed("the pulse is answered by the report", [FieldError("pulse", "report only")])
    meeting = CheckInMeeting(
        workspace_id=actor.workspace_id,
        series_id=series.id,
        held_on=data.held_on,
        agenda=list(data.agenda),
        shared_notes=data.shared_notes,
        manager_private_notes=data.private_notes if side == "manager" else "",
        report_private_notes=data.private_notes if side == "report" else "",
        action_items=items,
        pulse=data.pulse,
    )
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "create", "checkin_meeting", meeting.id, f"1:1 on {data.held_on}")
    return _meeting_view(meeting, side)


def close_action_item(session: Session, actor: Actor, meeting_id: int, index: int) -> MeetingView:
    meeting = get_owned(session, CheckInMeeting, meeting_id, actor.workspace_id, "1:1")
    series = get_owned(session, CheckInSeries, meeting.series_id, actor.workspace_id, "1:1 series")
    side = _series_side(session, actor, series)
    items = [dict(i) for i in meeting.action_items]
    if not 0 <= index < len(items):
        raise NotFound(f"no action item {index} in this 1:1")
    items[index]["done"] = True
    meeting.action_items = items
    return _meeting_view(meeting, side)


@dataclass(frozen=True)
class SeriesView:
    series: CheckInSeries
    manager: Person
    report: Person
    side: str
    status: checkin_engine.CheckInStatus
    meetings: list[MeetingView]
    next_agenda_items: list[dict[str, Any]]


def get_series(session: Session, actor: Actor, series_id: int) -> SeriesView:
    series = get_owned(session, CheckInSeries, series_id, actor.workspace_id, "1:1 series")
    side = _series_side(session, actor, series)
    meetings = _meetings(session, series.id)
    last = meetings[0].held_on if meetings else None
    return SeriesView(
        series=series,
        manager=session.get_one(Person, series.manager_person_id),
        report=session.get_one(Person, series.report_person_id),
        side=side,
        status=checkin_engine.check_in_status(series.cadence, last, series.started_on, date.today()),
        meetings=[_meeting_view(m, side) for m in meetings],
        next_agenda_items=[i for i in (meetings[0].action_items if meetings else []) if not i.get("done")],
    )


@dataclass(frozen=True)
class DueCheckIn:
    series_id: int
    other_person: str
    next_due: date
    overdue: bool


def my_check_ins(session: Session, actor: Actor, today: date | None = None) -> list[DueCheckIn]:
    """The viewer's 1:1 series with their next due date, overdue ones first (for the home page)."""
    actor.require(READ)
    me = viewer_person(session, actor)
    if me is None:
        return []
    today = today or date.today()
    rows = session.scalars(
        select(CheckInSeries).where(
            CheckInSeries.workspace_id == actor.workspace_id,
            (CheckInSeries.manager_person_id == me.id) | (CheckInSeries.report_person_id == me.id),
        )
    )
    due = []
    for series in rows:
        meetings = _meetings(session, series.id)
        status = checkin_engine.check_in_status(
            series.cadence, meetings[0].held_on if meetings else None, series.started_on, today
        )
        other_id = series.report_person_id if series.manager_person_id == me.id else series.manager_person_id
        other = session.get_one(Person, other_id)
        due.append(DueCheckIn(series.id, other.name, status.next_due, status.overdue))
    return sorted(due, key=lambda d: (not d.overdue, d.next_due))


# --- profile and team view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    person: Person
    relation: Relation
    level_code: str | None
    level_title: str | None
    target_level_code: str | None
    latest_self: Assessment | None
    latest_manager: Assessment | None
    readiness: Readiness | None
    comparison: AssessmentComparison | None
    growth_target: str | None
    growth_items: list[GrowthItem]
    growth_progress: GrowthProgress
    suggestions: tuple[GrowthSuggestion, ...]
    series: list[CheckInSeries] = field(default_factory=list)


def _target_level(ladder: Ladder, level_code: str | None, target: str | None) -> str | None:
    if target:
        return target
    if level_code:
        following = ladder.next_levels(level_code)
        return following[0].code if following else None
    return ladder.levels[0].code


def person_profile(session: Session, actor: Actor, person_id: int) -> Profile:
    """Everything the profile page shows, limited to what the viewer may see."""
    person, relation = person_for_viewer(session, actor, person_id)
    ladder = get_ladder(session, actor)
    position = session.scalar(select(LadderLevel).where(LadderLevel.person_id == person.id))
    level_code = position.level_code if position else None
    latest_self, latest_manager = _latest(session, person.id, "self"), _latest(session, person.id, "manager")
    plan = session.scalar(select(GrowthPlan).where(GrowthPlan.person_id == person.id))
    target = _target_level(
        ladder,
        level_code,
        (plan.target_level_code if plan else None) or (position.target_level_code if position else None),
    )
    met = set(
        latest_manager.met_behaviours if latest_manager else latest_self.met_behaviours if latest_self else []
    )
    items = (
        list(session.scalars(select(GrowthItem).where(GrowthItem.plan_id == plan.id).order_by(GrowthItem.id)))
        if plan
        else []
    )
    progress = growth_progress(
        [GrowthItemValue(i.title, i.competency_id, i.behaviour_id, i.due, i.status) for i in items],
        date.today(),
    )
    series = list(
        session.scalars(
            select(CheckInSeries).where(
                (CheckInSeries.manager_person_id == person.id) | (CheckInSeries.report_person_id == person.id)
            )
        )
    )
    return Profile(
        person=person,
        relation=relation,
        level_code=level_code,
        level_title=ladder.level(level_code).title if level_code else None,
        target_level_code=target,
        latest_self=latest_self,
        latest_manager=latest_manager,
        readiness=readiness_for(ladder, target, met) if target else None,
        comparison=compare_assessments(latest_self.met_behaviours, latest_manager.met_behaviours)
        if latest_self and latest_manager
        else None,
        growth_target=plan.target_level_code if plan else None,
        growth_items=items,
        growth_progress=progress,
        suggestions=suggest_growth_items(ladder, target, met) if target else (),
        series=series,
    )


@dataclass(frozen=True)
class TeamRow:
    person: Person
    level_title: str | None
    last_assessed: date | None
    next_one_on_one: date | None
    overdue: bool


@dataclass(frozen=True)
class TeamView:
    rows: list[TeamRow]
    pulse: list[checkin_engine.PulsePoint]


def team_view(session: Session, actor: Actor) -> TeamView:
    """Leaders see everyone; a manager sees their direct reports; others see an empty list."""
    actor.require(READ)
    me = viewer_person(session, actor)
    query = select(Person).where(Person.workspace_id == actor.workspace_id).order_by(Person.name)
    if not actor.can("people.write"):
        if me is None:
            return TeamView([], [])
        query = query.where(Person.manager_id == me.id)
    ladder = get_ladder(session, actor)
    people = list(session.scalars(query))
    ids = [p.id for p in people]
    levels = {
        r.person_id: r.level_code
        for r in session.scalars(select(LadderLevel).where(LadderLevel.person_id.in_(ids)))
    }
    rows: list[TeamRow] = []
    pulse_answers: list[tuple[date, int]] = []
    today = date.today()
    for person in people:
        assessed = session.scalar(
            select(Assessment.assessed_on)
            .where(Assessment.person_id == person.id)
            .order_by(Assessment.assessed_on.desc())
            .limit(1)
        )
        series = session.scalar(
            select(CheckInSeries).where(CheckInSeries.report_person_id == person.id).limit(1)
        )
        next_due, overdue = None, False
        if series is not None:
            meetings = _meetings(session, series.id)
            status = checkin_engine.check_in_status(
                series.cadence, meetings[0].held_on if meetings else None, series.started_on, today
            )
            next_due, overdue = status.next_due, status.overdue
            pulse_answers += [(m.held_on, m.pulse) for m in meetings if m.pulse is not None]
        code = levels.get(person.id)
        rows.append(TeamRow(person, ladder.level(code).title if code else None, assessed, next_due, overdue))
    cutoff = today - timedelta(weeks=26)
    return TeamView(rows, checkin_engine.pulse_trend([p for p in pulse_answers if p[0] >= cutoff]))


def directory(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Everyone's id and name in the workspace (for choosing raters); nothing else about them."""
    actor.require(READ)
    return [
        (pid, name)
        for pid, name in session.execute(
            select(Person.id, Person.name)
            .where(Person.workspace_id == actor.workspace_id)
            .order_by(Person.name)
        )
    ]


def visible_relation(session: Session, actor: Actor, person: Person) -> Relation:
    return relation_to(session, actor, person)


def visible_profiles(session: Session, actor: Actor, persons: list[Person]) -> set[int]:
    """The ids among ``persons`` whose profile page the actor may open: themself, their reports, or everyone
    for people leaders (the same rule as ``person_for_viewer``, for many people with one query)."""
    actor.require(READ)
    if actor.can("people.write"):
        return {person.id for person in persons}
    me = viewer_person(session, actor)
    if me is None:
        return set()
    return {person.id for person in persons if person.id == me.id or person.manager_id == me.id}

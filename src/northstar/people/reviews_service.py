"""Use cases of 360-degree reviews: cycles, nominations with manager approval, answers, reports, calibration.

The anonymity guarantee is enforced twice: the storage keeps no link between a rater and an answer in an
anonymous group (see :mod:`northstar.people.models`), and every report goes through the pure engine
(:func:`northstar.people.engine.reviews.aggregate_360`), which drops small groups whole and carries no
rater identity for anonymous groups. Admins get exactly the same report as everyone else who may read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor, Role
from northstar.people.access import viewer_person
from northstar.people.engine.calibration import Distribution, NineBox, nine_box, rating_distribution
from northstar.people.engine.cycle import Nomination, check_nomination, check_response_window, reminder_due
from northstar.people.engine.ladder import Ladder
from northstar.people.engine.reviews import (
    ANONYMOUS_GROUPS,
    AnonymityPolicy,
    Question,
    Questionnaire,
    RaterGroup,
    Report360,
    Response,
    ViewerRelation,
    aggregate_360,
    can_view_report,
)
from northstar.people.models import ReviewCycle, ReviewParticipant, ReviewRequest, ReviewResponse
from northstar.people.schemas import CycleCreate, NominationCreate, PlacementSet, QuestionIn, ResponseSubmit
from northstar.teams.models import Person, Team


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: treat them as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def questionnaire_of(cycle: ReviewCycle) -> Questionnaire:
    raw = cycle.questionnaire
    return Questionnaire(
        questions=tuple(Question(**q) for q in raw.get("questions", [])),
        scale_min=int(raw.get("scale_min", 1)),
        scale_max=int(raw.get("scale_max", 5)),
    )


def policy_of(cycle: ReviewCycle) -> AnonymityPolicy:
    return AnonymityPolicy(thresholds={RaterGroup(k): int(v) for k, v in cycle.thresholds.items()})


def _is_cycle_owner(actor: Actor, cycle: ReviewCycle) -> bool:
    return cycle.owner_user_id == actor.user_id


def _is_admin(actor: Actor) -> bool:
    return actor.role in (Role.OWNER, Role.ADMIN)


def create_cycle(session: Session, actor: Actor, data: CycleCreate) -> ReviewCycle:
    """A new cycle; the questionnaire and thresholds are validated by the engine (nothing saved on error)."""
    actor.require("reviews.manage")
    questionnaire = Questionnaire(questions=tuple(Question(**q.model_dump()) for q in data.questions))
    thresholds = {
        RaterGroup.PEER: data.peer_threshold,
        RaterGroup.DIRECT_REPORT: data.direct_report_threshold,
        RaterGroup.CROSS_FUNCTIONAL: data.cross_functional_threshold,
    }
    AnonymityPolicy(thresholds=thresholds)
    if _aware(data.closes_at) <= _aware(data.opens_at):
        raise ValidationFailed(
            "the response window must close after it opens", [FieldError("closes_at", "too early")]
        )
    cycle = ReviewCycle(
        workspace_id=actor.workspace_id,
        name=data.name,
        owner_user_id=actor.user_id,
        questionnaire={
            "questions": [q.model_dump() for q in data.questions],
            "scale_min": questionnaire.scale_min,
            "scale_max": questionnaire.scale_max,
        },
        thresholds={g.value: v for g, v in thresholds.items()},
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        status="open",
    )
    session.add(cycle)
    session.flush()
    audit.record(session, actor, "create", "review_cycle", cycle.id, cycle.name)
    return cycle


def default_questions(ladder: Ladder) -> list[QuestionIn]:
    """One rating question per competency area of the ladder, then two open questions (start/keep)."""
    questions = [
        QuestionIn(
            id=area.id,
            text=f"{area.name}: how consistently does this person do this well?",
            competency_id=area.competencies[0].id if area.competencies else None,
        )
        for area in ladder.areas
    ]
    questions.append(QuestionIn(id="keep", text="What should this person keep doing?", kind="comment"))
    questions.append(
        QuestionIn(
            id="start", text="What could this person start doing to be even more effective?", kind="comment"
        )
    )
    return questions


def list_cycles(session: Session, actor: Actor) -> list[ReviewCycle]:
    actor.require(READ)
    return list(
        session.scalars(
            select(ReviewCycle)
            .where(ReviewCycle.workspace_id == actor.workspace_id)
            .order_by(ReviewCycle.id.desc())
        )
    )


def get_cycle(session: Session, actor: Actor, cycle_id: int) -> ReviewCycle:
    actor.require(READ)
    return get_owned(session, ReviewCycle, cycle_id, actor.workspace_id, "review cycle")


def add_participant(
    session: Session, actor: Actor, cycle_id: int, subject_person_id: int
) -> ReviewParticipant:
    """Add a reviewee; their self request and their manager's request are created and approved."""
    actor.require("reviews.manage")
    cycle = get_cycle(session, actor, cycle_id)
    subject = get_owned(session, Person, subject_person_id, actor.workspace_id, "person")
    existing = session.scalar(
        select(ReviewParticipant).where(
            ReviewParticipant.cycle_id == cycle.id, ReviewParticipant.subject_person_id == subject.id
        )
    )
    if existing is not None:
        return existing
    participant = ReviewParticipant(
        workspace_id=actor.workspace_id,
        cycle_id=cycle.id,
        subject_person_id=subject.id,
        manager_person_id=subject.manager_id,
    )
    session.add(participant)
    session.flush()
    _request(session, participant, subject.id, RaterGroup.SELF, "approved")
    if subject.manager_id is not None:
        _request(session, participant, subject.manager_id, RaterGroup.MANAGER, "approved")
    audit.record(session, actor, "add_participant", "review_cycle", cycle.id, subject.name)
    return participant


def _request(
    session: Session, participant: ReviewParticipant, rater_id: int, group: RaterGroup, status: str
) -> ReviewRequest:
    request = ReviewRequest(
        workspace_id=participant.workspace_id,
        participant_id=participant.id,
        rater_person_id=rater_id,
        rater_group=group.value,
        status=status,
    )
    session.add(request)
    session.flush()
    return request


def _participant(
    session: Session, actor: Actor, participant_id: int
) -> tuple[ReviewParticipant, ReviewCycle]:
    participant = get_owned(session, ReviewParticipant, participant_id, actor.workspace_id, "reviewee")
    return participant, get_owned(
        session, ReviewCycle, participant.cycle_id, actor.workspace_id, "review cycle"
    )


def _requests(session: Session, participant_id: int) -> list[ReviewRequest]:
    return list(
        session.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.participant_id == participant_id)
            .order_by(ReviewRequest.id)
        )
    )


def nominate(session: Session, actor: Actor, participant_id: int, data: NominationCreate) -> ReviewRequest:
    """The reviewee proposes a rater (their manager approves later); a manager or cycle manager's
    nomination is approved at once. Nominating oneself is refused."""
    actor.require(READ)
    participant, cycle = _participant(session, actor, participant_id)
    if cycle.status == "closed":
        raise Conflict("this cycle is closed; nominations can no longer change")
    me = viewer_person(session, actor)
    is_subject = me is not None and me.id == participant.subject_person_id
    is_manager = me is not None and me.id == participant.manager_person_id
    if not (is_subject or is_manager or actor.can("reviews.manage")):
        raise PermissionDenied("only the reviewee, their manager or a review manager can nominate raters")
    rater = get_owned(session, Person, data.rater_person_id, actor.workspace_id, "person")
    existing = [
        Nomination(
            str(participant.subject_person_id), str(r.rater_person_id), RaterGroup(r.rater_group), r.status
        )
        for r in _requests(session, participant.id)
    ]
    check_nomination(
        str(participant.subject_person_id),
        str(rater.id),
        RaterGroup(data.rater_group),
        existing,
        str(participant.manager_person_id) if participant.manager_person_id else None,
    )
    rejected = session.scalar(
        select(ReviewRequest).where(
            ReviewRequest.participant_id == participant.id, ReviewRequest.rater_person_id == rater.id
        )
    )
    status = "proposed" if is_subject and not is_manager else "approved"
    if rejected is not None:
        rejected.status, rejected.rater_group = status, data.rater_group
        request = rejected
    else:
        request = _request(session, participant, rater.id, RaterGroup(data.rater_group), status)
    audit.record(session, actor, "nominate", "review_cycle", cycle.id, f"{data.rater_group} nominated")
    return request


def decide_nomination(session: Session, actor: Actor, request_id: int, approve: bool) -> ReviewRequest:
    """The reviewee's manager (or a review manager) approves or rejects a proposed rater."""
    request = get_owned(session, ReviewRequest, request_id, actor.workspace_id, "nomination")
    participant, cycle = _participant(session, actor, request.participant_id)
    me = viewer_person(session, actor)
    if not ((me is not None and me.id == participant.manager_person_id) or actor.can("reviews.manage")):
        raise PermissionDenied("only the reviewee's manager can approve nominations")
    if request.submitted:
        raise Conflict("this rater has already answered")
    request.status = "approved" if approve else "rejected"
    audit.record(session, actor, "approve" if approve else "reject", "review_cycle", cycle.id, "nomination")
    return request


@dataclass(frozen=True)
class PendingRequest:
    request: ReviewRequest
    cycle: ReviewCycle
    subject_name: str


def my_requests(session: Session, actor: Actor) -> list[PendingRequest]:
    """The approved, unanswered requests addressed to the viewer, in open cycles."""
    actor.require(READ)
    me = viewer_person(session, actor)
    if me is None:
        return []
    rows = session.execute(
        select(ReviewRequest, ReviewParticipant, ReviewCycle, Person)
        .join(ReviewParticipant, ReviewParticipant.id == ReviewRequest.participant_id)
        .join(ReviewCycle, ReviewCycle.id == ReviewParticipant.cycle_id)
        .join(Person, Person.id == ReviewParticipant.subject_person_id)
        .where(
            ReviewRequest.rater_person_id == me.id,
            ReviewRequest.status == "approved",
            ReviewRequest.submitted.is_(False),
            ReviewCycle.status == "open",
        )
    ).all()
    return [PendingRequest(r, c, p.name) for r, _, c, p in rows]


def get_request_form(session: Session, actor: Actor, request_id: int) -> PendingRequest:
    request = get_owned(session, ReviewRequest, request_id, actor.workspace_id, "review request")
    me = viewer_person(session, actor)
    if me is None or me.id != request.rater_person_id:
        raise PermissionDenied("this review request is addressed to someone else")
    participant, cycle = _participant(session, actor, request.participant_id)
    return PendingRequest(request, cycle, session.get_one(Person, participant.subject_person_id).name)


def submit_response(
    session: Session, actor: Actor, request_id: int, data: ResponseSubmit, now: datetime | None = None
) -> None:
    """Store the rater's answers without any link back to the rater (for anonymous groups).

    Refused, with nothing stored, when the window is closed, the request is not approved, it was already
    answered, or an answer does not fit the questionnaire."""
    request = get_owned(session, ReviewRequest, request_id, actor.workspace_id, "review request")
    me = viewer_person(session, actor)
    if me is None or me.id != request.rater_person_id:
        raise PermissionDenied("only the nominated rater can answer this request")
    participant, cycle = _participant(session, actor, request.participant_id)
    if request.status != "approved":
        raise Conflict("this nomination has not been approved by the reviewee's manager yet")
    if request.submitted:
        raise Conflict("you have already answered this review; answers cannot be changed")
    if cycle.status != "open":
        raise Conflict("this review cycle is not open for answers")
    check_response_window(now or utcnow(), _aware(cycle.opens_at), _aware(cycle.closes_at))
    group = RaterGroup(request.rater_group)
    comments = {k: v.strip() for k, v in data.comments.items() if v and v.strip()}
    # validate through the engine with a throw-away response (checks questions and scale)
    aggregate_360(
        "subject",
        questionnaire_of(cycle),
        [Response("subject" if group is RaterGroup.SELF else "rater", group, data.ratings, comments)],
    )
    session.add(
        ReviewResponse(
            workspace_id=actor.workspace_id,
            participant_id=participant.id,
            rater_group=group.value,
            named_rater_person_id=me.id if group not in ANONYMOUS_GROUPS else None,
            ratings=dict(data.ratings),
            comments=comments,
        )
    )
    request.submitted = True
    audit.record(session, actor, "respond", "review_cycle", cycle.id, "a review answer was submitted")


def close_cycle(session: Session, actor: Actor, cycle_id: int) -> ReviewCycle:
    cycle = get_cycle(session, actor, cycle_id)
    if not (_is_cycle_owner(actor, cycle) or _is_admin(actor)):
        raise PermissionDenied("only the cycle owner can close the cycle")
    cycle.status = "closed"
    audit.record(session, actor, "close", "review_cycle", cycle.id, cycle.name)
    return cycle


def release_reports(session: Session, actor: Actor, cycle_id: int) -> ReviewCycle:
    """Make the reports readable by reviewees and their managers (the cycle owner decides when)."""
    cycle = get_cycle(session, actor, cycle_id)
    if not _is_cycle_owner(actor, cycle):
        raise PermissionDenied("only the cycle owner can release the reports")
    if cycle.status != "closed":
        raise Conflict("close the cycle before releasing its reports")
    cycle.released, cycle.released_at = True, utcnow()
    audit.record(session, actor, "release", "review_cycle", cycle.id, cycle.name)
    return cycle


def _viewer_relation(
    session: Session, actor: Actor, participant: ReviewParticipant, cycle: ReviewCycle
) -> ViewerRelation:
    me = viewer_person(session, actor)
    if me is not None and me.id == participant.subject_person_id:
        return ViewerRelation.SUBJECT
    if _is_cycle_owner(actor, cycle):
        return ViewerRelation.CYCLE_OWNER
    if me is not None and me.id == participant.manager_person_id:
        return ViewerRelation.MANAGER
    if actor.can("reviews.manage"):
        return ViewerRelation.ADMIN
    return ViewerRelation.OTHER


def _report(session: Session, participant: ReviewParticipant, cycle: ReviewCycle) -> Report360:
    responses = [
        Response(
            rater_id=str(r.named_rater_person_id) if r.named_rater_person_id else f"anonymous-{index}",
            group=RaterGroup(r.rater_group),
            ratings=r.ratings,
            comments=r.comments,
        )
        for index, r in enumerate(
            session.scalars(
                select(ReviewResponse)
                .where(ReviewResponse.participant_id == participant.id)
                .order_by(ReviewResponse.id)
            )
        )
    ]
    return aggregate_360(
        str(participant.subject_person_id), questionnaire_of(cycle), responses, policy_of(cycle)
    )


@dataclass(frozen=True)
class ReportView:
    participant: ReviewParticipant
    cycle: ReviewCycle
    subject: Person
    report: Report360
    relation: ViewerRelation
    named: dict[str, str]  # person id → name, for the self and manager groups only


def participant_report(session: Session, actor: Actor, participant_id: int) -> ReportView:
    """The 360 report, if the viewer may read it now (see ``can_view_report``); else 403."""
    actor.require(READ)
    participant, cycle = _participant(session, actor, participant_id)
    relation = _viewer_relation(session, actor, participant, cycle)
    if not can_view_report(relation, cycle.released):
        if relation in (ViewerRelation.SUBJECT, ViewerRelation.MANAGER):
            raise PermissionDenied("this report has not been released by the cycle owner yet")
        raise PermissionDenied(
            "360 reports are visible only to the reviewee, their manager and review managers"
        )
    report = _report(session, participant, cycle)
    named_ids = {int(i) for g in report.groups for i in g.named_raters}
    named = {str(p.id): p.name for p in session.scalars(select(Person).where(Person.id.in_(named_ids)))}
    return ReportView(
        participant, cycle, session.get_one(Person, participant.subject_person_id), report, relation, named
    )


@dataclass(frozen=True)
class ParticipantStatus:
    participant: ReviewParticipant
    subject_name: str
    requests: list[ReviewRequest]
    answered_by_group: dict[str, int]


def cycle_overview(session: Session, actor: Actor, cycle_id: int) -> list[ParticipantStatus]:
    """Who is reviewed and who has answered (for reminders) — never what anyone answered."""
    cycle = get_cycle(session, actor, cycle_id)
    if not (actor.can("reviews.manage") or _is_cycle_owner(actor, cycle)):
        raise PermissionDenied("only review managers can see the cycle's progress")
    result = []
    for participant in session.scalars(
        select(ReviewParticipant).where(ReviewParticipant.cycle_id == cycle.id).order_by(ReviewParticipant.id)
    ):
        requests = _requests(session, participant.id)
        answered: dict[str, int] = {}
        for r in requests:
            if r.submitted:
                answered[r.rater_group] = answered.get(r.rater_group, 0) + 1
        name = session.get_one(Person, participant.subject_person_id).name
        result.append(ParticipantStatus(participant, name, requests, answered))
    return result


def my_participations(
    session: Session, actor: Actor
) -> list[tuple[ReviewParticipant, ReviewCycle, list[ReviewRequest]]]:
    """Cycles in which the viewer is reviewed, with their own nominations (to propose peers)."""
    actor.require(READ)
    me = viewer_person(session, actor)
    if me is None:
        return []
    rows = session.execute(
        select(ReviewParticipant, ReviewCycle)
        .join(ReviewCycle, ReviewCycle.id == ReviewParticipant.cycle_id)
        .where(ReviewParticipant.subject_person_id == me.id)
        .order_by(ReviewCycle.id.desc())
    ).all()
    return [(p, c, _requests(session, p.id)) for p, c in rows]


def reports_about(
    session: Session, actor: Actor, person_id: int
) -> list[tuple[ReviewParticipant, ReviewCycle, bool]]:
    """The cycles in which ``person_id`` is reviewed, each with whether the viewer may read the report now."""
    actor.require(READ)
    rows = session.execute(
        select(ReviewParticipant, ReviewCycle)
        .join(ReviewCycle, ReviewCycle.id == ReviewParticipant.cycle_id)
        .where(
            ReviewParticipant.subject_person_id == person_id, ReviewCycle.workspace_id == actor.workspace_id
        )
        .order_by(ReviewCycle.id.desc())
    ).all()
    return [(p, c, can_view_report(_viewer_relation(session, actor, p, c), c.released)) for p, c in rows]


def set_placement(
    session: Session, actor: Actor, participant_id: int, data: PlacementSet
) -> ReviewParticipant:
    actor.require("reviews.manage")
    participant, cycle = _participant(session, actor, participant_id)
    participant.performance, participant.potential = data.performance, data.potential
    audit.record(
        session, actor, "calibrate", "review_cycle", cycle.id, f"placement of reviewee {participant.id}"
    )
    return participant


@dataclass(frozen=True)
class Calibration:
    cycle: ReviewCycle
    distribution: Distribution
    nine_box: NineBox
    names: dict[str, str]
    participants: Sequence[ReviewParticipant]


def calibration(session: Session, actor: Actor, cycle_id: int) -> Calibration:
    """Per team, the distribution of each reviewee's overall others-rating (rounded), and the 9-box."""
    actor.require("reviews.manage")
    cycle = get_cycle(session, actor, cycle_id)
    participants = list(
        session.scalars(select(ReviewParticipant).where(ReviewParticipant.cycle_id == cycle.id))
    )
    team_names = {
        t.id: t.name for t in session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id))
    }
    ratings: list[tuple[str, int]] = []
    names: dict[str, str] = {}
    boxes: list[tuple[str, str, str]] = []
    for participant in participants:
        person = session.get_one(Person, participant.subject_person_id)
        names[str(participant.id)] = person.name
        others = [
            q.others_mean for q in _report(session, participant, cycle).questions if q.others_mean is not None
        ]
        if others:
            ratings.append((team_names.get(person.team_id or 0, "No team"), round(sum(others) / len(others))))
        if participant.performance and participant.potential:
            boxes.append((str(participant.id), participant.performance, participant.potential))
    return Calibration(cycle, rating_distribution(ratings), nine_box(boxes), names, participants)


def find_participant(session: Session, actor: Actor, cycle_id: int, person_id: int) -> ReviewParticipant:
    participant = session.scalar(
        select(ReviewParticipant).where(
            ReviewParticipant.cycle_id == cycle_id,
            ReviewParticipant.subject_person_id == person_id,
            ReviewParticipant.workspace_id == actor.workspace_id,
        )
    )
    if participant is None:
        raise NotFound(f"person {person_id} is not reviewed in cycle {cycle_id}")
    return participant


@dataclass(frozen=True)
class Reminder:
    request_id: int
    rater_name: str
    subject_name: str


def send_reminders(
    session: Session, actor: Actor, cycle_id: int, now: datetime | None = None
) -> list[Reminder]:
    """Approved raters who have not answered and are due a reminder (see ``reminder_due``); marks them as
    reminded. The list says who still owes an answer, never what anyone answered."""
    cycle = get_cycle(session, actor, cycle_id)
    if not (actor.can("reviews.manage") or _is_cycle_owner(actor, cycle)):
        raise PermissionDenied("only review managers can send reminders")
    now = now or utcnow()
    reminders = []
    rows = session.execute(
        select(ReviewRequest, ReviewParticipant)
        .join(ReviewParticipant, ReviewParticipant.id == ReviewRequest.participant_id)
        .where(
            ReviewParticipant.cycle_id == cycle.id,
            ReviewRequest.status == "approved",
            ReviewRequest.submitted.is_(False),
        )
    ).all()
    for request, participant in rows:
        last = _aware(request.last_reminded_at) if request.last_reminded_at else None
        if cycle.status == "open" and reminder_due(now, _aware(cycle.closes_at), last):
            request.last_reminded_at = now
            reminders.append(
                Reminder(
                    request.id,
                    session.get_one(Person, request.rater_person_id).name,
                    session.get_one(Person, participant.subject_person_id).name,
                )
            )
    if reminders:
        audit.record(session, actor, "remind", "review_cycle", cycle.id, f"{len(reminders)} reminder(s)")
    return reminders

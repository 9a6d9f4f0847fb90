"""Demo content of the people module for the demo company (called by ``northstar demo``).

The product team: Dana Demo (the Head of Product, the demo owner) manages the four team product managers
and Priya Product (the demo product-manager login). Everyone has a ladder level, self and manager
assessments; Priya has a growth plan; Dana holds fortnightly 1:1s with each of them (with pulse answers
and carried-forward action items); one 360 cycle is finished and released, in which Priya's peers
answered (3, shown) and two engineers answered as cross-functional partners (2, below the threshold, so
that group is dropped from her report).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.people.engine.growth import suggest_growth_items
from northstar.people.engine.ladder import Ladder, load_default_ladder
from northstar.people.models import (
    Assessment,
    CheckInMeeting,
    CheckInSeries,
    GrowthItem,
    GrowthPlan,
    LadderLevel,
    ReviewCycle,
    ReviewParticipant,
    ReviewRequest,
    ReviewResponse,
)
from northstar.teams.models import Person

PM_EMAIL = "pm@example.com"
OWNER_EMAIL = "demo@example.com"
QUESTIONS = [
    {
        "id": "discovery",
        "text": "Grounds decisions in what customers actually need",
        "kind": "rating",
        "competency_id": "customer_research",
    },
    {
        "id": "clarity",
        "text": "Makes the plan and its reasons easy to follow",
        "kind": "rating",
        "competency_id": "storytelling",
    },
    {"id": "data", "text": "Uses data to decide and to learn", "kind": "rating", "competency_id": "metrics"},
    {
        "id": "alignment",
        "text": "Brings engineering, design and sales along",
        "kind": "rating",
        "competency_id": "stakeholders",
    },
    {"id": "keep", "text": "What should they keep doing?", "kind": "comment", "competency_id": None},
    {
        "id": "change",
        "text": "What would make them even more effective?",
        "kind": "comment",
        "competency_id": None,
    },
]
PEER_ANSWERS = [
    (
        {"discovery": 4, "clarity": 3, "data": 4, "alignment": 4},
        "Customer calls every week keep us honest.",
        "Shorter written updates.",
    ),
    (
        {"discovery": 5, "clarity": 4, "data": 3, "alignment": 4},
        "Always brings a customer quote to planning.",
        "Share experiment results sooner.",
    ),
    (
        {"discovery": 4, "clarity": 3, "data": 3, "alignment": 5},
        "Very good at getting engineering on board.",
        "Say no to more requests.",
    ),
]
XFN_ANSWERS = [
    ({"discovery": 3, "clarity": 2, "data": 3, "alignment": 3}, "Specs are thorough.", "Involve us earlier."),
    (
        {"discovery": 4, "clarity": 3, "data": 4, "alignment": 3},
        "Listens to the team.",
        "Clearer priorities.",
    ),
]


def _met_up_to(ladder: Ladder, level: str, extra_share: float) -> list[str]:
    """All behaviours of the chain up to ``level`` plus a share of the next level's (deterministic)."""
    met = [b.id for lv in ladder.path_to(level) for b in ladder.behaviours_at(lv.code)]
    following = ladder.next_levels(level)
    if following:
        nxt = ladder.behaviours_at(following[0].code)
        met += [b.id for b in nxt[: int(len(nxt) * extra_share)]]
    return met


def _person(
    session: Session, ws: int, name: str, email: str, title: str, user_id: int | None, team_id: int | None
) -> Person:
    person = Person(
        workspace_id=ws,
        name=name,
        email=email,
        title=title,
        discipline="product",
        user_id=user_id,
        team_id=team_id,
    )
    session.add(person)
    session.flush()
    return person


def _one_on_ones(
    session: Session, ws: int, manager: Person, report: Person, today: date, offset: int
) -> None:
    series = CheckInSeries(
        workspace_id=ws,
        manager_person_id=manager.id,
        report_person_id=report.id,
        cadence="biweekly",
        started_on=today - timedelta(weeks=16),
    )
    session.add(series)
    session.flush()
    open_items: list[dict[str, Any]] = []
    topics = [
        "Roadmap for next quarter",
        "Hiring plan",
        "Customer escalations",
        "Growth plan check",
        "Experiment results",
    ]
    for k in range(7):
        held = today - timedelta(days=14 * (6 - k) + offset)
        items = [dict(i) for i in open_items]
        if k % 2 == 0:
            items.append(
                {
                    "text": f"Follow up on {topics[k % len(topics)].lower()}",
                    "owner": "report",
                    "done": False,
                    "raised_on": held.isoformat(),
                }
            )
        if items and k % 3 == 2:
            items[0]["done"] = True
        session.add(
            CheckInMeeting(
                workspace_id=ws,
                series_id=series.id,
                held_on=held,
                agenda=[topics[k % len(topics)], topics[(k + 2) % len(topics)]],
                shared_notes=f"Talked about {topics[k % len(topics)].lower()} and agreed next steps.",
                manager_private_notes="",
                report_private_notes="",
                action_items=items,
                pulse=3 + (k + offset) % 3,
            )
        )
        open_items = [i for i in items if not i["done"]]


def _cycle(
    session: Session,
    ws: int,
    owner_user_id: int,
    manager: Person,
    reviewees: list[Person],
    peers: list[Person],
    xfn: list[Person],
    today: date,
) -> None:
    closes = datetime.combine(today - timedelta(days=20), time(17), tzinfo=UTC)
    cycle = ReviewCycle(
        workspace_id=ws,
        name="Spring 360 (development)",
        owner_user_id=owner_user_id,
        questionnaire={"questions": QUESTIONS, "scale_min": 1, "scale_max": 5},
        thresholds={"peer": 3, "direct_report": 3, "cross_functional": 3},
        opens_at=closes - timedelta(days=21),
        closes_at=closes,
        status="closed",
        released=True,
        released_at=closes + timedelta(days=2),
    )
    session.add(cycle)
    session.flush()
    placements = [("performing", "exceeding"), ("exceeding", "growing"), ("performing", "growing")]
    for index, subject in enumerate(reviewees):
        participant = ReviewParticipant(
            workspace_id=ws,
            cycle_id=cycle.id,
            subject_person_id=subject.id,
            manager_person_id=manager.id,
            performance=placements[index % 3][0],
            potential=placements[index % 3][1],
        )
        session.add(participant)
        session.flush()
        raters = [(subject, "self"), (manager, "manager")]
        raters += [(p, "peer") for p in peers if p.id != subject.id][:3]
        raters += [(p, "cross_functional") for p in xfn][:2]
        for n, (rater, group) in enumerate(raters):
            session.add(
                ReviewRequest(
                    workspace_id=ws,
                    participant_id=participant.id,
                    rater_person_id=rater.id,
                    rater_group=group,
                    status="approved",
                    submitted=True,
                )
            )
            if group == "peer":
                ratings, keep, change = PEER_ANSWERS[(n + index) % 3]
            elif group == "cross_functional":
                ratings, keep, change = XFN_ANSWERS[n % 2]
            else:
                shift = 1 if group == "self" else 0
                ratings = {k: min(5, v + shift) for k, v in PEER_ANSWERS[index % 3][0].items()}
                keep, change = (
                    ("I keep close to customers.", "Write less, decide faster.")
                    if group == "self"
                    else (
                        "Strong customer focus; trusted by the team.",
                        "Take on the pricing work next quarter.",
                    )
                )
            session.add(
                ReviewResponse(
                    workspace_id=ws,
                    participant_id=participant.id,
                    rater_group=group,
                    named_rater_person_id=rater.id if group in ("self", "manager") else None,
                    ratings=ratings,
                    comments={"keep": keep, "change": change},
                )
            )


def _level_for_title(ladder: Ladder, title: str | None) -> str:
    """The ladder level whose title is the person's job title ("Senior Product Manager" is ``senior_pm``), so a
    person's level never contradicts their title; ``pm`` for a title the ladder does not name."""
    for level in ladder.levels:
        if title and level.title.lower() == title.strip().lower():
            return level.code
    return "pm"


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Seed the product team's ladder positions, assessments, growth plan, 1:1s and a finished 360."""
    ws = context.workspace_id
    today = context.company.as_of.date() if hasattr(context.company.as_of, "date") else date.today()
    ladder = load_default_ladder()
    team_pms = [
        session.get_one(Person, context.person_ids[p.email])
        for p in context.company.persons
        if p.discipline == "product"
    ]
    engineers = [
        session.get_one(Person, context.person_ids[p.email])
        for p in context.company.persons
        if p.discipline == "engineering"
    ]
    first_team = team_pms[0].team_id if team_pms else None
    dana = _person(
        session, ws, "Dana Demo", OWNER_EMAIL, "Head of Product", context.user_ids.get(OWNER_EMAIL), None
    )
    priya = _person(
        session, ws, "Priya Product", PM_EMAIL, "Product Manager", context.user_ids.get(PM_EMAIL), first_team
    )
    product_team = [priya, *team_pms]
    for index, person in enumerate(product_team):
        person.manager_id = dana.id
        level = _level_for_title(ladder, person.title)
        following = ladder.next_levels(level)
        session.add(
            LadderLevel(
                workspace_id=ws,
                person_id=person.id,
                level_code=level,
                target_level_code=following[0].code if following else None,
            )
        )
        manager_met = _met_up_to(ladder, level, 0.4 + 0.1 * (index % 3))
        self_met = _met_up_to(ladder, level, 0.6)
        for kind, met, on in (
            ("self", self_met, today - timedelta(days=40)),
            ("manager", manager_met, today - timedelta(days=35)),
        ):
            session.add(
                Assessment(
                    workspace_id=ws,
                    person_id=person.id,
                    assessor_person_id=person.id if kind == "self" else dana.id,
                    kind=kind,
                    assessed_on=on,
                    met_behaviours=met,
                    note="Quarterly ladder review.",
                )
            )
        _one_on_ones(session, ws, dana, person, today, offset=index)
        if index < 3:
            plan = GrowthPlan(
                workspace_id=ws,
                person_id=person.id,
                target_level_code=following[0].code if following else None,
                note="Agreed after the spring 360.",
            )
            session.add(plan)
            session.flush()
            for n, suggestion in enumerate(
                suggest_growth_items(ladder, following[0].code, manager_met)[:4] if following else []
            ):
                session.add(
                    GrowthItem(
                        workspace_id=ws,
                        plan_id=plan.id,
                        title=suggestion.behaviour.text,
                        competency_id=suggestion.behaviour.competency_id,
                        behaviour_id=suggestion.behaviour.id,
                        due=today + timedelta(days=30 * (n + 1)),
                        status="done" if n == 0 else "in_progress" if n == 1 else "open",
                    )
                )
    session.add(
        LadderLevel(
            workspace_id=ws, person_id=dana.id, level_code="head_of_product", target_level_code="vp_product"
        )
    )
    session.flush()
    _cycle(session, ws, actor.user_id, dana, [priya, *team_pms[:2]], product_team, engineers[:2], today)
    session.flush()

"""360 review use cases on both databases: nominations, answers, the window, release and who sees what."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.people import reviews_service as reviews
from northstar.people.engine.cycle import ResponseWindowClosed
from northstar.people.engine.reviews import ReviewError
from northstar.people.models import ReviewRequest, ReviewResponse
from northstar.people.schemas import CycleCreate, NominationCreate, PlacementSet, ResponseSubmit
from tests.people.world import QUESTIONS, ProductTeam, make_team, open_cycle


def _answer(
    session: Session, team: ProductTeam, key: str, participant_id: int, clarity: int, note: str
) -> None:
    me = team.persons[key]
    request = session.scalar(
        select(ReviewRequest).where(
            ReviewRequest.participant_id == participant_id, ReviewRequest.rater_person_id == me.id
        )
    )
    assert request is not None
    reviews.submit_response(
        session,
        team.actor(key),
        request.id,
        ResponseSubmit(ratings={"clarity": clarity, "data": 3}, comments={"keep": note}),
    )
    session.commit()


def _finish(session: Session, team: ProductTeam, peers: int = 3) -> tuple[int, int]:
    cycle_id, participant_id = open_cycle(session, team, peers)
    _answer(session, team, "ana", participant_id, 5, "I plan well")
    _answer(session, team, "manager", participant_id, 3, "Manager says: more data")
    for i in range(1, peers + 1):
        _answer(session, team, f"peer{i}", participant_id, i + 1, f"peer remark {i}")
    reviews.close_cycle(session, team.actor("lead"), cycle_id)
    session.commit()
    return cycle_id, participant_id


def test_stored_answers_of_peers_carry_no_rater(session: Session) -> None:
    team = make_team(session)
    _, participant_id = _finish(session, team)
    rows = list(
        session.scalars(select(ReviewResponse).where(ReviewResponse.participant_id == participant_id))
    )
    peers = [r for r in rows if r.rater_group == "peer"]
    assert len(peers) == 3 and all(r.named_rater_person_id is None for r in peers)
    assert all(len(r.id) == 32 for r in rows)  # random ids: insertion order is not recoverable


def test_report_visibility_before_and_after_release(session: Session) -> None:
    team = make_team(session)
    cycle_id, participant_id = _finish(session, team)
    for key in ("ana", "manager"):
        with pytest.raises(PermissionDenied, match="not been released"):
            reviews.participant_report(session, team.actor(key), participant_id)
    with pytest.raises(PermissionDenied):
        reviews.participant_report(session, team.actor("peer1"), participant_id)
    assert reviews.participant_report(session, team.actor("lead"), participant_id).report is not None
    reviews.release_reports(session, team.actor("lead"), cycle_id)
    session.commit()
    views = {
        key: reviews.participant_report(session, team.actor(key), participant_id)
        for key in ("ana", "manager", "admin")
    }
    reports = {key: json.dumps(asdict(v.report)) for key, v in views.items()}
    assert reports["ana"] == reports["manager"] == reports["admin"]
    with pytest.raises(PermissionDenied):
        reviews.participant_report(session, team.actor("peer2"), participant_id)
    peer_ids = {str(team.persons[f"peer{i}"].id) for i in range(1, 4)}
    report = views["admin"].report
    peers = next(g for g in report.groups if g.group == "peer")
    assert peers.included and peers.responses == 3 and peers.named_raters == ()
    assert not any(pid in g.named_raters for g in report.groups for pid in peer_ids)
    assert views["admin"].named[str(team.persons["manager"].id)] == "Manager"
    assert report.questions[0].by_group[1].mean == 3.0  # peers rated 2, 3, 4


def test_two_peers_are_dropped_whole_from_the_report(session: Session) -> None:
    team = make_team(session)
    _, participant_id = _finish(session, team, peers=2)
    report = reviews.participant_report(session, team.actor("lead"), participant_id).report
    assert "peer remark" not in json.dumps(asdict(report))
    assert not next(g for g in report.groups if g.group == "peer").included


def test_only_the_cycle_owner_releases_reports(session: Session) -> None:
    team = make_team(session)
    cycle_id, _ = _finish(session, team)
    with pytest.raises(PermissionDenied, match="cycle owner"):
        reviews.release_reports(session, team.actor("admin"), cycle_id)


def test_nominating_oneself_as_peer_is_refused_and_saves_nothing(session: Session) -> None:
    team = make_team(session)
    _, participant_id = open_cycle(session, team, peers=0)
    before = session.scalar(select(ReviewRequest.id).order_by(ReviewRequest.id.desc()))
    with pytest.raises(ReviewError, match="cannot nominate themselves"):
        reviews.nominate(
            session,
            team.actor("ana"),
            participant_id,
            NominationCreate(rater_person_id=team.persons["ana"].id, rater_group="peer"),
        )
    session.rollback()
    assert session.scalar(select(ReviewRequest.id).order_by(ReviewRequest.id.desc())) == before


def test_a_proposed_peer_cannot_answer_until_the_manager_approves(session: Session) -> None:
    team = make_team(session)
    _, participant_id = open_cycle(session, team, peers=0)
    request = reviews.nominate(
        session,
        team.actor("ana"),
        participant_id,
        NominationCreate(rater_person_id=team.persons["peer1"].id, rater_group="peer"),
    )
    assert request.status == "proposed"
    with pytest.raises(Conflict, match="not been approved"):
        reviews.submit_response(
            session, team.actor("peer1"), request.id, ResponseSubmit(ratings={"clarity": 4})
        )
    with pytest.raises(PermissionDenied, match="manager can approve"):
        reviews.decide_nomination(session, team.actor("peer2"), request.id, approve=True)


def test_answers_after_the_window_closes_are_refused_and_lost_nothing(session: Session) -> None:
    team = make_team(session)
    open_cycle(session, team)
    request = session.scalar(
        select(ReviewRequest).where(ReviewRequest.rater_person_id == team.persons["peer1"].id)
    )
    assert request is not None
    later = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(ResponseWindowClosed, match="nothing was saved"):
        reviews.submit_response(
            session, team.actor("peer1"), request.id, ResponseSubmit(ratings={"clarity": 4}), now=later
        )
    session.rollback()
    assert session.scalar(select(ReviewResponse.id)) is None
    refreshed = session.get(ReviewRequest, request.id)
    assert refreshed is not None and refreshed.submitted is False


def test_a_rating_off_the_scale_is_refused(session: Session) -> None:
    team = make_team(session)
    open_cycle(session, team)
    request = session.scalar(
        select(ReviewRequest).where(ReviewRequest.rater_person_id == team.persons["peer1"].id)
    )
    assert request is not None
    with pytest.raises(ReviewError, match="outside the scale"):
        reviews.submit_response(
            session, team.actor("peer1"), request.id, ResponseSubmit(ratings={"clarity": 9})
        )


def test_answering_twice_is_refused(session: Session) -> None:
    team = make_team(session)
    _, participant_id = open_cycle(session, team)
    _answer(session, team, "peer1", participant_id, 4, "fine")
    with pytest.raises(Conflict, match="already answered"):
        _answer(session, team, "peer1", participant_id, 2, "again")


def test_cycle_without_questions_or_with_low_threshold_is_refused(session: Session) -> None:
    team = make_team(session)
    now = datetime.now(UTC)
    base = {"name": "x", "opens_at": now, "closes_at": now + timedelta(days=3)}
    with pytest.raises(ReviewError, match="at least one question"):
        reviews.create_cycle(session, team.actor("lead"), CycleCreate(**base, questions=[]))
    with pytest.raises(ReviewError, match="never set below 3"):
        reviews.create_cycle(
            session, team.actor("lead"), CycleCreate(**base, questions=QUESTIONS, peer_threshold=2)
        )
    with pytest.raises(ValidationFailed, match="close after it opens"):
        reviews.create_cycle(
            session,
            team.actor("lead"),
            CycleCreate(**base | {"closes_at": now - timedelta(days=1)}, questions=QUESTIONS),
        )
    with pytest.raises(PermissionDenied):
        reviews.create_cycle(session, team.actor("peer1"), CycleCreate(**base, questions=QUESTIONS))


def test_calibration_distribution_and_nine_box(session: Session) -> None:
    team = make_team(session)
    cycle_id, participant_id = _finish(session, team)
    reviews.set_placement(
        session,
        team.actor("lead"),
        participant_id,
        PlacementSet(performance="exceeding", potential="growing"),
    )
    result = reviews.calibration(session, team.actor("lead"), cycle_id)
    assert result.nine_box.grid[6] == (str(participant_id),)
    assert result.distribution.teams[0].team == "Core"
    assert sum(result.distribution.overall_counts.values()) == 1
    with pytest.raises(PermissionDenied):
        reviews.calibration(session, team.actor("ana"), cycle_id)


def test_cycle_overview_counts_answers_without_contents(session: Session) -> None:
    team = make_team(session)
    cycle_id, _ = _finish(session, team)
    status = reviews.cycle_overview(session, team.actor("lead"), cycle_id)[0]
    assert status.answered_by_group == {"self": 1, "manager": 1, "peer": 3}
    with pytest.raises(PermissionDenied):
        reviews.cycle_overview(session, team.actor("peer1"), cycle_id)


def test_reminders_list_only_raters_who_still_owe_an_answer(session: Session) -> None:
    team = make_team(session)
    _, participant_id = open_cycle(session, team)
    _answer(session, team, "peer1", participant_id, 4, "done already")
    reminders = reviews.send_reminders(
        session, team.actor("lead"), reviews.list_cycles(session, team.actor("lead"))[0].id
    )
    assert {r.rater_name for r in reminders} == {"Ana", "Manager", "Peer2", "Peer3"}
    again = reviews.send_reminders(
        session, team.actor("lead"), reviews.list_cycles(session, team.actor("lead"))[0].id
    )
    assert again == []  # reminded a moment ago
    with pytest.raises(PermissionDenied):
        reviews.send_reminders(
            session, team.actor("peer1"), reviews.list_cycles(session, team.actor("lead"))[0].id
        )

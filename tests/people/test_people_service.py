"""People use cases on both databases: ladder import, assessments, growth plans, 1:1s and visibility."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.people import service
from northstar.people.engine.ladder import LadderError, default_ladder_text
from northstar.people.models import Assessment, LadderDocument
from northstar.people.schemas import (
    ActionItemIn,
    AssessmentCreate,
    GrowthItemCreate,
    LevelSet,
    MeetingCreate,
    SeriesCreate,
)
from tests.people.world import make_team


def test_workspace_uses_the_default_ladder_until_one_is_imported(session: Session) -> None:
    team = make_team(session)
    ladder = service.get_ladder(session, team.actor("ana"))
    assert ladder.levels[0].code == "apm"
    custom = default_ladder_text().replace("name: Northstar product-management ladder", "name: Our ladder")
    service.import_ladder(session, team.actor("lead"), custom)
    session.commit()
    assert service.get_ladder(session, team.actor("ana")).name == "Our ladder"
    assert "name: Our ladder" in service.export_ladder(session, team.actor("ana"))


def test_invalid_ladder_import_names_the_problem_and_keeps_the_old_ladder(session: Session) -> None:
    team = make_team(session)
    service.import_ladder(session, team.actor("lead"), default_ladder_text())
    session.commit()
    broken = default_ladder_text().replace("follows: pm\n", "follows: mid_level\n")
    with pytest.raises(LadderError, match="mid_level"):
        service.import_ladder(session, team.actor("lead"), broken)
    session.rollback()
    row = session.scalar(select(LadderDocument))
    assert row is not None and row.name == "Northstar product-management ladder"
    with pytest.raises(PermissionDenied):
        service.import_ladder(session, team.actor("ana"), default_ladder_text())


def test_self_and_manager_assessments_drive_readiness_on_the_profile(session: Session) -> None:
    team = make_team(session)
    ana = team.persons["ana"].id
    ladder = service.get_ladder(session, team.actor("ana"))
    service.set_level(
        session, team.actor("manager"), ana, LevelSet(level_code="pm", target_level_code="senior_pm")
    )
    met = [b.id for lv in ("apm", "pm", "senior_pm") for b in ladder.behaviours_at(lv)]
    service.record_assessment(
        session, team.actor("ana"), ana, AssessmentCreate(kind="self", met_behaviours=met)
    )
    service.record_assessment(
        session, team.actor("manager"), ana, AssessmentCreate(kind="manager", met_behaviours=met[:-3])
    )
    session.commit()
    profile = service.person_profile(session, team.actor("manager"), ana)
    assert profile.level_title == "Product Manager" and profile.target_level_code == "senior_pm"
    assert profile.readiness is not None and not profile.readiness.ready  # the manager's view counts
    assert profile.comparison is not None and len(profile.comparison.only_self) == 3
    assert profile.suggestions


def test_a_peer_cannot_see_or_assess_another_person(session: Session) -> None:
    team = make_team(session)
    ana = team.persons["ana"].id
    with pytest.raises(PermissionDenied):
        service.person_profile(session, team.actor("peer1"), ana)
    with pytest.raises(PermissionDenied, match="only the person"):
        service.record_assessment(session, team.actor("manager"), ana, AssessmentCreate(kind="self"))
    assert service.person_profile(session, team.actor("admin"), ana).person.id == ana


def test_unknown_behaviour_in_an_assessment_is_refused_and_nothing_saved(session: Session) -> None:
    team = make_team(session)
    with pytest.raises(ValidationFailed, match="not in the ladder"):
        service.record_assessment(
            session,
            team.actor("ana"),
            team.persons["ana"].id,
            AssessmentCreate(kind="self", met_behaviours=["nope"]),
        )
    session.rollback()
    assert session.scalar(select(Assessment.id)) is None


def test_growth_items_must_name_a_ladder_competency(session: Session) -> None:
    team = make_team(session)
    ana = team.persons["ana"].id
    item = service.add_growth_item(
        session,
        team.actor("ana"),
        ana,
        GrowthItemCreate(title="Run an A/B test", competency_id="experimentation"),
    )
    assert item.status == "open"
    with pytest.raises(LadderError, match="Unknown competency"):
        service.add_growth_item(
            session, team.actor("ana"), ana, GrowthItemCreate(title="x", competency_id="juggling")
        )


def test_one_on_ones_keep_private_notes_private_and_carry_action_items(session: Session) -> None:
    team = make_team(session)
    series = service.create_series(
        session,
        team.actor("manager"),
        SeriesCreate(
            manager_person_id=team.persons["manager"].id,
            report_person_id=team.persons["ana"].id,
            cadence="weekly",
        ),
    )
    first = date.today() - timedelta(days=24)
    service.record_meeting(
        session,
        team.actor("manager"),
        series.id,
        MeetingCreate(
            held_on=first,
            agenda=["Roadmap"],
            shared_notes="We agreed the Q3 focus",
            private_notes="manager-only thought",
            action_items=[
                ActionItemIn(text="Draft the spec", owner="report"),
                ActionItemIn(text="Book the review", done=True),
            ],
        ),
    )
    second = service.record_meeting(
        session,
        team.actor("ana"),
        series.id,
        MeetingCreate(held_on=first + timedelta(days=7), private_notes="ana-only", pulse=4),
    )
    session.commit()
    assert [i["text"] for i in second.action_items] == ["Draft the spec"]
    as_report = service.get_series(session, team.actor("ana"), series.id)
    as_manager = service.get_series(session, team.actor("manager"), series.id)
    assert "manager-only thought" not in str(as_report.meetings)
    assert "ana-only" not in str(as_manager.meetings)
    assert as_report.meetings[0].pulse == 4 and as_manager.meetings[0].pulse is None
    assert as_manager.status.overdue  # last 1:1 17 days ago on a weekly cadence
    for outsider in ("peer1", "admin", "lead"):
        with pytest.raises(PermissionDenied, match="only to the two people"):
            service.get_series(session, team.actor(outsider), series.id)
    due = service.my_check_ins(session, team.actor("manager"))
    assert due[0].overdue and due[0].other_person == "Ana"


def test_pulse_comes_only_from_the_report(session: Session) -> None:
    team = make_team(session)
    series = service.create_series(
        session,
        team.actor("lead"),
        SeriesCreate(manager_person_id=team.persons["manager"].id, report_person_id=team.persons["ana"].id),
    )
    with pytest.raises(ValidationFailed, match="pulse"):
        service.record_meeting(
            session, team.actor("manager"), series.id, MeetingCreate(held_on=date.today(), pulse=3)
        )


def test_team_view_shows_a_manager_only_their_reports(session: Session) -> None:
    team = make_team(session)
    names = {r.person.name for r in service.team_view(session, team.actor("manager")).rows}
    assert names == {"Ana", "Peer1", "Peer2", "Peer3", "Peer4"}
    assert service.team_view(session, team.actor("peer1")).rows == []
    assert len(service.team_view(session, team.actor("lead")).rows) == 7

"""Maturity use cases on both databases: evidence read from seeded records, assessments, comparison, PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.errors import PermissionDenied
from northstar.core.permissions import Role, TokenScope
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea
from northstar.maturity import service
from northstar.maturity.engine.model import ModelError
from northstar.maturity.schemas import AnswerIn, AssessmentCreate
from northstar.people.models import CheckInMeeting, CheckInSeries, ReviewCycle
from northstar.strategy.models import KeyResult, Objective
from tests.factories import World, make_world

TODAY = date.today()


def _seed(session: Session, world: World, weeks_with_feedback: int) -> None:
    ws = world.workspace.id
    now = datetime.now(UTC)
    for week in range(weeks_with_feedback):
        session.add(
            Feedback(workspace_id=ws, text=f"request {week}", received_at=now - timedelta(days=7 * week + 1))
        )
    session.add_all(
        [
            Idea(
                workspace_id=ws,
                title="scored",
                status="new",
                inputs={"reach": 1, "impact": 2, "confidence": 0.5, "effort": 3},
            ),
            Idea(workspace_id=ws, title="unscored", status="planned", inputs={}),
        ]
    )
    objective = Objective(workspace_id=ws, title="Grow")
    session.add(objective)
    session.flush()
    session.add_all(
        [
            KeyResult(
                workspace_id=ws, objective_id=objective.id, title="bound", metric="weekly_active_teams"
            ),
            KeyResult(workspace_id=ws, objective_id=objective.id, title="manual"),
        ]
    )
    from northstar.teams.models import Person

    boss, report = Person(workspace_id=ws, name="Boss"), Person(workspace_id=ws, name="Report")
    session.add_all([boss, report])
    session.flush()
    series = CheckInSeries(
        workspace_id=ws,
        manager_person_id=boss.id,
        report_person_id=report.id,
        cadence="biweekly",
        started_on=TODAY - timedelta(weeks=10),
    )
    session.add(series)
    session.flush()
    for k in range(4):
        session.add(
            CheckInMeeting(
                workspace_id=ws, series_id=series.id, held_on=TODAY - timedelta(days=14 * k + 1), pulse=4
            )
        )
    session.add(
        ReviewCycle(
            workspace_id=ws,
            name="done",
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
            status="closed",
        )
    )
    session.commit()


def test_evidence_rules_read_the_seeded_records(session: Session) -> None:
    world = make_world(session)
    _seed(session, world, weeks_with_feedback=8)
    findings = service.evidence(session, world.actor())
    assert findings["feedback_weekly"].answer == "yes"
    assert findings["ideas_scored"].answer == "partial" and "1 of 2" in findings["ideas_scored"].summary
    assert findings["key_results_bound"].answer == "yes"
    assert findings["metrics_defined"].answer == "partial"
    assert findings["regular_one_on_ones"].answer == "yes"
    assert findings["review_cycle_completed"].answer == "yes"
    assert findings["pulse_tracked"].answer == "partial"  # 4 of the last 8 weeks
    assert findings["maturity_reassessed"].answer == "no"


def test_feedback_in_only_three_weeks_is_not_weekly(session: Session) -> None:
    world = make_world(session)
    _seed(session, world, weeks_with_feedback=3)
    assert service.evidence(session, world.actor())["feedback_weekly"].answer == "no"


def test_assessment_records_evidence_overrides_and_history(session: Session) -> None:
    world = make_world(session)
    _seed(session, world, weeks_with_feedback=8)
    actor = world.actor(Role.HEAD_OF_PRODUCT)
    first = service.assess(
        session,
        actor,
        AssessmentCreate(
            stage="startup",
            assessed_on=TODAY - timedelta(days=100),
            answers={"feedback_mechanisms.A": AnswerIn(answer="yes")},
        ),
    )
    with pytest.raises(ModelError, match="note is needed"):
        service.assess(
            session,
            actor,
            AssessmentCreate(stage="startup", answers={"feedback_mechanisms.B": AnswerIn(answer="no")}),
        )
    second = service.assess(
        session,
        actor,
        AssessmentCreate(
            stage="startup",
            answers={
                "feedback_mechanisms.A": AnswerIn(answer="yes"),
                "feedback_mechanisms.B": AnswerIn(answer="partial", note="one channel is manual"),
            },
        ),
    )
    session.commit()
    report = service.get_report(session, actor, second.id)
    entry = report.answers["feedback_mechanisms.B"]
    assert (entry.answer, entry.source, entry.note) == ("partial", "override", "one channel is manual")
    assert report.answers["requirements_gathering.A"].source == "evidence"
    assert report.result.area("feedback_mechanisms").level == 2  # B (level 3) is only partial
    _, _, changes = service.compare(session, actor, first.id, second.id)
    assert {c.area_id for c in changes} == {a.id for a in service.model().areas()}
    assert [a.id for a in service.list_assessments(session, actor)] == [second.id, first.id]
    assert service.evidence(session, actor)["maturity_reassessed"].answer == "yes"
    assert service.report_pdf(session, actor, second.id).startswith(b"%PDF")


def test_only_leaders_record_assessments(session: Session) -> None:
    world = make_world(session)
    with pytest.raises(PermissionDenied):
        service.assess(session, world.actor(Role.PRODUCT_MANAGER), AssessmentCreate(stage="startup"))


def test_head_of_product_checklist_marks_practised_items(session: Session) -> None:
    world = make_world(session)
    _seed(session, world, weeks_with_feedback=8)
    items = service.head_of_product_checklist(session, world.actor(), "scale-up")
    status = {i.evidence_rule: i.status for i in items if i.evidence_rule}
    assert status["feedback_weekly"] == "practised"
    assert status["regular_one_on_ones"] == "practised"
    assert status["growth_plans"] == "not yet"


def test_api_assess_report_compare_and_bad_answer(client: TestClient, session: Session) -> None:
    world = make_world(session)
    _row, secret = accounts.create_token(
        session, world.actor(Role.OWNER), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    h = {"Authorization": f"Bearer {secret}"}
    bad = client.post(
        "/api/v1/maturity/assessments",
        json={"stage": "startup", "answers": {"feedback_mechanisms.A": {"answer": "maybe"}}},
        headers=h,
    )
    assert bad.status_code == 422
    unknown = client.post(
        "/api/v1/maturity/assessments",
        json={"stage": "startup", "answers": {"nope.A": {"answer": "yes"}}},
        headers=h,
    )
    assert unknown.status_code == 422 and "nope.A" in json_text(unknown.json())
    first = client.post("/api/v1/maturity/assessments", json={"stage": "scale-up"}, headers=h).json()
    second = client.post(
        "/api/v1/maturity/assessments",
        json={"stage": "scale-up", "answers": {"launch_preparation.A": {"answer": "yes"}}},
        headers=h,
    ).json()
    assert first["overall_level"] == 0 and second["next_steps"][0]["feature"]["path"].startswith("/")
    compare = client.get(
        f"/api/v1/maturity/compare?before={first['id']}&after={second['id']}", headers=h
    ).json()
    assert len(compare["changes"]) == len(service.model().areas())
    assert client.get(f"/api/v1/maturity/assessments/{second['id']}/pdf", headers=h).content.startswith(
        b"%PDF"
    )
    assert client.get("/api/v1/maturity/head-of-product?stage=enterprise", headers=h).status_code == 200


def json_text(data: object) -> str:
    import json

    return json.dumps(data)

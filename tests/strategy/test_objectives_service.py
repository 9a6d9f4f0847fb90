"""Objectives' use cases on both databases: the detail with each key result's pace, binding key results to
analytics metrics and checking them in from the events of the objective's period, and who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from northstar.analytics import runtime
from northstar.analytics import service as analytics
from northstar.analytics.schemas import MetricCreate
from northstar.analytics.store.records import EventRecord
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.core.settings import Settings
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate
from northstar.strategy import service
from northstar.strategy.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from tests.factories import World, make_idea, make_world

MID_Q4 = dt.date(2026, 11, 15)  # half of 2026-Q4 (46 of 92 days) is gone at the end of this day


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(home=tmp_path / "home")
    runtime.close_all()


def _objective(session: Session, world: World) -> tuple[int, int, int]:
    actor = world.actor()
    objective = service.create_objective(
        session, actor, ObjectiveCreate(title="Grow usage", period="2026-Q4")
    )
    exports = service.add_key_result(
        session, actor, objective.id, KeyResultCreate(title="Reports exported", target=100, unit="reports")
    )
    churn = service.add_key_result(
        session, actor, objective.id, KeyResultCreate(title="Monthly churn", baseline=5, target=3, unit="%")
    )
    session.commit()
    return objective.id, exports.id, churn.id


def test_detail_gives_each_key_result_its_pace_and_history(session: Session) -> None:
    world = make_world(session)
    objective_id, exports, churn = _objective(session, world)
    actor = world.actor()
    service.add_check_in(
        session, actor, exports, CheckInCreate(value=20, day=dt.date(2026, 10, 20), note="a")
    )
    service.add_check_in(session, actor, exports, CheckInCreate(value=45, day=dt.date(2026, 11, 14)))
    service.add_check_in(session, actor, churn, CheckInCreate(value=4.5, day=dt.date(2026, 11, 14)))
    idea = make_idea(session, world, "Scheduled exports")
    ideas.update_idea(session, actor, idea.id, IdeaUpdate(objective_id=objective_id))
    session.commit()

    detail = service.objective_detail(session, actor, objective_id, today=MID_Q4)

    assert (detail.starts_on, detail.ends_on, detail.elapsed_share) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        0.5,
    )
    by_title = {kr.title: kr for kr in detail.key_results}
    assert by_title["Reports exported"].pace == "on_track"  # 45 of an expected 50: exactly 90 %
    assert by_title["Reports exported"].expected_value == pytest.approx(50)
    assert [c.value for c in by_title["Reports exported"].check_ins] == [20, 45]
    assert {c.source for c in by_title["Reports exported"].check_ins} == {"manual"}
    assert by_title["Monthly churn"].pace == "at_risk"  # 25 % of the way where 50 % was expected
    assert by_title["Monthly churn"].pace_words == "At risk"
    assert detail.progress == pytest.approx((0.45 + 0.25) / 2)
    assert [i.title for i in detail.ideas] == ["Scheduled exports"]


def _events(settings: Settings, world: World, days: list[dt.date], event: str = "report_exported") -> None:
    store = runtime.workspace_store(settings, world.workspace.id)
    store.append([
        EventRecord(event=event, distinct_id=f"user-{n}", timestamp=dt.datetime.combine(day, dt.time(12)))
        for n, day in enumerate(days)
    ])  # fmt: skip


def test_update_from_metrics_checks_in_the_metric_over_the_objective_period(
    session: Session, settings: Settings
) -> None:
    world = make_world(session)
    objective_id, exports, churn = _objective(session, world)
    actor = world.actor()
    analytics.create_metric(
        session,
        actor,
        MetricCreate(
            key="reports-exported", name="Reports exported", event="report_exported", window_days=365
        ),
    )
    service.bind_metric(session, actor, exports, "reports-exported")
    session.commit()
    # two before the period, three inside it up to today, one after today: only the three count
    _events(settings, world, [dt.date(2026, 9, 30), dt.date(2026, 9, 1), dt.date(2026, 10, 1),
                              dt.date(2026, 11, 2), MID_Q4, dt.date(2026, 11, 16)])  # fmt: skip

    done = service.update_from_metrics(session, actor, settings, objective_id, today=MID_Q4)
    session.commit()

    assert [(d.key_result_id, d.value, d.reason) for d in done] == [(exports, 3.0, None)]
    detail = service.objective_detail(session, actor, objective_id, today=MID_Q4)
    bound = next(kr for kr in detail.key_results if kr.id == exports)
    assert (bound.current, bound.metric, bound.metric_name) == (3.0, "reports-exported", "Reports exported")
    assert [(c.source, c.day, c.value) for c in bound.check_ins] == [("metric", MID_Q4, 3.0)]
    assert "2026-10-01 to 2026-11-15" in bound.check_ins[0].note
    assert bound.pace == "at_risk"
    manual = next(kr for kr in detail.key_results if kr.id == churn)
    assert manual.check_ins == [] and manual.current == 5.0


def test_a_short_metric_window_is_cut_at_the_period_start_and_ends_with_the_period(
    session: Session, settings: Settings
) -> None:
    world = make_world(session)
    objective_id, exports, _churn = _objective(session, world)
    actor = world.actor()
    analytics.create_metric(
        session,
        actor,
        MetricCreate(key="weekly-exports", name="Exports a week", event="report_exported", window_days=7),
    )
    service.bind_metric(session, actor, exports, "weekly-exports")
    _events(
        settings,
        world,
        [dt.date(2026, 12, 24), dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2)],
    )
    after_the_period = dt.date(2027, 1, 10)
    done = service.update_from_metrics(session, actor, settings, objective_id, today=after_the_period)
    assert [d.value for d in done] == [
        2.0
    ]  # 25 to 31 December: the period's last week, not the week before 10 Jan
    early = service.update_from_metrics(session, actor, settings, objective_id, today=dt.date(2026, 9, 1))
    assert [(d.value, d.reason) for d in early] == [(None, "the period has not begun")]


def test_binding_refuses_an_unknown_metric_and_manual_unbinds(session: Session) -> None:
    world = make_world(session)
    _objective_id, exports, _churn = _objective(session, world)
    actor = world.actor()
    with pytest.raises(ValidationFailed) as refused:
        service.bind_metric(session, actor, exports, "no-such-metric")
    assert [e.field for e in refused.value.errors] == ["metric"]
    analytics.create_metric(
        session, actor, MetricCreate(key="wau", name="Weekly active users", event="$pageview", math="wau")
    )
    assert service.bind_metric(session, actor, exports, "wau").metric == "wau"
    assert [m.key for m in service.bindable_metrics(session, actor)] == ["wau"]
    assert service.bind_metric(session, actor, exports, "manual").metric is None
    with pytest.raises(ValidationFailed):
        service.add_key_result(
            session, actor, _objective_id, KeyResultCreate(title="x", target=2, metric="nope")
        )


def test_viewers_read_but_cannot_check_in_update_from_metrics_or_bind(
    session: Session, settings: Settings
) -> None:
    world = make_world(session)
    objective_id, exports, _churn = _objective(session, world)
    viewer = world.actor(Role.VIEWER)
    assert service.objective_detail(session, viewer, objective_id).title == "Grow usage"
    with pytest.raises(PermissionDenied):
        service.update_from_metrics(session, viewer, settings, objective_id)
    with pytest.raises(PermissionDenied):
        service.add_check_in(session, viewer, exports, CheckInCreate(value=1))
    with pytest.raises(PermissionDenied):
        service.bind_metric(session, viewer, exports, None)


def test_another_workspace_cannot_see_the_objective(session: Session) -> None:
    world = make_world(session)
    objective_id, _exports, _churn = _objective(session, world)
    other = make_world(session)
    with pytest.raises(Exception) as missing:
        service.objective_detail(session, other.actor(), objective_id)
    assert getattr(missing.value, "status", None) == 404


def test_linking_and_unlinking_an_idea(session: Session) -> None:
    world = make_world(session)
    objective_id, _exports, _churn = _objective(session, world)
    idea = make_idea(session, world, "Dark mode")
    actor = world.actor()
    assert (idea.id, "Dark mode") in service.linkable_ideas(session, actor, objective_id)
    service.link_idea(session, actor, objective_id, idea.id)
    assert [i.id for i in service.objective_detail(session, actor, objective_id).ideas] == [idea.id]
    assert (idea.id, "Dark mode") not in service.linkable_ideas(session, actor, objective_id)
    service.link_idea(session, actor, objective_id, idea.id, linked=False)
    assert service.objective_detail(session, actor, objective_id).ideas == []

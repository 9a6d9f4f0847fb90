"""The demo company's analytics: twelve weeks of events that tell the product's story, saved insights on a
"Product health" dashboard, and the metrics key results are bound to by key (those keys are a contract)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session
from tests.factories import make_world

from northstar.analytics import dashboards, demo, runtime, service
from northstar.analytics.store.records import to_naive_utc
from northstar.core.settings import Settings
from northstar.demo.company import DemoCompany, generate_company


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(7)


@pytest.fixture(scope="module")
def current_company() -> DemoCompany:
    """The company as ``northstar demo`` seeds it: its story ends now."""
    return generate_company(7, as_of=datetime.now(UTC))


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def test_events_are_deterministic_and_lie_in_the_twelve_weeks_before_as_of(company: DemoCompany) -> None:
    events = demo.generate_events(company)
    assert demo.generate_events(company) == events
    until = to_naive_utc(company.as_of)
    assert all(until - timedelta(weeks=12, days=1) <= e.timestamp < until for e in events)
    assert len({e.uuid for e in events}) == len(events)
    counts = Counter(e.event for e in events)
    # the activation funnel narrows at every step
    assert counts["signed_up"] > counts["data_source_connected"] > counts["report_shared"] > 0
    assert counts["dashboard_viewed"] > 10_000
    accounts = {e.properties["$groups"]["company"] for e in events}
    assert len(accounts) > 250, "most customer accounts use the product"


def test_sign_ups_grow_week_by_week(company: DemoCompany) -> None:
    until = to_naive_utc(company.as_of)
    weeks = Counter(
        (until - e.timestamp).days // 7 for e in demo.generate_events(company) if e.event == "signed_up"
    )
    early = sum(weeks[w] for w in (9, 10, 11))
    late = sum(weeks[w] for w in (1, 2, 3))
    assert late > early


def test_seeded_analytics_hold_the_dashboard_insights_and_bindable_metrics(
    session: Session, tmp_path: Path, database_url: str, current_company: DemoCompany
) -> None:
    company = current_company
    world = make_world(session, "Lumen Analytics")
    settings = Settings(database_url=database_url, home=tmp_path / "home", upgrade_on_start=False)
    actor = world.actor()
    context = SimpleNamespace(company=company, settings=settings, customer_ids={})
    demo.seed_demo(session, actor, context)
    session.commit()

    assert [m.key for m in service.list_metrics(session, actor)] == sorted(demo.METRIC_KEYS)
    assert set(demo.METRIC_KEYS) == {
        "weekly_active_accounts",
        "weekly_active_users",
        "activation_rate",
        "report_exports",
    }, "key results on another branch are bound to these keys: renaming one breaks them"
    values = {
        m.key: service.metric_value(session, actor, settings, m.id).value
        for m in service.list_metrics(session, actor)
    }
    assert 150 < values["weekly_active_accounts"] <= len(company.customers)
    assert values["weekly_active_users"] > values["weekly_active_accounts"]
    assert 0.2 < values["activation_rate"] < 0.8
    assert values["report_exports"] > 100

    [(board, count)] = dashboards.list_dashboards(session, actor)
    assert board.name == "Product health" and count == len(demo.INSIGHTS)
    tiles = {i.name: i for i in dashboards.dashboard_insights(session, actor, board.id)}
    assert {"Weekly active users", "Activation funnel", "Weekly retention of new users"} <= set(tiles)

    weekly = service.run_saved_insight(session, actor, settings, tiles["Weekly active users"].id)
    points = weekly.data["series"][0]["points"]
    assert len(points) >= 12 and points[-1]["complete"] is False, "the running week is marked"
    whole = [p["value"] for p in points if p["complete"]]
    assert min(whole) > 0.6 * max(whole), "whole weeks hold steady: no collapse to draw"
    funnel = service.run_saved_insight(session, actor, settings, tiles["Activation funnel"].id)
    steps = funnel.data["series"][0]["steps"]
    assert [s["count"] for s in steps] == sorted((s["count"] for s in steps), reverse=True) and steps[-1][
        "count"
    ] > 0
    retention = service.run_saved_insight(session, actor, settings, tiles["Weekly retention of new users"].id)
    assert any(c["values"] and c["values"][0] > 10 for c in retention.data["cohorts"])

    # seeding again (``make demo`` twice, the workspace id reused) replaces the events instead of doubling them
    stored = runtime.store_registry(settings).get(str(world.workspace.id)).count_events()
    assert demo._store_events(settings, world.workspace.id, company, {}) == stored
    assert runtime.store_registry(settings).get(str(world.workspace.id)).count_events() == stored

"""Dashboards, pickers, metric maths and incomplete periods through the analytics service, and the builder's pages
(one type's fields without JavaScript, errors next to the field, the CSV's ``complete`` column). SQLite and
PostgreSQL for the definitions; events in DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.analytics import dashboards, runtime, service
from northstar.analytics.insights import period_complete, run_spec
from northstar.analytics.presentation import builder_form, display_table, duration, spec_of
from northstar.analytics.queries.engine import DuckDBEngine
from northstar.analytics.queries.filters import DateRange
from northstar.analytics.schemas import (
    DashboardCreate,
    FunnelSpec,
    MetricCreate,
    SavedInsightCreate,
    TrendsSpec,
)
from northstar.analytics.store import EventRecord
from northstar.core.errors import Conflict, NotFound, PermissionDenied
from northstar.core.permissions import Role
from northstar.core.settings import Settings
from tests.analytics.conftest import build_store
from tests.factories import PASSWORD, make_world


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(database_url=database_url, home=tmp_path / "home", upgrade_on_start=False)


def _send(settings: Settings, workspace_id: int, rows: list[tuple[str, str, dt.datetime, dict]]) -> None:
    records = [EventRecord(event=e, distinct_id=who, timestamp=at, properties=p) for who, e, at, p in rows]
    runtime.store_registry(settings).get(str(workspace_id)).append(records)


def _funnel(session: Session, world, name: str = "Activation"):  # type: ignore[no-untyped-def]
    query = FunnelSpec(steps=["signed_up", "report_created"])
    return service.save_insight(session, world.actor(), SavedInsightCreate(name=name, query=query))


# --- dashboards ---------------------------------------------------------------------------------------------


def test_dashboard_holds_saved_insights_in_the_order_they_were_added(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    board = dashboards.create_dashboard(session, actor, DashboardCreate(name="Product health"))
    first, second = _funnel(session, world, "Activation"), _funnel(session, world, "Activation by plan")
    dashboards.add_insight(session, actor, board.id, second.id)
    dashboards.add_insight(session, actor, board.id, first.id)
    read = dashboards.read_dashboard(session, actor, board.id)
    assert [i.name for i in read.insights] == ["Activation by plan", "Activation"]
    assert dashboards.list_dashboards(session, actor) == [(board, 2)]
    assert [b.name for b in dashboards.dashboards_of_insight(session, actor, first.id)] == ["Product health"]

    with pytest.raises(Conflict, match="already on"):
        dashboards.add_insight(session, actor, board.id, first.id)
    dashboards.remove_insight(session, actor, board.id, second.id)
    assert [i.name for i in dashboards.read_dashboard(session, actor, board.id).insights] == ["Activation"]
    assert service.get_saved_insight(session, actor, second.id).name == "Activation by plan", (
        "the insight stays"
    )


def test_dashboard_names_are_unique_and_deleting_keeps_the_insights(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    board = dashboards.create_dashboard(session, actor, DashboardCreate(name="Growth"))
    with pytest.raises(Conflict, match="already exists"):
        dashboards.create_dashboard(session, actor, DashboardCreate(name=" Growth "))
    insight = _funnel(session, world)
    dashboards.add_insight(session, actor, board.id, insight.id)
    session.commit()
    dashboards.delete_dashboard(session, actor, board.id)
    session.commit()
    assert dashboards.list_dashboards(session, actor) == []
    assert [i.id for i in service.list_saved_insights(session, actor)] == [insight.id]


def test_dashboards_are_kept_per_workspace_and_viewers_only_read(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    board = dashboards.create_dashboard(session, world.actor(), DashboardCreate(name="Growth"))
    foreign = _funnel(session, other)
    with pytest.raises(NotFound):
        dashboards.get_dashboard(session, other.actor(), board.id)
    with pytest.raises(NotFound):
        dashboards.add_insight(session, world.actor(), board.id, foreign.id)
    with pytest.raises(PermissionDenied):
        dashboards.create_dashboard(session, world.actor(Role.VIEWER), DashboardCreate(name="Mine"))
    assert dashboards.read_dashboard(session, world.actor(Role.VIEWER), board.id).name == "Growth"


# --- pickers and metrics ------------------------------------------------------------------------------------


def test_pickers_list_the_events_and_properties_received_most_sent_first(
    session: Session, settings: Settings
) -> None:
    world = make_world(session)
    now = dt.datetime(2026, 12, 1, 12)
    _send(settings, world.workspace.id, [
        ("a", "report_viewed", now, {"plan": "growth", "$browser": "Firefox"}),
        ("b", "report_viewed", now, {"plan": "starter"}),
        ("a", "signed_up", now, {"plan": "growth", "source": "ad"}),
    ])  # fmt: skip
    names = service.event_names(session, world.actor(), settings)
    assert [(e.name, e.count) for e in names] == [("report_viewed", 2), ("signed_up", 1)]
    assert [e.name for e in service.event_names(session, world.actor(), settings, "SIGN")] == ["signed_up"]
    assert [e.name for e in service.event_names(session, world.actor(), settings, "_")] == [
        "report_viewed",
        "signed_up",
    ], "an underscore is a letter in the search, not a wildcard"
    properties = service.property_names(session, world.actor(), settings)
    assert [(p.name, p.count) for p in properties] == [("plan", 3), ("source", 1), ("$browser", 1)]
    assert [p.name for p in service.property_names(session, world.actor(), settings, "signed_up")] == [
        "plan",
        "source",
    ]


def test_conversion_and_active_account_metrics_count_from_the_events(
    session: Session, settings: Settings
) -> None:
    world = make_world(session)
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    acme, globex = {"$groups": {"company": "acme"}}, {"$groups": {"company": "globex"}}
    _send(settings, world.workspace.id, [
        ("a", "signed_up", today - dt.timedelta(days=3), acme),
        ("a", "report_created", today - dt.timedelta(days=2), acme),
        ("b", "report_created", today - dt.timedelta(days=5), acme),  # before b signed up: not a conversion
        ("b", "signed_up", today - dt.timedelta(days=4), acme),
        ("c", "signed_up", today - dt.timedelta(days=1), globex),
        ("d", "signed_up", today - dt.timedelta(days=40), globex),  # outside the window
    ])  # fmt: skip
    actor = world.actor()
    rate = service.create_metric(
        session,
        actor,
        MetricCreate(
            key="activation_rate",
            name="Activation rate",
            event="signed_up",
            math="conversion",
            conversion_event="report_created",
            window_days=30,
        ),
    )
    accounts = service.create_metric(
        session,
        actor,
        MetricCreate(
            key="active_accounts", name="Active accounts", event="signed_up", math="unique_accounts"
        ),
    )
    assert service.metric_value(session, actor, settings, rate.id).value == pytest.approx(1 / 3)
    assert service.metric_value(session, actor, settings, accounts.id).value == 2
    with pytest.raises(ValueError, match="conversion_event"):
        MetricCreate(key="x", name="x", event="signed_up", math="conversion")


# --- incomplete periods -------------------------------------------------------------------------------------


def test_the_running_week_and_a_week_cut_by_the_range_are_not_complete() -> None:
    span = DateRange(dt.datetime(2026, 11, 4), dt.datetime(2026, 12, 3))
    now = dt.datetime(2026, 12, 2, 15)
    assert not period_complete(dt.datetime(2026, 11, 2), "week", span, now), "starts before the range"
    assert period_complete(dt.datetime(2026, 11, 9), "week", span, now)
    assert not period_complete(dt.datetime(2026, 11, 30), "week", span, now), "still running"
    assert period_complete(dt.datetime(2026, 12, 1), "day", span, now)
    assert not period_complete(dt.datetime(2026, 12, 2), "day", span, now), "today"
    assert period_complete(dt.datetime(2026, 12, 1), "day", DateRange(None, None), now)


def test_weekly_trend_marks_the_current_week_in_rows_chart_data_and_csv() -> None:
    now = dt.datetime(2026, 12, 2, 15)  # a Wednesday
    store = build_store(
        [(f"u{n}", "opened", now - dt.timedelta(days=d)) for n in range(5) for d in (1, 8, 15)]
    )
    spec = TrendsSpec(event="opened", math="unique_users", interval="week", date_from=dt.date(2026, 11, 16))
    result = run_spec(DuckDBEngine(store.connection), spec, now.date(), now)
    assert result.columns[-1] == "complete"
    assert [(row[2], row[3], row[4]) for row in result.rows] == [
        ("2026-11-16", 5.0, True),
        ("2026-11-23", 5.0, True),
        ("2026-11-30", 5.0, False),
    ]
    assert [p["complete"] for p in result.data["series"][0]["points"]] == [True, True, False]
    csv_lines = service.insight_csv(result).splitlines()
    assert csv_lines[0] == "series,period,date,value,complete" and csv_lines[-1].endswith(",False")
    table = display_table(result, spec.model_dump())
    assert table.rows[-1][-1] == "in progress" and table.incomplete == {2} and "partial" in table.note
    assert table.rows[0][0] == "week of 2026-11-16"


def test_funnel_table_reads_as_percentages_and_durations() -> None:
    start = dt.datetime(2026, 11, 2, 9)
    store = build_store([
        ("a", "signed_up", start), ("a", "report_created", start + dt.timedelta(hours=3)),
        ("b", "signed_up", start), ("c", "signed_up", start),
    ])  # fmt: skip
    spec = FunnelSpec(
        steps=["signed_up", "report_created"], date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30)
    )
    result = run_spec(DuckDBEngine(store.connection), spec, dt.date(2026, 12, 1))
    table = display_table(result, spec.model_dump())
    assert table.rows == [
        ["1. signed_up", "3", "100.0%", "—", "—", "2"],
        ["2. report_created", "1", "33.3%", "3 h", "3 h", "—"],
    ]
    assert [duration(s) for s in (42, 600, 200_000)] == ["42 s", "10 min", "2 d 7 h"]


# --- the builder's form -------------------------------------------------------------------------------------


def test_builder_form_keeps_repeated_steps_in_order_and_names_the_field_in_error() -> None:
    form = builder_form(
        [("kind", "funnel"), ("steps", "signed_up"), ("steps", ""), ("steps", "paid"), ("window_days", "x")]
    )
    assert form.values["steps"] == ["signed_up", "paid"]
    assert spec_of(form) is None and form.errors["window_days"] == "enter a number, like 25000"
    older = builder_form([("kind", "funnel"), ("steps", "signed_up, paid")])
    assert spec_of(older) == FunnelSpec(steps=["signed_up", "paid"])
    empty = builder_form([("kind", "trends")])
    assert spec_of(empty) is None and empty.errors == {"event": "choose an event from the list"}


@pytest.mark.slow
def test_builder_page_without_javascript_shows_one_type_and_saves_with_inline_errors(
    client: TestClient, session: Session, app_settings: Settings
) -> None:
    world = make_world(session)
    _send(
        app_settings, world.workspace.id, [("a", "opened", dt.datetime.now(dt.UTC).replace(tzinfo=None), {})]
    )
    assert client.post("/login", data={"email": world.email(), "password": PASSWORD}).status_code in (
        200,
        303,
    )
    chosen = client.get("/analytics", params={"kind": "retention", "action": "choose"})
    assert chosen.status_code == 200
    assert '<fieldset class="insight-fields" data-kind="retention">' in chosen.text
    assert '<fieldset class="insight-fields" data-kind="trends" hidden disabled>' in chosen.text
    assert 'data-testid="result"' not in chosen.text, "choosing a type does not run anything"
    assert '<option value="opened" label="1 events">' in chosen.text

    refused = client.get(
        "/analytics", params={"kind": "trends", "event": "opened", "math": "sum", "last_days": "7"}
    )
    assert refused.status_code == 422
    assert 'id="trends-math_property-error"' in refused.text and 'value="7"' in refused.text

    ran = client.get("/analytics", params={"kind": "trends", "event": "opened", "interval": "week"})
    assert ran.status_code == 200 and "in progress" in ran.text
    token = (
        client.cookies.get("northstar_csrf")
        or ran.text.split('name="csrf_token" value="', 1)[1].split('"')[0]
    )
    spec_json = ran.text.split('name="spec_json" value="', 1)[1].split('"')[0].replace("&#34;", '"')
    form = {
        "csrf_token": token,
        "spec_json": spec_json,
        "kind": "trends",
        "event": "opened",
        "interval": "week",
    }
    nameless = client.post("/analytics/insights", data={**form, "name": " "})
    assert nameless.status_code == 422 and "give the insight a name" in nameless.text
    saved = client.post(
        "/analytics/insights", data={**form, "name": "Weekly openers"}, follow_redirects=False
    )
    assert saved.status_code == 303
    insight_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    added = client.post(
        f"/analytics/insights/{insight_id}/dashboards",
        data={"csrf_token": token, "new_dashboard": "Growth"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    board = client.get(added.headers["location"])
    assert board.status_code == 200 and "Weekly openers" in board.text and "<svg" in board.text
    again = client.post(
        f"/analytics/insights/{insight_id}/dashboards",
        data={"csrf_token": token, "new_dashboard": "Growth"},
    )
    assert again.status_code == 422 and "already exists" in again.text
    csv_text = client.get(f"/analytics/insights/{insight_id}/export.csv").text
    assert csv_text.splitlines()[0] == "series,period,date,value,complete"

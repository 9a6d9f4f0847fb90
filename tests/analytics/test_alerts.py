"""Anomaly alerts from the event store: a hand-made daily series with a weekly cycle and one planted spike gives one
alert (and none on the normal weekend dip), on DuckDB and on PostgreSQL, with the app database on SQLite and
PostgreSQL; re-evaluation keeps acknowledgements and removes alerts that late data resolved; saved daily trends are
checked too; the API, the job, the page, the home panel and the CLI show the same alerts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.analytics import alerts, runtime
from northstar.analytics import service as analytics
from northstar.analytics.queries.engine import DuckDBEngine, SqlEngine
from northstar.analytics.schemas import MetricCreate, SavedInsightCreate
from northstar.analytics.store import EventRecord, EventStore
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role, TokenScope
from tests.analytics.conftest import build_store
from tests.factories import PASSWORD, make_world

MakeEngine = Callable[[EventStore], SqlEngine]
THROUGH = date(2024, 3, 10)  # a Sunday: the alert window is Monday 4 to Sunday 10 March
SPIKE_DAY = date(2024, 3, 6)  # a Wednesday
DAYS = 70
WEEKDAY_LEVEL = {0: 100, 1: 104, 2: 98, 3: 102, 4: 90, 5: 40, 6: 30}  # Saturday and Sunday dip every week


def daily_counts(spike: int | None = 260) -> dict[date, int]:
    """Ten weeks of sign-ups: a weekday level, a small regular wobble, and one planted spike."""
    first = THROUGH - timedelta(days=DAYS - 1)
    counts = {}
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        counts[day] = WEEKDAY_LEVEL[day.weekday()] + (offset * 7) % 5 - 2
    if spike is not None:
        counts[SPIKE_DAY] = spike
    return counts


def rows_for(counts: dict[date, int], event: str = "signed_up") -> list[tuple[str, str, datetime]]:
    return [
        (f"{day.isoformat()}-{k}", event, datetime.combine(day, datetime.min.time()) + timedelta(minutes=k))
        for day, count in counts.items()
        for k in range(count)
    ]


@pytest.fixture(scope="module")
def seasonal_store() -> EventStore:
    return build_store(rows_for(daily_counts()))


def _metric(session: Session, actor: Any, key: str = "signups", math: str = "total") -> Any:
    return analytics.create_metric(
        session,
        actor,
        MetricCreate(key=key, name="Sign-ups", event="signed_up", math=math),  # type: ignore[arg-type]
    )


def test_planted_spike_is_the_only_alert_and_the_weekend_dip_is_not_one(
    engine_for: MakeEngine, seasonal_store: EventStore, session: Session
) -> None:
    world = make_world(session)
    actor = world.actor()
    metric = _metric(session, actor)
    _metric(session, actor, "daily-signups", "dau")
    _metric(
        session, actor, "weekly-signups", "wau"
    )  # watched through its daily actives: one alert, not seven
    result = alerts.evaluate_alerts(session, actor, engine_for(seasonal_store), through=THROUGH)
    assert (result.through_day, result.series, result.notes) == (THROUGH, 3, [])
    assert [(a.label, a.day, a.direction) for a in result.alerts] == [("Sign-ups", SPIKE_DAY, "spike")] * 3
    stored = alerts.list_alerts(session, actor)
    assert {a.series_key for a in stored} == {
        "metric:signups",
        "metric:daily-signups",
        "metric:weekly-signups",
    }
    spike = next(a for a in stored if a.metric_id == metric.id)
    assert spike.observed == 260 and spike.lower < WEEKDAY_LEVEL[2] + 3 < spike.upper
    assert 80 < spike.expected < 120 and spike.score > 6 and spike.severity == "critical"
    # The same detector on the same days, without the spike: the weekend dips of the window are inside the band.
    clean = alerts.DailySeries(
        "x", "x", list(daily_counts(None)), [float(v) for v in daily_counts(None).values()]
    )
    flagged, note = alerts.assess(clean, THROUGH - timedelta(days=6), alerts.DEFAULT_THRESHOLD)
    assert (flagged, note) == ([], None)


def test_reevaluation_keeps_acknowledgement_and_late_data_resolves_open_alerts(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    _metric(session, actor)
    store = build_store(rows_for(daily_counts()))
    engine = DuckDBEngine(store.connection)
    first = alerts.evaluate_alerts(session, actor, engine, through=THROUGH)
    assert first.new_alerts == 1
    again = alerts.evaluate_alerts(session, actor, engine, through=THROUGH)
    assert (again.new_alerts, again.anomalies, len(alerts.list_alerts(session, actor))) == (0, 1, 1)
    alert = alerts.list_alerts(session, actor)[0]
    alerts.acknowledge_alert(session, actor, alert.id)
    with pytest.raises(Conflict):
        alerts.acknowledge_alert(session, actor, alert.id)
    assert alerts.list_alerts(session, actor) == []
    assert [a.id for a in alerts.list_alerts(session, actor, acknowledged=True)] == [alert.id]
    assert alerts.evaluate_alerts(session, actor, engine, through=THROUGH).new_alerts == 0  # not reopened

    # A second store where the spike day was an outage that late events filled in: a drop, then resolved.
    counts = daily_counts(spike=3)
    outage = build_store(rows_for(counts))
    other = make_world(session, "Other")
    other_actor = other.actor()
    _metric(session, other_actor)
    dropped = alerts.evaluate_alerts(session, other_actor, DuckDBEngine(outage.connection), through=THROUGH)
    assert [(a.day, a.direction) for a in dropped.alerts] == [(SPIKE_DAY, "drop")]
    late = [EventRecord("signed_up", f"late-{k}", datetime.combine(SPIKE_DAY, datetime.min.time()))
            for k in range(95)]  # fmt: skip
    outage.append(late)
    healed = alerts.evaluate_alerts(session, other_actor, DuckDBEngine(outage.connection), through=THROUGH)
    assert (healed.anomalies, healed.resolved_alerts, alerts.list_alerts(session, other_actor)) == (0, 1, [])
    with pytest.raises(NotFound):  # workspaces never see each other's alerts
        alerts.acknowledge_alert(session, other_actor, alert.id)


def test_saved_daily_trends_are_checked_and_other_insights_are_not(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    store = build_store(rows_for(daily_counts()) + rows_for({THROUGH - timedelta(days=2): 3}, "rare"))
    trends = analytics.save_insight(
        session,
        actor,
        SavedInsightCreate.model_validate(
            {"name": "Daily sign-ups", "query": {"kind": "trends", "event": "signed_up"}}
        ),
    )
    analytics.save_insight(
        session,
        actor,
        SavedInsightCreate.model_validate(
            {"name": "Weekly", "query": {"kind": "trends", "event": "signed_up", "interval": "week"}}
        ),
    )
    analytics.save_insight(
        session,
        actor,
        SavedInsightCreate.model_validate(
            {"name": "Funnel", "query": {"kind": "funnel", "steps": ["signed_up", "paid"]}}
        ),
    )
    analytics.save_insight(
        session, actor, SavedInsightCreate.model_validate({"name": "Rare", "query": {"kind": "trends", "event": "rare"}})
    )  # fmt: skip
    result = alerts.evaluate_alerts(session, actor, DuckDBEngine(store.connection), through=THROUGH)
    assert result.series == 2  # the daily trends only
    assert [(a.series_key, a.day) for a in result.alerts] == [(f"insight:{trends.id}", SPIKE_DAY)]
    assert result.notes == ["Rare: not enough history yet (needs 28 days of data)"]


def test_bad_evaluation_settings_are_refused(session: Session) -> None:
    world = make_world(session)
    engine = DuckDBEngine(build_store([]).connection)
    with pytest.raises(ValidationFailed):
        alerts.evaluate_alerts(session, world.actor(), engine, alert_days=0)
    with pytest.raises(ValidationFailed):
        alerts.evaluate_alerts(session, world.actor(), engine, threshold=0.5)
    with pytest.raises(PermissionDenied):
        alerts.evaluate_alerts(session, world.actor(Role.VIEWER), engine)


# --- faces --------------------------------------------------------------------------------------------------


@pytest.fixture
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _fill_workspace_store(settings: Any, workspace_id: int) -> None:
    store = runtime.workspace_store(settings, workspace_id)
    store.append([EventRecord(event, who, moment) for who, event, moment in rows_for(daily_counts())])


@pytest.mark.slow
@pytest.mark.usefixtures("_close_event_stores")
def test_api_job_page_and_home_panel_show_the_alert(
    client: TestClient, session: Session, app_settings: Any
) -> None:
    world = make_world(session)
    _metric(session, world.actor())
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    _fill_workspace_store(app_settings, world.workspace.id)
    assert client.get("/api/v1/analytics/alerts", headers=headers).json() == []
    evaluated = client.post(
        "/api/v1/analytics/alerts/evaluate", json={"through": THROUGH.isoformat()}, headers=headers
    )
    assert evaluated.status_code == 200, evaluated.text
    assert [(a["day"], a["direction"]) for a in evaluated.json()["alerts"]] == [
        (SPIKE_DAY.isoformat(), "spike")
    ]
    bad = client.post("/api/v1/analytics/alerts/evaluate", json={"alert_days": 90}, headers=headers)
    assert bad.status_code == 422
    job = client.post("/api/v1/analytics/alerts/jobs", json={"through": THROUGH.isoformat()}, headers=headers)
    assert job.status_code == 202
    for _ in range(100):
        state = client.get(f"/api/v1/jobs/{job.json()['id']}", headers=headers).json()
        if state["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert state["status"] == "succeeded", state
    assert (state["result"]["series"], state["result"]["anomalies"], state["result"]["new_alerts"]) == (
        1,
        1,
        0,
    )
    listed = client.get("/api/v1/analytics/alerts", headers=headers).json()
    assert len(listed) == 1 and listed[0]["severity"] == "critical"

    assert client.post("/login", data={"email": world.email(), "password": PASSWORD}).status_code in (
        200,
        303,
    )
    home = client.get("/")
    assert "Metric alerts" in home.text and f"Sign-ups: spike on {SPIKE_DAY.isoformat()}" in home.text
    page = client.get("/analytics")
    assert 'id="alerts"' in page.text and "Acknowledge" in page.text and "Wed 2024-03-06" in page.text
    token = client.cookies.get("northstar_csrf") or _csrf_from(page.text)
    acked = client.post(
        f"/analytics/alerts/{listed[0]['id']}/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    assert acked.status_code == 303
    assert client.get("/api/v1/analytics/alerts", headers=headers).json() == []
    assert (
        client.get("/api/v1/analytics/alerts?status=all", headers=headers).json()[0]["acknowledged"] is True
    )
    assert (
        client.post(f"/api/v1/analytics/alerts/{listed[0]['id']}/acknowledge", headers=headers).status_code
        == 409
    )
    assert "No open alerts (checked through" in client.get("/").text
    checked = client.post("/analytics/alerts/check", data={"csrf_token": token}, follow_redirects=False)
    assert checked.status_code == 303 and checked.headers["location"].startswith("/jobs/")


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


@pytest.mark.slow
@pytest.mark.usefixtures("_close_event_stores")
def test_cli_evaluates_with_a_job_and_lists_and_acknowledges(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from northstar.cli import app
    from northstar.core.settings import Settings

    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    runner = CliRunner()
    init = [
        "init",
        "--email",
        "hop@example.com",
        "--name",
        "H",
        "--password",
        "a-long-password",
        "--workspace",
        "Acme",
    ]
    assert runner.invoke(app, init).exit_code == 0
    from northstar.cli_support import open_session, resolve_actor

    with open_session() as cli_session:
        actor = resolve_actor(cli_session, None, None)
        _metric(cli_session, actor)
        workspace_id = actor.workspace_id
    _fill_workspace_store(Settings(), workspace_id)
    runtime.close_all()  # release the DuckDB file, as a separate CLI process would find it
    result = runner.invoke(
        app, ["analytics", "alerts", "--evaluate", "--through", THROUGH.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(a["label"], a["day"], a["direction"]) for a in listed] == [
        ("Sign-ups", SPIKE_DAY.isoformat(), "spike")
    ]
    table = runner.invoke(app, ["analytics", "alerts", "--format", "csv"])
    assert table.exit_code == 0 and "Sign-ups" in table.stdout
    acked = runner.invoke(app, ["analytics", "acknowledge", str(listed[0]["id"]), "--format", "json"])
    assert acked.exit_code == 0 and json.loads(acked.stdout)["acknowledged"] is True
    again = runner.invoke(app, ["analytics", "acknowledge", str(listed[0]["id"])])
    assert again.exit_code == 2 and "already acknowledged" in again.output

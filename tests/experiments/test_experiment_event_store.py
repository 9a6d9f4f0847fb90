"""Experiment summaries computed in the event store (DuckDB, and PostgreSQL through the same query layer) on a tiny
hand-computed event set: first-exposure attribution by person (identify merges count), persons exposed to several
variants left out and counted, other flags and other variants ignored, metric events only after exposure, before the
end of the analysis window and within a conversion window, ratio and CUPED sums; then the service refreshes a stored
experiment from the workspace's store and the gbstats-matching engine reports on it (service, API, page, CLI)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.analytics import runtime
from northstar.analytics.queries.engine import DuckDBEngine, SqlEngine
from northstar.analytics.store import EventRecord, EventStore
from northstar.core.errors import ValidationFailed
from northstar.experiments import service
from northstar.experiments.event_summaries import ExposureRules, exposure_counts, summaries_from_store
from northstar.experiments.exposures import MetricFromEvents, summaries_from_events
from northstar.experiments.schemas import ExperimentCreate, ExperimentUpdate, RefreshRequest
from tests.analytics.conftest import build_store
from tests.factories import PASSWORD, make_world

MakeEngine = Callable[[EventStore], SqlEngine]
T0 = datetime(2026, 3, 1)
END = T0 + timedelta(days=10)
EXPOSE, FLAG, RESPONSE = "$feature_flag_called", "$feature_flag", "$feature_flag_response"


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def seen(variant: str, flag: str = "checkout") -> dict[str, Any]:
    return {FLAG: flag, RESPONSE: variant}


# distinct id, event, time, properties
EVENTS: list[tuple[str, str, datetime, dict[str, Any]]] = [
    ("a1", EXPOSE, h(1), seen("control")),
    ("a1", "purchase", h(2), {"amount": 10}),
    ("a1", "purchase", h(3), {"amount": 5}),
    ("a1", "purchase", h(-48), {"amount": 7}),  # two days before exposure: the CUPED covariate only
    ("a1", "session", h(1.5), {}),
    ("a1", "session", h(20), {}),
    ("a2", EXPOSE, h(1), seen("control")),
    ("a2", "session", h(2), {}),
    ("anon-1", EXPOSE, h(5), seen("control")),  # exposed while anonymous ...
    ("user-1", "$identify", h(5.5), {"$anon_distinct_id": "anon-1"}),  # ... then identified: one person
    ("user-1", "purchase", h(6), {"amount": 4}),
    ("user-1", "session", h(6), {}),
    ("b1", "purchase", h(0.5), {"amount": 99}),  # before exposure: not a conversion; the covariate
    ("b1", EXPOSE, h(1), seen("test")),
    ("b1", EXPOSE, h(4), seen("test")),  # exposed again, same variant: still one person, entered at h(1)
    ("b1", "purchase", h(6), {"amount": 20}),
    ("b1", "session", h(2), {}),
    ("b1", "session", h(3), {}),
    ("b2", EXPOSE, h(2), seen("test")),
    ("b2", "purchase", END + timedelta(hours=1), {"amount": 8}),  # after the analysis window
    ("b3", EXPOSE, h(2), seen("test")),
    (
        "b3",
        "purchase",
        h(72),
        {"amount": 3},
    ),  # three days after exposure: outside a one-day conversion window
    ("b3", "session", h(72), {}),
    ("x", EXPOSE, h(1), seen("control")),
    ("x", EXPOSE, h(2), seen("test")),  # saw both: left out, and counted
    ("x", "purchase", h(3), {"amount": 1}),
    ("y", EXPOSE, h(1), seen("other")),  # a variant this experiment does not have
    ("z", EXPOSE, h(1), seen("test", flag="pricing")),  # another flag's exposure: not this experiment
    ("w", EXPOSE, h(-1), seen("control")),  # exposed before the analysis window opened
    ("c", "purchase", h(2), {"amount": 1}),  # never exposed
]
RULES = ExposureRules(EXPOSE, RESPONSE, ["control", "test"], feature_flag="checkout", start=T0, end=END)


@pytest.fixture(scope="module")
def store() -> EventStore:
    return build_store(EVENTS)


def sums(summary: Any, *names: str) -> tuple[Any, ...]:
    return tuple(getattr(summary, name) for name in names)


def test_first_exposure_attribution_by_person_and_the_persons_left_out(
    engine_for: MakeEngine,
    store: EventStore,
) -> None:
    counts = exposure_counts(engine_for(store), RULES)
    # control: a1, a2, user-1 (exposed as anon-1); test: b1, b2, b3; x saw both; y an unknown variant;
    # z belongs to another flag and w was exposed before the window: neither is in the experiment.
    assert (counts.exposed, counts.multiple_variants, counts.unknown_variant) == (
        {"control": 3, "test": 3},
        1,
        1,
    )


def test_mean_and_proportion_count_only_events_after_exposure_inside_the_window(
    engine_for: MakeEngine,
    store: EventStore,
) -> None:
    engine = engine_for(store)
    mean = MetricFromEvents("mean", "purchase", value_property="amount")
    control, test = summaries_from_store(engine, RULES, mean)
    assert sums(control, "users", "main_sum", "main_sum_squares") == (3, 19.0, 241.0)  # 15, 0, 4
    assert sums(test, "users", "main_sum", "main_sum_squares") == (3, 23.0, 409.0)  # 20, 0 (after END), 3
    assert control.denominator_sum is None and control.covariate_sum is None
    converted = summaries_from_store(engine, RULES, MetricFromEvents("proportion", "purchase"))
    assert [sums(s, "users", "main_sum", "main_sum_squares") for s in converted] == [
        (3, 2.0, 2.0),
        (3, 2.0, 2.0),
    ]
    within_a_day = summaries_from_store(engine, RULES, mean, window_days=1)
    assert [s.main_sum for s in within_a_day] == [19.0, 20.0]  # b3's purchase came 70 hours after exposure
    counted = summaries_from_store(engine, RULES, MetricFromEvents("mean", "purchase"))
    assert [sums(s, "main_sum", "main_sum_squares") for s in counted] == [(3.0, 5.0), (2.0, 2.0)]


def test_ratio_and_cuped_sums(engine_for: MakeEngine, store: EventStore) -> None:
    engine = engine_for(store)
    ratio = MetricFromEvents("ratio", "purchase", denominator_event="session")
    control, test = summaries_from_store(engine, RULES, ratio)
    # purchases per person: control [2, 0, 1], test [1, 0, 1]; sessions: control [2, 1, 1], test [2, 0, 1]
    names = (
        "main_sum",
        "main_sum_squares",
        "denominator_sum",
        "denominator_sum_squares",
        "main_denominator_sum_product",
    )
    assert sums(control, *names) == (3.0, 5.0, 4.0, 6.0, 5.0)
    assert sums(test, *names) == (2.0, 2.0, 3.0, 5.0, 3.0)
    cuped = summaries_from_store(
        engine, RULES, MetricFromEvents("mean", "purchase", value_property="amount"), covariate_days=3
    )
    covariates = ("covariate_sum", "covariate_sum_squares", "main_covariate_sum_product")
    assert [sums(s, *covariates) for s in cuped] == [(7.0, 49.0, 105.0), (99.0, 9801.0, 1980.0)]
    both = summaries_from_store(engine, RULES, ratio, covariate_days=3)
    # pre-period purchases: control [1, 0, 0], test [1, 0, 0]; pre-period sessions: none
    assert [sums(s, "covariate_sum", "main_covariate_sum_product", "denominator_pre_sum") for s in both] == [
        (1.0, 2.0, 0.0),
        (1.0, 1.0, 0.0),
    ]
    with pytest.raises(ValueError):
        summaries_from_store(engine, RULES, MetricFromEvents("ratio", "purchase"))


def test_a_variant_nobody_saw_gets_zeros() -> None:
    engine = DuckDBEngine(build_store([("a", EXPOSE, h(1), seen("control"))]).connection)
    rules = ExposureRules(EXPOSE, RESPONSE, ["control", "test"])
    control, test = summaries_from_store(engine, rules, MetricFromEvents("proportion", "purchase"))
    assert sums(control, "users", "main_sum") == (1, 0.0) and sums(test, "users", "main_sum") == (0, 0.0)


def test_store_query_agrees_with_the_dataframe_engine_on_random_events() -> None:
    generator = random.Random(11)
    rows = []
    for unit in range(120):
        who = f"u{unit}"
        exposures = generator.choice([0, 1, 1, 1, 2])
        for _ in range(exposures):
            rows.append(
                (who, EXPOSE, h(generator.uniform(0, 48)), {RESPONSE: generator.choice(["a", "b", "c"])})
            )
        for _ in range(generator.randint(0, 5)):
            event = generator.choice(["buy", "visit"])
            rows.append((who, event, h(generator.uniform(-100, 200)), {"value": generator.randint(1, 9)}))
    frame = pd.DataFrame(
        [{"distinct_id": w, "event": e, "timestamp": t, "properties": json.dumps(p)} for w, e, t, p in rows]
    )
    engine = DuckDBEngine(build_store(rows).connection)
    rules = ExposureRules(EXPOSE, RESPONSE, ["a", "b"])
    for metric in (
        MetricFromEvents("proportion", "buy"),
        MetricFromEvents("mean", "buy", value_property="value"),
        MetricFromEvents("ratio", "buy", denominator_event="visit"),
    ):
        for covariate_days in (None, 2):
            ours = summaries_from_store(engine, rules, metric, covariate_days=covariate_days)
            theirs, counts = summaries_from_events(
                frame, exposure_event=EXPOSE, variant_property=RESPONSE, variants=["a", "b"], metric=metric,
                covariate_days=covariate_days,
            )  # fmt: skip
            for mine, reference in zip(ours, theirs, strict=True):
                assert asdict(mine).keys() == asdict(reference).keys()
                for name, value in asdict(reference).items():
                    assert asdict(mine)[name] == (
                        value if value is None or isinstance(value, str) else pytest.approx(value)
                    ), name
    assert exposure_counts(engine, rules).multiple_variants == counts.multiple_variants > 0


# --- the stored experiment ----------------------------------------------------------------------------------


@pytest.fixture
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _experiment(session: Session, actor: Any, **extra: Any) -> Any:
    data = {
        "key": "checkout",
        "name": "One-page checkout",
        "feature_flag": "checkout",
        "variants": [{"key": "control"}, {"key": "test"}],
        "metrics": [
            {"key": "revenue", "type": "mean", "event": "purchase", "value_property": "amount"},
            {"key": "converted", "type": "proportion", "event": "purchase", "window_days": 1},
            {"key": "per-session", "type": "ratio", "event": "purchase", "denominator_event": "session"},
            {"key": "nps", "type": "mean", "role": "guardrail"},  # no event: uploaded by hand
        ],
        **extra,
    }
    experiment = service.create_experiment(session, actor, ExperimentCreate.model_validate(data))
    service.update_experiment(session, actor, experiment.id, ExperimentUpdate(started_at=T0, ended_at=END))
    return experiment


def _fill(settings: Any, workspace_id: int) -> None:
    runtime.workspace_store(settings, workspace_id).append(
        [EventRecord(event, who, moment, properties=dict(props)) for who, event, moment, props in EVENTS]
    )


@pytest.mark.usefixtures("_close_event_stores")
def test_service_refresh_stores_summaries_and_the_report_uses_them(session: Session, tmp_path: Path) -> None:
    from northstar.core.settings import Settings

    settings = Settings(home=tmp_path / "home", database_url="sqlite:///unused.db")
    world = make_world(session)
    actor = world.actor()
    experiment = _experiment(session, actor)
    _fill(settings, world.workspace.id)
    refreshed = service.refresh_from_events(session, actor, settings, experiment.id)
    assert [m.metric_key for m in refreshed.metrics] == ["revenue", "converted", "per-session"]
    assert (refreshed.skipped, refreshed.exposed, refreshed.multiple_variants, refreshed.unknown_variant) == (
        ["nps"], {"control": 3, "test": 3}, 1, 1,
    )  # fmt: skip
    rows = {(s.metric_key, s.variation): s for s in service.list_summaries(session, actor, experiment.id)}
    assert (rows[("revenue", "test")].main_sum, rows[("converted", "test")].main_sum) == (23.0, 1.0)
    assert rows[("per-session", "control")].main_denominator_sum_product == 5.0
    results = service.experiment_results(session, actor, experiment.id)
    revenue = next(m for m in results.metrics if m.key == "revenue")
    assert revenue.missing is None and revenue.baseline_mean == pytest.approx(19 / 3)
    assert revenue.variants[0].users == 3 and revenue.variants[0].mean == pytest.approx(23 / 3)
    assert next(m for m in results.metrics if m.key == "nps").missing
    assert results.experiment.exposure_summary["multiple_variants"] == 1
    assert results.experiment.computed_at is not None
    # CUPED experiments get the pre-period covariate (here 3 days)
    service.update_experiment(session, actor, experiment.id, ExperimentUpdate(settings={"cuped": True}))
    service.refresh_from_events(session, actor, settings, experiment.id, RefreshRequest(covariate_days=3))
    cuped = {(s.metric_key, s.variation): s for s in service.list_summaries(session, actor, experiment.id)}
    assert cuped[("revenue", "test")].covariate_sum == 99.0
    no_events = service.create_experiment(
        session, actor, ExperimentCreate.model_validate(
            {"key": "manual", "name": "Manual", "variants": [{"key": "a"}, {"key": "b"}], "metrics": [{"key": "m"}]}
        ),
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        service.refresh_from_events(session, actor, settings, no_events.id)


@pytest.mark.slow
@pytest.mark.usefixtures("_close_event_stores")
def test_refresh_through_api_page_and_cli(
    client: TestClient,
    session: Session,
    app_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    from typer.testing import CliRunner

    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate
    from northstar.cli import app
    from northstar.core.permissions import TokenScope

    world = make_world(session)
    experiment = _experiment(session, world.actor())
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    _fill(app_settings, world.workspace.id)
    headers = {"Authorization": f"Bearer {secret}"}
    refreshed = client.post(f"/api/v1/experiments/{experiment.id}/refresh", json={}, headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["exposed"] == {"control": 3, "test": 3}
    assert (
        client.post(
            f"/api/v1/experiments/{experiment.id}/refresh", json={"covariate_days": 0}, headers=headers
        ).status_code
        == 422
    )
    viewer = accounts.create_token(session, world.actor(), TokenCreate(name="v", scope=TokenScope.READ))[1]
    session.commit()
    denied = client.post(
        f"/api/v1/experiments/{experiment.id}/refresh", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert denied.status_code == 403
    results = client.get(f"/api/v1/experiments/{experiment.id}/results", headers=headers).json()
    assert next(m for m in results["metrics"] if m["key"] == "revenue")["variants"][0]["users"] == 3

    client.post("/login", data={"email": world.email(), "password": PASSWORD})
    page = client.get(f"/experiments/{experiment.id}")
    assert "Refresh from events" in page.text and "1 person saw several variants" in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    button = client.post(
        f"/experiments/{experiment.id}/refresh", data={"csrf_token": token}, follow_redirects=False
    )
    assert button.status_code == 303

    runtime.close_all()  # the CLI is another process: it opens the store file itself
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(app_settings.home))
    monkeypatch.setenv("NORTHSTAR_WORKSPACE", world.workspace.slug)
    runner = CliRunner()
    result = runner.invoke(
        app, ["experiment", "refresh", str(experiment.id), "--as", world.email(), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["multiple_variants"] == 1

"""The real posthog-python SDK against the Northstar app served on 127.0.0.1: remote evaluation (``/flags``), local
evaluation from ``/flags/definitions`` authenticated with an API token, and the ``$feature_flag_called`` events it
sends back counted as the experiment's exposures (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from posthog import Posthog
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.analytics import runtime
from northstar.analytics import service as analytics
from northstar.core.settings import Settings
from northstar.experiments import service as experiments
from northstar.experiments.schemas import ExperimentCreate
from northstar.flags import engine
from northstar.flags import service as flags
from northstar.flags.schemas import FlagCreate
from tests.factories import make_world

pytestmark = pytest.mark.slow  # a live server and DuckDB stores


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


CHECKOUT = {
    "key": "checkout",
    "conditions": [{"rollout_percentage": 80}],
    "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "one-page", "rollout_percentage": 50}],
}
BETA = {
    "key": "beta-editor",
    "conditions": [{"properties": [{"key": "plan", "operator": "exact", "value": ["pro", "team"]}]}],
}


def test_the_sdk_gets_the_same_flags_remotely_and_locally_and_its_exposures_feed_the_experiment(
    live_server: str, session: Session, app_settings: Settings
) -> None:
    world = make_world(session)
    owner = world.actor()
    project_key = analytics.get_keys(session, owner).project_key
    _row, secret = accounts.create_token(session, owner, TokenCreate(name="flags", scope="read"))
    checkout = flags.create_flag(session, owner, FlagCreate.model_validate(CHECKOUT))
    flags.create_flag(session, owner, FlagCreate.model_validate(BETA))
    flags.create_flag(session, owner, FlagCreate.model_validate({"key": "off-flag", "active": False}))
    experiment = experiments.create_experiment(
        session,
        owner,
        ExperimentCreate.model_validate(
            {
                "key": "checkout-test",
                "name": "One-page checkout",
                "status": "running",
                "feature_flag": "checkout",
                "variants": [{"key": "control"}, {"key": "one-page"}],
                "metrics": [{"key": "bought", "type": "proportion", "event": "purchased"}],
            }
        ),
    )
    session.commit()
    definition = flags.definition(checkout)
    ids = [f"customer-{n}" for n in range(40)]

    remote = Posthog(project_key, host=live_server, sync_mode=True, enable_local_evaluation=False)
    try:
        expected, bought = {}, 0
        for distinct_id in ids:
            snapshot = remote.evaluate_flags(distinct_id)
            assert "off-flag" not in snapshot.keys and "beta-editor" in snapshot.keys
            value = snapshot.get_flag("checkout")
            expected[distinct_id] = engine.evaluate(definition, distinct_id).value
            assert (value if value is not None else False) == expected[distinct_id]
            if value == "one-page" or (value == "control" and distinct_id.endswith(("0", "5"))):
                remote.capture("purchased", distinct_id=distinct_id)
                bought += 1
        pro = remote.evaluate_flags("pro-user", person_properties={"plan": "PRO"}, flag_keys=["beta-editor"])
        free = remote.evaluate_flags(
            "free-user", person_properties={"plan": "free"}, flag_keys=["beta-editor"]
        )
        assert (pro.is_enabled("beta-editor"), free.is_enabled("beta-editor")) == (True, False)
        remote.flush()
    finally:
        remote.shutdown()

    local = Posthog(project_key, host=live_server, sync_mode=True, secret_key=secret, poll_interval=3600)
    try:
        local.load_feature_flags()
        assert sorted(f["key"] for f in local.feature_flags) == ["beta-editor", "checkout", "off-flag"]
        for distinct_id in ids:
            value = local.get_feature_flag(
                "checkout", distinct_id, only_evaluate_locally=True, send_feature_flag_events=False
            )
            assert value == expected[distinct_id]
        assert local.feature_enabled(
            "beta-editor", "x", person_properties={"plan": "team"}, only_evaluate_locally=True
        )
    finally:
        local.shutdown()

    in_flag = [i for i in ids if expected[i] is not False]
    result = experiments.refresh_from_events(session, owner, app_settings, experiment.id)
    session.commit()
    assert result.exposed == {
        "control": sum(expected[i] == "control" for i in in_flag),
        "one-page": sum(expected[i] == "one-page" for i in in_flag),
    }
    assert sum(result.exposed.values()) == len(in_flag) > 20
    counted = {e.value: e.persons for e in flags.exposures(session, owner, app_settings, checkout.id)}
    out = len(ids) - len(in_flag)  # the SDK reports people outside the rollout too, as "false"
    assert counted == {k: v for k, v in result.exposed.items() if v} | ({"false": out} if out else {})


def test_local_evaluation_refuses_a_wrong_token_and_answers_304_when_unchanged(
    live_server: str, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    world, other = make_world(session), make_world(session)
    project_key = analytics.get_keys(session, world.actor()).project_key
    _row, secret = accounts.create_token(session, world.actor(), TokenCreate(name="flags", scope="read"))
    _row, foreign = accounts.create_token(session, other.actor(), TokenCreate(name="other", scope="read"))
    flags.create_flag(session, world.actor(), FlagCreate.model_validate(CHECKOUT))
    session.commit()
    url = f"{live_server}/flags/definitions?token={project_key}&send_cohorts"
    first = httpx.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert first.status_code == 200 and first.json()["flags"][0]["key"] == "checkout"
    again = httpx.get(
        url, headers={"Authorization": f"Bearer {secret}", "If-None-Match": first.headers["etag"]}, timeout=10
    )
    assert again.status_code == 304
    legacy = httpx.get(
        f"{live_server}/api/feature_flag/local_evaluation/?token={project_key}",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert legacy.json() == first.json()
    assert httpx.get(url, headers={"Authorization": f"Bearer {foreign}"}, timeout=10).status_code == 403
    assert httpx.get(url, headers={"Authorization": "Bearer nsk_wrong"}, timeout=10).status_code == 401
    refused = httpx.post(
        f"{live_server}/flags/?v=4", json={"api_key": "phc_wrong", "distinct_id": "a"}, timeout=10
    )
    assert refused.status_code == 401 and refused.json()["detail"] == "unknown project API key"

    caplog.set_level(logging.WARNING)
    client = Posthog(
        project_key, host=live_server, sync_mode=True, secret_key="nsk_wrong", poll_interval=3600
    )
    try:
        client.load_feature_flags()
        assert not client.feature_flags
    finally:
        client.shutdown()

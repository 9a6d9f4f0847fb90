"""Feature flags through the JSON API, the pages (create, roll out, edit, refused input) and the CLI."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.cli import app
from northstar.core.errors import PermissionDenied
from northstar.core.permissions import Role, TokenScope
from northstar.flags import service as flags
from northstar.flags.schemas import FlagUpdate
from tests.factories import PASSWORD, make_world


def _bearer(session: Session, world: Any, role: Role = Role.OWNER) -> dict[str, str]:
    _row, secret = accounts.create_token(
        session, world.actor(role), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_creates_rolls_out_evaluates_and_refuses_bad_flags(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _bearer(session, world)
    body = {
        "key": "new-checkout",
        "conditions": [{"properties": [{"key": "plan", "value": "pro"}], "rollout_percentage": 0}],
        "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}],
    }
    made = client.post("/api/v1/flags", json=body, headers=headers)
    assert made.status_code == 201, made.text
    flag = made.json()
    assert (flag["version"], flag["conditions"][0]["properties"][0]["operator"]) == (1, "exact")
    ask = {"distinct_id": "u1", "person_properties": {"plan": "pro"}}
    before = client.post(f"/api/v1/flags/{flag['id']}/evaluate", json=ask, headers=headers).json()
    assert (before["value"], before["reason"]) == (False, "out_of_rollout_bound")
    rolled = client.put(
        f"/api/v1/flags/{flag['id']}/rollout", json={"rollout_percentage": 100}, headers=headers
    )
    assert rolled.json()["version"] == 2
    after = client.post(f"/api/v1/flags/{flag['id']}/evaluate", json=ask, headers=headers).json()
    assert after["value"] in ("control", "test") and after["description"] == "Matched condition set 1"

    for bad, words in (
        (
            {
                **body,
                "key": "x2",
                "variants": [{"key": "a", "rollout_percentage": 60}, {"key": "b", "rollout_percentage": 30}],
            },
            "add up to 90",
        ),
        ({"key": "has space"}, "pattern"),
        ({"key": "x3", "conditions": [{"properties": [{"key": "plan", "operator": "gt"}]}]}, "needs a value"),
        ({"key": "x4", "conditions": [{"variant": "nope"}]}, "lacks"),
    ):
        refused = client.post("/api/v1/flags", json=bad, headers=headers)
        assert refused.status_code == 422 and words in refused.text, refused.text
    duplicate = client.post("/api/v1/flags", json=body, headers=headers)
    assert duplicate.status_code == 409 and duplicate.headers["content-type"] == "application/problem+json"
    with pytest.raises(PermissionDenied):  # viewers read flags but do not change them
        flags.update_flag(session, world.actor(Role.VIEWER), flag["id"], FlagUpdate(active=False))
    assert [f.key for f in flags.list_flags(session, world.actor(Role.VIEWER))] == ["new-checkout"]
    sdk = client.post("/flags/?v=4", json={"api_key": "phc_nobody", "distinct_id": "u1"})
    assert sdk.status_code == 401


def _login(client: TestClient, email: str) -> str:
    assert (
        client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False).status_code
        == 303
    )
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/flags").text)
    assert found
    return found.group(1)


def test_pages_create_a_flag_change_its_rollout_and_edit_conditions_and_variants(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    csrf = _login(client, world.email())
    refused = client.post("/flags/new", data={"csrf_token": csrf, "key": "bad key", "rollout": "50"})
    assert refused.status_code == 422 and 'value="bad key"' in refused.text
    made = client.post(
        "/flags/new",
        data={
            "csrf_token": csrf,
            "key": "annual-plan",
            "name": "Annual plan",
            "rollout": "30",
            "variants": "control, test",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "Created the flag." in page.text and "30.0 %" in page.text and "50.0 %" in page.text
    flag_id = int(made.headers["location"].split("/")[2].split("?")[0])
    client.post(f"/flags/{flag_id}/rollout", data={"csrf_token": csrf, "rollout_percentage": "75%"})
    assert "75.0 %" in client.get(f"/flags/{flag_id}").text
    edit = {
        "csrf_token": csrf, "name": "Annual plan", "active": "on",
        "condition-0-property": "plan", "condition-0-operator": "exact", "condition-0-value": "pro, team", "condition-0-rollout": "100", "condition-0-variant": "test",
        "condition-1-property": "", "condition-1-operator": "exact", "condition-1-value": "", "condition-1-rollout": "20", "condition-1-variant": "",
        "variant-0-key": "control", "variant-0-name": "Monthly", "variant-0-percent": "40",
        "variant-1-key": "test", "variant-1-name": "Annual", "variant-1-percent": "60",
        "variant-2-key": "", "variant-2-name": "", "variant-2-percent": "",
    }  # fmt: skip
    saved = client.post(f"/flags/{flag_id}/edit", data=edit, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    headers = _bearer(session, world)
    flag = client.get(f"/api/v1/flags/{flag_id}", headers=headers).json()
    assert flag["conditions"][0]["properties"][0]["value"] == ["pro", "team"]
    assert [c["rollout_percentage"] for c in flag["conditions"]] == [100, 20]
    assert [(v["key"], v["rollout_percentage"]) for v in flag["variants"]] == [("control", 40), ("test", 60)]
    wrong = client.post(f"/flags/{flag_id}/edit", data={**edit, "variant-1-percent": "70"})
    assert wrong.status_code == 422 and "add up to 110" in wrong.text and 'value="70"' in wrong.text
    assert client.get(f"/api/v1/flags/{flag_id}", headers=headers).json()["version"] == flag["version"]
    tried = client.get(f"/flags/{flag_id}?distinct_id=someone")
    assert 'data-testid="evaluation"' in tried.text


def test_cli_creates_rolls_out_and_evaluates(cli: CliRunner) -> None:
    runner = cli
    made = runner.invoke(
        app, ["flags", "create", "beta", "--rollout", "0", "--variants", "a=50,b=50", "--format", "json"]
    )
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["flags", "rollout", "beta", "100"]).exit_code == 0
    value = runner.invoke(app, ["flags", "evaluate", "beta", "user-1", "--format", "json"])
    assert json.loads(value.output)["value"] in ("a", "b")
    bad = runner.invoke(app, ["flags", "create", "x", "--variants", "a=70,b=20"])
    assert bad.exit_code == 2 and "add up to 90" in bad.output
    assert runner.invoke(app, ["flags", "switch", "beta", "maybe"]).exit_code == 2
    listing = runner.invoke(app, ["flags", "list", "--format", "json"])
    assert [f["key"] for f in json.loads(listing.output)] == ["beta"]


def test_saving_the_edit_page_keeps_the_filters_it_does_not_show(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    headers = _bearer(session, world)
    body = {
        "key": "beta-exports",
        "conditions": [
            {
                "properties": [
                    {"key": "plan", "value": "pro"},
                    {"key": "country", "operator": "is_not", "value": ["FR", "DE"]},
                ],
                "rollout_percentage": 50,
            }
        ],
    }
    flag = client.post("/api/v1/flags", json=body, headers=headers).json()
    csrf = _login(client, world.email())
    page = client.get(f"/flags/{flag['id']}/edit").text
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    form.update({"csrf_token": csrf, "name": "Beta exports", "condition-0-rollout": "80"})
    form = {key: value.replace("&#34;", '"').replace("&quot;", '"') for key, value in form.items()}
    form["condition-0-operator"] = "exact"
    saved = client.post(f"/flags/{flag['id']}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    after = client.get(f"/api/v1/flags/{flag['id']}", headers=headers).json()["conditions"][0]
    assert after["rollout_percentage"] == 80
    assert [(p["key"], p["operator"], p["value"]) for p in after["properties"]] == [
        ("plan", "exact", "pro"),
        ("country", "is_not", ["FR", "DE"]),
    ]

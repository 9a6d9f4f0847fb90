"""Plan lines and the import of actual spend on both databases: exact cents, idempotent re-import, all-or-nothing
files whose every problem names its row and field, the saved column mapping, the report, and the API and CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.budget import service
from northstar.budget.models import BudgetActual
from northstar.budget.schemas import BudgetLineCreate, BudgetSettingsUpdate
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.teams.models import Team
from tests.factories import World, make_world

GOOD = b"""date,amount,team,category,vendor,memo
2026-10-05,"12,000.10",Growth,contractors,Acme Dev,October sprint
2026-11-02,8000,growth,contractors,Acme Dev,November sprint
2026-11-03,19.99,Core,tools,Figma,seat
"""


def _teams(session: Session, world: World) -> dict[str, int]:
    ids = {}
    for name in ("Growth", "Core"):
        team = Team(workspace_id=world.workspace.id, name=name)
        session.add(team)
        session.flush()
        ids[name] = team.id
    session.commit()
    return ids


def _count(session: Session, world: World) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(BudgetActual)
            .where(BudgetActual.workspace_id == world.workspace.id)
        )
        or 0
    )


def test_plan_line_is_stored_in_exact_cents_and_refused_when_invalid(session: Session) -> None:
    world = make_world(session)
    teams = _teams(session, world)
    line = service.create_line(
        session,
        world.actor(),
        BudgetLineCreate(
            team_id=teams["Growth"], period="2026-q4", category="Contractors", amount="90,000.10"
        ),
    )
    assert (line.amount_cents, line.period, line.category, line.team, line.currency) == (
        9_000_010,
        "2026-Q4",
        "contractors",
        "Growth",
        "USD",
    )
    with pytest.raises(ValueError, match="negative"):
        BudgetLineCreate(team_id=teams["Growth"], period="2026-Q4", category="tools", amount="-1")
    with pytest.raises(ValueError, match="2026-Q4"):
        BudgetLineCreate(team_id=teams["Growth"], period="Q4", category="tools", amount="1")
    other = make_world(session)
    with pytest.raises(ValidationFailed) as refused:
        service.create_line(
            session,
            other.actor(),
            BudgetLineCreate(team_id=teams["Growth"], period="2026-Q4", category="tools", amount="1"),
        )
    assert refused.value.errors[0].field == "team_id"
    with pytest.raises(PermissionDenied):
        service.create_line(
            session,
            world.actor(Role.VIEWER),
            BudgetLineCreate(team_id=teams["Core"], period="2026-11", category="tools", amount="1"),
        )


def test_import_is_idempotent_on_the_row_key(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    first = service.import_actuals_csv(session, world.actor(), GOOD, None, "october.csv")
    session.commit()
    assert (first.rows, first.imported, first.already_imported, first.amount_cents) == (3, 3, 0, 2_002_009)
    again = service.import_actuals_csv(session, world.actor(), GOOD, None, "october.csv")
    session.commit()
    assert (again.imported, again.already_imported, again.amount_cents) == (0, 3, 0)
    assert _count(session, world) == 3
    more = GOOD + b"2026-11-20,5.00,Core,tools,Slack,seat\n"
    third = service.import_actuals_csv(session, world.actor(), more, None, "november.csv")
    assert (third.imported, third.already_imported) == (1, 3)


def test_a_bad_file_imports_nothing_and_names_every_row_and_field(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    bad = b"""date,amount,team,category
2026-10-05,100,Growth,tools
2026-13-01,100,Growth,tools
2026-10-06,-40,Growth,tools
2026-10-07,lots,Growth,tools
2026-10-08,10,Marketing Ops,tools
2026-10-09,10,Core,snacks
2026-10-05,100,Growth,tools
"""
    with pytest.raises(ValidationFailed) as refused:
        service.import_actuals_csv(session, world.actor(), bad, None, "bad.csv")
    found = {(e.row, e.field) for e in refused.value.errors}
    assert found == {(3, "date"), (4, "amount"), (5, "amount"), (6, "team"), (7, "category"), (8, "row_key")}
    messages = {(e.row, e.field): e.message for e in refused.value.errors}
    assert "negative" in messages[(4, "amount")] and "not an amount" in messages[(5, "amount")]
    assert "Marketing Ops" in messages[(6, "team")] and "Core, Growth" in messages[(6, "team")]
    assert "repeats row 2" in messages[(8, "row_key")]
    assert "Nothing was imported" in refused.value.detail
    session.rollback()
    assert _count(session, world) == 0


def test_a_given_row_key_is_used_and_a_repeat_inside_the_file_is_refused(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    data = b"date,amount,team,reference\n2026-10-01,1,Core,INV-1\n2026-10-02,2,Core,INV-1\n"
    with pytest.raises(ValidationFailed) as refused:
        service.import_actuals_csv(session, world.actor(), data, None, "dup.csv")
    assert [(e.row, e.field) for e in refused.value.errors] == [(3, "row_key")]


def test_the_column_mapping_is_saved_per_workspace_and_used_next_time(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    export = b"Posted,Net,Cost centre,Type\n2026-10-05,100.00,Core,tools\n"
    with pytest.raises(ValidationFailed) as refused:
        service.import_actuals_csv(session, world.actor(), export, None, "export.csv")
    assert {e.field for e in refused.value.errors} == {
        "date",
        "amount",
    }  # cost centre is a known alias of team
    mapping = {"date": "Posted", "amount": "Net", "team": "Cost centre", "category": "Type"}
    assert service.import_actuals_csv(session, world.actor(), export, mapping, "export.csv").imported == 1
    session.commit()
    assert service.get_settings(session, world.actor()).column_mapping == mapping
    later = b"Posted,Net,Cost centre,Type\n2026-11-05,7.50,Core,tools\n"
    assert service.import_actuals_csv(session, world.actor(), later, None, "export2.csv").amount_cents == 750
    assert (
        make_world(session).actor()
        and service.get_settings(session, make_world(session).actor()).column_mapping == {}
    )


def test_report_shows_variance_forecast_and_alert_with_the_users_threshold(session: Session) -> None:
    world = make_world(session)
    teams = _teams(session, world)
    actor = world.actor()
    service.create_line(
        session,
        actor,
        BudgetLineCreate(team_id=teams["Growth"], period="2026-Q4", category="contractors", amount="18000"),
    )
    service.import_actuals_csv(session, actor, GOOD, None, "spend.csv")
    session.commit()
    report = service.report(session, actor, "2026-Q4", dt.date(2026, 11, 15))
    growth = next(t for t in report.teams if t.team == "Growth")
    assert (growth.planned_cents, growth.actual_cents, growth.variance_cents) == (
        18_000_00,
        20_000_10,
        2_000_10,
    )
    assert growth.forecast_cents == 40_000_20  # 46 of 92 days gone: double the spend
    assert growth.alert and any(a.team == "Growth" for a in report.alerts)
    service.update_settings(session, actor, BudgetSettingsUpdate(alert_threshold_percent=200))
    relaxed = service.report(session, actor, "2026-Q4", dt.date(2026, 11, 15))
    assert not next(t for t in relaxed.teams if t.team == "Growth").alert
    assert relaxed.alert_threshold_percent == 200
    assert service.evidence_counts(session, actor, dt.date(2026, 11, 15)) == (1, 1)
    with pytest.raises(ValidationFailed):
        service.report(session, actor, "2026-Q9")


def _token(session: Session, world: World) -> dict[str, str]:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate
    from northstar.core.permissions import TokenScope

    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_adds_lines_imports_actuals_and_reports(client: TestClient, session: Session) -> None:
    world = make_world(session)
    teams = _teams(session, world)
    headers = _token(session, world)
    made = client.post(
        "/api/v1/budget/lines",
        json={"team_id": teams["Core"], "period": "2026-11", "category": "tools", "amount": "1,000"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["amount_cents"] == 100_000
    refused = client.post(
        "/api/v1/budget/lines",
        json={"team_id": teams["Core"], "period": "2026-11", "category": "tools", "amount": "ten"},
        headers=headers,
    )
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert any(e["field"].endswith("amount") for e in refused.json()["errors"])
    imported = client.post(
        "/api/v1/budget/actuals/import?source=a.csv",
        content=GOOD,
        headers={**headers, "content-type": "text/csv"},
    )
    assert imported.status_code == 200 and imported.json()["imported"] == 3
    bad = client.post(
        "/api/v1/budget/actuals/import",
        content=b"date,amount,team\n2026-10-01,-1,Core\n",
        headers={**headers, "content-type": "text/csv"},
    )
    assert bad.status_code == 422 and bad.json()["errors"] == [
        {"field": "amount", "message": bad.json()["errors"][0]["message"], "row": 2}
    ]
    report = client.get(
        "/api/v1/budget/report", params={"period": "2026-11", "as_of": "2026-12-01"}, headers=headers
    ).json()
    core = next(t for t in report["teams"] if t["team"] == "Core")
    assert (core["planned_cents"], core["actual_cents"], core["variance_cents"]) == (100_000, 1_999, -98_001)
    assert client.get("/api/v1/budget/report", params={"period": "soon"}, headers=headers).status_code == 422


def test_cli_plan_add_import_actuals_and_report_json(
    database_url: str, session: Session, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from northstar.cli import app

    world = make_world(session)
    _teams(session, world)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path))
    ws = ["--workspace", world.workspace.slug]
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "budget",
            "plan-add",
            "--team",
            "growth",
            "--period",
            "2026-Q4",
            "--category",
            "contractors",
            "--amount",
            "18000",
            *ws,
            "--format",
            "json",
        ],
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["amount_cents"] == 1_800_000
    refused = runner.invoke(
        app,
        [
            "budget",
            "plan-add",
            "--team",
            "Nobody",
            "--period",
            "2026-Q4",
            "--category",
            "tools",
            "--amount",
            "1",
            *ws,
        ],
    )
    assert refused.exit_code == 2 and "Nobody" in refused.output
    path = tmp_path / "spend.csv"
    path.write_bytes(GOOD)
    first = runner.invoke(app, ["budget", "import-actuals", str(path), *ws, "--format", "json"])
    assert first.exit_code == 0, first.output and json.loads(first.stdout)["imported"] == 3
    again = runner.invoke(app, ["budget", "import-actuals", str(path), *ws, "--format", "json"])
    assert json.loads(again.stdout)["imported"] == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"date,amount,team\n2026-10-01,1,Core\nyesterday,1,Core\n")
    failed = runner.invoke(app, ["budget", "import-actuals", str(bad), *ws])
    assert failed.exit_code == 2 and "row 3, date" in failed.output
    report = runner.invoke(
        app, ["budget", "report", "--period", "2026-Q4", "--as-of", "2026-11-15", *ws, "--format", "json"]
    )
    assert report.exit_code == 0, report.output
    body = json.loads(report.stdout)
    assert body["period"] == "2026-Q4" and body["alerts"] and body["total"]["actual_cents"] == 2_002_009

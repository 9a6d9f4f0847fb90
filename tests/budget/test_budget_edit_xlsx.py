"""Editing plan lines (service, API, audit) and importing XLSX finance exports beside CSV on both databases: the
saved column mapping reused on the next workbook, and a bad workbook refused whole with every row and field named."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.budget import service
from northstar.budget.files import read_export
from northstar.budget.models import BudgetActual
from northstar.budget.schemas import BudgetLineCreate, BudgetLineUpdate
from northstar.core.audit import AuditEvent
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.teams.models import Team
from tests.factories import World, make_world


def _teams(session: Session, world: World) -> dict[str, int]:
    ids = {}
    for name in ("Growth", "Core"):
        team = Team(workspace_id=world.workspace.id, name=name)
        session.add(team)
        session.flush()
        ids[name] = team.id
    session.commit()
    return ids


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ledger"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(session: Session, world: World) -> int:
    query = (
        select(func.count()).select_from(BudgetActual).where(BudgetActual.workspace_id == world.workspace.id)
    )
    return session.scalar(query) or 0


def test_editing_a_plan_line_changes_only_given_fields_and_audits_old_and_new(session: Session) -> None:
    world = make_world(session)
    teams = _teams(session, world)
    actor = world.actor()
    line = service.create_line(
        session,
        actor,
        BudgetLineCreate(team_id=teams["Growth"], period="2026-Q4", category="tools", amount="900"),
    )
    edited = service.update_line(
        session, actor, line.id, BudgetLineUpdate(amount="1,250.50", team_id=teams["Core"])
    )
    assert (edited.amount_cents, edited.team, edited.period, edited.category) == (
        125_050,
        "Core",
        "2026-Q4",
        "tools",
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "budget_line", AuditEvent.action == "update")
    ).one()
    assert event.changes == {
        "amount_cents": 125_050,
        "amount_cents_was": 90_000,
        "team_id": teams["Core"],
        "team_id_was": teams["Growth"],
    }
    with pytest.raises(ValidationFailed) as refused:
        service.update_line(session, actor, line.id, BudgetLineUpdate(team_id=999_999))
    assert refused.value.errors[0].field == "team_id"
    with pytest.raises(ValueError, match="negative"):
        BudgetLineUpdate(amount="-5")
    with pytest.raises(PermissionDenied):
        service.update_line(session, world.actor(Role.VIEWER), line.id, BudgetLineUpdate(amount="1"))
    with pytest.raises(NotFound):
        service.update_line(session, make_world(session).actor(), line.id, BudgetLineUpdate(amount="1"))
    service.delete_line(session, actor, line.id)
    session.commit()
    assert service.list_lines(session, actor) == []
    deleted = session.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert "Core 2026-Q4 tools $1,250.50" in deleted.summary


def test_xlsx_export_imports_with_a_saved_mapping_reused_next_time(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    actor = world.actor()
    header = ["Posted", "Net", "Department", "Kind", "Supplier", "Doc"]
    first = _workbook(
        [
            header,
            [dt.datetime(2026, 10, 5), 12000.1, "Growth", "contractors", "Acme Dev", "INV-1"],
            [dt.date(2026, 10, 6), 19.99, "core", "tools", "Figma", "INV-2"],
            [None, None, None, None, None, None],
            ["2026-11-01", "1,000.00", "Core", "tools", "GitHub", "INV-3"],
        ]
    )
    mapping = {"date": "Posted", "amount": "Net", "category": "Kind", "row_key": "Doc"}
    report = service.import_actuals(session, actor, first, mapping, "ledger.xlsx")
    session.commit()
    assert (report.rows, report.imported, report.amount_cents) == (3, 3, 1_200_010 + 1_999 + 100_000)
    assert service.get_settings(session, actor).column_mapping == mapping
    again = service.import_actuals(session, actor, first, None, "ledger.xlsx")
    assert (again.imported, again.already_imported) == (0, 3)
    later = _workbook([header, [dt.date(2026, 11, 9), 7.5, "Core", "tools", "Slack", "INV-4"]])
    # no mapping given: the saved one is used; the file's name need not say .xlsx (the ZIP signature does)
    assert service.import_actuals(session, actor, later, None, "upload").amount_cents == 750
    assert _count(session, world) == 4


def test_a_bad_workbook_is_refused_whole_naming_row_and_field(session: Session) -> None:
    world = make_world(session)
    _teams(session, world)
    actor = world.actor()
    bad = _workbook(
        [
            ["date", "amount", "team", "category", "reference"],
            [dt.date(2026, 10, 1), 10, "Growth", "tools", "A"],
            [dt.date(2026, 10, 2), -40, "Growth", "tools", "B"],
            [dt.date(2026, 10, 3), "lots", "Growth", "tools", "C"],
            [dt.date(2026, 10, 4), 5, "Moonshots", "tools", "D"],
            [dt.date(2026, 10, 5), 5, "Core", "tools", "A"],
        ]
    )
    with pytest.raises(ValidationFailed) as refused:
        service.import_actuals(session, actor, bad, None, "bad.xlsx")
    found = {(e.row, e.field) for e in refused.value.errors}
    assert found == {(3, "amount"), (4, "amount"), (5, "team"), (6, "row_key")}
    assert "Nothing was imported" in refused.value.detail
    session.rollback()
    assert _count(session, world) == 0
    with pytest.raises(ValidationFailed, match="not a readable XLSX workbook"):
        service.import_actuals(session, actor, b"PK\x03\x04 broken zip", None, "broken.xlsx")
    with pytest.raises(ValidationFailed, match="has a header but no rows"):
        read_export(_workbook([["date", "amount", "team"]]), None, "empty.xlsx")


def test_api_edits_a_line_and_imports_a_workbook(client: TestClient, session: Session) -> None:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate
    from northstar.core.permissions import TokenScope

    world = make_world(session)
    teams = _teams(session, world)
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    made = client.post(
        "/api/v1/budget/lines",
        json={"team_id": teams["Core"], "period": "2026-11", "category": "tools", "amount": "1,000"},
        headers=headers,
    ).json()
    patched = client.patch(f"/api/v1/budget/lines/{made['id']}", json={"amount": "1500"}, headers=headers)
    assert patched.status_code == 200 and patched.json()["amount_cents"] == 150_000
    refused = client.patch(f"/api/v1/budget/lines/{made['id']}", json={"period": "soon"}, headers=headers)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    book = _workbook([["date", "amount", "team"], [dt.date(2026, 11, 3), 42, "Core"]])
    imported = client.post(
        "/api/v1/budget/actuals/import?source=nov.xlsx",
        content=book,
        headers={
            **headers,
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    assert imported.status_code == 200 and imported.json()["amount_cents"] == 4_200
    assert client.get(f"/api/v1/budget/lines/{made['id'] + 99}/x", headers=headers).status_code == 404


def test_committed_spend_is_recorded_listed_and_added_to_the_forecast(session: Session) -> None:
    from northstar.budget.schemas import CommitmentCreate

    world = make_world(session)
    teams = _teams(session, world)
    actor = world.actor()
    service.create_line(
        session,
        actor,
        BudgetLineCreate(team_id=teams["Core"], period="2026-Q4", category="contractors", amount="30000"),
    )
    csv = b"date,amount,team,category\n2026-10-10,9200,Core,contractors\n"
    service.import_actuals(session, actor, csv, None, "oct.csv")
    made = service.create_commitment(
        session,
        actor,
        CommitmentCreate(
            team_id=teams["Core"],
            category="contractors",
            amount="15,000",
            due_on=dt.date(2026, 12, 1),
            vendor="Northwind",
            reference="PO-77",
        ),
    )
    session.commit()
    assert (made.amount_cents, made.team, made.reference) == (1_500_000, "Core", "PO-77")
    report = service.report(session, actor, "2026-Q4", dt.date(2026, 11, 15))
    core = report.teams[0]
    assert (core.committed_cents, core.forecast_cents, core.alert) == (1_500_000, 1_840_000 + 1_500_000, True)
    assert [c.id for c in service.list_commitments(session, actor, "2026-12")] == [made.id]
    assert service.list_commitments(session, actor, "2026-10") == []
    with pytest.raises(ValueError, match="negative"):
        CommitmentCreate(team_id=1, category="tools", amount="-3", due_on=dt.date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as refused:
        service.create_commitment(
            session,
            make_world(session).actor(),
            CommitmentCreate(
                team_id=teams["Core"], category="tools", amount="3", due_on=dt.date(2026, 12, 1)
            ),
        )
    assert refused.value.errors[0].field == "team_id"
    service.delete_commitment(session, actor, made.id)
    session.commit()
    assert service.report(session, actor, "2026-Q4", dt.date(2026, 11, 15)).teams[0].committed_cents == 0


def test_pages_edit_a_line_and_add_committed_spend_with_errors_beside_fields(
    client: TestClient, session: Session
) -> None:
    import re

    from tests.factories import PASSWORD

    world = make_world(session)
    teams = _teams(session, world)
    line = service.create_line(
        session,
        world.actor(),
        BudgetLineCreate(team_id=teams["Core"], period="2026-Q4", category="tools", amount="900"),
    )
    session.commit()
    client.post("/login", data={"email": world.email(Role.OWNER), "password": PASSWORD, "next": "/"})
    form = client.get(f"/budget/lines/{line.id}/edit?period=2026-Q4")
    assert form.status_code == 200 and 'value="900.00"' in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    fields = {"csrf_token": csrf.group(1), "team_id": str(teams["Growth"]), "period": "2026-Q4"}
    fields |= {"category": "tools", "amount": "lots", "idea_id": "", "note": "", "back": "2026-Q4"}
    refused = client.post(f"/budget/lines/{line.id}", data=fields)
    assert (
        refused.status_code == 422 and 'id="amount-error"' in refused.text and 'value="lots"' in refused.text
    )
    saved = client.post(
        f"/budget/lines/{line.id}", data={**fields, "amount": "1,100"}, follow_redirects=False
    )
    assert saved.status_code == 303 and "edited=" in saved.headers["location"]
    assert service.get_line(session, world.actor(), line.id).amount_cents == 110_000
    typed = {"csrf_token": csrf.group(1), "period": "2026-Q4", "team_id": str(teams["Core"])}
    typed |= {"category": "contractors", "amount": "-4", "due_on": "2026-12-01", "vendor": "Northwind"}
    bad = client.post("/budget/commitments", data=typed)
    assert bad.status_code == 422 and 'id="c-amount-error"' in bad.text and 'value="Northwind"' in bad.text
    good = client.post("/budget/commitments", data={**typed, "amount": "4000"}, follow_redirects=False)
    assert good.status_code == 303
    page = client.get("/budget?period=2026-Q4")
    assert "Northwind" in page.text and "$4,000.00" in page.text

"""Use cases of the budget: plan lines, importing actual spend from a finance export, plan against actual.

Money is integer cents in the workspace's currency. An import is all-or-nothing per file and idempotent on each
row's key: a row whose key an earlier import saved is left as it was, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import Workspace
from northstar.budget import engine
from northstar.budget.files import read_export
from northstar.budget.models import BudgetActual, BudgetCommitment, BudgetLine, BudgetSettings
from northstar.budget.schemas import (
    ACTUAL_FIELDS,
    BudgetLineCreate,
    BudgetLineRead,
    BudgetLineUpdate,
    BudgetReport,
    BudgetSettingsRead,
    BudgetSettingsUpdate,
    CommitmentCreate,
    CommitmentRead,
    ImportReport,
    MonthPoint,
    VarianceRow,
)
from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.tabular import MAX_FIELD_CHARS
from northstar.notifications import service as notifications
from northstar.teams.models import Team

#: the largest file an import reads (a year of a large company's spend lines is far smaller)
MAX_IMPORT_BYTES = 20_000_000
#: how many row errors an import reports at most (the count says how many there were)
MAX_REPORTED_ERRORS = 200
#: column names finance systems use for each field, after the workspace's own mapping
ALIASES = {
    "cost_centre": "team",
    "cost_center": "team",
    "department": "team",
    "posting_date": "date",
    "transaction_date": "date",
    "supplier": "vendor",
    "payee": "vendor",
    "description": "memo",
    "reference": "row_key",
    "initiative": "idea",
    "project": "idea",
    "transaction_id": "row_key",
    "id": "row_key",
}


# --- settings ------------------------------------------------------------------------------------------------


def currency(session: Session, actor: Actor) -> str:
    """The workspace's currency code (USD unless the workspace chose another)."""
    workspace = session.get(Workspace, actor.workspace_id)
    return (workspace.currency if workspace and workspace.currency else "USD").upper()


def _settings_row(session: Session, actor: Actor) -> BudgetSettings | None:
    return session.get(BudgetSettings, actor.workspace_id)


def get_settings(session: Session, actor: Actor) -> BudgetSettingsRead:
    actor.require(READ)
    row = _settings_row(session, actor)
    return BudgetSettingsRead(
        currency=currency(session, actor),
        alert_threshold_percent=row.alert_threshold_percent if row else engine.DEFAULT_THRESHOLD_PERCENT,
        column_mapping={str(k): str(v) for k, v in (row.column_mapping if row else {}).items()},
        plan_id=row.plan_id if row else None,
        replan_plan_id=row.replan_plan_id if row else None,
    )


def update_settings(session: Session, actor: Actor, data: BudgetSettingsUpdate) -> BudgetSettingsRead:
    """Set the alert threshold (percent over plan) and/or the column mapping of finance exports."""
    actor.require("budget.write")
    if data.column_mapping is not None:
        known = {name for name, _ in ACTUAL_FIELDS}
        bad = [
            FieldError(f"column_mapping.{k}", "not a field of actual spend")
            for k in data.column_mapping
            if k not in known
        ]
        if bad:
            raise ValidationFailed(
                "column_mapping names unknown fields: " + ", ".join(e.field for e in bad), bad
            )
    row = _settings_row(session, actor)
    if row is None:
        row = BudgetSettings(
            workspace_id=actor.workspace_id,
            alert_threshold_percent=engine.DEFAULT_THRESHOLD_PERCENT,
            column_mapping={},
        )
        session.add(row)
    changes: dict[str, object] = {}
    if data.alert_threshold_percent is not None:
        row.alert_threshold_percent = data.alert_threshold_percent
        changes["alert_threshold_percent"] = data.alert_threshold_percent
    if data.column_mapping is not None:
        row.column_mapping = {k: v.strip() for k, v in data.column_mapping.items() if v and v.strip()}
        changes["column_mapping"] = row.column_mapping
    if "plan_id" in data.model_fields_set:
        if data.plan_id is not None:
            from northstar.decisions import service as decisions

            decisions.get_plan(session, actor, data.plan_id)  # a plan of this workspace, else 404
        row.plan_id = data.plan_id
        changes["plan_id"] = data.plan_id
    session.flush()
    if changes:
        audit.record(
            session, actor, "update", "budget_settings", actor.workspace_id, "budget settings", changes
        )
    return get_settings(session, actor)


# --- plan lines ----------------------------------------------------------------------------------------------


def _teams(session: Session, actor: Actor) -> dict[int, str]:
    return dict(
        session.execute(select(Team.id, Team.name).where(Team.workspace_id == actor.workspace_id)).all()
    )


def create_line(session: Session, actor: Actor, data: BudgetLineCreate) -> BudgetLineRead:
    """Add a plan line for a team (and optionally an idea) in a month or quarter."""
    actor.require("budget.write")
    errors = []
    team = session.get(Team, data.team_id)
    if team is None or team.workspace_id != actor.workspace_id:
        errors.append(FieldError("team_id", "choose a team of this workspace"))
    if data.idea_id is not None:
        from northstar.ideas.models import Idea

        idea = session.get(Idea, data.idea_id)
        if idea is None or idea.workspace_id != actor.workspace_id:
            errors.append(FieldError("idea_id", "choose an idea of this workspace"))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    line = BudgetLine(
        workspace_id=actor.workspace_id,
        team_id=data.team_id,
        idea_id=data.idea_id,
        period=data.period,
        category=data.category,
        amount_cents=data.amount_cents,
        note=(data.note or "").strip() or None,
    )
    session.add(line)
    session.flush()
    code = currency(session, actor)
    audit.record(
        session,
        actor,
        "create",
        "budget_line",
        line.id,
        f"{team.name if team else ''} {line.period} {line.category} {engine.format_money(line.amount_cents, code)}",
    )
    return _line_read(session, actor, [line])[0]


def _line_read(session: Session, actor: Actor, lines: list[BudgetLine]) -> list[BudgetLineRead]:
    from northstar.ideas.models import Idea

    teams = _teams(session, actor)
    idea_ids = {line.idea_id for line in lines if line.idea_id}
    ideas = (
        dict(session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(idea_ids))).all())
        if idea_ids
        else {}
    )
    code = currency(session, actor)
    return [
        BudgetLineRead.model_validate(line).model_copy(
            update={
                "team": teams.get(line.team_id, ""),
                "idea": ideas.get(line.idea_id) if line.idea_id else None,
                "currency": code,
            }
        )
        for line in lines
    ]


def list_lines(session: Session, actor: Actor, period: str | None = None) -> list[BudgetLineRead]:
    """Plan lines, all or those falling in ``period`` (a quarter includes its months' lines, a month its quarter's)."""
    actor.require(READ)
    lines = list(session.scalars(select(BudgetLine).where(BudgetLine.workspace_id == actor.workspace_id)))
    if period:
        chosen = set(_period(period).months)
        lines = [line for line in lines if chosen & set(engine.parse_period(line.period).months)]
    lines.sort(
        key=lambda line: (
            engine.parse_period(line.period).starts_on,
            line.period,
            line.team_id,
            line.category,
        )
    )
    return _line_read(session, actor, lines)


def get_line(session: Session, actor: Actor, line_id: int) -> BudgetLineRead:
    actor.require(READ)
    line = get_owned(session, BudgetLine, line_id, actor.workspace_id, "budget line")
    return _line_read(session, actor, [line])[0]


def _describe(session: Session, actor: Actor, line: BudgetLine) -> str:
    team = session.get(Team, line.team_id)
    code = currency(session, actor)
    return f"{team.name if team else ''} {line.period} {line.category} {engine.format_money(line.amount_cents, code)}"


def update_line(session: Session, actor: Actor, line_id: int, data: BudgetLineUpdate) -> BudgetLineRead:
    """Change a plan line's fields that were given; the audit log keeps each field's old and new value."""
    actor.require("budget.write")
    line = get_owned(session, BudgetLine, line_id, actor.workspace_id, "budget line")
    given = data.model_dump(exclude_unset=True)
    errors = []
    if "team_id" in given:
        team = session.get(Team, data.team_id) if data.team_id is not None else None
        if team is None or team.workspace_id != actor.workspace_id:
            errors.append(FieldError("team_id", "choose a team of this workspace"))
    if given.get("idea_id") is not None:
        from northstar.ideas.models import Idea

        idea = session.get(Idea, data.idea_id)
        if idea is None or idea.workspace_id != actor.workspace_id:
            errors.append(FieldError("idea_id", "choose an idea of this workspace"))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    new: dict[str, object] = {}
    if "amount" in given and data.amount is not None:
        new["amount_cents"] = data.amount_cents
    for name in ("team_id", "idea_id", "period", "category"):
        if name in given and (given[name] is not None or name == "idea_id"):
            new[name] = given[name]
    if "note" in given:
        new["note"] = (data.note or "").strip() or None
    changes: dict[str, object] = {}  # flat, as the audit log keeps scalars: amount_cents and amount_cents_was
    for name, value in new.items():
        if getattr(line, name) != value:
            changes[name], changes[f"{name}_was"] = value, getattr(line, name)
            setattr(line, name, value)
    session.flush()
    if changes:
        audit.record(
            session, actor, "update", "budget_line", line.id, _describe(session, actor, line), changes
        )
    return _line_read(session, actor, [line])[0]


def delete_line(session: Session, actor: Actor, line_id: int) -> None:
    actor.require("budget.write")
    line = get_owned(session, BudgetLine, line_id, actor.workspace_id, "budget line")
    audit.record(session, actor, "delete", "budget_line", line.id, _describe(session, actor, line))
    session.delete(line)


# --- committed spend -----------------------------------------------------------------------------------------


def _check_refs(session: Session, actor: Actor, team_id: int | None, idea_id: int | None) -> None:
    from northstar.ideas.models import Idea

    errors = []
    team = session.get(Team, team_id) if team_id is not None else None
    if team is None or team.workspace_id != actor.workspace_id:
        errors.append(FieldError("team_id", "choose a team of this workspace"))
    if idea_id is not None:
        idea = session.get(Idea, idea_id)
        if idea is None or idea.workspace_id != actor.workspace_id:
            errors.append(FieldError("idea_id", "choose an idea of this workspace"))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def _commitment_read(session: Session, actor: Actor, rows: list[BudgetCommitment]) -> list[CommitmentRead]:
    teams, code = _teams(session, actor), currency(session, actor)
    return [
        CommitmentRead.model_validate(row).model_copy(
            update={"team": teams.get(row.team_id, ""), "currency": code}
        )
        for row in rows
    ]


def create_commitment(session: Session, actor: Actor, data: CommitmentCreate) -> CommitmentRead:
    """Record signed spend not invoiced yet; the forecast counts it until the day it falls due."""
    actor.require("budget.write")
    _check_refs(session, actor, data.team_id, data.idea_id)
    row = BudgetCommitment(
        workspace_id=actor.workspace_id,
        team_id=data.team_id,
        idea_id=data.idea_id,
        category=data.category,
        amount_cents=data.amount_cents,
        due_on=data.due_on,
        vendor=(data.vendor or "").strip() or None,
        reference=(data.reference or "").strip() or None,
    )
    session.add(row)
    session.flush()
    summary = f"{row.reference or row.vendor or 'commitment'} {engine.format_money(row.amount_cents, currency(session, actor))} due {row.due_on}"
    audit.record(session, actor, "create", "budget_commitment", row.id, summary)
    return _commitment_read(session, actor, [row])[0]


def list_commitments(session: Session, actor: Actor, period: str | None = None) -> list[CommitmentRead]:
    """Committed spend, all or that falling due in ``period``, by due date."""
    actor.require(READ)
    query = select(BudgetCommitment).where(BudgetCommitment.workspace_id == actor.workspace_id)
    if period:
        chosen = _period(period)
        query = query.where(
            BudgetCommitment.due_on >= chosen.starts_on, BudgetCommitment.due_on <= chosen.ends_on
        )
    rows = list(session.scalars(query.order_by(BudgetCommitment.due_on, BudgetCommitment.id)))
    return _commitment_read(session, actor, rows)


def delete_commitment(session: Session, actor: Actor, commitment_id: int) -> None:
    actor.require("budget.write")
    row = get_owned(session, BudgetCommitment, commitment_id, actor.workspace_id, "commitment")
    summary = f"{row.reference or row.vendor or 'commitment'} due {row.due_on}"
    audit.record(session, actor, "delete", "budget_commitment", row.id, summary)
    session.delete(row)


def _period(label: str) -> engine.Period:
    try:
        return engine.parse_period(label)
    except engine.PeriodError as error:
        raise ValidationFailed(f"period {label!r}: {error}", [FieldError("period", str(error))])


# --- actual spend --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    team_id: int
    spent_on: dt.date
    amount: int
    category: str
    vendor: str | None
    memo: str | None
    row_key: str
    idea_id: int | None = None


def _parse_date(text: str) -> dt.date:
    value = text.strip()
    if len(value) > 10 and value[10] in "T ":
        value = value[:10]
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text.strip()!r} is not a date; write it like 2026-11-03" if text.strip() else "is empty"
        )


def _row_key(given: str | None, team_id: int, row: _Row) -> str:
    if given:
        return given[:200]
    parts = [
        row.spent_on.isoformat(),
        str(row.amount),
        str(team_id),
        row.category,
        row.vendor or "",
        row.memo or "",
    ]
    if (
        row.idea_id is not None
    ):  # only then, so the keys of rows imported without initiatives stay as they were
        parts.append(f"idea:{row.idea_id}")
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _check_row(
    number: int,
    raw: dict[str, str],
    teams: dict[str, int],
    team_names: list[str],
    ideas: dict[str, int] | None = None,
) -> tuple[_Row | None, list[FieldError]]:
    """One row of the file as spend, or the problems with it, each naming the row and the field."""
    errors: list[FieldError] = []
    values = {k: (v or "").strip() for k, v in raw.items()}
    for key, value in values.items():
        if len(value) > MAX_FIELD_CHARS:
            errors.append(FieldError(key, f"longer than {MAX_FIELD_CHARS:,} characters", row=number))
    spent_on = amount = team_id = None
    try:
        spent_on = _parse_date(values.get("date", ""))
    except ValueError as error:
        errors.append(FieldError("date", str(error), row=number))
    try:
        amount = engine.parse_amount(values.get("amount", ""))
    except ValueError as error:
        errors.append(FieldError("amount", str(error), row=number))
    team_name = values.get("team", "")
    team_id = teams.get(team_name.casefold())
    if team_id is None:
        known = ", ".join(sorted(team_names, key=str.lower))
        message = f"no team named {team_name!r} (teams: {known})" if team_name else "is empty; name the team"
        errors.append(FieldError("team", message, row=number))
    category = values.get("category", "").lower() or "other"
    if category not in engine.CATEGORIES:
        errors.append(
            FieldError("category", f"{category!r} is not one of {', '.join(engine.CATEGORIES)}", row=number)
        )
    idea_text = values.get("idea", "")
    idea_id = (ideas or {}).get(idea_text.casefold()) if idea_text else None
    if idea_text and idea_id is None:
        errors.append(FieldError("idea", f"no idea titled or numbered {idea_text!r}", row=number))
    if errors or spent_on is None or amount is None or team_id is None:
        return None, errors
    row = _Row(
        number,
        team_id,
        spent_on,
        amount,
        category,
        values.get("vendor") or None,
        values.get("memo") or None,
        "",
    )
    row.idea_id = idea_id
    row.vendor = row.vendor[:300] if row.vendor else None
    row.memo = row.memo[:1000] if row.memo else None
    row.row_key = _row_key(values.get("row_key"), team_id, row)
    return row, []


def import_actuals_csv(
    session: Session,
    actor: Actor,
    data: bytes,
    mapping: dict[str, str] | None = None,
    source: str = "file",
) -> ImportReport:
    """``import_actuals`` under its first name (CSV was the only format then); XLSX is read here too."""
    return import_actuals(session, actor, data, mapping, source)


def import_actuals(
    session: Session,
    actor: Actor,
    data: bytes,
    mapping: dict[str, str] | None = None,
    source: str = "file",
) -> ImportReport:
    """Import a finance export, CSV or XLSX (date, amount, team or cost centre, category, vendor, memo; optional
    row key).

    ``mapping`` is the file's column name per field ({"team": "Cost centre"}); without one the workspace's saved
    mapping is used, and a mapping that imports cleanly is saved for next time. Every row is checked before
    anything is written: one bad row (unknown team, negative or non-numeric amount, bad date, a row key twice in
    the file) refuses the whole file with every problem named by row and field. Rows whose key is already saved
    are counted and left alone, so a re-import adds nothing.
    """
    actor.require("budget.write")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(f"{source} is larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    saved = get_settings(session, actor).column_mapping
    chosen = {k: v for k, v in (mapping if mapping is not None else saved).items() if v and v.strip()}
    unknown = [k for k in chosen if k not in {name for name, _ in ACTUAL_FIELDS}]
    if unknown:
        raise ValidationFailed(
            f"the mapping names unknown fields: {', '.join(unknown)}",
            [FieldError(k, "not a field of actual spend") for k in unknown],
        )
    file_to_field = {column: name for name, column in chosen.items()}
    file_to_field.update({alias: name for alias, name in ALIASES.items() if name not in chosen})
    parsed = read_export(data, file_to_field, source)
    missing = [name for name, required in ACTUAL_FIELDS if required and name not in parsed.headers]
    if missing:
        found = ", ".join(h for h in parsed.headers if h)
        raise ValidationFailed(
            f"{source} lacks the column(s) {', '.join(missing)}; found {found}. Map the file's columns to the fields.",
            [FieldError(name, "missing column; map the file's column to it", row=1) for name in missing],
        )
    team_rows = session.execute(
        select(Team.id, Team.name).where(Team.workspace_id == actor.workspace_id)
    ).all()
    teams = {name.strip().casefold(): team_id for team_id, name in team_rows}
    team_names = [name for _, name in team_rows]
    ideas: dict[str, int] = {}
    if "idea" in parsed.headers:
        from northstar.ideas.models import Idea

        for idea_id, title in session.execute(
            select(Idea.id, Idea.title).where(Idea.workspace_id == actor.workspace_id)
        ):
            ideas.setdefault(title.strip().casefold(), idea_id)
            ideas[str(idea_id)] = idea_id
    rows: list[_Row] = []
    errors: list[FieldError] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(parsed.rows, start=2):
        row, problems = _check_row(number, raw, teams, team_names, ideas)
        errors += problems
        if row is None:
            continue
        if row.row_key in first_seen:
            message = f"repeats row {first_seen[row.row_key]} (row key {row.row_key[:60]})"
            errors.append(FieldError("row_key", message, row=number))
            continue
        first_seen[row.row_key] = number
        rows.append(row)
    if errors:
        first = errors[0]
        bad_rows = len({e.row for e in errors})
        raise ValidationFailed(
            f"{source}: {len(errors)} problem(s) in {bad_rows} row(s); first at row {first.row}, {first.field}: "
            f"{first.message}. Nothing was imported.",
            errors[:MAX_REPORTED_ERRORS],
        )
    existing: set[str] = set()
    keys = [row.row_key for row in rows]
    for start in range(0, len(keys), 500):
        existing |= set(
            session.scalars(
                select(BudgetActual.row_key).where(
                    BudgetActual.workspace_id == actor.workspace_id,
                    BudgetActual.row_key.in_(keys[start : start + 500]),
                )
            )
        )
    new = [row for row in rows if row.row_key not in existing]
    session.add_all(
        BudgetActual(
            workspace_id=actor.workspace_id,
            team_id=row.team_id,
            spent_on=row.spent_on,
            amount_cents=row.amount,
            category=row.category,
            vendor=row.vendor,
            memo=row.memo,
            row_key=row.row_key,
            source=source[:300],
            idea_id=row.idea_id,
        )
        for row in new
    )
    if mapping is not None and chosen != saved:
        update_settings(session, actor, BudgetSettingsUpdate(column_mapping=chosen))
    session.flush()
    if new:
        _notify_overruns(session, actor)
    code = currency(session, actor)
    total = sum(row.amount for row in new)
    audit.record(
        session,
        actor,
        "import",
        "budget_actuals",
        None,
        f"{source}: {len(new)} new row(s), {engine.format_money(total, code)}; {len(rows) - len(new)} already imported",
    )
    return ImportReport(
        source=source,
        rows=len(rows),
        imported=len(new),
        already_imported=len(rows) - len(new),
        amount_cents=total,
        currency=code,
    )


def _notify_overruns(session: Session, actor: Actor) -> None:
    """Tell the workspace's leaders, once per quarter, team and category, that an import made a forecast overspend."""
    result = report(session, actor, engine.quarter_of(dt.date.today()))
    leaders = notifications.leaders(session, actor.workspace_id)
    for row in result.alerts:
        what = f"{row.team} {row.category}" if row.category else f"{row.team} (all categories)"
        over = f"{row.forecast_over_percent}% over plan" if row.planned_cents else "spending without a plan"
        notifications.notify(
            session,
            actor.workspace_id,
            "budget_overrun",
            leaders,
            f"Budget: {what} is forecast {over} in {result.period}",
            f"Forecast {engine.format_money(row.forecast_cents, result.currency)} against a plan of "
            f"{engine.format_money(row.planned_cents, result.currency)}; spent so far "
            f"{engine.format_money(row.actual_cents, result.currency)}.",
            f"/budget?period={result.period}",
            key=f"budget_overrun:{result.period}:{row.team}:{row.category or '*'}",
        )


# --- plan against actual -------------------------------------------------------------------------------------


def _row(v: engine.Variance) -> VarianceRow:
    share = v.forecast_percent
    return VarianceRow(
        team=v.team,
        category=v.category,
        planned_cents=v.planned,
        actual_cents=v.actual,
        variance_cents=v.variance,
        forecast_cents=v.forecast,
        committed_cents=v.committed,
        forecast_variance_cents=v.forecast_variance,
        forecast_over_percent=round(float(share) * 100, 1) if share is not None else None,
        burn_rate_monthly_cents=v.burn_rate_monthly,
        alert=v.alert,
        note=v.note,
    )


def report(session: Session, actor: Actor, period: str, today: dt.date | None = None) -> BudgetReport:
    """Plan against actual for ``period`` as of ``today``: per team and category, per team, in total, with alerts."""
    actor.require(READ)
    chosen = _period(period)
    today = today or dt.date.today()
    teams = _teams(session, actor)
    ws = actor.workspace_id
    plan = [
        engine.PlanAmount(teams.get(team_id, "?"), category, line_period, amount)
        for team_id, category, line_period, amount in session.execute(
            select(BudgetLine.team_id, BudgetLine.category, BudgetLine.period, BudgetLine.amount_cents).where(
                BudgetLine.workspace_id == ws
            )
        )
    ]
    spend = [
        engine.SpendAmount(teams.get(team_id, "?"), category, spent_on, amount)
        for team_id, category, spent_on, amount in session.execute(
            select(
                BudgetActual.team_id, BudgetActual.category, BudgetActual.spent_on, BudgetActual.amount_cents
            ).where(
                BudgetActual.workspace_id == ws,
                BudgetActual.spent_on >= chosen.starts_on,
                BudgetActual.spent_on <= chosen.ends_on,
            )
        )
    ]
    committed = [
        engine.SpendAmount(teams.get(team_id, "?"), category, due_on, amount)
        for team_id, category, due_on, amount in session.execute(
            select(
                BudgetCommitment.team_id,
                BudgetCommitment.category,
                BudgetCommitment.due_on,
                BudgetCommitment.amount_cents,
            ).where(
                BudgetCommitment.workspace_id == ws,
                BudgetCommitment.due_on >= chosen.starts_on,
                BudgetCommitment.due_on <= chosen.ends_on,
            )
        )
    ]
    settings = get_settings(session, actor)
    result = engine.plan_vs_actual(chosen, plan, spend, today, settings.alert_threshold_percent, committed)
    assert result.total is not None
    return BudgetReport(
        period=chosen.label,
        starts_on=chosen.starts_on,
        ends_on=chosen.ends_on,
        as_of=today,
        elapsed_days=result.elapsed_days,
        days=chosen.days,
        currency=settings.currency,
        alert_threshold_percent=settings.alert_threshold_percent,
        total=_row(result.total),
        teams=[_row(v) for v in result.teams],
        rows=[_row(v) for v in result.rows],
        alerts=[_row(v) for v in result.alerts],
        monthly=[
            MonthPoint(team=t, month=m, planned_cents=p, actual_cents=a)
            for (t, m), (p, a) in result.monthly.items()
        ],
    )


def evidence_counts(session: Session, actor: Actor, today: dt.date | None = None) -> tuple[int, int]:
    """(plan lines whose period has begun, how many of them have actual spend of their team and category in it).

    What the maturity module's "budget tracked" evidence reads: a budget practice records spend against plan.
    """
    actor.require(READ)
    today = today or dt.date.today()
    ws = actor.workspace_id
    spent = {
        (team_id, category, engine.month_of(day))
        for team_id, category, day in session.execute(
            select(BudgetActual.team_id, BudgetActual.category, BudgetActual.spent_on)
            .where(BudgetActual.workspace_id == ws)
            .distinct()
        )
    }
    begun = with_actuals = 0
    for team_id, category, label in session.execute(
        select(BudgetLine.team_id, BudgetLine.category, BudgetLine.period).where(
            BudgetLine.workspace_id == ws
        )
    ):
        period = engine.parse_period(label)
        if period.starts_on > today:
            continue
        begun += 1
        if any((team_id, category, month) in spent for month in period.months):
            with_actuals += 1
    return begun, with_actuals

"""Pages of the budget: plan against actual with its chart, alerts and variance table, a plan-line form, and the
import of actual spend (upload, map the file's columns, see every refused row)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from northstar.budget import costs, engine, initiatives, service
from northstar.budget.files import read_export
from northstar.budget.schemas import (
    ACTUAL_FIELDS,
    BudgetLineCreate,
    BudgetLineUpdate,
    BudgetReport,
    BudgetSettingsUpdate,
    CommitmentCreate,
    CostRateSet,
    PeopleCostReport,
)
from northstar.core.charts import PALETTE, render_svg
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import ListParams
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FIELD_WORDS = {
    "date": "Date",
    "amount": "Amount",
    "team": "Team or cost centre",
    "category": "Category",
    "vendor": "Vendor",
    "memo": "Memo",
    "idea": "Initiative (an idea's title or id)",
    "row_key": "Row key (a unique id per row)",
}


def money(cents: int | None, currency: str = "USD", signed: bool = False) -> str:
    return engine.format_money(cents, currency, signed)


TEMPLATE_GLOBALS = {"budget_money": money, "budget_fields": FIELD_WORDS}


def monthly_chart(report: BudgetReport) -> Markup | None:
    """Plan (tick) against actual (bar) per month, one small panel per team."""
    import altair as alt

    if not report.monthly:
        return None
    points = [
        {
            "team": p.team,
            "month": p.month + "-01",
            "Plan": p.planned_cents / 100,
            "Actual": p.actual_cents / 100,
        }
        for p in report.monthly
    ]
    base = alt.Chart(alt.Data(values=points)).encode(
        x=alt.X("month:O", title=None, timeUnit="yearmonth", axis=alt.Axis(format="%b", labelAngle=0)),
    )
    money_axis = alt.Axis(format="$,.0f" if report.currency == "USD" else ",.0f")
    bars = base.mark_bar(color=PALETTE[0], opacity=0.85).encode(
        y=alt.Y("Actual:Q", title=f"{report.currency} per month", axis=money_axis),
        tooltip=[
            "team:N",
            alt.Tooltip("month:T", format="%B %Y"),
            alt.Tooltip("Plan:Q", format=",.2f"),
            alt.Tooltip("Actual:Q", format=",.2f"),
        ],
    )
    ticks = base.mark_tick(color=PALETTE[3], thickness=3, size=22).encode(y="Plan:Q")
    chart = (
        alt.layer(bars, ticks)
        .properties(width=150, height=140)
        .facet(column=alt.Column("team:N", title=None), columns=4)
        .properties(
            title=alt.TitleParams(
                f"Plan and actual per month, {report.period}", subtitle="bars: actual spend · red ticks: plan"
            )
        )
    )
    return render_svg(chart)


def burn_up_chart(report: BudgetReport) -> Markup | None:
    """Cumulative plan and actual spend over the period, and from today the forecast inside its band."""
    import altair as alt

    if not report.total.planned_cents and not report.total.actual_cents:
        return None
    monthly: dict[str, tuple[int, int]] = {}
    for point in report.monthly:
        planned, actual = monthly.get(point.month, (0, 0))
        monthly[point.month] = (planned + point.planned_cents, actual + point.actual_cents)
    period = engine.parse_period(report.period)
    points = engine.burn_up(
        period, monthly, report.as_of, report.total.forecast_cents, report.total.committed_cents
    )
    lines, band = [], []
    for p in points:
        day = p.day.isoformat()
        lines.append({"day": day, "series": "Plan", "amount": p.plan / 100})
        if p.actual is not None:
            lines.append({"day": day, "series": "Actual", "amount": p.actual / 100})
        if p.forecast is not None:
            lines.append({"day": day, "series": "Forecast", "amount": p.forecast / 100})
        if p.low is not None and p.high is not None:
            band.append({"day": day, "low": p.low / 100, "high": p.high / 100})
    colors = alt.Scale(domain=["Plan", "Actual", "Forecast"], range=[PALETTE[3], PALETTE[0], PALETTE[4]])
    money_axis = alt.Axis(format="$,.0f" if report.currency == "USD" else ",.0f")
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%b %d"))
    line = (
        alt.Chart(alt.Data(values=lines))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("amount:Q", title=f"{report.currency}, cumulative", axis=money_axis),
            color=alt.Color("series:N", scale=colors, title=None),
            strokeDash=alt.condition("datum.series == 'Forecast'", alt.value([5, 3]), alt.value([1, 0])),
            tooltip=[
                "series:N",
                alt.Tooltip("day:T", format="%B %d"),
                alt.Tooltip("amount:Q", format=",.2f"),
            ],
        )
    )
    layers: list[Any] = [line]
    if band:
        layers.insert(
            0,
            alt.Chart(alt.Data(values=band))
            .mark_area(opacity=0.2, color=PALETTE[4])
            .encode(x=x, y="low:Q", y2="high:Q"),
        )
    chart = alt.layer(*layers).properties(
        width=560,
        height=220,
        title=alt.TitleParams(
            f"Burn-up, {report.period}",
            subtitle="dashed: forecast (run rate + committed); shaded: as uneven as the months so far",
        ),
    )
    return render_svg(chart)


def people_by_initiative(report: PeopleCostReport) -> list[tuple[str, str, int, int]]:
    """(team, initiative, person-days, cents) over the period, largest cost first."""
    totals: dict[tuple[str, str], list[int]] = {}
    for row in report.rows:
        entry = totals.setdefault((row.team, row.idea), [0, 0])
        entry[0] += row.person_days
        entry[1] += row.amount_cents
    return sorted(((t, i, d, c) for (t, i), (d, c) in totals.items()), key=lambda r: (-r[3], r[0], r[1]))


def _plan_choices(session: DB, user: CurrentUser) -> list[tuple[int, str]]:
    from northstar.decisions import service as decisions

    return [(p.id, p.name) for p in decisions.list_plans(session, user.actor) if p.portfolio]


def _replan_plan(session: DB, user: CurrentUser) -> tuple[int, str] | None:
    from northstar.decisions import service as decisions

    chosen = service.get_settings(session, user.actor).replan_plan_id
    found = {p.id: p.name for p in decisions.list_plans(session, user.actor)}
    return (chosen, found[chosen]) if chosen in found else None


def _default_period(today: dt.date) -> str:
    return engine.quarter_of(today)


def _budget_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    period: str | None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    commitment_errors: dict[str, str] | None = None,
    rate_errors: dict[str, str] | None = None,
) -> Response:
    from northstar.ideas import service as ideas
    from northstar.teams import service as teams

    today = dt.date.today()
    label = period or _default_period(today)
    period_error = ""
    try:
        label = engine.parse_period(label).label
    except engine.PeriodError as error:
        period_error, label = str(error), _default_period(today)
    report = service.report(session, user.actor, label, today)
    team_list = teams.list_teams(session, user.actor)
    idea_list = ideas.list_ideas(session, user.actor, ListParams(None, "title", 1, 500, {})).items
    return render(
        request,
        "budget.html",
        status_code=422 if errors or commitment_errors or rate_errors else 200,
        user=user,
        report=report,
        people=(people := costs.people_cost(session, user.actor, label)),
        people_rows=people_by_initiative(people),
        rates=costs.list_cost_rates(session, user.actor),
        initiative_report=initiatives.initiative_report(session, user.actor, today),
        history=initiatives.estimate_history(session, user.actor, today),
        plans=_plan_choices(session, user),
        replan_plan=_replan_plan(session, user),
        rate_errors=rate_errors or {},
        rate_values=(values if rate_errors else None) or {"unit": "person_month"},
        rate_units=[("person_month", "per person-month"), ("person_day", "per person-day")],
        commitments=service.list_commitments(session, user.actor, label),
        commitment_errors=commitment_errors or {},
        commitment_values=(values if commitment_errors else None) or {},
        chart=monthly_chart(report),
        burn_chart=burn_up_chart(report),
        lines=service.list_lines(session, user.actor, label),
        teams=[(t.id, t.name) for t in team_list],
        ideas=[(i.id, i.title) for i in idea_list],
        categories=[(c, c.capitalize()) for c in engine.CATEGORIES],
        periods=_period_choices(today, label),
        period_error=period_error,
        typed_period=period or "",
        errors=errors or {},
        values=(values if not (commitment_errors or rate_errors) else None) or {"period": label},
        can_edit=user.actor.can("budget.write"),
    )


def _period_choices(today: dt.date, chosen: str) -> list[tuple[str, str]]:
    """This quarter, the three before and the one after, and their months."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    labels = []
    for step in range(-3, 2):
        q = quarter + step
        y = year + (q - 1) // 4
        q = (q - 1) % 4 + 1
        labels.append(f"{y}-Q{q}")
    choices = []
    for quarter_label in labels:
        period = engine.parse_period(quarter_label)
        choices.append((quarter_label, f"{quarter_label} (quarter)"))
        choices += [(m, dt.date.fromisoformat(m + "-01").strftime("%B %Y")) for m in period.months]
    if chosen not in {c[0] for c in choices}:
        choices.insert(0, (chosen, chosen))
    return choices


@router.get("/budget")
def budget_page(request: Request, session: DB, user: CurrentUser, period: str | None = None) -> Response:
    return _budget_page(request, session, user, period)


@router.post("/budget/lines")
async def add_line(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        line = service.create_line(session, user.actor, parse_form(BudgetLineCreate, form))
    except ValidationFailed as failure:
        session.rollback()
        return _budget_page(request, session, user, form.get("period"), field_messages(failure), form)
    return see_other(
        "/budget",
        period=line.period
        if "Q" in line.period
        else engine.quarter_of(dt.date.fromisoformat(line.period + "-01")),
        added=line.id,
    )


@router.post("/budget/lines/{line_id}/delete")
async def delete_line(line_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    service.delete_line(session, user.actor, line_id)
    return see_other("/budget", period=str(form.get("period", "")), removed=1)


def _edit_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    line_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    from northstar.ideas import service as ideas
    from northstar.teams import service as teams

    line = service.get_line(session, user.actor, line_id)
    shown = values or {
        "team_id": str(line.team_id),
        "period": line.period,
        "category": line.category,
        "amount": f"{line.amount_cents // 100}.{line.amount_cents % 100:02d}",
        "idea_id": str(line.idea_id or ""),
        "note": line.note or "",
    }
    return render(
        request,
        "budget_line_edit.html",
        status_code=422 if errors else 200,
        user=user,
        line=line,
        teams=[(t.id, t.name) for t in teams.list_teams(session, user.actor)],
        ideas=[
            (i.id, i.title)
            for i in ideas.list_ideas(session, user.actor, ListParams(None, "title", 1, 500, {})).items
        ],
        categories=[(c, c.capitalize()) for c in engine.CATEGORIES],
        errors=errors or {},
        values=shown,
        back=str(request.query_params.get("period") or (values and values.get("back")) or line.period),
    )


@router.get("/budget/lines/{line_id}/edit")
def edit_line_page(line_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    user.actor.require("budget.write")
    return _edit_page(request, session, user, line_id)


@router.post("/budget/lines/{line_id}")
async def edit_line(line_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    fields = {k: form.get(k, "") for k in ("team_id", "period", "category", "amount", "idea_id", "note")}
    try:
        # every field is on the form, so all are set: an emptied idea or note is removed from the line
        whole = BudgetLineUpdate.model_validate(parse_form(BudgetLineCreate, fields).model_dump())
        line = service.update_line(session, user.actor, line_id, whole)
    except ValidationFailed as failure:
        session.rollback()
        shown = {**fields, "back": form.get("back", "")}
        return _edit_page(request, session, user, line_id, field_messages(failure), shown)
    back = form.get("back") or line.period
    return see_other("/budget", period=back, edited=line.id)


@router.post("/budget/commitments")
async def add_commitment(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    period = form.get("period", "")
    try:
        service.create_commitment(session, user.actor, parse_form(CommitmentCreate, form))
    except ValidationFailed as failure:
        session.rollback()
        messages = field_messages(failure)
        return _budget_page(request, session, user, period, None, form, messages or {"form": failure.detail})
    return see_other("/budget", period=period, committed=1)


@router.post("/budget/commitments/{commitment_id}/delete")
async def delete_commitment(commitment_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    service.delete_commitment(session, user.actor, commitment_id)
    return see_other("/budget", period=str(form.get("period", "")), uncommitted=1)


@router.post("/budget/rates")
async def set_rate(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    period = form.get("period", "")
    try:
        costs.set_cost_rate(session, user.actor, parse_form(CostRateSet, form))
    except ValidationFailed as failure:
        session.rollback()
        messages = field_messages(failure) or {"form": failure.detail}
        return _budget_page(request, session, user, period, None, form, None, messages)
    return see_other("/budget", period=period, rated=1)


@router.post("/budget/follow")
async def follow_plan(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    period = form.get("period", "")
    text = form.get("plan_id", "")
    if not text.isdigit():
        return _budget_page(request, session, user, period, {"plan_id": "choose a plan"}, form)
    try:
        made = initiatives.follow_plan(session, user.actor, int(text))
    except ValidationFailed as failure:
        session.rollback()
        return _budget_page(request, session, user, period, {"plan_id": failure.detail}, form)
    return see_other("/budget", period=period, funded=len(made))


@router.post("/budget/history-forecast")
async def history_forecast(request: Request, session: DB, user: CurrentUser) -> Response:
    """Re-run the followed plan's forecast with durations scaled by the teams' past estimate ratios."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    plan = costs.followed_plan(session, user.actor)
    if plan is None:
        raise ValidationFailed("no plan is followed yet: follow a solved and scheduled plan first")
    initiatives.forecast_with_history(session, user.actor, plan.id, 5_000)
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.post("/budget/replan")
async def replan(request: Request, session: DB, user: CurrentUser) -> Response:
    """Re-run the portfolio with the remaining budget as a background job; the new plan's page shows progress."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    plan, _remaining, job = initiatives.replan(session, user.actor, request.app.state.jobs)
    return RedirectResponse(f"/plans/{plan.id}" + (f"?job={job.id}" if job else ""), status_code=303)


@router.post("/budget/settings")
async def save_settings(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    period = form.get("period", "")
    text = form.get("alert_threshold_percent", "").strip().rstrip("%").strip()
    if not text.isdigit() or int(text) > 1000:
        errors = {"alert_threshold_percent": "enter a whole number of percent from 0 to 1,000, like 10"}
        return _budget_page(
            request,
            session,
            user,
            period,
            errors,
            {"alert_threshold_percent": form.get("alert_threshold_percent", "")},
        )
    service.update_settings(session, user.actor, BudgetSettingsUpdate(alert_threshold_percent=int(text)))
    return see_other("/budget", period=period, saved="threshold")


# --- import of actual spend ----------------------------------------------------------------------------------


def _uploads(request: Request) -> Any:
    folder = request.app.state.settings.resolved_home() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@router.get("/budget/import")
def import_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return render(
        request,
        "budget_import.html",
        user=user,
        step="upload",
        errors={},
        settings=service.get_settings(session, user.actor),
    )


def _guess(field: str, headers: list[str], saved: dict[str, str]) -> str:
    if saved.get(field) and saved[field].strip().lower().replace(" ", "_") in headers:
        return saved[field].strip().lower().replace(" ", "_")
    if field in headers:
        return field
    for alias, target in service.ALIASES.items():
        if target == field and alias in headers:
            return alias
    return ""


def _mapping_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    token: str,
    filename: str,
    chosen: dict[str, str] | None = None,
    failure: ValidationFailed | None = None,
) -> Response:
    parsed = read_export((_uploads(request) / f"budget-{token}.upload").read_bytes(), None, filename)
    headers = [h for h in parsed.headers if h]
    saved = service.get_settings(session, user.actor).column_mapping
    chosen = (
        chosen if chosen is not None else {name: _guess(name, headers, saved) for name, _ in ACTUAL_FIELDS}
    )
    samples = {h: [row.get(h, "") for row in parsed.rows[:2]] for h in headers}
    return render(
        request,
        "budget_import.html",
        status_code=422 if failure else 200,
        user=user,
        step="map",
        token=token,
        filename=filename,
        rows=len(parsed.rows),
        headers=headers,
        samples=samples,
        fields=ACTUAL_FIELDS,
        chosen=chosen,
        failure=failure,
        row_errors=[e for e in (failure.errors if failure else []) if e.row and e.row > 1],
        errors={},
    )


@router.post("/budget/import")
async def upload_actuals(request: Request, session: DB, user: CurrentUser) -> Response:
    """Step 1: keep the uploaded file and show its columns to map to the fields."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    upload = form.get("file")
    settings = service.get_settings(session, user.actor)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(
            request,
            "budget_import.html",
            status_code=422,
            user=user,
            step="upload",
            settings=settings,
            errors={"file": "choose a CSV or XLSX file exported from your finance system"},
        )
    data = await upload.read(service.MAX_IMPORT_BYTES + 1)
    try:
        if len(data) > service.MAX_IMPORT_BYTES:
            raise ValidationFailed(f"the file is larger than {service.MAX_IMPORT_BYTES // 1_000_000} MB")
        read_export(data, None, upload.filename)
    except ValidationFailed as failure:
        return render(
            request,
            "budget_import.html",
            status_code=422,
            user=user,
            step="upload",
            settings=settings,
            errors={"file": failure.detail},
        )
    token = secrets.token_urlsafe(24)
    (_uploads(request) / f"budget-{token}.upload").write_bytes(data)
    return _mapping_page(request, session, user, token, upload.filename)


@router.post("/budget/import/run")
async def run_import(request: Request, session: DB, user: CurrentUser) -> Response:
    """Step 2: import with the chosen mapping; every refused row is shown and nothing is saved."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    token = form.get("token", "")
    path = _uploads(request) / f"budget-{token}.upload"
    if not TOKEN.match(token) or not path.exists():
        raise ValidationFailed(
            "the upload has expired; upload the file again", [FieldError("file", "expired")]
        )
    filename = form.get("filename", "upload.csv")[:300]
    chosen = {name: form.get(f"map-{name}", "") for name, _ in ACTUAL_FIELDS}
    try:
        result = service.import_actuals(
            session, user.actor, path.read_bytes(), {k: v for k, v in chosen.items() if v}, filename
        )
    except ValidationFailed as failure:
        session.rollback()
        return _mapping_page(request, session, user, token, filename, chosen, failure)
    path.unlink(missing_ok=True)
    return see_other(
        "/budget/import",
        imported=result.imported,
        already=result.already_imported,
        total=money(result.amount_cents, result.currency),
        file=filename,
    )

"""Command line for analytics: stateless insights over an events file, and importing events into the store.

The lead mounts ``insight_app`` as ``northstar insight``, ``events_app`` as ``northstar events`` and ``analytics_app``
(alerts of a workspace) as ``northstar analytics``. Insight commands
read a Parquet file (columns ``event``, ``distinct_id``, ``timestamp``, optional ``properties`` as JSON text and
``uuid``), load it into an in-memory store and run one query runner, so they suit scripts and evaluation.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from northstar.analytics.queries.engine import DuckDBEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.funnels import FunnelExclusion, FunnelQuery, FunnelStep, run_funnel
from northstar.analytics.queries.periods import shift, truncate
from northstar.analytics.queries.retention import RetentionQuery, run_retention
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.store import EventStore
from northstar.analytics.store.importer import import_events_file
from northstar.cli_support import FormatOption as ListFormatOption
from northstar.cli_support import (
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    handle_errors,
    open_session,
    resolve_actor,
    run_job,
)
from northstar.core.errors import ValidationFailed

insight_app = typer.Typer(help="Insights computed straight from an events file.", no_args_is_help=True)
events_app = typer.Typer(help="The event store: import events.", no_args_is_help=True)
console = Console()

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class Format(StrEnum):
    table = "table"
    json = "json"


class Mode(StrEnum):
    ordered = "ordered"
    strict = "strict"
    unordered = "unordered"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class RetentionKind(StrEnum):
    recurring = "recurring"
    first_time = "first_time"


class Math(StrEnum):
    total = "total"
    dau = "dau"
    wau = "wau"
    mau = "mau"
    unique_users = "unique_users"


class TrendInterval(StrEnum):
    hour = "hour"
    day = "day"
    week = "week"
    month = "month"


EventsOption = typer.Option(..., "--events", help="Parquet file of events.", exists=False)
FormatOption = typer.Option(Format.table, "--format", "-f", help="Output as a table or JSON.")


def parse_window(text: str) -> int:
    """``14d``, ``12h``, ``30m``, ``90s``, ``2w`` (or a bare number of days) as seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text.lower())
    if not match or int(match.group(1)) <= 0:
        raise ValidationFailed(
            f"invalid window {text!r}: use a positive number with s, m, h, d or w (e.g. 14d)"
        )
    return int(match.group(1)) * _UNITS[match.group(2) or "d"]


def _load(path: Path) -> EventStore:
    store = EventStore()
    import_events_file(store, path)
    return store


def _time_span(store: EventStore) -> tuple[datetime, datetime]:
    row = store.connection.execute("SELECT min(timestamp), max(timestamp) FROM events").fetchone()
    if row is None or row[0] is None:
        raise ValidationFailed("the events file holds no events")
    return row[0], row[1]


def _emit(payload: dict[str, Any], output: Format, table: Table) -> None:
    if output == Format.json:
        typer.echo(json.dumps(payload))
    else:
        console.print(table)


@insight_app.command("funnel")
@handle_errors
def funnel_command(
    events: Path = EventsOption,
    steps: str = typer.Option(..., "--steps", help="Comma-separated event names, in order."),
    window: str = typer.Option("14d", "--window", help="Conversion window, e.g. 14d, 12h, 30m."),
    mode: Mode = typer.Option(Mode.ordered, "--mode", help="ordered, strict or unordered."),
    exclude: list[str] = typer.Option([], "--exclude", help="Event that removes a person from the funnel."),
    output: Format = FormatOption,
) -> None:
    """Persons reaching each step, with average and median time to convert from the previous step."""
    names = [name.strip() for name in steps.split(",") if name.strip()]
    if not names:
        raise ValidationFailed("--steps needs at least one event name")
    query = FunnelQuery(
        steps=[FunnelStep(name, EventMatcher(name)) for name in names],
        window_seconds=parse_window(window),
        mode=mode.value,  # type: ignore[arg-type]
        exclusions=[
            FunnelExclusion(EventMatcher(name), 0, len(names) - 1) for name in exclude if len(names) > 1
        ],
    )
    result = run_funnel(DuckDBEngine(_load(events).connection), query)
    rows: list[dict[str, Any]] = [
        {
            "name": s.name,
            "count": s.count,
            "average_seconds": s.average_seconds,
            "median_seconds": s.median_seconds,
        }
        for s in result.total.steps
    ]
    table = Table("Step", "Persons", "Average s", "Median s")
    for row in rows:
        table.add_row(
            row["name"], str(row["count"]), _num(row["average_seconds"]), _num(row["median_seconds"])
        )
    _emit({"steps": rows}, output, table)


@insight_app.command("retention")
@handle_errors
def retention_command(
    events: Path = EventsOption,
    start_event: str = typer.Option(..., "--start-event", help="Event that puts a person in a cohort."),
    return_event: str = typer.Option(..., "--return-event", help="Event that counts as coming back."),
    period: Period = typer.Option(Period.day, "--period", help="day, week or month."),
    intervals: int = typer.Option(11, "--intervals", help="Number of periods (cohorts)."),
    kind: RetentionKind = typer.Option(RetentionKind.recurring, "--type", help="recurring or first_time."),
    date_to: datetime | None = typer.Option(
        None, "--date-to", help="Last day of the range (default: the first event's period + intervals - 1)."
    ),
    output: Format = FormatOption,
) -> None:
    """Cohort table: column 0 is the cohort size, column k the persons returning k periods later."""
    store = _load(events)
    first_event = _time_span(store)[0]
    unit = period.value
    last = date_to or shift(truncate(first_event, unit), unit, intervals - 1)  # type: ignore[arg-type]
    query = RetentionQuery(
        start=EventMatcher(start_event),
        returning=EventMatcher(return_event),
        date_to=last,
        period=period.value,  # type: ignore[arg-type]
        intervals=intervals,
        retention_type=kind.value,  # type: ignore[arg-type]
    )
    try:
        cohorts = run_retention(DuckDBEngine(store.connection), query)
    except ValueError as error:
        raise ValidationFailed(str(error)) from error
    rows: list[dict[str, Any]] = [{"start": c.start.date().isoformat(), "values": c.values} for c in cohorts]
    table = Table("Cohort", *[str(k) for k in range(intervals)])
    for row in rows:
        table.add_row(row["start"], *[str(v) for v in row["values"]])
    _emit({"cohorts": rows}, output, table)


@insight_app.command("trends")
@handle_errors
def trends_command(
    events: Path = EventsOption,
    event: str = typer.Option(..., "--event", help="Event to count."),
    math: Math = typer.Option(Math.total, "--math", help="total, dau, wau, mau or unique_users."),
    interval: TrendInterval = typer.Option(TrendInterval.day, "--interval", help="hour, day, week or month."),
    output: Format = FormatOption,
) -> None:
    """One value per interval from the first to the last event of the file (zero-filled)."""
    store = _load(events)
    first, last = _time_span(store)
    unit = "day" if interval == TrendInterval.day else interval.value
    span = DateRange(truncate(first, unit), truncate(last, unit) + _one(unit, last))  # type: ignore[arg-type]
    query = TrendsQuery(
        matcher=EventMatcher(event),
        date_range=span,
        math=math.value,
        interval=interval.value,  # type: ignore[arg-type]
    )
    try:
        series = run_trends(DuckDBEngine(store.connection), query)
    except ValueError as error:
        raise ValidationFailed(str(error)) from error
    points = series[0].points if series else []
    fmt = "%Y-%m-%dT%H:00" if interval == TrendInterval.hour else "%Y-%m-%d"
    rows: list[dict[str, Any]] = [{"date": p.date.strftime(fmt), "value": _plain(p.value)} for p in points]
    table = Table("Date", "Value")
    for row in rows:
        table.add_row(row["date"], str(row["value"]))
    _emit({"series": rows}, output, table)


StoreOption = typer.Option(
    None,
    "--store",
    help="Use this DuckDB file instead (default: the workspace's event store, the one the web pages read).",
)


@events_app.command("import")
@handle_errors
def import_command(
    file: Path = typer.Argument(..., help="Parquet, JSON Lines or CSV file of events."),
    store_path: Path | None = StoreOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Validate the file and append all of its events (nothing is written when a row is invalid)."""
    if store_path is not None:
        store = EventStore(store_path)
        try:
            result = import_events_file(store, file)
        finally:
            store.close()
    else:
        from northstar.analytics import runtime, service
        from northstar.core.settings import Settings

        settings = Settings()
        try:
            with open_session(settings) as session:
                actor = resolve_actor(session, workspace, as_user)
                result = service.import_events(session, actor, settings, file)
                store_path = runtime.workspace_store_path(settings, actor.workspace_id)
        finally:
            runtime.close_all()
    console.print(
        f"Imported {result.inserted} events ({result.duplicates} duplicates skipped, "
        f"{result.persons_created} new persons) into {store_path}"
    )


def _one(unit: str, moment: datetime) -> timedelta:
    following = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    if unit in following:
        return following[unit]
    start = truncate(moment, "month")
    next_month = (start + timedelta(days=32)).replace(day=1)
    return next_month - start


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@events_app.command("compact")
@handle_errors
def compact_command(
    store_path: Path | None = StoreOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Re-cluster the events by (event, person, time) so insight queries read less (run after big imports)."""
    if store_path is not None:
        store = EventStore(store_path)
        try:
            store.compact()
            count = store.count_events()
        finally:
            store.close()
    else:
        from northstar.analytics import runtime, service
        from northstar.core.settings import Settings

        settings = Settings()
        try:
            with open_session(settings) as session:
                actor = resolve_actor(session, workspace, as_user)
                count = service.compact_events(session, actor, settings)
                store_path = runtime.workspace_store_path(settings, actor.workspace_id)
        finally:
            runtime.close_all()
    console.print(f"Compacted {count} events in {store_path}")


analytics_app = typer.Typer(help="Product analytics of a workspace: anomaly alerts.", no_args_is_help=True)


class AlertStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    all = "all"


@analytics_app.command("alerts")
@handle_errors
def alerts_command(
    evaluate: bool = typer.Option(
        False,
        "--evaluate",
        help="Check every metric and daily saved trend first (a job with a progress bar).",
    ),
    through: datetime | None = typer.Option(
        None, "--through", formats=["%Y-%m-%d"], help="Last day to assess (default: yesterday, UTC)."
    ),
    alert_days: int = typer.Option(7, "--alert-days", min=1, max=31, help="Alert on this many last days."),
    threshold: float = typer.Option(
        4.0, "--threshold", min=1.0, max=20.0, help="Noise units for an anomaly."
    ),
    status: AlertStatus = typer.Option(AlertStatus.open, "--status", help="open, acknowledged or all."),
    fmt: OutputFormat = ListFormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List anomaly alerts on the workspace's metrics (``--evaluate`` checks the metrics first; run it daily)."""
    from northstar.analytics import alerts
    from northstar.analytics.schemas import AlertRead

    if evaluate:
        params: dict[str, Any] = {"alert_days": alert_days, "threshold": threshold}
        if through is not None:
            params["through"] = through.date().isoformat()
        result = run_job(
            "analytics.alerts", params, "Checking metrics", workspace, as_user, fmt != OutputFormat.json
        )
        if fmt != OutputFormat.json:
            console.print(
                f"Checked {result['series']} series through {result['through_day']}: {result['anomalies']} anomalies, "
                f"{result['new_alerts']} new alerts, {result['resolved_alerts']} resolved."
            )
            for note in result.get("notes", []):
                console.print(f"  {note}", style="dim")
    acknowledged = {"open": False, "acknowledged": True, "all": None}[status.value]
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        found = [
            AlertRead.model_validate(a) for a in alerts.list_alerts(session, actor, acknowledged=acknowledged)
        ]
    columns = [
        "id",
        "label",
        "day",
        "direction",
        "severity",
        "observed",
        "expected",
        "lower",
        "upper",
        "score",
    ]
    emit(found, fmt, columns + (["acknowledged"] if status != AlertStatus.open else []), title="Alerts")


@analytics_app.command("acknowledge")
@handle_errors
def acknowledge_command(
    alert_id: int = typer.Argument(..., help="The alert's id (see `northstar analytics alerts`)."),
    fmt: OutputFormat = ListFormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Mark an alert as seen."""
    from northstar.analytics import alerts
    from northstar.analytics.schemas import AlertRead

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(AlertRead.model_validate(alerts.acknowledge_alert(session, actor, alert_id)), fmt)


COMMANDS = {"insight": insight_app, "events": events_app, "analytics": analytics_app}

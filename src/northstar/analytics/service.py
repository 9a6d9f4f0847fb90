"""Analytics use cases: capture keys, insights (run, save, export), metrics and key results, feature adoption,
anomaly alerts (evaluated in :mod:`alerts`).

Each function takes a session and an actor and checks the permission once. Events are read from the workspace's
DuckDB store (see :mod:`runtime`); definitions (keys, metrics, saved insights, idea bindings) live in the main
database.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

import duckdb
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.analytics import alerts, runtime
from northstar.analytics.insights import date_range, run_spec
from northstar.analytics.models import AnalyticsKeys, IdeaEvent, Metric, SavedInsight
from northstar.analytics.queries.engine import DuckDBEngine, literal
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.schemas import (
    AdoptionRead,
    AlertEvaluation,
    EventNameCount,
    IdeaEventBind,
    InsightResult,
    InsightSpec,
    KeyResultRefresh,
    MetricCreate,
    MetricRead,
    MetricValue,
    SavedInsightCreate,
)
from northstar.analytics.store.event_store import AppendResult, EventStore
from northstar.analytics.store.importer import import_events_file
from northstar.core import audit
from northstar.core.errors import Conflict, ValidationFailed
from northstar.core.listing import ListParams, get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.core.tabular import write_csv

WRITE = "analytics.write"
SPEC = TypeAdapter(InsightSpec)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _engine(settings: Settings, actor: Actor) -> DuckDBEngine:
    try:
        return DuckDBEngine(runtime.workspace_store(settings, actor.workspace_id).connection)
    except duckdb.IOException as error:  # another process (the server) holds the workspace's DuckDB file
        raise Conflict(
            "the workspace's event store is open in another process (the server?): use the API or the web "
            f"pages while it runs ({error})"
        ) from error


def _open_store(settings: Settings, actor: Actor) -> EventStore:
    try:
        return runtime.workspace_store(settings, actor.workspace_id)
    except duckdb.IOException as error:  # another process (the server) holds the workspace's DuckDB file
        raise Conflict(
            "the workspace's event store is open in another process (the server?): stop it, or send the events "
            f"to the capture API while it runs ({error})"
        ) from error


def import_events(session: Session, actor: Actor, settings: Settings, path: Path) -> AppendResult:
    """Append every event of a Parquet, JSON Lines or CSV file to the workspace's event store, the one the web
    pages read (all or nothing: a file with one bad row is rejected whole)."""
    actor.require("events.ingest")
    result = import_events_file(_open_store(settings, actor), path)
    audit.record(session, actor, "import", "events", None, f"{result.inserted} events from {path.name}")
    return result


def compact_events(session: Session, actor: Actor, settings: Settings) -> int:
    """Re-cluster the workspace's events so insight queries read less; returns how many events it holds."""
    actor.require("analytics.write")
    store = _open_store(settings, actor)
    store.compact()
    count = store.count_events()
    audit.record(session, actor, "compact", "events", None, f"{count} events")
    return count


# --- capture keys -------------------------------------------------------------------------------------------


def get_keys(session: Session, actor: Actor) -> AnalyticsKeys:
    """The workspace's PostHog project key and Segment write key (created on first use)."""
    actor.require(WRITE)
    keys = session.scalar(select(AnalyticsKeys).where(AnalyticsKeys.workspace_id == actor.workspace_id))
    if keys is None:
        keys = AnalyticsKeys(
            workspace_id=actor.workspace_id,
            project_key="phc_" + secrets.token_urlsafe(24),
            write_key=secrets.token_urlsafe(24),
        )
        session.add(keys)
        session.flush()
        audit.record(session, actor, "create", "analytics_keys", keys.id, "capture keys")
    return keys


def rotate_keys(session: Session, actor: Actor) -> AnalyticsKeys:
    """New keys; SDKs with the old ones get 401 from now on."""
    keys = get_keys(session, actor)
    keys.project_key = "phc_" + secrets.token_urlsafe(24)
    keys.write_key = secrets.token_urlsafe(24)
    audit.record(session, actor, "rotate", "analytics_keys", keys.id, "capture keys rotated")
    return keys


def workspace_for_key(session: Session, key: str, kind: str) -> int | None:
    """The workspace a PostHog project key (``kind="posthog"``) or Segment write key belongs to."""
    column = AnalyticsKeys.project_key if kind == "posthog" else AnalyticsKeys.write_key
    return session.scalar(select(AnalyticsKeys.workspace_id).where(column == key))


# --- insights -----------------------------------------------------------------------------------------------


def run_insight(session: Session, actor: Actor, settings: Settings, spec: InsightSpec) -> InsightResult:
    """Compute an insight over the workspace's events."""
    actor.require(READ)
    try:
        return run_spec(_engine(settings, actor), spec, _today(), _now())
    except ValueError as error:
        raise ValidationFailed(str(error)) from error


def save_insight(session: Session, actor: Actor, data: SavedInsightCreate) -> SavedInsight:
    actor.require(WRITE)
    insight = SavedInsight(
        workspace_id=actor.workspace_id,
        name=data.name,
        kind=data.query.kind,
        query=json.loads(data.query.model_dump_json()),
    )
    session.add(insight)
    session.flush()
    audit.record(session, actor, "create", "saved_insight", insight.id, insight.name)
    return insight


def list_saved_insights(session: Session, actor: Actor) -> list[SavedInsight]:
    actor.require(READ)
    query = (
        select(SavedInsight)
        .where(SavedInsight.workspace_id == actor.workspace_id)
        .order_by(SavedInsight.name)
    )
    return list(session.scalars(query))


def get_saved_insight(session: Session, actor: Actor, insight_id: int) -> SavedInsight:
    actor.require(READ)
    return get_owned(session, SavedInsight, insight_id, actor.workspace_id, "saved insight")


def delete_saved_insight(session: Session, actor: Actor, insight_id: int) -> None:
    actor.require(WRITE)
    insight = get_owned(session, SavedInsight, insight_id, actor.workspace_id, "saved insight")
    audit.record(session, actor, "delete", "saved_insight", insight.id, insight.name)
    session.delete(insight)


def run_saved_insight(session: Session, actor: Actor, settings: Settings, insight_id: int) -> InsightResult:
    insight = get_saved_insight(session, actor, insight_id)
    return run_insight(session, actor, settings, SPEC.validate_python(insight.query))


def event_names(
    session: Session, actor: Actor, settings: Settings, search: str = "", limit: int = 200
) -> list[EventNameCount]:
    """The event names the workspace has received, most sent first, with their counts (for pickers);
    ``search`` keeps the names containing it (case-insensitive)."""
    actor.require(READ)
    where = ""
    if search.strip():
        pattern = "%" + search.strip().lower().replace("%", "").replace("_", "\\_") + "%"
        where = f"WHERE lower(event) LIKE {literal(pattern)} ESCAPE '\\'"
    rows = _engine(settings, actor).rows(
        f"SELECT event, count(*) AS n FROM events {where} GROUP BY event ORDER BY n DESC, event LIMIT {int(limit)}"
    )
    return [EventNameCount(name=str(name), count=int(count)) for name, count in rows]


def property_names(
    session: Session, actor: Actor, settings: Settings, event: str | None = None, limit: int = 200
) -> list[EventNameCount]:
    """The property names found on the workspace's events (of ``event`` when given), with how many events carry
    each; names starting with ``$`` (SDK internals) come after the team's own."""
    actor.require(READ)
    where = f"WHERE event = {literal(event)}" if event else ""
    rows = _engine(settings, actor).rows(
        "SELECT key, count(*) AS n FROM (SELECT unnest(json_keys(CAST(properties AS JSON))) AS key "
        f"FROM events {where}) AS k GROUP BY key ORDER BY starts_with(key, '$'), n DESC, key LIMIT {int(limit)}"
    )
    return [EventNameCount(name=str(name), count=int(count)) for name, count in rows]


def insight_csv(result: InsightResult) -> str:
    """The insight's table as CSV (formula-injection safe)."""
    rows = [dict(zip(result.columns, row, strict=False)) for row in result.rows]
    return write_csv(rows, result.columns)


# --- metrics and key results --------------------------------------------------------------------------------


def create_metric(session: Session, actor: Actor, data: MetricCreate) -> Metric:
    actor.require(WRITE)
    taken = session.scalar(
        select(Metric.id).where(Metric.workspace_id == actor.workspace_id, Metric.key == data.key)
    )
    if taken is not None:
        raise Conflict(f"a metric with key {data.key!r} already exists")
    values = data.model_dump()
    if data.math != "conversion":
        values["conversion_event"] = None
    metric = Metric(workspace_id=actor.workspace_id, **values)
    session.add(metric)
    session.flush()
    audit.record(session, actor, "create", "metric", metric.id, metric.name)
    return metric


def list_metrics(session: Session, actor: Actor) -> list[Metric]:
    actor.require(READ)
    return list(
        session.scalars(select(Metric).where(Metric.workspace_id == actor.workspace_id).order_by(Metric.key))
    )


def delete_metric(session: Session, actor: Actor, metric_id: int) -> None:
    actor.require(WRITE)
    metric = get_owned(session, Metric, metric_id, actor.workspace_id, "metric")
    audit.record(session, actor, "delete", "metric", metric.id, metric.name)
    session.delete(metric)


def metric_value(
    session: Session, actor: Actor, settings: Settings, metric_id: int, today: dt.date | None = None
) -> MetricValue:
    """The metric over its window ending ``today``: totals and sums add up, DAU/WAU/MAU take the last day,
    averages average the days, unique users (accounts) count each person (``$groups.company``) once over the
    window, and a conversion is the share of persons who did ``event`` in the window and then
    ``conversion_event`` within it."""
    actor.require(READ)
    metric = get_owned(session, Metric, metric_id, actor.workspace_id, "metric")
    return _metric_value(_engine(settings, actor), metric, today or _today())


def metric_value_in_period(
    session: Session,
    actor: Actor,
    settings: Settings,
    metric_key: str,
    starts_on: dt.date,
    ends_on: dt.date,
    today: dt.date | None = None,
) -> MetricValue | None:
    """The metric as a key result over ``starts_on..ends_on`` reads it: its window ends today (or on the period's
    last day once the period is over) and never reaches back before the period's first day. None when no metric
    has ``metric_key`` or the period has not begun."""
    actor.require(READ)
    metric = session.scalar(
        select(Metric).where(Metric.workspace_id == actor.workspace_id, Metric.key == metric_key)
    )
    last = min(today or _today(), ends_on)
    if metric is None or last < starts_on:
        return None
    first = max(starts_on, last - dt.timedelta(days=metric.window_days - 1))
    return _metric_value(_engine(settings, actor), metric, last, first)


def _metric_value(
    engine: DuckDBEngine, metric: Metric, today: dt.date, first: dt.date | None = None
) -> MetricValue:
    first = first or today - dt.timedelta(days=metric.window_days - 1)
    span = date_range(first, today, today)
    condition = EventMatcher(metric.event).condition()
    if metric.math in {"unique_users", "unique_accounts"}:
        counted = "person_id" if metric.math == "unique_users" else ACCOUNT_KEY
        rows = engine.rows(
            f"SELECT count(DISTINCT {counted}) FROM events WHERE {condition} AND {span.condition()}"
        )
        value = float(rows[0][0] or 0)
    elif metric.math == "conversion":
        value = _conversion(engine, metric, span)
    else:
        series = run_trends(
            engine,
            TrendsQuery(
                EventMatcher(metric.event),
                span,
                math=metric.math,  # type: ignore[arg-type]
                math_property=metric.math_property,
            ),
        )
        values = [p.value for p in series[0].points] if series else [0.0]
        if metric.math in {"dau", "wau", "mau"}:
            value = values[-1]
        elif metric.math == "avg":
            value = sum(values) / len(values)
        else:
            value = sum(values)
    return MetricValue(metric=MetricRead.model_validate(metric), value=value, date_from=first, date_to=today)


#: the customer account an event belongs to: its PostHog group of type ``company``
ACCOUNT_KEY = "(CAST(properties AS JSON) -> '$.\"$groups\"' ->> 'company')"


def _conversion(engine: DuckDBEngine, metric: Metric, span: DateRange) -> float:
    """Share of the persons who did ``metric.event`` in ``span`` who did ``metric.conversion_event`` after it
    (in ``span`` too); 0 when nobody started."""
    started_condition = EventMatcher(metric.event).condition()
    rows = engine.rows(
        f"WITH started AS (SELECT person_id, min(timestamp) AS first FROM events WHERE {started_condition} "
        f"AND {span.condition()} GROUP BY person_id), "
        "converted AS (SELECT DISTINCT s.person_id FROM started s JOIN events e ON e.person_id = s.person_id "
        f"WHERE e.event = {literal(metric.conversion_event or '')} AND e.timestamp >= s.first "
        f"AND {span.condition('e.timestamp')}) "
        "SELECT (SELECT count(*) FROM started), (SELECT count(*) FROM converted)"
    )
    started, converted = rows[0]
    return float(converted) / float(started) if started else 0.0


def refresh_key_results(session: Session, actor: Actor, settings: Settings) -> list[KeyResultRefresh]:
    """Check in the current value of every key result bound to a metric (``key_result.metric == metric.key``)."""
    from northstar.strategy import service as strategy
    from northstar.strategy.schemas import CheckInCreate

    actor.require(WRITE)
    metrics = {metric.key: metric for metric in list_metrics(session, actor)}
    engine = _engine(settings, actor)
    today = _today()
    refreshed = []
    for objective in strategy.list_objectives(session, actor):
        for key_result in objective.key_results:
            metric = metrics.get(key_result.metric or "")
            if metric is None:
                continue
            value = _metric_value(engine, metric, today).value
            strategy.add_check_in(
                session,
                actor,
                key_result.id,
                CheckInCreate(value=value, note=f"from metric {metric.key}", day=today),
                source="metric",
            )
            refreshed.append(KeyResultRefresh(key_result_id=key_result.id, metric=metric.key, value=value))
    return refreshed


# --- feature adoption ---------------------------------------------------------------------------------------


def bind_idea_event(session: Session, actor: Actor, idea_id: int, data: IdeaEventBind) -> IdeaEvent:
    """Say which event shows a shipped idea in use (replaces an earlier binding)."""
    from northstar.ideas import service as ideas

    actor.require(WRITE)
    idea = ideas.get_idea(session, actor, idea_id)
    binding = session.scalar(
        select(IdeaEvent).where(IdeaEvent.workspace_id == actor.workspace_id, IdeaEvent.idea_id == idea.id)
    )
    if binding is None:
        binding = IdeaEvent(workspace_id=actor.workspace_id, idea_id=idea.id, event=data.event)
        session.add(binding)
    binding.event, binding.shipped_on = data.event, data.shipped_on
    session.flush()
    audit.record(session, actor, "bind", "idea_event", idea.id, f"{idea.title}: {data.event}")
    return binding


def feature_adoption(
    session: Session, actor: Actor, settings: Settings, idea_id: int, group_type: str = "company"
) -> AdoptionRead:
    """Share of customers whose users did the idea's event since it shipped: those who asked vs the rest.

    Events reach a customer through their group (``$groups.<group_type>``): a group maps to a customer through an
    explicit link (``groups.customer_id``) or when its key equals the customer's external id or domain."""
    from northstar.customers import service as customers
    from northstar.ideas import service as ideas

    actor.require(READ)
    binding = session.scalar(
        select(IdeaEvent).where(IdeaEvent.workspace_id == actor.workspace_id, IdeaEvent.idea_id == idea_id)
    )
    if binding is None:
        raise ValidationFailed("bind an event to this idea first (POST .../adoption-event)")
    demand = ideas.idea_demand(session, actor, idea_id)
    requesters = {item.customer_id for item in demand.feedback if item.customer_id is not None}
    everyone: dict[int, Any] = {}
    page = 1
    while True:
        chunk = customers.list_customers(session, actor, ListParams(None, None, page, 500, {}))
        everyone.update({customer.id: customer for customer in chunk.items})
        if page >= chunk.pages:
            break
        page += 1
    adopted = _adopting_customers(settings, actor, binding, group_type, everyone)
    others = set(everyone) - requesters
    asked = requesters & set(everyone)
    return AdoptionRead(
        idea_id=idea_id,
        event=binding.event,
        since=binding.shipped_on,
        requesters=len(asked),
        requesters_adopted=len(asked & adopted),
        others=len(others),
        others_adopted=len(others & adopted),
        requester_rate=len(asked & adopted) / len(asked) if asked else 0.0,
        other_rate=len(others & adopted) / len(others) if others else 0.0,
    )


def _adopting_customers(
    settings: Settings, actor: Actor, binding: IdeaEvent, group_type: str, customers: dict[int, Any]
) -> set[int]:
    engine = _engine(settings, actor)
    path_key = f"(CAST(properties AS JSON) -> '$.\"$groups\"' ->> {literal(group_type)})"
    since = ""
    if binding.shipped_on is not None:
        since = f" AND timestamp >= {literal(dt.datetime.combine(binding.shipped_on, dt.time()))}"
    keys = {
        str(row[0])
        for row in engine.rows(
            f"SELECT DISTINCT {path_key} FROM events WHERE event = {literal(binding.event)}{since} "
            f"AND {path_key} IS NOT NULL"
        )
    }
    linked = {
        str(row[0]): int(row[1])
        for row in engine.rows(
            f"SELECT group_key, customer_id FROM groups WHERE group_type = {literal(group_type)} "
            "AND customer_id IS NOT NULL"
        )
    }
    by_alias = {}
    for customer_id, customer in customers.items():
        for alias in (customer.external_id, customer.domain):
            if alias:
                by_alias[str(alias)] = customer_id
    adopted: set[int] = set()
    for key in keys:
        match = linked.get(key, by_alias.get(key))
        if match is not None:
            adopted.add(match)
    return adopted


# --- anomaly alerts -----------------------------------------------------------------------------------------


def event_engine(settings: Settings, actor: Actor) -> DuckDBEngine:
    """A query engine on the workspace's event store (for other modules' services, e.g. experiments)."""
    actor.require(READ)
    return _engine(settings, actor)


def evaluate_alerts(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    through: dt.date | None = None,
    alert_days: int = alerts.DEFAULT_ALERT_DAYS,
    threshold: float = alerts.DEFAULT_THRESHOLD,
    progress: alerts.Progress | None = None,
) -> AlertEvaluation:
    """Assess every metric and daily saved trend for anomalies and store the alerts (see :mod:`alerts`)."""
    actor.require(WRITE)
    return alerts.evaluate_alerts(
        session,
        actor,
        _engine(settings, actor),
        through=through,
        alert_days=alert_days,
        threshold=threshold,
        progress=progress,
    )

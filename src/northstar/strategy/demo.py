"""Demo content of the strategy module (called by ``northstar demo``): key results that follow analytics metrics.

Three key results of the demo objectives are bound to analytics metrics (``DEMO_METRICS`` in the demo company):
the metric is created through the analytics service unless the analytics demo made one with that key, the product
events behind it are written into the workspace's event store (when the seeding has one and it holds none of that
event yet), and the key result is checked in from the metric, as "Update from metrics" does. The events follow each
key result's own pace, so the demo shows one on track, one behind and one at risk.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.analytics import service as analytics
from northstar.analytics.schemas import MetricCreate
from northstar.core.permissions import Actor
from northstar.demo.company import DEMO_METRICS
from northstar.strategy import pace, service
from northstar.strategy.models import KeyResult

#: progress along the way from baseline to target per elapsed share of the period, per metric-bound key result
_PACE = {"weekly-active-admins": 0.7, "connector-sync-failures-weekly": 1.0, "dashboards-shared-weekly": 0.4}


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Bind the demo key results to their metrics, write the events behind them and check them in."""
    existing = {m.key for m in analytics.list_metrics(session, actor)}
    by_title = {
        kr.title: kr
        for kr in session.scalars(select(KeyResult).where(KeyResult.workspace_id == actor.workspace_id))
    }
    bound: list[tuple[KeyResult, str, str, str]] = []
    for key, name, event, math, window, title in DEMO_METRICS:
        kr = by_title.get(title)
        if kr is None:
            continue
        if key not in existing:
            spec = {"key": key, "name": name, "event": event, "math": math, "window_days": window}
            analytics.create_metric(session, actor, MetricCreate.model_validate(spec))
        service.bind_metric(session, actor, kr.id, key)
        bound.append((kr, key, event, math))
    settings = getattr(context, "settings", None)
    if settings is None or not bound:
        return
    today = context.company.as_of.date()
    objectives = {o.key: o for o in context.company.objectives}
    period_of = {context.objective_ids[k]: (o.starts_on, o.ends_on) for k, o in objectives.items()}
    _write_events(settings, actor.workspace_id, bound, period_of, today)
    for objective_id in sorted({kr.objective_id for kr, *_ in bound}):
        service.update_from_metrics(session, actor, settings, objective_id, today=today)
    from northstar.analytics import runtime

    runtime.store_registry(settings).close()  # the server opens the store next; DuckDB allows one process


def _write_events(
    settings: Any,
    workspace_id: int,
    bound: list[tuple[KeyResult, str, str, str]],
    period_of: dict[int, tuple[dt.date, dt.date]],
    today: dt.date,
) -> None:
    from northstar.analytics import runtime
    from northstar.analytics.store.records import EventRecord

    store = runtime.store_registry(settings).get(str(workspace_id))
    rand = random.Random(2026)
    records: list[EventRecord] = []
    for kr, key, event, math in bound:
        seen = store.connection.execute("SELECT count(*) FROM events WHERE event = ?", [event]).fetchone()
        if seen and seen[0]:
            continue  # the analytics demo (or an earlier seeding) wrote these events already
        starts_on, ends_on = period_of[kr.objective_id]
        period = pace.Period("", starts_on, ends_on)
        day = starts_on
        while day <= today:
            share = min(1.0, max(0.0, _PACE[key] * period.elapsed_share(day) + rand.uniform(-0.02, 0.02)))
            level = kr.baseline + share * (kr.target - kr.baseline)
            if (
                math == "wau"
            ):  # the first ``level`` people are active every other day: each counts once a week
                offset = (day - starts_on).days
                people = [f"admin-{n:04d}" for n in range(round(level)) if (n + offset) % 2 == 0]
            else:  # a weekly total spread over the days
                people = [
                    f"{event}-{day.isoformat()}-{n}" for n in range(round(level / 7 + rand.uniform(-1, 1)))
                ]
            for who in people:
                moment = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=rand.randrange(600))
                records.append(EventRecord(event=event, distinct_id=who, timestamp=moment))
            day += dt.timedelta(days=1)
    if records:
        store.append(records)

"""Demo analytics for the demo company (called by ``northstar demo``): twelve weeks of product events from the
customers' users, saved insights, a "Product health" dashboard holding them, and metrics key results can be bound to.

The events follow the product's story: accounts sign up more often week by week, new users connect a data source,
create a first report and share it (fewer at each step), activated users come back week after week and the others
fade, weekends are quiet, and the current week is still running (the charts mark it). Everything is created
through the analytics service, so it is audited like a person's work. The metric keys are stable: key results are
bound to them by name (see ``METRIC_KEYS``).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from northstar.analytics import dashboards, runtime, service
from northstar.analytics.schemas import DashboardCreate, MetricCreate, SavedInsightCreate
from northstar.analytics.store import EventRecord, EventStore
from northstar.analytics.store.records import to_naive_utc
from northstar.analytics.store.schema import TABLES
from northstar.core.permissions import Actor
from northstar.core.settings import Settings

WEEKS = 12
DASHBOARD = "Product health"
#: metrics the demo defines: key → (name, kind, event, math, window days, conversion event)
METRICS: dict[str, tuple[str, str, str, str, int, str | None]] = {
    "weekly_active_accounts": (
        "Weekly active accounts",
        "north_star",
        "dashboard_viewed",
        "unique_accounts",
        7,
        None,
    ),
    "weekly_active_users": ("Weekly active users", "engagement", "dashboard_viewed", "wau", 7, None),
    "activation_rate": (
        "Activation rate (sign-up to first report)",
        "activation",
        "signed_up",
        "conversion",
        30,
        "report_created",
    ),
    "report_exports": ("Report exports (30 days)", "engagement", "report_exported", "total", 30, None),
}
METRIC_KEYS = tuple(METRICS)
INSIGHTS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "Weekly active users",
        {
            "kind": "trends",
            "event": "dashboard_viewed",
            "math": "unique_users",
            "interval": "week",
            "last_days": 84,
        },
    ),
    (
        "Activation funnel",
        {
            "kind": "funnel",
            "steps": ["signed_up", "data_source_connected", "report_created", "report_shared"],
            "window_days": 14,
            "last_days": 84,
        },
    ),
    (
        "Weekly retention of new users",
        {
            "kind": "retention",
            "start_event": "signed_up",
            "return_event": "dashboard_viewed",
            "period": "week",
            "intervals": 8,
        },
    ),
    (
        "Report exports per week",
        {"kind": "trends", "event": "report_exported", "math": "total", "interval": "week", "last_days": 84},
    ),
)
DASHBOARD_NAMES = (
    "Revenue overview",
    "Pipeline health",
    "Support backlog",
    "Usage by team",
    "Executive summary",
)
EXPORT_FORMATS = ("pdf", "csv", "xlsx")
NEW_USERS_PER_WEEK = {"enterprise": 0.55, "mid_market": 0.3, "smb": 0.12, "startup": 0.2}
PLAN_ACTIVITY = {"enterprise": 0.42, "business": 0.36, "growth": 0.3, "starter": 0.22}


class _Events:
    """Collects the demo's events for one store append."""

    def __init__(self, rng: np.random.Generator, until: datetime) -> None:
        self.rng = rng
        self.until = until
        self.records: list[EventRecord] = []
        self.prefix = int(rng.integers(0, 2**63)) << 64  # uuids unique per seeding, stable per seed

    def add(self, event: str, who: str, when: datetime, account: str, plan: str, **extra: Any) -> None:
        if when >= self.until:
            return
        properties = {"$groups": {"company": account}, "plan": plan, **extra}
        self.records.append(
            EventRecord(
                event=event,
                distinct_id=who,
                timestamp=when,
                uuid=str(uuid.UUID(int=self.prefix | len(self.records))),
                properties=properties,
            )
        )

    def day_at(self, day: datetime) -> datetime:
        """A moment in the working hours of ``day``."""
        return day + timedelta(hours=float(self.rng.uniform(7, 19)))


def _user_days(
    events: _Events, who: str, account: str, plan: str, first: datetime, activated: bool | None, days: int
) -> None:
    """Daily use from ``first`` for ``days`` days; ``activated`` None for users who were there before."""
    rng = events.rng
    base = PLAN_ACTIVITY.get(plan, 0.25)
    for offset in range(days):
        day = (first + timedelta(days=offset)).replace(hour=0, minute=0, second=0, microsecond=0)
        if activated is None:
            chance = base
        elif activated:
            chance = base * (0.6 + 0.9 * math.exp(-offset / 6))
        else:
            chance = 0.35 * math.exp(-offset / 5)
        if day.weekday() >= 5:
            chance *= 0.2
        if rng.random() >= chance:
            continue
        moment = events.day_at(day)
        for _ in range(1 + int(rng.poisson(1.5))):
            events.add(
                "dashboard_viewed", who, moment, account, plan, dashboard=str(rng.choice(DASHBOARD_NAMES))
            )
            moment += timedelta(minutes=float(rng.uniform(1, 40)))
        for _ in range(int(rng.poisson(0.8))):
            events.add("report_viewed", who, moment, account, plan)
        if activated is not False and rng.random() < 0.25:
            events.add("report_created", who, moment + timedelta(minutes=5), account, plan)
        if activated is not False and rng.random() < 0.22:
            events.add(
                "report_exported",
                who,
                moment + timedelta(minutes=9),
                account,
                plan,
                format=str(rng.choice(EXPORT_FORMATS)),
            )


def _new_user(
    events: _Events, who: str, account: str, plan: str, signed_up: datetime, until: datetime
) -> None:
    """A sign-up and the activation steps that follow (or not), then the user's days."""
    rng = events.rng
    events.add("signed_up", who, signed_up, account, plan)
    activated = False
    moment = signed_up
    if rng.random() < 0.72:
        moment += timedelta(hours=float(rng.exponential(20)))
        events.add("data_source_connected", who, moment, account, plan)
        if rng.random() < 0.68:
            moment += timedelta(hours=float(rng.exponential(30)))
            events.add("report_created", who, moment, account, plan)
            activated = True
            if rng.random() < 0.5:
                events.add(
                    "report_shared", who, moment + timedelta(hours=float(rng.exponential(40))), account, plan
                )
    days = max(0, (until - signed_up).days)
    _user_days(events, who, account, plan, signed_up + timedelta(days=1), activated, days)


def generate_events(company: Any, seed: int = 11) -> list[EventRecord]:
    """The demo's events: ``WEEKS`` weeks up to the company's ``as_of`` (naive UTC), deterministic per seed."""
    rng = np.random.default_rng(seed)
    until = to_naive_utc(company.as_of)
    start = (until - timedelta(weeks=WEEKS)).replace(hour=0, minute=0, second=0, microsecond=0)
    events = _Events(rng, until)
    for customer in company.customers:
        account, plan = customer.external_id, customer.plan
        churned = customer.lifecycle_stage == "churned"
        active_days = (until - start).days + 1
        if churned:
            active_days = int(rng.integers(7, active_days // 2))
        since = datetime(
            customer.customer_since.year, customer.customer_since.month, customer.customer_since.day
        )
        for index, contact in enumerate(customer.contacts):
            if since >= start:  # the account signed up inside the window: its people are new users
                joined = since + timedelta(
                    days=index * float(rng.uniform(0, 4)), hours=float(rng.uniform(8, 18))
                )
                _new_user(events, contact.email, account, plan, joined, until)
            else:
                _user_days(events, contact.email, account, plan, start, None, active_days)
        if churned:
            continue
        # teammates invited during the window, more of them as the weeks go by
        rate = NEW_USERS_PER_WEEK.get(customer.segment, 0.15)
        for week in range(WEEKS + 1):
            growth = 0.7 + 0.6 * week / WEEKS
            for n in range(int(rng.poisson(rate * growth))):
                joined = start + timedelta(weeks=week, days=float(rng.uniform(0, 7)))
                if joined >= until:
                    continue
                who = f"user-{week}-{n}@{customer.domain}"
                inviter = customer.contacts[0].email if customer.contacts else who
                events.add("invite_sent", inviter, joined - timedelta(hours=2), account, plan)
                _new_user(events, who, account, plan, joined, until)
    events.records.sort(key=lambda record: record.timestamp)
    return events.records


def _store_events(settings: Settings, workspace_id: int, company: Any, customer_ids: dict[str, int]) -> int:
    """Replace the demo workspace's events with freshly generated ones (a re-seed may reuse the workspace id) and
    tie each account's group to its customer, so usage joins to ARR and feedback."""
    store: EventStore = runtime.store_registry(settings).get(str(workspace_id))
    for table in TABLES:
        store.connection.execute(f"DELETE FROM {table}")
    records = generate_events(company)
    store.append(records)
    seen = to_naive_utc(company.as_of)
    store.connection.execute("BEGIN TRANSACTION")  # one commit for the 300 accounts, not one each
    for customer in company.customers:
        store.upsert_group(
            "company", customer.external_id, {"name": customer.name, "plan": customer.plan}, seen
        )
        store.link_group_to_customer("company", customer.external_id, customer_ids.get(customer.external_id))
    store.connection.execute("COMMIT")
    return len(records)


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Events (when the context names the settings, i.e. where the event stores live), saved insights, the
    dashboard and the metrics."""
    settings = getattr(context, "settings", None)
    company = getattr(context, "company", None)
    if settings is not None and company is not None:
        _store_events(settings, actor.workspace_id, company, getattr(context, "customer_ids", {}))
    for key, (name, kind, event, math_name, window, conversion) in METRICS.items():
        service.create_metric(
            session,
            actor,
            MetricCreate.model_validate(
                {
                    "key": key,
                    "name": name,
                    "kind": kind,
                    "event": event,
                    "math": math_name,
                    "window_days": window,
                    "conversion_event": conversion,
                }
            ),
        )
    board = dashboards.create_dashboard(
        session,
        actor,
        DashboardCreate(
            name=DASHBOARD,
            description="Are accounts using the product, getting to a first report and coming back?",
        ),
    )
    for name, query in INSIGHTS:
        insight = service.save_insight(
            session, actor, SavedInsightCreate.model_validate({"name": name, "query": query})
        )
        dashboards.add_insight(session, actor, board.id, insight.id)

"""Tables of the analytics module (the events themselves live in DuckDB, see ``store/``).

* ``analytics_keys``: a workspace's PostHog project key and Segment write key (what the SDKs send).
* ``analytics_metrics``: metric definitions (North Star, activation, ...); a key result whose ``metric`` equals a
  metric's ``key`` takes its progress from the data.
* ``analytics_saved_insights``: insights saved with their query, shown as pages and exported as CSV.
* ``analytics_dashboards``: named boards of saved insights; ``analytics_dashboard_insights``: which insight sits
  on which board, in which place.
* ``analytics_idea_events``: the event that shows a shipped idea being used (feature adoption).
* ``analytics_alerts``: anomalies found on metric series (see ``alerts.py``), acknowledged by people;
  ``analytics_alert_checks``: when the series were last evaluated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin

METRIC_KINDS = ("north_star", "activation", "retention", "engagement", "revenue", "custom")
METRIC_MATHS = ("total", "unique_users", "unique_accounts", "dau", "wau", "mau", "sum", "avg", "conversion")
INSIGHT_KINDS = ("trends", "funnel", "retention", "stickiness", "lifecycle")


class AnalyticsKeys(IdMixin, TimestampMixin, Base):
    __tablename__ = "analytics_keys"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, unique=True
    )
    project_key: Mapped[str] = mapped_column(String(64), unique=True)
    write_key: Mapped[str] = mapped_column(String(64), unique=True)


class Metric(IdMixin, TimestampMixin, Base):
    __tablename__ = "analytics_metrics"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_analytics_metrics_key"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="custom")
    event: Mapped[str] = mapped_column(String(400))
    math: Mapped[str] = mapped_column(String(32), default="total")
    math_property: Mapped[str | None] = mapped_column(String(200), nullable=True)
    window_days: Mapped[int] = mapped_column(default=30)
    #: for ``math == "conversion"``: the event that counts as converted (``event`` is the starting one)
    conversion_event: Mapped[str | None] = mapped_column(String(400), nullable=True)


class SavedInsight(IdMixin, TimestampMixin, Base):
    __tablename__ = "analytics_saved_insights"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Dashboard(IdMixin, TimestampMixin, Base):
    """A named board of saved insights, read together (e.g. "Product health")."""

    __tablename__ = "analytics_dashboards"
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_analytics_dashboards_name"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")


class DashboardInsight(IdMixin, TimestampMixin, Base):
    """One saved insight on one dashboard, at ``position`` (0 first)."""

    __tablename__ = "analytics_dashboard_insights"
    __table_args__ = (
        UniqueConstraint("dashboard_id", "insight_id", name="uq_analytics_dashboard_insights_pair"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    dashboard_id: Mapped[int] = mapped_column(
        ForeignKey("analytics_dashboards.id", ondelete="CASCADE"), index=True
    )
    insight_id: Mapped[int] = mapped_column(
        ForeignKey("analytics_saved_insights.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)


class IdeaEvent(IdMixin, TimestampMixin, Base):
    __tablename__ = "analytics_idea_events"
    __table_args__ = (UniqueConstraint("workspace_id", "idea_id", name="uq_analytics_idea_events_idea"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(400))
    shipped_on: Mapped[date | None] = mapped_column(nullable=True)


ALERT_DIRECTIONS = ("spike", "drop")
ALERT_SEVERITIES = ("warning", "critical")


class AnomalyAlert(IdMixin, TimestampMixin, Base):
    """A day on which a metric (or a saved daily trend) left the band its weekly model expected.

    ``series_key`` names the series (``metric:<key>`` or ``insight:<id>``); one alert per series and day, updated
    when the day is evaluated again (an acknowledgement is kept).
    """

    __tablename__ = "analytics_alerts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "series_key", "day", name="uq_analytics_alerts_series_day"),
        Index("ix_analytics_alerts_open", "workspace_id", "acknowledged", "day"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    series_key: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(300))
    metric_id: Mapped[int | None] = mapped_column(
        ForeignKey("analytics_metrics.id", ondelete="CASCADE"), nullable=True, index=True
    )
    insight_id: Mapped[int | None] = mapped_column(
        ForeignKey("analytics_saved_insights.id", ondelete="CASCADE"), nullable=True, index=True
    )
    day: Mapped[date]
    observed: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(16))
    acknowledged: Mapped[bool] = mapped_column(default=False)
    acknowledged_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AlertCheck(IdMixin, TimestampMixin, Base):
    """One evaluation of the workspace's series: through which day, how many series, how many anomalies."""

    __tablename__ = "analytics_alert_checks"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    through_day: Mapped[date]
    series: Mapped[int] = mapped_column(default=0)
    anomalies: Mapped[int] = mapped_column(default=0)
    notes: Mapped[list[Any]] = mapped_column(default=list)

"""How the analytics pages read: the insight builder's form (one type's fields, errors next to them) and insight
results as tables a person reads (percentages, durations, thousands separators, incomplete periods marked).

Page helpers only: the numbers come from :mod:`insights` unchanged, and the CSV export keeps the raw columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from northstar.analytics.schemas import (
    FunnelSpec,
    InsightResult,
    LifecycleSpec,
    RetentionSpec,
    StickinessSpec,
    TrendsSpec,
)
from northstar.web.forms import field_messages
from northstar.web.templating import enum_label, number, percent

SPEC_MODELS: dict[str, type[BaseModel]] = {
    "trends": TrendsSpec,
    "funnel": FunnelSpec,
    "retention": RetentionSpec,
    "stickiness": StickinessSpec,
    "lifecycle": LifecycleSpec,
}
KINDS: list[tuple[str, str]] = [
    ("trends", "Trends"),
    ("funnel", "Funnel"),
    ("retention", "Retention"),
    ("stickiness", "Stickiness"),
    ("lifecycle", "Lifecycle"),
]
KIND_HELP = {
    "trends": "How often an event happens, or how many people do it, over time.",
    "funnel": "How many people go through steps in order, and where they drop off.",
    "retention": "Of the people who started in a period, how many came back in the periods after.",
    "stickiness": "How many days of the range people did the event: a few loyal users or many casual ones.",
    "lifecycle": "New, returning, resurrecting and dormant users per period.",
}
TRENDS_MATHS: list[tuple[str, str]] = [
    ("total", "Total events"),
    ("unique_users", "Unique users"),
    ("dau", "Daily active users"),
    ("wau", "Weekly active users (rolling 7 days)"),
    ("mau", "Monthly active users (rolling 30 days)"),
    ("sum", "Sum of a property"),
    ("avg", "Average of a property"),
    ("median", "Median of a property"),
    ("p90", "90th percentile of a property"),
    ("min", "Minimum of a property"),
    ("max", "Maximum of a property"),
]
INTERVALS = [("day", "Day"), ("week", "Week"), ("month", "Month"), ("hour", "Hour")]
PERIODS = [("week", "Week"), ("day", "Day"), ("month", "Month")]
FUNNEL_MODES = [
    ("ordered", "In order (other events may come between)"),
    ("strict", "Strictly in order (nothing between)"),
    ("unordered", "In any order"),
]
RETENTION_TYPES = [("recurring", "Came back in the period"), ("first_time", "First time in the period")]
LIST_FIELDS = ("steps", "exclusions")
MIN_STEP_INPUTS = 3
METRIC_MATHS: list[tuple[str, str]] = [
    ("total", "Total events"),
    ("unique_users", "Unique users"),
    ("unique_accounts", "Unique customer accounts"),
    ("dau", "Daily active users (last day)"),
    ("wau", "Weekly active users (last day)"),
    ("mau", "Monthly active users (last day)"),
    ("sum", "Sum of a property"),
    ("avg", "Average of a property per day"),
    ("conversion", "Conversion rate to a second event"),
]
METRIC_KINDS = [
    ("north_star", "North Star"),
    ("activation", "Activation"),
    ("retention", "Retention"),
    ("engagement", "Engagement"),
    ("revenue", "Revenue"),
    ("custom", "Custom"),
]


@dataclass
class BuilderForm:
    """What the insight builder shows: the chosen type, the typed values (lists as lists) and the errors."""

    kind: str
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def step_inputs(self) -> list[str]:
        """The funnel's step fields: those typed, then empty ones up to three and one more to add a step."""
        steps = [s for s in self.values.get("steps", []) if s]
        return steps + [""] * max(MIN_STEP_INPUTS - len(steps), 1)


def _listed(raw: list[str]) -> list[str]:
    """A list field from repeated inputs or one comma-separated value (older links)."""
    items: list[str] = []
    for value in raw:
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def builder_form(params: list[tuple[str, str]]) -> BuilderForm:
    """The builder's state from the query string (repeated ``steps`` keep their order)."""
    values: dict[str, Any] = {}
    lists: dict[str, list[str]] = {name: [] for name in LIST_FIELDS}
    for name, value in params:
        if name in lists:
            lists[name].append(value)
        elif name not in {"csrf_token", "action"}:
            values[name] = value.strip()
    values.update({name: _listed(raw) for name, raw in lists.items()})
    kind = values.get("kind") or "trends"
    if kind not in SPEC_MODELS:
        kind = "trends"
    values["kind"] = kind
    return BuilderForm(kind, values)


def spec_of(form: BuilderForm) -> Any:
    """The insight spec of the chosen type from the form, or ``None`` with ``form.errors`` filled in."""
    model = SPEC_MODELS[form.kind]
    names = set(model.model_fields)
    data: dict[str, Any] = {
        k: v for k, v in form.values.items() if k in names and v not in ("", None, []) and k != "compare"
    }
    if "compare" in names:
        data["compare"] = form.values.get("compare") in {"on", "true", "1"}
    if form.kind == "funnel" and len(form.values.get("steps", [])) < 2:
        form.errors["steps"] = "pick at least two steps, in the order people take them"
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        from northstar.core.errors import FieldError, ValidationFailed

        failure = ValidationFailed(
            "invalid insight",
            [FieldError(".".join(map(str, e["loc"])) or "form", e["msg"]) for e in exc.errors()],
        )
        for name, message in field_messages(failure).items():
            form.errors.setdefault(name, _friendly(name, message))
        return None
    return None if form.errors else spec


def _friendly(name: str, message: str) -> str:
    if message == "cannot be empty" and name.endswith("event"):
        return "choose an event from the list"
    return message


def place_service_error(message: str) -> tuple[str, str]:
    """The field a service's refusal is about (``form`` when it names none) and the message."""
    lowered = message.lower()
    for needle, name in (
        ("property", "math_property"),
        ("date_from", "date_from"),
        ("interval", "interval"),
        ("step", "steps"),
    ):
        if needle in lowered:
            return name, message.replace("date_from", "the start date").replace("date_to", "the end date")
    return "form", message


# --- reading results --------------------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    """Seconds as a person reads a time: 45 s, 12 min, 3 h 20 min, 2 d 5 h; "—" when there is none."""
    if seconds is None:
        return "—"
    total = round(float(seconds))
    if total < 60:
        return f"{total} s"
    minutes = total // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days:,} d {hours} h" if hours else f"{days:,} d"


def period_label(value: str, interval: str) -> str:
    """An interval start as the period it names: "Mon 2026-12-07", "week of 2026-11-30", "November 2026"."""
    moment = dt.datetime.fromisoformat(value)
    if interval == "hour":
        return moment.strftime("%Y-%m-%d %H:00")
    if interval == "week":
        return "week of " + moment.strftime("%Y-%m-%d")
    if interval == "month":
        return moment.strftime("%B %Y")
    return moment.strftime("%a %Y-%m-%d")


def _value(value: float, math: str) -> str:
    if math in {"avg", "median", "p90", "min", "max"} and abs(value) < 1000:
        return number(value, digits=2)
    return number(value)


@dataclass
class DisplayTable:
    """Headers and rows of text for a result table; ``numeric`` says which columns align right;
    ``incomplete`` the rows of a partial period."""

    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    incomplete: set[int] = field(default_factory=set)
    note: str = ""


INCOMPLETE_NOTE = (
    "Periods marked “in progress” are not over yet (or the date range cuts them): their counts are partial, so "
    "the chart draws them dashed."
)


def display_table(result: InsightResult, query: dict[str, Any]) -> DisplayTable:
    """The result as a person reads it (the CSV export keeps the raw numbers)."""
    if result.kind == "trends":
        return _trends_table(result, query)
    if result.kind == "funnel":
        return _funnel_table(result)
    if result.kind == "retention":
        return _retention_table(result, query)
    if result.kind == "stickiness":
        rows = [[f"{int(days)} day{'s' if int(days) != 1 else ''}", number(n)] for days, n in result.rows]
        return DisplayTable(["Days active in the range", "Persons"], rows, {1})
    return _lifecycle_table(result, query)


def _trends_table(result: InsightResult, query: dict[str, Any]) -> DisplayTable:
    interval, math = str(query.get("interval") or "day"), str(query.get("math") or "total")
    compare = bool(query.get("compare"))
    several = len({s["label"] for s in result.data["series"]}) > 1
    headers = (["Series"] if several else []) + (["Period"] if compare else []) + ["Date", "Value", ""]
    table = DisplayTable(headers, [], {len(headers) - 2})
    for series in result.data["series"]:
        for point in series["points"]:
            row = [str(series["label"])] if several else []
            if compare:
                row.append("this period" if series["compare"] == "current" else "previous period")
            row += [period_label(point["date"], interval), _value(point["value"], math)]
            row.append("" if point["complete"] else "in progress")
            if not point["complete"]:
                table.incomplete.add(len(table.rows))
            table.rows.append(row)
    if table.incomplete:
        table.note = INCOMPLETE_NOTE
    return table


def _funnel_table(result: InsightResult) -> DisplayTable:
    several = len(result.data["series"]) > 1
    headers = (["Breakdown"] if several else []) + [
        "Step",
        "Persons",
        "Converted from step 1",
        "Average time from the step before",
        "Median time",
        "Dropped off after",
    ]
    offset = 1 if several else 0
    table = DisplayTable(headers, [], {offset + 1, offset + 2, offset + 3, offset + 4, offset + 5})
    for series in result.data["series"]:
        for index, step in enumerate(series["steps"]):
            row = [str(series["breakdown"])] if several else []
            row += [
                f"{index + 1}. {step['name']}",
                number(step["count"]),
                percent(step["conversion_rate"], digits=1),
                duration(step["average_seconds"]) if index else "—",
                duration(step["median_seconds"]) if index else "—",
                number(step["dropped_off"]) if index < len(series["steps"]) - 1 else "—",
            ]
            table.rows.append(row)
    return table


def _retention_table(result: InsightResult, query: dict[str, Any]) -> DisplayTable:
    period = str(query.get("period") or "week")
    cohorts = result.data["cohorts"]
    width = max((len(c["values"]) for c in cohorts), default=0)
    headers = ["Cohort", "People"] + [f"{period.capitalize()} {k}" for k in range(1, width)]
    table = DisplayTable(headers, [], set(range(1, width + 1)))
    for cohort in cohorts:
        values = cohort["values"]
        size = values[0] if values else 0
        cells = [percent(v / size if size else 0.0) for v in values[1:]]
        start = period_label(cohort["start"] + "T00:00:00", period)
        table.rows.append([start, number(size), *cells, *([""] * (width - len(values)))])
    return table


def _lifecycle_table(result: InsightResult, query: dict[str, Any]) -> DisplayTable:
    interval = str(query.get("interval") or "day")
    statuses = [name for name in ("new", "returning", "resurrecting", "dormant") if name in result.data]
    dates = [p["date"] for p in result.data[statuses[0]]] if statuses else []
    table = DisplayTable(
        ["Period", *[enum_label(s) for s in statuses], ""], [], set(range(1, len(statuses) + 1))
    )
    for index, date in enumerate(dates):
        complete = all(result.data[s][index]["complete"] for s in statuses)
        row = [period_label(date, interval)]
        row += [number(result.data[s][index]["persons"]) for s in statuses]
        row.append("" if complete else "in progress")
        if not complete:
            table.incomplete.add(index)
        table.rows.append(row)
    if table.incomplete:
        table.note = INCOMPLETE_NOTE
    return table


def describe_query(kind: str, query: dict[str, Any]) -> str:
    """One line saying what a saved insight computes: "Weekly active users of report_viewed, by day"."""
    maths = dict(TRENDS_MATHS)
    if kind == "trends":
        return (
            f"{maths.get(str(query.get('math') or 'total'), 'Total events')} of {query.get('event')}, by "
            + str(query.get("interval") or "day")
        )
    if kind == "funnel":
        return (
            " → ".join(str(s) for s in query.get("steps", []))
            + f", within {number(query.get('window_days', 14))} days"
        )
    if kind == "retention":
        return f"{query.get('start_event')}, then {query.get('return_event')}, by {query.get('period') or 'week'}"
    return f"{enum_label(kind)} of {query.get('event')}"


def builder_link(kind: str, query: dict[str, Any]) -> str:
    """The builder's address with a saved insight's query filled in (to change it and save a new one)."""
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = [("kind", kind)]
    for name, value in query.items():
        if name == "kind" or value in (None, "", [], False):
            continue
        if isinstance(value, list):
            pairs.extend((name, str(item)) for item in value)
        elif value is True:
            pairs.append((name, "on"))
        else:
            pairs.append((name, str(value)))
    return "/analytics?" + urlencode(pairs)

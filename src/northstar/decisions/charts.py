"""Charts of the decision pages (Altair → inline SVG): roadmap with confidence bands, team load, capacity use."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from northstar.core.charts import render_svg


def _week(start: date, week: float) -> str:
    return (start + timedelta(days=round(week * 7))).isoformat()


def roadmap_chart(
    plan_schedule: dict[str, Any], plan_forecast: dict[str, Any] | None, titles: dict[str, str]
) -> Markup:
    """A Gantt of the scheduled ideas; with a forecast, a light band from P50 to P95 after each bar and a P85 tick."""
    import altair as alt

    start = date.fromisoformat(plan_forecast["start_date"]) if plan_forecast else date.today()
    bands = {item["id"]: item["percentiles"] for item in (plan_forecast or {}).get("items", [])}
    rows, band_rows = [], []
    for item in sorted(plan_schedule.get("items", []), key=lambda x: (x["start"], x["id"])):
        label = titles.get(item["id"], item["id"])[:48]
        team = plan_schedule.get("team_names", {}).get(plan_schedule.get("teams", {}).get(item["id"], ""), "")
        rows.append(
            {
                "idea": label,
                "start": _week(start, item["start"]),
                "end": _week(start, item["end"]),
                "team": team,
            }
        )
        if item["id"] in bands:
            p = bands[item["id"]]
            band_rows.append(
                {
                    "idea": label,
                    "P50": _week(start, p["P50"]),
                    "P85": _week(start, p["P85"]),
                    "P95": _week(start, p["P95"]),
                }
            )
    order = [row["idea"] for row in rows]
    height = max(120, 16 * len(rows))
    y = alt.Y("idea:N", sort=order, title=None)
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(height=10)
        .encode(
            x=alt.X("start:T", title="planned weeks"),
            x2="end:T",
            y=y,
            color=alt.Color("team:N", title="team"),
            tooltip=["idea:N", "start:T", "end:T"],
        )
    )
    layers: list[Any] = [bars]
    if band_rows:
        band = (
            alt.Chart(alt.Data(values=band_rows))
            .mark_bar(height=4, opacity=0.35, color="#555")
            .encode(x="P50:T", x2="P95:T", y=y)
        )
        tick = (
            alt.Chart(alt.Data(values=band_rows))
            .mark_tick(color="#b00", thickness=2, size=12)
            .encode(x="P85:T", y=y)
        )
        layers += [band, tick]
    return render_svg(
        alt.layer(*layers).properties(width=640, height=height, title="Roadmap (band: P50–P95, red: P85)")
    )


def load_chart(plan_schedule: dict[str, Any], team_names: dict[str, str]) -> Markup:
    """Per-team load against capacity per week."""
    import altair as alt

    rows = []
    for team, load in plan_schedule.get("load", {}).items():
        capacity = plan_schedule.get("capacity", {}).get(team, [])
        name = team_names.get(team, team)
        for week, used in enumerate(load):
            rows.append({"week": week, "people": used, "team": name, "series": "load"})
            if week < len(capacity):
                rows.append({"week": week, "people": capacity[week], "team": name, "series": "capacity"})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("week:Q", title="week"),
            y=alt.Y("people:Q", title="people"),
            color=alt.Color("team:N"),
            strokeDash=alt.StrokeDash("series:N"),
        )
    )
    return render_svg(chart.properties(width=640, height=200, title="Team load vs capacity"))


def usage_chart(usage: dict[str, list[float]]) -> Markup:
    """Share of budget and of each team's capacity used by the selection."""
    import altair as alt

    rows = [
        {"constraint": name, "used %": round(100 * used / limit, 1) if limit else 0.0}
        for name, (used, limit) in usage.items()
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(y=alt.Y("constraint:N", title=None), x=alt.X("used %:Q", scale=alt.Scale(domain=[0, 100])))
    )
    return render_svg(
        chart.properties(width=480, height=max(60, 22 * len(rows)), title="Budget and capacity used")
    )

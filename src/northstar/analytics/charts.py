"""Charts of insight results: lines for trends, bars for funnels, a heat map for retention (offline SVG).

A period that is not whole (still running, or cut by the date range) is drawn with a dashed line, so a
half-counted week never reads as a collapse of demand.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from northstar.analytics.schemas import InsightResult
from northstar.core.charts import bar_chart, render_svg


def insight_chart(result: InsightResult, width: int = 640) -> Markup | None:
    """The chart that suits the insight, or ``None`` when there is nothing to draw."""
    if not result.rows:
        return None
    if result.kind == "trends":
        compare = any(s["compare"] == "previous" for s in result.data["series"])
        series = {
            (f"{s['label']} ({'previous period' if s['compare'] == 'previous' else 'this period'})")
            if compare
            else str(s["label"]): [(p["date"], p["value"], p["complete"]) for p in s["points"]]
            for s in result.data["series"]
        }
        return partial_line_chart(series, "value", width=width)
    if result.kind == "funnel":
        bars = [
            {"step": f"{i + 1}. {step['name']}", "persons": step["count"], "series": s["breakdown"]}
            for s in result.data["series"]
            for i, step in enumerate(s["steps"])
        ]
        return bar_chart(bars, "step", "persons", color="series", width=width)
    if result.kind == "retention":
        return retention_heat_map(result, width)
    if result.kind == "stickiness":
        return bar_chart(
            [{"days": str(r[0]), "persons": r[1]} for r in result.rows], "days", "persons", width=width
        )
    lines = {
        status.capitalize(): [(p["date"], p["persons"], p["complete"]) for p in points]
        for status, points in result.data.items()
    }
    return partial_line_chart(lines, "persons", width=width)


def partial_line_chart(series: dict[str, list[tuple[str, float, bool]]], y: str, width: int = 640) -> Markup:
    """Lines per series over time: solid through whole periods, dashed into periods that are not whole."""
    import altair as alt

    whole: list[dict[str, Any]] = []
    partial: list[dict[str, Any]] = []
    for name, points in series.items():
        rows = [{"date": date, y: value, "series": name} for date, value, _complete in points]
        run = 0
        for index, (_date, _value, complete) in enumerate(points):
            if complete:
                whole.append(rows[index])
                continue
            # a run of partial periods, joined by dashes to the whole periods on either side
            starts_run = index == 0 or points[index - 1][2]
            if starts_run:
                run += 1
                if index > 0:
                    partial.append({**rows[index - 1], "segment": f"{name}-{run}"})
            partial.append({**rows[index], "segment": f"{name}-{run}"})
            if index + 1 < len(points) and points[index + 1][2]:
                partial.append({**rows[index + 1], "segment": f"{name}-{run}"})
    encode = {
        "x": alt.X("date:T", title=None),
        "y": alt.Y(f"{y}:Q", title=y.replace("_", " ")),
        "color": alt.Color("series:N", title=None),
        "tooltip": [alt.Tooltip("date:T"), alt.Tooltip(f"{y}:Q", format=",.4~f"), "series:N"],
    }
    layers = [alt.Chart(alt.Data(values=whole)).mark_line(point=True).encode(**encode)]
    if partial:
        layers.append(
            alt.Chart(alt.Data(values=partial))
            .mark_line(strokeDash=[5, 4], point=alt.OverlayMarkDef(filled=False))
            .encode(**encode, detail="segment:N")
        )
    return render_svg(alt.layer(*layers).properties(width=width, height=240))


def retention_heat_map(result: InsightResult, width: int = 640) -> Markup:
    """Cohorts down, periods across, each cell the share of the cohort that came back."""
    import altair as alt

    cells = []
    for cohort in result.data["cohorts"]:
        size = cohort["values"][0] if cohort["values"] else 0
        for k, value in enumerate(cohort["values"]):
            share = value / size if size else 0.0
            cells.append({"cohort": cohort["start"], "period": k, "share": round(share, 4), "persons": value})
    base = alt.Chart(alt.Data(values=cells)).encode(
        x=alt.X("period:O", title="periods later"), y=alt.Y("cohort:O", title=None)
    )
    heat = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="retained"),
        tooltip=["cohort:O", "period:O", "persons:Q", alt.Tooltip("share:Q", format=".0%")],
    )
    text = base.mark_text(fontSize=10).encode(text=alt.Text("share:Q", format=".0%"))
    return render_svg(
        (heat + text).properties(width=width, height=max(120, 22 * len(result.data["cohorts"])))
    )

"""Charts of insight results: lines for trends, bars for funnels, a heat map for retention (offline SVG)."""

from __future__ import annotations

from markupsafe import Markup

from northstar.analytics.schemas import InsightResult
from northstar.core.charts import bar_chart, line_chart, render_svg


def insight_chart(result: InsightResult) -> Markup | None:
    """The chart that suits the insight, or ``None`` when there is nothing to draw."""
    if not result.rows:
        return None
    if result.kind == "trends":
        points = [
            {"date": p["date"], "value": p["value"], "series": f"{s['label']} ({s['compare']})"}
            for s in result.data["series"]
            for p in s["points"]
        ]
        return line_chart(points, "date", "value", color="series", width=640)
    if result.kind == "funnel":
        bars = [
            {"step": f"{i + 1}. {step['name']}", "persons": step["count"], "series": s["breakdown"]}
            for s in result.data["series"]
            for i, step in enumerate(s["steps"])
        ]
        return bar_chart(bars, "step", "persons", color="series", width=640)
    if result.kind == "retention":
        return retention_heat_map(result)
    if result.kind == "stickiness":
        return bar_chart(
            [{"days": str(r[0]), "persons": r[1]} for r in result.rows], "days", "persons", width=640
        )
    lines = [{"date": r[1], "persons": r[2], "status": r[0]} for r in result.rows]
    return line_chart(lines, "date", "persons", color="status", width=640)


def retention_heat_map(result: InsightResult) -> Markup:
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
    return render_svg((heat + text).properties(width=640, height=max(120, 22 * len(result.data["cohorts"]))))

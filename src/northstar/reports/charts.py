"""The board report's charts as inline SVG (Vega-Lite through Altair and vl-convert: no browser, no network)."""

from __future__ import annotations

from markupsafe import Markup

from northstar.core.charts import PALETTE, render_svg
from northstar.reports.schemas import BoardData


def roadmap_timeline(data: BoardData) -> Markup | None:
    """One bar per funded idea from its planned start to its 85 %-confidence date, coloured by team."""
    import altair as alt

    rows = [
        {
            "idea": _short(line.title),
            "team": line.team or "no team",
            "start": str(line.starts_on),
            "p85": str(line.p85),
        }
        for line in data.roadmap
        if line.starts_on and line.p85
    ][:25]
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(cornerRadius=2, height=10)
        .encode(
            y=alt.Y("idea:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y", tickCount=6)),
            x2="p85:T",
            color=alt.Color("team:N", title="Team", legend=alt.Legend(orient="bottom")),
        )
        .properties(width=440, height=max(80, 16 * len(rows)))
    )
    return render_svg(chart)


def budget_bars(data: BoardData) -> Markup | None:
    """Plan (tick) against actual (bar) per team for the quarter."""
    import altair as alt

    if data.budget is None or not data.budget.teams:
        return None
    rows = [
        {"team": t.team, "Plan": t.planned_cents / 100, "Actual": t.actual_cents / 100}
        for t in data.budget.teams
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("team:N", title=None, sort=None))
    bars = base.mark_bar(color=PALETTE[0], height=14).encode(
        x=alt.X(
            "Actual:Q",
            title=f"{data.budget.currency}, bars actual, red ticks plan",
            axis=alt.Axis(format="~s"),
        )
    )
    ticks = base.mark_tick(color=PALETTE[3], thickness=3, size=20).encode(x="Plan:Q")
    return render_svg(alt.layer(bars, ticks).properties(width=440, height=28 * len(rows)))


def theme_bars(data: BoardData) -> Markup | None:
    """The top themes by the ARR of the customers who raised them."""
    import altair as alt

    if not data.themes:
        return None
    rows = [{"theme": _short(t.name), "ARR": t.arr} for t in data.themes]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=PALETTE[1], height=14)
        .encode(
            y=alt.Y("theme:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("ARR:Q", title="ARR of the customers asking", axis=alt.Axis(format="$~s")),
        )
        .properties(width=400, height=28 * len(rows))
    )
    return render_svg(chart)


def metric_lines(data: BoardData) -> Markup | None:
    """One small line per product metric over the quarter's month ends."""
    import altair as alt

    rows = [
        {"metric": _short(trend.name, 34), "day": str(day), "value": value}
        for trend in data.metrics
        for day, value in trend.points
    ]
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, color=PALETTE[0])
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%b", tickCount=4)),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        )
        .properties(width=140, height=70)
        .facet(facet=alt.Facet("metric:N", title=None), columns=3)
        .resolve_scale(y="independent")
    )
    return render_svg(chart)


def _short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

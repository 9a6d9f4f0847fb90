"""The report's interval chart: each variant's effect with its interval, against a zero line."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from northstar.core.charts import render_svg
from northstar.experiments.schemas import EffectPoint, MetricResult

VERDICT_COLOURS = {"better": "#18a08b", "worse": "#d2544f", "inconclusive": "#8c9aa6"}


def verdict(low: float | None, high: float | None, inverse: bool) -> str:
    """``better``/``worse`` when the interval excludes 0 (flipped for lower-is-better metrics)."""
    if low is not None and low > 0:
        return "worse" if inverse else "better"
    if high is not None and high < 0:
        return "better" if inverse else "worse"
    return "inconclusive"


def interval_rows(metrics: list[MetricResult], relative: bool) -> list[dict[str, Any]]:
    """One row per (metric, variant) with a computed effect; open interval ends are clipped to the estimate."""
    scale = 100.0 if relative else 1.0
    rows = []
    for metric in metrics:
        for variant in metric.variants:
            if variant.reason or variant.expected is None:
                continue
            low, high = variant.ci
            rows.append(
                {
                    "row": f"{metric.name} · {variant.variation}",
                    "expected": variant.expected * scale,
                    "low": (low if low is not None else variant.expected) * scale,
                    "high": (high if high is not None else variant.expected) * scale,
                    "verdict": verdict(low, high, metric.inverse),
                }
            )
    return rows


def interval_chart(metrics: list[MetricResult], relative: bool, width: int = 560) -> Markup | None:
    """Inline SVG of every variant's effect and interval, or ``None`` when nothing is computed yet."""
    import altair as alt

    rows = interval_rows(metrics, relative)
    if not rows:
        return None
    unit = "lift (%)" if relative else "difference"
    data = alt.Data(values=rows)
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    y = alt.Y("row:N", sort=None, title=None)
    intervals = (
        alt.Chart(data)
        .mark_rule(strokeWidth=3)
        .encode(x=alt.X("low:Q", title=unit), x2="high:Q", y=y, color=colour)
    )
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=80)
        .encode(x="expected:Q", y=y, color=colour, tooltip=["row:N", "expected:Q", "low:Q", "high:Q"])
    )
    zero = (
        alt.Chart(alt.Data(values=[{"zero": 0}]))
        .mark_rule(strokeDash=[4, 4], color="#4a5566")
        .encode(x="zero:Q")
    )
    chart = alt.layer(zero, intervals, points).properties(width=width, height=max(60, 34 * len(rows)))
    return render_svg(chart)


def effect_over_time_chart(points: list[EffectPoint], relative: bool, width: int = 560) -> Markup | None:
    """Each variant's cumulative effect day by day, with its interval as a band, against a zero line."""
    import altair as alt

    scale = 100.0 if relative else 1.0
    rows = [
        {
            "day": p.day,
            "variant": p.variation,
            "effect": p.effect * scale,
            "low": (p.ci_low if p.ci_low is not None else p.effect) * scale,
            "high": (p.ci_high if p.ci_high is not None else p.effect) * scale,
            "people": p.users,
        }
        for p in points
        if p.effect is not None
    ]
    if not rows:
        return None
    data = alt.Data(values=rows)
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0))
    colour = alt.Color("variant:N", legend=alt.Legend(title=None, orient="bottom"))
    band = alt.Chart(data).mark_area(opacity=0.18).encode(x=x, y="low:Q", y2="high:Q", color=colour)
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("effect:Q", title="cumulative lift (%)" if relative else "cumulative difference"),
            color=colour,
            tooltip=[
                alt.Tooltip("day:T", format="%d %b %Y"),
                "variant:N",
                "effect:Q",
                "low:Q",
                "high:Q",
                "people:Q",
            ],
        )
    )
    zero = (
        alt.Chart(alt.Data(values=[{"zero": 0}]))
        .mark_rule(strokeDash=[4, 4], color="#4a5566")
        .encode(y="zero:Q")
    )
    return render_svg(alt.layer(zero, band, line).properties(width=width, height=220))

"""Charts: Vega-Lite specifications built with Altair, rendered to SVG on the server without network."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    import altair as alt

PALETTE = ["#3557d4", "#18a08b", "#e0a526", "#d2544f", "#7d5bd0", "#4c9fd9", "#8c9aa6"]


def theme_config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Northstar's look: quiet axes, system font, one palette."""
    return (
        chart.configure(font="Inter, system-ui, sans-serif")
        .configure_axis(
            labelColor="#4a5566", titleColor="#4a5566", gridColor="#eef1f5", domainColor="#cfd6df"
        )
        .configure_view(strokeWidth=0)
        .configure_range(category=PALETTE)
        .configure_legend(labelColor="#4a5566", titleColor="#4a5566")
    )


def render_svg(chart: alt.TopLevelMixin) -> Markup:
    """Render an Altair chart to inline SVG markup (no JavaScript, no CDN)."""
    spec = theme_config(chart).to_dict()
    return render_spec_svg(spec)


def render_spec_svg(spec: dict[str, Any]) -> Markup:
    """Render a raw Vega-Lite spec (a dict) to inline SVG markup."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(json.dumps(spec))
    return Markup(svg)


def bar_chart(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    title: str = "",
    color: str | None = None,
    horizontal: bool = False,
    width: int = 520,
    height: int = 220,
) -> Markup:
    """A simple bar chart from a list of records."""
    import altair as alt

    data = alt.Data(values=rows)
    base = alt.Chart(data).mark_bar(cornerRadiusEnd=3)
    if horizontal:
        chart = base.encode(
            y=alt.Y(f"{x}:N", sort="-x", title=None),
            x=alt.X(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{color}:N") if color else alt.value(PALETTE[0]),
            tooltip=[f"{x}:N", f"{y}:Q"],
        )
    else:
        chart = base.encode(
            x=alt.X(f"{x}:N", sort=None, title=None),
            y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{color}:N") if color else alt.value(PALETTE[0]),
            tooltip=[f"{x}:N", f"{y}:Q"],
        )
    return render_svg(chart.properties(title=title, width=width, height=height))


def line_chart(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    title: str = "",
    color: str | None = None,
    width: int = 520,
    height: int = 220,
    x_type: str = "T",
) -> Markup:
    """A line chart (time on x by default) from a list of records."""
    import altair as alt

    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:{x_type}", title=None),
            y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{color}:N") if color else alt.value(PALETTE[0]),
            tooltip=[f"{x}:{x_type}", f"{y}:Q"],
        )
    )
    return render_svg(chart.properties(title=title, width=width, height=height))

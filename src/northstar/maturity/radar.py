"""A radar (spider) chart of levels per focus area as inline SVG, drawn without any network or JS.

Vega-Lite has no polar line mark, so this small pure function draws the polygon itself. Up to two series
(for example two assessment dates) are drawn on the same axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

COLOURS = ("#2563eb", "#f97316")


def radar_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    max_value: float = 10.0,
    size: int = 460,
) -> str:
    """SVG markup: one spoke per label, rings at every 2 levels, one closed polygon per series."""
    n = len(labels)
    if n < 3:
        return "<p class='muted'>A radar chart needs at least three focus areas.</p>"
    margin = 130  # room for the labels left and right
    width = size + 2 * margin
    cx, cy = width / 2, size / 2
    radius = size / 2 - 40

    def polar(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def point(i: int, value: float) -> tuple[float, float]:
        return polar(i, radius * max(0.0, min(value, max_value)) / max_value)

    first_name, first_values = series[0] if series else ("", [])
    levels = ", ".join(
        f"{label} {max(0.0, min(value, max_value)):g}"
        for label, value in zip(labels, first_values, strict=False)
    )
    summary = escape(f"Level per focus area on {first_name}: {levels}" if levels else "Level per focus area")
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {size}' role='img' class='radar'"
        f" aria-label='{summary}'>"
    ]
    for ring in range(2, int(max_value) + 1, 2):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f"<polygon points='{pts}' fill='none' stroke='#e5e7eb'/>")
    for i, label in enumerate(labels):
        x, y = point(i, max_value)
        lx, ly = polar(i, radius + 14)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        ly += 3 if ly >= cy else 0
        parts.append(f"<line x1='{cx}' y1='{cy}' x2='{x:.1f}' y2='{y:.1f}' stroke='#e5e7eb'/>")
        parts.append(
            f"<text x='{lx:.1f}' y='{ly:.1f}' font-size='9' text-anchor='{anchor}' fill='#374151'>{escape(label)}</text>"
        )
    for index, (name, values) in enumerate(series[:2]):
        colour = COLOURS[index]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
        parts.append(
            f"<polygon points='{pts}' fill='{colour}' fill-opacity='0.15' stroke='{colour}' stroke-width='2'>"
            f"<title>{escape(name)}</title></polygon>"
        )
        parts.append(
            f"<text x='10' y='{16 + 14 * index}' font-size='11' fill='{colour}'>■ {escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

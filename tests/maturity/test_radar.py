"""The offline radar chart: one spoke per focus area, one polygon per date, escaped labels."""

from __future__ import annotations

import re

from northstar.maturity.radar import radar_svg


def test_radar_has_a_spoke_per_area_and_a_polygon_per_series() -> None:
    svg = radar_svg(["A", "B", "C", "D"], [("now", [1, 2, 3, 4]), ("before", [0, 1, 1, 2])], max_value=10)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<line") == 4
    assert len(re.findall(r"<polygon[^>]*fill-opacity", svg)) == 2
    assert "<title>now</title>" in svg and "<title>before</title>" in svg


def test_radar_values_are_clamped_to_the_scale() -> None:
    inside = radar_svg(["A", "B", "C"], [("x", [10, 10, 10])], max_value=10)
    beyond = radar_svg(["A", "B", "C"], [("x", [99, 99, 99])], max_value=10)
    assert inside == beyond


def test_radar_escapes_labels_and_needs_three_areas() -> None:
    svg = radar_svg(["<b>", "B", "C"], [("x", [1, 2, 3])])
    assert "&lt;b&gt;" in svg
    assert "at least three" in radar_svg(["A", "B"], [("x", [1, 2])])


def test_radar_names_itself_for_screen_readers() -> None:
    svg = radar_svg(["Discovery", "Delivery", "Strategy"], [("2026-03-01", [2, 3, 1])])
    assert "aria-label='Level per focus area on 2026-03-01: Discovery 2, Delivery 3, Strategy 1'" in svg

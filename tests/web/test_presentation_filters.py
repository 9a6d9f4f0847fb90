"""The shared presentation filters: codes, amounts, numbers and shares as a person reads them."""

from __future__ import annotations

import enum

from northstar.web.templating import build_templates, enum_label, full_money, number, percent


class Region(enum.Enum):
    NORTH_AMERICA = "north_america"


def test_enum_label_turns_codes_into_words() -> None:
    assert enum_label("north_america") == "North America"
    assert enum_label("wont_do") == "Won't do"
    assert enum_label("wont do") == "Won't do"
    assert enum_label("under_review") == "Under Review"
    assert enum_label(Region.NORTH_AMERICA) == "North America"
    assert enum_label(None) == "—"


def test_numbers_have_separators_units_and_a_fixed_number_of_decimals() -> None:
    assert number(4879727) == "4,879,727"
    assert number(64.78598333921889, "days", 1) == "64.8 days"
    assert number(None) == "—"
    assert percent(0.4213) == "42%"
    assert percent(42.13, 1, fraction=False) == "42.1%"
    assert full_money(4879727.4) == "$4,879,727"
    assert full_money(-1200, "€") == "−€1,200"


def test_stat_card_keeps_label_and_value_apart() -> None:
    env = build_templates().env
    html = env.from_string(
        '{% from "macros.html" import stat %}{{ stat("Value funded", 4879727 | number) }}'
    ).render()
    assert '<dt class="stat-label">Value funded</dt> <dd class="stat-value">4,879,727</dd>' in html


def test_breadcrumbs_link_the_way_back_and_mark_the_page() -> None:
    env = build_templates().env
    html = env.from_string(
        '{% from "macros.html" import crumbs %}{{ crumbs([("Ideas", "/ideas"), ("SSO", "")]) }}'
    )
    text = html.render()
    assert '<a href="/ideas">Ideas</a>' in text and '<span aria-current="page">SSO</span>' in text

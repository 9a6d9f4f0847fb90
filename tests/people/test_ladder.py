"""The default ladder's content and the loader's validation and export."""

from __future__ import annotations

import copy

import pytest

from northstar.people.engine.ladder import (
    LadderError,
    default_ladder_text,
    dump_ladder_yaml,
    ladder_from_dict,
    load_default_ladder,
    parse_ladder_yaml,
)
from tests.people.ladders import tiny_ladder_doc

EXPECTED_LEVELS = [
    "apm",
    "pm",
    "senior_pm",
    "principal_pm",
    "group_pm",
    "director",
    "head_of_product",
    "vp_product",
    "cpo",
]


def test_default_ladder_has_the_nine_product_levels_in_order() -> None:
    ladder = load_default_ladder()
    assert [level.code for level in ladder.levels] == EXPECTED_LEVELS


def test_default_ladder_splits_into_two_tracks_after_senior_pm() -> None:
    ladder = load_default_ladder()
    assert {level.code for level in ladder.next_levels("senior_pm")} == {"principal_pm", "group_pm"}
    assert ladder.level("principal_pm").track == "ic"
    assert [lv.code for lv in ladder.path_to("cpo")] == [
        "apm",
        "pm",
        "senior_pm",
        "group_pm",
        "director",
        "head_of_product",
        "vp_product",
        "cpo",
    ]


def test_every_default_level_has_behaviours_and_at_least_one_mandatory() -> None:
    ladder = load_default_ladder()
    for level in ladder.levels:
        behaviours = ladder.behaviours_at(level.code)
        assert behaviours, level.code
        assert any(b.mandatory for b in behaviours), level.code


def test_default_ladder_covers_the_seven_competency_areas() -> None:
    names = [area.name for area in load_default_ladder().areas]
    assert names == [
        "Customer insight and discovery",
        "Product strategy",
        "Execution and delivery",
        "Data and analytics",
        "Business and finance",
        "Communication and influence",
        "People leadership",
    ]


def test_people_leadership_behaviours_start_no_lower_than_senior_pm() -> None:
    ladder = load_default_ladder()
    people_ids = {c.id for c in ladder.areas[-1].competencies}
    levels = {b.level_code for b in ladder.behaviours if b.competency_id in people_ids}
    assert not levels & {"apm", "pm"}


def test_export_then_import_gives_the_same_ladder() -> None:
    ladder = load_default_ladder()
    assert parse_ladder_yaml(dump_ladder_yaml(ladder)) == ladder


def test_behaviour_ids_are_unique_and_stable() -> None:
    first = load_default_ladder()
    second = parse_ladder_yaml(default_ladder_text())
    ids = [b.id for b in first.behaviours]
    assert len(ids) == len(set(ids))
    assert ids == [b.id for b in second.behaviours]


def test_missing_level_is_named_in_the_error() -> None:
    doc = tiny_ladder_doc()
    doc["levels"] = [lv for lv in doc["levels"] if lv["code"] != "b"]
    with pytest.raises(LadderError) as caught:
        ladder_from_dict(doc)
    messages = " | ".join(e.message for e in caught.value.errors)
    assert "follows 'b', which is not a level of this ladder" in messages
    assert "behaviours for unknown level 'b'" in messages
    assert "levels[1].follows" in {e.field for e in caught.value.errors}


def test_level_without_behaviours_is_rejected_by_name() -> None:
    doc = tiny_ladder_doc()
    del doc["competency_areas"][0]["competencies"][0]["behaviours"]["mg"]
    with pytest.raises(LadderError, match="level 'mg' has no behaviours"):
        ladder_from_dict(doc)


def test_two_entry_levels_are_rejected() -> None:
    doc = tiny_ladder_doc()
    doc["levels"][1]["follows"] = None
    with pytest.raises(LadderError, match="exactly one entry level"):
        ladder_from_dict(doc)


def test_follows_loop_is_rejected() -> None:
    doc = tiny_ladder_doc()
    doc["levels"][0]["follows"] = "b"
    doc["levels"][2]["follows"] = None
    with pytest.raises(LadderError) as caught:
        ladder_from_dict(doc)
    assert any("loops back" in e.message for e in caught.value.errors)


def test_duplicate_level_code_and_missing_title_are_both_reported() -> None:
    doc = tiny_ladder_doc()
    doc["levels"].append(copy.deepcopy(doc["levels"][3]))
    del doc["levels"][0]["title"]
    with pytest.raises(LadderError) as caught:
        ladder_from_dict(doc)
    messages = [e.message for e in caught.value.errors]
    assert "level code 'mg' appears more than once" in messages
    assert "'title' is required" in messages


def test_unquoted_comma_in_behaviour_text_is_caught_instead_of_truncated() -> None:
    text = default_ladder_text().replace(
        '{text: "Aligns engineering, design, marketing and sales leadership on the plan each quarter"',
        "{text: Aligns engineering, design, marketing and sales leadership on the plan each quarter",
    )
    with pytest.raises(LadderError, match="unknown field"):
        parse_ladder_yaml(text)


def test_malformed_yaml_reports_the_line() -> None:
    with pytest.raises(LadderError) as caught:
        parse_ladder_yaml("name: x\nlevels: [\n  - code: a\n")
    assert caught.value.errors[0].field.startswith("line ")


def test_readiness_share_outside_zero_to_one_is_rejected() -> None:
    doc = tiny_ladder_doc()
    doc["readiness"] = {"min_share": 1.5}
    with pytest.raises(LadderError, match="min_share"):
        ladder_from_dict(doc)


def test_unknown_evidence_type_is_rejected() -> None:
    doc = tiny_ladder_doc()
    doc["competency_areas"][0]["competencies"][0]["behaviours"]["a"][0]["evidence"] = "rumour"
    with pytest.raises(LadderError, match="evidence must be one of"):
        ladder_from_dict(doc)


def test_unknown_level_lookup_lists_known_levels() -> None:
    with pytest.raises(LadderError, match="known levels: apm, pm"):
        load_default_ladder().level("intern")

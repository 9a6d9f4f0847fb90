"""The readiness rule on hand-worked ladders, and its properties on the default ladder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.people.engine.growth import (
    GrowthItem,
    growth_progress,
    items_from_suggestions,
    suggest_growth_items,
)
from northstar.people.engine.ladder import Ladder, load_default_ladder
from northstar.people.engine.readiness import (
    attained_levels,
    check_level,
    compare_assessments,
    highest_attained,
    readiness_for,
    required_count,
)

DEFAULT = load_default_ladder()
ALL_IDS = [b.id for b in DEFAULT.behaviours]


def test_required_count_rounds_up_to_a_whole_behaviour() -> None:
    assert required_count(5, 0.8) == 4
    assert required_count(10, 0.8) == 8
    assert required_count(11, 0.8) == 9  # 8.8 → 9
    assert required_count(1, 0.8) == 1
    assert required_count(14, 0.8) == 12  # 11.2 → 12


def test_four_of_five_with_the_mandatory_one_passes(tiny_ladder: Ladder) -> None:
    check = check_level(tiny_ladder, "a", ["a-1", "a-2", "a-3", "a-4"])
    assert check.passed and check.required == 4 and check.share == 0.8


def test_four_of_five_without_the_mandatory_one_fails(tiny_ladder: Ladder) -> None:
    check = check_level(tiny_ladder, "a", ["a-2", "a-3", "a-4", "a-5"])
    assert not check.passed
    assert [b.id for b in check.missing_mandatory] == ["a-1"]


def test_three_of_five_fails_even_with_the_mandatory_one(tiny_ladder: Ladder) -> None:
    assert not check_level(tiny_ladder, "a", ["a-1", "a-2", "a-3"]).passed


def test_a_gap_at_a_lower_level_blocks_the_higher_one(tiny_ladder: Ladder) -> None:
    met = ["a-1", "a-2", "a-3"] + [f"b-{n}" for n in range(1, 6)]
    readiness = readiness_for(tiny_ladder, "b", met)
    assert not readiness.ready
    assert readiness.blocking_levels == ("a",)


def test_attained_levels_follow_the_track_branches(tiny_ladder: Ladder) -> None:
    met = [f"{lv}-{n}" for lv in ("a", "b", "ic") for n in range(1, 5)]
    assert [lv.code for lv in attained_levels(tiny_ladder, met)] == ["a", "b", "ic"]
    assert {k: v.code for k, v in highest_attained(tiny_ladder, met).items()} == {"ic": "ic"}
    only_shared = [f"{lv}-{n}" for lv in ("a", "b") for n in range(1, 5)]
    assert {k: v.code for k, v in highest_attained(tiny_ladder, only_shared).items()} == {"shared": "b"}


def test_unknown_behaviour_ids_are_reported_not_counted(tiny_ladder: Ladder) -> None:
    readiness = readiness_for(tiny_ladder, "a", ["a-1", "old-1"])
    assert readiness.unknown_ids == ("old-1",)
    assert readiness.checks[0].met == 1


def test_compare_assessments_splits_agreement_and_disagreement() -> None:
    result = compare_assessments(["x", "y", "z"], ["y", "z", "w"])
    assert result.agreed_met == ("y", "z")
    assert result.only_self == ("x",)
    assert result.only_manager == ("w",)


@settings(max_examples=60, deadline=None)
@given(met=st.sets(st.sampled_from(ALL_IDS)), target=st.sampled_from([lv.code for lv in DEFAULT.levels]))
def test_ready_means_every_level_on_the_chain_meets_share_and_mandatory(met: set[str], target: str) -> None:
    readiness = readiness_for(DEFAULT, target, met)
    by_hand = True
    for level in DEFAULT.path_to(target):
        behaviours = DEFAULT.behaviours_at(level.code)
        hits = sum(b.id in met for b in behaviours)
        by_hand &= hits / len(behaviours) >= 0.8 - 1e-12 and all(
            b.id in met for b in behaviours if b.mandatory
        )
    assert readiness.ready == by_hand


@settings(max_examples=60, deadline=None)
@given(met=st.sets(st.sampled_from(ALL_IDS)), extra=st.sets(st.sampled_from(ALL_IDS)))
def test_meeting_more_behaviours_never_loses_a_level(met: set[str], extra: set[str]) -> None:
    before = {lv.code for lv in attained_levels(DEFAULT, met)}
    after = {lv.code for lv in attained_levels(DEFAULT, met | extra)}
    assert before <= after


@settings(max_examples=60, deadline=None)
@given(met=st.sets(st.sampled_from(ALL_IDS)), target=st.sampled_from([lv.code for lv in DEFAULT.levels]))
def test_doing_the_suggested_growth_items_makes_one_ready(met: set[str], target: str) -> None:
    suggestions = suggest_growth_items(DEFAULT, target, met)
    assert readiness_for(DEFAULT, target, met | {s.behaviour.id for s in suggestions}).ready
    # and no suggestion is wasted: dropping any one of them leaves a gap
    for dropped in suggestions:
        rest = {s.behaviour.id for s in suggestions} - {dropped.behaviour.id}
        assert not readiness_for(DEFAULT, target, met | rest).ready


def test_growth_progress_counts_done_and_overdue_items() -> None:
    from datetime import date

    items = [
        GrowthItem("one", "metrics", due=date(2026, 1, 1), status="done"),
        GrowthItem("two", "metrics", due=date(2026, 1, 1)),
        GrowthItem("three", "metrics", due=date(2026, 6, 1)),
        GrowthItem("four", "metrics", status="dropped"),
    ]
    progress = growth_progress(items, today=date(2026, 2, 1))
    assert (progress.total, progress.done) == (3, 1)
    assert [i.title for i in progress.overdue] == ["two"]
    assert round(progress.share_done, 3) == 0.333


def test_growth_items_keep_the_link_to_competency_and_behaviour(tiny_ladder: Ladder) -> None:
    items = items_from_suggestions(suggest_growth_items(tiny_ladder, "a", []))
    assert [i.behaviour_id for i in items] == ["a-1", "a-2", "a-3", "a-4"]
    assert {i.competency_id for i in items} == {"work"}

"""Roadmap scheduling: tiny hand-solved instances for every feature and clear errors for bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from northstar.decisions.solve.common import PlanningInputError, SolverSettings
from northstar.decisions.solve.schedule import (
    ScheduleProblem,
    WorkItem,
    find_cycle,
    rank_order_schedule,
    solve,
)

FAST = SolverSettings(time_limit_seconds=5, workers=1, seed=1)


def test_weighted_completion_runs_the_heavier_short_item_first_on_a_shared_team() -> None:
    items = [
        WorkItem("long cheap", duration=4, demand={"app": 1}, weight=1),
        WorkItem("short valuable", duration=1, demand={"app": 1}, weight=5),
    ]
    result = solve(ScheduleProblem(items, {"app": 1}, settings=FAST)).by_id()
    assert result["short valuable"].start == 0
    assert result["long cheap"].start == 1


def test_precedence_makes_the_dependent_start_after_its_prerequisite() -> None:
    items = [
        WorkItem("api", duration=3, demand={"backend": 1}),
        WorkItem("ui", duration=2, demand={"frontend": 1}, predecessors=["api"]),
    ]
    result = solve(ScheduleProblem(items, {"backend": 1, "frontend": 1}, settings=FAST)).by_id()
    assert result["ui"].start == 3
    assert result["ui"].end == 5


def test_capacity_allows_parallel_work_up_to_the_limit() -> None:
    items = [WorkItem(f"w{k}", duration=2, demand={"team": 1}) for k in range(3)]
    result = solve(ScheduleProblem(items, {"team": 2}, objective="makespan", settings=FAST))
    assert result.makespan == 4
    assert max(result.load["team"]) == 2


def test_holiday_with_no_capacity_pushes_work_past_it() -> None:
    items = [WorkItem("x", duration=2, demand={"team": 1})]
    result = solve(ScheduleProblem(items, {"team": [0, 0, 1]}, settings=FAST)).by_id()
    assert result["x"].start == 2


def test_hiring_raises_capacity_from_a_later_period() -> None:
    items = [WorkItem(f"w{k}", duration=2, demand={"team": 1}) for k in range(2)]
    result = solve(ScheduleProblem(items, {"team": [1, 1, 2]}, objective="makespan", settings=FAST))
    assert result.makespan == 4


def test_started_work_keeps_its_start_when_replanning() -> None:
    items = [
        WorkItem("started", duration=3, demand={"team": 1}, weight=1, fixed_start=1),
        WorkItem("new", duration=1, demand={"team": 1}, weight=10),
    ]
    result = solve(ScheduleProblem(items, {"team": 1}, settings=FAST)).by_id()
    assert result["started"].start == 1
    assert result["new"].start == 0


def test_lateness_objective_meets_the_due_date_that_can_be_met() -> None:
    items = [
        WorkItem("a", duration=2, demand={"team": 1}, due=2, weight=1),
        WorkItem("b", duration=2, demand={"team": 1}, due=10, weight=1),
    ]
    result = solve(ScheduleProblem(items, {"team": 1}, objective="lateness", settings=FAST))
    assert result.objective == 0
    assert result.by_id()["a"].end == 2


def test_impossible_deadline_reports_infeasible() -> None:
    items = [
        WorkItem("a", duration=3, demand={"team": 1}, deadline=3),
        WorkItem("b", duration=3, demand={"team": 1}, deadline=3),
    ]
    result = solve(ScheduleProblem(items, {"team": 1}, settings=FAST))
    assert result.status == "infeasible"
    assert "deadline" in result.message


def test_dependency_cycle_is_named() -> None:
    items = [
        WorkItem("a", 1, predecessors=["c"]),
        WorkItem("b", 1, predecessors=["a"]),
        WorkItem("c", 1, predecessors=["b"]),
    ]
    cycle = find_cycle(items)
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    with pytest.raises(PlanningInputError, match="dependency cycle: "):
        solve(ScheduleProblem(items, {}, settings=FAST))


@pytest.mark.parametrize(
    ("items", "teams", "message"),
    [
        ([WorkItem("x", None, {"t": 1})], {"t": 1}, "no estimate"),
        ([WorkItem("x", 2, {"t": 1})], {"t": -1}, "negative capacity"),
        ([WorkItem("x", 2, {"ghost": 1})], {"t": 1}, "no capacity"),
        ([WorkItem("x", 2, {"t": 3})], {"t": 2}, "more than it ever has"),
        ([WorkItem("x", 2, predecessors=["y"])], {}, "unknown item"),
        ([WorkItem("x", 2, {"t": 1})], {"t": []}, "has no capacity"),
    ],
)
def test_bad_input_is_reported_clearly(items, teams, message) -> None:
    with pytest.raises(PlanningInputError, match=message):
        solve(ScheduleProblem(items, teams, settings=FAST))


def test_rank_order_baseline_is_never_better_than_the_optimum() -> None:
    items = [
        WorkItem("long", duration=5, demand={"team": 1}, weight=1),
        WorkItem("short", duration=1, demand={"team": 1}, weight=1),
    ]
    problem = ScheduleProblem(items, {"team": 1}, settings=FAST)
    baseline = rank_order_schedule(problem, ["long", "short"])
    best = solve(problem)
    assert baseline.objective == 11
    assert best.objective == 7


def test_board_splits_now_next_and_later() -> None:
    items = [
        WorkItem("first", duration=2, demand={"team": 1}, weight=3),
        WorkItem("second", duration=2, demand={"team": 1}, weight=2),
        WorkItem("third", duration=10, demand={"team": 1}, weight=1),
    ]
    result = solve(ScheduleProblem(items, {"team": 1}, settings=FAST))
    board = result.board(now=0, next_periods=3)
    assert board["now"] == ["first"]
    assert board["next"] == ["second"]
    assert board["later"] == ["third"]


def _psplib_file() -> Path:
    root = Path(
        os.environ.get(
            "NORTHSTAR_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
        )
    )
    return root / "scheduling" / "psplib" / "j30" / "j301_1.sm"


@pytest.mark.skipif(not _psplib_file().exists(), reason="PSPLIB data not available")
def test_psplib_instance_converted_to_the_planning_model_reaches_its_published_optimum() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from psplib import read_sm  # type: ignore[import-not-found]

    result = solve(read_sm(_psplib_file(), SolverSettings(time_limit_seconds=20, workers=2, seed=7)))
    assert result.status == "optimal"
    assert result.makespan == 43  # j30opt.sm, parameter 1 instance 1


def test_started_work_that_overloads_a_team_is_named() -> None:
    items = [
        WorkItem("a", duration=3, demand={"team": 2}, fixed_start=0),
        WorkItem("b", duration=3, demand={"team": 2}, fixed_start=1),
    ]
    with pytest.raises(PlanningInputError, match=r"needs 4 in period 1 but the team has 3: a, b"):
        solve(ScheduleProblem(items, {"team": 3}, settings=FAST))


def test_forward_backward_pass_shortens_a_list_schedule() -> None:
    from northstar.decisions.solve.schedule_model import justified_schedule, serial_schedule

    # In input order the serial schedule ends at 9; shifting right then left packs it into 8 (the optimum:
    # t1 and t4 need the whole team for 4 periods, the chain t2 → t3 another 4).
    items = [
        WorkItem("t0", duration=1, demand={"team": 1}),
        WorkItem("t1", duration=1, demand={"team": 2}),
        WorkItem("t2", duration=3, demand={"team": 1}),
        WorkItem("t3", duration=1, demand={"team": 1}, predecessors=["t2"]),
        WorkItem("t4", duration=3, demand={"team": 2}),
    ]
    problem = ScheduleProblem(items, {"team": 2}, objective="makespan", settings=FAST)
    listed = serial_schedule(problem, [0, 1, 2, 3, 4])
    assert max(s + item.duration for s, item in zip(listed, items, strict=True)) == 9
    better = justified_schedule(problem, listed)
    assert max(s + item.duration for s, item in zip(better, items, strict=True)) == 8
    assert solve(problem).makespan == 8


def test_antichain_bound_sees_that_no_two_items_fit_together() -> None:
    from northstar.decisions.solve.schedule_model import antichain_bound, earliest_and_tails

    # Each item needs 2 of 3: they can only run one at a time, so the makespan is at least 2 + 3 + 4 = 9, while the
    # critical path says only 4.
    items = [WorkItem(f"w{d}", duration=d, demand={"team": 2}) for d in (2, 3, 4)]
    problem = ScheduleProblem(items, {"team": 3}, objective="makespan", settings=FAST)
    earliest, tails = earliest_and_tails(problem)
    assert max(e + t for e, t in zip(earliest, tails, strict=True)) == 4
    assert antichain_bound(problem) == 9
    result = solve(problem)
    assert result.status == "optimal" and result.makespan == 9 and result.bound == 9


def test_antichain_bound_lets_compatible_items_share_time() -> None:
    from northstar.decisions.solve.schedule_model import antichain_bound

    # a and b fit together (1 + 1 ≤ 2), c needs the whole team: a ∥ b for 2, then c for 3 → 5.
    items = [
        WorkItem("a", duration=2, demand={"team": 1}),
        WorkItem("b", duration=2, demand={"team": 1}),
        WorkItem("c", duration=3, demand={"team": 2}),
    ]
    assert antichain_bound(ScheduleProblem(items, {"team": 2}, objective="makespan")) == 5


def test_conflict_cliques_mix_team_conflicts_and_precedences() -> None:
    from northstar.decisions.solve.schedule_model import conflict_cliques

    # x and y clash on web (2 + 2 > 3), y and z on api (2 + 1 > 2), x must precede z: {x, y, z} never overlap.
    # w needs little of both teams and has no precedence: it can run beside anything, so it joins no group.
    items = [
        WorkItem("x", duration=2, demand={"web": 2}),
        WorkItem("y", duration=3, demand={"web": 2, "api": 2}),
        WorkItem("z", duration=1, demand={"api": 1}, predecessors=["x"]),
        WorkItem("w", duration=4, demand={"web": 1}),
    ]
    problem = ScheduleProblem(items, {"web": 3, "api": 2}, objective="makespan")
    assert conflict_cliques(problem) == [[0, 1, 2]]


@pytest.mark.skipif(not _psplib_file().exists(), reason="PSPLIB data not available")
def test_psplib_benchmark_runs_only_the_named_instances(capsys) -> None:
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from psplib import main  # type: ignore[import-not-found]

    assert main(["--names", "j301_1", "--time-limit", "20", "--format", "json", "--output", ""]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["instance"] for row in report["rows"]] == ["j301_1"]
    assert report["rows"][0]["makespan"] == 43
    summary = report["summary"]
    assert summary["optimal_within_1s"] <= summary["optimal_within_10s"] <= summary["optimal_within_60s"] == 1

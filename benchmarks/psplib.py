"""PSPLIB single-mode RCPSP instances through Northstar's own roadmap-scheduling model.

Jobs become work items (duration, demand per team), renewable resources become teams with a constant capacity,
precedences become dependencies; the product's ``schedule.solve`` minimizes the makespan. Beside it: the rank-order
serial schedule (what Jira Plans' auto-scheduler does) and the published optimum from ``j30opt.sm``.

    .venv/bin/python benchmarks/psplib.py --time-limit 1 --workers 2
    .venv/bin/python benchmarks/psplib.py --time-limit 60 --names j3013_2,j3029_6 --output psplib_60s
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import sys
from pathlib import Path

from _results import cell, results_folder
from northstar.decisions.solve.common import SolverSettings
from northstar.decisions.solve.schedule import ScheduleProblem, WorkItem, rank_order_schedule, solve
from northstar.decisions.solve.schedule_model import earliest_and_tails

DATA = Path(
    os.environ.get("NORTHSTAR_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
)

RESULTS = results_folder()


def read_sm(path: Path, settings: SolverSettings) -> ScheduleProblem:
    """Convert a PSPLIB ``.sm`` file into Northstar's planning model (makespan objective)."""
    lines = path.read_text().splitlines()
    successors: dict[int, list[int]] = {}
    durations: dict[int, int] = {}
    demands: dict[int, list[int]] = {}
    capacities: list[int] = []
    section = ""
    for line in lines:
        if line.startswith("PRECEDENCE RELATIONS"):
            section = "precedence"
            continue
        if line.startswith("REQUESTS/DURATIONS"):
            section = "requests"
            continue
        if line.startswith("RESOURCEAVAILABILITIES"):
            section = "capacity"
            continue
        if line.startswith("*"):
            section = "" if section != "capacity" else section
            continue
        numbers = [int(x) for x in re.findall(r"-?\d+", line)] if not re.search(r"[A-Za-z]", line) else []
        if not numbers:
            continue
        if section == "precedence":
            successors[numbers[0]] = numbers[3 : 3 + numbers[2]]
        elif section == "requests":
            durations[numbers[0]] = numbers[2]
            demands[numbers[0]] = numbers[3:]
        elif section == "capacity":
            capacities = numbers
            section = ""
    predecessors: dict[int, list[str]] = {job: [] for job in durations}
    for job, after in successors.items():
        for successor in after:
            predecessors[successor].append(f"job {job}")
    teams = {f"R{k + 1}": capacity for k, capacity in enumerate(capacities)}
    items = [
        WorkItem(
            id=f"job {job}",
            duration=durations[job],
            demand={f"R{k + 1}": amount for k, amount in enumerate(demands[job]) if amount},
            predecessors=predecessors[job],
        )
        for job in sorted(durations)
    ]
    return ScheduleProblem(items=items, teams=teams, objective="makespan", settings=settings)


def read_optima(path: Path) -> dict[str, int]:
    """``j30opt.sm`` rows ``Par Inst Makespan CPU`` keyed by instance name ``j30{Par}_{Inst}``."""
    optima: dict[str, int] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"\s*(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s*$", line)
        if match:
            optima[f"j30{match.group(1)}_{match.group(2)}"] = int(match.group(3))
    return optima


def run(path: Path, optima: dict[str, int], settings: SolverSettings) -> dict:
    problem = read_sm(path, settings)
    result = solve(problem)
    baseline = rank_order_schedule(problem, [item.id for item in problem.items])
    earliest, tails = earliest_and_tails(problem)
    critical_path = max(e + t for e, t in zip(earliest, tails, strict=True))
    reference = optima.get(path.stem)
    return {
        "instance": path.stem,
        "status": result.status,
        "makespan": result.makespan,
        "lower_bound": result.bound,
        "critical_path": critical_path,
        "optimum": reference,
        "rank_order_makespan": baseline.makespan,
        "gap_to_reference_pct": None
        if not reference or result.makespan is None
        else 100 * (result.makespan - reference) / reference,
        "seconds": result.seconds,
    }


def summarize(rows: list[dict], settings: SolverSettings) -> dict:
    seconds = [r["seconds"] for r in rows]
    gaps = [r["gap_to_reference_pct"] for r in rows if r["gap_to_reference_pct"] is not None]
    rank_gaps = [100 * (r["rank_order_makespan"] - r["optimum"]) / r["optimum"] for r in rows if r["optimum"]]
    deviations = [
        100 * (r["makespan"] - r["critical_path"]) / r["critical_path"]
        for r in rows
        if r["makespan"] is not None and r["critical_path"]
    ]
    optimal = sum(1 for r in rows if r["status"] == "optimal")
    return {
        "instances": len(rows),
        "proven_optimal": optimal,
        "proven_optimal_pct": 100 * optimal / max(1, len(rows)),
        "optimal_within_1s": sum(1 for r in rows if r["status"] == "optimal" and r["seconds"] <= 1.0),
        "optimal_within_10s": sum(1 for r in rows if r["status"] == "optimal" and r["seconds"] <= 10.0),
        "optimal_within_60s": sum(1 for r in rows if r["status"] == "optimal" and r["seconds"] <= 60.0),
        "median_seconds": statistics.median(seconds) if seconds else None,
        "max_seconds": max(seconds) if seconds else None,
        "mean_gap_to_reference_pct": statistics.fmean(gaps) if gaps else None,
        "rank_order_mean_gap_pct": statistics.fmean(rank_gaps) if rank_gaps else None,
        "mean_deviation_from_critical_path_pct": statistics.fmean(deviations) if deviations else None,
        "time_limit_seconds": settings.time_limit_seconds,
        "workers": settings.workers,
        "seed": settings.seed,
    }


def table(rows: list[dict], summary: dict) -> str:
    lines = [
        "| instance | status | makespan | lower bound | optimum (j30opt) | rank-order SGS | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['status']} | {cell(r['makespan'])} | {cell(r['lower_bound'], '.0f')} "
            f"| {cell(r['optimum'])} | {r['rank_order_makespan']} | {r['seconds']:.3f} |"
        )
    lines += [
        "",
        f"Proven optimal: {summary['proven_optimal']}/{summary['instances']} "
        f"({summary['proven_optimal_pct']:.1f} %); within 1 / 10 / 60 s: {summary['optimal_within_1s']} / "
        f"{summary['optimal_within_10s']} / {summary['optimal_within_60s']}; "
        f"median {cell(summary['median_seconds'], '.3f')} s, max {cell(summary['max_seconds'], '.3f')} s.",
        f"Mean gap to the published optimum: {cell(summary['mean_gap_to_reference_pct'], '.2f')} % "
        f"(rank-order serial SGS, as Jira Plans: {cell(summary['rank_order_mean_gap_pct'], '.2f')} %). "
        f"Mean deviation from the critical path: {cell(summary['mean_deviation_from_critical_path_pct'], '.2f')} %.",
        f"CP-SAT, time limit {summary['time_limit_seconds']} s, {summary['workers']} workers, seed {summary['seed']}. "
        "Published: CP-SAT 9.11, 8 workers, 480/480 optimal, median 0.02 s, 463 / 473 / 480 within 1 / 10 / 60 s.",
    ]
    if "load_average" in summary:
        lines.append(
            f"Machine: {summary['cpus']} CPUs shared with other jobs; 1-minute load average "
            f"{summary['load_average'][0]} at the start, {summary['load_average'][1]} at the end."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    psplib = DATA / "scheduling" / "psplib"
    parser.add_argument("--instances", default=str(psplib / "j30" / "*.sm"))
    parser.add_argument(
        "--names",
        default="",
        help="comma-separated instance names (e.g. j3013_1,j3029_6) instead of the glob",
    )
    parser.add_argument("--optima", default=str(psplib / "j30opt.sm"))
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument(
        "--output", default="psplib", help="result name under benchmarks/results ('' to skip)"
    )
    args = parser.parse_args(argv)
    settings = SolverSettings(time_limit_seconds=args.time_limit, workers=args.workers, seed=7)
    optima = read_optima(Path(args.optima)) if Path(args.optima).exists() else {}

    def natural(path: str) -> list[int]:
        return [int(x) for x in re.findall(r"\d+", Path(path).stem)]

    load_before = os.getloadavg()[0]
    rows = []
    files = sorted(glob.glob(args.instances), key=natural)
    if args.names:
        wanted = {name.strip() for name in args.names.split(",") if name.strip()}
        files = [file for file in files if Path(file).stem in wanted]
    for file in files:
        rows.append(run(Path(file), optima, settings))
        if rows[-1]["status"] != "optimal":
            print(
                f"{rows[-1]['instance']}: {rows[-1]['status']} in {rows[-1]['seconds']:.2f} s",
                file=sys.stderr,
            )
    summary = summarize(rows, settings)
    summary["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    summary["cpus"] = os.cpu_count()
    text = table(rows, summary)
    print(json.dumps({"summary": summary, "rows": rows}, indent=2) if args.format == "json" else text)
    if args.output:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.output}.md").write_text("# PSPLIB benchmark (RCPSP)\n\n" + text + "\n")
        (RESULTS / f"{args.output}.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

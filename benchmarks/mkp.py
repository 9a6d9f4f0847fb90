"""OR-Library multi-dimensional knapsack (Chu & Beasley 1998) through Northstar's own portfolio model.

Each knapsack item becomes an idea with a value and an effort against every constraint (one "team" per constraint,
one period), and the product's ``portfolio.solve`` chooses the ideas. Beside it: greedy-by-ratio (what score-and-sort
tools do), the published 1998 best value and the LP bound from ``mkcbres.txt``.

    .venv/bin/python benchmarks/mkp.py --instances '../shared/data/portfolio/mkp/mknapcb1.txt' --time-limit 10
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from _results import cell, results_folder
from northstar.decisions.solve.common import SolverSettings
from northstar.decisions.solve.portfolio import PortfolioIdea, PortfolioProblem, lp_relaxation, solve
from northstar.decisions.solve.portfolio_model import greedy_selection, ratio_order

DATA = Path(
    os.environ.get("NORTHSTAR_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
)

RESULTS = results_folder()


@dataclass
class KnapsackInstance:
    name: str
    profits: list[int]
    weights: list[list[int]]
    capacities: list[int]


def read_instances(path: Path) -> list[KnapsackInstance]:
    """Parse an OR-Library ``mknapcb*.txt`` file (K, then per instance n m opt, profits, weight rows, capacities)."""
    numbers = [int(token) for token in path.read_text().split()]
    count, position = numbers[0], 1
    group = {"mknapcb1": "5.100", "mknapcb2": "5.250", "mknapcb3": "5.500"}.get(path.stem, path.stem)
    instances = []
    for k in range(count):
        n, m = numbers[position], numbers[position + 1]
        position += 3
        profits = numbers[position : position + n]
        position += n
        weights = [numbers[position + i * n : position + (i + 1) * n] for i in range(m)]
        position += m * n
        capacities = numbers[position : position + m]
        position += m
        instances.append(KnapsackInstance(f"{group}-{k:02d}", profits, weights, capacities))
    return instances


def read_reference(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The 1998 best-feasible values and LP values from ``mkcbres.txt``, keyed like ``5.100-00``."""
    best: dict[str, float] = {}
    lp: dict[str, float] = {}
    table = best
    for line in path.read_text().splitlines():
        if "LP optimal" in line:
            table = lp
        match = re.match(r"\s*(\d+\.\d+-\d+)\s+([-+\d.eE]+)\s*$", line)
        if match:
            table.setdefault(match.group(1), float(match.group(2)))
    return best, lp


def as_portfolio(instance: KnapsackInstance, settings: SolverSettings) -> PortfolioProblem:
    """Items become ideas; each constraint becomes a team with one period of capacity."""
    teams = [f"resource {i + 1}" for i in range(len(instance.capacities))]
    ideas = [
        PortfolioIdea(
            id=f"item {j + 1}",
            value=profit,
            effort={team: [instance.weights[i][j]] for i, team in enumerate(teams)},
        )
        for j, profit in enumerate(instance.profits)
    ]
    capacity = {team: [instance.capacities[i]] for i, team in enumerate(teams)}
    return PortfolioProblem(ideas=ideas, capacity=capacity, settings=settings, explain=False)


def run(
    instance: KnapsackInstance, best: dict[str, float], lp: dict[str, float], settings: SolverSettings
) -> dict:
    problem = as_portfolio(instance, settings)
    started = time.perf_counter()
    result = solve(problem)
    seconds = time.perf_counter() - started
    greedy = greedy_selection(problem, ratio_order(problem))
    greedy_value = sum(p for p, on in zip(instance.profits, greedy, strict=True) if on)
    own_lp, _ = lp_relaxation(problem)
    published = best.get(instance.name)
    lp_bound = lp.get(instance.name, own_lp)
    return {
        "instance": instance.name,
        "status": result.status,
        "value": result.value,
        "bound": result.bound,
        "greedy": greedy_value,
        "published_best": published,
        "lp_bound": lp_bound,
        "gap_to_published_pct": None if not published else 100 * (published - result.value) / published,
        "gap_to_lp_pct": 100 * (lp_bound - result.value) / lp_bound if lp_bound else None,
        "greedy_gap_to_lp_pct": 100 * (lp_bound - greedy_value) / lp_bound if lp_bound else None,
        "own_gap_pct": 100 * (result.gap or 0.0),
        "seconds": seconds,
    }


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None


def summarize(rows: list[dict], settings: SolverSettings) -> dict:
    with_reference = [r for r in rows if r["published_best"]]
    matched = sum(1 for r in with_reference if r["value"] >= r["published_best"])
    beaten = sum(1 for r in with_reference if r["value"] > r["published_best"])
    return {
        "instances": len(rows),
        "matched_or_beaten": matched,
        "with_reference": len(with_reference),
        "matched_or_beaten_pct": 100 * matched / len(with_reference) if with_reference else None,
        "beaten": beaten,
        "proven_optimal": sum(1 for r in rows if r["status"] == "optimal"),
        "mean_gap_to_lp_pct": _mean(r["gap_to_lp_pct"] for r in rows),
        "mean_greedy_gap_to_lp_pct": _mean(r["greedy_gap_to_lp_pct"] for r in rows),
        "mean_gap_to_published_pct": statistics.fmean(r["gap_to_published_pct"] for r in with_reference)
        if with_reference
        else None,
        "time_limit_seconds": settings.time_limit_seconds,
        "workers": settings.workers,
        "seed": settings.seed,
    }


def table(rows: list[dict], summary: dict) -> str:
    lines = [
        "| instance | status | Northstar | greedy ratio | 1998 best | LP bound | gap to 1998 % | gap to LP % "
        "| greedy gap to LP % | own gap % | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['status']} | {cell(r['value'], '.0f')} | {r['greedy']:.0f} "
            f"| {cell(r['published_best'], '.0f')} | {cell(r['lp_bound'], '.1f')} "
            f"| {cell(r['gap_to_published_pct'], '+.3f')} | {cell(r['gap_to_lp_pct'], '.3f')} "
            f"| {cell(r['greedy_gap_to_lp_pct'], '.3f')} | {r['own_gap_pct']:.3f} | {r['seconds']:.1f} |"
        )
    lines += [
        "",
        f"Instances: {summary['instances']} ({summary['with_reference']} with a published best); 1998 best "
        f"matched or beaten: {summary['matched_or_beaten']} ({cell(summary['matched_or_beaten_pct'], '.1f')} %; strictly beaten: {summary['beaten']}); "
        f"proven optimal: {summary['proven_optimal']}; mean gap to the 1998 best: "
        f"{cell(summary['mean_gap_to_published_pct'], '+.4f')} % (negative: better).",
        f"Mean gap to LP bound: Northstar {cell(summary['mean_gap_to_lp_pct'], '.3f')} %, greedy by ratio "
        f"{cell(summary['mean_greedy_gap_to_lp_pct'], '.3f')} %. Product solver (CP-SAT + genetic search), "
        f"{summary['time_limit_seconds']} s per instance, "
        f"{summary['workers']} workers, seed {summary['seed']}.",
    ]
    if "load_average" in summary:
        lines.append(
            f"Machine: {summary['cpus']} CPUs shared with other jobs; 1-minute load average "
            f"{summary['load_average'][0]} at the start, {summary['load_average'][1]} at the end."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mkp = DATA / "portfolio" / "mkp"
    parser.add_argument("--instances", nargs="+", default=[str(mkp / f"mknapcb{k}.txt") for k in (1, 2, 3)])
    parser.add_argument("--best", default=str(mkp / "mkcbres.txt"))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="only the first N instances of each file")
    parser.add_argument("--only", nargs="*", default=None, help="only these instances, e.g. 5.500-07")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--output", default="mkp", help="result name under benchmarks/results ('' to skip)")
    args = parser.parse_args(argv)
    settings = SolverSettings(time_limit_seconds=args.time_limit, workers=args.workers, seed=7)
    best, lp = read_reference(Path(args.best)) if Path(args.best).exists() else ({}, {})
    files = sorted({file for pattern in args.instances for file in glob.glob(pattern)})
    load_before = os.getloadavg()[0]
    rows = []
    for file in files:
        for instance in read_instances(Path(file))[: args.limit]:
            if args.only and instance.name not in args.only:
                continue
            rows.append(run(instance, best, lp, settings))
            print(
                f"{instance.name}: {rows[-1]['value']:.0f} vs {rows[-1]['published_best']}", file=sys.stderr
            )
    summary = summarize(rows, settings)
    summary["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    summary["cpus"] = os.cpu_count()
    text = table(rows, summary)
    print(json.dumps({"summary": summary, "rows": rows}, indent=2) if args.format == "json" else text)
    if args.output:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.output}.md").write_text("# MKP benchmark (OR-Library mknapcb)\n\n" + text + "\n")
        (RESULTS / f"{args.output}.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

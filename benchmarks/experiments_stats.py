"""Experiment statistics: agreement and speed against GrowthBook's gbstats, and validity under peeking.

Part 1 feeds the same random sufficient statistics to Northstar's engine and to the PyPI package
``gbstats`` 0.8.0 (the peer) for each kind of analysis, and reports the largest absolute difference in
the estimate, the interval ends and the p-value / chance to win, with the time per analysis.
gbstats 0.8.0 pins numpy<2 and pandas<2, so it is not in the ``bench`` extra; install it beside the
project without its pins (its statistics code runs fine on current numpy):

    .venv/bin/pip install --no-deps gbstats==0.8.0

Part 2 simulates A/A experiments that are looked at ``--looks`` times and stopped at the first
"significant" look: the false-positive rate of the fixed-horizon Welch test (the naive baseline)
against the always-valid sequential interval, and the coverage of both at the final look.

    .venv/bin/python benchmarks/experiments_stats.py --cases 300 --experiments 400
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from _results import results_folder
from northstar.experiments.stats.bayesian import bayesian_test
from northstar.experiments.stats.frequentist import t_test
from northstar.experiments.stats.results import SequentialSettings
from northstar.experiments.stats.statistics import Proportion, Ratio, RegressionAdjusted, SampleMean

RESULTS = results_folder()


@dataclass
class Arms:
    """One random case: both arms as Northstar statistics and as gbstats constructor arguments."""

    ours: tuple[Any, Any]
    peer: tuple[Any, Any]


def _mean_arm(rng: np.random.Generator, n: int, mean: float) -> tuple[float, float]:
    values = rng.gamma(2.0, mean / 2.0, n)
    return float(values.sum()), float((values**2).sum())


def random_cases(kind: str, count: int, seed: int) -> list[Arms]:
    """Random arms of the given kind (mean, proportion, ratio, cuped) for both engines."""
    import gbstats.models.statistics as gb

    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        n_a, n_b = (int(x) for x in rng.integers(200, 20_000, 2))
        if kind == "proportion":
            p = rng.uniform(0.02, 0.6)
            s_a, s_b = float(rng.binomial(n_a, p)), float(rng.binomial(n_b, p * rng.uniform(0.9, 1.2)))
            cases.append(
                Arms(
                    (Proportion(n_a, s_a), Proportion(n_b, s_b)),
                    (gb.ProportionStatistic(n=n_a, sum=s_a), gb.ProportionStatistic(n=n_b, sum=s_b)),
                )
            )
            continue
        arms_ours, arms_peer = [], []
        for n in (n_a, n_b):
            base = rng.uniform(1, 50)
            post_sum, post_ss = _mean_arm(rng, n, base)
            if kind == "mean":
                arms_ours.append(SampleMean(n, post_sum, post_ss))
                arms_peer.append(gb.SampleMeanStatistic(n=n, sum=post_sum, sum_squares=post_ss))
                continue
            pre = rng.gamma(2.0, base / 2.0, n)
            post = pre * rng.uniform(0.8, 1.3) + rng.normal(0, base / 4, n)
            pre_sum, pre_ss, product = float(pre.sum()), float((pre**2).sum()), float((pre * post).sum())
            post_sum, post_ss = float(post.sum()), float((post**2).sum())
            if kind == "cuped":
                arms_ours.append(
                    RegressionAdjusted(
                        n, SampleMean(n, post_sum, post_ss), SampleMean(n, pre_sum, pre_ss), product
                    )
                )
                arms_peer.append(
                    gb.RegressionAdjustedStatistic(
                        n=n,
                        post_statistic=gb.SampleMeanStatistic(n=n, sum=post_sum, sum_squares=post_ss),
                        pre_statistic=gb.SampleMeanStatistic(n=n, sum=pre_sum, sum_squares=pre_ss),
                        post_pre_sum_of_products=product,
                        theta=0,
                    )
                )
            else:  # ratio: post (numerator) over pre (denominator)
                arms_ours.append(
                    Ratio(n, SampleMean(n, post_sum, post_ss), SampleMean(n, pre_sum, pre_ss), product)
                )
                arms_peer.append(
                    gb.RatioStatistic(
                        n=n,
                        m_statistic=gb.SampleMeanStatistic(n=n, sum=post_sum, sum_squares=post_ss),
                        d_statistic=gb.SampleMeanStatistic(n=n, sum=pre_sum, sum_squares=pre_ss),
                        m_d_sum_of_products=product,
                    )
                )
        cases.append(Arms((arms_ours[0], arms_ours[1]), (arms_peer[0], arms_peer[1])))
    return cases


def _ours(analysis: str) -> Callable[[Any, Any], tuple[float, ...]]:
    def run(a: Any, b: Any) -> tuple[float, ...]:
        if analysis == "bayesian":
            r = bayesian_test(a, b)
            return (r.expected, r.ci[0], r.ci[1], r.chance_to_win)
        sequential = SequentialSettings() if analysis == "sequential" else None
        f = t_test(
            a, b, difference="absolute" if analysis == "absolute" else "relative", sequential=sequential
        )
        return (f.expected, f.ci[0], f.ci[1], f.p_value if f.p_value is not None else float("nan"))

    return run


def _peer(analysis: str) -> Callable[[Any, Any], tuple[float, ...]]:
    from gbstats.bayesian.tests import EffectBayesianABTest
    from gbstats.frequentist.tests import (
        FrequentistConfig,
        SequentialConfig,
        SequentialTwoSidedTTest,
        TwoSidedTTest,
    )

    def run(a: Any, b: Any) -> tuple[float, ...]:
        if analysis == "bayesian":
            r = EffectBayesianABTest(a, b).compute_result()
            return (r.expected, r.ci[0], r.ci[1], r.chance_to_win)
        if analysis == "sequential":
            f = SequentialTwoSidedTTest(a, b, SequentialConfig()).compute_result()
        else:
            config = FrequentistConfig(difference_type="absolute" if analysis == "absolute" else "relative")
            f = TwoSidedTTest(a, b, config).compute_result()
        return (f.expected, f.ci[0], f.ci[1], f.p_value)

    return run


def _timed(
    func: Callable[[Any, Any], tuple[float, ...]], pairs: list[tuple[Any, Any]]
) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    values = np.array([func(a, b) for a, b in pairs], dtype=float)
    return values, (time.perf_counter() - start) / len(pairs) * 1e6


SCENARIOS = [
    ("mean", "relative"),
    ("mean", "absolute"),
    ("proportion", "relative"),
    ("ratio", "relative"),
    ("cuped", "relative"),
    ("cuped", "absolute"),
    ("mean", "sequential"),
    ("proportion", "sequential"),
    ("mean", "bayesian"),
    ("proportion", "bayesian"),
]


def agreement(cases: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for index, (kind, analysis) in enumerate(SCENARIOS):
        arms = random_cases(kind, cases, seed + index)
        ours, ours_us = _timed(_ours(analysis), [c.ours for c in arms])
        peer, peer_us = _timed(_peer(analysis), [c.peer for c in arms])
        difference = np.abs(ours - peer)
        rows.append(
            {
                "statistic": kind,
                "analysis": analysis,
                "cases": cases,
                "max_diff_expected": float(np.nanmax(difference[:, 0])),
                "max_diff_ci": float(np.nanmax(difference[:, 1:3])),
                "max_diff_p_or_ctw": float(np.nanmax(difference[:, 3])),
                "northstar_us": ours_us,
                "gbstats_us": peer_us,
            }
        )
    return rows


def peeking(experiments: int, looks: int, users_per_look: int, seed: int) -> list[dict[str, Any]]:
    """A/A experiments stopped at the first significant look: false positives and final coverage."""
    rng = np.random.default_rng(seed)
    stopped = {"fixed-horizon Welch t (peeking)": 0, "sequential always-valid": 0}
    covered = dict.fromkeys(stopped, 0)
    for _ in range(experiments):
        a = rng.gamma(2.0, 5.0, looks * users_per_look)
        b = rng.gamma(2.0, 5.0, looks * users_per_look)
        hit = dict.fromkeys(stopped, False)
        for look in range(1, looks + 1):
            n = look * users_per_look
            arm_a = SampleMean(n, float(a[:n].sum()), float((a[:n] ** 2).sum()))
            arm_b = SampleMean(n, float(b[:n].sum()), float((b[:n] ** 2).sum()))
            for name, sequential in (
                ("fixed-horizon Welch t (peeking)", None),
                ("sequential always-valid", SequentialSettings(tuning=looks * users_per_look * 2)),
            ):
                result = t_test(arm_a, arm_b, difference="absolute", sequential=sequential)
                excluded = result.ci[0] > 0 or result.ci[1] < 0
                hit[name] = hit[name] or excluded
                if look == looks and not excluded:
                    covered[name] += 1
        for name in stopped:
            stopped[name] += hit[name]
    return [
        {
            "method": name,
            "experiments": experiments,
            "looks": looks,
            "false_positive_rate": stopped[name] / experiments,
            "final_coverage": covered[name] / experiments,
        }
        for name in stopped
    ]


def markdown(agree: list[dict[str, Any]], peek: list[dict[str, Any]], alpha: float) -> str:
    lines = [
        "# Experiment statistics: Northstar vs gbstats 0.8.0, and peeking",
        "",
        "## Agreement with gbstats on random sufficient statistics (largest absolute difference)",
        "",
        "| statistic | analysis | cases | Δ expected | Δ interval | Δ p / chance to win | Northstar µs | gbstats µs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if not agree:
        lines.append("| — (gbstats 0.8.0 is not installed) | — | — | — | — | — | — | — |")
    for r in agree:
        lines.append(
            f"| {r['statistic']} | {r['analysis']} | {r['cases']} | {r['max_diff_expected']:.1e} | "
            f"{r['max_diff_ci']:.1e} | {r['max_diff_p_or_ctw']:.1e} | {r['northstar_us']:.0f} | {r['gbstats_us']:.0f} |"
        )
    lines += [
        "",
        "CUPED with a relative lift differs on purpose: Northstar follows gbstats' current code (and the "
        "reference vectors), which differentiates through the unadjusted baseline mean; gbstats 0.8.0 "
        "treated the lift as a plain ratio of adjusted means. Absolute CUPED agrees.",
        "",
        f"## A/A tests stopped at the first significant look (nominal α = {alpha})",
        "",
        "| method | experiments | looks | false-positive rate | coverage at the last look |",
        "|---|---|---|---|---|",
    ]
    for r in peek:
        lines.append(
            f"| {r['method']} | {r['experiments']} | {r['looks']} | {r['false_positive_rate']:.3f} | {r['final_coverage']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=300, help="random cases per scenario")
    parser.add_argument("--experiments", type=int, default=400, help="simulated A/A experiments")
    parser.add_argument("--looks", type=int, default=20)
    parser.add_argument("--users-per-look", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", default="experiments_stats", help="result name under benchmarks/results")
    args = parser.parse_args()
    try:
        agree = agreement(args.cases, args.seed)
    except ImportError:
        # the peeking half needs no peer: run it and show "—" for the agreement table
        print(
            "the peer is missing (.venv/bin/pip install --no-deps gbstats==0.8.0): no agreement table",
            file=sys.stderr,
        )
        agree = []
    peek = peeking(args.experiments, args.looks, args.users_per_look, args.seed)
    text = markdown(agree, peek, 0.05)
    print(text)
    if args.output:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.output}.md").write_text(text)
        payload = {"agreement": agree, "peeking": peek, "arguments": vars(args)}
        (RESULTS / f"{args.output}.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()

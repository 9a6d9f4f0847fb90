"""Anomaly detection on daily metric series: Northstar's weekly model against two common baselines.

Synthetic, labelled series (deterministic seeds): weekly seasonality (weekends at about half of
weekdays), growth, multiplicative noise, planted one-day spikes and drops of several sizes, and in a
third of the series a persistent level shift. Every method sees each day with only the past before it.

* ``northstar``: ``detect_anomalies`` (robust level + trend + weekday model, threshold 4).
* ``rolling z-score``: the last 28 days' mean and standard deviation, |z| > 4 (no seasonality).
* ``same weekday``: median of the same weekday over the last 4 weeks ± 4 × 1.4826 × MAD of those 4.

A planted day counts as found when flagged; any other flagged day is a false alarm, except the days of a
level shift's first week (flagging a lasting change is right). Reports precision, recall and F1 by size.

    .venv/bin/python benchmarks/anomalies.py --series 60 --days 180
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from _results import results_folder
from northstar.analytics.anomalies import detect_anomalies

RESULTS = results_folder()
WEEKLY = np.array([1.0, 1.04, 1.03, 1.0, 0.93, 0.52, 0.48])
START = date(2025, 1, 6)
SIZES = (0.25, 0.4, 0.6)


@dataclass
class Series:
    days: list[date]
    values: np.ndarray
    planted: dict[int, float]  # day index -> relative size of the incident
    tolerated: set[int]  # days where a flag is neither credited nor a false alarm


def make_series(length: int, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    days = [START + timedelta(days=k) for k in range(length)]
    growth = rng.uniform(-0.001, 0.004)
    noise = rng.uniform(0.02, 0.06)
    base = rng.uniform(200, 50_000) * (1 + growth * np.arange(length)) * WEEKLY[[d.weekday() for d in days]]
    values = base * (1 + rng.normal(0, noise, length))
    planted: dict[int, float] = {}
    tolerated: set[int] = set()
    candidates = rng.choice(np.arange(40, length), size=min(6, length - 40), replace=False)
    for index in candidates:
        size = float(rng.choice(SIZES)) * (1 if rng.random() < 0.5 else -1)
        values[index] *= 1 + size
        planted[int(index)] = size
    if seed % 3 == 0 and length > 120:
        shift = int(rng.integers(70, length - 30))
        values[shift:] *= 1.5
        tolerated.update(range(shift, shift + 7))
        planted = {k: v for k, v in planted.items() if not shift - 7 <= k < shift + 14}
    return Series(days, values, planted, tolerated)


def northstar(series: Series) -> set[int]:
    report = detect_anomalies(series.days, list(series.values))
    return {i for i, d in enumerate(report.days) if d.is_anomaly}


def rolling_z(series: Series, window: int = 28, threshold: float = 4.0) -> set[int]:
    flagged = set()
    for t in range(window, len(series.values)):
        history = series.values[t - window : t]
        sd = history.std(ddof=1)
        if sd > 0 and abs(series.values[t] - history.mean()) / sd > threshold:
            flagged.add(t)
    return flagged


def same_weekday(series: Series, weeks: int = 4, threshold: float = 4.0) -> set[int]:
    flagged = set()
    for t in range(7 * weeks, len(series.values)):
        history = series.values[[t - 7 * k for k in range(1, weeks + 1)]]
        median = float(np.median(history))
        spread = 1.4826 * float(np.median(np.abs(history - median)))
        if spread > 0 and abs(series.values[t] - median) / spread > threshold:
            flagged.add(t)
    return flagged


METHODS: dict[str, Callable[[Series], set[int]]] = {
    "northstar": northstar,
    "rolling z-score": rolling_z,
    "same weekday": same_weekday,
}


def evaluate(series_count: int, length: int, seed: int) -> list[dict[str, Any]]:
    all_series = [make_series(length, seed + k) for k in range(series_count)]
    rows = []
    for name, method in METHODS.items():
        found = {size: 0 for size in SIZES}
        planted = {size: 0 for size in SIZES}
        false_alarms = 0
        assessed_days = 0
        start = time.perf_counter()
        for series in all_series:
            flagged = method(series)
            for index, size in series.planted.items():
                planted[abs(size)] += 1
                found[abs(size)] += index in flagged
            false_alarms += len(flagged - set(series.planted) - series.tolerated)
            assessed_days += len(series.values)
        seconds = time.perf_counter() - start
        true_positives = sum(found.values())
        precision = true_positives / max(1, true_positives + false_alarms)
        recall = true_positives / max(1, sum(planted.values()))
        rows.append(
            {
                "method": name,
                "precision": precision,
                "recall": recall,
                "f1": 2 * precision * recall / max(1e-12, precision + recall),
                **{f"recall_{int(size * 100)}pct": found[size] / max(1, planted[size]) for size in SIZES},
                "false_alarms_per_1000_days": 1000 * false_alarms / assessed_days,
                "ms_per_series": 1000 * seconds / len(all_series),
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]], series_count: int, length: int) -> str:
    sizes = " | ".join(f"recall ±{int(s * 100)} %" for s in SIZES)
    lines = [
        "# Anomaly detection on daily series with weekly seasonality",
        "",
        f"{series_count} synthetic series of {length} days; planted one-day incidents of ±25/40/60 %.",
        "",
        f"| method | precision | recall | F1 | {sizes} | false alarms / 1000 days | ms / series |",
        "|---|---|---|---|" + "---|" * len(SIZES) + "---|---|",
    ]
    for r in rows:
        by_size = " | ".join(f"{r[f'recall_{int(s * 100)}pct']:.2f}" for s in SIZES)
        lines.append(
            f"| {r['method']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {by_size} | "
            f"{r['false_alarms_per_1000_days']:.2f} | {r['ms_per_series']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--series", type=int, default=60)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", default="anomalies", help="result name under benchmarks/results")
    args = parser.parse_args()
    rows = evaluate(args.series, args.days, args.seed)
    text = markdown(rows, args.series, args.days)
    print(text)
    if args.output:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{args.output}.md").write_text(text)
        (RESULTS / f"{args.output}.json").write_text(
            json.dumps({"rows": rows, "arguments": vars(args)}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()

"""Speed and memory of the whole feedback analysis: import → normalise → embed → dedupe → classify → theme → name.

Builds N items (default 100,000) from the real Banking77 and Mini-BAR texts: each public text once, then new texts
made by joining two random public texts (so almost every item is a distinct text that must be embedded), with 5 %
exact re-cased copies and 2 % near copies mixed in. The items are written to a CSV and imported with the CSV
importer, analysed in one run, then 1,000 more items are added and analysed incrementally. Prints items per second
per stage, wall time and peak memory (RSS) next to the targets (≤ 5 min, ≤ 4 GB; +1,000 items ≤ 20 s).

Run: ``.venv/bin/python benchmarks/feedback_pipeline.py [--items 100000] [--incremental 1000]``
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from _feedback_common import banking77, machine_note, markdown_table, read_csv, shared_data, write_results
from northstar.feedback.engine.embeddings import runtime_name
from northstar.feedback.engine.pipeline import AnalysisRun, FeedbackText, analyse
from northstar.feedback.importers.mapping import ColumnMapping, import_table


def public_texts() -> list[str]:
    texts = banking77("train")[0] + banking77("test")[0]
    for path in sorted((shared_data() / "feedback" / "minibar" / "for_classification").glob("*.csv")):
        texts += [r["data"] for r in read_csv(path)]
    return texts


def build_items(count: int, pool: list[str], seed: int, start: int = 0) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    items: list[tuple[str, str]] = []
    for number in range(count):
        roll = rng.random()
        if items and roll < 0.05:
            text = items[int(rng.integers(len(items)))][1].upper()
        elif items and roll < 0.07:
            text = items[int(rng.integers(len(items)))][1] + " Please fix."
        elif start + number < len(pool):
            text = pool[start + number]
        else:
            a, b = rng.integers(len(pool), size=2)
            text = f"{pool[int(a)]} {pool[int(b)]}"
        items.append((f"item-{start + number}", text))
    return items


def write_and_import(items: list[tuple[str, str]], folder: Path) -> list[FeedbackText]:
    path = folder / "feedback.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(items)
    result = import_table(path, ColumnMapping(text="text", external_id="id"), source="benchmark")
    return [FeedbackText(r.external_id, r.text) for r in result.records]


HEADER = ["stage", "items", "wall s", "CPU s", "items/s (wall)", "items/s (2 cores, from CPU s)"]


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def stage_rows(run: AnalysisRun, import_seconds: float, imported: int) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "import (CSV)",
            imported,
            f"{import_seconds:.1f}",
            "—",
            f"{imported / max(import_seconds, 1e-9):.0f}",
            "—",
        ]
    ]
    for name, seconds in run.timer.seconds.items():
        count = run.timer.counts[name]
        cpu = run.timer.cpu_seconds[name]
        rows.append(
            [
                name,
                count,
                f"{seconds:.1f}",
                f"{cpu:.1f}",
                f"{count / max(seconds, 1e-9):.0f}",
                f"{2 * count / max(cpu, 1e-9):.0f}",
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--incremental", type=int, default=1_000)
    arguments = parser.parse_args()
    pool = public_texts()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        items = write_and_import(build_items(arguments.items, pool, seed=1), Path(folder))
        import_seconds = time.perf_counter() - started
        run, state = analyse(items)
        full_seconds = time.perf_counter() - started
        extra_started = time.perf_counter()
        more = write_and_import(
            build_items(arguments.incremental, pool, seed=2, start=arguments.items), Path(folder)
        )
        extra_import = time.perf_counter() - extra_started
        extra_run, state = analyse(items + more, state)
        extra_seconds = time.perf_counter() - extra_started
    peak = peak_memory_gb()
    themes = state.theme_set.themes if state.theme_set else []
    body = (
        f"{arguments.items:,} items ({len(pool):,} public texts + joined pairs, 5 % exact and 2 % near copies); "
        f"embedding runtime: **{runtime_name()}**. Machine: {machine_note()}.\n\n"
        + "### Full analysis\n\n"
        + markdown_table(HEADER, stage_rows(run, import_seconds, len(items)))
        + f"\n\nTotal **{full_seconds:.1f} s** (target ≤ 300 s); {len(themes)} themes; "
        f"{len(run.duplicate_groups):,} duplicate groups.\n\n"
        + f"### +{arguments.incremental:,} items, incremental\n\n"
        + markdown_table(HEADER, stage_rows(extra_run, extra_import, len(more)))
        + f"\n\nTotal **{extra_seconds:.1f} s** (target ≤ 20 s); {extra_run.new_candidate_themes} candidate themes.\n\n"
        + f"Peak memory (RSS): **{peak:.2f} GB** (target ≤ 4 GB).\n\n"
        + "Wall time depends on what else runs on the machine; the last column divides CPU seconds by the two "
        "cores (what the stage would take with both cores to itself, assuming it keeps both busy)."
    )
    data = {
        "items": arguments.items,
        "runtime": runtime_name(),
        "full_seconds": full_seconds,
        "incremental_seconds": extra_seconds,
        "peak_gb": peak,
        "stages": {
            k: {"seconds": v, "cpu_seconds": run.timer.cpu_seconds[k], "items": run.timer.counts[k]}
            for k, v in run.timer.seconds.items()
        },
        "incremental_stages": {
            k: {"seconds": v, "items": extra_run.timer.counts[k]} for k, v in extra_run.timer.seconds.items()
        },
        "themes": len(themes),
    }
    suffix = "" if arguments.items == 100_000 else f"_{arguments.items}"
    write_results(f"feedback_pipeline{suffix}", f"Feedback pipeline: {arguments.items:,} items", body, data)


if __name__ == "__main__":
    main()

"""Which features and regularisation train-your-own taxonomies use, chosen leave-one-set-out on the train sets.

Every candidate (feature blocks × regularisation) is trained by ``train_taxonomy`` on each development-suite train
set's train part and scored by macro-F1 on its test part, beside the suite's two baselines in the same run (MiniLM +
logistic regression, word TF-IDF + logistic regression). Then, DEV_SUITE.md's protocol for defaults: for each set,
the candidate with the best mean on the *other* sets is what that set would have been given, and its score there is
the honest estimate of the default on unseen data. HINT3's three bots count as one set (their mean).

Run: ``.venv/bin/python benchmarks/taxonomy_features.py [--embedding-cache CACHE.npz] [--limit N]``
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import feedback_suite_data as data
from _feedback_common import machine_note, markdown_table, write_results
from feedback_suite_methods import (
    baseline_predictions,
    embed,
    load_embedding_cache,
    macro_f1,
    save_embedding_cache,
    stratified_sample,
)
from northstar.feedback.engine.taxonomy import TaxonomySettings, train_taxonomy

#: (name, settings): blocks weighted embedding / words / characters; "C" the inverse regularisation strength.
CANDIDATES: list[tuple[str, TaxonomySettings]] = [
    ("embedding + words, C 10 (before)", TaxonomySettings(1.0, 1.0, 0.0, (10.0,))),
    ("embedding, C 1", TaxonomySettings(1.0, 0.0, 0.0, (1.0,))),
    ("words + characters, C 10", TaxonomySettings(0.0, 1.0, 1.0, (10.0,))),
    ("embedding + words + characters, C 1", TaxonomySettings(1.0, 1.0, 1.0, (1.0,))),
    ("embedding + words + characters, C 10", TaxonomySettings(1.0, 1.0, 1.0, (10.0,))),
    ("2 × embedding + words + characters, C 1", TaxonomySettings(2.0, 1.0, 1.0, (1.0,))),
    ("2 × embedding + words + characters, C 10", TaxonomySettings(2.0, 1.0, 1.0, (10.0,))),
    ("2 × embedding + words + characters, C by CV (default)", TaxonomySettings()),
]


def _group(name: str) -> str:
    return name.split("-")[0]


def _limit(texts: list[str], labels: list[str], limit: int | None) -> tuple[list[str], list[str]]:
    keep = stratified_sample(labels, limit)
    return [texts[i] for i in keep], [labels[i] for i in keep]


def run_set(split: data.LabelledSplit, limit: int | None) -> dict[str, Any]:
    train_x, train_y = _limit(split.train_texts, split.train_labels, limit)
    test_x, test_y = _limit(split.test_texts, split.test_labels, limit)
    train_v, test_v = embed(train_x), embed(test_x)
    scores: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for name, settings in CANDIDATES:
        started = time.perf_counter()
        model = train_taxonomy(train_x, train_y, train_v, settings)
        seconds[name] = round(time.perf_counter() - started, 1)
        scores[name] = macro_f1(test_y, [p.label for p in model.predict(test_x, test_v)])
    baselines = {n: macro_f1(test_y, p) for n, p in baseline_predictions(train_x, train_y, test_x).items()}
    singletons = sum(1 for n in Counter(train_y).values() if n == 1)
    return {
        "set": split.name,
        "group": _group(split.name),
        "n": f"{len(train_x):,} / {len(test_x):,}",
        "single_example_labels": singletons,
        "scores": scores,
        "seconds": seconds,
        "baselines": baselines,
    }


def by_group(rows: Sequence[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    """Per set group (HINT3's bots averaged), the mean of each entry of ``row[key]``."""
    groups: dict[str, list[dict[str, float]]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row[key])
    return {g: {n: float(np.mean([v[n] for v in values])) for n in values[0]} for g, values in groups.items()}


def leave_one_set_out(scores: dict[str, dict[str, float]]) -> dict[str, tuple[str, float]]:
    """For each group: the candidate best on the mean of the other groups, and its score on this group."""
    chosen: dict[str, tuple[str, float]] = {}
    if len(scores) < 2:
        return chosen
    for held_out in scores:
        others = [g for g in scores if g != held_out]
        names = list(scores[held_out])
        best = max(names, key=lambda n: float(np.mean([scores[g][n] for g in others])))
        chosen[held_out] = (best, scores[held_out][best])
    return chosen


def report(rows: list[dict[str, Any]], seconds: float) -> tuple[str, dict[str, Any]]:
    names = [n for n, _ in CANDIDATES]
    candidate_rows = []
    for row in rows:
        best_baseline = max(row["baselines"].values())
        candidate_rows.append(
            [row["set"], row["n"], row["single_example_labels"]]
            + [f"{row['scores'][n]:.2f}" for n in names]
            + [f"{best_baseline:.2f}"]
        )
    group_scores = by_group(rows, "scores")
    group_baselines = by_group(rows, "baselines")
    means = {n: float(np.mean([group_scores[g][n] for g in group_scores])) for n in names}
    best_baseline_mean = float(np.mean([max(group_baselines[g].values()) for g in group_baselines]))
    candidate_rows.append(
        ["**mean (HINT3 as one set)**", "", ""]
        + [f"{means[n]:.2f}" for n in names]
        + [f"{best_baseline_mean:.2f}"]
    )
    table = markdown_table(
        ["set", "n train / test", "labels with one example", *names, "best baseline"], candidate_rows
    )
    chosen = leave_one_set_out(group_scores)
    loso_rows = [
        [
            g,
            name,
            f"{score:.2f}",
            f"{group_scores[g][names[-1]]:.2f}",
            f"{max(group_baselines[g].values()):.2f}",
        ]
        for g, (name, score) in chosen.items()
    ]
    loso_rows.append(
        [
            "**mean**",
            "",
            f"{np.mean([s for _, s in chosen.values()]):.2f}" if chosen else "—",
            f"{means[names[-1]]:.2f}",
            f"{best_baseline_mean:.2f}",
        ]
    )
    loso = markdown_table(
        [
            "held-out set",
            "chosen on the other sets",
            "its macro-F1 here",
            "default's macro-F1",
            "best baseline",
        ],
        loso_rows,
    )
    body = (
        f"{machine_note()} Total {seconds:.0f} s.\n\n"
        "Test macro-F1 of each candidate, every one trained by `train_taxonomy` on the set's train part (all labels, "
        "single-example ones included); the best baseline is the better of MiniLM + LR and word TF-IDF + LR trained "
        "on the same part.\n\n"
        f"{table}\n\n## Leave one set out\n\n"
        "The candidate a set would have been given had it not been looked at (best mean on the others), beside the "
        "shipped default.\n\n"
        f"{loso}\n"
    )
    return body, {"rows": rows, "means": means, "leave_one_set_out": chosen, "seconds": seconds}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedding-cache", type=Path, help="EmbeddingCache .npz to load and save")
    parser.add_argument("--limit", type=int, help="stratified subsample of N rows per set part")
    parser.add_argument("--sets", help="comma-separated train set names (default: all)")
    arguments = parser.parse_args(argv)
    if arguments.embedding_cache and arguments.embedding_cache.exists():
        load_embedding_cache(arguments.embedding_cache)
    wanted = set(arguments.sets.split(",")) if arguments.sets else None
    started = time.perf_counter()
    rows = []
    for name, load in data.TRAIN_SETS.items():
        if wanted and name not in wanted:
            continue
        try:
            split = load()
        except (OSError, KeyError, ValueError) as error:
            print(f"{name}: — ({error})")
            continue
        row = run_set(split, arguments.limit)
        print(f"{name}: {row['scores']} baselines {row['baselines']}", flush=True)
        rows.append(row)
    if arguments.embedding_cache:
        save_embedding_cache(arguments.embedding_cache)
    if not rows:
        print("no train set could be read")
        return
    body, payload = report(rows, time.perf_counter() - started)
    print(body)
    if not arguments.limit and not wanted:
        write_results(
            "taxonomy_features",
            "Train-your-own: features and regularisation, leave one set out",
            body,
            payload,
        )


if __name__ == "__main__":
    main()

"""The feedback development suite (issue 13, step 1): every task on every set, Northstar beside simple baselines.

Northstar is run exactly as a user runs it: the stateless commands ``northstar feedback themes``, ``train`` and
``classify`` (in-process, through ``northstar.cli:app``). The baselines run in the same process on the same rows:
TF-IDF + logistic regression and MiniLM + logistic regression (train, kind, sentiment; each trained on the set's own
train part), MiniLM + k-means given the true number of labels and MiniLM + HDBSCAN (themes). The sets, splits and
label mappings are those of ``shared/data/feedback/DEV_SUITE.md`` (read by ``feedback_suite_data``); the protocol is
in ``docs/feedback-suite.md``.

Run: ``PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/feedback_suite.py
--embedding-cache ../cache/suite_embeddings_fp32.npz`` (``--tasks``, ``--sets``, ``--limit`` for quick runs,
``--format json`` for the rows, ``--out DIR`` for where the .md/.json go).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import feedback_suite_data as data
from _feedback_common import RESULTS, machine_note
from feedback_suite_methods import (
    HDBSCAN,
    Metric,
    ProductError,
    SetResult,
    accuracy,
    ari,
    baseline_predictions,
    binary_f1,
    cluster_baselines,
    embed,
    hdbscan_min_cluster_size,
    kmeans_labels,
    load_embedding_cache,
    macro_f1,
    majority,
    measured,
    missing,
    nmi,
    percent,
    product_classify,
    product_themes,
    product_train_and_classify,
    save_embedding_cache,
    stratified_sample,
)
from feedback_suite_report import HEADLINE, METRICS, NAMES_SHOWN, TASKS, print_tables, report_markdown


def _take(values: Sequence[Any] | None, keep: Sequence[int]) -> list[Any]:
    return [values[i] for i in keep] if values is not None else []


# --- themes --------------------------------------------------------------------------------------------------------


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _name_similarity(names: list[str], gold_names: list[str]) -> float | None:
    """Mean cosine (MiniLM) between each theme's name and the readable name of its majority gold label."""
    pairs = [(n, g) for n, g in zip(names, gold_names, strict=True) if n.strip() and g.strip()]
    if not pairs:
        return None
    left, right = _unit(embed([n for n, _ in pairs])), _unit(embed([g for _, g in pairs]))
    return percent(float(np.mean(np.sum(left * right, axis=1))))


def kept_in_theme(before: Sequence[Any], after: Sequence[Any]) -> float | None:
    """Of the items themed in both runs, the share (%) that stay together: each earlier theme is matched to the
    later theme holding most of its items, and an item is kept when it is in its theme's match (issue 13's bar:
    adding 10 % more items keeps at least 90 % of the earlier ones in their theme)."""
    pairs = [(b, a) for b, a in zip(before, after, strict=True) if b is not None and a is not None]
    if not pairs:
        return None
    by_theme: dict[Any, Counter[Any]] = {}
    for b, a in pairs:
        by_theme.setdefault(b, Counter())[a] += 1
    kept = sum(counts.most_common(1)[0][1] for counts in by_theme.values())
    return percent(kept / len(pairs))


def themes_task(theme_set: data.ThemeSet, limit: int | None) -> SetResult:
    keep = stratified_sample(theme_set.labels, limit)
    texts, labels = _take(theme_set.texts, keep), _take(theme_set.labels, keep)
    parents = _take(theme_set.parents, keep) if theme_set.parents else None
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    report = product_themes(texts)
    timings["northstar_seconds"] = round(time.perf_counter() - started, 2)
    by_id = {t["id"]: t for t in report["themes"]}
    parent_ids = {t["parent"] for t in report["themes"] if t.get("parent")}
    leaves = [t for t in report["themes"] if t["id"] not in parent_ids]
    assigned = [a.get("theme") for a in report["assignments"]]
    predicted = [a if a is not None else "unthemed" for a in assigned]

    started = time.perf_counter()
    vectors = embed(texts)
    k = len(set(labels))
    baselines = cluster_baselines(vectors, k)
    timings["baseline_seconds"] = round(time.perf_counter() - started, 2)

    def headline(pred: Sequence[Any]) -> float:
        return round((nmi(labels, pred) + ari(labels, pred)) / 2, 2)

    noise = percent(np.mean([b == -1 for b in baselines[HDBSCAN]]))
    metrics = [
        Metric(HEADLINE["themes"], headline(predicted), {n: headline(p) for n, p in baselines.items()}),
        Metric("NMI", nmi(labels, predicted), {n: nmi(labels, p) for n, p in baselines.items()}),
        Metric("ARI", ari(labels, predicted), {n: ari(labels, p) for n, p in baselines.items()}),
        Metric("themes", float(len(leaves)), {"gold labels": float(k)}),
        Metric(
            "unthemed %", percent(np.mean([a is None for a in assigned])), {f"{HDBSCAN} noise": noise}, True
        ),
    ]
    earlier = sorted(np.random.default_rng(0).permutation(len(texts))[: int(0.9 * len(texts))].tolist())
    smaller = [a.get("theme") for a in product_themes([texts[i] for i in earlier])["assignments"]]
    later = [assigned[i] for i in earlier]
    reference = kmeans_labels(vectors, k)
    metrics.append(
        Metric(
            "stability %",
            kept_in_theme(smaller, later),
            {
                "MiniLM + k-means (true k)": kept_in_theme(
                    kmeans_labels(vectors[earlier], k), [reference[i] for i in earlier]
                )
            },
        )
    )
    if parents:
        parent_of = [
            (a.get("parent") or by_id.get(a.get("theme"), {}).get("parent") or a.get("theme") or "unthemed")
            for a in report["assignments"]
        ]
        parent_k = len(set(parents))
        reference = kmeans_labels(vectors, parent_k)
        metrics.append(
            Metric(
                "parent NMI",
                nmi(parents, parent_of),
                {"MiniLM + k-means (true parent k)": nmi(parents, reference)},
            )
        )
    else:
        metrics.append(Metric("parent NMI", None))

    members: dict[str, list[str]] = {}
    for theme, label in zip(assigned, labels, strict=True):
        if theme is not None:
            members.setdefault(theme, []).append(label)
    named = [t for t in leaves if t["id"] in members]
    gold = [majority(members[t["id"]]) for t in named]
    gold_names = [theme_set.label_names.get(g, str(g)) for g in gold]
    if theme_set.label_names and named:
        keywords = [" ".join(t.get("keywords", [])[:3]) for t in named]
        metrics.append(
            Metric(
                "name similarity",
                _name_similarity([t["name"] for t in named], gold_names),
                {"top-3 keywords": _name_similarity(keywords, gold_names)},
            )
        )
    else:
        metrics.append(Metric("name similarity", None))
    sample = sorted(zip(named, gold_names, gold, strict=True), key=lambda row: -len(members[row[0]["id"]]))
    names = [
        {
            "name": t["name"],
            "size": len(members[t["id"]]),
            "gold": gold_name,
            "purity": percent(Counter(members[t["id"]])[label] / len(members[t["id"]])),
        }
        for t, gold_name, label in sample[:NAMES_SHOWN]
    ]
    extra = {
        **timings,
        "gold_k": k,
        "hdbscan_min_cluster_size": hdbscan_min_cluster_size(len(texts)),
        "hdbscan_clusters": len(set(baselines[HDBSCAN]) - {-1}),
        "names": names,
    }
    return SetResult("themes", theme_set.name, metrics, f"{len(texts):,}", extra=extra)


# --- train your own ------------------------------------------------------------------------------------------------


def _limited(texts: list[str], labels: list[str], limit: int | None, drop_rare: bool) -> tuple[list, list]:
    keep = stratified_sample(labels, limit)
    texts, labels = _take(texts, keep), _take(labels, keep)
    if drop_rare and limit is not None:  # a subsample can leave a label with one example; training needs two
        counts = Counter(labels)
        pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if counts[y] >= 2]
        texts, labels = [t for t, _ in pairs], [y for _, y in pairs]
    return texts, labels


def train_task(split: data.LabelledSplit, limit: int | None) -> SetResult:
    train_x, train_y = _limited(split.train_texts, split.train_labels, limit, drop_rare=True)
    test_x, test_y = _limited(split.test_texts, split.test_labels, limit, drop_rare=False)
    started = time.perf_counter()
    predicted = product_train_and_classify(train_x, train_y, test_x)
    product_seconds = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    baselines = baseline_predictions(train_x, train_y, test_x)
    metrics = [
        Metric(
            HEADLINE["train"],
            macro_f1(test_y, predicted),
            {n: macro_f1(test_y, p) for n, p in baselines.items()},
        ),
        Metric(
            "accuracy", accuracy(test_y, predicted), {n: accuracy(test_y, p) for n, p in baselines.items()}
        ),
    ]
    extra = {
        "northstar_seconds": product_seconds,
        "baseline_seconds": round(time.perf_counter() - started, 2),
    }
    return SetResult(
        "train",
        split.name,
        metrics,
        f"{len(train_x):,} / {len(test_x):,}",
        split.name.split("-")[0],
        extra=extra,
    )


# --- default kind model --------------------------------------------------------------------------------------------


def _kind(name: str) -> str:
    return str(name).replace("_", " ").strip().lower()


def _kind_metrics(
    bug: list[bool], feature: list[bool], predicted: dict[str, tuple[list, list]]
) -> list[Metric]:
    """Mean of the F1 of bug and of feature request; ``predicted`` maps a method to its (bug, feature) flags."""
    bug_f1 = {m: binary_f1(bug, b) for m, (b, _) in predicted.items()}
    feature_f1 = {m: binary_f1(feature, f) for m, (_, f) in predicted.items()}
    mean = {m: round((bug_f1[m] + feature_f1[m]) / 2, 2) for m in predicted}
    ours = "Northstar"
    others = [m for m in predicted if m != ours]
    return [
        Metric(HEADLINE["kind"], mean[ours], {m: mean[m] for m in others}),
        Metric("F1 bug", bug_f1[ours], {m: bug_f1[m] for m in others}),
        Metric("F1 feature request", feature_f1[ours], {m: feature_f1[m] for m in others}),
    ]


def kind_task(split: data.LabelledSplit | data.MultiLabelSplit, limit: int | None) -> SetResult:
    """Northstar's default kind model (no training) against baselines trained on the set's own train part."""
    started = time.perf_counter()
    # Mini-BAR: problem_report scores bug, feature_request scores feature request
    if isinstance(split, data.MultiLabelSplit):
        combos = lambda flags: ["".join(map(str, f)) for f in flags]  # noqa: E731
        train_keep = stratified_sample(combos(split.train_flags), limit)
        test_keep = stratified_sample(combos(split.test_flags), limit)
        train_x, train_f = (
            _take(split.train_texts, train_keep),
            np.array(_take(split.train_flags, train_keep)),
        )
        test_x, test_f = _take(split.test_texts, test_keep), np.array(_take(split.test_flags, test_keep))
        bug, feature = [bool(f[0]) for f in test_f], [bool(f[1]) for f in test_f]
        items = product_classify(test_x)
        product_seconds = time.perf_counter() - started
        predicted = {
            name: ([bool(f[0]) for f in flags], [bool(f[1]) for f in flags])
            for name, flags in baseline_predictions(train_x, train_f, test_x, multi=True).items()
        }
    else:
        train_x, train_y = _limited(split.train_texts, split.train_labels, limit, drop_rare=False)
        test_x, test_y = _limited(split.test_texts, split.test_labels, limit, drop_rare=False)
        bug, feature = [y == "bug" for y in test_y], [y == "feature request" for y in test_y]
        items = product_classify(test_x)
        product_seconds = time.perf_counter() - started
        predicted = {
            name: ([_kind(p) == "bug" for p in labels], [_kind(p) == "feature request" for p in labels])
            for name, labels in baseline_predictions(train_x, train_y, test_x).items()
        }
    kinds = [_kind(item["kind"]) for item in items]
    predicted["Northstar"] = ([k == "bug" for k in kinds], [k == "feature request" for k in kinds])
    extra = {
        "northstar_seconds": round(product_seconds, 2),
        "baseline_seconds": round(time.perf_counter() - started - product_seconds, 2),
        "northstar_kinds": dict(Counter(kinds).most_common()),
    }
    return SetResult(
        "kind",
        split.name,
        _kind_metrics(bug, feature, predicted),
        f"{len(train_x):,} / {len(test_x):,}",
        extra=extra,
    )


# --- sentiment -----------------------------------------------------------------------------------------------------


def sentiment_task(split: data.LabelledSplit, limit: int | None) -> SetResult:
    """The sign of the default model's ``sentiment`` against baselines trained on the set's own train part."""
    train_x, train_y = _limited(split.train_texts, split.train_labels, limit, drop_rare=False)
    test_x, test_y = _limited(split.test_texts, split.test_labels, limit, drop_rare=False)
    started = time.perf_counter()
    items = product_classify(test_x)
    product_seconds = round(time.perf_counter() - started, 2)
    if not items or any("sentiment" not in item for item in items):
        raise KeyError("classify --format json items carry no 'sentiment' field")
    predicted = ["positive" if float(item["sentiment"]) > 0 else "negative" for item in items]
    started = time.perf_counter()
    baselines = baseline_predictions(train_x, train_y, test_x)
    metrics = [
        Metric(
            HEADLINE["sentiment"],
            accuracy(test_y, predicted),
            {n: accuracy(test_y, p) for n, p in baselines.items()},
        ),
        Metric(
            "macro-F1", macro_f1(test_y, predicted), {n: macro_f1(test_y, p) for n, p in baselines.items()}
        ),
    ]
    extra = {
        "northstar_seconds": product_seconds,
        "baseline_seconds": round(time.perf_counter() - started, 2),
    }
    return SetResult("sentiment", split.name, metrics, f"{len(train_x):,} / {len(test_x):,}", extra=extra)


KIND_SETS: dict[str, Callable[[], Any]] = {
    "minibar": data.minibar_kind,
    "clap": data.clap_kind,
    "software_forums": data.software_forums_kind,
}
RUNNERS: dict[str, tuple[dict[str, Callable[[], Any]], Callable[[Any, int | None], SetResult]]] = {
    "themes": (data.THEME_SETS, themes_task),
    "train": (data.TRAIN_SETS, train_task),
    "kind": (KIND_SETS, kind_task),
    "sentiment": (data.SENTIMENT_SETS, sentiment_task),
}


# --- running and reporting -----------------------------------------------------------------------------------------


def _selected(name: str, sets: set[str] | None) -> bool:
    return sets is None or name in sets or name.split("-")[0] in sets


def run_task(
    task: str, sets: set[str] | None, limit: int | None, log: Callable[[str], None]
) -> list[SetResult]:
    loaders, runner = RUNNERS[task]
    results = []
    for name, load in loaders.items():
        if not _selected(name, sets):
            continue
        timing: dict[str, Any] = {}
        with measured(timing):
            try:
                result = runner(load(), limit)
            except (
                OSError,
                sqlite3.Error,
                KeyError,
                ValueError,
                ProductError,
            ) as error:  # absent data, failed run
                result = missing(task, name, METRICS[task], error)
                result.group = name.split("-")[0] if task == "train" else ""
        result.extra.update(timing)
        log(
            f"{task:9s} {name:22s} {timing['seconds']:7.1f} s"
            + (f"  — {result.error}" if result.error else "")
        )
        results.append(result)
    return results


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tasks", default=",".join(TASKS), help="comma-separated: themes,train,kind,sentiment"
    )
    parser.add_argument("--sets", default=None, help="comma-separated set names (default: all)")
    parser.add_argument("--limit", type=int, default=None, help="stratified subsample of N rows per set part")
    parser.add_argument(
        "--embedding-cache", type=Path, default=None, help="EmbeddingCache .npz to load and save"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for feedback_suite.md/.json")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    options = parse_arguments(argv)
    tasks = [t.strip() for t in options.tasks.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise SystemExit(f"unknown task(s) {unknown}; choose from {', '.join(TASKS)}")
    sets = {s.strip() for s in options.sets.split(",")} if options.sets else None
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    cache_loaded = load_embedding_cache(options.embedding_cache) if options.embedding_cache else 0
    results: dict[str, list[SetResult]] = {}
    timings: dict[str, dict[str, Any]] = {}
    for task in tasks:
        timings[task] = {}
        with measured(timings[task]):
            results[task] = run_task(task, sets, options.limit, log)
    cache_saved = save_embedding_cache(options.embedding_cache) if options.embedding_cache else False
    settings = {
        "tasks": tasks,
        "sets": sorted(sets) if sets else "all",
        "limit": options.limit,
        "embedding_cache": str(options.embedding_cache) if options.embedding_cache else None,
        "cache_vectors_loaded": cache_loaded,
        "cache_saved": cache_saved,
        "seconds": round(time.perf_counter() - started, 1),
    }
    rows = [row for task_results in results.values() for result in task_results for row in result.rows()]
    payload = {
        "rows": rows,
        "tasks": timings,
        "sets": [
            {"task": r.task, "set": r.set, "size": r.size, "error": r.error, **r.extra}
            for task_results in results.values()
            for r in task_results
        ],
        "settings": settings,
        "machine": machine_note(),
    }
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / "feedback_suite.json").write_text(json.dumps(payload, indent=2, default=float) + "\n")
    (options.out / "feedback_suite.md").write_text(
        "# Feedback development suite\n\n" + report_markdown(results, timings, settings) + "\n",
        encoding="utf-8",
    )
    if options.format == "json":
        print(json.dumps(rows, indent=2, default=float))
    else:
        print_tables(results)
    return rows


if __name__ == "__main__":
    main()

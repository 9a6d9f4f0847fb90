"""360 aggregation: Northstar's anonymity-safe report against a naive per-group average.

Over random review cycles (0–6 raters per anonymous group, skipped questions, optional comments), count
how often each approach exposes data that rests on fewer than 3 raters (a group mean or comment from a
small group, or a question mean from fewer than 3 answers), how often the report changes when the same
answers arrive in another order (order leaks who wrote what), and the time per report.

Run: .venv/bin/python benchmarks/people_360_anonymity.py [--cycles 2000]
Writes benchmarks/results/people_360_anonymity.md and .json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from typing import Any

from _results import results_folder
from northstar.people.engine.reviews import (
    ANONYMOUS_GROUPS,
    Question,
    Questionnaire,
    RaterGroup,
    Response,
    aggregate_360,
)

QUESTIONS = Questionnaire(
    questions=(
        *(Question(f"q{i}", f"question {i}", competency_id=f"c{i % 3}") for i in range(6)),
        Question("free", "comment", kind="comment"),
    )
)

RATING_IDS = [q.id for q in QUESTIONS.questions if q.kind == "rating"]
RESULTS = results_folder()


def random_cycle(rng: random.Random) -> list[Response]:
    responses = [Response("subject", RaterGroup.SELF, {q: rng.randint(1, 5) for q in RATING_IDS})]
    responses.append(Response("boss", RaterGroup.MANAGER, {q: rng.randint(1, 5) for q in RATING_IDS}))
    n = 0
    for group in ANONYMOUS_GROUPS:
        for _ in range(rng.randint(0, 6)):
            n += 1
            ratings = {q: (rng.randint(1, 5) if rng.random() > 0.2 else None) for q in RATING_IDS}
            comments = {"free": f"note {n}"} if rng.random() > 0.4 else {}
            responses.append(Response(f"r{n}", group, ratings, comments))
    return responses


def naive_report(responses: list[Response]) -> dict[str, Any]:
    """What a simple tool does: a mean per group and question, and every comment in arrival order."""
    out: dict[str, Any] = {"means": {}, "comments": {}}
    for group in RaterGroup:
        members = [r for r in responses if r.group is group]
        for q in RATING_IDS:
            values = [v for r in members if (v := r.ratings.get(q)) is not None]
            if values:
                out["means"][(group.value, q)] = (sum(values) / len(values), len(values))
        texts = [t for r in members if (t := r.comments.get("free"))]
        if texts:
            out["comments"][group.value] = (texts, len(members))
    return out


def naive_exposures(report: dict[str, Any]) -> int:
    anonymous = {g.value for g in ANONYMOUS_GROUPS}
    bad = sum(1 for (g, _), (_, n) in report["means"].items() if g in anonymous and n < 3)
    bad += sum(1 for g, (_, n) in report["comments"].items() if g in anonymous and n < 3)
    return bad


def northstar_exposures(responses: list[Response]) -> int:
    report = aggregate_360("subject", QUESTIONS, responses)
    anonymous = {g.value for g in ANONYMOUS_GROUPS}
    bad = sum(
        1
        for q in report.questions
        for s in q.by_group
        if s.group in anonymous and s.mean is not None and (s.count or 0) < 3
    )
    sizes = {g.value: sum(r.group is g for r in responses) for g in ANONYMOUS_GROUPS}
    bad += sum(1 for b in report.comments if b.group in anonymous and sizes[b.group] < 3)
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cycles = [random_cycle(rng) for _ in range(args.cycles)]

    naive_bad = ns_bad = naive_order = ns_order = 0
    naive_times, ns_times = [], []
    for responses in cycles:
        shuffled = responses[:]
        rng.shuffle(shuffled)
        start = time.perf_counter()
        naive = naive_report(responses)
        naive_times.append(time.perf_counter() - start)
        naive_bad += naive_exposures(naive)
        naive_order += naive_report(shuffled) != naive
        start = time.perf_counter()
        ours = aggregate_360("subject", QUESTIONS, responses)
        ns_times.append(time.perf_counter() - start)
        ns_bad += northstar_exposures(responses)
        ns_order += aggregate_360("subject", QUESTIONS, shuffled) != ours

    rows = [
        {
            "approach": "naive per-group average",
            "exposures_below_3": naive_bad,
            "cycles_where_order_changes_report": naive_order,
            "median_ms_per_report": round(statistics.median(naive_times) * 1000, 3),
        },
        {
            "approach": "Northstar aggregate_360",
            "exposures_below_3": ns_bad,
            "cycles_where_order_changes_report": ns_order,
            "median_ms_per_report": round(statistics.median(ns_times) * 1000, 3),
        },
    ]
    header = "| approach | data shown from < 3 raters | cycles where answer order changes the report | median ms per report |"
    lines = [
        f"# 360 anonymity: {args.cycles} random cycles (seed {args.seed})",
        "",
        header,
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['approach']} | {r['exposures_below_3']} | {r['cycles_where_order_changes_report']} | {r['median_ms_per_report']} |"
        for r in rows
    ]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "people_360_anonymity.md").write_text(table + "\n", encoding="utf-8")
    (RESULTS / "people_360_anonymity.json").write_text(
        json.dumps({"cycles": args.cycles, "seed": args.seed, "rows": rows}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()

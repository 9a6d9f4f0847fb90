"""The feedback suite's tables: one per task (each set, Northstar beside the best baseline, the mean) and the names.

Shared by ``feedback_suite.py`` (markdown file and Rich tables) and its test; nothing here runs a method.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from _feedback_common import machine_note, markdown_table
from feedback_suite_methods import SetResult

TASKS = ("themes", "train", "kind", "sentiment")
HEADLINE = {
    "themes": "½(NMI+ARI)",
    "train": "macro-F1",
    "kind": "F1 bug & feature",
    "sentiment": "sign accuracy",
}
METRICS = {
    "themes": [
        HEADLINE["themes"],
        "NMI",
        "ARI",
        "themes",
        "unthemed %",
        "stability %",
        "parent NMI",
        "name similarity",
    ],
    "train": [HEADLINE["train"], "accuracy"],
    "kind": [HEADLINE["kind"], "F1 bug", "F1 feature request"],
    "sentiment": [HEADLINE["sentiment"], "macro-F1"],
}
NAMES_SHOWN = 20


def _mean(values: list[tuple[str, float | None]]) -> float | None:
    """Unweighted mean over suite rows: sets of one group (HINT3's bots) are averaged into one row first."""
    groups: dict[str, list[float]] = {}
    for group, value in values:
        if value is not None:
            groups.setdefault(group, []).append(value)
    if not groups:
        return None
    return round(float(np.mean([np.mean(v) for v in groups.values()])), 2)


def _cell(value: float | None, name: str | None = None, whole: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{value:.0f}" if whole else f"{value:.2f}"
    return f"{text} ({name})" if name else text


def task_table(task: str, results: list[SetResult]) -> tuple[list[str], list[list[str]]]:
    """One row per set and the mean row: each metric as Northstar, then the best baseline and which it is."""
    names = METRICS[task]
    header = ["set", "n" if task == "themes" else "n train / test"]
    for metric in names:
        header += [f"{metric}", f"{metric}: best baseline"]
    rows, columns = [], {m: [] for m in names}
    for result in results:
        row = [result.set, result.size or "—"]
        by_name = {m.name: m for m in result.metrics}
        for metric in names:
            found = by_name.get(metric)
            best, which = found.best() if found else (None, None)
            ours = found.northstar if found else None
            row += [_cell(ours, whole=metric == "themes"), _cell(best, which, whole=metric == "themes")]
            columns[metric].append((result.group or result.set, ours, best))
        rows.append(row)
    mean_row = ["**mean**", ""]
    for metric in names:
        mean_row += [
            _cell(_mean([(g, o) for g, o, _ in columns[metric]])),
            _cell(_mean([(g, b) for g, _, b in columns[metric]])),
        ]
    return header, [*rows, mean_row]


NOTES = {
    "themes": (
        "Northstar chooses the number of themes itself; unthemed items count as one extra cluster. Baselines get the "
        "same MiniLM vectors: k-means is given the true number of labels (random_state 0, 4 starts); HDBSCAN "
        "(scikit-learn) uses min_cluster_size = max(5, n // 500) and its noise counts as one label. Parent NMI scores "
        "the parent themes against the set's parent labels (HWU64 scenarios) beside k-means with the true number of "
        "parents. Name similarity: mean cosine (MiniLM) of each theme's name and its majority gold label's readable "
        "name, beside the theme's top-3 keywords joined. Stability: the themes of a fixed 90 % of the items, found "
        "from scratch, against the themes of all of them: the share of items (themed in both runs) that stay in the "
        "theme their earlier theme mostly went to; k-means (true k) the same way beside it."
    ),
    "train": (
        "`feedback train` on the train part, `feedback classify --model` on the test part; both baselines trained on "
        "the same train part. HINT3's three bots count as one row of the mean (their average)."
    ),
    "kind": (
        "Northstar's default kind model, untrained on these sets; both baselines are trained on each set's own train "
        "part, so they have an advantage the default model does not. Mini-BAR: problem_report scores bug, "
        "feature_request scores feature request (multi-label; one-vs-rest baselines). The shipped kind model was "
        "trained on Mini-BAR (its own 80/20 split), so most of this test part is data it has seen: read the Mini-BAR "
        "row as a training-fit check, not as generalisation."
    ),
    "sentiment": (
        "The sign of the default model's sentiment (> 0 positive); both baselines are trained on each set's own train "
        "part (the default model is not; it learned from Mini-BAR's star ratings)."
    ),
}


def names_section(results: list[SetResult]) -> str:
    parts = []
    for result in results:
        names = result.extra.get("names")
        if not names:
            continue
        rows = [[n["name"], n["size"], n["gold"], f"{n['purity']:.0f} %"] for n in names]
        parts.append(
            f"**{result.set}** ({NAMES_SHOWN} largest themes)\n\n"
            + markdown_table(["theme name", "items", "gold label of the majority", "purity"], rows)
        )
    return "\n\n".join(parts)


def report_markdown(
    results: dict[str, list[SetResult]], timings: dict[str, dict[str, Any]], settings: dict[str, Any]
) -> str:
    lines = [
        f"Machine: {machine_note()}. Settings: {json.dumps(settings)}. Total {settings.get('seconds', 0):.0f} s.",
    ]
    for task, task_results in results.items():
        header, rows = task_table(task, task_results)
        spent = timings.get(task, {})
        cost = (
            f"{spent.get('seconds', 0):.0f} s wall, {spent.get('cpu_seconds', 0):.0f} s CPU, "
            f"peak RSS {spent.get('peak_rss_mb', 0):.0f} MB"
        )
        lines += [
            f"## {task} (headline: {HEADLINE[task]}; {cost})",
            NOTES[task],
            markdown_table(header, rows),
        ]
    if "themes" in results and names_section(results["themes"]):
        lines += ["## Theme names beside the gold labels", names_section(results["themes"])]
    return "\n\n".join(lines)


def print_tables(results: dict[str, list[SetResult]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 200))
    for task, task_results in results.items():
        header, rows = task_table(task, task_results)
        table = Table(*header, title=f"{task} (headline: {HEADLINE[task]})", caption=NOTES[task])
        for row in rows:
            table.add_row(*[c.replace("**", "") for c in row])
        console.print(table)
        if task == "themes":
            for result in task_results:
                names = Table("theme name", "items", "gold label of the majority", "purity", title=result.set)
                for n in result.extra.get("names", []):
                    names.add_row(n["name"], str(n["size"]), n["gold"], f"{n['purity']:.0f} %")
                if result.extra.get("names"):
                    console.print(names)

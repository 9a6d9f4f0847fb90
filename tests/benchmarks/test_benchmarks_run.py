"""Every benchmark script runs on a tiny valid input in seconds, so none can rot unnoticed.

Each script is executed as ``python benchmarks/<name>.py <tiny arguments>`` would run it (``runpy`` in this process,
so the heavy imports are paid once), with ``NORTHSTAR_BENCHMARK_RESULTS`` pointing at a temporary folder: the
committed results under ``benchmarks/results`` are never overwritten. Inputs without a published reference must
print "—" rather than crash.
"""

from __future__ import annotations

import ast
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

# a five-job RCPSP in PSPLIB's .sm layout (source 1, jobs 2-4, sink 5), one renewable resource of capacity 4
TINY_SM = """\
************************************************************************
file with basedata            : tiny.bas
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       3
  3      1     2       2
  4      1     4       1
  5      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    4
************************************************************************
"""

# one OR-Library style knapsack: 6 items, 2 constraints, no published reference
TINY_MKP = """1
6 2 0
10 13 7 8 12 5
3 4 2 3 5 1
2 5 3 1 4 2
9 8
"""


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "results"
    monkeypatch.setenv("NORTHSTAR_BENCHMARK_RESULTS", str(folder))
    return folder


def run_script(name: str, *arguments: str) -> None:
    """Run ``benchmarks/<name>.py`` as a script with these arguments; a non-zero ``SystemExit`` fails."""
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(BENCHMARKS / f"{name}.py"), *arguments]
    sys.path.insert(0, str(BENCHMARKS))
    try:
        runpy.run_path(str(BENCHMARKS / f"{name}.py"), run_name="__main__")
    except SystemExit as stop:
        assert stop.code in (0, None), f"{name} exited with {stop.code}"
    finally:
        sys.argv, sys.path = saved_argv, saved_path


def test_psplib_without_a_published_optimum_prints_a_dash(
    tmp_path: Path, results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "tiny.sm"
    instance.write_text(TINY_SM)
    run_script(
        "psplib",
        "--instances",
        str(instance),
        "--optima",
        str(tmp_path / "none.sm"),
        "--time-limit",
        "2",
        "--workers",
        "1",
    )
    out = capsys.readouterr().out
    # the critical path is 3 + 4 = 7, but jobs 2 and 3 cannot overlap (3 + 2 > 4): makespan 3 + 2 + 4 = 9
    assert "| tiny | optimal | 9 | 9 | — | 9 |" in out
    assert "Mean deviation from the critical path: 28.57 %" in out
    assert "Mean gap to the published optimum: — %" in out
    assert (results / "psplib.md").exists() and (results / "psplib.json").exists()


def test_mkp_without_a_published_best_prints_a_dash(
    tmp_path: Path, results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "tiny.txt"
    instance.write_text(TINY_MKP)
    run_script(
        "mkp",
        "--instances",
        str(instance),
        "--best",
        str(tmp_path / "none.txt"),
        "--time-limit",
        "2",
        "--workers",
        "1",
    )
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| tiny-00 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "optimal" and cells[4] == "—" and cells[6] == "—"
    # brute force over the 64 subsets gives the optimum the solver must find
    best = max(
        sum(v for v, on in zip([10, 13, 7, 8, 12, 5], bits, strict=True) if on)
        for mask in range(64)
        for bits in [[(mask >> k) & 1 for k in range(6)]]
        if sum(w for w, on in zip([3, 4, 2, 3, 5, 1], bits, strict=True) if on) <= 9
        and sum(w for w, on in zip([2, 5, 3, 1, 4, 2], bits, strict=True) if on) <= 8
    )
    assert cells[2] == str(best)
    assert "mean gap to the 1998 best: — %" in out
    assert (results / "mkp.md").exists()


TOPICS = {
    "card_arrival": [
        "my new card has still not arrived",
        "when will the card I ordered be delivered",
        "the card was never delivered to my address",
        "how long does card delivery take",
        "still waiting for my card in the post",
        "card delivery is taking weeks",
    ],
    "exchange_rate": [
        "what exchange rate do you use for euros",
        "the currency conversion rate looks wrong",
        "why is the exchange rate so bad today",
        "how do you calculate the rate for dollars",
        "is the exchange rate fixed for transfers",
        "I was charged a poor conversion rate",
    ],
    "pin_blocked": [
        "my pin is blocked after three attempts",
        "how do I unblock my pin",
        "I entered the wrong pin and now it is locked",
        "pin locked, please help me reset it",
        "can you unlock my blocked pin code",
        "the atm blocked my pin",
    ],
}
# Mini-BAR columns: text, stars, problem report, feature request
REVIEWS = [
    ("the app crashes when I open it", 1, 1, 0),
    ("login fails with an error", 2, 1, 0),
    ("sync is broken since the update", 1, 1, 0),
    ("battery drains fast, fix it", 2, 1, 0),
    ("please add a dark mode", 4, 0, 1),
    ("I wish it had an export to csv", 3, 0, 1),
    ("add support for widgets please", 4, 0, 1),
    ("great app, love it", 5, 0, 0),
    ("works perfectly, five stars", 5, 0, 0),
    ("very useful and easy to use", 4, 0, 0),
]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def tiny_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Banking77 (3 intents, 18 texts per split) and Mini-BAR (60 reviews) in their real file layouts."""
    root = tmp_path / "data"
    feedback = root / "feedback"
    pairs = [(text, label) for label, texts in TOPICS.items() for text in texts]
    _csv(feedback / "banking77" / "train.csv", ["text", "category"], [[f"{t} please", y] for t, y in pairs])
    _csv(feedback / "banking77" / "test.csv", ["text", "category"], [[t, y] for t, y in pairs])
    header = [
        "data",
        "score",
        "thumbsUpCount",
        "problem_report",
        "feature_request",
        "irrelevant",
        "ori_lang",
        "app",
    ]
    for language in ("en", "fr"):
        rows: list[list[object]] = [
            [f"{text} {k} {language}", stars, 0, bug, request, int(not (bug or request)), language, "Tiny"]
            for k in range(3)
            for text, stars, bug, request in REVIEWS
        ]
        _csv(feedback / "minibar" / "for_classification" / f"Tiny.{language}.csv", header, rows)
    monkeypatch.setenv("NORTHSTAR_SHARED_DATA", str(root))
    return root


# script -> (tiny arguments, result files it must write, text its output must contain)
SMOKE: dict[str, tuple[list[str], list[str], str]] = {
    "cli_startup": (
        ["--repeat", "1", "--commands", "1", "--before", "HEAD"],
        ["cli_startup.md", "cli_startup.json"],
        "CLI start-up",
    ),
    "anomalies": (["--series", "2", "--days", "60"], ["anomalies.md", "anomalies.json"], "same weekday"),
    "experiments_stats": (
        ["--cases", "2", "--experiments", "3", "--looks", "2", "--users-per-look", "20"],
        ["experiments_stats.md"],
        "sequential always-valid",
    ),
    "people_360_anonymity": (["--cycles", "20"], ["people_360_anonymity.md"], "Northstar aggregate_360"),
    "planning_value": (
        ["--time-limit", "0.2", "--seeds", "1", "--workers", "1"],
        ["planning_value.md"],
        "greedy by score vs optimum",
    ),
    "feedback_import": (["--rows", "20"], ["feedback_import_sqlite.md"], "Zendesk JSON"),
    "inbox_filters": (
        ["--feedback", "200", "--repeat", "2", "--backends", "sqlite", "--out", "inbox_tiny"],
        ["inbox_tiny.md"],
        "kind + sentiment + segment",
    ),
    "queries": (
        ["--events", "2000", "--repeat", "1", "--no-peer"],
        ["queries_*.md", "queries_*.json"],  # named after the number of events generated
        "| funnel | northstar (DuckDB + kernel) |",
    ),
    "web_pages_profile": (
        ["--seed", "50", "--repeat", "1", "--only", "api/v1/ideas"],
        [],
        "GET /api/v1/ideas",
    ),
    "kind_model": ([], ["kind_model.md"], "Spearman"),
    "taxonomy": ([], ["taxonomy.md"], "Baseline: TF-IDF 1–2-grams + linear SVM"),
    "themes": ([], ["themes.md"], "k-means, true k = 3 (reference)"),
    "taxonomy_features": (["--sets", "banking77"], [], "| **mean** |"),
    "feedback_pipeline": (
        ["--items", "200", "--incremental", "20"],
        ["feedback_pipeline_200.md"],
        "Peak memory",
    ),
    "feedback_runtime_quality": (
        ["--demo-limit", "60"],
        ["feedback_runtime_quality.md"],
        "near-dup threshold",
    ),
    "feedback_scale": (
        ["--items", "100", "--incremental", "10", "--compare-items", "0", "--no-baseline"],
        ["feedback_scale.md"],
        "word pieces",
    ),
    "ingest": (
        ["--clients", "1", "--connections", "1", "--seconds", "0.5", "--workers", "1", "--batches", "3"],
        ["ingest.md", "ingest.json"],
        "northstar /batch/, 1 worker(s), loader running",
    ),
    "web_pages": (
        [
            *("--feedback", "40", "--ideas", "5", "--customers", "5", "--requests", "2", "--clients", "1"),
            *("--workers", "1", "--backends", "sqlite", "--generator", "httpx", "--no-write"),
        ],
        [],
        "GET /api/v1/ideas",
    ),
}
# covered elsewhere: psplib and mkp above; feedback_suite in test_feedback_suite.py (tiny synthetic sets)
ELSEWHERE = {"psplib", "mkp", "feedback_suite"}


def scripts() -> Iterator[str]:
    """Every benchmark with a ``if __name__ == "__main__":`` block (the rest are helper modules)."""
    for path in sorted(BENCHMARKS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body):
            yield path.stem


def test_every_benchmark_script_has_a_smoke_run() -> None:
    assert set(scripts()) == set(SMOKE) | ELSEWHERE


# each starts servers or child processes (15-25 s on the shared 2-core machine): marked slow
SLOW = {"ingest", "web_pages", "feedback_scale", "feedback_runtime_quality", "cli_startup"}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else []) for name in sorted(SMOKE)]
)
def test_benchmark_runs_on_a_tiny_input(
    name: str, tiny_data: Path, results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments, written, expected = SMOKE[name]
    if name == "queries":
        arguments = [*arguments, "--data-dir", str(tmp_path / "events")]
    run_script(name, *arguments)
    captured = capsys.readouterr()
    assert expected in captured.out + captured.err
    for pattern in written:
        files = list(results.glob(pattern))
        assert files and all(file.stat().st_size > 0 for file in files), pattern

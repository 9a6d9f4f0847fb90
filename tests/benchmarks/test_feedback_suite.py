"""The feedback suite runs end to end on tiny synthetic sets: one table per task, json rows, — for absent data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import feedback_suite  # type: ignore[import-not-found]
from feedback_suite_methods import stratified_sample  # type: ignore[import-not-found]

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
REVIEWS = {
    "BUG": ["the app crashes when I open it", "login fails with an error", "sync is broken since the update"],
    "FEATURE": ["please add a dark mode", "I wish it had an export to csv", "add support for widgets please"],
    "PRAISE": ["great app, love it", "works perfectly, five stars", "very useful and easy to use"],
}
SENTENCES = {
    "1": [
        "the battery life is excellent",
        "great sound and a sharp screen",
        "i love this camera",
        "works great",
    ],
    "0": [
        "the battery dies within an hour",
        "terrible sound and a dim screen",
        "i hate this camera",
        "it broke",
    ],
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def tiny_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Banking77, SNIPS, CLAP and CR in their real file layouts; every other suite folder is absent."""
    root = tmp_path / "data"
    feedback = root / "feedback"
    pairs = [(text, label) for label, texts in TOPICS.items() for text in texts]
    _csv(feedback / "banking77" / "train.csv", ["text", "category"], [[f"{t} please", y] for t, y in pairs])
    _csv(feedback / "banking77" / "test.csv", ["text", "category"], [[t, y] for t, y in pairs])
    for part in ("train", "test"):
        suffix = "" if part == "test" else " now"
        _write(feedback / "snips" / part / "seq.in", "\n".join(t + suffix for t, _ in pairs) + "\n")
        _write(feedback / "snips" / part / "label", "\n".join(y for _, y in pairs) + "\n")
    reviews = [[text, category, "3"] for category, texts in REVIEWS.items() for text in texts for _ in (0, 1)]
    reviews = [[f"{text} {i}", category, stars] for i, (text, category, stars) in enumerate(reviews)]
    _csv(feedback / "clap" / "rq1-raw-data.csv", ["review", "category", "rating"], reviews)
    lines = [f"{label} {text} {i}" for i in range(3) for label, texts in SENTENCES.items() for text in texts]
    _write(feedback / "cr" / "custrev.all", "\n".join(lines) + "\n")
    monkeypatch.setenv("NORTHSTAR_SHARED_DATA", str(root))
    return root


def test_suite_on_tiny_sets_prints_json_rows_and_writes_one_table_per_task(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    feedback_suite.main(["--format", "json", "--out", str(out)])
    rows = json.loads(capsys.readouterr().out)

    assert rows and all(
        set(row) == {"task", "set", "metric", "northstar", "best_baseline", "baseline_name"} for row in rows
    )
    scored = {(r["task"], r["set"]) for r in rows if r["northstar"] is not None}
    assert {
        ("themes", "banking77"),
        ("themes", "snips"),
        ("train", "banking77"),
        ("train", "snips"),
    } <= scored
    assert {("kind", "clap"), ("sentiment", "cr")} <= scored
    headline = {(r["task"], r["set"]): r for r in rows if r["metric"] == feedback_suite.HEADLINE[r["task"]]}
    assert headline[("train", "banking77")]["baseline_name"] in {"TF-IDF + LR", "MiniLM + LR"}
    assert 0 <= headline[("themes", "snips")]["northstar"] <= 100
    absent = {"stackoverflow", "hwu64", "hint3-sofmattress", "minibar", "software_forums", "sst2"}
    assert absent <= {r["set"] for r in rows if r["northstar"] is None}

    report = json.loads((out / "feedback_suite.json").read_text())
    assert set(report) >= {"rows", "tasks", "sets", "settings", "machine"}
    assert all({"seconds", "peak_rss_mb"} <= set(report["tasks"][task]) for task in feedback_suite.TASKS)
    markdown = (out / "feedback_suite.md").read_text()
    for task in feedback_suite.TASKS:
        assert f"## {task} (headline: {feedback_suite.HEADLINE[task]}" in markdown
    assert "| **mean** |" in markdown and "| stackoverflow | — |" in markdown
    assert "Theme names beside the gold labels" in markdown


def test_stratified_sample_keeps_every_label_in_file_order() -> None:
    labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 5
    kept = stratified_sample(labels, 20)
    assert len(kept) == 20 and kept == sorted(kept)
    assert {labels[i] for i in kept} == {"a", "b", "c"}
    assert stratified_sample(labels, None) == list(range(len(labels)))

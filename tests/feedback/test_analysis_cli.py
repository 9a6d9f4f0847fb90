"""The stateless commands (themes, classify, train, duplicates) work exactly as specified, on every input format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from northstar.feedback.analysis.cli import register
from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.kind import KINDS
from tests.feedback.analysis_support import TOPICS, shared_embedder

RUNNER = CliRunner()
TEXTS = [t for group in TOPICS.values() for t in group]
LABELS = [topic for topic, group in TOPICS.items() for _ in group]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def feedback_csv(tmp_path: Path) -> Path:
    rows = [
        {"ref": f"r{i}", "body": t, "label": label}
        for i, (t, label) in enumerate(zip(TEXTS, LABELS, strict=True))
    ]
    rows.append({"ref": "blank", "body": "   ", "label": ""})
    return write_csv(tmp_path / "feedback.csv", rows)


def run_json(app: typer.Typer, *args: str) -> dict:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_themes_gives_one_assignment_per_row_in_input_order(
    app: typer.Typer, feedback_csv: Path, embedder: Embedder
) -> None:
    output = run_json(
        app,
        "themes",
        "--input",
        str(feedback_csv),
        "--text-column",
        "body",
        "--id-column",
        "ref",
        "--format",
        "json",
    )
    assert [a["id"] for a in output["assignments"]] == [f"r{i}" for i in range(len(TEXTS))] + ["blank"]
    assert output["assignments"][-1]["theme"] is None
    theme_ids = {t["id"] for t in output["themes"]}
    assert {a["theme"] for a in output["assignments"][:-1]} <= theme_ids
    for theme in output["themes"]:
        assert {"id", "name", "keywords", "size", "parent"} <= set(theme)
        assert theme["parent"] is None or theme["parent"] in theme_ids
    parent_of = {t["id"]: t["parent"] for t in output["themes"]}
    for assignment in output["assignments"]:
        expected = parent_of[assignment["theme"]] if assignment["theme"] is not None else None
        assert assignment["parent"] == expected, "each assignment carries its theme's parent"


def test_themes_uses_row_numbers_without_an_id_column(app: typer.Typer, feedback_csv: Path) -> None:
    output = run_json(
        app, "themes", "--input", str(feedback_csv), "--text-column", "body", "--format", "json"
    )
    assert [a["id"] for a in output["assignments"]] == list(range(len(TEXTS) + 1))


def test_classify_gives_kind_confidence_and_sentiment(app: typer.Typer, feedback_csv: Path) -> None:
    output = run_json(
        app, "classify", "--input", str(feedback_csv), "--text-column", "body", "--format", "json"
    )
    items = output["items"]
    assert len(items) == len(TEXTS) + 1
    for item in items:
        assert set(item) == {"id", "kind", "confidence", "sentiment"}
        assert item["kind"] in KINDS and 0 <= item["confidence"] <= 1 and -1 <= item["sentiment"] <= 1
    assert items[-1] == {"id": len(TEXTS), "kind": "other", "confidence": 0.0, "sentiment": 0.0}


def test_train_then_classify_with_the_model_uses_its_labels(
    app: typer.Typer, feedback_csv: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model.npz"
    result = RUNNER.invoke(
        app,
        [
            "train",
            "--input",
            str(feedback_csv),
            "--text-column",
            "body",
            "--label-column",
            "label",
            "--model-out",
            str(model),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "regularisation C" in result.output, "the choice of regularisation is reported"
    output = run_json(
        app,
        "classify",
        "--input",
        str(feedback_csv),
        "--text-column",
        "body",
        "--model",
        str(model),
        "--format",
        "json",
    )
    predicted = [item["kind"] for item in output["items"][:-1]]
    assert set(predicted) <= set(TOPICS)
    assert sum(p == label for p, label in zip(predicted, LABELS, strict=True)) >= len(LABELS) - 1


def test_duplicates_groups_row_ids(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        [
            {"text": "Export is broken!"},
            {"text": "Dark mode please"},
            {"text": "export is broken"},
            {"text": ""},
        ],
    )
    output = run_json(app, "duplicates", "--input", str(path), "--text-column", "text", "--format", "json")
    assert output["groups"] == [[0, 2]]


def test_json_lines_and_parquet_inputs_are_read(app: typer.Typer, tmp_path: Path) -> None:
    lines = tmp_path / "f.jsonl"
    lines.write_text("\n".join(json.dumps({"t": t}) for t in TEXTS[:4]) + "\n", encoding="utf-8")
    parquet = tmp_path / "f.parquet"
    pq.write_table(pa.table({"t": TEXTS[:4]}), parquet)
    for path in (lines, parquet):
        output = run_json(app, "classify", "--input", str(path), "--text-column", "t", "--format", "json")
        assert len(output["items"]) == 4


def test_latin1_csv_is_read(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "latin.csv", [{"t": "Très lent à charger"}, {"t": "Crée un export"}], encoding="latin-1"
    )
    output = run_json(app, "classify", "--input", str(path), "--text-column", "t", "--format", "json")
    assert len(output["items"]) == 2


def test_missing_column_or_file_is_a_clear_error(
    app: typer.Typer, feedback_csv: Path, tmp_path: Path
) -> None:
    result = RUNNER.invoke(app, ["themes", "--input", str(feedback_csv), "--text-column", "nope"])
    assert result.exit_code == 2 and "'nope' not found" in result.output and "body" in result.output
    result = RUNNER.invoke(app, ["classify", "--input", str(tmp_path / "missing.csv"), "--text-column", "t"])
    assert result.exit_code == 2 and "no such file" in result.output
    result = RUNNER.invoke(
        app, ["classify", "--input", str(feedback_csv), "--text-column", "body", "--model", str(feedback_csv)]
    )
    assert result.exit_code == 2 and "not a Northstar taxonomy model" in result.output


def test_training_with_one_label_is_refused(app: typer.Typer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", [{"t": "a b", "l": "x"}, {"t": "c d", "l": "x"}])
    result = RUNNER.invoke(
        app,
        [
            "train",
            "--input",
            str(path),
            "--text-column",
            "t",
            "--label-column",
            "l",
            "--model-out",
            str(tmp_path / "m.npz"),
        ],
    )
    assert result.exit_code == 2 and "two different labels" in result.output

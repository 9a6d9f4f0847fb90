"""Stateless feedback commands for scripts and evaluation: themes, classify, train, duplicates.

They read a CSV, JSON Lines or Parquet file, need no workspace or database, and print JSON (``--format json``) or
a readable table. ``register(app)`` adds them to the ``northstar feedback`` Typer app. Bad input (missing file or
column, unreadable model) ends with a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from northstar.feedback.importers.records import ImportFormatError
from northstar.feedback.importers.tabular import read_table, require_columns

INPUT = typer.Option(..., "--input", help="CSV, JSON Lines or Parquet file.", exists=False)
TEXT_COLUMN = typer.Option(..., "--text-column", help="Column holding the feedback text.")
ID_COLUMN = typer.Option(None, "--id-column", help="Column holding the row id (default: 0-based row number).")
FORMAT = typer.Option("json", "--format", help="json (for scripts) or table (for people).")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _load(
    path: Path, text_column: str, id_column: str | None, extra: list[str] | None = None
) -> tuple[list[Any], list[Any], list[dict[str, Any]]]:
    try:
        rows = read_table(path)
        require_columns(rows, [text_column, *([id_column] if id_column else []), *(extra or [])], path.name)
    except ImportFormatError as error:
        raise _fail(str(error))
    ids = [row.get(id_column) for row in rows] if id_column else list(range(len(rows)))
    return ids, [row.get(text_column) for row in rows], rows


def _emit(payload: dict[str, Any], output_format: str, table_key: str, columns: list[str]) -> None:
    if output_format == "json":
        typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
        return
    if output_format != "table":
        raise _fail(f"unknown --format {output_format!r}; use json or table")
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for entry in payload[table_key]:
        table.add_row(
            *[
                json.dumps(entry.get(c), ensure_ascii=False)
                if not isinstance(entry.get(c), str)
                else entry[c]
                for c in columns
            ]
        )
    Console().print(table)


def themes(
    input: Path = INPUT,
    text_column: str = TEXT_COLUMN,
    id_column: str | None = ID_COLUMN,
    format: str = FORMAT,
) -> None:
    """Discover two-level themes (automatic number) and assign every row to one (null = outlier)."""
    from northstar.feedback.engine.batch import themes_report

    ids, texts, _ = _load(input, text_column, id_column)
    _emit(themes_report(ids, texts), format, "themes", ["id", "name", "size", "parent"])


def classify(
    input: Path = INPUT,
    text_column: str = TEXT_COLUMN,
    id_column: str | None = ID_COLUMN,
    model: Path | None = typer.Option(None, "--model", help="Taxonomy model trained with `train`."),
    format: str = FORMAT,
) -> None:
    """Kind (or your taxonomy's label with --model), confidence and sentiment for every row."""
    from northstar.feedback.engine.batch import classify_report
    from northstar.feedback.engine.taxonomy import TaxonomyError, TaxonomyModel

    taxonomy = None
    if model is not None:
        try:
            taxonomy = TaxonomyModel.load(model)
        except (TaxonomyError, FileNotFoundError) as error:
            raise _fail(str(error))
    ids, texts, _ = _load(input, text_column, id_column)
    _emit(classify_report(ids, texts, taxonomy), format, "items", ["id", "kind", "confidence", "sentiment"])


def train(
    input: Path = INPUT,
    text_column: str = TEXT_COLUMN,
    label_column: str = typer.Option(..., "--label-column", help="Column holding your category."),
    model_out: Path = typer.Option(..., "--model-out", help="Where to write the model (.npz)."),
) -> None:
    """Train a classifier on your own categories; use it with `classify --model`."""
    from northstar.feedback.engine.batch import train_report
    from northstar.feedback.engine.taxonomy import TaxonomyError

    _, texts, rows = _load(input, text_column, None, [label_column])
    try:
        trained = train_report(texts, [row.get(label_column) for row in rows])
    except TaxonomyError as error:
        raise _fail(str(error))
    trained.save(model_out)
    typer.echo(
        f"trained on {trained.trained_on:,} rows, {len(trained.labels)} labels → {model_out}", err=True
    )
    validation = trained.validation
    if validation:
        scores = ", ".join(f"C {float(c):g}: {f1:.1f}" for c, f1 in validation["scores"].items())
        typer.echo(
            f"regularisation C {trained.regularisation:g}, chosen by {validation['folds']}-fold cross-validated "
            f"macro-F1 on {validation['items']:,} rows ({scores})",
            err=True,
        )
    else:
        typer.echo(
            f"regularisation C {trained.regularisation:g} (too few examples per label to cross-validate)",
            err=True,
        )


def duplicates(
    input: Path = INPUT,
    text_column: str = TEXT_COLUMN,
    id_column: str | None = ID_COLUMN,
    format: str = FORMAT,
) -> None:
    """Groups of row ids that are exact or near duplicates of each other."""
    from northstar.feedback.engine.batch import duplicates_report

    ids, texts, _ = _load(input, text_column, id_column)
    report = duplicates_report(ids, texts)
    if format == "json":
        typer.echo(json.dumps(report, ensure_ascii=False, default=str))
    else:
        _emit({"rows": report["details"]}, format, "rows", ["ids", "exact"])


def register(app: typer.Typer) -> None:
    """Add the stateless commands to the ``northstar feedback`` app."""
    app.command("themes")(themes)
    app.command("classify")(classify)
    app.command("train")(train)
    app.command("duplicates")(duplicates)

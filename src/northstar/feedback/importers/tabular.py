"""Read CSV, TSV, JSON Lines, JSON arrays and Parquet into rows of plain dicts, whatever their encoding."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from northstar.feedback.engine.normalize import decode_bytes
from northstar.feedback.importers.records import ImportFormatError

Row = dict[str, Any]
FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("ndjson", "jsonlines"):
        return "jsonl"
    if suffix in ("pq", "parq"):
        return "parquet"
    if suffix in FORMATS:
        return suffix
    raise ImportFormatError(
        f"{path.name}: cannot tell the format from the extension; use .csv, .jsonl or .parquet"
    )


def read_csv_text(text: str, delimiter: str | None = None) -> list[Row]:
    csv.field_size_limit(1 << 27)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames:
        raise ImportFormatError("the CSV file has no header row")
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): v for k, v in row.items() if k is not None})
    return rows


def read_table(path: Path, file_format: str | None = None) -> list[Row]:
    """All rows of a table file as dicts (column name → value). Raises ``ImportFormatError`` with the reason."""
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    kind = file_format or detect_format(path)
    if kind == "parquet":
        try:
            import pyarrow.parquet as pq

            return list(pq.read_table(path).to_pylist())
        except Exception as error:  # pyarrow raises many types for broken files
            raise ImportFormatError(f"{path.name}: not a readable Parquet file ({error})") from error
    text = decode_bytes(path.read_bytes())
    if kind in ("csv", "tsv"):
        return read_csv_text(text, "\t" if kind == "tsv" else None)
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportFormatError(f"{path.name}: invalid JSON ({error})") from error
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [data])
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ImportFormatError(f"{path.name}: expected a JSON array of objects")
        return data
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportFormatError(f"{path.name}, line {number}: invalid JSON ({error.msg})") from error
        if not isinstance(value, dict):
            raise ImportFormatError(f"{path.name}, line {number}: expected a JSON object")
        rows.append(value)
    return rows


def require_columns(rows: list[Row], columns: list[str], source: str) -> None:
    """Fail with the missing and available column names when a needed column is absent."""
    if not rows:
        return
    available: list[str] = []
    for row in rows[:50]:
        available += [k for k in row if k not in available]
    missing = [c for c in columns if c not in available]
    if missing:
        raise ImportFormatError(
            f"{source}: column {', '.join(repr(m) for m in missing)} not found; columns are: {', '.join(available)}"
        )


def numbered_rows(path: Path, file_format: str) -> list[tuple[int, Row]]:
    """Rows of a JSON Lines or Parquet file with where each was found: its line number, or its 1-based row."""
    if file_format != "jsonl":
        return list(enumerate(read_table(path, file_format), start=1))
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    rows = []
    for number, line in enumerate(decode_bytes(path.read_bytes()).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportFormatError(f"{path.name}, line {number}: invalid JSON ({error.msg})") from error
        if not isinstance(value, dict):
            raise ImportFormatError(f"{path.name}, line {number}: expected a JSON object")
        rows.append((number, value))
    return rows

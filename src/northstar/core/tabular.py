"""Reading and writing CSV safely: encodings, header mapping, per-row validation, formula injection.

Imports are all-or-nothing: every row is validated first and each problem is reported with its row
number and column; nothing is written unless all rows are valid (or the caller chose to skip invalid
rows, in which case every skipped row is reported).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from northstar.core.errors import FieldError, ValidationFailed

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

MAX_FIELD_CHARS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
M = TypeVar("M", bound=BaseModel)


def decode_bytes(data: bytes, source: str = "file") -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252/Latin-1. Binary junk is refused."""
    if not data.strip():
        raise ValidationFailed(f"{source} is empty")
    if b"\x00" in data[:4096]:
        raise ValidationFailed(f"{source} looks binary (it contains NUL bytes), not CSV text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(
        f"{source} is not text in a known encoding"
    )  # pragma: no cover - latin-1 decodes all


def parse_mapping(spec: str | None) -> dict[str, str]:
    """Parse ``--map "file column=field,other=field2"`` into {file column: field}."""
    mapping: dict[str, str] = {}
    if not spec:
        return mapping
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValidationFailed(f"mapping {part!r} must look like 'file column=field'")
        column, target = (piece.strip() for piece in part.split("=", 1))
        mapping[column] = target
    return mapping


@dataclass
class ParsedRows:
    """The rows of a CSV file with their canonical field names."""

    headers: list[str]
    rows: list[dict[str, str]]


def read_csv(text: str, mapping: Mapping[str, str] | None = None, source: str = "file") -> ParsedRows:
    """Parse CSV text, renaming headers through ``mapping`` and normalising them (case, spaces)."""
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        raw_headers = next(reader)
    except StopIteration:
        raise ValidationFailed(f"{source} is empty")
    mapping = {_norm(k): v for k, v in (mapping or {}).items()}
    headers = [mapping.get(_norm(h), _norm(h)) for h in raw_headers]
    if not any(headers):
        raise ValidationFailed(f"{source} has no header row")
    rows: list[dict[str, str]] = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        rows.append({headers[i]: values[i] for i in range(min(len(headers), len(values))) if headers[i]})
    if not rows:
        raise ValidationFailed(f"{source} has a header but no rows")
    return ParsedRows(headers=headers, rows=rows)


def _norm(header: str) -> str:
    return header.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


@dataclass
class ValidatedRows:
    valid: list[tuple[int, Any]] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def validate_rows(
    parsed: ParsedRows, model: type[M], required: Iterable[str], skip_invalid: bool, source: str = "file"
) -> ValidatedRows:
    """Validate each row against ``model``. Row numbers count the header as row 1, like a spreadsheet."""
    missing = [column for column in required if column not in parsed.headers]
    if missing:
        raise ValidationFailed(
            f"{source} lacks the column(s) {', '.join(missing)}; found {', '.join(h for h in parsed.headers if h)}"
            " (use --map 'file column=field' to rename)",
            [FieldError(column, "missing column") for column in missing],
        )
    result = ValidatedRows()
    for index, row in enumerate(parsed.rows, start=2):
        too_long = [key for key, value in row.items() if len(value) > MAX_FIELD_CHARS]
        if too_long:
            for key in too_long:
                result.errors.append(FieldError(key, f"longer than {MAX_FIELD_CHARS} characters", row=index))
            continue
        cleaned = {key: (value.strip() if value.strip() != "" else None) for key, value in row.items()}
        try:
            result.valid.append((index, model.model_validate(cleaned)))
        except ValidationError as exc:
            for problem in exc.errors():
                column = ".".join(str(part) for part in problem["loc"]) or "row"
                result.errors.append(FieldError(column, problem["msg"], row=index))
    if result.errors and not skip_invalid:
        first = result.errors[0]
        raise ValidationFailed(
            f"{source}: {len(result.errors)} invalid value(s); first at row {first.row}, column "
            f"{first.field}: {first.message}. Nothing was imported (use --skip-invalid to import the valid rows).",
            result.errors,
        )
    return result


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in exported cells by prefixing a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Rows as CSV text with formula-injection protection."""
    columns = columns or (list(rows[0]) if rows else [])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(row.get(key)) for key in columns})
    return out.getvalue()

"""Generic CSV / JSON Lines / Parquet import with a column mapping (which column holds the text, the id, …)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from northstar.feedback.engine.normalize import clean_text
from northstar.feedback.importers.records import FeedbackRecord, ImportFormatError, ImportResult
from northstar.feedback.importers.tabular import read_table, require_columns


@dataclass(frozen=True)
class ColumnMapping:
    """Source column for each record field; only ``text`` is required. Without ``external_id`` the row number is used."""

    text: str
    external_id: str | None = None
    title: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    company: str | None = None
    customer_external_id: str | None = None
    rating: str | None = None
    votes: str | None = None
    url: str | None = None
    created_at: str | None = None
    tags: str | None = None

    def columns(self) -> list[str]:
        return [v for v in vars(self).values() if v]


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601, 'YYYY-MM-DD HH:MM:SS', US 'MM/DD/YYYY' or a Unix timestamp; None when empty or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value) / (1000 if value > 1e11 else 1))
    text = str(value).strip().replace("Z", "+00:00")
    for parser in (
        datetime.fromisoformat,
        lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z"),
        lambda s: datetime.strptime(s, "%m/%d/%Y %H:%M"),
        lambda s: datetime.strptime(s, "%m/%d/%Y"),
        lambda s: datetime.strptime(s, "%d %b %Y"),
        lambda s: datetime.strptime(s, "%b %d, %Y"),
    ):
        try:
            return parser(text)
        except ValueError:
            continue
    if text.isdigit():
        return parse_datetime(int(text))
    return None


def parse_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def split_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in str(value).replace(";", ",").split(",") if t.strip()]


def optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def records_from_rows(rows: list[dict[str, Any]], mapping: ColumnMapping, source: str) -> ImportResult:
    """Turn mapped rows into records; rows without text are reported in ``rejected`` with their number."""
    result = ImportResult()
    for number, row in enumerate(rows, start=1):
        text = clean_text(row.get(mapping.text))
        if not text:
            result.rejected.append((number, f"empty text in column {mapping.text!r}"))
            continue

        def get(column: str | None, row: dict[str, Any] = row) -> Any:
            return row.get(column) if column else None

        votes = parse_number(get(mapping.votes))
        result.records.append(
            FeedbackRecord(
                source=source,
                external_id=str(get(mapping.external_id) or f"row-{number}"),
                text=text,
                title=optional_text(get(mapping.title)),
                author_name=optional_text(get(mapping.author_name)),
                author_email=optional_text(get(mapping.author_email)),
                company=optional_text(get(mapping.company)),
                customer_external_id=optional_text(get(mapping.customer_external_id)),
                rating=parse_number(get(mapping.rating)),
                votes=int(votes) if votes is not None else None,
                url=optional_text(get(mapping.url)),
                created_at=parse_datetime(get(mapping.created_at)),
                tags=split_tags(get(mapping.tags)),
                extra={k: v for k, v in row.items() if k not in mapping.columns() and v not in (None, "")},
                row=number,
            )
        )
    return result


def import_table(
    path: Path, mapping: ColumnMapping, source: str = "file", file_format: str | None = None
) -> ImportResult:
    """Read a CSV, JSON Lines or Parquet file with a column mapping."""
    rows = read_table(path, file_format)
    if not rows:
        return ImportResult()
    require_columns(rows, [mapping.text], path.name)
    if mapping.external_id:
        require_columns(rows, [mapping.external_id], path.name)
    return records_from_rows(rows, mapping, source)


__all__ = ["ColumnMapping", "ImportFormatError", "import_table", "parse_datetime", "records_from_rows"]

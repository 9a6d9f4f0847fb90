"""Reading a finance export, CSV or XLSX, into header-named rows of text (the same shape for both).

An XLSX workbook is read from its first worksheet with openpyxl in read-only mode: the first non-empty row is the
header, dates become ISO dates, numbers their shortest decimal text (so 1234.5 stays ``1234.5``, never
``1234.4999``). Anything that is not a readable workbook is refused with the file's name; nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from decimal import Decimal

from northstar.core.errors import ValidationFailed
from northstar.core.tabular import ParsedRows, decode_bytes, read_csv

#: the first bytes of a ZIP container, which every XLSX workbook is
ZIP_MAGIC = b"PK\x03\x04"
#: the most rows a workbook import reads (a year of a large company's spend lines is far fewer)
MAX_XLSX_ROWS = 200_000


def is_xlsx(data: bytes, filename: str = "") -> bool:
    """True for a workbook: by its name (.xlsx, .xlsm) or by the ZIP signature every workbook starts with."""
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == ZIP_MAGIC


def _norm(header: str) -> str:
    return header.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    return str(value)


def read_xlsx(data: bytes, mapping: Mapping[str, str] | None = None, source: str = "file") -> ParsedRows:
    """The first worksheet's rows under their (mapped, normalised) headers, like ``core.tabular.read_csv``."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ValidationFailed(
            f"{source} is not a readable XLSX workbook ({type(error).__name__}); save it again as .xlsx or CSV"
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ValidationFailed(f"{source} has no worksheet")
        mapped = {_norm(k): v for k, v in (mapping or {}).items()}
        headers: list[str] | None = None
        rows: list[dict[str, str]] = []
        for values in sheet.iter_rows(values_only=True):
            texts = [_cell_text(v).strip() for v in values]
            if not any(texts):
                continue
            if headers is None:
                headers = [mapped.get(_norm(t), _norm(t)) for t in texts]
                continue
            if len(rows) >= MAX_XLSX_ROWS:
                raise ValidationFailed(f"{source} has more than {MAX_XLSX_ROWS:,} rows; split it")
            rows.append({headers[i]: texts[i] for i in range(min(len(headers), len(texts))) if headers[i]})
    finally:
        workbook.close()
    if headers is None or not any(headers):
        raise ValidationFailed(f"{source} has no header row")
    if not rows:
        raise ValidationFailed(f"{source} has a header but no rows")
    return ParsedRows(headers=headers, rows=rows)


def read_export(data: bytes, mapping: Mapping[str, str] | None = None, source: str = "file") -> ParsedRows:
    """A finance export as rows: XLSX when it is a workbook, else CSV text in any common encoding."""
    if not data.strip():
        raise ValidationFailed(f"{source} is empty")
    if is_xlsx(data, source):
        return read_xlsx(data, mapping, source)
    return read_csv(decode_bytes(data, source), mapping, source)

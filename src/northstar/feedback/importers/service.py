"""Use cases for importing feedback files of every supported kind, as background jobs.

A face stores the uploaded file (``store_upload``) and starts the ``feedback.import_file`` job with the returned
parameters; the job calls ``run_import``. The file is parsed (``importers/``), every item is checked, and nothing is
written unless all are valid — or, with ``skip_invalid``, every skipped row is reported. Items are then upserted on
(source, external id), so importing the same export again updates instead of duplicating.

Customers: the tools' exports (Zendesk, Intercom, Canny, Productboard, e-mail, …) are matched by the customer
external id they carry, then by e-mail or company domain, then by company name — and created when nothing matches.
Tables (CSV, JSON Lines, Parquet) keep the CSV import's rules: the columns are the user's own mapping, so an
unknown ``customer_external_id`` is an error with its row rather than a new customer.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, NotFound, PayloadTooLarge, ValidationFailed
from northstar.core.permissions import Actor
from northstar.core.schemas import ProblemFieldError
from northstar.core.tabular import ParsedRows, decode_bytes, read_csv, validate_rows
from northstar.feedback.importers.records import FeedbackRecord, ImportFormatError
from northstar.feedback.importers.registry import SOURCE_KINDS, SourceKind, import_file, source_kind
from northstar.feedback.importers.schemas import FeedbackImportReport, SourceKindRead
from northstar.feedback.importers.tabular import numbered_rows
from northstar.feedback.importers.writer import (
    CustomerMatcher,
    ImportItem,
    Progress,
    apply_plan,
    check_item,
    plan_items,
    stable_ref,
    valid_email,
)
from northstar.feedback.models.imports import FeedbackImportUpload
from northstar.feedback.schemas import FeedbackImportRow

JOB_KIND = "feedback.import_file"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_CLI_BYTES = 512 * 1024 * 1024
UPLOAD_TTL = timedelta(days=1)
SHOWN_ERRORS = 50


def source_kinds() -> list[SourceKindRead]:
    """Every kind of file that can be imported, for the faces' pickers and the API."""
    return [
        SourceKindRead(
            key=k.key,
            label=k.label,
            description=k.description,
            channel=k.channel,
            extensions=list(k.extensions),
            takes_mapping=k.tabular,
        )
        for k in SOURCE_KINDS.values()
    ]


def _kind(key: str) -> SourceKind:
    try:
        return source_kind(key)
    except ImportFormatError as error:
        raise ValidationFailed(str(error), [FieldError("kind", "unknown import kind")]) from None


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "upload"
    return re.sub(r"[^\w.\- ()]+", "_", name)[:200]


def store_upload(
    session: Session,
    actor: Actor,
    kind: str,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    limit: int = MAX_UPLOAD_BYTES,
) -> dict[str, Any]:
    """Keep an uploaded file for its import job; returns the job's parameters. Checks kind, size and mapping."""
    actor.require("feedback.write")
    spec = _kind(kind)
    name = _safe_name(filename)
    if len(data) > limit:
        raise PayloadTooLarge(f"{name} is larger than {limit // (1024 * 1024)} MB")
    if not data.strip():
        raise ValidationFailed(f"{name} is empty", [FieldError("file", "empty file")])
    if mapping and not spec.tabular:
        raise ValidationFailed(
            f"a column mapping applies to csv, jsonl and parquet files, not to {kind} exports",
            [FieldError("map", "not allowed for this kind")],
        )
    session.execute(
        delete(FeedbackImportUpload).where(
            FeedbackImportUpload.workspace_id == actor.workspace_id,
            FeedbackImportUpload.created_at < utcnow() - UPLOAD_TTL,
        )
    )
    upload = FeedbackImportUpload(
        workspace_id=actor.workspace_id,
        created_by=actor.user_id or None,
        kind=spec.key,
        filename=name,
        size=len(data),
        data=data,
    )
    session.add(upload)
    session.flush()
    return {
        "upload_id": upload.id,
        "kind": spec.key,
        "filename": name,
        "mapping": dict(mapping or {}),
        "skip_invalid": bool(skip_invalid),
    }


def take_upload(session: Session, actor: Actor, upload_id: Any) -> FeedbackImportUpload:
    """The stored upload of the actor's workspace (job parameters are user input: never trust the id alone)."""
    actor.require("feedback.write")
    try:
        number = int(upload_id)
    except (TypeError, ValueError):
        raise ValidationFailed("the import job has no upload_id; start it from an upload") from None
    upload = session.get(FeedbackImportUpload, number)
    if upload is None or upload.workspace_id != actor.workspace_id:
        raise NotFound(f"upload {number} not found (each upload is imported once; upload the file again)")
    return upload


def discard_upload(session: Session, actor: Actor, upload_id: Any) -> None:
    """Remove the workspace's upload once its job has ended, whatever the outcome."""
    try:
        number = int(upload_id)
    except (TypeError, ValueError):
        return
    session.execute(
        delete(FeedbackImportUpload).where(
            FeedbackImportUpload.id == number, FeedbackImportUpload.workspace_id == actor.workspace_id
        )
    )


def run_import(
    session: Session,
    actor: Actor,
    params: dict[str, Any],
    progress: Progress | None = None,
) -> FeedbackImportReport:
    """The import job's work: parse the upload, check everything, then write (the caller commits)."""
    upload = take_upload(session, actor, params.get("upload_id"))
    mapping = {str(k): str(v) for k, v in dict(params.get("mapping") or {}).items()}
    return import_bytes(
        session,
        actor,
        str(params.get("kind") or upload.kind),
        upload.filename,
        bytes(upload.data),
        mapping,
        bool(params.get("skip_invalid", False)),
        progress,
    )


def import_bytes(
    session: Session,
    actor: Actor,
    kind: str,
    name: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> FeedbackImportReport:
    """Import the content of a file named ``name`` as ``kind`` (the caller commits)."""
    actor.require("feedback.write")
    spec = _kind(kind)
    mapping = mapping or {}
    if progress:
        progress(0, None, f"reading {name}")
    _refuse_binary(spec, name, data)
    parsed = _parse(session, actor, spec, name, data, mapping)
    errors = parsed.errors + [e for item in parsed.items for e in check_item(item)]
    bad_rows = {e.row for e in errors}
    if errors and not skip_invalid:
        raise ValidationFailed(_summary(name, spec, errors), errors[:1000])
    items = [i for i in parsed.items if i.row not in bad_rows]
    plan = plan_items(session, actor, items, not spec.tabular, progress, f"checking {name}")
    if progress:  # the last report before the first write (see import_writer on SQLite)
        progress(len(items), len(items), f"writing {len(items):,} items")
    written = apply_plan(session, actor, plan)
    audit.record(
        session,
        actor,
        "import",
        "feedback",
        None,
        f"{spec.label} {name}: {written.created} created, {written.updated} updated, "
        f"{written.unchanged} unchanged, {len(bad_rows)} skipped, {written.customers_created} customers created",
    )
    return FeedbackImportReport(
        kind=spec.key,
        file=name,
        created=written.created,
        updated=written.updated,
        unchanged=written.unchanged,
        skipped=len(bad_rows),
        customers_created=written.customers_created,
        contacts_created=written.contacts_created,
        errors=[ProblemFieldError(**e.as_dict()) for e in errors],
        warnings=[ProblemFieldError(**w.as_dict()) for w in parsed.warnings],
    )


def _refuse_binary(spec: SourceKind, name: str, data: bytes) -> None:
    if spec.key in ("parquet", "csv") or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # Parquet is binary; UTF-16 text (Google Play exports) has NUL bytes by design
    if b"\x00" in data[:4096]:
        raise ValidationFailed(f"{name} looks binary (it contains NUL bytes), not a {spec.label} export")


@dataclass
class _Parsed:
    items: list[ImportItem]
    errors: list[FieldError]
    warnings: list[FieldError]


def _parse(
    session: Session, actor: Actor, spec: SourceKind, name: str, data: bytes, mapping: dict[str, str]
) -> _Parsed:
    with tempfile.TemporaryDirectory(prefix="northstar-import-") as folder:
        suffix = Path(name).suffix.lower()
        path = Path(folder) / f"upload{suffix if suffix in spec.extensions else spec.extensions[0]}"
        path.write_bytes(data)
        try:
            if spec.tabular:
                return _table_items(session, actor, name, *_read_table(spec, name, path, mapping))
            result = import_file(spec.key, path)
        except ImportFormatError as error:
            message = str(error).replace(path.name, name)
            raise ValidationFailed(message if message.startswith(name) else f"{name}: {message}") from None
    row = _row_number(spec)
    errors = [
        FieldError("text" if "text" in why else "row", why, row(number)) for number, why in result.rejected
    ]
    items, warnings = [], []
    for record in result.records:
        item = _record_item(spec, record, row(record.row))
        if record.author_email and not valid_email(record.author_email):
            warnings.append(
                FieldError(
                    "author_email", "not an e-mail address: kept in metadata, no contact made", item.row
                )
            )
        items.append(item)
    if not items and not errors:
        raise ValidationFailed(f"{name}: no {spec.row_unit}s found in this {spec.label} file")
    return _Parsed(items, errors, warnings)


def _row_number(spec: SourceKind) -> Any:
    """Data rows of CSV exports count like a spreadsheet (header = row 1); other kinds count items from 1."""
    return (lambda n: n + 1) if spec.header_row else (lambda n: n)


def _record_item(spec: SourceKind, record: FeedbackRecord, row: int) -> ImportItem:
    meta = {
        "origin": spec.key,
        "external_id": record.external_id,
        "author_name": record.author_name,
        "author_email": record.author_email,
        "company": record.company,
        "url": record.url,
        "votes": record.votes,
        "tags": record.tags,
        **record.extra,
    }
    return ImportItem(
        row=row,
        source=spec.channel or "import",
        external_ref=stable_ref(spec.key, record.external_id),
        text=record.text,
        title=record.title,
        rating=record.rating,
        received_at=record.created_at,
        author_name=record.author_name,
        author_email=record.author_email if valid_email(record.author_email) else None,
        company=record.company,
        company_domain=record.company_domain,
        customer_external_id=record.customer_external_id,
        meta=meta,
    )


def _norm(header: str) -> str:
    return header.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _read_table(
    spec: SourceKind, name: str, path: Path, mapping: dict[str, str]
) -> tuple[ParsedRows, list[int]]:
    """The rows of a CSV, JSON Lines or Parquet file under their field names, and where each row was found.

    CSV rows count like a spreadsheet (header = row 1); JSON Lines rows by line; Parquet rows from 1.
    """
    if spec.key == "csv":
        parsed = read_csv(decode_bytes(path.read_bytes(), name), mapping, name)
        return parsed, list(range(2, len(parsed.rows) + 2))
    rows = numbered_rows(path, spec.key)
    if not rows:
        raise ValidationFailed(f"{name} has no rows")
    renames = {_norm(k): v for k, v in mapping.items()}
    headers: list[str] = []
    table = []
    for _number, raw in rows:
        row = {renames.get(_norm(str(k)), _norm(str(k))): _cell(v) for k, v in raw.items()}
        headers += [h for h in row if h not in headers]
        table.append(row)
    return ParsedRows(headers, table), [number for number, _raw in rows]


def _table_items(
    session: Session, actor: Actor, name: str, parsed: ParsedRows, numbers: list[int]
) -> _Parsed:
    """Table rows checked with the CSV import's fields and customer rules (an unknown customer is an error)."""
    checked = validate_rows(parsed, FeedbackImportRow, ["text"], True, name)

    def where(index: int) -> int:  # validate_rows counts like a CSV file (header = row 1)
        return numbers[index - 2]

    errors = [FieldError(e.field, e.message, where(e.row or 2)) for e in checked.errors]
    customers = CustomerMatcher(session, actor.workspace_id, create=False)
    items = []
    for index, valid in checked.valid:
        data: FeedbackImportRow = valid
        customer_id = None
        if data.customer_external_id:
            customer_id = customers.known_external(data.customer_external_id)
            if customer_id is None:
                errors.append(
                    FieldError(
                        "customer_external_id",
                        f"unknown customer {data.customer_external_id!r}",
                        where(index),
                    )
                )
                continue
        elif data.customer:
            customer_id = customers.known_name(data.customer)
        items.append(
            ImportItem(
                row=where(index),
                source=data.source or "import",
                external_ref=data.external_ref,
                text=data.text,
                title=data.title,
                rating=data.rating,
                received_at=data.received_at,
                author_email=str(data.contact_email) if data.contact_email else None,
                customer_id=customer_id,
                meta={"origin": Path(name).suffix.lstrip(".").lower() or "table"},
            )
        )
    warnings = []
    if "external_ref" not in parsed.headers:
        warnings.append(
            FieldError(
                "external_ref", "no external_ref column: importing this file again adds its rows again"
            )
        )
    errors.sort(key=lambda e: e.row or 0)
    return _Parsed(items, errors, warnings)


def _summary(name: str, spec: SourceKind, errors: list[FieldError]) -> str:
    """One line naming the first problem, then one line per problem (the job page shows them all)."""
    unit = spec.row_unit
    rows = sorted({e.row for e in errors if e.row is not None})
    first = errors[0]
    where = f"at {unit} {first.row}, " if first.row is not None else "in "
    column = "column" if spec.header_row or spec.tabular else "field"
    lines = [
        f"{name}: {len(rows) or len(errors)} invalid {unit}(s); first {where}{column} {first.field}: "
        f"{first.message}. "
        "Nothing was imported (use --skip-invalid to import the valid ones)."
    ]
    for error in errors[:SHOWN_ERRORS]:
        lines.append(f"{unit} {error.row}, {error.field}: {error.message}" if error.row else error.message)
    if len(errors) > SHOWN_ERRORS:
        lines.append(f"… and {len(errors) - SHOWN_ERRORS} more")
    return "\n".join(lines)

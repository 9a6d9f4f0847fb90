"""Importers for the exports of common feedback sources. Each returns an ``ImportResult`` of plain records.

Header names are matched case- and spacing-insensitively, and each field accepts the few spellings the vendors
have used (documented in docs/feedback-import-formats.md). Rows without text are reported, never dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from northstar.feedback.engine.normalize import clean_text, decode_bytes
from northstar.feedback.importers.mapping import optional_text, parse_datetime, parse_number, split_tags
from northstar.feedback.importers.records import FeedbackRecord, ImportFormatError, ImportResult

Row = dict[str, Any]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def pick(row: Row, *names: str) -> Any:
    """First non-empty value among the given header spellings (case/spacing/punctuation-insensitive)."""
    index = {_key(k): v for k, v in row.items()}
    for name in names:
        value = index.get(_key(name))
        if value not in (None, "", []):
            return value
    return None


def read_csv_rows(path: Path) -> list[Row]:
    """CSV rows as dicts; repeated headers (Jira's 'Labels', 'Labels', …) are merged into lists."""
    text = decode_bytes(path.read_bytes())
    csv.field_size_limit(1 << 27)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if not header:
        raise ImportFormatError(f"{path.name}: empty file or no header row")
    header = [h.strip().lstrip("\ufeff") for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row: Row = {}
        for name, value in zip(header, values, strict=False):
            if name in row:
                existing = row[name] if isinstance(row[name], list) else [row[name]]
                row[name] = [*existing, value] if value else existing
            else:
                row[name] = value
        rows.append(row)
    return rows


def _require(rows: list[Row], path: Path, label: str, *names: str) -> None:
    if rows and all(pick(r, *names) is None for r in rows):
        available = ", ".join(rows[0].keys())
        raise ImportFormatError(
            f"{path.name}: no {label} column (looked for {', '.join(names)}); columns: {available}"
        )


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _records(
    rows: Iterable[Row], source: str, build: Callable[[Row, int], FeedbackRecord | None], result: ImportResult
) -> ImportResult:
    for number, row in enumerate(rows, start=1):
        try:
            record = build(row, number)
        except (TypeError, ValueError, AttributeError) as error:
            result.rejected.append((number, f"unreadable {source} row: {error}"))
            continue
        if record is None or not record.text:
            result.rejected.append((number, "no text"))
            continue
        record.row = number
        result.records.append(record)
    return result


# --- App stores ---------------------------------------------------------------------------------------------


def import_google_play(path: Path) -> ImportResult:
    """Google Play Console review export (CSV, usually UTF-16): 'Review Text', 'Star Rating', 'Review Link', …"""
    rows = read_csv_rows(path)
    _require(rows, path, "review text", "Review Text", "Review Title")

    def build(row: Row, number: int) -> FeedbackRecord:
        title = optional_text(pick(row, "Review Title"))
        body = clean_text(pick(row, "Review Text"))
        created = parse_datetime(pick(row, "Review Submit Date and Time", "Review Submit Millis Since Epoch"))
        return FeedbackRecord(
            source="google_play",
            external_id=str(
                pick(row, "Review Link", "Review ID")
                or _fingerprint(pick(row, "Review Submit Millis Since Epoch"), body, pick(row, "Device"))
            ),
            text=body or (title or ""),
            title=title,
            rating=parse_number(pick(row, "Star Rating", "Rating")),
            url=optional_text(pick(row, "Review Link")),
            created_at=created,
            extra={
                k: v
                for k, v in {
                    "app": pick(row, "Package Name"),
                    "app_version": pick(row, "App Version Name"),
                    "language": pick(row, "Reviewer Language"),
                    "device": pick(row, "Device"),
                    "developer_reply": pick(row, "Developer Reply Text"),
                }.items()
                if v
            },
        )

    return _records(rows, "google_play", build, ImportResult())


def import_app_store(path: Path) -> ImportResult:
    """App Store review CSV: 'Review'/'Body'/'Content', 'Rating', 'Title', 'Nickname'/'Reviewer', 'Date', 'ID'."""
    rows = read_csv_rows(path)
    _require(rows, path, "review", "Review", "Body", "Content", "Review Text")

    def build(row: Row, number: int) -> FeedbackRecord:
        body = clean_text(pick(row, "Review", "Body", "Content", "Review Text"))
        title = optional_text(pick(row, "Title", "Review Title"))
        return FeedbackRecord(
            source="app_store",
            external_id=str(
                pick(row, "ID", "Review ID") or _fingerprint(pick(row, "Date"), pick(row, "Nickname"), body)
            ),
            text=body,
            title=title,
            author_name=optional_text(pick(row, "Nickname", "Reviewer", "Author", "User Name")),
            rating=parse_number(pick(row, "Rating", "Stars", "Star Rating")),
            created_at=parse_datetime(pick(row, "Date", "Created", "Last Modified")),
            extra={
                k: v
                for k, v in {
                    "version": pick(row, "Version"),
                    "territory": pick(row, "Territory", "Country"),
                }.items()
                if v
            },
        )

    return _records(rows, "app_store", build, ImportResult())


# --- Feedback and product tools --------------------------------------------------------------------------


def import_canny(path: Path) -> ImportResult:
    """Canny posts export (CSV): 'Title', 'Details', 'Board', 'Status', 'Author Email', 'Votes', 'Created At', 'URL'."""
    rows = read_csv_rows(path)
    _require(rows, path, "title or details", "Title", "Details", "Post Title", "Post Details")

    def build(row: Row, number: int) -> FeedbackRecord:
        title = optional_text(pick(row, "Title", "Post Title"))
        details = clean_text(pick(row, "Details", "Post Details", "Description"))
        votes = parse_number(pick(row, "Votes", "Vote Count", "Score"))
        return FeedbackRecord(
            source="canny",
            external_id=str(pick(row, "ID", "Post ID", "URL") or _fingerprint(title, details)),
            text="\n\n".join(p for p in (title, details) if p),
            title=title,
            author_name=optional_text(pick(row, "Author Name", "Author", "Created By")),
            author_email=optional_text(pick(row, "Author Email", "Email")),
            company=optional_text(pick(row, "Company", "Company Name", "Author Company")),
            votes=int(votes) if votes is not None else None,
            url=optional_text(pick(row, "URL", "Post URL")),
            created_at=parse_datetime(pick(row, "Created At", "Created Date", "Created", "Date")),
            tags=split_tags(pick(row, "Tags", "Category")),
            extra={
                k: v for k, v in {"board": pick(row, "Board"), "status": pick(row, "Status")}.items() if v
            },
        )

    return _records(rows, "canny", build, ImportResult())


def import_productboard(path: Path) -> ImportResult:
    """Productboard notes export (CSV): 'Note ID', 'Note title', 'Note text', 'User email', 'Company name', 'Tags'."""
    rows = read_csv_rows(path)
    _require(rows, path, "note text", "Note text", "note_text", "Content", "Note content")

    def build(row: Row, number: int) -> FeedbackRecord:
        title = optional_text(pick(row, "Note title", "note_title", "Title"))
        return FeedbackRecord(
            source="productboard",
            external_id=str(
                pick(row, "Note ID", "note_id", "ID") or _fingerprint(title, pick(row, "Note text"))
            ),
            text=clean_text(pick(row, "Note text", "note_text", "Content", "Note content")),
            title=title,
            author_name=optional_text(pick(row, "User name", "user_name", "Customer name")),
            author_email=optional_text(pick(row, "User email", "user_email", "Customer email")),
            company=optional_text(pick(row, "Company name", "company_name", "Company")),
            customer_external_id=optional_text(pick(row, "Company domain", "company_domain")),
            company_domain=optional_text(pick(row, "Company domain", "company_domain")),
            url=optional_text(pick(row, "Display URL", "display_url", "Source URL")),
            created_at=parse_datetime(pick(row, "Created at", "created_at", "Date")),
            tags=split_tags(pick(row, "Tags", "tags")),
            extra={k: v for k, v in {"origin": pick(row, "Source origin", "source_origin")}.items() if v},
        )

    return _records(rows, "productboard", build, ImportResult())


def import_jira(path: Path) -> ImportResult:
    """Jira issues CSV export: 'Issue key', 'Summary', 'Description', 'Reporter', 'Created', repeated 'Labels', 'Votes'."""
    rows = read_csv_rows(path)
    _require(rows, path, "summary", "Summary")

    def build(row: Row, number: int) -> FeedbackRecord:
        summary = optional_text(pick(row, "Summary"))
        description = clean_text(_jira_markup(pick(row, "Description") or ""))
        votes = parse_number(pick(row, "Votes"))
        return FeedbackRecord(
            source="jira",
            external_id=str(pick(row, "Issue key", "Issue id") or f"row-{number}"),
            text="\n\n".join(p for p in (summary, description) if p),
            title=summary,
            author_name=optional_text(pick(row, "Reporter", "Creator")),
            votes=int(votes) if votes is not None else None,
            created_at=parse_datetime(pick(row, "Created")),
            tags=split_tags(pick(row, "Labels")),
            extra={
                k: v
                for k, v in {
                    "issue_type": pick(row, "Issue Type"),
                    "status": pick(row, "Status"),
                    "priority": pick(row, "Priority"),
                }.items()
                if v
            },
        )

    return _records(rows, "jira", build, ImportResult())


def _jira_markup(text: str) -> str:
    """Drop Jira wiki markup that would pollute analysis: {code}/{noformat} blocks, {color}, [links|url]."""
    text = re.sub(r"\{(code|noformat)[^}]*\}.*?\{\1\}", " ", str(text), flags=re.S)
    text = re.sub(r"\{color[^}]*\}", "", text)
    return re.sub(r"\[([^|\]]+)\|[^\]]+\]", r"\1", text)


# --- Support tools (JSON) ----------------------------------------------------------------------------------


def _load_json_objects(path: Path, key: str) -> tuple[list[Row], Row]:
    """Objects from a JSON document ({key: [...], …} or [...]) or JSON Lines; also returns the whole document."""
    text = decode_bytes(path.read_bytes()).strip()
    if not text:
        return [], {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        objects = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    objects.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ImportFormatError(
                        f"{path.name}, line {number}: invalid JSON ({error.msg})"
                    ) from error
        return [o for o in objects if isinstance(o, dict)], {}
    if isinstance(document, list):
        return [o for o in document if isinstance(o, dict)], {}
    if isinstance(document, dict):
        if isinstance(document.get(key), list):
            return document[key], document
        if isinstance(document.get("data"), list):
            return document["data"], document
        return [document], {}
    raise ImportFormatError(f"{path.name}: expected JSON objects")


def import_zendesk(path: Path) -> ImportResult:
    """Zendesk tickets (API/JSON export, `{"tickets": [...], "users": [...]}` or one ticket per line)."""
    tickets, document = _load_json_objects(path, "tickets")
    users = {u.get("id"): u for u in document.get("users", []) if isinstance(u, dict)}
    organizations = {o.get("id"): o for o in document.get("organizations", []) if isinstance(o, dict)}

    def build(ticket: Row, number: int) -> FeedbackRecord:
        embedded = ticket.get("requester")
        requester: Row = (
            embedded if isinstance(embedded, dict) else users.get(ticket.get("requester_id")) or {}
        )
        organization = organizations.get(ticket.get("organization_id"), {})
        comments = ticket.get("comments") or []
        first = comments[0] if comments and isinstance(comments[0], dict) else {}
        body = (
            ticket.get("description")
            or first.get("plain_body")
            or first.get("body")
            or first.get("html_body")
            or ""
        )
        rating = ticket.get("satisfaction_rating")
        score = rating.get("score") if isinstance(rating, dict) else None
        return FeedbackRecord(
            source="zendesk",
            external_id=str(ticket["id"]),
            text=clean_text(body),
            title=optional_text(ticket.get("subject") or ticket.get("raw_subject")),
            author_name=optional_text(requester.get("name")),
            author_email=optional_text(requester.get("email")),
            company=optional_text(organization.get("name")),
            customer_external_id=optional_text(ticket.get("organization_id")),
            url=optional_text(ticket.get("url")),
            created_at=parse_datetime(ticket.get("created_at")),
            tags=split_tags(ticket.get("tags")),
            extra={
                k: v
                for k, v in {
                    "status": ticket.get("status"),
                    "priority": ticket.get("priority"),
                    "satisfaction": score,
                }.items()
                if v not in (None, "", "unoffered")
            },
        )

    return _records(tickets, "zendesk", build, ImportResult())


def import_intercom(path: Path) -> ImportResult:
    """Intercom conversations (`{"conversations": [...]}`, a list, or JSON Lines): the customer's messages."""
    conversations, _ = _load_json_objects(path, "conversations")

    def build(conversation: Row, number: int) -> FeedbackRecord:
        source = conversation.get("source") or {}
        author = source.get("author") or {}
        parts = (conversation.get("conversation_parts") or {}).get("conversation_parts", [])
        messages = [clean_text(source.get("body"))]
        for part in parts:
            part_author = part.get("author") or {}
            if part_author.get("type") in ("user", "lead", "contact") and part.get("body"):
                messages.append(clean_text(part["body"]))
        tags = [
            t.get("name", "") for t in (conversation.get("tags") or {}).get("tags", []) if isinstance(t, dict)
        ]
        rating = conversation.get("conversation_rating") or {}
        contacts = (conversation.get("contacts") or {}).get("contacts", [])
        return FeedbackRecord(
            source="intercom",
            external_id=str(conversation["id"]),
            text="\n\n".join(m for m in messages if m),
            title=optional_text(clean_text(source.get("subject")) or None),
            author_name=optional_text(author.get("name")),
            author_email=optional_text(author.get("email")),
            customer_external_id=optional_text(contacts[0].get("external_id") if contacts else None),
            url=optional_text(source.get("url")),
            created_at=parse_datetime(conversation.get("created_at")),
            rating=parse_number(rating.get("rating")) if isinstance(rating, dict) else None,
            tags=[t for t in tags if t],
            extra={k: v for k, v in {"state": conversation.get("state")}.items() if v},
        )

    return _records(conversations, "intercom", build, ImportResult())

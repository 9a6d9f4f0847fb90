"""Which importer reads which source format, by name (used by the import job, the CLI, the API and the web).

``IMPORTERS`` maps a parser name to its function. ``SOURCE_KINDS`` is what a user chooses from: one entry per tool
or file type, with the inbox channel (``Feedback.source``) its items land in, the file extensions it accepts and
the unit its row numbers count (so an error can say "ticket 3" or "row 5").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from northstar.feedback.importers.email import import_eml, import_mbox
from northstar.feedback.importers.records import ImportFormatError, ImportResult
from northstar.feedback.importers.sources import (
    import_app_store,
    import_canny,
    import_google_play,
    import_intercom,
    import_jira,
    import_productboard,
    import_zendesk,
)

IMPORTERS: dict[str, Callable[[Path], ImportResult]] = {
    "zendesk": import_zendesk,
    "intercom": import_intercom,
    "google_play": import_google_play,
    "app_store": import_app_store,
    "canny": import_canny,
    "productboard": import_productboard,
    "jira": import_jira,
    "eml": import_eml,
    "mbox": import_mbox,
}


@dataclass(frozen=True)
class SourceKind:
    """A kind of file a user can import.

    ``channel`` is the inbox source its items get (None for tables: a ``source`` column, else ``import``);
    ``tabular`` kinds take a column mapping; ``row_unit`` names what row numbers count; ``header_row`` says whether
    row numbers count the header as row 1 (like a spreadsheet).
    """

    key: str
    label: str
    channel: str | None
    extensions: tuple[str, ...]
    description: str
    row_unit: str = "row"
    header_row: bool = False
    tabular: bool = False


SOURCE_KINDS: dict[str, SourceKind] = {
    kind.key: kind
    for kind in (
        SourceKind(
            "zendesk", "Zendesk tickets", "support", (".json", ".jsonl"), "Ticket export (JSON)", "ticket"
        ),
        SourceKind(
            "intercom",
            "Intercom conversations",
            "support",
            (".json", ".jsonl"),
            "Conversation export (JSON)",
            "conversation",
        ),
        SourceKind(
            "google_play",
            "Google Play reviews",
            "app_review",
            (".csv",),
            "Play Console review export (CSV)",
            header_row=True,
        ),
        SourceKind(
            "app_store", "App Store reviews", "app_review", (".csv",), "Review export (CSV)", header_row=True
        ),
        SourceKind("canny", "Canny posts", "community", (".csv",), "Posts export (CSV)", header_row=True),
        SourceKind(
            "productboard",
            "Productboard notes",
            "import",
            (".csv",),
            "Notes export (CSV)",
            header_row=True,
        ),
        SourceKind("jira", "Jira issues", "support", (".csv",), "Issues export (CSV)", header_row=True),
        SourceKind(
            "email", "E-mail", "email", (".eml", ".mbox"), "One .eml message or an .mbox mailbox", "message"
        ),
        SourceKind(
            "csv",
            "CSV",
            None,
            (".csv", ".tsv", ".txt"),
            "Any CSV with a text column",
            header_row=True,
            tabular=True,
        ),
        SourceKind(
            "jsonl",
            "JSON Lines",
            None,
            (".jsonl", ".ndjson"),
            "One JSON object per line",
            "line",
            tabular=True,
        ),
        SourceKind("parquet", "Parquet", None, (".parquet", ".pq"), "A Parquet table", tabular=True),
    )
}


def source_kind(key: str) -> SourceKind:
    """The kind named ``key``, else an ``ImportFormatError`` listing the known kinds."""
    try:
        return SOURCE_KINDS[key]
    except KeyError:
        raise ImportFormatError(f"unknown import kind {key!r}; known: {', '.join(SOURCE_KINDS)}") from None


def guess_kind(filename: str) -> str | None:
    """The kind a file name implies when it is unambiguous (.csv, .jsonl, .parquet, .eml, .mbox), else None."""
    suffix = Path(filename).suffix.lower()
    for key in ("csv", "jsonl", "parquet", "email"):
        if suffix in SOURCE_KINDS[key].extensions:
            return key
    return None


def is_mbox(path: Path) -> bool:
    """An mbox file starts with a 'From ' envelope line; a single .eml message starts with headers."""
    if path.suffix.lower() == ".mbox":
        return True
    if path.suffix.lower() == ".eml":
        return False
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def import_file(source_format: str, path: Path) -> ImportResult:
    """Parse ``path`` as ``source_format`` (see ``IMPORTERS``; ``email`` picks .eml or .mbox by content)."""
    if source_format == "email":
        source_format = "mbox" if path.exists() and is_mbox(path) else "eml"
    try:
        importer = IMPORTERS[source_format]
    except KeyError:
        raise ImportFormatError(
            f"unknown format {source_format!r}; known: {', '.join(sorted(IMPORTERS))}"
        ) from None
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    return importer(path)

"""Which importer reads which source format, by name (used by the import job and the CLI)."""

from __future__ import annotations

from collections.abc import Callable
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


def import_file(source_format: str, path: Path) -> ImportResult:
    """Parse ``path`` as ``source_format`` (see ``IMPORTERS``; tables with a mapping use ``mapping.import_table``)."""
    try:
        importer = IMPORTERS[source_format]
    except KeyError:
        raise ImportFormatError(
            f"unknown format {source_format!r}; known: {', '.join(sorted(IMPORTERS))}"
        ) from None
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    return importer(path)

"""The plain record every importer produces, and the error every importer raises on unusable input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ImportFormatError(ValueError):
    """The file cannot be read as the announced format; the message names the file, row or column."""


@dataclass
class FeedbackRecord:
    """One feedback item as found in a source file. ``source`` + ``external_id`` make re-imports idempotent."""

    source: str
    external_id: str
    text: str
    title: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    company: str | None = None
    company_domain: str | None = None
    customer_external_id: str | None = None
    rating: float | None = None
    votes: int | None = None
    url: str | None = None
    created_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: where the record was found: data row (1 = first row after any header), JSON item, or message number
    row: int = 0


@dataclass
class ImportResult:
    """Records read, plus rows that could not be used (row number → reason); nothing is dropped silently."""

    records: list[FeedbackRecord] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def email_domains(self) -> set[str]:
        """E-mail domains seen, for matching customers by domain."""
        return {
            r.author_email.rsplit("@", 1)[1].lower()
            for r in self.records
            if r.author_email and "@" in r.author_email
        }

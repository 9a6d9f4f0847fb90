"""API shapes of file imports: the kinds a user can import, the job that was started, and its report."""

from __future__ import annotations

from pydantic import BaseModel

from northstar.core.schemas import ImportReport, ProblemFieldError


class SourceKindRead(BaseModel):
    key: str
    label: str
    description: str
    channel: str | None
    extensions: list[str]
    takes_mapping: bool


class FeedbackImportReport(ImportReport):
    """The result stored on an import job: counts, skipped rows with why, and warnings that did not stop a row."""

    kind: str
    file: str
    unchanged: int = 0
    customers_created: int = 0
    contacts_created: int = 0
    warnings: list[ProblemFieldError] = []


class ImportStarted(BaseModel):
    """An import job that was queued; poll ``progress_url`` (the job API) or open ``page_url`` in a browser."""

    job_id: int
    status: str
    kind: str
    file: str
    progress_url: str
    page_url: str

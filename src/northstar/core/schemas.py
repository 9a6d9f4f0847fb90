"""Shared API shapes: pages of results and the problem-details body."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    total_capped: bool = False


class ProblemFieldError(BaseModel):
    field: str
    message: str
    row: int | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["https://northstar.dev/problems/validation-failed"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None


class ImportReport(BaseModel):
    """What an import did: counts, and every row it skipped with why."""

    created: int
    updated: int
    skipped: int
    errors: list[ProblemFieldError] = []

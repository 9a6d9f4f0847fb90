"""Listing helpers shared by every service: text search, filters, sorting and pagination."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from northstar.core.errors import FieldError, ValidationFailed

T = TypeVar("T")

MAX_PER_PAGE = 500


@dataclass
class ListParams:
    """What a user asks of a listing: a text query, a sort key (``-field`` for descending) and a page."""

    q: str | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 50
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page(Generic[T]):
    """One page of results with the total count."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(
    session: Session,
    query: Select[Any],
    params: ListParams,
    *,
    search: Sequence[InstrumentedAttribute[Any]] = (),
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
) -> Page[Any]:
    """Apply search, sort and pagination to ``query`` (which selects one entity) and run it."""
    if params.page < 1 or params.per_page < 1 or params.per_page > MAX_PER_PAGE:
        raise ValidationFailed(
            f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}",
            [FieldError("per_page", f"got page={params.page}, per_page={params.per_page}")],
        )
    if params.q and params.q.strip() and search:
        terms = params.q.strip().split()
        for term in terms[:8]:
            pattern = f"%{_escape_like(term)}%"
            query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in search)))
    sort = params.sort or default_sort
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in sortable:
        raise ValidationFailed(
            f"cannot sort by {key!r}; choose one of: {', '.join(sorted(sortable))}",
            [FieldError("sort", f"unknown sort key {key!r}")],
        )
    column = sortable[key]
    order = column.desc() if descending else column.asc()
    primary_key = query.column_descriptions[0]["entity"].id
    query = query.order_by(order, primary_key.desc() if descending else primary_key.asc())
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.limit(params.per_page).offset((params.page - 1) * params.per_page)))
    return Page(items=rows, total=total, page=params.page, per_page=params.per_page)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_owned(session: Session, model: type[T], object_id: int, workspace_id: int, label: str) -> T:
    """The row of ``model`` with this id in this workspace, else ``NotFound`` (never another workspace's row)."""
    row = session.get(model, object_id)
    if row is None or getattr(row, "workspace_id", None) != workspace_id:
        from northstar.core.errors import NotFound

        raise NotFound(f"no {label} {object_id} in this workspace")
    return row


def apply_changes(row: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the given attributes on ``row``; returns {field: new value} of what actually changed."""
    changed: dict[str, Any] = {}
    for key, value in changes.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed[key] = value
    return changed

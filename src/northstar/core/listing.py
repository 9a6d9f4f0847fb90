"""Listing helpers shared by every service: text search, filters, sorting and pagination."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, Session

from northstar.core.errors import FieldError, ValidationFailed

T = TypeVar("T")

MAX_PER_PAGE = 500
#: listings count at most this many rows; beyond it the total reads "10,000+" (counting 100k rows costs more
#: than rendering the page, on every request)
COUNT_CAP = 10_000
#: a text search counts its matches up to here ("1,000+ items"): counting every match of a common word in
#: 100,000 items cost more than finding the page of results
SEARCH_COUNT_CAP = 1_000
#: how long a listing found to exceed its cap is shown as "10,000+" without counting again
CAPPED_COUNT_SECONDS = 30.0
#: the SQLite FTS5 trigram index serves substring terms of at least this many characters
TRIGRAM = 3


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
    #: True when there are more than ``total`` (= COUNT_CAP, or SEARCH_COUNT_CAP for a text search) matching rows
    total_capped: bool = False

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.total_capped and len(self.items) == self.per_page:
            return max(pages, self.page + 1)
        return pages


class CappedListings:
    """Listings recently found to hold more rows than their count cap, per database, for a short while.

    Counting up to the cap costs the same on every request: on PostgreSQL, counting the 10,001 newest items of
    a 100,000-item inbox took 0.8 ms of database CPU, more than any other statement of the page. Once a
    listing is over the cap, its total reads "10,000+" whatever is added; only deleting or merging thousands
    of items brings it under again. So a listing seen over its cap is shown as capped without counting for
    ``CAPPED_COUNT_SECONDS``; after that it is counted again. Exact totals (under the cap) are never
    remembered. Each server process keeps its own memory, one per database engine.
    """

    def __init__(self, seconds: float = CAPPED_COUNT_SECONDS, size: int = 1024) -> None:
        self.seconds = seconds
        self.size = size
        self._seen: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def recently_capped(self, key: Hashable) -> bool:
        seen = self._seen.get(key)
        return seen is not None and time.monotonic() - seen < self.seconds

    def remember(self, key: Hashable) -> None:
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()  # many distinct filters: start over rather than track ages
            self._seen[key] = time.monotonic()


_capped_by_engine: weakref.WeakKeyDictionary[Engine, CappedListings] = weakref.WeakKeyDictionary()


def capped_listings(session: Session) -> CappedListings:
    """The memory of over-the-cap listings for the database ``session`` is bound to."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    memory = _capped_by_engine.get(engine)
    if memory is None:
        memory = _capped_by_engine.setdefault(engine, CappedListings())
    return memory


def forget_capped_listings() -> None:
    """Forget every remembered over-the-cap listing (tests that reuse a database between cases)."""
    _capped_by_engine.clear()


def paginate(
    session: Session,
    query: Select[Any],
    params: ListParams,
    *,
    search: Sequence[InstrumentedAttribute[Any]] = (),
    sortable: dict[str, InstrumentedAttribute[Any]],
    default_sort: str,
    fts_table: str | None = None,
    listing: Hashable | None = None,
) -> Page[Any]:
    """Apply search, sort and pagination to ``query`` (which selects one entity) and run it.

    ``fts_table`` names an SQLite FTS5 trigram table over the ``search`` columns (rowid = the entity's id);
    on SQLite, terms of 3+ characters are matched through it instead of scanning every row with LIKE.

    ``listing`` (e.g. ``("feedback", workspace_id)``) lets a listing over its count cap skip the count for a
    while (``CappedListings``). Pass it only when ``query`` depends on nothing but that key, ``params.q`` and
    ``params.filters``: those three make up the memory's key.
    """
    if params.page < 1 or params.per_page < 1 or params.per_page > MAX_PER_PAGE:
        raise ValidationFailed(
            f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}",
            [FieldError("per_page", f"got page={params.page}, per_page={params.per_page}")],
        )
    primary_key = query.column_descriptions[0]["entity"].id
    searching = bool(params.q and params.q.strip() and search)
    if searching and params.q:
        use_fts = fts_table is not None and session.get_bind().dialect.name == "sqlite"
        for term in params.q.strip().split()[:8]:
            if use_fts and fts_table and len(term) >= TRIGRAM:
                query = query.where(_fts_match(primary_key, fts_table, term))
            else:
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
    query = query.order_by(order, primary_key.desc() if descending else primary_key.asc())
    cap = SEARCH_COUNT_CAP if searching else COUNT_CAP
    memory_key = _listing_key(listing, params, cap)
    memory = capped_listings(session) if memory_key is not None else None
    if memory is not None and memory.recently_capped(memory_key):
        total = cap + 1
    else:
        capped = query.order_by(None).with_only_columns(primary_key).limit(cap + 1).subquery()
        total = session.scalar(select(func.count()).select_from(capped)) or 0
        if memory is not None and total > cap:
            memory.remember(memory_key)
    rows = list(session.scalars(query.limit(params.per_page).offset((params.page - 1) * params.per_page)))
    return Page(
        items=rows,
        total=min(total, cap),
        page=params.page,
        per_page=params.per_page,
        total_capped=total > cap,
    )


def _listing_key(listing: Hashable | None, params: ListParams, cap: int) -> Hashable | None:
    """What identifies a listing's rows: the caller's key, the search and the filters (None: do not remember)."""
    if listing is None:
        return None
    key = (listing, (params.q or "").strip(), frozenset(params.filters.items()), cap)
    try:
        hash(key)
    except TypeError:  # an unhashable filter value: count every time
        return None
    return key


def _fts_match(primary_key: InstrumentedAttribute[Any], fts_table: str, term: str) -> ColumnElement[bool]:
    """``id IN (rowids whose text contains term)``: a trigram MATCH of the term as one quoted phrase."""
    phrase = '"' + term.replace('"', '""') + '"'
    fts = table(fts_table)
    matches: Select[Any] = (
        select(literal_column("rowid")).select_from(fts).where(literal_column(fts_table).op("MATCH")(phrase))
    )
    return primary_key.in_(matches)


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

"""Search across modules: the words of a query in feedback, ideas, customers and people.

Each module is asked through its own listing service (``list_feedback``, ``list_ideas``, ``list_customers``,
``search_persons``), so what a search finds is exactly what the actor may read in their workspace, and every
match is case-insensitive with ``%``, ``_`` and ``\\`` taken literally (``core.listing.paginate``; on SQLite the
inbox uses its FTS5 trigram index). A hit carries an escaped snippet with the matched words marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from markupsafe import escape
from sqlalchemy.orm import Session

from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import ListParams, Page
from northstar.core.permissions import READ, Actor
from northstar.customers import service as customers_service
from northstar.feedback import service as feedback_service
from northstar.ideas import service as ideas_service
from northstar.people import service as people_service
from northstar.search.schemas import (
    DEFAULT_LIMIT,
    KINDS,
    MAX_LIMIT,
    Kind,
    SearchGroup,
    SearchHit,
    SearchResults,
)
from northstar.teams import service as teams_service

#: the listing services match at most this many words (``core.listing.paginate``); so does the highlighting
MAX_WORDS = 8
#: how many characters of text a snippet shows around the first match
SNIPPET_CHARS = 160
_STATUS_WORDS = {"wont_do": "Won't do"}


def query_words(query: str | None) -> list[str]:
    """The words a query is matched by: split on whitespace, at most ``MAX_WORDS``."""
    return (query or "").split()[:MAX_WORDS]


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = sorted({word.casefold() for word in words}, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in alternatives), re.IGNORECASE)


def highlight(text: str, words: Sequence[str]) -> str:
    """``text`` HTML-escaped, then each match of ``words`` wrapped in ``<mark>``: safe to put in a page as is."""
    pattern = _pattern(words)
    if pattern is None:
        return str(escape(text))
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(str(escape(text[last : match.start()])))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(str(escape(text[last:])))
    return "".join(parts)


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` (whitespace collapsed) around the first match, cut at spaces,
    with "…" where text was left out."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    pattern = _pattern(words)
    found = pattern.search(flat) if pattern else None
    start = 0
    if found and found.end() > width * 2 // 3:
        start = max(0, found.start() - width // 3)
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < found.start() else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _hit(kind: Kind, id_: int, title: str, text: str, detail: str, url: str, words: list[str]) -> SearchHit:
    passage = snippet(text, words) if text else ""
    return SearchHit(
        kind=kind,
        id=id_,
        title=title,
        title_html=highlight(title, words),
        snippet=passage,
        snippet_html=highlight(passage, words),
        detail=detail,
        url=url,
    )


def _words_label(code: str | None) -> str:
    return _STATUS_WORDS.get(code or "", (code or "").replace("_", " ").capitalize())


def _feedback(
    session: Session, actor: Actor, params: ListParams, words: list[str]
) -> tuple[Page[Any], list[SearchHit]]:
    page = feedback_service.list_feedback(session, actor, params)
    hits = []
    for item in page.items:
        title = item.title or snippet(item.text, [], 80)
        detail = f"{_words_label(item.source)} · {item.received_at:%Y-%m-%d}"
        hits.append(_hit("feedback", item.id, title, item.text, detail, f"/feedback/{item.id}", words))
    return page, hits


def _ideas(
    session: Session, actor: Actor, params: ListParams, words: list[str]
) -> tuple[Page[Any], list[SearchHit]]:
    page = ideas_service.list_ideas(session, actor, params)
    hits = []
    for idea in page.items:
        count = idea.feedback_count or 0
        detail = f"{_words_label(idea.status)} · {count:,} feedback item{'' if count == 1 else 's'}"
        hits.append(
            _hit("ideas", idea.id, idea.title, idea.description or "", detail, f"/ideas/{idea.id}", words)
        )
    return page, hits


def _customers(
    session: Session, actor: Actor, params: ListParams, words: list[str]
) -> tuple[Page[Any], list[SearchHit]]:
    page = customers_service.list_customers(session, actor, params)
    hits = []
    for customer in page.items:
        parts = [_words_label(customer.segment)] if customer.segment else []
        parts.append(f"${float(customer.arr or 0):,.0f} ARR")
        text = " · ".join(value for value in (customer.domain, customer.external_id) if value)
        hits.append(
            _hit(
                "customers",
                customer.id,
                customer.name,
                text,
                " · ".join(parts),
                f"/customers/{customer.id}",
                words,
            )
        )
    return page, hits


def _people(
    session: Session, actor: Actor, params: ListParams, words: list[str]
) -> tuple[Page[Any], list[SearchHit]]:
    page = teams_service.search_persons(session, actor, params)
    profiles = people_service.visible_profiles(session, actor, page.items)
    teams = {team.id: team.name for team in teams_service.list_teams(session, actor)} if page.items else {}
    hits = []
    for person in page.items:
        team = teams.get(person.team_id) if person.team_id else None
        if person.id in profiles:
            url = f"/people/{person.id}"
        elif person.team_id:
            url = f"/teams/{person.team_id}"  # their profile is private to them, their manager and leaders
        else:
            url = "/teams"
        detail = f"Team {team}" if team else "No team"
        hits.append(_hit("people", person.id, person.name, person.title or "", detail, url, words))
    return page, hits


_Finder = Callable[[Session, Actor, ListParams, list[str]], tuple[Page[Any], list[SearchHit]]]
_FINDERS: dict[Kind, tuple[_Finder, str | None]] = {
    "feedback": (_feedback, "/feedback"),
    "ideas": (_ideas, "/ideas"),
    "customers": (_customers, "/customers"),
    "people": (_people, None),
}


def search(session: Session, actor: Actor, query: str | None, limit: int = DEFAULT_LIMIT) -> SearchResults:
    """Feedback (text, title), ideas (title, description), customers (name, domain, external id) and people
    (name, job title) holding every word of ``query``, up to ``limit`` of each kind, with a count per kind.

    An empty query finds nothing (and asks nothing of the database). Read-only.
    """
    actor.require(READ)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            f"limit must be between 1 and {MAX_LIMIT}", [FieldError("limit", f"got {limit}")]
        )
    text = " ".join((query or "").split())
    words = query_words(text)
    if not words:
        return SearchResults(query=text, words=[], total=0, groups=[])
    groups = []
    for kind, label in KINDS:
        finder, listing = _FINDERS[kind]
        page, hits = finder(session, actor, ListParams(q=text, per_page=limit), words)
        groups.append(
            SearchGroup(
                kind=kind,
                label=label,
                total=page.total,
                total_capped=page.total_capped,
                hits=hits,
                all_url=f"{listing}?{urlencode({'q': text})}" if listing and page.total > len(hits) else None,
            )
        )
    return SearchResults(query=text, words=words, total=sum(g.total for g in groups), groups=groups)

"""What a search returns: hits grouped by kind, each group with its count."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["feedback", "ideas", "customers", "people"]

#: the kinds in the order the results page shows them, with their words
KINDS: tuple[tuple[Kind, str], ...] = (
    ("feedback", "Feedback"),
    ("ideas", "Ideas"),
    ("customers", "Customers"),
    ("people", "People"),
)

#: hits per kind: the default, and the most one search may ask for
DEFAULT_LIMIT = 5
MAX_LIMIT = 50


class SearchHit(BaseModel):
    """One thing found: its words, where the query matched (HTML, escaped, matches in ``<mark>``) and its page."""

    kind: Kind
    id: int
    title: str
    title_html: str = Field(description="The title, HTML-escaped, with the matched words in <mark>.")
    snippet: str = Field(description="A short passage around the first match, as plain text.")
    snippet_html: str = Field(description="The snippet, HTML-escaped, with the matched words in <mark>.")
    detail: str = Field(description="A line of context: source and date, status, segment and ARR, team.")
    url: str


class SearchGroup(BaseModel):
    """The hits of one kind, with how many match in all (``total_capped``: more than ``total``)."""

    kind: Kind
    label: str
    total: int
    total_capped: bool = False
    hits: list[SearchHit]
    #: the listing that shows every match (the inbox, ideas or customers filtered by the query), if there is one
    all_url: str | None = None


class SearchResults(BaseModel):
    query: str
    words: list[str]
    total: int
    groups: list[SearchGroup]

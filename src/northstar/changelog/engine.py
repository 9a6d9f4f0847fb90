"""Pure text of the changelog: an entry drafted from an idea, the "you asked for this" e-mail, and the Atom feed
(RFC 4287) built with ElementTree so every value is escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

ATOM = "http://www.w3.org/2005/Atom"
MAX_QUOTE = 240


def draft(idea_title: str, description: str, themes: list[str]) -> tuple[str, str]:
    """A first version of an entry for a shipped idea: (title, body), to be edited before it is published."""
    title = f"New: {idea_title.strip()}"[:300]
    parts = [description.strip() or f"{idea_title.strip()} is now available to everyone."]
    if themes:
        named = ", ".join(themes[:3])
        parts.append(f"You told us about this in feedback on {named}; thank you for asking.")
    return title, "\n\n".join(parts)


def quote(text: str) -> str:
    """A customer's own words, shortened to a line or two at a word boundary."""
    words = " ".join(text.split())
    if len(words) <= MAX_QUOTE:
        return words
    return words[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"


def shipped_email(
    contact_name: str,
    company: str,
    entry_title: str,
    entry_body: str,
    asked: list[str],
    entry_url: str,
    unsubscribe_url: str,
) -> tuple[str, str]:
    """(subject, body) of the e-mail to a contact whose feedback the shipped idea answers."""
    first = contact_name.split()[0] if contact_name.strip() else "there"
    lines = [f"Hi {first},", "", "You asked for this, and it has shipped."]
    if asked:
        lines += ["", "What you told us:"] + [f"  “{quote(text)}”" for text in asked[:3]]
    lines += ["", entry_title, "", entry_body.strip(), "", f"Read more: {entry_url}", "", f"— {company}"]
    lines += ["", f"You get this because you sent us feedback. To get no more of these: {unsubscribe_url}"]
    return f"You asked, we shipped: {entry_title}"[:300], "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FeedEntry:
    id: int
    title: str
    body: str
    url: str
    published: datetime
    updated: datetime


def _stamp(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(name: str, page_url: str, feed_url: str, entries: list[FeedEntry], now: datetime) -> bytes:
    """The workspace's changelog as an Atom feed: feed id, title, updated, author and links; per entry id, title,
    updated, published, link and the text as content. ``updated`` is the newest entry's (or ``now`` if none)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_url)
    sub(feed, "title", f"{name} changelog")
    sub(feed, "updated", _stamp(max((e.updated for e in entries), default=now)))
    author = sub(feed, "author")
    sub(author, "name", name)
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    for item in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", item.url)
        sub(entry, "title", item.title)
        sub(entry, "updated", _stamp(item.updated))
        sub(entry, "published", _stamp(item.published))
        sub(entry, "link", rel="alternate", type="text/html", href=item.url)
        sub(entry, "content", item.body, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")

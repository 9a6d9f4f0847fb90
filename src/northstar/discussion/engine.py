"""Pure rules of discussion: member handles, finding @mentions in a comment, and the human sentences and relative
times of an activity feed. No I/O: the service feeds these plain data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: a handle is lower-case letters, digits, dots, dashes and underscores (what an e-mail's local part mostly is)
_NOT_HANDLE = re.compile(r"[^a-z0-9._-]+")
#: ``@`` at the start or after a non-word character, then the handle; a trailing dot ends a sentence, not a handle
MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9_-]|[a-z0-9])", re.IGNORECASE)
MAX_COMMENT = 10_000


class CommentError(ValueError):
    """A comment that cannot be saved: empty, or too long."""


def clean_body(text: str) -> str:
    """The comment as stored: plain text, line breaks kept (``\\r\\n`` → ``\\n``), outer blank space removed."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise CommentError("write something before posting")
    if len(body) > MAX_COMMENT:
        raise CommentError(f"a comment holds at most {MAX_COMMENT:,} characters; this one has {len(body):,}")
    return body


def handle_base(email: str) -> str:
    """The part of an e-mail before ``@``, lower-cased, with anything but letters, digits, ``.``, ``-``, ``_``
    removed ("member" when nothing is left)."""
    local = email.split("@", 1)[0].lower()
    return _NOT_HANDLE.sub("", local).strip("._-") or "member"


def assign_handles(members: list[tuple[int, str]]) -> dict[int, str]:
    """Handles for (user id, e-mail) pairs in membership order, unique in the workspace: the first ``ana`` keeps
    it, the next becomes ``ana2``. Stable as long as the order of joining is."""
    taken: set[str] = set()
    handles: dict[int, str] = {}
    for user_id, email in members:
        base = handle_base(email)
        handle, n = base, 1
        while handle in taken:
            n += 1
            handle = f"{base}{n}"
        taken.add(handle)
        handles[user_id] = handle
    return handles


def mentioned_handles(body: str) -> list[str]:
    """The handles written as ``@handle`` in ``body``, lower-cased, in order of first appearance, each once."""
    seen: list[str] = []
    for match in MENTION.finditer(body):
        handle = match.group(1).lower()
        if handle not in seen:
            seen.append(handle)
    return seen


def excerpt(body: str, length: int = 140) -> str:
    """One line of a comment for a notification or a feed."""
    line = " ".join(body.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def ago(when: datetime, now: datetime) -> str:
    """How long ago, as people say it: "just now", "5 min ago", "2 h ago", "3 days ago", else the date."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86_400)
    if days < 30:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return when.strftime("%Y-%m-%d")


def _words(value: Any) -> str:
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


#: fields whose change reads as its own sentence; other fields are listed by name
_FIELD_WORDS = {
    "status": "the status",
    "title": "the title",
    "name": "the name",
    "description": "the description",
    "owner_id": "the owner",
    "team_id": "the team",
    "objective_id": "the objective",
    "inputs": "the scores",
}


def sentence(who: str, action: str, summary: str, changes: dict[str, Any]) -> str:
    """One audit record as a sentence: "Ana changed the status to In progress", "Ben commented: …"."""
    if action == "comment":
        return f"{who} commented: {summary}" if summary else f"{who} commented"
    if action == "comment_edit":
        return f"{who} edited a comment"
    if action == "comment_delete":
        return f"{who} deleted a comment"
    if action == "create":
        return f"{who} created {summary}".rstrip()
    if action == "delete":
        return f"{who} deleted {summary}".rstrip()
    if action == "update" and changes:
        if set(changes) == {"status"}:
            return f"{who} changed the status to {_words(changes['status'])}"
        if "status" in changes:
            rest = [_FIELD_WORDS.get(k, k.replace("_", " ")) for k in changes if k != "status"]
            return f"{who} changed the status to {_words(changes['status'])} and {', '.join(rest)}"
        names = [_FIELD_WORDS.get(k, k.replace("_", " ")) for k in changes]
        return f"{who} changed {', '.join(names)}"
    verb = action.split(".")[-1].replace("_", " ")
    return f"{who} {verb if verb.endswith('d') else verb + 'd' if verb.endswith('e') else verb + 'ed'} {summary}".rstrip()

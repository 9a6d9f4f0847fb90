"""What a service's JSON means in Northstar's terms: feedback records and the state of a linked issue. No I/O.

Each function takes the documented shape of one service's answer and returns plain records, or raises
``RecordError`` naming what is missing, so a malformed page is refused whole before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: a Zendesk satisfaction score as a 1–5 star rating (Zendesk's CSAT is binary: good or bad)
ZENDESK_SCORES = {"good": 5.0, "bad": 1.0}
#: the idea a linked issue's state asks for; "todo" asks for no change
STATE_CATEGORIES = ("todo", "in_progress", "done", "wont_do")
WONT_DO_RESOLUTIONS = {
    "won't do",
    "won't fix",
    "wont do",
    "wontfix",
    "declined",
    "duplicate",
    "cannot reproduce",
}


class RecordError(ValueError):
    """A service's answer that does not have the documented shape."""


@dataclass(frozen=True)
class Organization:
    """The customer an item belongs to, as the service knows it."""

    name: str
    external_id: str | None = None
    domain: str | None = None


@dataclass(frozen=True)
class FeedbackRecord:
    """One item to upsert as feedback: ``external_ref`` (with ``source``) is what makes a re-sync idempotent."""

    external_ref: str
    text: str
    source: str
    received_at: datetime
    title: str | None = None
    rating: float | None = None
    contact_email: str | None = None
    organization: Organization | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IssueState:
    """Where an issue stands: its key, words, state category (``STATE_CATEGORIES``) and fix versions."""

    key: str
    title: str
    status: str
    category: str
    url: str = ""
    fix_versions: tuple[str, ...] = ()
    updated_at: datetime | None = None


def parse_time(value: object, what: str) -> datetime:
    """An ISO 8601 time from a service (``Z``, ``+0000`` and ``+00:00`` offsets) as an aware datetime."""
    if not isinstance(value, str) or not value:
        raise RecordError(f"{what}: missing time")
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Jira's +0000
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{what}: {value[:40]!r} is not an ISO 8601 time")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _require(item: Mapping[str, Any], key: str, what: str) -> Any:
    if not isinstance(item, Mapping) or item.get(key) in (None, ""):
        raise RecordError(f"{what}: no {key!r}")
    return item[key]


def _by_id(items: Iterable[Any]) -> dict[Any, Mapping[str, Any]]:
    return {item["id"]: item for item in items if isinstance(item, Mapping) and "id" in item}


def zendesk_records(page: Mapping[str, Any], base_url: str = "") -> list[FeedbackRecord]:
    """Tickets of one incremental-export page (with side-loaded ``users`` and ``organizations``) as feedback.

    Each ticket becomes one support item (subject as title, description as text, the satisfaction score as
    its rating); a satisfaction rating with a comment becomes a survey item of its own. The customer is the
    requester's organization (the ticket's own organization when the requester has none). Deleted tickets
    are skipped.
    """
    tickets = page.get("tickets")
    if not isinstance(tickets, list):
        raise RecordError("Zendesk page: no 'tickets' list")
    users = _by_id(page.get("users") or [])
    organizations = _by_id(page.get("organizations") or [])
    records: list[FeedbackRecord] = []
    for ticket in tickets:
        ticket_id = _require(ticket, "id", "Zendesk ticket")
        what = f"Zendesk ticket {ticket_id}"
        if ticket.get("status") == "deleted":
            continue
        text = str(ticket.get("description") or ticket.get("subject") or "").strip()
        if not text:
            continue
        requester = users.get(ticket.get("requester_id"), {})
        org_id = requester.get("organization_id") or ticket.get("organization_id")
        org = organizations.get(org_id)
        organization = None
        if org is not None:
            domains = [d for d in org.get("domain_names") or [] if isinstance(d, str)]
            organization = Organization(
                name=str(_require(org, "name", f"{what}'s organization")),
                external_id=str(org["external_id"]) if org.get("external_id") else None,
                domain=domains[0].lower() if domains else None,
            )
        rating_info = ticket.get("satisfaction_rating") or {}
        score = rating_info.get("score") if isinstance(rating_info, Mapping) else None
        email = requester.get("email") if isinstance(requester.get("email"), str) else None
        received = parse_time(ticket.get("created_at"), what)
        meta = {
            "integration": "zendesk",
            "zendesk_ticket_id": ticket_id,
            "status": ticket.get("status"),
            "tags": list(ticket.get("tags") or []),
            "url": f"{base_url.rstrip('/')}/agent/tickets/{ticket_id}" if base_url else "",
        }
        records.append(
            FeedbackRecord(
                external_ref=f"zendesk:ticket:{ticket_id}",
                text=text,
                title=str(ticket.get("subject") or "")[:500] or None,
                source="support",
                received_at=received,
                rating=ZENDESK_SCORES.get(str(score)),
                contact_email=email,
                organization=organization,
                metadata=meta,
            )
        )
        comment = str(rating_info.get("comment") or "").strip() if isinstance(rating_info, Mapping) else ""
        if comment and score in ZENDESK_SCORES:
            rating_id = rating_info.get("id") or ticket_id
            records.append(
                FeedbackRecord(
                    external_ref=f"zendesk:rating:{rating_id}",
                    text=comment,
                    title=f"Satisfaction: {score}",
                    source="survey",
                    received_at=parse_time(ticket.get("updated_at") or ticket.get("created_at"), what),
                    rating=ZENDESK_SCORES[str(score)],
                    contact_email=email,
                    organization=organization,
                    metadata={**meta, "satisfaction": score},
                )
            )
    return records


def github_record(issue: Mapping[str, Any], repository: str, labels: Iterable[str]) -> FeedbackRecord | None:
    """A GitHub issue carrying any of ``labels`` (case-insensitive) as a community item; None for pull requests
    (the issues API lists them too) and for issues without a chosen label. No labels chosen takes every issue."""
    number = _require(issue, "number", "GitHub issue")
    if "pull_request" in issue:
        return None
    wanted = {label.strip().casefold() for label in labels if label.strip()}
    names = {
        str(label.get("name") if isinstance(label, Mapping) else label).casefold()
        for label in issue.get("labels") or []
    }
    if wanted and not wanted & names:
        return None
    title = str(_require(issue, "title", f"GitHub issue {number}"))
    body = str(issue.get("body") or "").strip()
    user = issue.get("user") or {}
    return FeedbackRecord(
        external_ref=f"github:{repository}#{number}",
        text=body or title,
        title=title[:500],
        source="community",
        received_at=parse_time(issue.get("created_at"), f"GitHub issue {number}"),
        metadata={
            "integration": "github",
            "github_issue": number,
            "state": issue.get("state"),
            "labels": sorted(names),
            "author": user.get("login") if isinstance(user, Mapping) else None,
            "url": issue.get("html_url") or "",
        },
    )


def github_state(issue: Mapping[str, Any], repository: str) -> IssueState:
    """An issue's state: open is in progress, closed as completed is done, closed as not planned is won't do."""
    number = _require(issue, "number", "GitHub issue")
    state = str(issue.get("state") or "open")
    reason = str(issue.get("state_reason") or "")
    if state == "closed":
        category = "wont_do" if reason == "not_planned" else "done"
    else:
        category = "in_progress"
    updated = issue.get("updated_at")
    return IssueState(
        key=f"{repository}#{number}",
        title=str(issue.get("title") or ""),
        status=f"{state} ({reason})" if reason else state,
        category=category,
        url=str(issue.get("html_url") or ""),
        updated_at=parse_time(updated, f"GitHub issue {number}") if updated else None,
    )


def jira_state(issue: Mapping[str, Any], base_url: str = "") -> IssueState:
    """A Jira issue's state from its status category (``new``, ``indeterminate``, ``done``) and resolution."""
    key = str(_require(issue, "key", "Jira issue"))
    fields = issue.get("fields")
    if not isinstance(fields, Mapping):
        raise RecordError(f"Jira issue {key}: no 'fields'")
    status = fields.get("status") or {}
    if not isinstance(status, Mapping):
        raise RecordError(f"Jira issue {key}: 'status' is not an object")
    category_key = str((status.get("statusCategory") or {}).get("key") or "new")
    resolution = fields.get("resolution") or {}
    resolution_name = str(resolution.get("name") or "").casefold() if isinstance(resolution, Mapping) else ""
    if category_key == "done":
        category = "wont_do" if resolution_name in WONT_DO_RESOLUTIONS else "done"
    elif category_key == "indeterminate":
        category = "in_progress"
    else:
        category = "todo"
    versions = tuple(
        str(v["name"]) for v in fields.get("fixVersions") or [] if isinstance(v, Mapping) and v.get("name")
    )
    updated = fields.get("updated")
    return IssueState(
        key=key,
        title=str(fields.get("summary") or ""),
        status=str(status.get("name") or category_key),
        category=category,
        url=f"{base_url.rstrip('/')}/browse/{key}" if base_url else "",
        fix_versions=versions,
        updated_at=parse_time(updated, f"Jira issue {key}") if updated else None,
    )

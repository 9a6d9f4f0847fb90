"""The page of one feedback item (``/feedback/{id}``): its text, customer, analysis, duplicates, linked ideas and
history, with forms to link and unlink ideas and to correct its kind and theme.

A refused form comes back on the same page (status 422) with the message next to its field and what was chosen
kept; a form that worked redirects to the page with a notice (``done=…``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from northstar.core.errors import FieldError, ValidationFailed
from northstar.feedback.engine.kind import KINDS
from northstar.feedback.item import service
from northstar.feedback.item.schemas import FeedbackDetail, HistoryEntry, ItemLinkRequest
from northstar.feedback.themes import service as themes_service
from northstar.ideas import service as ideas_service
from northstar.web.deps import DB, CurrentUser, PageUser, check_csrf
from northstar.web.forms import field_messages, optional_int, parse_form, see_other
from northstar.web.templating import label, render

router = APIRouter(include_in_schema=False)
FeedbackId = Annotated[int, Path(ge=1, le=2_147_483_647)]
HEADLINE_CHARS = 70


@dataclass(frozen=True)
class HistoryLine:
    """One line of the item's history, in words."""

    at: str
    what: str
    who: str


@dataclass(frozen=True)
class ItemPage:
    """What the item's page shows."""

    detail: FeedbackDetail
    headline: str
    idea_choices: list[tuple[int, str]]
    kind_choices: list[tuple[str, str]]
    theme_choices: list[tuple[int, str]]
    history: list[HistoryLine]
    can_edit: bool
    can_link: bool
    #: per form ("link", "kind", "theme"): {field: message} of a refused post, and what was chosen in it
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)


def headline(detail: FeedbackDetail) -> str:
    """The item's title, else the start of its text, for the breadcrumb and the page title."""
    if detail.title:
        return detail.title
    text = " ".join(detail.text.split())
    return text if len(text) <= HEADLINE_CHARS else text[: HEADLINE_CHARS - 1].rstrip() + "…"


def _changed_fields(entry: HistoryEntry) -> str:
    names = [label(name) for name in entry.changes if name not in ("feedback_ids",)]
    return ", ".join(names) if names else "details"


def history_line(entry: HistoryEntry) -> HistoryLine:
    """An audit record about the item as a sentence (the stored summaries name items and codes, not words)."""
    changes = entry.changes
    kind = label(str(changes.get("kind") or ""))
    words = {
        "create": "Logged",
        "ingest": "Received through the intake API",
        "update": f"Edited ({_changed_fields(entry)})",
        "feedback.kind_set": f"Kind set to {kind} by hand",
        "feedback.kind_reset": "Kind back to what the analysis says",
        "feedback.linked": entry.summary[:1].upper() + entry.summary[1:],
        "feedback.unlinked": entry.summary[:1].upper() + entry.summary[1:],
        "feedback.theme_moved": entry.summary[:1].upper() + entry.summary[1:],
        "feedback.theme_removed": "Taken out of its theme by hand",
        "feedback.merged": "Other items merged into this one",
        "feedback.unmerged": "Taken out of the item it was merged into",
        "feedback.not_duplicate": "Marked as not a duplicate of another item",
        "feedback.duplicate_restored": "A “not a duplicate” mark was taken back",
    }
    what = words.get(entry.action) or label(entry.action.replace("feedback.", "")).capitalize()
    return HistoryLine(
        at=entry.at.strftime("%Y-%m-%d %H:%M"), what=what, who=entry.who or "an API token or the system"
    )


def _view(
    session: DB,
    user: PageUser,
    feedback_id: int,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
) -> ItemPage:
    actor = user.actor
    detail = service.item_detail(session, actor, feedback_id)
    linked = {idea.idea_id for idea in detail.ideas}
    current_theme = detail.theme.id if detail.theme else None
    return ItemPage(
        detail=detail,
        headline=headline(detail),
        idea_choices=[c for c in ideas_service.idea_choices(session, actor) if c[0] not in linked],
        kind_choices=[(k, label(k)) for k in KINDS],
        theme_choices=[
            c for c in themes_service.theme_choices(session, actor, False) if c[0] != current_theme
        ],
        history=[history_line(entry) for entry in detail.history],
        can_edit=actor.can("feedback.write"),
        can_link=actor.can("ideas.link"),
        errors=errors or {},
        typed=typed or {},
    )


def _page(
    request: Request,
    session: DB,
    user: PageUser,
    feedback_id: int,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    view = _view(session, user, feedback_id, errors, typed)
    return render(request, "feedback_item.html", status_code=422 if errors else 200, user=user, view=view)


@router.get("/feedback/{feedback_id:int}")
def item_page(request: Request, session: DB, user: CurrentUser, feedback_id: FeedbackId) -> Response:
    return _page(request, session, user, feedback_id)


async def _form(request: Request, user: PageUser) -> FormData:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    return form


def _refused(
    request: Request,
    session: DB,
    user: PageUser,
    feedback_id: int,
    form_name: str,
    failure: ValidationFailed,
    typed: dict[str, str],
    field_name: str,
) -> Response:
    """The page again with the form's error next to its field (every message of that form goes to ``field_name``
    unless it names one of the form's own fields)."""
    session.rollback()
    messages = field_messages(failure)
    own = {k: v for k, v in messages.items() if k in typed}
    if not own:
        own = {field_name: next(iter(messages.values()), failure.detail)}
    return _page(request, session, user, feedback_id, {form_name: own}, typed)


@router.post("/feedback/{feedback_id:int}/link")
async def link(request: Request, session: DB, user: CurrentUser, feedback_id: FeedbackId) -> Response:
    """Link the item to the idea chosen in the picker."""
    form = await _form(request, user)
    typed = {
        "idea_id": str(form.get("idea_id", "")),
        "importance": str(form.get("importance", "2")),
        "idea_search": str(form.get("idea_search", ""))[:200],
    }
    try:
        if optional_int(typed["idea_id"]) is None:
            raise ValidationFailed(
                "choose an idea to link to", [FieldError("idea_id", "choose an idea from the list")]
            )
        body = parse_form(ItemLinkRequest, {"idea_id": typed["idea_id"], "importance": typed["importance"]})
        result = service.link_to_idea(session, user.actor, feedback_id, body)
    except ValidationFailed as failure:
        return _refused(request, session, user, feedback_id, "link", failure, typed, "idea_id")
    return see_other(f"/feedback/{feedback_id}", done="relinked" if result.already_linked else "linked")


@router.post("/feedback/{feedback_id:int}/unlink")
async def unlink(request: Request, session: DB, user: CurrentUser, feedback_id: FeedbackId) -> Response:
    """Take the item off one of its ideas."""
    form = await _form(request, user)
    idea_id = optional_int(str(form.get("idea_id", "")))
    if idea_id is None:
        raise ValidationFailed("choose the idea to unlink", [FieldError("idea_id", "empty")])
    service.unlink_from_idea(session, user.actor, feedback_id, idea_id)
    return see_other(f"/feedback/{feedback_id}", done="unlinked")


@router.post("/feedback/{feedback_id:int}/kind")
async def correct_kind(request: Request, session: DB, user: CurrentUser, feedback_id: FeedbackId) -> Response:
    """Correct the kind; "analysed" goes back to what the analysis says."""
    form = await _form(request, user)
    typed = {"kind": str(form.get("kind", ""))}
    try:
        if not typed["kind"]:
            raise ValidationFailed("choose a kind", [FieldError("kind", "choose a kind from the list")])
        kind = None if typed["kind"] == "analysed" else typed["kind"]
        service.correct_kind(session, user.actor, feedback_id, kind)
    except ValidationFailed as failure:
        return _refused(request, session, user, feedback_id, "kind", failure, typed, "kind")
    return see_other(f"/feedback/{feedback_id}", done="kind" if kind else "kind_reset")


@router.post("/feedback/{feedback_id:int}/theme")
async def correct_theme(
    request: Request, session: DB, user: CurrentUser, feedback_id: FeedbackId
) -> Response:
    """Move the item to the chosen theme, or (the "Remove from theme" button, ``remove=1``, or ``theme_id=none``)
    take it out of every theme."""
    form = await _form(request, user)
    typed = {"theme_id": str(form.get("theme_id", ""))}
    remove = str(form.get("remove", "")) == "1" or typed["theme_id"] == "none"
    try:
        theme_id = optional_int(typed["theme_id"])
        if theme_id is None and not remove:
            raise ValidationFailed("choose a theme", [FieldError("theme_id", "choose a theme from the list")])
        service.correct_theme(session, user.actor, feedback_id, None if remove else theme_id)
    except ValidationFailed as failure:
        return _refused(request, session, user, feedback_id, "theme", failure, typed, "theme_id")
    return see_other(f"/feedback/{feedback_id}", done="theme_removed" if remove else "theme")

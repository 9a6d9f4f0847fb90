"""The inbox's bulk actions as form posts: set the kind, label, move to a theme, and (after a confirmation page)
delete or merge. Each returns to the inbox with the filters the user had, and says what it did."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.core.errors import FieldError, ValidationFailed
from northstar.feedback import service
from northstar.feedback.bulk_forms import back_to_inbox, read_form, selected_ids
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.models import Feedback
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.web.deps import DB, CurrentUser, PageUser
from northstar.web.forms import optional_int
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/feedback/bulk/kind")
async def bulk_kind(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    choice = str(form.get("set_kind", ""))
    if not choice:
        raise ValidationFailed("choose the kind to set", [FieldError("set_kind", "empty")])
    kind = None if choice == "reset" else choice
    changed = inbox_service.set_kind(session, user.actor, selected_ids(form), kind)
    return back_to_inbox(str(form.get("back", "")), done="kind" if kind else "kind_reset", count=changed)


@router.post("/feedback/bulk/label")
async def bulk_label(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    category_id = optional_int(str(form.get("set_category_id", "")))
    if category_id is None:
        raise ValidationFailed("choose the category to label with", [FieldError("set_category_id", "empty")])
    changed = taxonomy_service.label_items(session, user.actor, selected_ids(form), category_id, "inbox")
    return back_to_inbox(str(form.get("back", "")), done="label", count=changed)


@router.post("/feedback/bulk/theme")
async def bulk_theme(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    theme_id = optional_int(str(form.get("set_theme_id", "")))
    if theme_id is None:
        raise ValidationFailed("choose the theme to move to", [FieldError("set_theme_id", "empty")])
    moved = inbox_service.move_to_theme(session, user.actor, selected_ids(form), theme_id)
    return back_to_inbox(str(form.get("back", "")), done="theme", count=moved)


def _selected(session: DB, user: PageUser, ids: list[int]) -> list[Feedback]:
    found = service.feedback_by_id(session, user.actor, inbox_service.owned_ids(session, user.actor, ids))
    return [found[i] for i in sorted(found)]


@router.post("/feedback/bulk/delete")
async def confirm_delete(request: Request, session: DB, user: CurrentUser) -> Response:
    """Ask before deleting: list what would go."""
    form = await read_form(request, user)
    user.actor.require("feedback.write")
    items = _selected(session, user, selected_ids(form))
    return render(
        request, "inbox_confirm.html", user=user, action="delete", items=items, back=str(form.get("back", ""))
    )


@router.post("/feedback/bulk/delete/confirm")
async def bulk_delete(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    deleted = inbox_service.delete_items(session, user.actor, selected_ids(form))
    return back_to_inbox(str(form.get("back", "")), done="delete", count=deleted)


@router.post("/feedback/bulk/merge")
async def confirm_merge(request: Request, session: DB, user: CurrentUser) -> Response:
    """Choose which of the selected items stays; the others are merged into it."""
    form = await read_form(request, user)
    user.actor.require("feedback.write")
    items = _selected(session, user, selected_ids(form))
    if len(items) < 2:
        raise ValidationFailed("select two or more items to merge", [FieldError("feedback_id", "one item")])
    merged = [f.id for f in items if f.merged_into_id is not None]
    if merged:
        raise ValidationFailed(f"item(s) {', '.join(map(str, merged))} were merged already")
    customers = service.customers_by_id(session, user.actor, {f.customer_id for f in items if f.customer_id})
    return render(
        request,
        "inbox_confirm.html",
        user=user,
        action="merge",
        items=sorted(items, key=lambda f: f.id),
        customers=customers,
        back=str(form.get("back", "")),
    )

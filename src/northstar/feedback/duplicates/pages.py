"""The duplicates review page: suspected duplicate groups side by side, merge, "not a duplicate", unmerge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from northstar.core.errors import FieldError, ValidationFailed
from northstar.feedback import service
from northstar.feedback.bulk_forms import back_to_inbox, read_form, selected_ids
from northstar.feedback.duplicates import service as duplicates_service
from northstar.web.deps import DB, CurrentUser
from northstar.web.forms import optional_int, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/feedback/duplicates")
def duplicates_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    show: Annotated[str, Query(max_length=16)] = "",
    done: Annotated[str | None, Query(max_length=20)] = None,
    count: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    review = duplicates_service.review_duplicates(session, user.actor, page, 20)
    dismissals = duplicates_service.list_dismissals(session, user.actor) if show == "dismissed" else []
    shown = [g.lead for g in review.groups] + [c.item for g in review.groups for c in g.candidates]
    pair_ids = {d.first_id for d in dismissals} | {d.second_id for d in dismissals}
    dismissed_items = service.feedback_by_id(session, user.actor, pair_ids)
    items = {f.id: f for f in shown} | dismissed_items
    customers = service.customers_by_id(
        session, user.actor, {f.customer_id for f in items.values() if f.customer_id}
    )
    return render(
        request,
        "duplicates.html",
        user=user,
        review=review,
        items=items,
        customers=customers,
        dismissals=dismissals,
        show=show,
        done=done,
        count=count,
    )


@router.post("/feedback/duplicates/merge")
async def merge(request: Request, session: DB, user: CurrentUser) -> Response:
    """Merge the posted items into ``survivor_id`` (from this page or the inbox's merge confirmation)."""
    form = await read_form(request, user)
    survivor_id = optional_int(str(form.get("survivor_id", "")))
    if survivor_id is None:
        raise ValidationFailed("choose the item that stays", [FieldError("survivor_id", "empty")])
    result = duplicates_service.merge_feedback(session, user.actor, survivor_id, selected_ids(form))
    if "back" in form:
        return back_to_inbox(str(form.get("back", "")), done="merge", count=len(result.merged_ids))
    return see_other("/feedback/duplicates", done="merge", count=len(result.merged_ids))


@router.post("/feedback/duplicates/dismiss")
async def dismiss(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    first, second = optional_int(str(form.get("first_id", ""))), optional_int(str(form.get("second_id", "")))
    if first is None or second is None:
        raise ValidationFailed("say which two items are not duplicates", [FieldError("first_id", "empty")])
    duplicates_service.dismiss_pair(session, user.actor, first, second)
    return see_other("/feedback/duplicates", done="dismiss", count=1)


@router.post("/feedback/duplicates/restore")
async def restore(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    first, second = optional_int(str(form.get("first_id", ""))), optional_int(str(form.get("second_id", "")))
    if first is None or second is None:
        raise ValidationFailed("say which pair to restore", [FieldError("first_id", "empty")])
    duplicates_service.restore_pair(session, user.actor, first, second)
    return see_other("/feedback/duplicates", show="dismissed", done="restore", count=1)


@router.post("/feedback/duplicates/unmerge")
async def unmerge(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    (feedback_id,) = selected_ids(form)[:1]
    duplicates_service.unmerge_feedback(session, user.actor, feedback_id)
    return see_other("/feedback/duplicates", done="unmerge", count=1)

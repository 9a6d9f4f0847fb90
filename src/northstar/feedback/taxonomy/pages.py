"""The taxonomy page: your categories, label counts, a train button with job progress, the model's held-out
accuracy and confusion, and the items whose prediction is least sure (to correct or confirm)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from northstar.core.errors import FieldError, ValidationFailed
from northstar.feedback import service
from northstar.feedback.bulk_forms import read_form, selected_ids
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.web.deps import DB, CurrentUser
from northstar.web.forms import optional_int, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/feedback/taxonomy")
def taxonomy_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    done: Annotated[str | None, Query(max_length=20)] = None,
    count: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    view = taxonomy_service.overview(session, user.actor)
    to_label = taxonomy_service.unlabelled_items(session, user.actor) if view.model is None else []
    shown = [r.feedback for r in view.review] + to_label
    customers = service.customers_by_id(session, user.actor, {f.customer_id for f in shown if f.customer_id})
    largest = max([c.labels for c in view.categories] + [1])
    return render(
        request,
        "taxonomy.html",
        user=user,
        view=view,
        to_label=to_label,
        customers=customers,
        largest=largest,
        low_confidence=taxonomy_service.LOW_CONFIDENCE,
        can_write=user.actor.can("feedback.write"),
        done=done,
        count=count,
    )


@router.post("/feedback/taxonomy/categories")
async def add_category(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    taxonomy_service.add_category(
        session, user.actor, str(form.get("name", "")), str(form.get("description", ""))
    )
    return see_other("/feedback/taxonomy", done="category", count=1)


@router.post("/feedback/taxonomy/categories/{category_id}")
async def update_category(category_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = await read_form(request, user)
    description = form.get("description")
    taxonomy_service.update_category(
        session,
        user.actor,
        category_id,
        name=str(form.get("name", "")) or None,
        description=str(description) if description is not None else None,
    )
    return see_other("/feedback/taxonomy", done="renamed", count=1)


@router.post("/feedback/taxonomy/categories/{category_id}/delete")
async def delete_category(category_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    await read_form(request, user)
    taxonomy_service.delete_category(session, user.actor, category_id)
    return see_other("/feedback/taxonomy", done="deleted", count=1)


@router.post("/feedback/taxonomy/label")
async def label(request: Request, session: DB, user: CurrentUser) -> Response:
    """Label (or correct the prediction of) the posted items from this page."""
    form = await read_form(request, user)
    category_id = optional_int(str(form.get("category_id", "")))
    if category_id is None:
        raise ValidationFailed("choose a category", [FieldError("category_id", "empty")])
    changed = taxonomy_service.label_items(session, user.actor, selected_ids(form), category_id, "taxonomy")
    return see_other("/feedback/taxonomy", done="label", count=changed)


@router.post("/feedback/taxonomy/train")
async def train(request: Request, session: DB, user: CurrentUser) -> Response:
    """Start training as a background job; the page shows its progress."""
    await read_form(request, user)
    taxonomy_service.refuse_concurrent_job(session, user.actor)
    taxonomy_service.require_trainable(session, user.actor)
    request.app.state.jobs.submit(session, user.actor, taxonomy_service.TRAIN_JOB, {})
    return see_other("/feedback/taxonomy", done="training", count=0)


@router.post("/feedback/taxonomy/predict")
async def predict(request: Request, session: DB, user: CurrentUser) -> Response:
    await read_form(request, user)
    taxonomy_service.refuse_concurrent_job(session, user.actor)
    if taxonomy_service.current_model(session, user.actor) is None:
        raise ValidationFailed("no model yet: label items and train one first")
    request.app.state.jobs.submit(session, user.actor, taxonomy_service.PREDICT_JOB, {})
    return see_other("/feedback/taxonomy", done="predicting", count=0)

"""Pages for the feedback inbox: search, filters, pagination, logging feedback, bulk link to an idea."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from northstar.core.listing import ListParams
from northstar.customers.models import SEGMENTS
from northstar.feedback import service
from northstar.feedback.engine.kind import KINDS
from northstar.feedback.importers import pages as import_pages
from northstar.feedback.inbox import cells as inbox_cells
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.intake import form_pages
from northstar.feedback.models import SOURCES
from northstar.feedback.schemas import FeedbackCreate
from northstar.feedback.service import SENTIMENT_BANDS
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.feedback.themes.pages import router as _themes_router
from northstar.ideas import service as ideas_service
from northstar.ideas.schemas import LinkRequest
from northstar.web import imports
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import optional_int, parse_form, query_string
from northstar.web.imports import ImportTarget
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(_themes_router)  # the theme explorer and theme pages (/feedback/themes…)
router.include_router(form_pages.router)  # the embeddable form (admin + public)
router.include_router(import_pages.router)  # the import page for every file kind
IMPORT = ImportTarget(
    title="Import feedback from CSV",
    job_kind="feedback.import_csv",
    fields=(
        "text",
        "title",
        "source",
        "external_ref",
        "customer_external_id",
        "customer",
        "contact_email",
        "rating",
        "received_at",
    ),
    required=("text",),
    action="/feedback/import",
)


#: template globals this module's pages use (collected by web/templating.py)
TEMPLATE_GLOBALS = inbox_cells.TEMPLATE_GLOBALS


@router.get("/feedback/import")
def import_page(request: Request, user: CurrentUser) -> Response:
    return imports.upload_form(request, user, IMPORT)


@router.post("/feedback/import/map")
async def import_map(
    request: Request, user: CurrentUser, file: UploadFile, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    return await imports.mapping_step(request, user, IMPORT, file, csrf_token)


@router.post("/feedback/import/start")
async def import_start(request: Request, user: CurrentUser) -> Response:
    return await imports.start_import(request, user, IMPORT)


@router.get("/feedback")
def inbox_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=32)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=20)] = None,
    linked: Annotated[str | None, Query(max_length=5)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    sentiment: Annotated[str | None, Query(max_length=16)] = None,
    theme_id: Annotated[str | None, Query(max_length=20)] = None,
    category_id: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str, Query(max_length=40)] = "-received_at",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    linked_count: Annotated[int | None, Query(ge=0)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    count: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The inbox: search, filters (kind, sentiment, source, segment, theme, category, customer), bulk actions."""
    linked_filter = {"yes": True, "no": False}.get(linked or "")
    filters = {
        "source": source or None,
        "segment": segment or None,
        "customer_id": optional_int(customer_id),
        "linked": linked_filter,
        "kind": kind or None,
        "sentiment": sentiment or None,
        "theme_id": optional_int(theme_id),
        "category_id": optional_int(category_id),
    }
    result = service.list_feedback(session, user.actor, ListParams(q, sort, page, 50, filters))
    theme_filters, move_targets = inbox_service.theme_choices(session, user.actor)
    customers = service.customers_by_id(
        session,
        user.actor,
        {f.customer_id for f in result.items if f.customer_id} | {optional_int(customer_id) or 0} - {0},
    )
    shown = {"q": q, "source": source, "segment": segment, "customer_id": customer_id, "linked": linked}
    shown |= {
        "kind": kind,
        "sentiment": sentiment,
        "theme_id": theme_id,
        "category_id": category_id,
        "sort": sort,
    }
    current = query_string(**shown)
    return render(
        request,
        "inbox.html",
        user=user,
        page=result,
        customers=customers,
        notes=inbox_service.annotate(session, user.actor, [f.id for f in result.items]),
        ideas=ideas_service.idea_choices(session, user.actor),
        themes=theme_filters,
        move_targets=move_targets,
        categories=taxonomy_service.category_choices(session, user.actor),
        kinds=KINDS,
        sentiments=SENTIMENT_BANDS,
        q=q or "",
        source=source or "",
        segment=segment or "",
        customer_id=customer_id or "",
        customer=customers.get(optional_int(customer_id) or 0),
        linked=linked or "",
        kind=kind or "",
        sentiment=sentiment or "",
        theme_id=theme_id or "",
        category_id=category_id or "",
        sort=sort,
        sources=SOURCES,
        segments=SEGMENTS,
        linked_count=linked_count,
        done=done,
        count=count,
        base_query=current,
        back=current,
        without_customer=query_string(**{**shown, "customer_id": None}),
    )


@router.post("/feedback")
async def log_feedback(request: Request, session: DB, user: CurrentUser) -> Response:
    """Log a piece of feedback on behalf of a customer from the inbox form."""
    form = dict(await request.form())
    check_csrf(user, str(form.get("csrf_token", "")))
    data = parse_form(FeedbackCreate, {k: str(v) for k, v in form.items()})
    service.create_feedback(session, user.actor, data)
    return RedirectResponse("/feedback", status_code=303)


@router.post("/feedback/link")
async def bulk_link(request: Request, session: DB, user: CurrentUser) -> Response:
    """Link the checked feedback items to the chosen idea, then go to that idea."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    ids = [int(str(v)) for v in form.getlist("feedback_id") if str(v).isdigit()]
    idea_id = optional_int(str(form.get("idea_id", "")))
    importance = optional_int(str(form.get("importance", ""))) or 2
    if not ids or idea_id is None:
        from northstar.core.errors import ValidationFailed

        raise ValidationFailed("choose at least one feedback item and an idea to link them to")
    ideas_service.link_feedback(
        session, user.actor, idea_id, LinkRequest(feedback_ids=ids, importance=importance)
    )
    return RedirectResponse(f"/ideas/{idea_id}", status_code=303)


def _include_review_pages() -> None:
    """The inbox's bulk actions, the duplicates review, the taxonomy pages and an item's page live in their own
    modules."""
    from northstar.feedback.duplicates import pages as duplicates_pages
    from northstar.feedback.inbox import pages as inbox_pages
    from northstar.feedback.item import pages as item_pages
    from northstar.feedback.taxonomy import pages as taxonomy_pages

    for part in (inbox_pages, duplicates_pages, taxonomy_pages, item_pages):
        router.include_router(part.router)


_include_review_pages()

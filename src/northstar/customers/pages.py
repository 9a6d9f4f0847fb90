"""Pages for customers: the list (search, segment filter, sort) and a customer's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from starlette.responses import Response

from northstar.core.listing import ListParams
from northstar.customers import service
from northstar.customers.models import SEGMENTS
from northstar.feedback import service as feedback_service
from northstar.web import imports
from northstar.web.deps import DB, CurrentUser
from northstar.web.forms import query_string
from northstar.web.imports import ImportTarget
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
IMPORT = ImportTarget(
    title="Import customers from CSV",
    job_kind="customers.import_csv",
    fields=("name", "external_id", "domain", "segment", "plan", "arr", "region", "lifecycle_stage"),
    required=("name",),
    action="/customers/import",
)


@router.get("/customers/import")
def import_page(request: Request, user: CurrentUser) -> Response:
    return imports.upload_form(request, user, IMPORT)


@router.post("/customers/import/map")
async def import_map(
    request: Request, user: CurrentUser, file: UploadFile, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    return await imports.mapping_step(request, user, IMPORT, file, csrf_token)


@router.post("/customers/import/start")
async def import_start(request: Request, user: CurrentUser) -> Response:
    return await imports.start_import(request, user, IMPORT)


@router.get("/customers")
def customers_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[str, Query(max_length=40)] = "-arr",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    params = ListParams(q=q, sort=sort, page=page, per_page=50, filters={"segment": segment or None})
    result = service.list_customers(session, user.actor, params)
    return render(
        request,
        "customers.html",
        user=user,
        page=result,
        q=q or "",
        segment=segment or "",
        sort=sort,
        segments=SEGMENTS,
        base_query=query_string(q=q, segment=segment, sort=sort),
    )


@router.get("/customers/{customer_id}")
def customer_page(request: Request, session: DB, user: CurrentUser, customer_id: int) -> Response:
    customer = service.get_customer(session, user.actor, customer_id)
    feedback = feedback_service.list_feedback(
        session, user.actor, ListParams(per_page=100, filters={"customer_id": customer.id})
    )
    contacts = service.list_contacts(session, user.actor, customer.id)
    return render(
        request, "customer.html", user=user, customer=customer, feedback=feedback, contacts=contacts
    )

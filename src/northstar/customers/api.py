"""JSON API for customers and contacts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from northstar.core.listing import ListParams
from northstar.core.schemas import ImportReport, PageOut
from northstar.core.tabular import parse_mapping
from northstar.customers import service
from northstar.customers.schemas import (
    ContactCreate,
    ContactRead,
    CustomerCreate,
    CustomerRead,
    CustomerUpdate,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["customers"])
customers = APIRouter(prefix="/customers")
MAX_UPLOAD = 50 * 1024 * 1024


@customers.get("")
def list_customers(
    session: DB,
    actor: ApiActor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    lifecycle_stage: Annotated[str | None, Query(max_length=32)] = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[CustomerRead]:
    params = ListParams(
        q=q,
        sort=sort,
        page=page,
        per_page=per_page,
        filters={"segment": segment, "lifecycle_stage": lifecycle_stage},
    )
    result = service.list_customers(session, actor, params)
    return PageOut(
        items=[CustomerRead.model_validate(c) for c in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        total_capped=result.total_capped,
    )


@customers.post("", status_code=201)
def create_customer(body: CustomerCreate, session: DB, actor: ApiActor) -> CustomerRead:
    return CustomerRead.model_validate(service.create_customer(session, actor, body))


@customers.post("/import")
async def import_customers(
    request: Request,
    session: DB,
    actor: ApiActor,
    map: Annotated[str | None, Query(max_length=2000, description="'file column=field,...'")] = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import a CSV file sent as the request body (``text/csv``); all-or-nothing unless ``skip_invalid``."""
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        from northstar.core.errors import PayloadTooLarge

        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    return service.import_customers_csv(
        session, actor, body, parse_mapping(map), skip_invalid, "request body"
    )


@customers.get("/{customer_id}")
def get_customer(customer_id: int, session: DB, actor: ApiActor) -> CustomerRead:
    return CustomerRead.model_validate(service.get_customer(session, actor, customer_id))


@customers.patch("/{customer_id}")
def update_customer(customer_id: int, body: CustomerUpdate, session: DB, actor: ApiActor) -> CustomerRead:
    return CustomerRead.model_validate(service.update_customer(session, actor, customer_id, body))


@customers.delete("/{customer_id}", status_code=204)
def delete_customer(customer_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_customer(session, actor, customer_id)


@customers.get("/{customer_id}/contacts")
def list_customer_contacts(customer_id: int, session: DB, actor: ApiActor) -> list[ContactRead]:
    service.get_customer(session, actor, customer_id)
    return [ContactRead.model_validate(c) for c in service.list_contacts(session, actor, customer_id)]


contacts = APIRouter(prefix="/contacts")


@contacts.get("")
def list_contacts(session: DB, actor: ApiActor) -> list[ContactRead]:
    return [ContactRead.model_validate(c) for c in service.list_contacts(session, actor)]


@contacts.post("", status_code=201)
def create_contact(body: ContactCreate, session: DB, actor: ApiActor) -> ContactRead:
    return ContactRead.model_validate(service.create_contact(session, actor, body))


router.include_router(customers)
router.include_router(contacts)

"""Use cases for customers and contacts: CRUD, search, and CSV import."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import Conflict
from northstar.core.listing import ListParams, Page, apply_changes, get_owned, paginate
from northstar.core.permissions import READ, Actor
from northstar.core.schemas import ImportReport, ProblemFieldError
from northstar.core.tabular import decode_bytes, read_csv, validate_rows
from northstar.customers.models import Contact, Customer
from northstar.customers.schemas import ContactCreate, CustomerCreate, CustomerImportRow, CustomerUpdate

SORTABLE = {
    "name": Customer.name,
    "arr": Customer.arr,
    "segment": Customer.segment,
    "created_at": Customer.created_at,
    "id": Customer.id,
}


def _check_external_id(session: Session, actor: Actor, external_id: str | None, exclude: int | None) -> None:
    if not external_id:
        return
    other = session.scalar(
        select(Customer.id).where(
            Customer.workspace_id == actor.workspace_id, Customer.external_id == external_id
        )
    )
    if other is not None and other != exclude:
        raise Conflict(f"customer {other} already has external id {external_id!r}")


def create_customer(session: Session, actor: Actor, data: CustomerCreate) -> Customer:
    actor.require("customers.write")
    _check_external_id(session, actor, data.external_id, None)
    customer = Customer(workspace_id=actor.workspace_id, **data.model_dump())
    session.add(customer)
    session.flush()
    audit.record(session, actor, "create", "customer", customer.id, customer.name)
    return customer


def get_customer(session: Session, actor: Actor, customer_id: int) -> Customer:
    actor.require(READ)
    return get_owned(session, Customer, customer_id, actor.workspace_id, "customer")


def update_customer(session: Session, actor: Actor, customer_id: int, data: CustomerUpdate) -> Customer:
    actor.require("customers.write")
    customer = get_owned(session, Customer, customer_id, actor.workspace_id, "customer")
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        changes.pop("name")
    if "arr" in changes and changes["arr"] is None:
        changes.pop("arr")
    _check_external_id(session, actor, changes.get("external_id"), customer.id)
    changed = apply_changes(customer, changes)
    if changed:
        audit.record(session, actor, "update", "customer", customer.id, customer.name, changed)
    return customer


def delete_customer(session: Session, actor: Actor, customer_id: int) -> None:
    actor.require("customers.write")
    customer = get_owned(session, Customer, customer_id, actor.workspace_id, "customer")
    audit.record(session, actor, "delete", "customer", customer.id, customer.name)
    session.delete(customer)


def list_customers(session: Session, actor: Actor, params: ListParams) -> Page[Customer]:
    """Customers of the workspace; filters: ``segment``, ``lifecycle_stage``, ``plan``, ``region``."""
    actor.require(READ)
    query = select(Customer).where(Customer.workspace_id == actor.workspace_id)
    for key in ("segment", "lifecycle_stage", "plan", "region"):
        if params.filters.get(key):
            query = query.where(getattr(Customer, key) == params.filters[key])
    return paginate(
        session,
        query,
        params,
        search=(Customer.name, Customer.external_id, Customer.domain),
        sortable=SORTABLE,
        default_sort="-arr",
    )


def import_customers_csv(
    session: Session,
    actor: Actor,
    data: bytes,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    source: str = "file",
) -> ImportReport:
    """Import customers from CSV; rows with a known external id update that customer, others are created."""
    actor.require("customers.write")
    parsed = read_csv(decode_bytes(data, source), mapping, source)
    checked = validate_rows(parsed, CustomerImportRow, ["name"], skip_invalid, source)
    existing = {
        c.external_id: c
        for c in session.scalars(
            select(Customer).where(
                Customer.workspace_id == actor.workspace_id, Customer.external_id.is_not(None)
            )
        )
    }
    created = updated = 0
    seen: set[str] = set()
    for _row_number, row in checked.valid:
        values = row.model_dump()
        key = values.get("external_id")
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        if key and key in existing:
            present = {k: v for k, v in values.items() if k in row.model_fields_set}
            if apply_changes(existing[key], present):
                updated += 1
        else:
            session.add(Customer(workspace_id=actor.workspace_id, **values))
            created += 1
    session.flush()
    audit.record(
        session, actor, "import", "customer", None, f"{created} created, {updated} updated from {source}"
    )
    return ImportReport(
        created=created,
        updated=updated,
        skipped=len({e.row for e in checked.errors}),
        errors=[ProblemFieldError(**e.as_dict()) for e in checked.errors],
    )


def create_contact(session: Session, actor: Actor, data: ContactCreate) -> Contact:
    actor.require("customers.write")
    if data.customer_id is not None:
        get_owned(session, Customer, data.customer_id, actor.workspace_id, "customer")
    email = data.email.lower() if data.email else None
    if email and session.scalar(
        select(Contact.id).where(Contact.workspace_id == actor.workspace_id, Contact.email == email)
    ):
        raise Conflict(f"a contact with e-mail {email} already exists")
    contact = Contact(
        workspace_id=actor.workspace_id,
        name=data.name,
        email=email,
        role=data.role,
        customer_id=data.customer_id,
    )
    session.add(contact)
    session.flush()
    audit.record(session, actor, "create", "contact", contact.id, contact.name)
    return contact


def list_contacts(session: Session, actor: Actor, customer_id: int | None = None) -> list[Contact]:
    actor.require(READ)
    query = select(Contact).where(Contact.workspace_id == actor.workspace_id).order_by(Contact.name)
    if customer_id is not None:
        query = query.where(Contact.customer_id == customer_id)
    return list(session.scalars(query.limit(1000)))

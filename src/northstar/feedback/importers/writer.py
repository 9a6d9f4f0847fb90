"""Writing imported feedback: check every item, match or create customers and contacts, upsert by source + ref.

Shared by the file import job and the intake API. Items are checked first and nothing is written while any is
invalid (unless the caller skips invalid ones); then each item updates the feedback with the same
``(workspace, source, external_ref)`` — the unique key of the feedback table — or is created. An update never
erases what the import does not know: a missing title, rating, date or customer keeps the stored value, so a
customer set by hand in the inbox survives a re-import.

Work happens in two phases. ``plan_items`` only reads (customers, contacts and feedback already stored) and may
report progress; ``apply_plan`` writes everything in one go and reports nothing. On SQLite a progress report is a
write from another connection, which would wait forever behind an open write transaction, so progress must never
be reported between the first write and the commit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.database import utcnow
from northstar.core.errors import FieldError
from northstar.core.permissions import Actor
from northstar.customers.models import Contact, Customer
from northstar.feedback.models import Feedback
from northstar.feedback.schemas import MAX_TEXT

MAX_TITLE = 500
MAX_REF = 200
CHUNK = 500
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
#: e-mail domains shared by many unrelated people: never matched to, or made into, a customer
_FREE_MAIL = """
gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr ymail.com hotmail.com hotmail.fr hotmail.co.uk outlook.com
live.com msn.com icloud.com me.com mac.com aol.com proton.me protonmail.com gmx.com gmx.de gmx.net web.de yandex.ru
yandex.com mail.ru qq.com 163.com 126.com free.fr orange.fr laposte.net t-online.de hey.com fastmail.com zoho.com
"""
FREE_MAIL = frozenset(_FREE_MAIL.split())

Progress = Callable[[int, int | None, str], None]


@dataclass
class ImportItem:
    """One item to write. ``row`` locates it in its file (or batch) for error messages."""

    row: int
    source: str
    text: str
    external_ref: str | None = None
    title: str | None = None
    rating: float | None = None
    received_at: datetime | None = None
    author_name: str | None = None
    author_email: str | None = None
    company: str | None = None
    company_domain: str | None = None
    customer_external_id: str | None = None
    customer_id: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class WriteOutcome:
    """What one item became."""

    row: int
    feedback_id: int
    status: str  # created, updated, unchanged
    customer_id: int | None
    contact_id: int | None


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    contacts_created: int = 0
    outcomes: list[WriteOutcome] = field(default_factory=list)


def stable_ref(prefix: str, external_id: str) -> str:
    """``prefix:id``; ids too long for the column are replaced by their SHA-1 (still stable across imports)."""
    ref = f"{prefix}:{external_id}" if prefix else external_id
    if len(ref) <= MAX_REF:
        return ref
    return f"{prefix}:sha1:{hashlib.sha1(external_id.encode('utf-8')).hexdigest()}"


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


def valid_email(email: str | None) -> bool:
    return bool(email) and len(str(email)) <= 320 and EMAIL.match(str(email)) is not None


def jsonable(value: Any) -> Any:
    """Plain JSON values (dates and other objects become strings; NUL characters are dropped)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False).replace("\\u0000", ""))


def check_item(item: ImportItem) -> list[FieldError]:
    """Why ``item`` cannot be stored (empty when it can); errors carry the item's row."""
    errors = []
    if not item.text.strip():
        errors.append(FieldError("text", "empty text", item.row))
    elif len(item.text) > MAX_TEXT:
        errors.append(FieldError("text", f"longer than {MAX_TEXT:,} characters", item.row))
    if item.title and len(item.title) > MAX_TITLE:
        errors.append(FieldError("title", f"longer than {MAX_TITLE} characters", item.row))
    if item.rating is not None and not -10 <= item.rating <= 10:
        errors.append(FieldError("rating", "must be between -10 and 10", item.row))
    if item.external_ref and len(item.external_ref) > MAX_REF:
        errors.append(FieldError("external_ref", f"longer than {MAX_REF} characters", item.row))
    return errors


def _aware(moment: datetime | None) -> datetime | None:
    """In UTC (naive values are taken as UTC), so that stored and imported dates compare on every backend."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clean(value: str | None) -> str | None:
    return value.replace("\x00", "") if isinstance(value, str) else value


@dataclass
class NewCustomer:
    """A customer to create when the plan is applied (shared by every item that names it)."""

    name: str
    external_id: str | None
    domain: str | None
    row: Customer | None = None


@dataclass
class NewContact:
    email: str
    name: str
    customer: int | NewCustomer | None
    row: Contact | None = None


CustomerRef = int | NewCustomer | None


class CustomerMatcher:
    """Finds the customer of an item by external id, then e-mail or company domain, then company name.

    With ``create`` an unmatched item that names a customer (external id, company, or a domain that is not a
    free-mail one) gets a ``NewCustomer``, remembered for the rest of the import. Reads only.
    """

    def __init__(
        self, session: Session, workspace_id: int, create: bool, create_from_domain: bool = True
    ) -> None:
        self.create, self.create_from_domain = create, create_from_domain
        self.by_external: dict[str, CustomerRef] = {}
        self.by_domain: dict[str, CustomerRef] = {}
        self.by_name: dict[str, CustomerRef] = {}
        self.new: list[NewCustomer] = []
        rows = session.execute(
            select(Customer.id, Customer.external_id, Customer.domain, Customer.name)
            .where(Customer.workspace_id == workspace_id)
            .order_by(Customer.id)
        )
        for customer_id, external_id, domain, name in rows:
            if external_id:
                self.by_external.setdefault(external_id, customer_id)
            if domain:
                self.by_domain.setdefault(domain.lower(), customer_id)
            self.by_name.setdefault(name.strip().lower(), customer_id)

    def known_external(self, external_id: str) -> int | None:
        found = self.by_external.get(external_id)
        return found if isinstance(found, int) else None

    def known_name(self, name: str) -> int | None:
        found = self.by_name.get(name.strip().lower())
        return found if isinstance(found, int) else None

    def match(self, item: ImportItem) -> CustomerRef:
        if item.customer_id is not None:
            return item.customer_id
        external = (item.customer_external_id or "").strip()[:200] or None
        domains = [d for d in (_domain_of(item.company_domain), email_domain(item.author_email)) if d]
        domains = [d[:255] for d in domains if d not in FREE_MAIL]
        company = (item.company or "").strip() or None
        if external and external in self.by_external:
            return self.by_external[external]
        for domain in domains:
            if domain in self.by_domain:
                return self.by_domain[domain]
        if company and company.lower() in self.by_name:
            return self.by_name[company.lower()]
        if not self.create or not (external or company or (domains and self.create_from_domain)):
            return None
        name = (company or (domains[0] if domains else None) or external or "customer")[:300]
        customer = NewCustomer(name=name, external_id=external, domain=domains[0] if domains else None)
        self.new.append(customer)
        if external:
            self.by_external[external] = customer
        if domains:
            self.by_domain[domains[0]] = customer
        self.by_name.setdefault(name.lower(), customer)
        return customer


def _domain_of(value: str | None) -> str | None:
    """A bare domain from 'acme.com', 'https://www.acme.com/x' or 'ann@acme.com'."""
    if not value:
        return None
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].rsplit("@", 1)[-1]
    text = text.removeprefix("www.")
    return text if "." in text and " " not in text else None


class ContactBook:
    """Contacts by e-mail; an address seen for the first time becomes a ``NewContact``. Reads only."""

    def __init__(self, session: Session, workspace_id: int, emails: Iterable[str]) -> None:
        wanted = sorted({e.lower() for e in emails if e})
        self.by_email: dict[str, Contact | NewContact] = {}
        self.new: list[NewContact] = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            for contact in session.scalars(
                select(Contact).where(Contact.workspace_id == workspace_id, Contact.email.in_(chunk))
            ):
                self.by_email[str(contact.email).lower()] = contact

    def contact(
        self, email: str | None, name: str | None, customer: CustomerRef
    ) -> Contact | NewContact | None:
        if not valid_email(email):
            return None
        key = str(email).lower()
        found = self.by_email.get(key)
        if found is None:
            found = NewContact(email=key, name=(name or key.split("@")[0])[:200], customer=customer)
            self.by_email[key] = found
            self.new.append(found)
        return found


def _existing(
    session: Session, workspace_id: int, items: list[ImportItem]
) -> dict[tuple[str, str], Feedback]:
    wanted: dict[str, set[str]] = {}
    for item in items:
        if item.external_ref:
            wanted.setdefault(item.source, set()).add(item.external_ref)
    found: dict[tuple[str, str], Feedback] = {}
    for source, refs in wanted.items():
        ordered = sorted(refs)
        for start in range(0, len(ordered), CHUNK):
            query = select(Feedback).where(
                Feedback.workspace_id == workspace_id,
                Feedback.source == source,
                Feedback.external_ref.in_(ordered[start : start + CHUNK]),
            )
            for row in session.scalars(query):
                found[(source, str(row.external_ref))] = row
    return found


@dataclass
class _Step:
    item: ImportItem
    customer: CustomerRef
    contact: Contact | NewContact | None
    existing: Feedback | None
    meta: dict[str, Any]


@dataclass
class WritePlan:
    """What ``apply_plan`` will do: one step per item, and the customers and contacts to create."""

    steps: list[_Step]
    customers: list[NewCustomer]
    contacts: list[NewContact]


def plan_items(
    session: Session,
    actor: Actor,
    items: list[ImportItem],
    create_customers: bool,
    progress: Progress | None = None,
    label: str = "checking",
    create_from_domain: bool = True,
) -> WritePlan:
    """Match customers, contacts and stored feedback for every item, reading only (progress is safe here).

    ``create_customers`` makes a customer for an item that names one nobody has; ``create_from_domain`` lets an
    e-mail domain alone name one (imports of a tool's export) or not (the intake API: only an explicit id or name).
    """
    customers = CustomerMatcher(session, actor.workspace_id, create_customers, create_from_domain)
    contacts = ContactBook(session, actor.workspace_id, (i.author_email or "" for i in items))
    existing = _existing(session, actor.workspace_id, items)
    steps = []
    total = len(items)
    for index, item in enumerate(items):
        if progress and index % 500 == 0:
            progress(index, total, f"{label} {index:,} of {total:,}")
        customer = customers.match(item)
        contact = contacts.contact(item.author_email, item.author_name, customer)
        meta = jsonable({k: v for k, v in item.meta.items() if v not in (None, "", [], {})})
        row = existing.get((item.source, item.external_ref)) if item.external_ref else None
        steps.append(_Step(item, customer, contact, row, meta))
    return WritePlan(steps, customers.new, contacts.new)


def _customer_id(ref: CustomerRef) -> int | None:
    if isinstance(ref, NewCustomer):
        assert ref.row is not None
        return ref.row.id
    return ref


def apply_plan(session: Session, actor: Actor, plan: WritePlan) -> WriteReport:
    """Create the new customers and contacts, then create or update each item. Reports no progress."""
    report = WriteReport(customers_created=len(plan.customers), contacts_created=len(plan.contacts))
    for customer in plan.customers:
        customer.row = Customer(
            workspace_id=actor.workspace_id,
            name=customer.name,
            external_id=customer.external_id,
            domain=customer.domain,
            arr=0.0,
        )
    session.add_all([c.row for c in plan.customers if c.row is not None])
    session.flush()
    for new_contact in plan.contacts:
        new_contact.row = Contact(
            workspace_id=actor.workspace_id,
            name=new_contact.name,
            email=new_contact.email,
            customer_id=_customer_id(new_contact.customer),
        )
    session.add_all([c.row for c in plan.contacts if c.row is not None])
    session.flush()
    created: dict[tuple[str, str], Feedback] = {}
    results: list[tuple[_Step, Feedback, str]] = []
    for step in plan.steps:
        item = step.item
        customer_id = _customer_id(step.customer)
        contact = step.contact.row if isinstance(step.contact, NewContact) else step.contact
        contact_id = contact.id if contact is not None else None
        if isinstance(step.contact, Contact) and step.contact.customer_id is None and customer_id is not None:
            step.contact.customer_id = customer_id
        key = (item.source, item.external_ref) if item.external_ref else None
        row = step.existing or (created.get(key) if key else None)
        if row is None:
            row = Feedback(
                workspace_id=actor.workspace_id,
                created_by=actor.user_id or None,
                text=_clean(item.text),
                title=_clean(item.title),
                source=item.source,
                external_ref=item.external_ref,
                customer_id=customer_id,
                contact_id=contact_id,
                rating=item.rating,
                received_at=_aware(item.received_at) or utcnow(),
                meta=step.meta,
            )
            session.add(row)
            if key:
                created[key] = row
            report.created += 1
            status = "created"
        else:
            status = "updated" if _update(row, item, customer_id, contact_id, step.meta) else "unchanged"
            report.updated += status == "updated"
            report.unchanged += status == "unchanged"
        results.append((step, row, status))
    session.flush()
    report.outcomes = [
        WriteOutcome(step.item.row, row.id, status, row.customer_id, row.contact_id)
        for step, row, status in results
    ]
    return report


def _update(
    row: Feedback, item: ImportItem, customer_id: int | None, contact_id: int | None, meta: dict[str, Any]
) -> bool:
    """Apply what the import knows; True when anything changed."""
    changes: dict[str, Any] = {"text": _clean(item.text)}
    if item.title is not None:
        changes["title"] = _clean(item.title)
    if item.rating is not None:
        changes["rating"] = item.rating
    if item.received_at is not None:
        changes["received_at"] = _aware(item.received_at)
    if customer_id is not None:
        changes["customer_id"] = customer_id
    if contact_id is not None:
        changes["contact_id"] = contact_id
    merged = {**(row.meta or {}), **meta}
    if merged != (row.meta or {}):
        changes["meta"] = merged
    changed = False
    for name, value in changes.items():
        current = getattr(row, name)
        if name == "received_at" and current is not None and value is not None:
            same = _aware(current) == value
        else:
            same = current == value
        if not same:
            setattr(row, name, value)
            changed = True
    return changed

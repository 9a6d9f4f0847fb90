"""Use case of the intake API: store feedback sent by a product or script, attributed to its customer.

Idempotent on (source, external id): re-sending an item updates it. The customer is matched by its external id,
then by the e-mail's domain, then by name; a customer external id or name nobody has creates the customer (an
e-mail domain alone never does). A batch is all-or-nothing: one invalid item refuses the whole batch.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.permissions import Actor
from northstar.feedback.importers.writer import ImportItem, apply_plan, check_item, plan_items
from northstar.feedback.intake.schemas import IntakeBatchResult, IntakeItem, IntakeResult

PERMISSION = "feedback.ingest"


def _item(index: int, data: IntakeItem) -> ImportItem:
    return ImportItem(
        row=index,
        source=data.source,
        text=data.text,
        external_ref=data.external_id,
        title=data.title,
        rating=data.rating,
        received_at=data.received_at,
        author_name=data.author_name,
        author_email=str(data.email) if data.email else None,
        company=data.customer_name,
        customer_external_id=data.customer_external_id,
        meta={"origin": "api", "tags": data.tags, "author_name": data.author_name, **data.metadata},
    )


def ingest(session: Session, actor: Actor, items: list[IntakeItem], batch: bool = True) -> IntakeBatchResult:
    """Create or update one feedback item per intake item (the caller commits).

    Errors name the field as ``items.N.field`` in a batch, else as ``field``.
    """
    actor.require(PERMISSION)
    prepared = [_item(index, data) for index, data in enumerate(items)]
    problems = [error for item in prepared for error in check_item(item)]
    if problems:
        for problem in problems:
            problem.field = f"items.{problem.row}.{problem.field}" if batch else problem.field
            problem.row = None
        raise ValidationFailed(f"{problems[0].field}: {problems[0].message}; nothing was stored", problems)
    plan = plan_items(session, actor, prepared, create_customers=True, create_from_domain=False)
    report = apply_plan(session, actor, plan)
    audit.record(
        session,
        actor,
        "ingest",
        "feedback",
        report.outcomes[0].feedback_id if len(report.outcomes) == 1 else None,
        f"intake: {report.created} created, {report.updated} updated, {report.unchanged} unchanged",
    )
    return IntakeBatchResult(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        items=[
            IntakeResult(
                id=outcome.feedback_id,
                status=outcome.status,  # type: ignore[arg-type]
                external_id=items[outcome.row].external_id,
                customer_id=outcome.customer_id,
                contact_id=outcome.contact_id,
            )
            for outcome in report.outcomes
        ],
    )

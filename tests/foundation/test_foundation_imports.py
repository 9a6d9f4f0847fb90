"""CSV imports: encodings, header mapping, all-or-nothing, huge fields, formula injection on export."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_customer, make_world

from northstar.core.errors import ValidationFailed
from northstar.core.tabular import MAX_FIELD_CHARS, safe_cell, write_csv
from northstar.customers import service as customers
from northstar.customers.models import Customer
from northstar.feedback import service as feedback
from northstar.feedback.models import Feedback


def test_latin1_and_bom_files_import_with_their_accents(session: Session) -> None:
    world = make_world(session)
    latin = "name,segment\nSociété Générale,enterprise\n".encode("latin-1")
    customers.import_customers_csv(session, world.actor(), latin)
    bom = "\ufeffname,segment\nMüller GmbH,smb\n".encode()
    customers.import_customers_csv(session, world.actor(), bom)
    names = set(session.scalars(select(Customer.name)))
    assert names == {"Société Générale", "Müller GmbH"}


def test_invalid_row_writes_nothing_and_names_row_and_column(session: Session) -> None:
    world = make_world(session)
    data = b"name,arr\nGood,100\nBad,-5\n"
    with pytest.raises(ValidationFailed) as caught:
        customers.import_customers_csv(session, world.actor(), data)
    assert caught.value.errors[0].row == 3 and caught.value.errors[0].field == "arr"
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_huge_field_is_reported_not_truncated(session: Session) -> None:
    world = make_world(session)
    data = ("text\n" + "x" * (MAX_FIELD_CHARS + 5) + "\nshort one\n").encode()
    with pytest.raises(ValidationFailed, match="row 2"):
        feedback.import_feedback_csv(session, world.actor(), data)
    report = feedback.import_feedback_csv(session, world.actor(), data, skip_invalid=True)
    assert report.created == 1 and report.errors[0].row == 2


def test_formula_cells_are_kept_verbatim_on_import_and_neutralised_on_export(session: Session) -> None:
    world = make_world(session)
    data = b"text\n\"=cmd|' /C calc'!A0\"\n"
    feedback.import_feedback_csv(session, world.actor(), data)
    stored = session.scalar(select(Feedback.text))
    assert stored == "=cmd|' /C calc'!A0"
    exported = write_csv([{"text": stored}])
    assert exported.splitlines()[1].startswith("\"'=cmd") or exported.splitlines()[1].startswith("'=cmd")
    assert safe_cell("+1") == "'+1" and safe_cell("plain") == "plain"


def test_feedback_is_attributed_by_external_id_or_email_domain(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", external_id="A-1", domain="acme.io")
    data = b"text,customer_external_id,contact_email\nOne,A-1,\nTwo,,jo@acme.io\nThree,,x@other.org\n"
    feedback.import_feedback_csv(session, world.actor(), data)
    owners = dict(session.execute(select(Feedback.text, Feedback.customer_id)).all())
    assert owners == {"One": acme.id, "Two": acme.id, "Three": None}


def test_unknown_customer_external_id_is_an_error_with_its_row(session: Session) -> None:
    world = make_world(session)
    with pytest.raises(ValidationFailed) as caught:
        feedback.import_feedback_csv(session, world.actor(), b"text,customer_external_id\nHi,NOPE\n")
    assert caught.value.errors[0].row == 2

"""File imports as background jobs: every format is idempotent on (source, external id), customers are matched by
external id or domain (or created), progress and the report are stored on the job, and bad files write nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core import jobs
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.customers.models import Contact, Customer
from northstar.feedback import jobs as feedback_jobs
from northstar.feedback.importers import service as import_service
from northstar.feedback.models import Feedback
from northstar.feedback.models.imports import FeedbackImportUpload
from tests.factories import World, make_customer, make_world

assert feedback_jobs.import_file_job is not None  # importing the module registers the job kind


def run(
    session: Session,
    factory: sessionmaker[Session],
    world: World,
    kind: str,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    seen: list[tuple[int, int | None, str]] | None = None,
) -> jobs.Job:
    """Store the upload, start the import job and run it inline (as the CLI does)."""
    params = import_service.store_upload(session, world.actor(), kind, filename, data, mapping, skip_invalid)
    job = jobs.create_job(session, world.actor(), import_service.JOB_KIND, params)
    session.commit()
    on_progress = (lambda d, t, m: seen.append((d, t, m))) if seen is not None else None
    return jobs.execute_job(factory, job.id, on_progress)


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# --- one small file per format; ``v`` changes the texts but keeps the ids --------------------------------


def zendesk(v: str) -> bytes:
    document = {
        "tickets": [
            {"id": 11, "subject": "Slow", "description": f"Reports are slow {v}", "requester_id": 5},
            {"id": 12, "subject": "SSO", "description": f"We need SAML {v}", "requester_id": 6},
        ],
        "users": [
            {"id": 5, "name": "Ana", "email": "ana@shop.com"},
            {"id": 6, "name": "Bo", "email": "bo@x.org"},
        ],
    }
    return json.dumps(document).encode()


def intercom(v: str) -> bytes:
    conversations = [
        {
            "id": f"c{n}",
            "created_at": 1767225600,
            "source": {"body": f"<p>Logout bug {n} {v}</p>", "author": {}},
        }
        for n in (1, 2)
    ]
    return "\n".join(json.dumps(c) for c in conversations).encode()


def google_play(v: str) -> bytes:
    header = ["Package Name", "Star Rating", "Review Text", "Review Link", "Review Submit Date and Time"]
    rows = [["com.a", "1", f"Crashes {n} {v}", f"https://play/r/{n}", "2026-02-01T10:00:00Z"] for n in (1, 2)]
    return csv_bytes(header, rows, "utf-16")


def app_store(v: str) -> bytes:
    rows = [[str(n), "2026-01-03", "4", f"Widgets {n} {v}", "kim"] for n in (1, 2)]
    return csv_bytes(["ID", "Date", "Rating", "Review", "Nickname"], rows)


def canny(v: str) -> bytes:
    rows = [[f"p{n}", f"Dark mode {n}", f"Please {v}", "lee@corp.io", "3"] for n in (1, 2)]
    return csv_bytes(["ID", "Title", "Details", "Author Email", "Votes"], rows)


def productboard(v: str) -> bytes:
    rows = [[f"n-{n}", f"<p>Needs SSO {n} {v}</p>", "Big", "big.com"] for n in (1, 2)]
    return csv_bytes(["Note ID", "Note text", "Company name", "Company domain"], rows)


def jira(v: str) -> bytes:
    rows = [[f"Export fails {n}", f"PRJ-{n}", f"Steps {v}"] for n in (1, 2)]
    return csv_bytes(["Summary", "Issue key", "Description"], rows)


def mbox(v: str) -> bytes:
    messages = [
        f"From a@b.com Mon Feb  2 10:00:00 2026\nFrom: Ann <ann@b.com>\nSubject: Hi\nMessage-ID: <m{n}@b.com>\n\n"
        f"Please add SSO {n} {v}\n\n-- \nAnn\n"
        for n in (1, 2)
    ]
    return "\n".join(messages).encode()


def table_rows(v: str) -> list[dict[str, str]]:
    return [
        {"text": f"Export is slow {n} {v}", "external_ref": f"T-{n}", "contact_email": "jo@acme.io"}
        for n in (1, 2)
    ]


def table_csv(v: str) -> bytes:
    rows = table_rows(v)
    return csv_bytes(list(rows[0]), [list(r.values()) for r in rows])


def table_jsonl(v: str) -> bytes:
    return "\n".join(json.dumps(r) for r in table_rows(v)).encode()


def table_parquet(v: str) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(table_rows(v)), out)
    return out.getvalue()


FORMATS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "zendesk": ("tickets.json", zendesk),
    "intercom": ("conversations.jsonl", intercom),
    "google_play": ("reviews.csv", google_play),
    "app_store": ("reviews.csv", app_store),
    "canny": ("posts.csv", canny),
    "productboard": ("notes.csv", productboard),
    "jira": ("issues.csv", jira),
    "email": ("inbox.mbox", mbox),
    "csv": ("feedback.csv", table_csv),
    "jsonl": ("feedback.jsonl", table_jsonl),
    "parquet": ("feedback.parquet", table_parquet),
}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_reimporting_the_same_file_updates_instead_of_duplicating(
    kind: str, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    filename, build = FORMATS[kind]
    first = run(session, session_factory, world, kind, filename, build("first version"))
    assert first.status == "succeeded", first.error
    assert first.result is not None and first.result["created"] == 2
    second = run(session, session_factory, world, kind, filename, build("second version"))
    assert second.status == "succeeded", second.error
    assert second.result is not None
    assert (second.result["created"], second.result["updated"]) == (0, 2)
    session.expire_all()
    texts = list(session.scalars(select(Feedback.text).where(Feedback.workspace_id == world.workspace.id)))
    assert len(texts) == 2
    assert all("second version" in t and "first version" not in t for t in texts), texts
    third = run(session, session_factory, world, kind, filename, build("second version"))
    assert third.result is not None and third.result["created"] == 0
    if kind != "csv":  # the CSV import counts a re-sent row as updated even when nothing changed
        assert third.result["unchanged"] == 2


def test_vendor_items_land_in_their_channel_with_a_namespaced_ref(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    run(session, session_factory, world, "zendesk", "t.json", zendesk("x"))
    run(session, session_factory, world, "intercom", "c.jsonl", intercom("x"))
    run(session, session_factory, world, "app_store", "a.csv", app_store("x"))
    session.expire_all()
    rows = session.execute(select(Feedback.source, Feedback.external_ref, Feedback.meta)).all()
    assert {(s, r) for s, r, _ in rows} >= {
        ("support", "zendesk:11"),
        ("support", "intercom:c1"),
        ("app_review", "app_store:1"),
    }
    zendesk_meta = next(m for _s, r, m in rows if r == "zendesk:11")
    assert zendesk_meta["origin"] == "zendesk" and zendesk_meta["author_email"] == "ana@shop.com"


def test_customers_are_matched_by_domain_or_external_id_else_created(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    shop = make_customer(session, world, "Shop Inc", domain="shop.com")
    big = make_customer(session, world, "Big Corp", external_id="crm-9", domain="big.com")
    document = {
        "tickets": [
            {"id": 1, "description": "Slow reports", "requester_id": 5},
            {"id": 2, "description": "SSO please", "requester_id": 6, "organization_id": 70},
            {"id": 3, "description": "Love it", "requester_id": 7},
            {"id": 4, "description": "Again SSO", "requester_id": 8, "organization_id": 70},
        ],
        "users": [
            {"id": 5, "name": "Ana", "email": "ana@shop.com"},
            {"id": 6, "name": "Bo", "email": "bo@newco.io"},
            {"id": 7, "name": "Cy", "email": "cy@gmail.com"},
            {"id": 8, "name": "Di", "email": "di@newco.io"},
        ],
        "organizations": [{"id": 70, "name": "NewCo"}],
    }
    job = run(session, session_factory, world, "zendesk", "t.json", json.dumps(document).encode())
    assert job.status == "succeeded", job.error
    assert job.result is not None and job.result["customers_created"] == 1
    notes = productboard("x")  # company domain big.com: matched by domain, not created from its name
    assert run(session, session_factory, world, "productboard", "n.csv", notes).status == "succeeded"
    session.expire_all()
    owner = dict(session.execute(select(Feedback.external_ref, Feedback.customer_id)).all())
    newco = session.scalar(select(Customer).where(Customer.name == "NewCo"))
    assert newco is not None and newco.external_id == "70" and newco.domain == "newco.io"
    assert owner["zendesk:1"] == shop.id
    assert owner["zendesk:2"] == owner["zendesk:4"] == newco.id
    assert owner["zendesk:3"] is None  # a free-mail address names no company
    assert owner["productboard:n-1"] == owner["productboard:n-2"] == big.id
    assert session.scalar(select(func.count()).select_from(Customer)) == 3
    contact = session.scalar(select(Contact).where(Contact.email == "bo@newco.io"))
    assert contact is not None and contact.customer_id == newco.id and contact.name == "Bo"


def test_a_customer_set_by_hand_survives_a_reimport(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    run(session, session_factory, world, "app_store", "a.csv", app_store("x"))
    acme = make_customer(session, world, "Acme")
    item = session.scalar(select(Feedback).where(Feedback.external_ref == "app_store:1"))
    assert item is not None
    item.customer_id = acme.id
    session.commit()
    run(session, session_factory, world, "app_store", "a.csv", app_store("y"))
    session.expire_all()
    assert (
        session.scalar(select(Feedback.customer_id).where(Feedback.external_ref == "app_store:1")) == acme.id
    )


def test_progress_and_report_are_stored_on_the_job(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    rows = [[f"PRJ-{n}", f"Issue number {n}"] for n in range(1, 1201)]
    seen: list[tuple[int, int | None, str]] = []
    job = run(
        session,
        session_factory,
        world,
        "jira",
        "big.csv",
        csv_bytes(["Issue key", "Summary"], rows),
        seen=seen,
    )
    assert job.status == "succeeded", job.error
    assert seen[0] == (0, None, "reading big.csv")
    assert (500, 1200, "checking big.csv 500 of 1,200") in seen
    assert seen[-1] == (1200, 1200, "writing 1,200 items")
    session.expire_all()
    stored = session.get(jobs.Job, job.id)
    assert stored is not None and stored.status == "succeeded" and (stored.done, stored.total) == (1200, 1200)
    assert stored.result is not None
    assert (
        stored.result["kind"] == "jira"
        and stored.result["file"] == "big.csv"
        and stored.result["created"] == 1200
    )
    assert session.scalar(select(func.count()).select_from(FeedbackImportUpload)) == 0  # the upload is gone


def test_a_bad_row_fails_the_whole_file_with_its_row_and_column(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    data = csv_bytes(["ID", "Review", "Rating"], [["1", "Fine app", "5"], ["2", "", "4"], ["3", "Bad", "99"]])
    job = run(session, session_factory, world, "app_store", "reviews.csv", data)
    assert job.status == "failed" and job.error is not None
    first_line = job.error.splitlines()[0]
    assert first_line.startswith("reviews.csv: 2 invalid row(s); first at row 3, column text")
    assert "row 4, rating: must be between -10 and 10" in job.error
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert session.scalar(select(func.count()).select_from(FeedbackImportUpload)) == 0
    skipped = run(session, session_factory, world, "app_store", "reviews.csv", data, skip_invalid=True)
    assert skipped.status == "succeeded" and skipped.result is not None
    assert (skipped.result["created"], skipped.result["skipped"]) == (1, 2)
    assert {(e["row"], e["field"]) for e in skipped.result["errors"]} == {(3, "text"), (4, "rating")}


@pytest.mark.parametrize(
    ("kind", "filename", "data", "message"),
    [
        ("zendesk", "t.json", b'{"id": 1, "description": "ok"}\n{oops', "line 2: invalid JSON"),
        ("jira", "i.csv", b"Key,Status\nA-1,open\n", "no summary column"),
        ("intercom", "c.json", b"\x00\x01\x02\x03 binary", "looks binary"),
        ("parquet", "f.parquet", b"PAR1 not really", "not a readable Parquet file"),
        ("jsonl", "f.jsonl", b'{"body": "hi"}\n', "lacks the column(s) text"),
        ("email", "m.eml", b"just some words", "not an e-mail message"),
    ],
)
def test_broken_files_fail_with_a_clear_message_and_write_nothing(
    kind: str,
    filename: str,
    data: bytes,
    message: str,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    world = make_world(session)
    job = run(session, session_factory, world, kind, filename, data)
    assert job.status == "failed" and job.error is not None
    assert message in job.error and job.error.startswith(filename), job.error
    assert "Traceback" not in job.error
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_table_kinds_report_unknown_customers_by_line(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    make_customer(session, world, "Acme", external_id="A-1")
    lines = [
        json.dumps({"comment": "Fine", "account": "A-1", "id": 1}),
        "",
        json.dumps({"comment": "Who?", "account": "NOPE", "id": 2}),
    ]
    mapping = {"comment": "text", "account": "customer_external_id", "id": "external_ref"}
    job = run(session, session_factory, world, "jsonl", "f.jsonl", "\n".join(lines).encode(), mapping)
    assert job.status == "failed" and job.error is not None
    assert "first at line 3, column customer_external_id: unknown customer 'NOPE'" in job.error
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_uploads_are_checked_before_a_job_starts(session: Session) -> None:
    world = make_world(session)
    with pytest.raises(ValidationFailed, match="unknown import kind 'trello'"):
        import_service.store_upload(session, world.actor(), "trello", "x.json", b"{}")
    with pytest.raises(ValidationFailed, match="is empty"):
        import_service.store_upload(session, world.actor(), "zendesk", "x.json", b"  \n")
    with pytest.raises(ValidationFailed, match="mapping applies to csv"):
        import_service.store_upload(session, world.actor(), "zendesk", "x.json", b"{}", {"a": "text"})
    with pytest.raises(PermissionDenied):
        import_service.store_upload(session, world.actor(Role.VIEWER), "zendesk", "x.json", b"{}")


def test_a_job_cannot_read_another_workspaces_upload(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    owner_world, other = make_world(session), make_world(session)
    params = import_service.store_upload(session, owner_world.actor(), "zendesk", "t.json", zendesk("x"))
    session.commit()
    job = jobs.create_job(session, other.actor(), import_service.JOB_KIND, params)
    session.commit()
    finished = jobs.execute_job(session_factory, job.id)
    assert finished.status == "failed" and finished.error is not None and "not found" in finished.error
    session.expire_all()
    assert (
        session.scalar(select(func.count()).select_from(FeedbackImportUpload)) == 1
    )  # not the attacker's to delete
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_the_web_csv_job_imports_thousands_of_rows_on_every_backend(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    """Progress is reported before the write transaction: on SQLite a report during it would deadlock."""
    world = make_world(session)
    text = "text,external_ref\n" + "".join(f"Row {n},R{n}\n" for n in range(3000))
    job = jobs.create_job(
        session, world.actor(), "feedback.import_csv", {"csv": text, "source_name": "big.csv"}
    )
    session.commit()
    finished = jobs.execute_job(session_factory, job.id)
    assert finished.status == "succeeded", finished.error
    assert finished.result is not None and finished.result["created"] == 3000
    assert (finished.done, finished.total) == (3000, 3000)

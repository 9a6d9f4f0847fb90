"""Feedback file import speed: the import job's path (check everything, plan, then write in one go) against the
per-row upsert of the original CSV import, on the same rows, then a tool export with customers, and a re-import.

    .venv/bin/python benchmarks/feedback_import.py [--rows 20000] [--database-url URL]

Each case runs in a fresh workspace of a fresh database (SQLite file by default) and commits once.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from _feedback_common import machine_note, markdown_table, write_results
from northstar import modules
from northstar.accounts import service as accounts
from northstar.accounts.schemas import UserCreate, WorkspaceCreate
from northstar.core import migrate
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.permissions import Actor, Role
from northstar.feedback import service
from northstar.feedback.importers import service as import_service
from northstar.feedback.models import Feedback


def table_csv(rows: int, version: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "external_ref", "contact_email", "rating"])
    for n in range(rows):
        writer.writerow(
            [
                f"Export {n} times out when the report is large ({version})",
                f"T-{n}",
                f"u{n}@org{n % 500}.io",
                n % 5 + 1,
            ]
        )
    return out.getvalue().encode()


def zendesk_json(rows: int, version: str) -> bytes:
    tickets = [
        {
            "id": n,
            "subject": f"Ticket {n}",
            "description": f"Reports are slow, case {n} ({version})",
            "requester_id": n % 2000,
            "organization_id": n % 500,
            "tags": ["perf"],
            "created_at": "2026-01-02T03:04:05Z",
        }
        for n in range(rows)
    ]
    users = [{"id": u, "name": f"User {u}", "email": f"user{u}@org{u % 500}.io"} for u in range(2000)]
    organizations = [{"id": o, "name": f"Org {o}"} for o in range(500)]
    return json.dumps({"tickets": tickets, "users": users, "organizations": organizations}).encode()


def workspace(factory: sessionmaker[Session], name: str) -> Actor:
    with factory() as session:
        user = accounts.create_user(
            session, UserCreate(email=f"{name}@bench.dev", name=name, password="bench-password-1")
        )
        ws = accounts.create_workspace(session, user, WorkspaceCreate(name=name))
        session.commit()
        return Actor(user_id=user.id, workspace_id=ws.id, role=Role.OWNER)


def timed(
    factory: sessionmaker[Session], actor: Actor, work: Callable[[Session, Actor], Any]
) -> tuple[float, int]:
    with factory() as session:
        start = time.perf_counter()
        work(session, actor)
        session.commit()
        seconds = time.perf_counter() - start
        stored = session.scalar(
            select(func.count()).select_from(Feedback).where(Feedback.workspace_id == actor.workspace_id)
        )
    return seconds, int(stored or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="northstar-import-bench-")
    url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
    modules.load_models()
    migrate.upgrade(url)
    factory = create_session_factory(create_database_engine(url))
    rows = args.rows
    csv_v1, csv_v2 = table_csv(rows, "v1"), table_csv(rows, "v2")
    zd_v1, zd_v2 = zendesk_json(rows, "v1"), zendesk_json(rows, "v2")

    def old_csv(data: bytes) -> Callable[[Session, Actor], Any]:
        return lambda session, actor: service.import_feedback_csv(session, actor, data, source="bench.csv")

    def new(kind: str, data: bytes) -> Callable[[Session, Actor], Any]:
        return lambda session, actor: import_service.import_bytes(session, actor, kind, f"bench.{kind}", data)

    cases = [
        ("CSV, original per-row upsert (baseline)", "old", [old_csv(csv_v1), old_csv(csv_v2)]),
        ("CSV, import job path", "new-csv", [new("csv", csv_v1), new("csv", csv_v2)]),
        (
            "Zendesk JSON with 500 customers, import job path",
            "new-zd",
            [new("zendesk", zd_v1), new("zendesk", zd_v2)],
        ),
    ]
    table, data = [], {}
    for label, key, (first, again) in cases:
        actor = workspace(factory, key)
        seconds, stored = timed(factory, actor, first)
        reseconds, restored = timed(factory, actor, again)
        assert stored == restored == rows, (label, stored, restored)
        table.append(
            [
                label,
                f"{rows:,}",
                f"{seconds:.1f}",
                f"{rows / seconds:,.0f}",
                f"{reseconds:.1f}",
                f"{rows / reseconds:,.0f}",
            ]
        )
        data[key] = {"rows": rows, "import_seconds": seconds, "reimport_seconds": reseconds}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = url.split(":", 1)[0].split("+", 1)[0]
    body = "\n".join(
        [
            f"Backend: {backend}. {machine_note()}. The machine is shared with other helpers' test runs, so times are"
            " noisy; both paths ran in the same process, one after the other.",
            "",
            markdown_table(
                ["case", "rows", "import s", "rows/s", "re-import (all texts changed) s", "rows/s"], table
            ),
            "",
            f"Peak resident memory of the whole run: {peak_mb:,.0f} MB.",
            "Command: `.venv/bin/python benchmarks/feedback_import.py --rows "
            + str(rows)
            + (" --database-url postgresql+psycopg://…/<empty database>" if backend != "sqlite" else "")
            + "`",
        ]
    )
    data.update(backend=backend, peak_mb=peak_mb, machine=machine_note())
    write_results(f"feedback_import_{backend}", "Feedback file import speed", body, data)


if __name__ == "__main__":
    main()

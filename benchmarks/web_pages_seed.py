"""Seed a large workspace for the web pages benchmark: customers, feedback, ideas and links, in bulk.

The texts come from the deterministic demo company (about 3,000 varied feedback items written from the
phrase bank, 120 idea titles) and are recombined so that 100,000 items do not repeat verbatim: most items
are a demo text, some get a second sentence from another item of the same theme, some a short lead-in, and
timestamps, customers and sources are redrawn. Rows are written with ``insert()`` and lists of dicts
(SQLAlchemy's bulk "insertmanyvalues" path), in chunks, so 100k items take seconds, not minutes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from psycopg.types.json import Json
from sqlalchemy import JSON, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate, UserCreate, WorkspaceCreate
from northstar.core.permissions import Actor, Role, TokenScope
from northstar.customers.models import Customer
from northstar.demo.company import DemoCompany, generate_company
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.teams.models import Team

BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "northstar-bench-pass"
CHUNK = 5_000
AS_OF = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WINDOW_DAYS = 730
LEAD_INS = (
    "Following up on my ticket: ",
    "Quick note from our team: ",
    "From the QBR: ",
    "Again — ",
    "Hi team, ",
    "FYI: ",
    "Not urgent, but ",
    "Relayed by our CSM: ",
)
IDEA_VARIANTS = (
    "",
    " (phase 2)",
    " for enterprise admins",
    " on mobile",
    " — quick win",
    " via the API",
    " for new workspaces",
    " in the EU region",
)


@dataclass
class SeedResult:
    """What was seeded and how long it took, plus the credentials the load test uses."""

    workspace_id: int
    customers: int
    feedback: int
    ideas: int
    links: int
    seconds: float
    cpu_seconds: float
    api_token: str


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (keyed by ORM attribute) into a table only this seeding writes; return ids in order.

    PostgreSQL gets COPY (psycopg's ``copy.write_row``); SQLite a Core INSERT with RETURNING, which
    SQLAlchemy batches into multi-row statements ("insertmanyvalues"). The ORM bulk path is slower: it
    splits batches whenever a row's None pattern changes, and psycopg then sends one INSERT per row.
    """
    table = model.__table__
    column_key = {attr.key: attr.columns[0].key for attr in sa_inspect(model).column_attrs}
    records = [{column_key[k]: v for k, v in row.items()} for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        return _copy(session, table, records)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for chunk in _chunks(records):
        ids.extend(session.scalars(statement, chunk))
    return ids


def _copy(session: Session, table: Any, records: list[dict[str, Any]]) -> list[int]:
    """COPY ``records`` into ``table``, filling Python-side column defaults; ids come back in COPY order."""
    columns = [c for c in table.columns if c.key != "id"]
    for column in columns:
        default = column.default
        missing = [r for r in records if column.key not in r]
        if missing and default is not None:
            for record in missing:
                record[column.key] = default.arg(None) if default.is_callable else default.arg
    json_columns = {c.key for c in columns if isinstance(c.type, JSON)}
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw: Any = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for record in records:
            copy.write_row(
                [Json(record.get(c.key)) if c.key in json_columns else record.get(c.key) for c in columns]
            )
    ids = session.scalars(
        select(table.c.id).where(table.c.workspace_id == records[0]["workspace_id"]).order_by(table.c.id)
    )
    return list(ids)[-len(records) :]


def _first_sentence(text: str) -> str:
    for stop in (". ", "! ", "? "):
        if stop in text:
            return text.split(stop, 1)[0] + stop.strip()
    return text


def _customers(company: DemoCompany, count: int, rand: random.Random, ws: int) -> list[dict[str, Any]]:
    """``count`` customers: the demo's ~300, then perturbed copies (new name suffix, domain, ARR)."""
    base = company.customers
    rows = []
    for i in range(count):
        template = base[i % len(base)]
        copy = i // len(base)
        suffix = (
            "" if copy == 0 else f" {('Labs', 'Group', 'EU', 'Health', 'Cloud', 'Retail')[copy % 6]} {copy}"
        )
        stem, _, tld = template.domain.partition(".")
        rows.append(
            {
                "workspace_id": ws,
                "name": template.name + suffix,
                "external_id": f"bench-c{i:05d}",
                "domain": f"{stem}{copy or ''}.{tld}",
                "segment": template.segment,
                "plan": template.plan,
                "arr": round(template.arr * rand.lognormvariate(0.0, 0.35), 2),
                "region": template.region,
                "lifecycle_stage": template.lifecycle_stage,
            }
        )
    return rows


def _feedback_rows(
    company: DemoCompany, count: int, customer_ids: list[int], seed: int, ws: int, owner_id: int
) -> list[dict[str, Any]]:
    """``count`` feedback items recombined from the demo texts, attributed to customers (heavy-tailed)."""
    rand = random.Random(seed)
    rng = np.random.default_rng(seed)
    demo = company.feedback
    by_theme: dict[str, list[str]] = {}
    for item in demo:
        by_theme.setdefault(item.theme_key, []).append(item.text)
    # a few customers write a lot, most write a little (Zipf-like weights over a shuffled order)
    weights = 1.0 / np.arange(1, len(customer_ids) + 1) ** 0.8
    weights /= weights.sum()
    order = list(customer_ids)
    rand.shuffle(order)
    picks = rng.choice(len(order), size=count, p=weights)
    ages = rng.uniform(0, WINDOW_DAYS * 86_400, size=count)
    rows = []
    for i in range(count):
        template = demo[i % len(demo)]
        text = template.text
        roll = rand.random()
        if i >= len(demo) and roll < 0.35:
            text = f"{text} {_first_sentence(rand.choice(by_theme[template.theme_key]))}"
        elif i >= len(demo) and roll < 0.5:
            text = rand.choice(LEAD_INS) + text[0].lower() + text[1:]
        rows.append(
            {
                "workspace_id": ws,
                "text": text,
                "source": template.source,
                "external_ref": f"bench-f{i:07d}",
                "customer_id": order[int(picks[i])] if rand.random() > 0.04 else None,
                "rating": template.rating,
                "received_at": AS_OF - timedelta(seconds=float(ages[i])),
                "meta": {"language": template.language, "theme": template.theme_key},
                "created_by": owner_id,
            }
        )
    return rows


def _idea_rows(
    company: DemoCompany, count: int, team_ids: list[int], rand: random.Random, ws: int
) -> list[dict[str, Any]]:
    base = company.ideas
    rows = []
    for i in range(count):
        template = base[i % len(base)]
        copy = i // len(base)
        variant = IDEA_VARIANTS[copy % len(IDEA_VARIANTS)]
        title = template.title + variant + (f" #{copy}" if copy >= len(IDEA_VARIANTS) else "")
        rows.append(
            {
                "workspace_id": ws,
                "title": title[:300],
                "description": template.description,
                "status": rand.choice(("new", "new", "under_review", "planned", "in_progress", "shipped")),
                "team_id": rand.choice(team_ids),
                "inputs": {
                    "reach": template.reach,
                    "impact": template.impact,
                    "confidence": template.confidence,
                    "effort": template.effort_person_weeks,
                    "theme": template.theme_key,
                },
                "feedback_count": 0,
                "created_at": AS_OF - timedelta(days=rand.uniform(1, 400)),
            }
        )
    return rows


def seed_workspace(session: Session, feedback: int, ideas: int, customers: int, seed: int = 11) -> SeedResult:
    """Create the benchmark user and workspace and fill it; commits. Returns ids and an API token."""
    started, cpu_started = time.perf_counter(), time.process_time()
    rand = random.Random(seed)
    company = generate_company(7, as_of=AS_OF)
    owner = accounts.create_user(
        session, UserCreate(email=BENCH_EMAIL, name="Bench Owner", password=BENCH_PASSWORD)
    )
    workspace = accounts.create_workspace(session, owner, WorkspaceCreate(name="Bench Co", slug="bench"))
    ws = workspace.id
    actor = Actor(user_id=owner.id, workspace_id=ws, role=Role.OWNER)
    _token, secret = accounts.create_token(session, actor, TokenCreate(name="bench", scope=TokenScope.READ))
    teams = [
        {"workspace_id": ws, "name": t.name, "disciplines": list(t.disciplines), "capacity": {}}
        for t in company.teams
    ]
    team_ids = _bulk(session, Team, teams)
    customer_ids = _bulk(session, Customer, _customers(company, customers, rand, ws))
    feedback_ids = _bulk(
        session, Feedback, _feedback_rows(company, feedback, customer_ids, seed, ws, owner.id)
    )
    idea_ids = _bulk(session, Idea, _idea_rows(company, ideas, team_ids, rand, ws))
    rng = np.random.default_rng(seed)
    counts = np.clip(rng.lognormal(np.log(4.0), 0.8, size=len(idea_ids)).round(), 0, 60).astype(int)
    links: list[dict[str, Any]] = []
    per_idea: list[dict[str, Any]] = []
    for idea_id, wanted in zip(idea_ids, counts, strict=True):
        chosen: list[int] = rng.choice(len(feedback_ids), size=int(wanted), replace=False).tolist()
        for position in chosen:
            links.append(
                {
                    "workspace_id": ws,
                    "idea_id": idea_id,
                    "feedback_id": feedback_ids[int(position)],
                    "importance": rand.choice((1, 2, 2, 3)),
                }
            )
        per_idea.append({"b_id": idea_id, "b_count": int(wanted)})
    _bulk(session, IdeaFeedbackLink, links)
    _set_counts(session, per_idea)
    session.commit()
    return SeedResult(
        workspace_id=ws,
        customers=len(customer_ids),
        feedback=len(feedback_ids),
        ideas=len(idea_ids),
        links=len(links),
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
        api_token=secret,
    )


def _set_counts(session: Session, per_idea: list[dict[str, Any]]) -> None:
    """Store each idea's link count (the list sorts on it) with one executemany UPDATE."""
    from sqlalchemy import bindparam, update

    statement = update(Idea.__table__).where(Idea.__table__.c.id == bindparam("b_id"))
    session.execute(statement.values(feedback_count=bindparam("b_count")), per_idea)

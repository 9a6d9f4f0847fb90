"""Demo content of the integrations (called by ``northstar demo``): a Zendesk and a Jira connection with a month
of past sync runs, and Jira issues linked to the demo's planned, in-progress and shipped ideas.

The demo's connections are marked as such and reach no service: syncing or testing them says so instead of
calling the network. Their credentials are placeholders, sealed like real ones.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.core.settings import Settings
from northstar.ideas.models import Idea
from northstar.integrations.credentials import seal
from northstar.integrations.models import Connection, IssueLink, SyncRun

_ISSUE_STATUS = {"planned": "To Do", "in_progress": "In Progress", "shipped": "Done"}


def _connection(
    session: Session,
    actor: Actor,
    secret: str,
    service: str,
    name: str,
    config: dict[str, str],
    credentials: dict[str, str],
) -> Connection:
    connection = Connection(
        workspace_id=actor.workspace_id,
        service=service,
        name=name,
        config={**config, "demo": "true"},
        sealed_credentials=seal(secret, credentials),
        credential_names=sorted(credentials),
        webhook_key=secrets.token_urlsafe(24),
        created_by=actor.user_id,
    )
    session.add(connection)
    session.flush()
    return connection


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Two connections with their past runs; Jira links on up to eight of the demo's ideas."""
    settings = context.settings or Settings()
    secret = settings.resolved_secret_key()
    rand = random.Random(context.company.seed * 1_000 + 15)
    now = context.company.as_of
    zendesk = _connection(
        session,
        actor,
        secret,
        "zendesk",
        "Support desk (Zendesk)",
        {
            "base_url": "https://northwind.zendesk.com",
            "email": "support-ops@northwind.example",
            "start_time": "0",
        },
        {"api_token": "demo-placeholder", "webhook_secret": "demo-placeholder"},
    )
    jira = _connection(
        session,
        actor,
        secret,
        "jira",
        "Product roadmap (Jira)",
        {
            "base_url": "https://northwind.atlassian.net",
            "email": "dana@northwind.example",
            "project": "ROAD",
            "issue_type": "Story",
        },
        {"api_token": "demo-placeholder", "webhook_secret": "demo-placeholder"},
    )
    for day in range(28, 0, -1):
        started = now - timedelta(days=day, hours=rand.randint(0, 3))
        first = day == 28
        created = rand.randint(180, 240) if first else rand.randint(6, 31)
        status = "failed" if day == 17 else "succeeded"
        errors = (
            [
                "Zendesk kept answering 429 (rate limited) after 5 attempts; the sync stopped and resumes from the same place next time"
            ]
            if status == "failed"
            else []
        )
        session.add(
            SyncRun(
                workspace_id=actor.workspace_id,
                connection_id=zendesk.id,
                mode="full" if first else "incremental",
                status=status,
                pages=max(1, created // 100 + 1),
                items_in=created + rand.randint(0, 4),
                created=created,
                updated=rand.randint(0, 9),
                retries=4 if status == "failed" else rand.choice([0, 0, 1]),
                error_count=len(errors),
                errors=errors,
                started_at=started,
                heartbeat_at=started,
                finished_at=started + timedelta(seconds=3),
                duration_ms=rand.randint(900, 4_800 if first else 1_600),
            )
        )
    zendesk.last_sync_at = now - timedelta(days=1)
    ideas = session.scalars(
        select(Idea)
        .where(Idea.workspace_id == actor.workspace_id, Idea.status.in_(list(_ISSUE_STATUS)))
        .order_by(Idea.id)
    ).all()[:8]
    moved = 0
    for number, idea in enumerate(ideas, start=101):
        session.add(
            IssueLink(
                workspace_id=actor.workspace_id,
                connection_id=jira.id,
                idea_id=idea.id,
                issue_key=f"ROAD-{number}",
                issue_url=f"https://northwind.atlassian.net/browse/ROAD-{number}",
                issue_status=_ISSUE_STATUS[idea.status],
                fix_versions=["2026.2"] if idea.status == "shipped" else [],
            )
        )
        moved += idea.status != "planned"
    for day in (14, 7, 1):
        started = now - timedelta(days=day)
        session.add(
            SyncRun(
                workspace_id=actor.workspace_id,
                connection_id=jira.id,
                mode="incremental",
                status="succeeded",
                pages=1,
                items_in=rand.randint(12, 30),
                ideas_moved=moved if day == 14 else rand.randint(0, 1),
                started_at=started,
                heartbeat_at=started,
                finished_at=started + timedelta(seconds=1),
                duration_ms=rand.randint(400, 1_100),
            )
        )
    jira.last_sync_at = now - timedelta(days=1)
    session.flush()

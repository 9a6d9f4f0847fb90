"""Shareable roadmap links: a signed, expiring, revocable URL that shows planned and in-progress ideas to someone
without an account (titles, status, team and the expected month; never costs, scores or internal notes).

The URL carries the link's random public id signed with the server's secret key (itsdangerous). Opening a link
checks the signature, then that the link exists, is not revoked and has not expired; every failure answers the
same 404, so a stranger learns nothing about which links exist. Every creation, revocation and opening is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import User, Workspace
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, NotFound
from northstar.core.listing import get_owned
from northstar.core.permissions import Actor, Role
from northstar.reports import engine, gather
from northstar.reports.models import ShareLink
from northstar.reports.schemas import SharedIdea, SharedRoadmap, ShareLinkCreate, ShareLinkRead

SALT = "northstar.share-link"
#: the one answer to a link that is forged, unknown, revoked or expired
GONE = "This page does not exist."


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def sign(secret: str, public_id: str) -> str:
    return str(_serializer(secret).dumps(public_id))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def state(link: ShareLink, now: dt.datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if _aware(link.expires_at) <= now else "active"


def _read(link: ShareLink, creator: str | None, secret: str, now: dt.datetime) -> ShareLinkRead:
    current = state(link, now)
    return ShareLinkRead(
        id=link.id,
        label=link.label,
        statuses=[str(s) for s in link.statuses],
        created_by_name=creator,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        state=current,  # type: ignore[arg-type]
        opened_count=link.opened_count,
        last_opened_at=link.last_opened_at,
        path=f"/share/{sign(secret, link.public_id)}" if current == "active" else None,
    )


def create_link(
    session: Session, actor: Actor, secret: str, data: ShareLinkCreate, now: dt.datetime | None = None
) -> ShareLinkRead:
    """A new read-only roadmap link that expires ``expires_in_days`` from now."""
    actor.require("reports.write")
    now = now or utcnow()
    link = ShareLink(
        workspace_id=actor.workspace_id,
        public_id=secrets.token_urlsafe(24),
        label=data.label.strip(),
        statuses=list(dict.fromkeys(data.statuses)),
        created_by=actor.user_id,
        expires_at=now + dt.timedelta(days=data.expires_in_days),
        opened_count=0,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "share_link",
        link.id,
        f"{link.label} (until {link.expires_at:%Y-%m-%d})",
        {"statuses": ",".join(link.statuses)},
    )
    return _read(link, actor.user_name or None, secret, now)


def list_links(
    session: Session, actor: Actor, secret: str, now: dt.datetime | None = None
) -> list[ShareLinkRead]:
    """Every link of the workspace with who created it and whether it still works, newest first."""
    actor.require("reports.write")
    now = now or utcnow()
    rows = session.execute(
        select(ShareLink, User.name)
        .outerjoin(User, User.id == ShareLink.created_by)
        .where(ShareLink.workspace_id == actor.workspace_id)
        .order_by(ShareLink.id.desc())
    ).all()
    return [_read(link, name, secret, now) for link, name in rows]


def revoke_link(session: Session, actor: Actor, secret: str, link_id: int) -> ShareLinkRead:
    """Stop a link at once; it answers 404 from now on."""
    actor.require("reports.write")
    link = get_owned(session, ShareLink, link_id, actor.workspace_id, "share link")
    if link.revoked_at is not None:
        raise Conflict(f"the link “{link.label}” was already revoked")
    now = utcnow()
    link.revoked_at, link.revoked_by = now, actor.user_id
    audit.record(session, actor, "revoke", "share_link", link.id, link.label)
    creator = session.get(User, link.created_by) if link.created_by else None
    return _read(link, creator.name if creator else None, secret, now)


def _resolve(session: Session, secret: str, token: str, now: dt.datetime) -> ShareLink:
    try:
        public_id = _serializer(secret).loads(token)
    except BadSignature:
        raise NotFound(GONE) from None
    link = session.scalar(select(ShareLink).where(ShareLink.public_id == str(public_id)))
    if link is None or state(link, now) != "active":
        raise NotFound(GONE)
    return link


def open_shared_roadmap(
    session: Session, secret: str, token: str, now: dt.datetime | None = None
) -> SharedRoadmap:
    """The roadmap view behind a link, for someone without an account; 404 unless the link is valid now."""
    now = now or utcnow()
    link = _resolve(session, secret, token, now)
    # the viewer has no account: read as the link's workspace with read rights only
    viewer = Actor(user_id=link.created_by or 0, workspace_id=link.workspace_id, role=Role.VIEWER)
    plan = gather.current_plan(session, viewer)
    p85 = engine.forecast_dates(plan.forecast if plan else None)
    statuses = tuple(str(s) for s in link.statuses)
    ideas = [
        SharedIdea(
            title=title,
            status=status,
            team=team,
            expected=p85[str(idea_id)].strftime("%B %Y") if str(idea_id) in p85 else None,
        )
        for idea_id, title, status, team in gather.roadmap_ideas(session, viewer, statuses)
    ]
    order = {status: index for index, status in enumerate(("in_progress", "planned", "shipped"))}
    ideas.sort(key=lambda idea: (order.get(idea.status, 9), idea.expected is None, idea.title.lower()))
    link.opened_count += 1
    link.last_opened_at = now
    session.add(
        audit.AuditEvent(
            workspace_id=link.workspace_id,
            user_id=None,
            action="open",
            object_type="share_link",
            object_id=link.id,
            summary=f"{link.label}: opened without an account",
            changes={},
        )
    )
    session.flush()
    workspace = session.get(Workspace, link.workspace_id)
    return SharedRoadmap(
        workspace=workspace.name if workspace else "",
        label=link.label,
        as_of=now.date(),
        expires_at=link.expires_at,
        ideas=ideas,
    )

"""Settings and administration on both databases: invite links (signed, expiring, for one address), role changes
and removal with the owner guards, workspace settings, the audit log and its filters; every write audited and
behind the permission table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.models import Membership
from northstar.accounts.schemas import TokenCreate, UserCreate
from northstar.administration import service
from northstar.administration.schemas import InviteCreate, WorkspaceSettingsUpdate
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from tests.factories import make_world

SECRET = "test-secret-key"


def test_an_invite_link_signs_up_the_invited_address_with_its_role(session: Session) -> None:
    world = make_world(session)
    owner = world.actor(Role.OWNER)
    token = service.create_invite(
        session, owner, SECRET, InviteCreate(email="New.Person@Example.com", role=Role.PRODUCT_MANAGER)
    )
    invite = service.read_invite(session, SECRET, token)
    assert (invite.email, invite.role, invite.workspace_id) == (
        "new.person@example.com",
        Role.PRODUCT_MANAGER,
        world.workspace.id,
    )
    user = service.sign_up_by_invite(
        session, invite, UserCreate(email="someone.else@example.com", name="Nia", password="a-long-password")
    )
    assert user.email == "new.person@example.com"  # the address is the invite's, not the form's
    assert accounts.actor_for(session, user.id, world.workspace.id).role == Role.PRODUCT_MANAGER
    with pytest.raises(Conflict):  # the link cannot make a second account
        service.sign_up_by_invite(
            session, invite, UserCreate(email="x@example.com", name="X", password="a-long-password")
        )
    session.commit()
    log = service.audit_log(session, owner)
    assert [r.action for r in log.rows[:2]] == ["join", "invite"]


def test_an_invite_link_refuses_tampering_expiry_and_another_address(session: Session) -> None:
    world = make_world(session)
    token = service.create_invite(
        session, world.actor(Role.ADMIN), SECRET, InviteCreate(email="a@example.com")
    )
    body, _, signature = token.partition(".")
    with pytest.raises(NotFound):
        service.read_invite(session, "another-secret", token)
    with pytest.raises(NotFound):
        service.read_invite(session, SECRET, body[:-2] + "xx." + signature)
    with pytest.raises(NotFound, match="expired"):
        service.read_invite(session, SECRET, token, now=datetime.now(UTC) + timedelta(days=8))
    invite = service.read_invite(session, SECRET, token)
    with pytest.raises(PermissionDenied, match=r"a@example\.com"):
        service.accept_invite(session, invite, world.users[Role.VIEWER])
    with pytest.raises(ValidationFailed):  # an admin cannot hand out ownership
        service.create_invite(
            session, world.actor(Role.ADMIN), SECRET, InviteCreate(email="b@example.com", role=Role.OWNER)
        )
    with pytest.raises(PermissionDenied):
        service.create_invite(
            session, world.actor(Role.HEAD_OF_PRODUCT), SECRET, InviteCreate(email="c@example.com")
        )


def test_an_existing_member_opening_an_invite_keeps_their_role(session: Session) -> None:
    world = make_world(session)
    viewer = world.users[Role.VIEWER]
    token = service.create_invite(
        session, world.actor(), SECRET, InviteCreate(email=viewer.email, role=Role.ADMIN)
    )
    service.accept_invite(session, service.read_invite(session, SECRET, token), viewer)
    assert accounts.actor_for(session, viewer.id, world.workspace.id).role == Role.VIEWER


def test_roles_change_and_members_leave_but_the_last_owner_stays(session: Session) -> None:
    world = make_world(session)
    owner, admin = world.actor(Role.OWNER), world.actor(Role.ADMIN)
    contributor = world.users[Role.CONTRIBUTOR]
    service.change_role(session, admin, contributor.id, Role.PRODUCT_MANAGER)
    assert accounts.actor_for(session, contributor.id, world.workspace.id).role == Role.PRODUCT_MANAGER
    with pytest.raises(PermissionDenied):  # only an owner touches an owner
        service.change_role(session, admin, world.users[Role.OWNER].id, Role.VIEWER)
    with pytest.raises(ValidationFailed, match="needs an owner"):
        service.change_role(session, owner, world.users[Role.OWNER].id, Role.ADMIN)
    with pytest.raises(ValidationFailed, match="needs an owner"):
        service.remove_member(session, owner, world.users[Role.OWNER].id)
    with pytest.raises(PermissionDenied):
        service.remove_member(session, world.actor(Role.PRODUCT_MANAGER), contributor.id)
    assert service.remove_member(session, admin, contributor.id) == contributor.email
    session.commit()
    remaining = session.scalars(
        select(Membership.user_id).where(Membership.workspace_id == world.workspace.id)
    )
    assert contributor.id not in set(remaining)
    with pytest.raises(NotFound):
        service.change_role(session, admin, contributor.id, Role.VIEWER)
    changes = service.audit_log(session, owner, action="change_role")
    assert [r.summary for r in changes.rows] == [f"{contributor.email}: contributor to product_manager"]


def test_workspace_settings_are_saved_and_audited_with_what_changed(session: Session) -> None:
    world = make_world(session)
    owner = world.actor()
    service.update_workspace(
        session, owner, WorkspaceSettingsUpdate(name="Lumen Labs", currency="eur", discount_rate_percent=8)
    )
    session.commit()
    workspace = accounts.get_workspace(session, owner)
    assert (workspace.name, workspace.currency, workspace.discount_rate) == ("Lumen Labs", "EUR", 0.08)
    with pytest.raises(PermissionDenied):
        service.update_workspace(
            session,
            world.actor(Role.HEAD_OF_PRODUCT),
            WorkspaceSettingsUpdate(name="x", currency="USD", discount_rate_percent=1),
        )
    assert service.audit_log(session, owner, object_type="workspace").rows[0].summary == "workspace settings"


def test_the_audit_log_filters_by_action_object_and_person_and_pages(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    owner, admin = world.actor(Role.OWNER), world.actor(Role.ADMIN)
    accounts.create_token(session, owner, TokenCreate(name="ci"))
    accounts.create_token(session, admin, TokenCreate(name="etl"))
    accounts.create_token(session, other.actor(), TokenCreate(name="elsewhere"))
    session.commit()
    log = service.audit_log(session, owner, object_type="api_token")
    assert [r.summary for r in log.rows] == [
        "etl (read)",
        "ci (read)",
    ]  # newest first, never another workspace's
    assert "api_token" in log.object_types and "workspace" in log.object_types and "create" in log.actions
    by_admin = service.audit_log(session, owner, user_id=world.users[Role.ADMIN].id)
    assert [r.summary for r in by_admin.rows] == ["etl (read)"]
    assert by_admin.rows[0].user == world.users[Role.ADMIN].name
    assert service.audit_log(session, owner, action="revoke").rows == []
    older = service.audit_log(session, owner, object_type="api_token", before_id=log.rows[0].id)
    assert [r.summary for r in older.rows] == ["ci (read)"] and not older.has_more
    with pytest.raises(PermissionDenied):
        service.audit_log(session, world.actor(Role.PRODUCT_MANAGER))

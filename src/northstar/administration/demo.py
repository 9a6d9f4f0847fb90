"""Demo content of the settings page: the API tokens a product team typically has (a support-desk sync sending
feedback, a read-only board report, and an old integration already revoked), made through the same service as a
person's, so the audit log shows them too."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Actor, TokenScope

DEMO_TOKENS = (
    ("Support desk sync (Zendesk to feedback)", TokenScope.INGEST, False),
    ("Weekly board report", TokenScope.READ, False),
    ("Old Zapier integration", TokenScope.WRITE, True),
)


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Create the demo workspace's API tokens (their secrets are discarded: nobody can use them)."""
    for name, scope, revoked in DEMO_TOKENS:
        token, _secret = accounts.create_token(session, actor, TokenCreate(name=name, scope=scope))
        if revoked:
            accounts.revoke_token(session, actor, token.id)

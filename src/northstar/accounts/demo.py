"""Demo content for sign-in: the demo company's identity provider, prepared by its admin but not switched on
(the demo has no provider to reach), so the single sign-on page shows realistic settings: an Okta-style issuer,
the company's e-mail domain, just-in-time accounts as contributors, two groups mapped to roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import SsoSettings
from northstar.core import audit
from northstar.core.permissions import Actor, Role


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    settings = getattr(context, "settings", None)
    secret = SecretBox(settings.resolved_secret_key()).encrypt("demo-client-secret") if settings else ""
    row = SsoSettings(
        workspace_id=actor.workspace_id,
        issuer="https://lumen-demo.okta.example/oauth2/default",
        client_id="0oa8northstar-demo",
        client_secret_encrypted=secret,
        allowed_domains=["example.com"],
        create_accounts=True,
        default_role=Role.CONTRIBUTOR.value,
        groups_claim="groups",
        group_roles={
            "product-leadership": Role.HEAD_OF_PRODUCT.value,
            "product-managers": Role.PRODUCT_MANAGER.value,
        },
        sso_required=False,
        break_glass_user_id=actor.user_id,
        enabled=False,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "configure", "sso", row.id, f"{row.issuer} (prepared, off)")

"""Roles, permissions and the acting principal. One table, checked in the service layer only.

A permission is a string ``<area>.<verb>``. A role grants a set of permissions; an API token narrows
them further by its scope (``read``, ``write`` or ``ingest``). Services call ``actor.require(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from northstar.core.errors import PermissionDenied


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    HEAD_OF_PRODUCT = "head_of_product"
    PRODUCT_MANAGER = "product_manager"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"
    INGEST = "ingest"


READ = "workspace.read"
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {}

_LEADERS = {Role.OWNER, Role.ADMIN, Role.HEAD_OF_PRODUCT}
_PRODUCT = _LEADERS | {Role.PRODUCT_MANAGER}
_WRITERS = _PRODUCT | {Role.CONTRIBUTOR}
_ADMINS = {Role.OWNER, Role.ADMIN}
_EVERYONE = set(Role)

#: permission -> roles that hold it. The single source of truth for access control.
PERMISSION_TABLE: dict[str, set[Role]] = {
    READ: _EVERYONE,
    "feedback.write": _WRITERS,
    "feedback.ingest": _WRITERS,
    "customers.write": _WRITERS,
    "ideas.write": _PRODUCT,
    "ideas.link": _WRITERS,
    "objectives.write": _LEADERS,
    "checkins.write": _PRODUCT,
    "teams.write": _LEADERS,
    "budget.write": _LEADERS,
    "changelog.write": _PRODUCT,
    "comments.write": _EVERYONE,
    "comments.moderate": _ADMINS,
    "plans.write": _PRODUCT,
    "analytics.write": _PRODUCT,
    "events.ingest": _WRITERS,
    "experiments.write": _PRODUCT,
    "flags.write": _PRODUCT,
    "people.read": _PRODUCT,
    "people.write": _LEADERS,
    "reviews.manage": _LEADERS,
    "maturity.write": _LEADERS,
    "reports.write": _LEADERS,
    "jobs.run": _WRITERS,
    "integrations.manage": _LEADERS,
    "audit.read": _LEADERS,
    "members.manage": _ADMINS,
    "tokens.manage": _ADMINS,
    "workspace.manage": _ADMINS,
    "sso.manage": _ADMINS,
}

#: what each token scope may do at most (intersected with the token creator's role)
SCOPE_PERMISSIONS: dict[TokenScope, frozenset[str] | None] = {
    TokenScope.READ: frozenset({READ, "people.read", "audit.read"}),
    TokenScope.WRITE: None,  # everything the role allows
    TokenScope.INGEST: frozenset({"feedback.ingest", "events.ingest"}),
}


def role_permissions(role: Role) -> frozenset[str]:
    """Every permission a role holds."""
    return frozenset(name for name, roles in PERMISSION_TABLE.items() if role in roles)


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which workspace, with which role (and token scope, for API tokens)."""

    user_id: int
    workspace_id: int
    role: Role
    scope: TokenScope | None = None
    user_name: str = ""

    def can(self, permission: str) -> bool:
        """True when the role, narrowed by the token scope, grants ``permission``."""
        if permission not in PERMISSION_TABLE:
            raise KeyError(f"unknown permission {permission!r}")
        if self.role not in PERMISSION_TABLE[permission]:
            return False
        if self.scope is None:
            return True
        allowed = SCOPE_PERMISSIONS[self.scope]
        return allowed is None or permission in allowed

    def require(self, permission: str) -> None:
        """Raise ``PermissionDenied`` unless the actor holds ``permission``."""
        if not self.can(permission):
            how = f"a {self.scope.value} token" if self.scope else f"the {self.role.value} role"
            raise PermissionDenied(f"{how} may not do '{permission}' in this workspace")

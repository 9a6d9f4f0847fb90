"""Pure rules of signing in: which e-mail domains may enter, which role a provider's groups map to, and when
repeated failures lock an account or an address out. No I/O: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from northstar.core.permissions import Role

#: strongest first: a user in several mapped groups gets the strongest of their roles
ROLE_STRENGTH: tuple[Role, ...] = (
    Role.OWNER,
    Role.ADMIN,
    Role.HEAD_OF_PRODUCT,
    Role.PRODUCT_MANAGER,
    Role.CONTRIBUTOR,
    Role.VIEWER,
)


def normalise_domain(domain: str) -> str:
    """``@Example.COM `` → ``example.com``."""
    return domain.strip().lstrip("@").lower().rstrip(".")


def email_domain(email: str) -> str:
    return normalise_domain(email.rsplit("@", 1)[-1]) if "@" in email else ""


def domain_allowed(email: str, allowed: Iterable[str]) -> bool:
    """True when ``email``'s domain is one of ``allowed`` (exact match; an empty list allows every domain)."""
    domains = {normalise_domain(d) for d in allowed if d.strip()}
    return not domains or email_domain(email) in domains


def role_for_groups(groups: Iterable[str], group_roles: Mapping[str, str], default: Role) -> Role:
    """The strongest role that one of ``groups`` maps to, else ``default``. An owner is never granted by a
    group (ownership is given by another owner); a mapping to "owner" counts as admin."""
    found = {group_roles[g] for g in groups if g in group_roles}
    roles = {Role.ADMIN if r == Role.OWNER.value else Role(r) for r in found if r in set(Role)}
    for role in ROLE_STRENGTH:
        if role in roles:
            return role
    return default


def groups_from_claim(value: object) -> list[str]:
    """A groups claim as a list of names: providers send a list, some a single string or a space-separated one."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []


@dataclass(frozen=True)
class ThrottleRule:
    """At most ``limit`` failures in ``window``; the next one locks out for ``lockout``."""

    limit: int
    window: timedelta
    lockout: timedelta


ACCOUNT_RULE = ThrottleRule(limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
ADDRESS_RULE = ThrottleRule(limit=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def locked(state: ThrottleState | None, now: datetime) -> datetime | None:
    """Until when ``state`` is locked out, or None when a login may be tried now."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until


def after_failure(state: ThrottleState | None, rule: ThrottleRule, now: datetime) -> ThrottleState:
    """The state after one more failure: counted within the window (a new window once it passed), locked out
    when the count goes over the rule's limit."""
    if state is None or now - state.window_started_at > rule.window:
        state = ThrottleState(failures=0, window_started_at=now, locked_until=None)
    failures = state.failures + 1
    locked_until = now + rule.lockout if failures >= rule.limit else state.locked_until
    return ThrottleState(
        failures=failures, window_started_at=state.window_started_at, locked_until=locked_until
    )

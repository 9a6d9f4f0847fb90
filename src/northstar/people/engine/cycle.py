"""Review-cycle rules that do not need a database: nominations, the response window, reminders.

Nomination rules: the reviewee nominates peers, direct reports and cross-functional partners and their
manager approves; the reviewee can never be their own rater outside the self group, nobody is nominated
twice for the same reviewee, and only the reviewee's manager sits in the manager group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from northstar.core.errors import Conflict, FieldError
from northstar.people.engine.reviews import RaterGroup, ReviewError

NOMINATION_STATUSES = ("proposed", "approved", "rejected")


class ResponseWindowClosed(Conflict):
    type_slug = "response-window-closed"
    title = "The response window is closed"


@dataclass(frozen=True)
class Nomination:
    subject_id: str
    rater_id: str
    group: RaterGroup
    status: str = "proposed"


def check_nomination(
    subject_id: str,
    rater_id: str,
    group: RaterGroup,
    existing: Iterable[Nomination],
    manager_id: str | None,
) -> None:
    """Raise :class:`ReviewError` naming the problem if this nomination may not be made."""
    if rater_id == subject_id and group is not RaterGroup.SELF:
        raise ReviewError(
            f"A reviewee cannot nominate themselves as a {group.value.replace('_', ' ')} rater.",
            errors=[FieldError("rater_id", "the rater is the reviewee")],
        )
    if group is RaterGroup.SELF and rater_id != subject_id:
        raise ReviewError("Only the reviewee gives the self-rating.", errors=[FieldError("group", "self")])
    if group is RaterGroup.MANAGER and rater_id != manager_id:
        raise ReviewError(
            "Only the reviewee's manager can be in the manager group.",
            errors=[FieldError("group", "manager")],
        )
    for other in existing:
        if other.subject_id == subject_id and other.rater_id == rater_id and other.status != "rejected":
            raise ReviewError(
                f"This person is already nominated for this reviewee (as {other.group.value}).",
                errors=[FieldError("rater_id", "already nominated")],
            )


def check_response_window(now: datetime, opens_at: datetime, closes_at: datetime) -> None:
    """Raise :class:`ResponseWindowClosed` outside ``[opens_at, closes_at]`` (answers are not stored)."""
    if now < opens_at:
        raise ResponseWindowClosed(f"Responses open on {opens_at:%Y-%m-%d %H:%M} UTC; nothing was saved.")
    if now > closes_at:
        raise ResponseWindowClosed(f"Responses closed on {closes_at:%Y-%m-%d %H:%M} UTC; nothing was saved.")


def reminder_due(
    now: datetime, closes_at: datetime, last_reminded: datetime | None, every: timedelta = timedelta(days=3)
) -> bool:
    """Remind a rater who has not answered: at most once per ``every``, and always in the last 48 hours
    if they have not been reminded within it."""
    if now > closes_at:
        return False
    if last_reminded is None:
        return True
    if closes_at - now <= timedelta(hours=48) and closes_at - last_reminded > timedelta(hours=48):
        return True
    return now - last_reminded >= every

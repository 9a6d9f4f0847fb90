"""Which feedback items an action may touch: the ids a person sent, checked against their workspace and capped.

Every bulk action (inbox, duplicates, taxonomy, themes) starts here, so the check is written once and the
sub-packages do not have to import one another for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.permissions import Actor
from northstar.feedback.models import Feedback

#: most items one bulk action touches (a page of the inbox holds 50; the API allows more)
MAX_BULK = 1000


def owned_ids(
    session: Session, actor: Actor, feedback_ids: Sequence[int], field: str = "feedback_ids"
) -> list[int]:
    """The given ids, checked: 1 to MAX_BULK of them, all in the actor's workspace (else nothing happens)."""
    wanted = sorted({int(i) for i in feedback_ids})
    if not wanted:
        raise ValidationFailed("choose at least one feedback item", [FieldError(field, "empty")])
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(
            f"at most {MAX_BULK} items per bulk action; got {len(wanted)}", [FieldError(field, "too many")]
        )
    require_in_workspace(session, actor, wanted, field)
    return wanted


def require_in_workspace(
    session: Session,
    actor: Actor,
    wanted: Sequence[int],
    field: str = "feedback_ids",
    outcome: str = "changed",
) -> None:
    """Refuse the action (``nothing was <outcome>``) unless every id is an item of the actor's workspace."""
    found = set(
        session.scalars(
            select(Feedback.id).where(Feedback.workspace_id == actor.workspace_id, Feedback.id.in_(wanted))
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            f"no feedback item(s) {', '.join(map(str, missing[:10]))} in this workspace; nothing was {outcome}",
            [FieldError(field, f"unknown id {m}") for m in missing[:100]],
        )

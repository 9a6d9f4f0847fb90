"""Items merged into another (the survivor): undo a merge, and release every item merged into survivors that are
about to be deleted, so deleting an item never loses the items merged into it.

Merging itself is a use case of ``duplicates.service``; undoing one lives here, below both the items service and
the duplicates package, because deleting an item needs it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.permissions import Actor
from northstar.feedback.idea_links import refresh_idea_counts
from northstar.feedback.models import Feedback, FeedbackAnalysis, TaxonomyLabel
from northstar.feedback.ownership import owned_ids
from northstar.ideas.models import IdeaFeedbackLink


def merge_votes(meta: dict[str, Any]) -> int | None:
    value = meta.get("votes")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def unmerge_feedback(session: Session, actor: Actor, feedback_id: int) -> Feedback:
    """Undo a merge: the item comes back to the inbox with its idea links; what it gave the survivor is taken back."""
    actor.require("feedback.write")
    actor.require("ideas.link")
    (item_id,) = owned_ids(session, actor, [feedback_id], "feedback_id")
    item = session.get(Feedback, item_id)
    assert item is not None
    if item.merged_into_id is None:
        raise ValidationFailed(f"#{feedback_id} is not merged", [FieldError("feedback_id", "not merged")])
    survivor = session.get(Feedback, item.merged_into_id)
    item.merged_into_id = None
    # an empty text hash makes the next analysis run treat it as changed and place it in a theme again
    session.execute(
        update(FeedbackAnalysis).where(FeedbackAnalysis.feedback_id == item.id).values(text_hash="")
    )
    if survivor is None:
        return item
    meta = dict(survivor.meta or {})
    records = list(meta.get("merged") or [])
    record = next((r for r in records if r.get("id") == item.id), None)
    idea_ids: set[int] = set()
    if record is not None:
        records.remove(record)
        links = {
            link.idea_id: link
            for link in session.scalars(
                select(IdeaFeedbackLink).where(IdeaFeedbackLink.feedback_id == survivor.id)
            )
        }
        for idea_id in record.get("links_added", []):
            if idea_id in links:
                session.delete(links.pop(idea_id))
        for idea_key, importance in record.get("importance_raised", {}).items():
            if int(idea_key) in links:
                links[int(idea_key)].importance = int(importance)
        for idea_id, importance in record.get("links", []):
            idea_ids.add(int(idea_id))
            session.add(
                IdeaFeedbackLink(
                    workspace_id=actor.workspace_id,
                    idea_id=int(idea_id),
                    feedback_id=item.id,
                    importance=importance,
                )
            )
        if record.get("took_customer") and survivor.customer_id == item.customer_id:
            survivor.customer_id = None
        if record.get("took_contact") and survivor.contact_id == item.contact_id:
            survivor.contact_id = None
        if record.get("votes") is not None and merge_votes(meta) is not None:
            meta["votes"] = (merge_votes(meta) or 0) - int(record["votes"])
        if record.get("label_copied"):
            session.execute(
                delete(TaxonomyLabel).where(
                    TaxonomyLabel.feedback_id == survivor.id, TaxonomyLabel.origin == "merge"
                )
            )
        meta["merged"] = records
        survivor.meta = meta
    session.flush()
    refresh_idea_counts(session, idea_ids)
    audit.record(
        session, actor, "feedback.unmerged", "feedback", item.id, f"#{item.id} taken out of #{survivor.id}"
    )
    return item


def release_merged(session: Session, actor: Actor, survivor_ids: Sequence[int]) -> int:
    """Unmerge every item merged into the given survivors (before they are deleted): each comes back to the inbox
    with its own idea links, so deleting a survivor loses nothing of the items merged into it."""
    children = list(
        session.scalars(
            select(Feedback.id).where(
                Feedback.workspace_id == actor.workspace_id,
                Feedback.merged_into_id.in_(list(survivor_ids)),
                Feedback.id.not_in(list(survivor_ids)),
            )
        )
    )
    for child in children:
        unmerge_feedback(session, actor, child)
    return len(children)

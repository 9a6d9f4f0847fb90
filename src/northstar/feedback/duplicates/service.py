"""Reviewing suspected duplicates: groups found by the analysis, merge them, or say "not a duplicate".

**Groups.** The analysis stores, per item, the earlier item it duplicates (``FeedbackAnalysis.duplicate_of_id``:
same normalised text, or sentence embeddings with cosine ≥ 0.92). Each such pair is an edge; an edge to an item that
was merged is redirected to its survivor; pairs a person dismissed are dropped; the rest are joined into groups
(union-find). The oldest item (smallest id) leads its group.

**Dismissals** are stored as pairs in ``feedback_duplicate_dismissals``, apart from the analysis rows, so a
re-analysis that finds the same pair again does not bring it back.

**Merging** keeps everything: the merged item stays as a record (``merged_into_id`` = the survivor) and leaves the
inbox and every count. Its idea links move to the survivor (an idea linked to both keeps the higher importance),
its customer and contact fill the survivor's when empty, its votes are added to the survivor's, its label is
copied when the survivor has none, and ``metadata.merged`` on the survivor records what came from each merged item
(so ``unmerge`` can undo it). An idea's ARR still counts the customers of items merged into its linked items (see
``ideas.service.idea_demand``), each customer once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.core.permissions import READ, Actor
from northstar.feedback.engine.duplicates import UnionFind
from northstar.feedback.engine.normalize import normalize
from northstar.feedback.idea_links import refresh_idea_counts
from northstar.feedback.merging import merge_votes
from northstar.feedback.merging import (
    release_merged as release_merged,
)  # re-exported: use cases of this module too
from northstar.feedback.merging import unmerge_feedback as unmerge_feedback
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis
from northstar.feedback.models.curation import DuplicateDismissal, TaxonomyLabel
from northstar.feedback.ownership import owned_ids
from northstar.ideas.models import IdeaFeedbackLink

MAX_CHAIN = 50


@dataclass(frozen=True)
class DuplicateCandidate:
    """One suspected duplicate in a group: the item, the item the analysis matched it with, how similar."""

    item: Feedback
    matched_with_id: int
    similarity: float | None
    exact: bool


@dataclass(frozen=True)
class DuplicateGroup:
    lead: Feedback
    candidates: list[DuplicateCandidate]

    @property
    def size(self) -> int:
        return 1 + len(self.candidates)


@dataclass(frozen=True)
class DuplicateReview:
    groups: list[DuplicateGroup]
    total_groups: int
    total_items: int
    dismissed_pairs: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_groups // self.per_page))


@dataclass(frozen=True)
class MergeResult:
    survivor_id: int
    merged_ids: list[int]
    links_moved: int
    importance_raised: int
    votes: int | None
    idea_ids: list[int] = field(default_factory=list)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _survivors(session: Session, workspace_id: int) -> dict[int, int]:
    """merged item id → the live item it was (transitively) merged into."""
    parent: dict[int, int] = {
        item: target
        for item, target in session.execute(
            select(Feedback.id, Feedback.merged_into_id).where(
                Feedback.workspace_id == workspace_id, Feedback.merged_into_id.is_not(None)
            )
        ).all()
        if target is not None
    }
    resolved: dict[int, int] = {}
    for start in parent:
        current, steps = start, 0
        while current in parent and steps < MAX_CHAIN:
            current, steps = parent[current], steps + 1
        resolved[start] = current
    return resolved


def _dismissed(session: Session, workspace_id: int) -> set[tuple[int, int]]:
    return set(
        session.execute(
            select(DuplicateDismissal.first_id, DuplicateDismissal.second_id).where(
                DuplicateDismissal.workspace_id == workspace_id
            )
        ).all()
    )


def _edges(session: Session, actor: Actor) -> tuple[dict[int, int], int]:
    """item → the item it was matched with (merges resolved, dismissals dropped); and how many were dismissed."""
    survivors = _survivors(session, actor.workspace_id)
    dismissed = _dismissed(session, actor.workspace_id)
    raw = session.execute(
        select(FeedbackAnalysis.feedback_id, FeedbackAnalysis.duplicate_of_id).where(
            FeedbackAnalysis.workspace_id == actor.workspace_id,
            FeedbackAnalysis.duplicate_of_id.is_not(None),
        )
    ).all()
    edges: dict[int, int] = {}
    for item, target in raw:
        if item in survivors or target is None:
            continue
        target = survivors.get(target, target)
        if target == item or _pair(item, target) in dismissed:
            continue
        edges[item] = target
    return edges, len(dismissed)


def _vectors(session: Session, ids: Sequence[int]) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    for feedback_id, blob in session.execute(
        select(FeedbackAnalysis.feedback_id, FeedbackAnalysis.embedding).where(
            FeedbackAnalysis.feedback_id.in_(ids), FeedbackAnalysis.embedding.is_not(None)
        )
    ).all():
        if blob is None:
            continue
        vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            found[feedback_id] = vector / norm
    return found


def review_duplicates(session: Session, actor: Actor, page: int = 1, per_page: int = 20) -> DuplicateReview:
    """Suspected duplicate groups, largest first (then newest), one page of them with similarities."""
    actor.require(READ)
    if page < 1 or not 1 <= per_page <= 200:
        raise ValidationFailed(
            "page must be ≥ 1 and per_page between 1 and 200", [FieldError("per_page", "range")]
        )
    edges, dismissed = _edges(session, actor)
    nodes = sorted(set(edges) | set(edges.values()))
    index = {node: position for position, node in enumerate(nodes)}
    union = UnionFind(len(nodes))
    for item, target in edges.items():
        union.union(index[item], index[target])
    members = [[nodes[m] for m in group] for group in union.groups()]
    members.sort(key=lambda group: (-len(group), -max(group)))
    shown = members[(page - 1) * per_page : page * per_page]
    ids = sorted(
        {i for group in shown for i in group} | {edges[i] for group in shown for i in group if i in edges}
    )
    items = {
        f.id: f
        for f in session.scalars(
            select(Feedback).where(Feedback.workspace_id == actor.workspace_id, Feedback.id.in_(ids))
        )
    }
    vectors = _vectors(session, ids)
    keys = {i: normalize(items[i].text).duplicate_key for i in ids if i in items}
    groups: list[DuplicateGroup] = []
    for group in shown:
        lead_id = group[0]
        candidates = []
        for member in group[1:]:
            matched = edges.get(member, lead_id)
            if matched not in index or union.find(index[matched]) != union.find(index[member]):
                matched = lead_id
            if matched == member:  # the lead pointed at this member: show the pair from the lead's side
                matched = lead_id
            similarity = None
            if member in vectors and matched in vectors:
                similarity = round(float(vectors[member] @ vectors[matched]), 4)
            candidates.append(
                DuplicateCandidate(
                    item=items[member],
                    matched_with_id=matched,
                    similarity=similarity,
                    exact=keys.get(member) == keys.get(matched) and member in keys,
                )
            )
        groups.append(DuplicateGroup(lead=items[lead_id], candidates=candidates))
    return DuplicateReview(
        groups=groups,
        total_groups=len(members),
        total_items=len(nodes),
        dismissed_pairs=dismissed,
        page=page,
        per_page=per_page,
    )


def dismiss_pair(session: Session, actor: Actor, first_id: int, second_id: int) -> DuplicateDismissal:
    """Say two items are not duplicates; remembered across every re-analysis."""
    actor.require("feedback.write")
    if first_id == second_id:
        raise ValidationFailed(
            "an item cannot be a duplicate of itself", [FieldError("second_id", "same item")]
        )
    first, second = _pair(*owned_ids(session, actor, [first_id, second_id]))
    existing = session.scalar(
        select(DuplicateDismissal).where(
            DuplicateDismissal.first_id == first, DuplicateDismissal.second_id == second
        )
    )
    if existing is not None:
        return existing
    row = DuplicateDismissal(
        workspace_id=actor.workspace_id, first_id=first, second_id=second, created_by=actor.user_id or None
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "feedback.not_duplicate",
        "feedback",
        first,
        f"#{first} and #{second} are not duplicates",
    )
    return row


def restore_pair(session: Session, actor: Actor, first_id: int, second_id: int) -> None:
    """Forget a dismissal: the pair shows up again when the analysis matched it."""
    actor.require("feedback.write")
    first, second = _pair(first_id, second_id)
    result = session.execute(
        delete(DuplicateDismissal).where(
            DuplicateDismissal.workspace_id == actor.workspace_id,
            DuplicateDismissal.first_id == first,
            DuplicateDismissal.second_id == second,
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(f"#{first} and #{second} were not dismissed")
    audit.record(session, actor, "feedback.duplicate_restored", "feedback", first, f"#{first} and #{second}")


def list_dismissals(session: Session, actor: Actor, limit: int = 200) -> list[DuplicateDismissal]:
    actor.require(READ)
    return list(
        session.scalars(
            select(DuplicateDismissal)
            .where(DuplicateDismissal.workspace_id == actor.workspace_id)
            .order_by(DuplicateDismissal.id.desc())
            .limit(limit)
        )
    )


def merge_feedback(
    session: Session, actor: Actor, survivor_id: int, merged_ids: Sequence[int]
) -> MergeResult:
    """Merge items into ``survivor_id``, keeping every link, customer, contact, vote and label (see module doc)."""
    actor.require("feedback.write")
    actor.require("ideas.link")
    others = sorted({int(i) for i in merged_ids} - {survivor_id})
    if not others:
        raise ValidationFailed(
            "choose at least one item to merge into the survivor", [FieldError("feedback_ids", "empty")]
        )
    owned_ids(session, actor, [survivor_id, *others])
    items = {
        f.id: f for f in session.scalars(select(Feedback).where(Feedback.id.in_([survivor_id, *others])))
    }
    survivor = items[survivor_id]
    if survivor.merged_into_id is not None:
        raise ValidationFailed(
            f"#{survivor_id} was merged into #{survivor.merged_into_id}; merge into that item instead",
            [FieldError("survivor_id", "already merged")],
        )
    already = [i for i in others if items[i].merged_into_id is not None]
    if already:
        raise ValidationFailed(
            f"item(s) {', '.join(map(str, already[:10]))} were merged already; unmerge them first",
            [FieldError("feedback_ids", f"already merged: {i}") for i in already[:100]],
        )
    links = list(
        session.scalars(
            select(IdeaFeedbackLink).where(IdeaFeedbackLink.feedback_id.in_([survivor_id, *others]))
        )
    )
    kept = {link.idea_id: link for link in links if link.feedback_id == survivor_id}
    label_ids = set(
        session.scalars(
            select(TaxonomyLabel.feedback_id).where(TaxonomyLabel.feedback_id.in_([survivor_id, *others]))
        )
    )
    meta = dict(survivor.meta or {})
    records = list(meta.get("merged") or [])
    total_votes = merge_votes(meta)
    moved = raised = 0
    idea_ids: set[int] = set()
    for other_id in others:
        other = items[other_id]
        record: dict[str, Any] = {
            "id": other.id,
            "customer_id": other.customer_id,
            "contact_id": other.contact_id,
            "source": other.source,
            "external_ref": other.external_ref,
            "rating": other.rating,
            "received_at": other.received_at.isoformat() if other.received_at else None,
            "votes": merge_votes(other.meta or {}),
            "links": [],
            "links_added": [],
            "importance_raised": {},
        }
        for link in [link for link in links if link.feedback_id == other_id]:
            record["links"].append([link.idea_id, link.importance])
            idea_ids.add(link.idea_id)
            target = kept.get(link.idea_id)
            if target is None:
                link.feedback_id = survivor_id
                kept[link.idea_id] = link
                record["links_added"].append(link.idea_id)
                moved += 1
            else:
                if link.importance > target.importance:
                    record["importance_raised"][str(link.idea_id)] = target.importance
                    target.importance = link.importance
                    raised += 1
                session.delete(link)
        if survivor.customer_id is None and other.customer_id is not None:
            survivor.customer_id, record["took_customer"] = other.customer_id, True
        if survivor.contact_id is None and other.contact_id is not None:
            survivor.contact_id, record["took_contact"] = other.contact_id, True
        if record["votes"] is not None:
            total_votes = (total_votes or 0) + record["votes"]
        if other_id in label_ids and survivor_id not in label_ids:
            label = session.get(TaxonomyLabel, other_id)
            if label is not None:
                session.add(
                    TaxonomyLabel(
                        feedback_id=survivor_id,
                        workspace_id=actor.workspace_id,
                        category_id=label.category_id,
                        origin="merge",
                        labelled_by=actor.user_id or None,
                    )
                )
                label_ids.add(survivor_id)
                record["label_copied"] = True
        other.merged_into_id = survivor_id
        records.append(record)
    # items merged earlier into a now-merged item follow it to the survivor
    for child in session.scalars(select(Feedback).where(Feedback.merged_into_id.in_(others))):
        child.merged_into_id = survivor_id
    # merged items leave their themes (theme sizes and demand count each request once, on the survivor)
    session.execute(
        update(FeedbackAnalysis)
        .where(FeedbackAnalysis.feedback_id.in_(others))
        .values(theme_id=None, theme_similarity=None)
    )
    meta["merged"] = records
    if total_votes is not None:
        meta["votes"] = total_votes
    survivor.meta = meta
    session.flush()
    refresh_idea_counts(session, idea_ids)
    audit.record(
        session,
        actor,
        "feedback.merged",
        "feedback",
        survivor_id,
        f"merged {', '.join('#' + str(i) for i in others)} into #{survivor_id}"[:500],
        {"merged_ids": ",".join(map(str, others)), "links_moved": moved, "importance_raised": raised},
    )
    return MergeResult(survivor_id, others, moved, raised, total_votes, sorted(idea_ids))


def merged_into(session: Session, actor: Actor, survivor_id: int) -> list[Feedback]:
    """The items merged into ``survivor_id`` (kept as records)."""
    actor.require(READ)
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.workspace_id == actor.workspace_id, Feedback.merged_into_id == survivor_id)
            .order_by(Feedback.id)
        )
    )

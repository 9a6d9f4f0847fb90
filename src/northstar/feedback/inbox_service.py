"""What the inbox shows beside each item, and its bulk actions: set the kind, move to a theme, delete.

The listing itself (search, filters, pagination) is ``service.list_feedback``. Linking to an idea is
``ideas.service.link_feedback``, labelling is ``taxonomy_service.label_items`` and merging is
``duplicates_service.merge_feedback``; the inbox calls them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.permissions import READ, Actor
from northstar.feedback.analysis.kind import KINDS
from northstar.feedback.analysis_store import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.curation_store import (
    KindOverride,
    TaxonomyCategory,
    TaxonomyLabel,
    TaxonomyPrediction,
)
from northstar.feedback.models import Feedback
from northstar.feedback.service import SENTIMENT_CUT, refresh_idea_counts
from northstar.ideas.models import IdeaFeedbackLink

#: most items one bulk action touches (a page of the inbox holds 50; the API allows more)
MAX_BULK = 1000


@dataclass(frozen=True)
class Annotation:
    """What the analysis, people and the taxonomy say about one item."""

    analysed: bool = False
    kind: str | None = None
    kind_confidence: float | None = None
    kind_set_by_person: bool = False
    sentiment: float | None = None
    sentiment_band: str | None = None
    language: str | None = None
    theme_id: int | None = None
    theme_name: str | None = None
    category_id: int | None = None
    category_name: str | None = None
    category_confidence: float | None = None
    category_labelled: bool = False
    merged_count: int = 0


def sentiment_band(value: float | None) -> str | None:
    """negative (≤ -0.3), neutral or positive (≥ 0.3); the same cut as the inbox filter."""
    if value is None:
        return None
    if value <= -SENTIMENT_CUT:
        return "negative"
    if value >= SENTIMENT_CUT:
        return "positive"
    return "neutral"


def annotate(session: Session, actor: Actor, feedback_ids: Iterable[int]) -> dict[int, Annotation]:
    """Annotations for a page of items, in a handful of queries (never one per row).

    Each query looks rows up by item id only and keeps those of the actor's workspace afterwards: with a
    ``workspace_id = ?`` condition SQLite (which keeps no statistics) scans the whole workspace's index instead.
    """
    actor.require(READ)
    ws = actor.workspace_id
    ids = sorted(set(feedback_ids))
    if not ids:
        return {}
    analysis = {
        row.feedback_id: row
        for row in session.execute(
            select(
                FeedbackAnalysis.feedback_id,
                FeedbackAnalysis.workspace_id,
                FeedbackAnalysis.kind,
                FeedbackAnalysis.kind_confidence,
                FeedbackAnalysis.sentiment,
                FeedbackAnalysis.language,
                FeedbackAnalysis.theme_id,
                FeedbackAnalysis.empty,
            ).where(FeedbackAnalysis.feedback_id.in_(ids))
        )
        if row.workspace_id == ws
    }
    overrides = {
        feedback_id: kind
        for feedback_id, owner, kind in session.execute(
            select(KindOverride.feedback_id, KindOverride.workspace_id, KindOverride.kind).where(
                KindOverride.feedback_id.in_(ids)
            )
        ).tuples()
        if owner == ws
    }
    theme_ids = {row.theme_id for row in analysis.values() if row.theme_id}
    themes = {
        theme_id: name
        for theme_id, owner, name in session.execute(
            select(FeedbackTheme.id, FeedbackTheme.workspace_id, FeedbackTheme.name).where(
                FeedbackTheme.id.in_(theme_ids)
            )
        ).tuples()
        if owner == ws
    }
    labels = {
        feedback_id: category_id
        for feedback_id, owner, category_id in session.execute(
            select(TaxonomyLabel.feedback_id, TaxonomyLabel.workspace_id, TaxonomyLabel.category_id).where(
                TaxonomyLabel.feedback_id.in_(ids)
            )
        ).tuples()
        if owner == ws
    }
    predictions = {
        feedback_id: (category_id, confidence)
        for feedback_id, owner, category_id, confidence in session.execute(
            select(
                TaxonomyPrediction.feedback_id,
                TaxonomyPrediction.workspace_id,
                TaxonomyPrediction.category_id,
                TaxonomyPrediction.confidence,
            ).where(TaxonomyPrediction.feedback_id.in_(ids))
        ).tuples()
        if owner == ws
    }
    category_ids = set(labels.values()) | {c for c, _ in predictions.values()}
    categories = {
        category_id: name
        for category_id, owner, name in session.execute(
            select(TaxonomyCategory.id, TaxonomyCategory.workspace_id, TaxonomyCategory.name).where(
                TaxonomyCategory.id.in_(category_ids)
            )
        ).tuples()
        if owner == ws
    }
    merged_counts = {
        survivor: int(count)
        for survivor, owner, count in session.execute(
            select(Feedback.merged_into_id, Feedback.workspace_id, func.count())
            .where(Feedback.merged_into_id.in_(ids))
            .group_by(Feedback.merged_into_id, Feedback.workspace_id)
        ).tuples()
        if owner == ws
    }
    result: dict[int, Annotation] = {}
    for feedback_id in ids:
        row = analysis.get(feedback_id)
        override = overrides.get(feedback_id)
        label = labels.get(feedback_id)
        prediction = predictions.get(feedback_id)
        category_id = label if label is not None else (prediction[0] if prediction else None)
        analysed = row is not None and not row.empty
        result[feedback_id] = Annotation(
            analysed=analysed,
            kind=override or (row.kind if row is not None else None),
            kind_confidence=1.0 if override else (row.kind_confidence if row is not None else None),
            kind_set_by_person=override is not None,
            sentiment=row.sentiment if analysed and row is not None else None,
            sentiment_band=sentiment_band(row.sentiment) if analysed and row is not None else None,
            language=row.language if row is not None else None,
            theme_id=row.theme_id if row is not None else None,
            theme_name=themes.get(row.theme_id) if row is not None and row.theme_id else None,
            category_id=category_id,
            category_name=categories.get(category_id) if category_id else None,
            category_confidence=None if label is not None or not prediction else prediction[1],
            category_labelled=label is not None,
            merged_count=int(merged_counts.get(feedback_id, 0)),
        )
    return result


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
    found = set(
        session.scalars(
            select(Feedback.id).where(Feedback.workspace_id == actor.workspace_id, Feedback.id.in_(wanted))
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(
            f"no feedback item(s) {', '.join(map(str, missing[:10]))} in this workspace; nothing was changed",
            [FieldError(field, f"unknown id {m}") for m in missing[:100]],
        )
    return wanted


def set_kind(session: Session, actor: Actor, feedback_ids: Sequence[int], kind: str | None) -> int:
    """Give items a kind by hand (it wins over the analysis, across re-analysis); ``None`` goes back to the
    analysed kind. Returns how many items changed."""
    actor.require("feedback.write")
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(
            f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", [FieldError("kind", "unknown")]
        )
    ids = owned_ids(session, actor, feedback_ids)
    existing = {
        row.feedback_id: row
        for row in session.scalars(select(KindOverride).where(KindOverride.feedback_id.in_(ids)))
    }
    changed = 0
    for feedback_id in ids:
        row = existing.get(feedback_id)
        if kind is None:
            if row is not None:
                session.delete(row)
                changed += 1
        elif row is None:
            session.add(
                KindOverride(
                    feedback_id=feedback_id,
                    workspace_id=actor.workspace_id,
                    kind=kind,
                    set_by=actor.user_id or None,
                )
            )
            changed += 1
        elif row.kind != kind:
            row.kind, row.set_by, row.set_at = kind, actor.user_id or None, utcnow()
            changed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "feedback.kind_set" if kind else "feedback.kind_reset",
        "feedback",
        ids[0] if len(ids) == 1 else None,
        f"{changed} item(s) set to {kind}" if kind else f"{changed} item(s) back to the analysed kind",
        {"feedback_ids": ",".join(map(str, ids[:200])), "kind": kind},
    )
    return changed


def move_to_theme(session: Session, actor: Actor, feedback_ids: Sequence[int], theme_id: int) -> int:
    """Put analysed items in a (sub-)theme; the themes module locks them there across re-analysis. Returns how many
    moved."""
    from northstar.feedback import themes_service

    ids = owned_ids(session, actor, feedback_ids)
    return themes_service.move_items(session, actor, theme_id, ids).moved


def delete_items(session: Session, actor: Actor, feedback_ids: Sequence[int]) -> int:
    """Delete items (after the page asked for confirmation). Ideas they were linked to are recounted; items that
    had been merged into a deleted item come back to the inbox, so their text and customer are not lost."""
    actor.require("feedback.write")
    ids = owned_ids(session, actor, feedback_ids)
    from northstar.feedback.duplicates_service import release_merged  # (it builds on this module)

    release_merged(session, actor, ids)
    idea_ids = set(
        session.scalars(select(IdeaFeedbackLink.idea_id).where(IdeaFeedbackLink.feedback_id.in_(ids)))
    )
    session.execute(delete(IdeaFeedbackLink).where(IdeaFeedbackLink.feedback_id.in_(ids)))
    session.execute(delete(Feedback).where(Feedback.workspace_id == actor.workspace_id, Feedback.id.in_(ids)))
    refresh_idea_counts(session, idea_ids)
    audit.record(
        session,
        actor,
        "delete",
        "feedback",
        ids[0] if len(ids) == 1 else None,
        f"{len(ids)} feedback item(s) deleted",
        {"feedback_ids": ",".join(map(str, ids[:200]))},
    )
    return len(ids)


def theme_choices(session: Session, actor: Actor) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(themes to filter by: parents and the themes that hold items; themes items can be moved to)."""
    from northstar.feedback import themes_service

    holders = themes_service.theme_choices(session, actor, parents=False)
    parents = themes_service.theme_choices(session, actor, parents=True)
    return sorted(parents + holders, key=lambda pair: pair[1].casefold()), holders

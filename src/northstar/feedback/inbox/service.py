"""What the inbox shows beside each item, and its bulk actions: set the kind, move to a theme, delete.

The listing itself (search, filters, pagination) is ``service.list_feedback``. Linking to an idea is
``ideas.service.link_feedback``, labelling is ``taxonomy_service.label_items`` and merging is
``duplicates_service.merge_feedback``; the inbox calls them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session, aliased

from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.permissions import READ, Actor
from northstar.feedback.engine.kind import KINDS
from northstar.feedback.idea_links import refresh_idea_counts
from northstar.feedback.merging import release_merged
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.curation import (
    KindOverride,
    TaxonomyCategory,
    TaxonomyLabel,
    TaxonomyPrediction,
)
from northstar.feedback.ownership import owned_ids
from northstar.feedback.service import SENTIMENT_CUT
from northstar.feedback.themes import service as themes_service
from northstar.ideas.models import IdeaFeedbackLink

#: the category a person labelled an item with, and the one the model predicted (aliases built once: building
#: them per call costs more than the query)
label_category = aliased(TaxonomyCategory, name="label_category")
predicted_category = aliased(TaxonomyCategory, name="predicted_category")
_MERGED_INTO = aliased(Feedback, name="merged_into_this")


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


def _item_workspace_row(target: Any, target_id: Any) -> ColumnElement[bool]:
    """Join condition: ``target``'s row with id ``target_id``, if it belongs to the item's workspace."""
    return and_(target.id == target_id, target.workspace_id == Feedback.workspace_id)


def annotate(session: Session, actor: Actor, feedback_ids: Iterable[int]) -> dict[int, Annotation]:
    """Annotations for a page of items, in one query (never one per row).

    It joins everything said about each item (analysis, kind override, theme, label, prediction and the
    category they name, and the count of items merged into it) by item id; the workspace check is on the
    item's own row.
    """
    actor.require(READ)
    ws = actor.workspace_id
    ids = sorted(set(feedback_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            Feedback.id,
            Feedback.workspace_id,
            FeedbackAnalysis.feedback_id.label("analysed_id"),
            FeedbackAnalysis.kind,
            FeedbackAnalysis.kind_confidence,
            FeedbackAnalysis.sentiment,
            FeedbackAnalysis.language,
            FeedbackAnalysis.theme_id,
            FeedbackAnalysis.empty,
            FeedbackTheme.name.label("theme_name"),
            KindOverride.kind.label("override"),
            TaxonomyLabel.category_id.label("label_id"),
            label_category.name.label("label_name"),
            TaxonomyPrediction.category_id.label("prediction_id"),
            TaxonomyPrediction.confidence.label("prediction_confidence"),
            predicted_category.name.label("prediction_name"),
            select(func.count())
            .where(
                _MERGED_INTO.merged_into_id == Feedback.id, _MERGED_INTO.workspace_id == Feedback.workspace_id
            )
            .scalar_subquery()
            .label("merged_count"),
        )
        .select_from(Feedback)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == Feedback.id)
        .outerjoin(FeedbackTheme, _item_workspace_row(FeedbackTheme, FeedbackAnalysis.theme_id))
        .outerjoin(KindOverride, KindOverride.feedback_id == Feedback.id)
        .outerjoin(TaxonomyLabel, TaxonomyLabel.feedback_id == Feedback.id)
        .outerjoin(label_category, _item_workspace_row(label_category, TaxonomyLabel.category_id))
        .outerjoin(TaxonomyPrediction, TaxonomyPrediction.feedback_id == Feedback.id)
        .outerjoin(
            predicted_category, _item_workspace_row(predicted_category, TaxonomyPrediction.category_id)
        )
        .where(Feedback.id.in_(ids))
    ).all()
    result: dict[int, Annotation] = {}
    for row in rows:
        if row.workspace_id != ws:
            continue
        override = row.override
        labelled = row.label_id is not None
        category_id = row.label_id if labelled else row.prediction_id
        has_analysis = row.analysed_id is not None
        analysed = has_analysis and not row.empty
        result[row.id] = Annotation(
            analysed=analysed,
            kind=override or row.kind,
            kind_confidence=1.0 if override else row.kind_confidence,
            kind_set_by_person=override is not None,
            sentiment=row.sentiment if analysed else None,
            sentiment_band=sentiment_band(row.sentiment) if analysed else None,
            language=row.language,
            theme_id=row.theme_id,
            theme_name=row.theme_name if row.theme_id else None,
            category_id=category_id,
            category_name=(row.label_name if labelled else row.prediction_name) if category_id else None,
            category_confidence=None if labelled or row.prediction_id is None else row.prediction_confidence,
            category_labelled=labelled,
            merged_count=int(row.merged_count or 0),
        )
    return result


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
    ids = owned_ids(session, actor, feedback_ids)
    return themes_service.move_items(session, actor, theme_id, ids).moved


def delete_items(session: Session, actor: Actor, feedback_ids: Sequence[int]) -> int:
    """Delete items (after the page asked for confirmation). Ideas they were linked to are recounted; items that
    had been merged into a deleted item come back to the inbox, so their text and customer are not lost."""
    actor.require("feedback.write")
    ids = owned_ids(session, actor, feedback_ids)
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
    parents, holders = themes_service.theme_picker_lists(session, actor)
    return sorted(parents + holders, key=lambda pair: pair[1].casefold()), holders

"""Use cases of the feedback analysis: run it (incrementally) for a workspace, rename and pin themes.

``run_analysis`` only processes feedback that is new or whose text changed since it was last analysed (compared by
text hash); embeddings are stored (float16) so later runs never re-embed old items. The first run discovers themes;
later runs assign new items to the stored themes and add candidate themes for items that fit none. Theme names a
person changed (``name_locked``) and pinned themes are never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import Actor
from northstar.feedback.analysis.embeddings import (
    EMBEDDING_DIMENSION,
    Embedder,
    EmbeddingCache,
    embedding_key,
    text_hash,
)
from northstar.feedback.analysis.pipeline import AnalysisState, FeedbackText, ItemAnalysis, analyse
from northstar.feedback.analysis.themes import Theme, ThemeSet
from northstar.feedback.analysis_store import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models import Feedback


@dataclass(frozen=True)
class AnalysisSummary:
    analysed: int
    skipped_unchanged: int
    failed: int
    themes: int
    candidate_themes: int


def _vector(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def _load_state(session: Session, workspace_id: int) -> tuple[AnalysisState, dict[str, FeedbackTheme]]:
    state = AnalysisState(embedder=Embedder(EmbeddingCache()))
    rows = session.scalars(select(FeedbackTheme).where(FeedbackTheme.workspace_id == workspace_id)).all()
    by_key = {row.key: row for row in rows}
    leaves = [row for row in rows if row.parent_id is not None or row.candidate]
    if leaves:
        state.theme_set = ThemeSet(
            themes=[
                Theme(
                    row.key,
                    row.name,
                    list(row.keywords),
                    list(row.quotes),
                    row.size,
                    np.frombuffer(row.centroid, dtype=np.float16).astype(np.float32),
                )
                for row in leaves
                if row.centroid is not None
            ]
        )
    return state, by_key


def run_analysis(
    session: Session, actor: Actor, progress: Callable[[int, int, str], None] | None = None
) -> AnalysisSummary:
    """Analyse the workspace's new and changed feedback and store the results (the caller commits)."""
    actor.require("feedback.write")
    feedback = session.scalars(select(Feedback).where(Feedback.workspace_id == actor.workspace_id)).all()
    stored = {
        row.feedback_id: row
        for row in session.scalars(
            select(FeedbackAnalysis).where(FeedbackAnalysis.workspace_id == actor.workspace_id)
        )
    }
    state, themes_by_key = _load_state(session, actor.workspace_id)
    texts = {item.id: item.text or "" for item in feedback}
    for feedback_id, row in stored.items():
        if feedback_id in texts and row.text_hash == text_hash(texts[feedback_id]):
            state.items[str(feedback_id)] = ItemAnalysis(
                id=str(feedback_id), text_hash=row.text_hash, empty=row.empty
            )
            vector = _vector(row.embedding)
            if vector is not None:
                state.texts[str(feedback_id)] = f"\0stored:{feedback_id}"
                state.embedder.cache.put_many([embedding_key(state.texts[str(feedback_id)])], vector[None, :])
    items = [FeedbackText(str(item.id), texts[item.id]) for item in feedback]
    run, state = analyse(
        items, state, progress=(lambda stage, done, total: progress(done, total, stage)) if progress else None
    )
    theme_rows = _store_themes(session, actor.workspace_id, state.theme_set, themes_by_key)
    embedded = {r.id for r in run.processed if not r.empty}
    vectors = (
        state.embedder.embed([state.texts[i] for i in embedded])
        if embedded
        else np.zeros((0, EMBEDDING_DIMENSION))
    )
    vector_of = dict(zip(embedded, vectors, strict=True))
    for result in run.processed:
        feedback_id = int(result.id)
        row = stored.get(feedback_id) or FeedbackAnalysis(
            feedback_id=feedback_id, workspace_id=actor.workspace_id
        )
        row.text_hash, row.language, row.kind = result.text_hash, result.language, result.kind
        row.kind_confidence, row.sentiment, row.empty, row.error = (
            result.kind_confidence,
            result.sentiment,
            result.empty,
            result.error,
        )
        row.theme_id = theme_rows[result.theme].id if result.theme in theme_rows else None
        row.theme_similarity = result.theme_similarity
        row.duplicate_of_id = int(result.duplicate_of) if result.duplicate_of else None
        row.embedding = _blob(vector_of[result.id]) if result.id in vector_of else None
        session.add(row)
    session.flush()
    audit.record(
        session, actor, "feedback.analysed", "feedback_analysis", None, f"{len(run.processed)} items analysed"
    )
    leaves = [t for t in (state.theme_set.themes if state.theme_set else [])]
    return AnalysisSummary(
        analysed=len(run.processed),
        skipped_unchanged=len(items) - len(run.processed),
        failed=sum(1 for r in run.processed if r.error),
        themes=sum(1 for t in leaves if not t.candidate),
        candidate_themes=sum(1 for t in leaves if t.candidate),
    )


def _store_themes(
    session: Session, workspace_id: int, theme_set: ThemeSet | None, existing: dict[str, FeedbackTheme]
) -> dict[str, FeedbackTheme]:
    """Insert new themes and refresh computed fields of existing ones, keeping human edits."""
    if theme_set is None:
        return {}
    rows: dict[str, FeedbackTheme] = dict(existing)
    for parent in theme_set.parents:
        rows[parent.id] = _upsert(session, workspace_id, parent, rows.get(parent.id), None)
    session.flush()
    for theme in theme_set.themes:
        parent_row = rows.get(theme.parent) if theme.parent else None
        rows[theme.id] = _upsert(session, workspace_id, theme, rows.get(theme.id), parent_row)
    session.flush()
    return rows


def _upsert(
    session: Session, workspace_id: int, theme: Theme, row: FeedbackTheme | None, parent: FeedbackTheme | None
) -> FeedbackTheme:
    if row is None:
        row = FeedbackTheme(workspace_id=workspace_id, key=theme.id, name=theme.name)
        session.add(row)
    if not row.name_locked:
        row.name = theme.name
    row.keywords, row.quotes, row.size, row.candidate = (
        theme.keywords,
        theme.quotes,
        theme.size,
        theme.candidate,
    )
    row.centroid = _blob(theme.centroid) if theme.centroid is not None else None
    if parent is not None and not row.pinned:
        row.parent_id = parent.id
    return row


def rename_theme(session: Session, actor: Actor, theme_id: int, name: str) -> FeedbackTheme:
    """Give a theme a name of your own; re-analysis keeps it."""
    actor.require("feedback.write")
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 300:
        raise ValidationFailed("A theme name needs 1 to 300 characters.")
    row = get_owned(session, FeedbackTheme, theme_id, actor.workspace_id, "theme")
    before = row.name
    row.name, row.name_locked = cleaned, True
    audit.record(
        session,
        actor,
        "feedback_theme.renamed",
        "feedback_theme",
        row.id,
        cleaned,
        {"name": [before, cleaned]},
    )
    return row


def pin_theme(session: Session, actor: Actor, theme_id: int, pinned: bool = True) -> FeedbackTheme:
    """Pin a theme so re-analysis never moves it under another parent."""
    actor.require("feedback.write")
    row = get_owned(session, FeedbackTheme, theme_id, actor.workspace_id, "theme")
    row.pinned = pinned
    audit.record(
        session,
        actor,
        "feedback_theme.pinned" if pinned else "feedback_theme.unpinned",
        "feedback_theme",
        row.id,
    )
    return row

"""Use cases of the feedback analysis: run it (incrementally) for a workspace, rename and pin themes.

``run_analysis`` only processes feedback that is new or whose text changed since it was last analysed (compared by
text hash); embeddings are stored (float16) so later runs never re-embed old items. The first run discovers themes;
later runs assign new items to the stored themes and add candidate themes for items that fit none.

Human decisions are applied on top of what the engine proposes, on every run:

* an item a person placed (``FeedbackThemeLock``) stays in that theme, even when its text changes, and an item a
  person took out of its theme (a lock without a theme) stays out of every theme;
* a theme merged into another (``FeedbackThemeOverride.merged_into_id``) stays in the engine's theme set as an
  alias, and every item the engine puts there goes to the surviving theme;
* split halves are ordinary stored themes with their own centroids, so new items go to the nearer half;
* names a person gave (``name_locked``) and pinned themes are never overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import Actor
from northstar.feedback.engine.embeddings import (
    EMBEDDING_DIMENSION,
    Embedder,
    EmbeddingCache,
    embedding_key,
    text_hash,
)
from northstar.feedback.engine.normalize import normalize
from northstar.feedback.engine.pipeline import AnalysisState, FeedbackText, ItemAnalysis, analyse
from northstar.feedback.engine.themes import Theme, ThemeSet
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.themes import FeedbackThemeLock, FeedbackThemeOverride
from northstar.feedback.service import not_merged

#: engine ids of stored themes are "#<row id>", so they never collide with the ids of themes the engine creates
_STORED = "#"


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


def is_group(row: FeedbackTheme) -> bool:
    """A parent theme (groups sub-themes; holds no items itself). Candidate themes have no parent but hold items."""
    return row.parent_id is None and not row.candidate


def merged_map(session: Session, workspace_id: int) -> dict[int, int]:
    """absorbed theme id → the theme it was merged into."""
    return {
        int(theme_id): int(target or 0)
        for theme_id, target in session.execute(
            select(FeedbackThemeOverride.theme_id, FeedbackThemeOverride.merged_into_id).where(
                FeedbackThemeOverride.workspace_id == workspace_id,
                FeedbackThemeOverride.merged_into_id.is_not(None),
            )
        )
    }


def survivor(theme_id: int, merged: dict[int, int]) -> int:
    """Follow merges to the theme that holds the items now (chains are followed; a cycle stops where it began)."""
    seen = {theme_id}
    while theme_id in merged:
        theme_id = merged[theme_id]
        if theme_id in seen:
            break
        seen.add(theme_id)
    return theme_id


def _load_theme_set(rows: Iterable[FeedbackTheme]) -> ThemeSet | None:
    """The stored sub-themes (absorbed ones included, as aliases) as the engine's theme set."""
    leaves = [
        Theme(
            f"{_STORED}{row.id}",
            row.name,
            list(row.keywords),
            list(row.quotes),
            row.size,
            np.frombuffer(row.centroid, dtype=np.float16).astype(np.float32),
            candidate=row.candidate,
        )
        for row in rows
        if not is_group(row) and row.centroid is not None
    ]
    return ThemeSet(themes=leaves) if leaves else None


def run_analysis(
    session: Session, actor: Actor, progress: Callable[[int, int, str], None] | None = None
) -> AnalysisSummary:
    """Analyse the workspace's new and changed feedback and store the results (the caller commits)."""
    actor.require("feedback.write")
    workspace_id = actor.workspace_id
    feedback = session.execute(
        select(Feedback.id, Feedback.text)
        .where(Feedback.workspace_id == workspace_id, not_merged(session))
        .order_by(Feedback.id)
    ).all()
    stored = {
        row.feedback_id: row
        for row in session.scalars(
            select(FeedbackAnalysis).where(FeedbackAnalysis.workspace_id == workspace_id)
        )
    }
    theme_rows = list(
        session.scalars(select(FeedbackTheme).where(FeedbackTheme.workspace_id == workspace_id))
    )
    state = AnalysisState(embedder=Embedder(EmbeddingCache()))
    state.theme_set = _load_theme_set(theme_rows)
    texts = {int(item_id): text or "" for item_id, text in feedback}
    _preload(state, stored, texts, rediscover=state.theme_set is None)
    items = [FeedbackText(str(item_id), texts[item_id]) for item_id in texts]
    run, state = analyse(
        items, state, progress=(lambda stage, done, total: progress(done, total, stage)) if progress else None
    )
    created = _store_new_themes(session, workspace_id, state.theme_set, {row.key for row in theme_rows})
    merged = merged_map(session, workspace_id)
    locks = dict(
        session.execute(
            select(FeedbackThemeLock.feedback_id, FeedbackThemeLock.theme_id).where(
                FeedbackThemeLock.workspace_id == workspace_id
            )
        ).all()
    )
    embedded = [r.id for r in run.processed if not r.empty]
    vectors = (
        state.embedder.embed([state.texts[i] for i in embedded])
        if embedded
        else np.zeros((0, EMBEDDING_DIMENSION))
    )
    vector_of = dict(zip(embedded, vectors, strict=True))
    for result in run.processed:
        feedback_id = int(result.id)
        row = stored.get(feedback_id) or FeedbackAnalysis(feedback_id=feedback_id, workspace_id=workspace_id)
        row.text_hash, row.language, row.kind = result.text_hash, result.language, result.kind
        row.kind_confidence, row.sentiment, row.empty, row.error = (
            result.kind_confidence,
            result.sentiment,
            result.empty,
            result.error,
        )
        engine_theme = _theme_row_id(result.theme, created)
        if feedback_id in locks:  # placed by a person (a lock without a theme: taken out of every theme)
            locked = locks[feedback_id]
            row.theme_id = survivor(int(locked), merged) if locked is not None else None
            row.theme_similarity = None
        else:
            row.theme_id = survivor(engine_theme, merged) if engine_theme is not None else None
            row.theme_similarity = result.theme_similarity
        row.duplicate_of_id = int(result.duplicate_of) if result.duplicate_of else None
        row.embedding = _blob(vector_of[result.id]) if result.id in vector_of else None
        session.add(row)
    session.flush()
    refresh_sizes(session, workspace_id)
    audit.record(
        session, actor, "feedback.analysed", "feedback_analysis", None, f"{len(run.processed)} items analysed"
    )
    themes, candidates = _theme_counts(session, workspace_id, merged)
    return AnalysisSummary(
        analysed=len(run.processed),
        skipped_unchanged=len(items) - len(run.processed),
        failed=sum(1 for r in run.processed if r.error),
        themes=themes,
        candidate_themes=candidates,
    )


def _preload(
    state: AnalysisState, stored: dict[int, FeedbackAnalysis], texts: dict[int, str], rediscover: bool
) -> None:
    """Tell the engine what earlier runs did, so only new and changed items are processed.

    With no themes yet (an earlier run found none), every stored item is processed again so that the first
    discovery sees all of them; their stored vectors are put in the cache so nothing is embedded twice.
    """
    for feedback_id, row in stored.items():
        if feedback_id not in texts or row.text_hash != text_hash(texts[feedback_id]):
            continue
        vector = _vector(row.embedding)
        if rediscover:
            if vector is not None:
                key = embedding_key(normalize(texts[feedback_id]).text)
                state.embedder.cache.put_many([key], vector[None, :])
            continue
        state.items[str(feedback_id)] = ItemAnalysis(
            id=str(feedback_id), text_hash=row.text_hash, empty=row.empty
        )
        if vector is not None:
            state.texts[str(feedback_id)] = f"\0stored:{feedback_id}"
            state.embedder.cache.put_many([embedding_key(state.texts[str(feedback_id)])], vector[None, :])


def _theme_row_id(engine_id: str | None, created: dict[str, FeedbackTheme]) -> int | None:
    if engine_id is None:
        return None
    if engine_id.startswith(_STORED):
        return int(engine_id[len(_STORED) :])
    row = created.get(engine_id)
    return row.id if row is not None else None


def unique_key(wanted: str, taken: set[str]) -> str:
    """``wanted`` if no theme of the workspace uses it, else the same prefix with the next free number."""
    if wanted not in taken:
        taken.add(wanted)
        return wanted
    prefix = re.sub(r"\d+$", "", wanted) or "t"
    number = 1 + max(
        (int(match.group(1)) for key in taken if (match := re.fullmatch(rf"{re.escape(prefix)}(\d+)", key))),
        default=0,
    )
    while f"{prefix}{number}" in taken:
        number += 1
    key = f"{prefix}{number}"
    taken.add(key)
    return key


def _store_new_themes(
    session: Session, workspace_id: int, theme_set: ThemeSet | None, taken: set[str]
) -> dict[str, FeedbackTheme]:
    """Insert the themes the engine created in this run (first discovery or candidates); engine id → row."""
    if theme_set is None:
        return {}
    created: dict[str, FeedbackTheme] = {}
    for parent in theme_set.parents:
        if not parent.id.startswith(_STORED):
            created[parent.id] = _new_row(session, workspace_id, parent, unique_key(parent.id, taken), None)
    session.flush()
    for theme in theme_set.themes:
        if theme.id.startswith(_STORED):
            continue
        parent_row = created.get(theme.parent) if theme.parent else None
        created[theme.id] = _new_row(session, workspace_id, theme, unique_key(theme.id, taken), parent_row)
    session.flush()
    return created


def _new_row(
    session: Session, workspace_id: int, theme: Theme, key: str, parent: FeedbackTheme | None
) -> FeedbackTheme:
    row = FeedbackTheme(
        workspace_id=workspace_id,
        key=key,
        name=theme.name[:300],
        keywords=list(theme.keywords),
        quotes=list(theme.quotes),
        size=theme.size,
        candidate=theme.candidate,
        centroid=_blob(theme.centroid) if theme.centroid is not None else None,
        parent_id=parent.id if parent is not None else None,
    )
    session.add(row)
    return row


def refresh_sizes(session: Session, workspace_id: int) -> None:
    """Each sub-theme's size is its number of items; a parent's, the sum over its sub-themes."""
    counts = dict(
        session.execute(
            select(FeedbackAnalysis.theme_id, func.count())
            .where(FeedbackAnalysis.workspace_id == workspace_id, FeedbackAnalysis.theme_id.is_not(None))
            .group_by(FeedbackAnalysis.theme_id)
        ).all()
    )
    rows = list(session.scalars(select(FeedbackTheme).where(FeedbackTheme.workspace_id == workspace_id)))
    totals: dict[int, int] = {}
    for row in rows:
        if not is_group(row):
            row.size = int(counts.get(row.id, 0))
            if row.parent_id is not None:
                totals[row.parent_id] = totals.get(row.parent_id, 0) + row.size
    for row in rows:
        if is_group(row):
            row.size = totals.get(row.id, 0)
    session.flush()


def _theme_counts(session: Session, workspace_id: int, merged: dict[int, int]) -> tuple[int, int]:
    rows = session.execute(
        select(FeedbackTheme.id, FeedbackTheme.candidate, FeedbackTheme.parent_id).where(
            FeedbackTheme.workspace_id == workspace_id
        )
    ).all()
    live = [r for r in rows if r.id not in merged and (r.parent_id is not None or r.candidate)]
    return sum(1 for r in live if not r.candidate), sum(1 for r in live if r.candidate)


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
    """Pin a theme: it is listed first, and re-analysis never changes its name, keywords, quotes or parent."""
    actor.require("feedback.write")
    row = get_owned(session, FeedbackTheme, theme_id, actor.workspace_id, "theme")
    if row.pinned != pinned:
        row.pinned = pinned
        audit.record(
            session,
            actor,
            "feedback_theme.pinned" if pinned else "feedback_theme.unpinned",
            "feedback_theme",
            row.id,
            row.name,
            {"pinned": [not pinned, pinned]},
        )
    return row

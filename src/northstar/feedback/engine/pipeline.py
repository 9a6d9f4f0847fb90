"""The whole analysis of a batch of feedback, from raw texts to themes, in stages that can be timed.

``analyse`` is incremental: given the ``AnalysisState`` of the previous run it only processes items that are new or
whose text changed (only their texts are embedded), assigns them to the existing themes (outliers gather as candidate
themes) and looks for their duplicates among the earlier items through the state's ``DuplicateIndex``. Everything is
plain data, so the service layer can store it and the benchmarks can time it. A failure on one item is recorded on
that item and the rest proceed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from northstar.feedback.engine.blas import one_blas_thread
from northstar.feedback.engine.duplicates import (
    EXACT_PAIRS_LIMIT,
    DuplicateIndex,
    bucket_centroids,
    find_duplicates,
    near_threshold,
)
from northstar.feedback.engine.embeddings import EMBEDDING_DIMENSION, Embedder, text_hash
from northstar.feedback.engine.kind import KindModel, default_model
from northstar.feedback.engine.language import detect_language
from northstar.feedback.engine.normalize import NormalizedText, normalize
from northstar.feedback.engine.themes import ThemeSet, assign, discover_themes


@dataclass(frozen=True)
class FeedbackText:
    id: str
    text: str


@dataclass
class ItemAnalysis:
    """Everything derived for one item (what the ``feedback_analysis`` table stores)."""

    id: str
    text_hash: str
    language: str = "und"
    kind: str = "other"
    kind_confidence: float = 0.0
    sentiment: float = 0.0
    theme: str | None = None
    theme_similarity: float | None = None
    duplicate_of: str | None = None
    empty: bool = False
    truncated: bool = False
    error: str | None = None


@dataclass
class AnalysisState:
    """What a run keeps for the next one: per-item results, their vectors' cache, the themes, the duplicate index.

    ``duplicate_index`` may be left out (e.g. by a caller that restores the state from storage): the next run then
    builds it from the earlier items' cached vectors.
    """

    embedder: Embedder = field(default_factory=Embedder)
    items: dict[str, ItemAnalysis] = field(default_factory=dict)
    duplicate_keys: dict[str, str] = field(default_factory=dict)  # key → first item id
    theme_set: ThemeSet | None = None
    texts: dict[str, str] = field(default_factory=dict)
    duplicate_index: DuplicateIndex | None = None


@dataclass
class StageTimer:
    """Wall and CPU seconds per stage (CPU time counts every thread of the process, so on a machine shared with
    other work it shows what the stage costs, while wall time shows what it waited)."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, count: int) -> Iterator[None]:
        started, cpu_started = time.perf_counter(), time.process_time()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        self.cpu_seconds[name] = self.cpu_seconds.get(name, 0.0) + time.process_time() - cpu_started
        self.counts[name] = self.counts.get(name, 0) + count


@dataclass
class AnalysisRun:
    processed: list[ItemAnalysis]
    duplicate_groups: list[list[str]]
    new_candidate_themes: int
    timer: StageTimer


def analyse(
    items: Sequence[FeedbackText],
    state: AnalysisState | None = None,
    kind_model: KindModel | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[AnalysisRun, AnalysisState]:
    """Analyse new or changed items; return the run's results and the updated state."""
    state = state or AnalysisState()
    timer = StageTimer()
    model = kind_model or default_model()
    report = progress or (lambda stage, done, total: None)
    hashes = [text_hash(i.text) for i in items]
    todo = [
        (item, digest)
        for item, digest in zip(items, hashes, strict=True)
        if state.items.get(item.id) is None or state.items[item.id].text_hash != digest
    ]
    results: list[ItemAnalysis] = []
    normalized: list[NormalizedText | None] = []
    cleaned: list[str] = []
    with timer.stage("normalize + language", len(todo)):
        for item, digest in todo:
            analysis = ItemAnalysis(id=item.id, text_hash=digest)
            try:
                clean = normalize(item.text)
                analysis.empty, analysis.truncated = clean.empty, clean.truncated
                analysis.language = detect_language(clean.text) if not clean.empty else "und"
                normalized.append(clean)
                cleaned.append(clean.text)
            except Exception as error:  # one bad item never stops the batch
                analysis.error, analysis.empty = f"normalisation failed: {error}", True
                normalized.append(None)
                cleaned.append("")
            results.append(analysis)
    report("normalize", len(todo), len(todo))
    usable = [k for k, r in enumerate(results) if not r.empty]
    texts = [cleaned[k] for k in usable]
    with timer.stage("embed", len(usable)):
        vectors = state.embedder.embed(texts) if texts else np.zeros((0, EMBEDDING_DIMENSION), np.float32)
    report("embed", len(usable), len(todo))
    with timer.stage("duplicates", len(usable)), one_blas_thread():
        keys = [normalized[k].duplicate_key for k in usable]  # type: ignore[union-attr]
        groups = _duplicates(state, results, usable, keys, vectors)
    report("duplicates", len(usable), len(todo))
    with timer.stage("classify", len(usable)), one_blas_thread():
        for position, prediction in enumerate(model.predict(texts, vectors)):
            target = results[usable[position]]
            target.kind, target.kind_confidence, target.sentiment = (
                prediction.kind,
                prediction.confidence,
                prediction.sentiment,
            )
    report("classify", len(usable), len(todo))
    candidates = 0
    with timer.stage("themes + names", len(usable)), one_blas_thread():
        if state.theme_set is None:
            discovered = discover_themes(texts, vectors, embed=state.embedder.embed)
            state.theme_set = discovered.theme_set
            for position, theme in enumerate(discovered.assignments):
                results[usable[position]].theme = theme
        else:
            placed = assign(state.theme_set, texts, vectors, embed=state.embedder.embed)
            if placed.candidates is not None:
                candidates = len(placed.candidates.theme_set.themes)
                state.theme_set.themes += placed.candidates.theme_set.themes
            for position, theme in enumerate(placed.themes):
                results[usable[position]].theme = theme
                results[usable[position]].theme_similarity = placed.similarity[position]
    report("themes", len(usable), len(todo))
    for done, text in zip(results, cleaned, strict=True):
        state.items[done.id] = done
        state.texts[done.id] = text
    return AnalysisRun(results, groups, candidates, timer), state


def _earlier_index(state: AnalysisState, processing: set[str]) -> DuplicateIndex:
    """The state's duplicate index, built from the earlier items' cached vectors if the state has none."""
    if state.duplicate_index is None:
        index = DuplicateIndex()
        earlier = [
            i for i, r in state.items.items() if not r.empty and i in state.texts and i not in processing
        ]
        if earlier:
            index.add(earlier, state.embedder.embed([state.texts[i] for i in earlier]))
        state.duplicate_index = index
    return state.duplicate_index


def _duplicates(
    state: AnalysisState,
    results: list[ItemAnalysis],
    usable: list[int],
    keys: list[str],
    vectors: np.ndarray,
) -> list[list[str]]:
    """Duplicates among the new items, and of new items against earlier items (exact key, or the duplicate index's
    best match above the runtime's near-duplicate threshold)."""
    threshold = near_threshold(state.embedder.runtime)
    ids = [results[k].id for k in usable]
    index = _earlier_index(state, {r.id for r in results})
    index.remove([r.id for r in results])  # a changed item is no duplicate of its own earlier text
    centroids = None
    if len(ids) > EXACT_PAIRS_LIMIT and len(index) + len(ids) >= 4 * max(index.trained_at, 1):
        centroids = bucket_centroids(vectors)  # bucket once: for the search among new items and for the index
    groups_found = find_duplicates(
        keys, vectors, threshold, centroids=centroids if centroids is not None else index.centroids
    )
    groups = [[ids[m] for m in g.members] for g in groups_found]
    if ids:
        for position, match in enumerate(index.best_matches(vectors, threshold)):
            if match is not None:
                results[usable[position]].duplicate_of = match[0]
    for position, key in enumerate(keys):
        first = state.duplicate_keys.get(key)
        if first is not None and first != ids[position]:
            results[usable[position]].duplicate_of = first
        else:
            state.duplicate_keys.setdefault(key, ids[position])
    by_id = {results[k].id: results[k] for k in usable}
    for group in groups:
        for member in group[1:]:
            by_id[member].duplicate_of = by_id[member].duplicate_of or group[0]
    index.add(ids, vectors, centroids)
    return groups

"""The whole analysis of a batch of feedback, from raw texts to themes, in stages that can be timed.

``analyse`` is incremental: given the ``AnalysisState`` of the previous run it only processes items that are new or
whose text changed, assigns them to the existing themes (outliers gather as candidate themes) and compares them with
every earlier item for duplicates. Everything is plain data, so the service layer can store it and the benchmarks
can time it. A failure on one item is recorded on that item and the rest proceed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from northstar.feedback.analysis.duplicates import NEAR_THRESHOLD, find_duplicates
from northstar.feedback.analysis.embeddings import EMBEDDING_DIMENSION, Embedder, text_hash
from northstar.feedback.analysis.kind import KindModel, default_model
from northstar.feedback.analysis.language import detect_language
from northstar.feedback.analysis.normalize import normalize
from northstar.feedback.analysis.themes import ThemeSet, assign, discover_themes


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
    """What a run keeps for the next one: per-item results, their vectors' cache, the themes."""

    embedder: Embedder = field(default_factory=Embedder)
    items: dict[str, ItemAnalysis] = field(default_factory=dict)
    duplicate_keys: dict[str, str] = field(default_factory=dict)  # key → first item id
    theme_set: ThemeSet | None = None
    texts: dict[str, str] = field(default_factory=dict)


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
    todo = [
        i for i in items if state.items.get(i.id) is None or state.items[i.id].text_hash != text_hash(i.text)
    ]
    results: list[ItemAnalysis] = []
    with timer.stage("normalize + language", len(todo)):
        cleaned: list[str] = []
        for item in todo:
            analysis = ItemAnalysis(id=item.id, text_hash=text_hash(item.text))
            try:
                normalized = normalize(item.text)
                analysis.empty, analysis.truncated = normalized.empty, normalized.truncated
                analysis.language = detect_language(normalized.text) if not normalized.empty else "und"
                cleaned.append(normalized.text)
            except Exception as error:  # one bad item never stops the batch
                analysis.error, analysis.empty = f"normalisation failed: {error}", True
                cleaned.append("")
            results.append(analysis)
    report("normalize", len(todo), len(todo))
    usable = [k for k, r in enumerate(results) if not r.empty]
    texts = [cleaned[k] for k in usable]
    with timer.stage("embed", len(usable)):
        vectors = state.embedder.embed(texts) if texts else np.zeros((0, EMBEDDING_DIMENSION), np.float32)
    report("embed", len(usable), len(todo))
    with timer.stage("duplicates", len(usable)):
        groups = _duplicates(state, results, usable, cleaned, vectors)
    with timer.stage("classify", len(usable)):
        for position, prediction in enumerate(model.predict(texts, vectors)):
            target = results[usable[position]]
            target.kind, target.kind_confidence, target.sentiment = (
                prediction.kind,
                prediction.confidence,
                prediction.sentiment,
            )
    candidates = 0
    with timer.stage("themes + names", len(usable)):
        if state.theme_set is None:
            discovered = discover_themes(texts, vectors)
            state.theme_set = discovered.theme_set
            for position, theme in enumerate(discovered.assignments):
                results[usable[position]].theme = theme
        else:
            placed = assign(state.theme_set, texts, vectors)
            if placed.candidates is not None:
                candidates = len(placed.candidates.theme_set.themes)
                state.theme_set.themes += placed.candidates.theme_set.themes
            for position, theme in enumerate(placed.themes):
                results[usable[position]].theme = theme
                results[usable[position]].theme_similarity = placed.similarity[position]
    for done, text in zip(results, cleaned, strict=True):
        state.items[done.id] = done
        state.texts[done.id] = text
    return AnalysisRun(results, groups, candidates, timer), state


def _duplicates(
    state: AnalysisState,
    results: list[ItemAnalysis],
    usable: list[int],
    cleaned: list[str],
    vectors: np.ndarray,
) -> list[list[str]]:
    """Duplicates among the new items, and of new items against every earlier item (exact key or embedding)."""
    keys = [normalize(cleaned[k]).duplicate_key for k in usable]
    ids = [results[k].id for k in usable]
    groups = [[ids[m] for m in g.members] for g in find_duplicates(keys, vectors)]
    earlier_ids = [i for i in state.items if not state.items[i].empty and i in state.texts]
    if earlier_ids and len(ids):
        earlier = state.embedder.embed([state.texts[i] for i in earlier_ids])
        for start in range(0, len(ids), 2048):
            similarities = vectors[start : start + 2048] @ earlier.T
            best = np.argmax(similarities, axis=1)
            for offset, column in enumerate(best):
                if similarities[offset, column] >= NEAR_THRESHOLD:
                    results[usable[start + offset]].duplicate_of = earlier_ids[int(column)]
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
    return groups

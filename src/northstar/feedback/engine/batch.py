"""One-call analyses of a list of texts, shaped as the stateless CLI prints them (plain dicts and lists).

Every function accepts any strings: empty, whitespace-only, binary junk or huge texts are normalised first, are
never embedded when empty, and still get an output row (theme ``None``, kind ``other`` with confidence 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from northstar.feedback.engine.blas import one_blas_thread
from northstar.feedback.engine.duplicates import find_duplicates, near_threshold
from northstar.feedback.engine.embeddings import EMBEDDING_DIMENSION, Embedder
from northstar.feedback.engine.kind import KindModel, default_model
from northstar.feedback.engine.normalize import NormalizedText, normalize
from northstar.feedback.engine.taxonomy import TaxonomyModel, train_taxonomy
from northstar.feedback.engine.themes import discover_themes

_PROCESS_EMBEDDER: list[Embedder] = []


def process_embedder() -> Embedder:
    """One embedder (and cache) per process, so commands run in one process share embeddings."""
    if not _PROCESS_EMBEDDER:
        _PROCESS_EMBEDDER.append(Embedder())
    return _PROCESS_EMBEDDER[0]


def prepare(
    texts: Sequence[Any], embedder: Embedder | None = None
) -> tuple[list[NormalizedText], np.ndarray]:
    """Normalise texts and embed the non-empty ones (empty ones get a zero vector)."""
    normalized = [normalize(t if isinstance(t, str | bytes) or t is None else str(t)) for t in texts]
    vectors = np.zeros((len(normalized), EMBEDDING_DIMENSION), dtype=np.float32)
    usable = [i for i, n in enumerate(normalized) if not n.empty]
    if usable:
        vectors[usable] = (embedder or process_embedder()).embed([normalized[i].text for i in usable])
    return normalized, vectors


def themes_report(
    ids: Sequence[Any], texts: Sequence[Any], embedder: Embedder | None = None
) -> dict[str, Any]:
    normalized, vectors = prepare(texts, embedder)
    usable = [i for i, n in enumerate(normalized) if not n.empty]
    with one_blas_thread():
        result = discover_themes(
            [normalized[i].text for i in usable],
            vectors[usable],
            embed=(embedder or process_embedder()).embed,
        )
    assignment: list[str | None] = [None] * len(normalized)
    for position, index in enumerate(usable):
        assignment[index] = result.assignments[position]
    themes = [
        {"id": p.id, "name": p.name, "keywords": p.keywords, "size": p.size, "parent": None}
        for p in result.theme_set.parents
    ]
    themes += [
        {
            "id": t.id,
            "name": t.name,
            "keywords": t.keywords,
            "size": t.size,
            "parent": t.parent,
            "quotes": t.quotes,
        }
        for t in sorted(result.theme_set.themes, key=lambda t: int(t.id[1:]))
    ]
    parent_of = {t.id: t.parent for t in result.theme_set.themes}
    return {
        "themes": themes,
        "assignments": [
            {"id": i, "theme": a, "parent": parent_of.get(a) if a is not None else None}
            for i, a in zip(ids, assignment, strict=True)
        ],
    }


def classify_report(
    ids: Sequence[Any],
    texts: Sequence[Any],
    taxonomy: TaxonomyModel | None = None,
    kind_model: KindModel | None = None,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    normalized, vectors = prepare(texts, embedder)
    model = kind_model or default_model()
    clean = [n.text for n in normalized]
    kinds = model.predict(clean, vectors)
    labels = taxonomy.predict(clean, vectors) if taxonomy else None
    items = []
    for position, (identifier, n) in enumerate(zip(ids, normalized, strict=True)):
        if n.empty:
            items.append({"id": identifier, "kind": "other", "confidence": 0.0, "sentiment": 0.0})
            continue
        prediction = kinds[position]
        kind, confidence = prediction.kind, prediction.confidence
        if labels is not None:
            kind, confidence = labels[position].label, round(labels[position].confidence, 4)
        items.append(
            {"id": identifier, "kind": kind, "confidence": confidence, "sentiment": prediction.sentiment}
        )
    return {"items": items}


def train_report(
    texts: Sequence[Any], labels: Sequence[Any], embedder: Embedder | None = None
) -> TaxonomyModel:
    """Train a taxonomy model on rows with a non-empty text and label (other rows are skipped and counted)."""
    keep = [
        i
        for i, (t, label) in enumerate(zip(texts, labels, strict=True))
        if label is not None and str(label).strip() and t is not None and str(t).strip()
    ]
    normalized, vectors = prepare([texts[i] for i in keep], embedder)
    usable = [j for j, n in enumerate(normalized) if not n.empty]
    return train_taxonomy(
        [normalized[j].text for j in usable], [str(labels[keep[j]]).strip() for j in usable], vectors[usable]
    )


def duplicates_report(
    ids: Sequence[Any], texts: Sequence[Any], embedder: Embedder | None = None
) -> dict[str, Any]:
    embedder = embedder or process_embedder()
    normalized, vectors = prepare(texts, embedder)
    with one_blas_thread():
        groups = find_duplicates(
            [n.duplicate_key for n in normalized],
            vectors,
            near_threshold(embedder.runtime),
            skip=[n.empty for n in normalized],
        )
    return {
        "groups": [[ids[m] for m in g.members] for g in groups],
        "details": [{"ids": [ids[m] for m in g.members], "exact": g.exact} for g in groups],
    }

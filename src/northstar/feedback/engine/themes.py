"""Two-level themes: discover them, name them, and assign new items to them (outliers become candidate themes).

A ``ThemeSet`` is plain data (ids, names, keywords, quotes, centroids, parents) that the service layer stores and
that human edits (rename, merge, split, pin) act on; ``assign`` places new items without re-clustering, so themes
stay stable from one analysis to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from northstar.feedback.engine.clustering import (
    ClusteringSettings,
    centroids_of,
    cluster_parents,
    cluster_vectors,
    unit_rows,
)
from northstar.feedback.engine.naming import (
    Embed,
    keywords_per_cluster,
    phrase_names,
    representative_quotes,
    terms,
)

ASSIGN_THRESHOLD = 0.45
MIN_CANDIDATE_SIZE = 5


@dataclass
class Theme:
    """One theme or parent theme. ``parent`` is the id of its parent theme (None for a parent itself)."""

    id: str
    name: str
    keywords: list[str]
    quotes: list[str]
    size: int
    centroid: np.ndarray
    parent: str | None = None
    candidate: bool = False


@dataclass
class ThemeSet:
    """Themes (leaf level, which items belong to) and parents (groups of themes)."""

    themes: list[Theme] = field(default_factory=list)
    parents: list[Theme] = field(default_factory=list)

    def centroid_matrix(self) -> np.ndarray:
        if not self.themes:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([t.centroid for t in self.themes]).astype(np.float32)


@dataclass(frozen=True)
class ThemeResult:
    theme_set: ThemeSet
    assignments: list[str | None]  # theme id per input item, None for an outlier


def discover_themes(
    texts: Sequence[str],
    vectors: np.ndarray,
    settings: ClusteringSettings | None = None,
    id_prefix: str = "t",
    embed: Embed | None = None,
) -> ThemeResult:
    """Cluster items into themes with an automatic count, name them, and group them under parent themes.

    ``embed`` (the sentence embedder) lets names be the member phrase nearest each centroid (naming.phrase_names);
    without it a theme is named by its most typical phrase.
    """
    clustering = cluster_vectors(vectors, settings)
    vectors = unit_rows(vectors) if len(vectors) else vectors
    labels = clustering.labels
    count = len(clustering.centroids)
    terms_of = [terms(text) for text in texts]
    theme_set = _build_themes(texts, vectors, labels, clustering.centroids, id_prefix, terms_of, embed)
    if count:
        parents = cluster_parents(vectors, labels, clustering.centroids)
        theme_set.parents = _build_parents(
            texts, vectors, labels, parents, theme_set.themes, id_prefix, terms_of, embed
        )
    ids = [t.id for t in theme_set.themes]
    return ThemeResult(theme_set, [ids[int(label)] if label >= 0 else None for label in labels])


def members_of(labels: np.ndarray, count: int) -> list[np.ndarray]:
    """Indices of the items of each cluster 0..count-1, ascending (one sort instead of a scan per cluster)."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    return [order[bounds[c] : bounds[c + 1]] for c in range(count)]


def _build_themes(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    centroids: np.ndarray,
    prefix: str,
    terms_of: Sequence[list[str]],
    embed: Embed | None,
) -> ThemeSet:
    count = len(centroids)
    keywords = keywords_per_cluster(texts, labels, count, terms_of=terms_of)
    grouped = members_of(labels, count)
    names = phrase_names(
        texts, [g.tolist() for g in grouped], centroids, embed, [f"Theme {i + 1}" for i in range(count)]
    )
    themes = []
    for index in range(count):
        members = grouped[index]
        themes.append(
            Theme(
                id=f"{prefix}{index + 1}",
                name=names[index],
                keywords=keywords[index],
                quotes=representative_quotes(texts, vectors, members, centroids[index]),
                size=len(members),
                centroid=centroids[index],
            )
        )
    order = sorted(range(count), key=lambda i: -themes[i].size)  # biggest theme first, stable ids by rank
    ranked = [themes[i] for i in order]
    for rank, theme in enumerate(ranked, start=1):
        theme.id = f"{prefix}{rank}"
    return ThemeSet(themes=[themes[i] for i in range(count)])


def _build_parents(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    parent_of_theme: np.ndarray,
    themes: list[Theme],
    prefix: str,
    terms_of: Sequence[list[str]],
    embed: Embed | None,
) -> list[Theme]:
    item_parent = np.where(labels >= 0, parent_of_theme[np.maximum(labels, 0)], -1)
    count = int(parent_of_theme.max()) + 1
    keywords = keywords_per_cluster(texts, item_parent, count, top=4, terms_of=terms_of)
    grouped = members_of(item_parent, count)
    mask = item_parent >= 0
    centroids = centroids_of(vectors[mask], item_parent[mask], count)
    sizes = np.bincount(item_parent[mask], minlength=count)
    order = sorted(range(count), key=lambda i: -sizes[i])
    rank_of = {p: r for r, p in enumerate(order, start=1)}
    names = phrase_names(
        texts, [g.tolist() for g in grouped], centroids, embed, [f"Group {rank_of[p]}" for p in range(count)]
    )
    parents = []
    for p in order:
        members = grouped[p]
        parents.append(
            Theme(
                id=f"{prefix}p{rank_of[p]}",
                name=names[p],
                keywords=keywords[p],
                quotes=representative_quotes(texts, vectors, members, centroids[p]),
                size=int(sizes[p]),
                centroid=centroids[p],
            )
        )
    for index, theme in enumerate(themes):
        theme.parent = f"{prefix}p{rank_of[int(parent_of_theme[index])]}"
    return parents


@dataclass(frozen=True)
class Assignment:
    """Where new items went: a theme id (or None) per item, similarity to it, and candidate themes."""

    themes: list[str | None]
    similarity: list[float]
    candidates: ThemeResult | None


def assign(
    theme_set: ThemeSet,
    texts: Sequence[str],
    vectors: np.ndarray,
    threshold: float = ASSIGN_THRESHOLD,
    min_candidate_size: int = MIN_CANDIDATE_SIZE,
    embed: Embed | None = None,
) -> Assignment:
    """Put each item in its nearest theme when cosine ≥ ``threshold``; cluster the rest into candidate themes
    (named as ``discover_themes`` names them, with ``embed``)."""
    n = len(texts)
    if n == 0:
        return Assignment([], [], None)
    vectors = unit_rows(vectors)
    centroids = theme_set.centroid_matrix()
    if len(centroids):
        similarities = vectors @ centroids.T
        best = np.argmax(similarities, axis=1)
        score = similarities[np.arange(n), best]
    else:
        best = np.zeros(n, dtype=np.int64)
        score = np.full(n, -1.0)
    chosen: list[str | None] = [
        theme_set.themes[int(b)].id if s >= threshold else None for b, s in zip(best, score, strict=True)
    ]
    outliers = [i for i, c in enumerate(chosen) if c is None]
    candidates = None
    if len(outliers) >= min_candidate_size:
        result = discover_themes([texts[i] for i in outliers], vectors[outliers], id_prefix="c", embed=embed)
        for theme in result.theme_set.themes:
            theme.candidate = True
        if result.theme_set.themes:
            candidates = result
            for position, index in enumerate(outliers):
                chosen[index] = result.assignments[position]
    return Assignment(chosen, [float(s) for s in score], candidates)

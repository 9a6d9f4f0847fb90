"""Theme discovery by clustering sentence embeddings, with the number of themes chosen from the data.

Method (docs/feedback-analysis.md has the measurements behind each choice, on the development suite's four sets):

1. **Neighbourhood smoothing.** Each vector is pulled towards the mean of its ``neighbours`` nearest neighbours
   (``alpha``), twice. Short feedback is noisy; averaging with close paraphrases sharpens the cluster structure.
2. **Ward linkage** on the smoothed vectors of (a sample of at most ``max_linkage_items``) items.
3. **Number of themes by silhouette.** Every cut of the dendrogram on a geometric grid of theme counts, from 2 to at
   most ``max_themes_per_root`` × √n themes (n = the linkage sample), is scored by
   the mean silhouette (Rousseeuw, 1987) of the *unsmoothed* vectors, cosine distance, on a fixed sample of at most
   ``silhouette_items`` items; the best-scoring cut wins. The silhouette asks of each item whether it is closer to
   its own theme than to the nearest other one, so it has no threshold to fit: the earlier rule (a fixed mean
   pairwise cosine of 0.79, fitted on Banking77) gave 1,383 themes for 20 Stack Overflow tags and 107 for 7 SNIPS
   intents, because how close paraphrases are differs from one domain to another. Scoring the raw vectors keeps
   the smoothing from rewarding ever smaller clusters. The √n bound is there because the silhouette keeps rising
   slowly past the level a person calls a theme (Banking77's paraphrase groups inside each intent: 219 themes for
   77 intents without the bound, 81 with it); the factor 1.5 was chosen leave-one-set-out on the development suite
   (docs/feedback-analysis.md).
4. **Refinement.** A few k-means steps from the Ward centroids; items outside the linkage sample are assigned to the
   nearest centroid.
5. **Abstention.** An item much further from its theme's centroid than the theme's other members (below Tukey's lower
   far-out fence, Q1 − 3 × IQR, of the theme's member-to-centroid cosines) stays unthemed rather than being forced
   in, as do clusters below ``min_theme_size``.
6. **Two levels.** The theme centroids are clustered again by Ward and silhouette into parent themes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage

#: Tukey's "far out" fence: an item this many interquartile ranges below its theme's lower quartile of
#: member-to-centroid cosine is unthemed (1.5, the "outside" fence, unthemed 5 % of Banking77 and cost 4 points of
#: ½(NMI+ARI) there; 3 unthemes 1.3 % and costs 0.6: docs/feedback-analysis.md).
FENCE = 3.0
#: Quartiles of fewer members say little: smaller themes keep all their items.
FENCE_MIN_MEMBERS = 10


@dataclass(frozen=True)
class ClusteringSettings:
    """How themes are found. ``grid`` theme counts are tried, from 2 up to one theme per
    ``2 * min_theme_size`` items of the linkage sample (fewer items than that make one theme) and no more than
    ``max_themes_per_root`` × √(linkage sample) themes."""

    neighbours: int = 3
    alpha: float = 0.6
    rounds: int = 2
    min_theme_size: int = 3
    max_linkage_items: int = 8000
    silhouette_items: int = 3000
    grid: int = 40
    max_themes_per_root: float = 1.5
    refine_steps: int = 5
    abstain: bool = True
    seed: int = 0


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def nearest_neighbours(vectors: np.ndarray, count: int, block: int = 2048) -> np.ndarray:
    """Indices of the ``count`` most similar other rows of a unit-row matrix (exact, blockwise)."""
    n = len(vectors)
    count = min(count, n - 1)
    result = np.zeros((n, max(count, 0)), dtype=np.int64)
    if count <= 0:
        return result
    for start in range(0, n, block):
        similarities = vectors[start : start + block] @ vectors.T
        rows = np.arange(similarities.shape[0])
        similarities[rows, start + rows] = -np.inf
        if count <= 8:  # a few arg-max passes are several times faster than a partial sort of every row
            for column in range(count):
                best = np.argmax(similarities, axis=1)
                result[start : start + block, column] = best
                similarities[rows, best] = -np.inf
            continue
        top = np.argpartition(-similarities, count - 1, axis=1)[:, :count]
        order = np.argsort(-np.take_along_axis(similarities, top, axis=1), axis=1)
        result[start : start + block] = np.take_along_axis(top, order, axis=1)
    return result


def smooth(vectors: np.ndarray, settings: ClusteringSettings) -> np.ndarray:
    """Pull each vector towards its nearest neighbours' mean (``rounds`` times)."""
    smoothed = unit_rows(vectors)
    for _ in range(settings.rounds):
        neighbours = nearest_neighbours(smoothed, settings.neighbours)
        if neighbours.shape[1] == 0:
            break
        smoothed = unit_rows(
            (1 - settings.alpha) * smoothed + settings.alpha * smoothed[neighbours].mean(axis=1)
        )
    return smoothed


def ward_tree(vectors: np.ndarray, block: int = 1024) -> np.ndarray:
    """Ward linkage of the rows, with the pairwise distances computed by matrix products (BLAS, float64).

    ``scipy.cluster.hierarchy.linkage(vectors, "ward")`` computes the same distances with a plain loop; for the
    8,000-item linkage sample that loop took most of the theme stage. ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y.
    """
    data = np.asarray(vectors, dtype=np.float64)
    n = len(data)
    squared = np.einsum("ij,ij->i", data, data)
    condensed = np.empty(n * (n - 1) // 2, dtype=np.float64)
    for start in range(0, n, block):
        stop = min(n, start + block)
        distances = squared[start:stop, None] + squared[None, :] - 2.0 * (data[start:stop] @ data.T)
        np.maximum(distances, 0.0, out=distances)
        np.sqrt(distances, out=distances)
        for row in range(start, stop):
            offset = row * n - row * (row + 1) // 2
            condensed[offset : offset + n - row - 1] = distances[row - start, row + 1 :]
    return linkage(condensed, "ward")


def cluster_sums(vectors: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Sum of the vectors of each cluster 0..count-1 (a sparse one-hot product: far faster than ``np.add.at``)."""
    membership = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float64), (labels, np.arange(len(labels)))), shape=(count, len(labels))
    )
    return np.asarray(membership @ vectors.astype(np.float64))


def centroids_of(vectors: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    return unit_rows(cluster_sums(vectors, labels, count))


def cosine_distances(points: np.ndarray) -> np.ndarray:
    """Pairwise cosine distances of unit rows (float64, zero diagonal), computed once for every cut scored."""
    points = points.astype(np.float64)
    distances = np.clip(1.0 - points @ points.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    return distances


def count_grid(limit: int, points: int) -> list[int]:
    """Theme counts to try: 2 … ``limit`` on a geometric grid (each about the same ratio above the last)."""
    if limit <= 2:
        return [2]
    return sorted({round(float(x)) for x in np.geomspace(2, limit, points)})


def theme_limit(count: int, settings: ClusteringSettings) -> int:
    """The most themes tried for ``count`` linked items: one per ``2 * min_theme_size`` items, and at most
    ``max_themes_per_root`` × √count (the silhouette alone keeps splitting intents into paraphrase groups)."""
    by_size = count // (2 * settings.min_theme_size)
    by_root = round(settings.max_themes_per_root * float(np.sqrt(count)))
    return max(2, min(by_size, by_root))


def choose_cut(
    tree: np.ndarray, vectors: np.ndarray, counts: list[int], sample: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """The dendrogram cut with the highest mean silhouette (cosine) of ``vectors[sample]``, and every count's score.

    The pairwise distances of the sample are computed once and shared by all cuts.
    """
    from sklearn.metrics import silhouette_score

    distances = cosine_distances(vectors[sample])
    scores: list[tuple[int, float]] = []
    best_labels, best_score = np.zeros(len(vectors), dtype=np.int64), -np.inf
    for count in counts:
        labels = (fcluster(tree, count, "maxclust") - 1).astype(np.int64)
        sampled = labels[sample]
        if len(np.unique(sampled)) < 2 or len(np.unique(sampled)) >= len(sample):
            continue
        score = float(silhouette_score(distances, sampled, metric="precomputed"))
        scores.append((count, score))
        if score > best_score:
            best_labels, best_score = labels, score
    return best_labels, scores


def outliers_of(vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Items below their theme's lower far-out fence (Q1 − 3 IQR) of member-to-centroid cosine."""
    similarity = np.einsum("ij,ij->i", vectors, centroids[labels])
    outlier = np.zeros(len(labels), dtype=bool)
    for theme in range(len(centroids)):
        members = np.flatnonzero(labels == theme)
        if len(members) < FENCE_MIN_MEMBERS:
            continue
        q1, q3 = np.percentile(similarity[members], [25, 75])
        outlier[members] = similarity[members] < q1 - FENCE * (q3 - q1)
    return outlier


def refine(vectors: np.ndarray, labels: np.ndarray, steps: int) -> np.ndarray:
    """Spherical k-means steps starting from the given partition (clusters never disappear)."""
    count = int(labels.max()) + 1
    for _ in range(steps):
        centroids = centroids_of(vectors, labels, count)
        new = np.argmax(vectors @ centroids.T, axis=1)
        present = np.bincount(new, minlength=count) > 0
        if not present.all():
            break
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


@dataclass(frozen=True)
class Clustering:
    """Cluster label per item (``-1`` = outlier, in a cluster below the minimum size) and unit centroids."""

    labels: np.ndarray
    centroids: np.ndarray


def cluster_vectors(vectors: np.ndarray, settings: ClusteringSettings | None = None) -> Clustering:
    """Cluster unit vectors into an automatically chosen number of themes."""
    settings = settings or ClusteringSettings()
    n = len(vectors)
    if n == 0:
        return Clustering(np.zeros(0, dtype=np.int64), np.zeros((0, vectors.shape[1]), dtype=np.float32))
    vectors = unit_rows(vectors)
    if n < 4 * settings.min_theme_size:  # too few to tell two themes from one: a theme needs ~2x its minimum
        return Clustering(np.zeros(n, dtype=np.int64), unit_rows(vectors.mean(axis=0, keepdims=True)))
    rng = np.random.default_rng(settings.seed)
    sample = (
        np.sort(rng.choice(n, settings.max_linkage_items, replace=False))
        if n > settings.max_linkage_items
        else (np.arange(n))
    )
    original = vectors[sample]
    smoothed = smooth(original, settings)
    tree = ward_tree(smoothed)
    scored = (
        np.sort(rng.choice(len(sample), settings.silhouette_items, replace=False))
        if len(sample) > settings.silhouette_items
        else np.arange(len(sample))
    )
    counts = count_grid(theme_limit(len(sample), settings), settings.grid)
    labels, _scores = choose_cut(tree, original, counts, scored)
    labels = refine(smoothed, labels, settings.refine_steps)
    count = int(labels.max()) + 1
    centroids = centroids_of(original, labels, count)
    all_labels = np.argmax(vectors @ centroids.T, axis=1) if n > len(sample) else labels
    if settings.abstain:
        all_labels = np.where(outliers_of(vectors, all_labels, centroids), -1, all_labels)
    all_labels = _drop_small(all_labels, settings.min_theme_size)
    kept = sorted(set(all_labels.tolist()) - {-1})
    remap = {old: new for new, old in enumerate(kept)}
    final = np.array([remap.get(int(x), -1) for x in all_labels], dtype=np.int64)
    if not kept:
        return Clustering(final, np.zeros((0, vectors.shape[1]), dtype=np.float32))
    mask = final >= 0
    return Clustering(final, centroids_of(vectors[mask], final[mask], len(kept)))


def _drop_small(labels: np.ndarray, minimum: int) -> np.ndarray:
    themed = labels >= 0
    if not themed.any():
        return labels
    sizes = np.bincount(labels[themed])
    labels = labels.copy()
    small = np.zeros(len(labels), dtype=bool)
    small[themed] = sizes[labels[themed]] < minimum
    labels[small] = -1
    return labels


def cluster_parents(vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Group themes into parents: Ward on the theme centroids, the count chosen by silhouette as for themes.

    Each theme stands for its members: the silhouette is computed on a sample of the themed items, each carrying
    its theme's parent, so a parent of many items weighs more than a parent of a few.
    """
    k = len(centroids)
    if k < 4:
        return np.zeros(k, dtype=np.int64)
    tree = linkage(centroids.astype(np.float64), "ward")
    themed = np.flatnonzero(labels >= 0)
    rng = np.random.default_rng(0)
    if len(themed) > 3000:
        themed = np.sort(rng.choice(themed, 3000, replace=False))
    counts = [c for c in count_grid(max(2, k // 2), 40) if c < k]
    distances = cosine_distances(vectors[themed])
    from sklearn.metrics import silhouette_score

    best, best_score = np.zeros(k, dtype=np.int64), -np.inf
    for count in counts:
        parents = (fcluster(tree, count, "maxclust") - 1).astype(np.int64)
        item_parents = parents[labels[themed]]
        if len(np.unique(item_parents)) < 2:
            continue
        score = float(silhouette_score(distances, item_parents, metric="precomputed"))
        if score > best_score:
            best, best_score = parents, score
    return best

"""Theme discovery by clustering sentence embeddings, with the number of themes chosen from the data.

Method (see docs/feedback-analysis.md for the measurements behind each choice):

1. **Neighbourhood smoothing.** Each vector is pulled towards the mean of its ``neighbours`` nearest neighbours
   (``alpha``), twice. Short feedback is noisy; averaging with close paraphrases sharpens the cluster structure
   (on Banking77 it lifts Ward's NMI from 80.6 to about 82.5 at the same number of clusters).
2. **Ward linkage** on the smoothed vectors of (a sample of at most ``max_linkage_items``) items.
3. **Automatic number of themes.** The dendrogram is cut at the smallest number of clusters whose mean pairwise
   cosine (item-weighted, on the smoothed vectors) reaches ``cohesion`` = 0.79 while no cluster of theme size
   falls below ``floor`` = 0.6: a theme is a set of items that say nearly the same thing. Mean pairwise cosine
   does not depend on cluster size, so the threshold transfers across dataset sizes; it was chosen on Banking77
   *train* (where it recovers ≈ 80 clusters for 77 intents), never on test. ``floor_share`` (default 0) would
   tolerate that share of the themed items in clusters below the floor; measured and not adopted (it steadies the
   count between fp32 and int8 vectors but makes themes coarser at 100,000 items: docs/feedback-analysis.md).
4. **Refinement.** A few k-means steps from the Ward centroids; items outside the linkage sample are assigned to the
   nearest centroid.
5. **Two levels.** The theme centroids are clustered again the same way with a looser cohesion to give parents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage

DEFAULT_COHESION = 0.79
PARENT_COHESION = 0.35


@dataclass(frozen=True)
class ClusteringSettings:
    neighbours: int = 3
    alpha: float = 0.6
    rounds: int = 2
    cohesion: float = DEFAULT_COHESION
    floor: float = 0.6
    floor_share: float = 0.0
    min_theme_size: int = 3
    max_linkage_items: int = 8000
    refine_steps: int = 5
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


def mean_cohesion(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Item-weighted mean over clusters of the average cosine between two different members.

    Computed from each cluster's vector sum: mean pairwise cosine = (|sum|² − m) / (m (m − 1)). Unlike the
    similarity to the centroid, it does not depend on how many items a cluster has, so one threshold works for
    small and large datasets. Singletons carry no pair and are left out.
    """
    count = int(labels.max()) + 1
    sums = cluster_sums(vectors, labels, count)
    sizes = np.bincount(labels, minlength=count).astype(np.float64)
    return cohesion_from_sums(sums, sizes)


def cohesion_from_sums(sums: np.ndarray, sizes: np.ndarray) -> float:
    """``mean_cohesion`` from each cluster's vector sum and size (so merged clusters cost one addition)."""
    paired = sizes > 1
    if not paired.any():
        return 1.0
    squared = np.sum(sums[paired] ** 2, axis=1)
    pairwise = (squared - sizes[paired]) / (sizes[paired] * (sizes[paired] - 1))
    return float(np.average(pairwise, weights=sizes[paired]))


def cluster_cohesions(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean pairwise cosine and size of each cluster (NaN cohesion for singletons)."""
    count = int(labels.max()) + 1
    sums = cluster_sums(vectors, labels, count)
    sizes = np.bincount(labels, minlength=count).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pairwise = (np.sum(sums**2, axis=1) - sizes) / (sizes * (sizes - 1))
    return np.where(sizes > 1, pairwise, np.nan), sizes


def acceptable_cut(
    vectors: np.ndarray,
    labels: np.ndarray,
    cohesion: float,
    floor: float,
    min_size: int,
    floor_share: float = 0.0,
) -> bool:
    """A cut is acceptable when the item-weighted mean cohesion reaches ``cohesion`` and at most ``floor_share`` of
    the items in theme-sized clusters are in clusters below ``floor`` (a mean alone would tolerate bad merges among
    many tight clusters; ``floor_share`` = 0 means no theme-sized cluster may fall below the floor)."""
    pairwise, sizes = cluster_cohesions(vectors, labels)
    paired = sizes > 1
    if not paired.any():
        return True
    mean = float(np.average(pairwise[paired], weights=sizes[paired]))
    themed = sizes >= min_size
    if mean < cohesion or not themed.any():
        return mean >= cohesion
    loose = themed & (pairwise < floor)
    return float(sizes[loose].sum()) <= floor_share * float(sizes[themed].sum())


def cut_by_cohesion(
    tree: np.ndarray,
    vectors: np.ndarray,
    cohesion: float,
    limit: int,
    floor: float = 0.0,
    min_size: int = 3,
    floor_share: float = 0.0,
) -> np.ndarray:
    """Smallest cut of the dendrogram that is ``acceptable_cut`` (binary search over the number of clusters)."""
    low, high = 1, max(1, limit)
    while low < high:
        middle = (low + high) // 2
        labels = fcluster(tree, middle, "maxclust") - 1
        if acceptable_cut(vectors, labels, cohesion, floor, min_size, floor_share):
            high = middle
        else:
            low = middle + 1
    return (fcluster(tree, low, "maxclust") - 1).astype(np.int64)


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
    if n < 2 * settings.min_theme_size:
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
    labels = cut_by_cohesion(
        tree,
        smoothed,
        settings.cohesion,
        max(1, len(sample) // 2),
        settings.floor,
        settings.min_theme_size,
        settings.floor_share,
    )
    labels = refine(smoothed, labels, settings.refine_steps)
    count = int(labels.max()) + 1
    centroids = centroids_of(original, labels, count)
    all_labels = np.argmax(vectors @ centroids.T, axis=1) if n > len(sample) else labels
    all_labels = _drop_small(all_labels, settings.min_theme_size)
    kept = sorted(set(all_labels.tolist()) - {-1})
    remap = {old: new for new, old in enumerate(kept)}
    final = np.array([remap.get(int(x), -1) for x in all_labels], dtype=np.int64)
    if not kept:
        return Clustering(final, np.zeros((0, vectors.shape[1]), dtype=np.float32))
    mask = final >= 0
    return Clustering(final, centroids_of(vectors[mask], final[mask], len(kept)))


def _drop_small(labels: np.ndarray, minimum: int) -> np.ndarray:
    sizes = np.bincount(labels)
    labels = labels.copy()
    labels[sizes[labels] < minimum] = -1
    return labels


def cluster_parents(
    vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray, cohesion: float = PARENT_COHESION
) -> np.ndarray:
    """Group themes into parents: Ward on the theme centroids, cut by the same cohesion rule (looser threshold)."""
    k = len(centroids)
    if k < 4:
        return np.zeros(k, dtype=np.int64)
    tree = linkage(centroids.astype(np.float64), "ward")
    mask = labels >= 0
    theme_sums = cluster_sums(vectors[mask], labels[mask], k)  # a parent's sum is the sum of its themes' sums
    theme_sizes = np.bincount(labels[mask], minlength=k).astype(np.float64)
    low, high = 1, max(1, k // 2)
    best = fcluster(tree, high, "maxclust") - 1
    while low < high:
        middle = (low + high) // 2
        parents = fcluster(tree, middle, "maxclust") - 1
        count = int(parents.max()) + 1
        parent_sums = np.zeros((count, theme_sums.shape[1]))
        np.add.at(parent_sums, parents, theme_sums)
        if (
            cohesion_from_sums(parent_sums, np.bincount(parents, weights=theme_sizes, minlength=count))
            >= cohesion
        ):
            high, best = middle, parents
        else:
            low = middle + 1
    if low == high:
        best = fcluster(tree, low, "maxclust") - 1
    return best.astype(np.int64)

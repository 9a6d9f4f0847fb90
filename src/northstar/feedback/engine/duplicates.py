"""Exact and near-duplicate detection, in memory that grows with the number of items, not with its square.

Exact: same normalised key (case, punctuation and spacing ignored). Near: cosine similarity of the sentence
embeddings ≥ the threshold of the runtime that made them (``near_threshold``). Matches are joined into groups
transitively ("A≈B, B≈C" gives {A, B, C}) with connected components over the match graph.

Search. Identical vectors (texts that differ only in case or spacing) are compared once. Up to
``EXACT_PAIRS_LIMIT`` distinct vectors every pair is compared, block by block. Above it the search is blocked: the
vectors are bucketed by their nearest of √n k-means centroids, each vector is put in its two nearest buckets, and
only pairs inside a bucket are compared (an inverted-file index; it can miss a pair whose two texts fall in no
common bucket, which the test suite checks does not happen on planted pairs). Matches are folded into components
every few million, so a corpus where thousands of texts are near-identical never materialises millions of pairs.

``DuplicateIndex`` keeps earlier items' vectors in the same buckets, so an incremental run compares each new item
with the earlier items of its nearest buckets instead of with every earlier item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from northstar.feedback.engine.blas import one_blas_thread

NEAR_THRESHOLD = 0.92
"""Cosine above which two items are near duplicates, for float32 vectors (sentence-transformers' own numbers)."""
QUANTIZED_NEAR_THRESHOLD = 0.912
"""The same decision for the int8 runtime's vectors. int8 noise lowers the cosine of two near-identical texts by
0.008 on average (pairs with float32 cosine 0.85–1 on Banking77 *train*); at 0.912 the int8 runtime finds about as
many of the demo company's planted duplicates as float32 at 0.92 (benchmarks/results/feedback_runtime_quality.md)."""
EXACT_PAIRS_LIMIT = 20_000
_FOLD_EVERY = 4_000_000  # matches kept before they are folded into components
_BLOCK_CELLS = 1 << 23  # similarity cells computed at once (32 MB of float32)


def near_threshold(runtime: str) -> float:
    """The near-duplicate threshold for vectors made by ``runtime`` (see ``QUANTIZED_NEAR_THRESHOLD``)."""
    return QUANTIZED_NEAR_THRESHOLD if runtime.endswith("int8") else NEAR_THRESHOLD


class UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for item in range(len(self.parent)):
            members[self.find(item)].append(item)
        return sorted((g for g in members.values() if len(g) > 1), key=lambda g: g[0])


class Components:
    """Connected components of a graph whose edges arrive in batches; memory O(n + ``fold_every``)."""

    def __init__(self, size: int, fold_every: int = _FOLD_EVERY) -> None:
        self.size = size
        self.fold_every = fold_every
        self.representative = np.arange(size, dtype=np.int64)  # smallest member of each item's component
        self._sources: list[np.ndarray] = []
        self._targets: list[np.ndarray] = []
        self._pending = 0

    def add(self, sources: np.ndarray, targets: np.ndarray) -> None:
        if len(sources):
            self._sources.append(np.asarray(sources, dtype=np.int64))
            self._targets.append(np.asarray(targets, dtype=np.int64))
            self._pending += len(sources)
            if self._pending >= self.fold_every:
                self._fold()

    def _fold(self) -> None:
        if not self._pending or not self.size:
            return
        everyone = np.arange(self.size, dtype=np.int64)
        sources = np.concatenate([everyone, *self._sources])
        targets = np.concatenate([self.representative, *self._targets])
        graph = sparse.coo_matrix(
            (np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(self.size, self.size)
        )
        _, labels = connected_components(graph, directed=False)
        smallest = np.full(labels.max() + 1, self.size, dtype=np.int64)
        np.minimum.at(smallest, labels, everyone)
        self.representative = smallest[labels]
        self._sources, self._targets, self._pending = [], [], 0

    def groups(self) -> list[list[int]]:
        """Components with more than one member, members ascending, ordered by their first member."""
        self._fold()
        order = np.lexsort((np.arange(self.size), self.representative))
        ranked = self.representative[order]
        bounds = np.flatnonzero(np.diff(ranked)) + 1
        return [part.tolist() for part in np.split(order, bounds) if len(part) > 1]


@dataclass(frozen=True)
class DuplicateGroup:
    """Item indices (ascending; the first is the canonical item) and whether all are exact copies."""

    members: list[int]
    exact: bool


def exact_groups(keys: Sequence[str], skip: Sequence[bool] | None = None) -> list[list[int]]:
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if skip is None or not skip[index]:
            by_key[key].append(index)
    return sorted((g for g in by_key.values() if len(g) > 1), key=lambda g: g[0])


def bucket_centroids(vectors: np.ndarray, seed: int = 0, sample: int = 20_000, rounds: int = 4) -> np.ndarray:
    """√n unit centroids for bucketing unit vectors: spherical k-means, a few rounds on a sample of at most
    ``sample`` vectors, seeded with random vectors of it. Buckets only need to keep close vectors together, not to
    be good clusters, so this takes about a second for 100,000 vectors (mini-batch k-means++ took half a minute)."""
    rng = np.random.default_rng(seed)
    vectors = np.asarray(vectors, dtype=np.float32)
    pool = (
        vectors[np.sort(rng.choice(len(vectors), sample, replace=False))]
        if len(vectors) > sample
        else vectors
    )
    count = max(2, min(len(pool), int(np.sqrt(len(vectors)))))
    centres = pool[rng.choice(len(pool), count, replace=False)].copy()
    for _ in range(rounds):
        labels = nearest_buckets(pool, centres, 1)[:, 0]
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, pool)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        filled = norms[:, 0] > 1e-12
        centres[filled] = sums[filled] / norms[filled]
    return centres


def nearest_buckets(vectors: np.ndarray, centroids: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` most similar centroids of each vector, most similar first."""
    result = np.zeros((len(vectors), count), dtype=np.int64)
    for start in range(0, len(vectors), 8192):
        scores = vectors[start : start + 8192] @ centroids.T
        top = np.argpartition(-scores, count - 1, axis=1)[:, :count] if count < scores.shape[1] else None
        if top is None:
            top = np.tile(np.arange(scores.shape[1]), (len(scores), 1))
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        result[start : start + 8192] = np.take_along_axis(top, order, axis=1)
    return result


def _matches_within(
    vectors: np.ndarray, members: np.ndarray, threshold: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs (a < b) of ``members`` with cosine ≥ threshold, one block of rows at a time."""
    block = max(64, _BLOCK_CELLS // max(len(members), 1))
    candidates = vectors[members]
    for start in range(0, len(members), block):
        rows = members[start : start + block]
        hit_rows, hit_columns = np.nonzero(candidates[start : start + block] @ candidates.T >= threshold)
        a, b = rows[hit_rows], members[hit_columns]
        keep = a < b
        yield a[keep], b[keep]


def _near_matches(
    vectors: np.ndarray, threshold: float, seed: int = 0, centroids: np.ndarray | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All near pairs among unit vectors: exhaustive for small inputs, blocked by k-means buckets above."""
    n = len(vectors)
    if n < 2:
        return
    if n <= EXACT_PAIRS_LIMIT:
        yield from _matches_within(vectors, np.arange(n), threshold)
        return
    centroids = bucket_centroids(vectors, seed) if centroids is None else centroids
    buckets = nearest_buckets(vectors, centroids, 2)
    items = np.repeat(np.arange(n), 2)
    order = np.argsort(buckets.reshape(-1), kind="stable")
    sorted_buckets = buckets.reshape(-1)[order]
    bounds = np.flatnonzero(np.diff(sorted_buckets)) + 1
    for part in np.split(items[order], bounds):
        if len(part) > 1:
            yield from _matches_within(vectors, np.sort(part), threshold)


def _distinct_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the distinct rows and, for every row, the position of its distinct row."""
    contiguous = np.ascontiguousarray(vectors)
    view = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1])))
    _, first, inverse = np.unique(view.reshape(-1), return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def near_pairs(
    vectors: np.ndarray, threshold: float = NEAR_THRESHOLD, seed: int = 0
) -> list[tuple[int, int]]:
    """Pairs (i < j) with cosine ≥ threshold (the same search as ``find_duplicates``, as an explicit list)."""
    found: set[tuple[int, int]] = set()
    for a, b in _near_matches(np.asarray(vectors, dtype=np.float32), threshold, seed):
        found.update(zip(a.tolist(), b.tolist(), strict=True))
    return sorted(found)


def find_duplicates(
    keys: Sequence[str],
    vectors: np.ndarray | None,
    threshold: float = NEAR_THRESHOLD,
    skip: Sequence[bool] | None = None,
    centroids: np.ndarray | None = None,
) -> list[DuplicateGroup]:
    """Groups of exact (same key) and near (embedding) duplicates; items flagged in ``skip`` never match.

    ``centroids`` (optional) are bucket centroids to reuse, e.g. those of a ``DuplicateIndex`` built on the same
    vectors.
    """
    n = len(keys)
    components = Components(n)
    for group in exact_groups(keys, skip):
        components.add(np.full(len(group) - 1, group[0]), np.array(group[1:]))
    if vectors is not None and n:
        usable = np.array([not (skip and skip[i]) for i in range(n)], dtype=bool)
        indices = np.flatnonzero(usable)
        if len(indices) > 1:
            distinct, position = _distinct_rows(np.asarray(vectors, dtype=np.float32)[indices])
            # items with identical vectors are near duplicates of each other (cosine 1)
            components.add(indices, indices[distinct[position]])
            unique = np.asarray(vectors, dtype=np.float32)[indices[distinct]]
            for a, b in _near_matches(unique, threshold, centroids=centroids):
                components.add(indices[distinct[a]], indices[distinct[b]])
    return [
        DuplicateGroup(members, exact=len({keys[m] for m in members}) == 1) for members in components.groups()
    ]


@dataclass
class DuplicateIndex:
    """Earlier items' unit vectors, for finding the best earlier match of new items without comparing all pairs.

    Up to ``EXACT_PAIRS_LIMIT`` items every earlier item is compared; above, the vectors are bucketed by their
    nearest of √n k-means centroids and a new item is compared with the items of its ``probes`` nearest buckets.
    The centroids are trained once and retrained when the index has grown fourfold since.
    """

    probes: int = 3
    seed: int = 0
    ids: list[str] = field(default_factory=list)
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    centroids: np.ndarray | None = None
    _vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    _bucket: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _trained_at: int = 0
    _position: dict[str, int] = field(default_factory=dict)
    _sorted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[: len(self.ids)]

    @property
    def trained_at(self) -> int:
        """How many items the index held when its centroids were last trained (0: never)."""
        return self._trained_at

    def add(self, ids: Sequence[str], vectors: np.ndarray, centroids: np.ndarray | None = None) -> None:
        """Add items (an id added again replaces its earlier vector). When the index needs (re)training,
        ``centroids`` are used if given (e.g. computed on these vectors already), else k-means runs."""
        if not len(ids):
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        self.remove(ids)
        size = len(self.ids)
        if self._vectors.shape[0] < size + len(ids) or self._vectors.shape[1] != vectors.shape[1]:
            grown = np.zeros((max(2 * (size + len(ids)), 1024), vectors.shape[1]), dtype=np.float32)
            if size:
                grown[:size] = self._vectors[:size]
            self._vectors = grown
        self._vectors[size : size + len(ids)] = vectors
        self.ids.extend(ids)
        self._position.update({identifier: size + k for k, identifier in enumerate(ids)})
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        self._sorted = None
        if len(self.ids) > EXACT_PAIRS_LIMIT and (
            self.centroids is None or len(self.ids) >= 4 * self._trained_at
        ):
            self.train(centroids)
        elif self.centroids is not None:
            self._bucket = np.concatenate([self._bucket, nearest_buckets(vectors, self.centroids, 1)[:, 0]])

    def remove(self, ids: Sequence[str]) -> None:
        for identifier in ids:
            position = self._position.pop(identifier, None)
            if position is not None:
                self.alive[position] = False

    def train(self, centroids: np.ndarray | None = None) -> None:
        """(Re)bucket the items, with the given centroids or with k-means centroids of the live vectors."""
        live = self.vectors[self.alive]
        self.centroids = centroids if centroids is not None else bucket_centroids(live, self.seed)
        self._bucket = nearest_buckets(self.vectors, self.centroids, 1)[:, 0]
        self._trained_at = len(self.ids)
        self._sorted = None

    def _bucket_order(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Item positions sorted by bucket, the vectors in that order (contiguous per bucket), bucket starts."""
        if self._sorted is None:
            assert self.centroids is not None
            order = np.argsort(self._bucket, kind="stable")
            starts = np.searchsorted(self._bucket[order], np.arange(len(self.centroids) + 1))
            self._sorted = (order, self.vectors[order], starts)
        return self._sorted

    def best_matches(self, queries: np.ndarray, threshold: float) -> list[tuple[str, float] | None]:
        """For each query vector, the most similar live item with cosine ≥ threshold (id, cosine), else None."""
        with one_blas_thread():
            return self._best_matches(np.asarray(queries, dtype=np.float32), threshold)

    def _best_matches(self, queries: np.ndarray, threshold: float) -> list[tuple[str, float] | None]:
        best_score = np.full(len(queries), -np.inf, dtype=np.float32)
        best_item = np.full(len(queries), -1, dtype=np.int64)
        if not len(queries) or not self.alive.any():
            return [None] * len(queries)
        if self.centroids is None:
            order, ordered, alive = np.arange(len(self.ids)), self.vectors, self.alive
            groups = [(np.arange(len(queries)), 0, len(self.ids))]
        else:
            order, ordered, starts = self._bucket_order()
            alive = self.alive[order]
            probes = nearest_buckets(queries, self.centroids, min(self.probes, len(self.centroids)))
            buckets, rows = probes.reshape(-1), np.repeat(np.arange(len(queries)), probes.shape[1])
            by_bucket = np.argsort(buckets, kind="stable")
            buckets, rows = buckets[by_bucket], rows[by_bucket]
            bounds = np.concatenate([[0], np.flatnonzero(np.diff(buckets)) + 1, [len(buckets)]])
            groups = [
                (rows[a:b], int(starts[buckets[a]]), int(starts[buckets[a] + 1])) for a, b in pairwise(bounds)
            ]
        for rows, low, high in groups:
            if high <= low:
                continue
            dead = ~alive[low:high]
            for start in range(0, len(rows), 1024):
                part = rows[start : start + 1024]
                scores = queries[part] @ ordered[low:high].T
                if dead.any():
                    scores[:, dead] = -np.inf
                column = np.argmax(scores, axis=1)
                score = scores[np.arange(len(part)), column]
                better = score > best_score[part]
                best_score[part[better]] = score[better]
                best_item[part[better]] = order[low + column[better]]
        return [
            (self.ids[int(item)], float(score)) if item >= 0 and score >= threshold else None
            for item, score in zip(best_item, best_score, strict=True)
        ]

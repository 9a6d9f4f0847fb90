"""Exact and near-duplicate detection.

Exact: same normalised key (case, punctuation and spacing ignored). Near: cosine similarity of the sentence
embeddings ≥ ``NEAR_THRESHOLD``. Pairs are joined into groups with union-find, so "A≈B, B≈C" gives {A, B, C}.
For large inputs the exact all-pairs comparison is replaced by blocking: items are bucketed by their nearest of
√n k-means centroids (and a second-nearest bucket), and only pairs inside a bucket are compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NEAR_THRESHOLD = 0.92
EXACT_PAIRS_LIMIT = 20_000


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


def _pairs_in(vectors: np.ndarray, indices: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    block = 2048
    for start in range(0, len(indices), block):
        rows = indices[start : start + block]
        similarities = vectors[rows] @ vectors[indices].T
        hits = np.argwhere(similarities >= threshold)
        for r, c in hits:
            a, b = int(rows[r]), int(indices[c])
            if a < b:
                found.append((a, b))
    return found


def near_pairs(
    vectors: np.ndarray, threshold: float = NEAR_THRESHOLD, seed: int = 0
) -> list[tuple[int, int]]:
    """Pairs (i < j) with cosine ≥ threshold; exact for small inputs, blocked by k-means buckets for large ones."""
    n = len(vectors)
    if n < 2:
        return []
    if n <= EXACT_PAIRS_LIMIT:
        return _pairs_in(vectors, np.arange(n), threshold)
    from sklearn.cluster import MiniBatchKMeans

    buckets = int(np.sqrt(n))
    kmeans = MiniBatchKMeans(buckets, random_state=seed, n_init=1, batch_size=4096, max_iter=20).fit(vectors)
    centroids = kmeans.cluster_centers_ / np.linalg.norm(kmeans.cluster_centers_, axis=1, keepdims=True)
    members: dict[int, list[int]] = defaultdict(list)
    for start in range(0, n, 8192):
        scores = vectors[start : start + 8192] @ centroids.T
        top_two = np.argsort(-scores, axis=1)[:, :2]
        for offset, (first, second) in enumerate(top_two):
            members[int(first)].append(start + offset)
            members[int(second)].append(start + offset)
    pairs: set[tuple[int, int]] = set()
    for bucket in members.values():
        pairs.update(_pairs_in(vectors, np.array(sorted(bucket)), threshold))
    return sorted(pairs)


def find_duplicates(
    keys: Sequence[str],
    vectors: np.ndarray | None,
    threshold: float = NEAR_THRESHOLD,
    skip: Sequence[bool] | None = None,
) -> list[DuplicateGroup]:
    """Groups of exact (same key) and near (embedding) duplicates; items flagged in ``skip`` never match."""
    n = len(keys)
    union = UnionFind(n)
    exact = exact_groups(keys, skip)
    for group in exact:
        for other in group[1:]:
            union.union(group[0], other)
    if vectors is not None and n:
        usable = np.array([not (skip and skip[i]) for i in range(n)])
        indices = np.flatnonzero(usable)
        for a, b in near_pairs(vectors[indices], threshold):
            union.union(int(indices[a]), int(indices[b]))
    result = []
    for members in union.groups():
        result.append(DuplicateGroup(members, exact=len({keys[m] for m in members}) == 1))
    return result

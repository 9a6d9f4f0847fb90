"""Exact and near duplicates: grouped transitively; the blocked search finds what the exact search finds; the
incremental index finds earlier matches; memory stays linear when many texts are identical."""

from __future__ import annotations

import numpy as np
import pytest

from northstar.feedback.engine import duplicates as duplicates_module
from northstar.feedback.engine.clustering import unit_rows
from northstar.feedback.engine.duplicates import (
    NEAR_THRESHOLD,
    QUANTIZED_NEAR_THRESHOLD,
    Components,
    DuplicateIndex,
    UnionFind,
    find_duplicates,
    near_pairs,
    near_threshold,
)
from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.normalize import duplicate_key
from tests.feedback.analysis_support import shared_embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def test_exact_duplicates_ignore_case_and_punctuation() -> None:
    texts = ["Export is broken!", "export is broken", "Pricing", "EXPORT  IS BROKEN?"]
    groups = find_duplicates([duplicate_key(t) for t in texts], None)
    assert [g.members for g in groups] == [[0, 1, 3]] and groups[0].exact


def test_skipped_items_never_match() -> None:
    groups = find_duplicates(["k", "k", "k"], None, skip=[False, True, False])
    assert [g.members for g in groups] == [[0, 2]]


def test_union_find_groups_transitively() -> None:
    union = UnionFind(5)
    union.union(0, 1)
    union.union(1, 3)
    assert union.groups() == [[0, 1, 3]]


def test_paraphrases_are_near_duplicates_and_different_requests_are_not(embedder: Embedder) -> None:
    texts = [
        "The app crashes when I open settings",
        "The app crashes when I open the settings",
        "Please add dark mode",
        "Please add an export to Excel",
    ]
    groups = find_duplicates([duplicate_key(t) for t in texts], embedder.embed(texts))
    assert [g.members for g in groups] == [[0, 1]] and not groups[0].exact


def test_blocked_search_finds_the_planted_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    vectors = unit_rows(rng.normal(size=(900, 32)))
    planted = [(i, 450 + i) for i in range(0, 40, 2)]
    for a, b in planted:
        vectors[b] = unit_rows(vectors[a : a + 1] + 0.02 * rng.normal(size=(1, 32)))[0]
    exact = near_pairs(vectors, 0.95)
    monkeypatch.setattr(duplicates_module, "EXACT_PAIRS_LIMIT", 100)
    blocked = near_pairs(vectors, 0.95)
    assert set(planted) <= set(exact)
    assert set(blocked) == set(exact)


def test_components_fold_batches_of_edges_into_the_same_groups_as_union_find() -> None:
    rng = np.random.default_rng(1)
    edges = rng.integers(0, 300, size=(400, 2))
    union = UnionFind(300)
    components = Components(300, fold_every=37)  # fold many times along the way
    for a, b in edges:
        union.union(int(a), int(b))
    for start in range(0, len(edges), 25):
        components.add(edges[start : start + 25, 0], edges[start : start + 25, 1])
    assert components.groups() == union.groups()


def test_identical_texts_in_large_numbers_form_one_group_without_listing_their_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(2)
    vectors = unit_rows(rng.normal(size=(3000, 24))).astype(np.float32)
    vectors[1000:2500] = vectors[7]  # 1,501 copies: 1.1 million pairs if they were listed
    monkeypatch.setattr(duplicates_module, "EXACT_PAIRS_LIMIT", 500)  # the blocked search
    groups = find_duplicates([f"k{i}" for i in range(3000)], vectors, 0.95)
    assert [7, *range(1000, 2500)] in [g.members for g in groups]


def test_index_finds_the_best_earlier_match_in_its_nearest_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    earlier = unit_rows(rng.normal(size=(2000, 32)))
    monkeypatch.setattr(duplicates_module, "EXACT_PAIRS_LIMIT", 300)  # bucketed, not exhaustive
    index = DuplicateIndex()
    index.add([f"e{i}" for i in range(2000)], earlier)
    assert index.centroids is not None
    queries = unit_rows(earlier[[5, 77, 1500]] + 0.01 * rng.normal(size=(3, 32)))
    fresh = unit_rows(rng.normal(size=(1, 32)))
    matches = index.best_matches(np.vstack([queries, fresh]), 0.95)
    assert [m[0] if m else None for m in matches] == ["e5", "e77", "e1500", None]
    index.remove(["e77"])
    assert index.best_matches(queries[1:2], 0.95) == [None]


def test_index_replaces_an_items_vector_when_it_is_added_again() -> None:
    index = DuplicateIndex()
    index.add(["a", "b"], unit_rows(np.array([[1.0, 0.0], [0.0, 1.0]])))
    index.add(["a"], unit_rows(np.array([[0.6, 0.8]])))
    match = index.best_matches(np.array([[1.0, 0.0]], dtype=np.float32), 0.9)
    assert match == [None]
    assert index.best_matches(np.array([[0.6, 0.8]], dtype=np.float32), 0.99)[0][0] == "a"  # type: ignore[index]


def test_int8_vectors_get_the_lower_calibrated_threshold() -> None:
    assert near_threshold("onnxruntime-int8") == QUANTIZED_NEAR_THRESHOLD < NEAR_THRESHOLD
    assert near_threshold("onnxruntime-fp32") == near_threshold("numpy") == NEAR_THRESHOLD

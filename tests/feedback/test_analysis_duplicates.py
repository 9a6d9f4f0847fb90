"""Exact and near duplicates: grouped transitively; the blocked search finds what the exact search finds."""

from __future__ import annotations

import numpy as np
import pytest

from northstar.feedback.analysis import duplicates as duplicates_module
from northstar.feedback.analysis.clustering import unit_rows
from northstar.feedback.analysis.duplicates import UnionFind, find_duplicates, near_pairs
from northstar.feedback.analysis.embeddings import Embedder
from northstar.feedback.analysis.normalize import duplicate_key
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

"""Theme discovery picks the number of themes itself, names them, and assigns new items (or makes candidates)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from northstar.feedback.engine.clustering import (
    ClusteringSettings,
    choose_cut,
    cluster_vectors,
    count_grid,
    nearest_neighbours,
    outliers_of,
    theme_limit,
    unit_rows,
    ward_tree,
)
from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.naming import keywords_per_cluster, phrase_names, phrases
from northstar.feedback.engine.themes import assign, discover_themes, members_of
from tests.feedback.analysis_support import TOPICS, shared_embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def planted_groups(
    groups: int, per_group: int, spread: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.normal(size=(groups, 384)))
    labels = np.repeat(np.arange(groups), per_group)
    return unit_rows(centres[labels] + spread * rng.normal(size=(len(labels), 384)) / np.sqrt(384)), labels


def test_number_of_themes_is_found_from_well_separated_groups() -> None:
    vectors, truth = planted_groups(groups=7, per_group=20, spread=0.5)
    result = cluster_vectors(vectors)
    assert len(result.centroids) == 7
    pairs = {(int(a), int(b)) for a, b in zip(truth, result.labels, strict=True)}
    assert len(pairs) == 7


def test_sampled_linkage_assigns_items_outside_the_sample() -> None:
    vectors, _ = planted_groups(groups=4, per_group=60, spread=0.4)
    result = cluster_vectors(vectors, ClusteringSettings(max_linkage_items=100))
    assert len(result.centroids) == 4 and (result.labels >= 0).all()


def test_nearest_neighbours_match_brute_force() -> None:
    vectors = unit_rows(np.random.default_rng(3).normal(size=(50, 16)))
    found = nearest_neighbours(vectors, 4, block=7)
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -np.inf)
    assert (np.sort(found, axis=1) == np.sort(np.argsort(-similarities, axis=1)[:, :4], axis=1)).all()


def test_keywords_are_distinctive_for_each_cluster() -> None:
    texts = ["export csv broken", "export csv please", "price too high", "price plan expensive"]
    keywords = keywords_per_cluster(texts, np.array([0, 0, 1, 1]), 2)
    assert "export csv" in keywords[0] and "price" in keywords[1]


def test_real_feedback_forms_one_theme_per_topic_with_names_and_quotes(embedder: Embedder) -> None:
    texts = [t for group in TOPICS.values() for t in group]
    result = discover_themes(texts, embedder.embed(texts))
    assert len(result.theme_set.themes) == 3
    by_topic = {}
    for topic, group in TOPICS.items():
        assigned = {result.assignments[texts.index(t)] for t in group}
        assert len(assigned) == 1
        by_topic[topic] = assigned.pop()
    names = {t.id: t for t in result.theme_set.themes}
    assert any(k.startswith("export") for k in names[by_topic["export"]].keywords)
    assert all(len(t.quotes) == 3 for t in result.theme_set.themes)
    assert all(t.parent in {p.id for p in result.theme_set.parents} for t in result.theme_set.themes)


def test_new_items_join_existing_themes_and_outliers_become_candidates(embedder: Embedder) -> None:
    texts = [t for group in TOPICS.values() for t in group]
    discovered = discover_themes(texts, embedder.embed(texts))
    themes, login_theme = discovered.theme_set, discovered.assignments[0]
    new = [
        "I can't sign in since this morning",
        "The mobile app drains my battery",
        "Battery usage is huge since the update",
        "My phone battery empties fast with this app",
        "This app uses too much battery",
        "Heavy battery drain on Android",
        "Battery drains overnight because of the app",
    ]
    result = assign(themes, new, embedder.embed(new))
    assert result.themes[0] == login_theme
    assert result.candidates is not None
    candidate_ids = {t.id for t in result.candidates.theme_set.themes}
    assert all(theme in candidate_ids for theme in result.themes[1:])
    assert all(t.candidate for t in result.candidates.theme_set.themes)


def test_tiny_and_empty_inputs_do_not_fail() -> None:
    assert discover_themes([], np.zeros((0, 384), dtype=np.float32)).assignments == []
    single = discover_themes(["only one"], unit_rows(np.ones((1, 384))))
    assert len(single.assignments) == 1


def test_ward_tree_from_matrix_products_matches_scipy_linkage() -> None:
    from scipy.cluster.hierarchy import linkage

    vectors = unit_rows(np.random.default_rng(5).normal(size=(300, 16)))
    ours, reference = ward_tree(vectors, block=64), linkage(vectors.astype(np.float64), "ward")
    assert np.array_equal(ours[:, :2], reference[:, :2]) and np.allclose(ours[:, 2:], reference[:, 2:])


def test_nearest_neighbours_are_the_most_similar_other_rows() -> None:
    vectors = unit_rows(np.random.default_rng(6).normal(size=(500, 12)))
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -np.inf)
    expected = np.argsort(-similarities, axis=1)
    for count in (3, 12):  # arg-max passes, and the partial sort for larger counts
        assert np.array_equal(nearest_neighbours(vectors, count, block=128), expected[:, :count])


def test_the_cut_with_the_best_silhouette_wins_and_every_count_is_scored() -> None:
    vectors, _truth = planted_groups(groups=12, per_group=15, spread=0.6, seed=2)
    tree = ward_tree(vectors)
    counts = count_grid(len(vectors) // 4, 30)
    labels, scores = choose_cut(tree, vectors, counts, np.arange(len(vectors)))
    assert [count for count, _ in scores] == counts
    best_count = max(scores, key=lambda row: row[1])[0]
    assert best_count == 12 == len(np.unique(labels))
    from sklearn.metrics import silhouette_score

    assert dict(scores)[12] == pytest.approx(silhouette_score(vectors, labels, metric="cosine"), abs=1e-6)


def test_count_grid_is_geometric_from_two_to_the_limit() -> None:
    grid = count_grid(400, 20)
    assert grid[0] == 2 and grid[-1] == 400 and grid == sorted(set(grid))
    ratios = np.array(grid[5:]) / np.array(grid[4:-1])
    assert ratios.max() < 1.5
    assert count_grid(2, 40) == [2]


def test_theme_count_is_bounded_by_the_square_root_of_the_items_and_by_the_minimum_theme_size() -> None:
    settings = ClusteringSettings()
    # 1.5 x sqrt(3,080): Banking77's 219 paraphrase groups are not tried
    assert theme_limit(3080, settings) == 83
    assert theme_limit(100, settings) == 15  # 1.5 x sqrt(100) = 15 < 100 // 6 = 16
    assert theme_limit(60, settings) == 10  # one theme per six items binds first
    assert theme_limit(5, settings) == 2
    assert theme_limit(3080, ClusteringSettings(max_themes_per_root=10.0)) == 3080 // 6


def test_a_flat_silhouette_does_not_split_groups_into_hundreds_of_themes() -> None:
    """Forty well-separated topics of 50 items, each made of five tight paraphrase pairs-of-ten: the themes found
    stay within √n's bound instead of following every paraphrase group."""
    rng = np.random.default_rng(3)
    topics = rng.normal(size=(40, 32))
    vectors = np.concatenate(
        [
            topic + 0.35 * rng.normal(size=32) + 0.15 * rng.normal(size=(10, 32))
            for topic in topics
            for _ in range(5)
        ]
    )
    result = cluster_vectors(vectors)
    found = len(result.centroids)
    assert found <= theme_limit(len(vectors), ClusteringSettings())
    assert found >= 20


def test_an_item_far_from_its_theme_is_unthemed_and_the_rest_are_kept() -> None:
    vectors, truth = planted_groups(groups=3, per_group=30, spread=0.3, seed=4)
    stray = unit_rows(np.random.default_rng(9).normal(size=(1, 384)))
    vectors = np.vstack([vectors, stray])
    labels = np.append(truth, 0)
    centroids = unit_rows(np.stack([vectors[labels == g].mean(axis=0) for g in range(3)]))
    outliers = outliers_of(vectors, labels, centroids)
    assert outliers[-1] and not outliers[:-1].any()


def test_themes_from_different_domains_are_found_without_a_threshold() -> None:
    """Loose groups (like Stack Overflow tags) and tight ones (like paraphrased intents) in one rule."""
    for spread, groups in ((1.2, 5), (0.35, 25)):
        vectors, truth = planted_groups(groups=groups, per_group=24, spread=spread, seed=groups)
        result = cluster_vectors(vectors)
        assert 0.5 * groups <= len(result.centroids) <= 2 * groups, (spread, len(result.centroids))
        themed = result.labels >= 0
        assert themed.mean() > 0.9
        assert normalized_mutual_info_score(truth[themed], result.labels[themed]) > 0.9, spread


def test_members_of_groups_item_indices_by_cluster_and_skips_outliers() -> None:
    labels = np.array([2, -1, 0, 2, 1, 0, -1])
    assert [m.tolist() for m in members_of(labels, 3)] == [[2, 5], [4], [0, 3]]


def test_theme_names_are_phrases_from_the_members_distinct_and_capitalised(embedder: Embedder) -> None:
    texts = [t for group in TOPICS.values() for t in group]
    groups, start = [], 0
    for group in TOPICS.values():
        groups.append(list(range(start, start + len(group))))
        start += len(group)
    vectors = embedder.embed(texts)
    centroids = unit_rows(np.stack([vectors[g].mean(axis=0) for g in groups]))
    names = phrase_names(texts, groups, centroids, embedder.embed)
    assert len(set(names)) == len(names), "no two themes share a name"
    for name, group in zip(names, groups, strict=True):
        assert name[0].isupper()
        assert any(name.casefold() in texts[i].casefold() for i in group), f"{name!r} is written in the theme"
    by_topic = dict(zip(TOPICS, names, strict=True))
    assert "export" in by_topic["export"].casefold()
    assert any(word in by_topic["login"].casefold() for word in ("log", "sign", "password"))


def test_a_phrase_never_starts_or_ends_with_a_stop_word_nor_crosses_a_clause() -> None:
    found = phrases("The export to CSV fails, then the app crashes.")
    assert "export to csv" in found and found["export to csv"] == "export to CSV"
    assert not any(
        key.split()[0] in {"the", "to", "then"} or key.split()[-1] in {"the", "to"} for key in found
    )
    assert "fails then" not in found and "csv fails" in found


def test_without_an_embedder_the_most_typical_phrase_names_the_theme() -> None:
    texts = [
        "dark mode please",
        "dark mode for the app",
        "add dark mode",
        "refund my order",
        "refund is late",
    ]
    names = phrase_names(texts, [[0, 1, 2], [3, 4]], np.zeros((2, 384), np.float32))
    assert names[0] in {"Dark mode", "Dark"} and names[1] == "Refund"

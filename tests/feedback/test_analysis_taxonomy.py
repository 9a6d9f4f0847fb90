"""Training your own taxonomy: learns labels, saves without pickle, and explains unusable training data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.taxonomy import (
    TaxonomyError,
    TaxonomyModel,
    TaxonomySettings,
    cross_validated_predictions,
    train_taxonomy,
)
from tests.feedback.analysis_support import TOPICS, shared_embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def test_trained_model_predicts_held_out_items(embedder: Embedder) -> None:
    texts = [t for group in TOPICS.values() for t in group[:5]]
    labels = [topic for topic, group in TOPICS.items() for _ in group[:5]]
    model = train_taxonomy(texts, labels, embedder.embed(texts))
    held_out = [group[5] for group in TOPICS.values()]
    predictions = model.predict(held_out, embedder.embed(held_out))
    assert [p.label for p in predictions] == list(TOPICS)
    assert all(p.confidence > 1 / 3 for p in predictions)


def test_model_round_trips_through_a_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(8, 384)).astype(np.float32)
    texts = ["red apple", "green apple", "red car", "blue car"] * 2
    model = train_taxonomy(texts, ["fruit", "fruit", "car", "car"] * 2, vectors)
    model.save(tmp_path / "m.npz")
    loaded = TaxonomyModel.load(tmp_path / "m.npz")
    assert loaded.labels == model.labels
    assert [p.label for p in loaded.predict(texts, vectors)] == [
        p.label for p in model.predict(texts, vectors)
    ]


def test_unusable_training_data_is_explained() -> None:
    vectors = np.zeros((3, 384), dtype=np.float32)
    with pytest.raises(TaxonomyError, match="two different labels"):
        train_taxonomy(["a", "b", "c"], ["x", "x", "x"], vectors)
    with pytest.raises(TaxonomyError, match="non-empty label"):
        train_taxonomy(["a", "b", "c"], ["x", "", "y"], vectors)


def test_a_file_that_is_not_a_model_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(TaxonomyError):
        TaxonomyModel.load(tmp_path / "junk.npz")


def test_a_label_with_a_single_example_is_learned() -> None:
    rng = np.random.default_rng(1)
    texts = [
        "refund my order",
        "refund the charge",
        "reset my password",
        "password reset link",
        "dark mode please",
    ]
    labels = ["billing", "billing", "login", "login", "request"]
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    model = train_taxonomy(texts, labels, vectors)
    assert "request" in model.labels
    assert model.predict(["dark mode please"], vectors[4:5])[0].label == "request"
    assert model.validation == {}, "too few labels per category to cross-validate"
    assert model.regularisation == 10.0


def test_character_ngrams_recognise_a_misspelt_word() -> None:
    """Words alone cannot match "recharging" to "recharge"; character n-grams inside words can."""
    texts = ["recharge failed", "recharge pending", "withdraw money", "withdraw to bank", "withdraw is slow"]
    labels = ["recharge", "recharge", "withdraw", "withdraw", "withdraw"]
    vectors = np.zeros((5, 384), dtype=np.float32)
    characters = TaxonomySettings(
        embedding_weight=0.0, word_weight=0.0, character_weight=1.0, min_term_count=1
    )
    words = TaxonomySettings(embedding_weight=0.0, word_weight=1.0, character_weight=0.0, min_term_count=1)
    query, query_vector = ["recharging stuck"], np.zeros((1, 384), dtype=np.float32)
    assert (
        train_taxonomy(texts, labels, vectors, characters).predict(query, query_vector)[0].label == "recharge"
    )
    word_guess = train_taxonomy(texts, labels, vectors, words).predict(query, query_vector)[0]
    assert word_guess.label == "withdraw", (
        "no word in common: the word model can only guess the commoner label"
    )


def test_the_regularisation_is_chosen_by_cross_validation_and_kept_in_the_file(
    embedder: Embedder, tmp_path: Path
) -> None:
    texts = [t for group in TOPICS.values() for t in group]
    labels = [topic for topic, group in TOPICS.items() for _ in group]
    model = train_taxonomy(
        texts, labels, embedder.embed(texts), TaxonomySettings(regularisations=(0.01, 10.0))
    )
    scores = model.validation["scores"]
    assert set(scores) == {"0.01", "10.0"} and model.validation["folds"] == 3
    best = max(scores, key=scores.__getitem__)
    assert model.regularisation == float(best)
    model.save(tmp_path / "m.npz")
    loaded = TaxonomyModel.load(tmp_path / "m.npz")
    assert loaded.validation == model.validation and loaded.regularisation == model.regularisation
    assert [b.analyzer for b in loaded.blocks] == ["word", "char_wb"]


def test_a_model_from_an_earlier_version_asks_to_be_trained_again(tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    np.savez_compressed(path, header=np.array('{"format": "northstar-taxonomy-1", "labels": ["a", "b"]}'))
    with pytest.raises(TaxonomyError, match="train the model again"):
        TaxonomyModel.load(path)


def test_cross_validated_predictions_score_every_item_without_its_own_label(embedder: Embedder) -> None:
    texts = [t for group in TOPICS.values() for t in group] + ["a category with a single example"]
    labels = [topic for topic, group in TOPICS.items() for _ in group] + ["lonely"]
    vectors = embedder.embed(texts)
    guesses = cross_validated_predictions(texts, labels, vectors, regularisation=10.0)
    assert guesses[-1] is None, "a single example cannot be held out"
    scored = [(g, t) for g, t in zip(guesses[:-1], labels[:-1], strict=True)]
    assert all(g is not None for g, _ in scored)
    assert sum(g == t for g, t in scored) / len(scored) >= 0.8

"""Training your own taxonomy: learns labels, saves without pickle, and explains unusable training data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.taxonomy import TaxonomyError, TaxonomyModel, train_taxonomy
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
    with pytest.raises(TaxonomyError, match="at least two examples"):
        train_taxonomy(["a", "b", "c"], ["x", "x", "y"], vectors)
    with pytest.raises(TaxonomyError, match="non-empty label"):
        train_taxonomy(["a", "b", "c"], ["x", "", "y"], vectors)


def test_a_file_that_is_not_a_model_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(TaxonomyError):
        TaxonomyModel.load(tmp_path / "junk.npz")

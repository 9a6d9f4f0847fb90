"""The default kind model: packaged, small, sensible on clear examples; sentiment stays within [-1, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.kind import DEFAULT_MODEL, KINDS, KindModel, default_model, is_question
from tests.feedback.analysis_support import shared_embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def test_default_model_ships_inside_the_package_and_is_small() -> None:
    assert DEFAULT_MODEL.exists() and DEFAULT_MODEL.stat().st_size < 100_000
    assert "Mini-BAR" in default_model().trained_on


def test_clear_examples_get_the_expected_kind(embedder: Embedder) -> None:
    examples = {
        "The app crashes every time I try to sync my watch": "bug",
        "It would be great if you could add a sleep score widget": "feature_request",
        "How do I change the units from miles to kilometres?": "question",
        "Absolutely love this app, it is perfect and beautiful": "praise",
    }
    texts = list(examples)
    predictions = default_model().predict(texts, embedder.embed(texts))
    assert [p.kind for p in predictions] == list(examples.values())
    assert all(p.kind in KINDS and 0.0 <= p.confidence <= 1.0 for p in predictions)


def test_sentiment_is_ordered_and_bounded(embedder: Embedder) -> None:
    texts = ["This is the worst app ever, useless garbage", "It is okay", "Fantastic app, I love it"]
    sentiment = default_model().sentiment(embedder.embed(texts))
    assert sentiment[0] < sentiment[1] < sentiment[2]
    assert np.all(np.abs(sentiment) <= 1.0)


def test_question_form_is_recognised() -> None:
    assert is_question("Can I export my data")
    assert is_question("export to csv?")
    assert not is_question("Export to CSV is broken")


def test_model_survives_a_save_and_load(tmp_path: Path) -> None:
    model = default_model()
    model.save(tmp_path / "kind.npz")
    loaded = KindModel.load(tmp_path / "kind.npz")
    vectors = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    assert np.allclose(loaded.sentiment(vectors), model.sentiment(vectors), atol=1e-3)


def test_sentiment_of_the_default_model_is_a_probability_scaled_to_minus_one_one() -> None:
    """The packaged model's sentiment is 2·P(positive) − 1 of a classifier, so it stays inside (−1, 1)."""
    model = default_model()
    assert model.sentiment_link == "logistic"
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, len(model.sentiment_weights)))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)  # unit, as MiniLM
    values = model.sentiment(vectors)
    assert np.all(np.abs(values) < 1)
    logit = vectors @ model.sentiment_weights + model.sentiment_bias
    assert np.allclose(values, 2 / (1 + np.exp(-logit)) - 1, atol=1e-5)

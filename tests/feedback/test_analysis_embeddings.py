"""The embedding runtimes: NumPy and ONNX Runtime agree with each other; the cache embeds each text once."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from northstar.feedback.analysis.embeddings import (
    EMBEDDING_DIMENSION,
    Embedder,
    EmbeddingCache,
    MiniLMEncoder,
    read_safetensors,
    text_hash,
)
from tests.feedback.analysis_support import shared_embedder

SENTENCES = [
    "The app crashes when I open the settings page",
    "Settings screen makes the application crash",
    "I love the new dark mode",
    "Please add an export to CSV",
    "Où est ma carte bancaire ?",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def test_numpy_and_onnx_runtimes_give_the_same_vectors(embedder: Embedder) -> None:
    onnx_vectors = embedder.encoder.encode(SENTENCES)
    numpy_vectors = MiniLMEncoder().encode(SENTENCES)
    assert np.min(np.sum(onnx_vectors * numpy_vectors, axis=1)) > 0.9999


def test_vectors_are_unit_length_and_paraphrases_are_closest(embedder: Embedder) -> None:
    vectors = embedder.embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), EMBEDDING_DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -1)
    assert int(np.argmax(similarities[0])) == 1


def test_long_texts_are_truncated_not_rejected(embedder: Embedder) -> None:
    vectors = embedder.embed(["word " * 50_000])
    assert np.isfinite(vectors).all()


class CountingEncoder:
    runtime = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.ones((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)


def test_cache_embeds_each_distinct_text_once() -> None:
    encoder = CountingEncoder()
    counting = Embedder(encoder=encoder)
    counting.embed(["a", "b", "a"])
    counting.embed(["b", "c"])
    assert encoder.seen == ["a", "b", "c"]


def test_texts_differing_only_in_case_and_spacing_are_embedded_once(embedder: Embedder) -> None:
    encoder = CountingEncoder()
    counting = Embedder(encoder=encoder)
    counting.embed(["Export is BROKEN", "export  is broken"])
    assert len(encoder.seen) == 1
    upper, lower = embedder.encoder.encode(["Export is BROKEN", "export is broken"])
    assert float(upper @ lower) > 0.99999


def test_cache_survives_a_save_and_load(tmp_path: Path) -> None:
    cache = EmbeddingCache()
    cache.put_many([text_hash("x")], np.full((1, EMBEDDING_DIMENSION), 0.5, dtype=np.float32))
    cache.save(tmp_path / "cache.npz")
    loaded = EmbeddingCache.load(tmp_path / "cache.npz")
    assert np.allclose(loaded.vectors[text_hash("x")], 0.5)


def test_read_safetensors_reads_a_hand_written_file(tmp_path: Path) -> None:
    data = np.arange(6, dtype=np.float32)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}).encode()
    (tmp_path / "t.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + data.tobytes())
    tensors = read_safetensors(tmp_path / "t.safetensors")
    assert tensors["w"].tolist() == [[0, 1, 2], [3, 4, 5]]

"""The embedding runtimes: NumPy and ONNX Runtime fp32 agree, int8 stays close to them; batching is exact; the
cache embeds each text once."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from northstar.feedback.engine import embeddings as embeddings_module
from northstar.feedback.engine.embeddings import (
    EMBEDDING_DIMENSION,
    FP32_UP_TO,
    Embedder,
    EmbeddingCache,
    MiniLMEncoder,
    TokenBatches,
    configured_runtime,
    read_safetensors,
    runtime_for,
    text_hash,
)
from northstar.feedback.engine.onnx_runtime import OnnxMiniLMEncoder, cache_folder
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


@pytest.fixture(scope="module")
def fp32() -> OnnxMiniLMEncoder:
    return OnnxMiniLMEncoder(quantized=False)


def test_numpy_and_onnx_fp32_runtimes_give_the_same_vectors(fp32: OnnxMiniLMEncoder) -> None:
    onnx_vectors = fp32.encode(SENTENCES)
    numpy_vectors = MiniLMEncoder().encode(SENTENCES)
    assert np.min(np.sum(onnx_vectors * numpy_vectors, axis=1)) > 0.9999


def test_int8_runtime_stays_close_to_fp32(fp32: OnnxMiniLMEncoder) -> None:
    int8 = OnnxMiniLMEncoder(quantized=True)
    assert int8.runtime == "onnxruntime-int8"
    cosines = np.sum(int8.encode(SENTENCES) * fp32.encode(SENTENCES), axis=1)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.97


def test_small_runs_embed_in_fp32_and_large_ones_in_int8(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NORTHSTAR_EMBEDDING_RUNTIME", raising=False)
    assert runtime_for(FP32_UP_TO) == "onnxruntime-fp32"
    assert runtime_for(FP32_UP_TO + 1) == "onnxruntime-int8"
    monkeypatch.setattr(embeddings_module, "FP32_UP_TO", 3)
    embedder = Embedder()
    embedder.embed(SENTENCES[:2])
    assert embedder.runtimes_used == {"onnxruntime-fp32"} and embedder.runtime == "onnxruntime-fp32"
    embedder.embed([f"{s} again" for s in SENTENCES])  # five new texts: above the (patched) limit
    assert embedder.runtimes_used == {"onnxruntime-fp32", "onnxruntime-int8"}
    assert embedder.runtime == "onnxruntime-int8"  # the lower near-duplicate threshold applies
    monkeypatch.setenv("NORTHSTAR_EMBEDDING_RUNTIME", "fp32")
    assert runtime_for(10**6) == "onnxruntime-fp32"


def test_batches_run_side_by_side_give_the_same_vectors_as_one_by_one(fp32: OnnxMiniLMEncoder) -> None:
    texts = [f"{sentence} {'again ' * k}" for k, sentence in enumerate(SENTENCES * 8)]
    sequential = OnnxMiniLMEncoder(quantized=False, threads=1, batch_tokens=64)
    parallel = OnnxMiniLMEncoder(quantized=False, threads=2, batch_tokens=64)
    assert parallel.parallel_batches and not sequential.parallel_batches
    assert np.allclose(sequential.encode(texts), parallel.encode(texts), atol=1e-5)


def test_token_batches_cover_every_text_once_within_the_budget() -> None:
    rng = np.random.default_rng(0)
    ids = [[1] * int(n) for n in rng.integers(1, 120, size=500)] + [[1] * 300]
    batches = TokenBatches(ids, budget=512, max_rows=64)
    seen = np.concatenate(list(batches))
    assert sorted(seen.tolist()) == list(range(len(ids)))
    for rows in batches:
        longest = max(len(ids[i]) for i in rows)
        assert len(rows) <= 64 and (len(rows) == 1 or len(rows) * longest <= 512)
    assert batches.padded_tokens < 1.1 * batches.real_tokens  # sorted by length: little padding


def test_runtime_and_model_cache_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NORTHSTAR_EMBEDDING_RUNTIME", "fp32")
    assert configured_runtime() == "onnxruntime-fp32"
    monkeypatch.setenv("NORTHSTAR_EMBEDDING_RUNTIME", "int8")
    assert configured_runtime() == "onnxruntime-int8"
    monkeypatch.setenv("NORTHSTAR_EMBEDDING_RUNTIME", "numpy")
    assert configured_runtime() == "numpy"
    monkeypatch.delenv("NORTHSTAR_EMBEDDING_RUNTIME")
    assert configured_runtime() == "auto"
    monkeypatch.delenv("NORTHSTAR_MODEL_CACHE", raising=False)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / "models"
    monkeypatch.setenv("NORTHSTAR_MODEL_CACHE", str(tmp_path / "cache"))
    assert cache_folder() == tmp_path / "cache" and cache_folder().is_dir()


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
    assert encoder.seen == ["a", "b", "c"] and counting.encoded == 3


def test_texts_differing_only_in_case_and_spacing_are_embedded_once(fp32: OnnxMiniLMEncoder) -> None:
    encoder = CountingEncoder()
    counting = Embedder(encoder=encoder)
    counting.embed(["Export is BROKEN", "export  is broken"])
    assert len(encoder.seen) == 1
    upper, lower = fp32.encode(["Export is BROKEN", "export is broken"])
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

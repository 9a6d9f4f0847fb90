"""An ONNX Runtime version of all-MiniLM-L6-v2, built locally from the packaged safetensors weights.

No ONNX file ships in the model packages, so the BERT graph is written here with ``onnx.helper`` from the same
weights the NumPy encoder uses, then (optionally) its weight matrices are quantised to int8 with ONNX Runtime's
dynamic quantisation. The built file is cached under the user's cache folder keyed by the weights' size and the
builder version, so it is built once per machine (about 3 s) and never downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from northstar.feedback.analysis.embeddings import (
    _HEADS,
    _LAYER_NORM_EPS,
    EMBEDDING_DIMENSION,
    MAX_TOKENS,
    model_directory,
    read_safetensors,
)

BUILDER_VERSION = "3"


def cache_folder() -> Path:
    """Where built ONNX files live (``NORTHSTAR_MODEL_CACHE`` or ``~/.cache/northstar``)."""
    base = os.environ.get("NORTHSTAR_MODEL_CACHE") or str(Path.home() / ".cache" / "northstar")
    folder = Path(base)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_graph(weights: dict[str, np.ndarray]) -> Any:
    """The BERT encoder as an ONNX model: (input_ids, position_ids, attention_bias) → last hidden state."""
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale = constant(prefix + ".weight", weights[prefix + ".weight"])
        bias = constant(prefix + ".bias", weights[prefix + ".bias"])
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=_LAYER_NORM_EPS)

    def linear(x: str, weight: np.ndarray, bias: np.ndarray, out: str) -> str:
        w = constant(out + ".w", np.ascontiguousarray(weight.T))
        b = constant(out + ".b", bias)
        return node("Add", [node("MatMul", [x, w], out + ".mm"), b], out)

    words = node(
        "Gather", [constant("word", weights["embeddings.word_embeddings.weight"]), "input_ids"], "words"
    )
    positions = node(
        "Gather",
        [constant("pos", weights["embeddings.position_embeddings.weight"]), "position_ids"],
        "positions",
    )
    token_type = constant("type0", weights["embeddings.token_type_embeddings.weight"][0])
    summed = node("Add", [node("Add", [words, positions], "wp"), token_type], "emb_sum")
    hidden = layer_norm(summed, "embeddings.LayerNorm", "emb_out")
    head = EMBEDDING_DIMENSION // _HEADS
    split_shape = constant("split_shape", np.array([0, 0, 3, _HEADS, head], dtype=np.int64))
    merge_shape = constant("merge_shape", np.array([0, 0, EMBEDDING_DIMENSION], dtype=np.int64))
    scale = constant("scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))
    for i in range(6):
        p = f"encoder.layer.{i}."
        a = p + "attention."
        qkv_w = np.concatenate([weights[a + f"self.{n}.weight"] for n in ("query", "key", "value")])
        qkv_b = np.concatenate([weights[a + f"self.{n}.bias"] for n in ("query", "key", "value")])
        qkv = linear(hidden, qkv_w, qkv_b, f"l{i}.qkv")
        qkv5 = node("Reshape", [qkv, split_shape], f"l{i}.qkv5")
        heads = node("Transpose", [qkv5], f"l{i}.qkvT", perm=[2, 0, 3, 1, 4])
        parts = []
        for j, name in enumerate(("q", "k", "v")):
            index = constant(f"l{i}.idx{j}", np.array(j, dtype=np.int64))
            parts.append(node("Gather", [heads, index], f"l{i}.{name}", axis=0))
        key_t = node("Transpose", [parts[1]], f"l{i}.kT", perm=[0, 1, 3, 2])
        scores = node("Mul", [node("MatMul", [parts[0], key_t], f"l{i}.qk"), scale], f"l{i}.scaled")
        masked = node("Add", [scores, "attention_bias"], f"l{i}.masked")
        probs = node("Softmax", [masked], f"l{i}.probs", axis=-1)
        context = node("MatMul", [probs, parts[2]], f"l{i}.ctx")
        context_t = node("Transpose", [context], f"l{i}.ctxT", perm=[0, 2, 1, 3])
        merged = node("Reshape", [context_t, merge_shape], f"l{i}.merged")
        attended = linear(
            merged, weights[a + "output.dense.weight"], weights[a + "output.dense.bias"], f"l{i}.ao"
        )
        hidden2 = layer_norm(
            node("Add", [attended, hidden], f"l{i}.res1"), a + "output.LayerNorm", f"l{i}.ln1"
        )
        inner = linear(
            hidden2,
            weights[p + "intermediate.dense.weight"],
            weights[p + "intermediate.dense.bias"],
            f"l{i}.in",
        )
        activated = node("Gelu", [inner], f"l{i}.gelu")
        out = linear(
            activated, weights[p + "output.dense.weight"], weights[p + "output.dense.bias"], f"l{i}.out"
        )
        hidden = layer_norm(node("Add", [out, hidden2], f"l{i}.res2"), p + "output.LayerNorm", f"l{i}.ln2")
    nodes.append(helper.make_node("Identity", [hidden], ["hidden"], name="hidden"))
    graph = helper.make_graph(
        nodes,
        "minilm",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["length"]),
            helper.make_tensor_value_info("attention_bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]),
        ],
        [
            helper.make_tensor_value_info(
                "hidden", TensorProto.FLOAT, ["batch", "length", EMBEDDING_DIMENSION]
            )
        ],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=9)


def ensure_onnx_model(quantized: bool) -> Path:
    """Build (once) and return the path of the ONNX file; ``quantized`` gives int8 weight matrices."""
    folder = model_directory()
    size = (folder / "model.safetensors").stat().st_size
    suffix = "int8" if quantized else "fp32"
    target = cache_folder() / f"all-minilm-l6-v2-{size}-v{BUILDER_VERSION}-{suffix}.onnx"
    if target.exists():
        return target
    import onnx

    fp32 = cache_folder() / f"all-minilm-l6-v2-{size}-v{BUILDER_VERSION}-fp32.onnx"
    if not fp32.exists():
        model = build_graph(read_safetensors(folder / "model.safetensors"))
        temporary = fp32.with_suffix(".tmp")
        onnx.save(model, str(temporary))
        temporary.replace(fp32)
    if not quantized:
        return fp32
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weight_matmuls = [
        n.name for n in onnx.load(str(fp32)).graph.node if n.op_type == "MatMul" and n.name.endswith(".mm")
    ]
    temporary = target.with_suffix(".tmp.onnx")
    quantize_dynamic(
        str(fp32),
        str(temporary),
        weight_type=QuantType.QInt8,
        nodes_to_quantize=weight_matmuls,
        per_channel=True,
    )
    temporary.replace(target)
    return target


class OnnxMiniLMEncoder:
    """Same interface as ``MiniLMEncoder.encode`` but run by ONNX Runtime (fp32 or int8 weights)."""

    def __init__(self, quantized: bool = True, threads: int | None = None, batch_tokens: int = 4096) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(ensure_onnx_model(quantized)), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(model_directory() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self.batch_tokens = batch_tokens
        self.runtime = "onnxruntime-int8" if quantized else "onnxruntime-fp32"

    def encode(self, texts: list[str]) -> np.ndarray:
        output = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        if not texts:
            return output
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = np.argsort([len(x) for x in ids], kind="stable")
        start = 0
        while start < len(order):
            guess = len(ids[order[min(start + 64, len(order)) - 1]])
            size = max(4, min(512, self.batch_tokens // max(guess, 1)))
            chunk = order[start : start + size]
            output[chunk] = self._forward([ids[i] for i in chunk])
            start += size
        return output

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(x) for x in batch)
        token_ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        (hidden,) = self.session.run(
            None,
            {
                "input_ids": token_ids,
                "position_ids": np.arange(length, dtype=np.int64),
                "attention_bias": bias,
            },
        )
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

"""An ONNX Runtime version of all-MiniLM-L6-v2, built locally from the packaged safetensors weights.

No ONNX file ships in the model packages, so the BERT graph is written here with ``onnx.helper`` from the same
weights the NumPy encoder uses. It uses ONNX Runtime's fused transformer kernels (``Attention``,
``SkipLayerNormalization``, ``BiasGelu`` from the ``com.microsoft`` domain), which is about 15 % faster than the
same network spelled out in standard operators. The int8 variant is made from it with ONNX Runtime's dynamic
quantisation (weights int8 per output channel, activations uint8 per tensor, computed per batch); it is about 2.3
times faster than fp32 on a CPU with AVX-512 VNNI, at a mean cosine of 0.99 to the fp32 vectors (measurements in
docs/feedback-analysis.md and benchmarks/results/feedback_scale.md).

The built files are cached under ``NORTHSTAR_MODEL_CACHE``, else ``$NORTHSTAR_HOME/models`` (``~/.northstar/models``),
keyed by the weights' size and the builder version: built once per machine (a few seconds), never downloaded.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from northstar.feedback.engine.minilm import (
    _HEADS,
    _LAYER_NORM_EPS,
    EMBEDDING_DIMENSION,
    MAX_TOKENS,
    TokenBatches,
    model_directory,
    pool_and_normalise,
    read_safetensors,
)

BUILDER_VERSION = "4"
_BUILD_LOCK = threading.Lock()


def cache_folder() -> Path:
    """Where built ONNX files live: ``NORTHSTAR_MODEL_CACHE``, else ``$NORTHSTAR_HOME/models``."""
    configured = os.environ.get("NORTHSTAR_MODEL_CACHE")
    if configured:
        folder = Path(configured).expanduser()
    else:
        folder = Path(os.environ.get("NORTHSTAR_HOME") or "~/.northstar").expanduser() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_graph(weights: dict[str, np.ndarray]) -> Any:
    """The BERT encoder as an ONNX model: (input_ids, position_ids, lengths) → last hidden state.

    ``lengths`` (int32, one per row) is each row's number of real tokens; rows are right-padded, which is what the
    fused ``Attention`` kernel's one-dimensional mask index means.
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str | None = None, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes))
        return output

    def skip_norm(x: str, residual: str, norm: str, bias: np.ndarray, out: str) -> str:
        """LayerNorm(x + bias + residual) in one kernel."""
        inputs = [
            x,
            residual,
            constant(out + ".gamma", weights[norm + ".weight"]),
            constant(out + ".beta", weights[norm + ".bias"]),
            constant(out + ".bias", bias),
        ]
        return node("SkipLayerNormalization", inputs, out, "com.microsoft", epsilon=_LAYER_NORM_EPS)

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
    hidden = node(
        "LayerNormalization",
        [
            summed,
            constant("emb.gamma", weights["embeddings.LayerNorm.weight"]),
            constant("emb.beta", weights["embeddings.LayerNorm.bias"]),
        ],
        "emb_out",
        axis=-1,
        epsilon=_LAYER_NORM_EPS,
    )
    for i in range(6):
        p = f"encoder.layer.{i}."
        a = p + "attention."
        qkv_weight = np.concatenate([weights[a + f"self.{n}.weight"] for n in ("query", "key", "value")]).T
        qkv_bias = np.concatenate([weights[a + f"self.{n}.bias"] for n in ("query", "key", "value")])
        context = node(
            "Attention",
            [hidden, constant(f"l{i}.qkv.w", qkv_weight), constant(f"l{i}.qkv.b", qkv_bias), "lengths"],
            f"l{i}.attention",
            "com.microsoft",
            num_heads=_HEADS,
        )
        projected = node(
            "MatMul", [context, constant(f"l{i}.ao.w", weights[a + "output.dense.weight"].T)], f"l{i}.ao.mm"
        )
        hidden2 = skip_norm(
            projected, hidden, a + "output.LayerNorm", weights[a + "output.dense.bias"], f"l{i}.ln1"
        )
        inner = node(
            "MatMul",
            [hidden2, constant(f"l{i}.in.w", weights[p + "intermediate.dense.weight"].T)],
            f"l{i}.in.mm",
        )
        activated = node(
            "BiasGelu",
            [inner, constant(f"l{i}.in.b", weights[p + "intermediate.dense.bias"])],
            f"l{i}.gelu",
            "com.microsoft",
        )
        out = node(
            "MatMul",
            [activated, constant(f"l{i}.out.w", weights[p + "output.dense.weight"].T)],
            f"l{i}.out.mm",
        )
        hidden = skip_norm(
            out, hidden2, p + "output.LayerNorm", weights[p + "output.dense.bias"], f"l{i}.ln2"
        )
    nodes.append(helper.make_node("Identity", [hidden], ["hidden"], name="hidden"))
    graph = helper.make_graph(
        nodes,
        "minilm",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["length"]),
            helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"]),
        ],
        [
            helper.make_tensor_value_info(
                "hidden", TensorProto.FLOAT, ["batch", "length", EMBEDDING_DIMENSION]
            )
        ],
        initializers,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
        ir_version=8,
    )


def _replace_atomically(write: Any, target: Path) -> None:
    """Write to a private temporary file, then rename: concurrent builders never see half a file."""
    temporary = target.with_name(f"{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp.onnx")
    try:
        write(temporary)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def ensure_onnx_model(quantized: bool) -> Path:
    """Build (once) and return the path of the ONNX file; ``quantized`` gives int8 weight matrices."""
    folder = model_directory()
    size = (folder / "model.safetensors").stat().st_size
    stem = f"all-minilm-l6-v2-{size}-v{BUILDER_VERSION}"
    fp32 = cache_folder() / f"{stem}-fp32.onnx"
    target = cache_folder() / f"{stem}-int8.onnx" if quantized else fp32
    with _BUILD_LOCK:
        if target.exists():
            return target
        import onnx

        if not fp32.exists():
            model = build_graph(read_safetensors(folder / "model.safetensors"))
            _replace_atomically(lambda path: onnx.save(model, str(path)), fp32)
        if quantized and not target.exists():
            _replace_atomically(lambda path: quantize(fp32, path), target)
    return target


def quantize(fp32: Path, target: Path) -> None:
    """Dynamic int8 quantisation of every weight matrix (the four per layer, including the fused QKV one)."""
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantiser_logger = logging.getLogger()
    level = quantiser_logger.level
    # the quantiser warns about optional pre-processing on every call
    quantiser_logger.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(fp32),
            str(target),
            op_types_to_quantize=["MatMul", "Attention"],
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        quantiser_logger.setLevel(level)


def default_threads() -> int:
    """CPU threads for embedding: ``NORTHSTAR_EMBEDDING_THREADS``, else the number of cores (at most 8)."""
    configured = os.environ.get("NORTHSTAR_EMBEDDING_THREADS")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 8))


class OnnxMiniLMEncoder:
    """Same interface as ``MiniLMEncoder.encode`` but run by ONNX Runtime (fp32 or int8 weights).

    Batches run side by side, one ONNX Runtime thread each (``threads`` of them), instead of one batch at a time
    on ``threads`` intra-op threads: with batches of short texts many kernels are too small to split well, and the
    threads never wait for each other, which matters most on a machine shared with other work. Intra-op spinning
    is off for the same reason.
    """

    def __init__(
        self,
        quantized: bool = True,
        threads: int | None = None,
        batch_tokens: int = 1024,
        max_tokens: int = MAX_TOKENS,
        parallel_batches: bool = True,
        spinning: bool = False,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.threads = threads or default_threads()
        self.parallel_batches = parallel_batches and self.threads > 1
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1 if self.parallel_batches else self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        self.session = onnxruntime.InferenceSession(
            str(ensure_onnx_model(quantized)), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(model_directory() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.batch_tokens = batch_tokens
        self.runtime = "onnxruntime-int8" if quantized else "onnxruntime-fp32"

    def encode(self, texts: list[str]) -> np.ndarray:
        output = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        if not texts:
            return output
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        batches = TokenBatches(ids, self.batch_tokens)

        def run(rows: np.ndarray) -> None:
            output[rows] = self._forward([ids[i] for i in rows])

        if self.parallel_batches and len(batches) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                for _ in pool.map(run, batches):
                    pass
        else:
            for rows in batches:
                run(rows)
        return output

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        lengths = np.array([len(x) for x in batch], dtype=np.int32)
        length = int(lengths.max())
        token_ids = np.zeros((len(batch), length), dtype=np.int64)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
        (hidden,) = self.session.run(
            None,
            {
                "input_ids": token_ids,
                "position_ids": np.arange(length, dtype=np.int64),
                "lengths": lengths,
            },
        )
        return pool_and_normalise(hidden, lengths)

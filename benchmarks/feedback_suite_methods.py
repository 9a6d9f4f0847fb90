"""What the feedback suite runs: the product through its stateless CLI commands, the simple baselines, the metrics.

The product is always reached through ``northstar.cli:app`` (typer's ``CliRunner``, in-process), so the suite scores
exactly what a user's ``northstar feedback themes|train|classify`` prints, and the embedding cache of the process is
shared between the commands and the MiniLM baselines.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from northstar.feedback.engine.batch import process_embedder

TFIDF = "TF-IDF + LR"
MINILM = "MiniLM + LR"
KMEANS = "MiniLM + k-means (true k)"
HDBSCAN = "MiniLM + HDBSCAN"


# --- measuring ---------------------------------------------------------------------------------------------------


def _reset_peak_rss() -> bool:
    """Linux lets a process reset its peak resident size (``VmHWM``) by writing 5 to ``clear_refs``."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def measured(into: dict[str, Any]) -> Iterator[None]:
    """Record wall time, CPU time and peak RSS of the block in ``into`` (peak of the block where Linux allows resetting it,
    else the process's peak so far)."""
    per_block = _reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        into["seconds"] = round(time.perf_counter() - started, 2)
        into["cpu_seconds"] = round(time.process_time() - cpu, 2)  # not inflated by other load
        into["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        into["peak_rss_scope"] = "task" if per_block else "process"


# --- the product, through its CLI ----------------------------------------------------------------------------------


class ProductError(RuntimeError):
    """A CLI command ended with a non-zero exit status."""


def run_cli(*args: str) -> str:
    """``northstar <args>`` in this process; returns its standard output."""
    from typer.testing import CliRunner

    from northstar.cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exit_code != 0:
        detail = result.output.strip() or repr(result.exception)
        raise ProductError(f"northstar {' '.join(args[:2])} exited {result.exit_code}: {detail[-500:]}")
    return result.stdout


def write_csv(path: Path, columns: dict[str, Sequence[Any]]) -> Path:
    names = list(columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(zip(*(columns[n] for n in names), strict=True))
    return path


def product_themes(texts: Sequence[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(
            Path(folder) / "items.csv", {"id": [str(i) for i in range(len(texts))], "text": texts}
        )
        return json.loads(
            run_cli(
                "feedback", "themes", "--input", str(path), "--text-column", "text",
                "--id-column", "id", "--format", "json",
            )
        )  # fmt: skip


def product_classify(texts: Sequence[str], model: Path | None = None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(
            Path(folder) / "items.csv", {"id": [str(i) for i in range(len(texts))], "text": texts}
        )
        args = ["feedback", "classify", "--input", str(path), "--text-column", "text", "--id-column", "id"]
        args += [*(["--model", str(model)] if model else []), "--format", "json"]
        return list(json.loads(run_cli(*args))["items"])


def product_train_and_classify(
    train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]
) -> list[str]:
    """``feedback train`` on the train part, then ``feedback classify --model`` on the test part."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "train.csv", {"text": train_texts, "label": train_labels})
        model = Path(folder) / "model.npz"
        run_cli(
            "feedback", "train", "--input", str(path), "--text-column", "text",
            "--label-column", "label", "--model-out", str(model),
        )  # fmt: skip
        return [str(item["kind"]) for item in product_classify(test_texts, model)]


def embed(texts: Sequence[str]) -> np.ndarray:
    """MiniLM vectors from the product's own process embedder (and its cache)."""
    return process_embedder().embed(list(texts))


def load_embedding_cache(path: Path) -> int:
    """Put the vectors of an ``EmbeddingCache`` file into the process embedder; returns how many were loaded."""
    embedder = process_embedder()
    loaded = type(embedder.cache).load(path)
    embedder.cache.vectors.update(loaded.vectors)
    return len(loaded.vectors)


def save_embedding_cache(path: Path) -> bool:
    """Write the process embedder's cache back, only when this run embedded texts that were not in it."""
    embedder = process_embedder()
    if not embedder.encoded:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.npz")  # readers of the file never see half of it
    embedder.cache.save(partial)
    os.replace(partial, path)
    return True


# --- baselines -----------------------------------------------------------------------------------------------------


def tfidf_classifier(train_texts: Sequence[str], train_labels: Sequence[Any], multi: bool = False) -> Any:
    """DEV_SUITE's recipe: word 1–2-gram TF-IDF (sublinear) + logistic regression, fitted on the train part."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    model = LogisticRegression(max_iter=2000)
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), OneVsRestClassifier(model) if multi else model
    )
    return pipeline.fit(list(train_texts), np.asarray(train_labels))


def minilm_classifier(train_vectors: np.ndarray, train_labels: Sequence[Any], multi: bool = False) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    model = LogisticRegression(max_iter=2000)
    return (OneVsRestClassifier(model) if multi else model).fit(train_vectors, np.asarray(train_labels))


def baseline_predictions(
    train_texts: Sequence[str], train_labels: Sequence[Any], test_texts: Sequence[str], multi: bool = False
) -> dict[str, np.ndarray]:
    """Test predictions of both classification baselines, each trained on the set's own train part."""
    return {
        TFIDF: tfidf_classifier(train_texts, train_labels, multi).predict(list(test_texts)),
        MINILM: minilm_classifier(embed(train_texts), train_labels, multi).predict(embed(test_texts)),
    }


def hdbscan_min_cluster_size(count: int) -> int:
    """The baseline's one setting, a rule of the input size: max(5, n // 500)."""
    return max(5, count // 500)


def cluster_baselines(vectors: np.ndarray, k: int) -> dict[str, list[Any]]:
    """k-means given the true k (random_state 0, 4 starts) and HDBSCAN with noise (-1) kept as its own label."""
    from sklearn.cluster import HDBSCAN as Hdbscan
    from sklearn.cluster import KMeans

    kmeans = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors)
    hdbscan = Hdbscan(min_cluster_size=hdbscan_min_cluster_size(len(vectors)), copy=True).fit_predict(vectors)
    return {KMEANS: kmeans.tolist(), HDBSCAN: hdbscan.tolist()}


def kmeans_labels(vectors: np.ndarray, k: int) -> list[int]:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors).tolist()


# --- metrics and sampling ------------------------------------------------------------------------------------------


def percent(value: float) -> float:
    return round(100 * float(value), 2)


def nmi(truth: Sequence[Any], predicted: Sequence[Any]) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return percent(normalized_mutual_info_score(truth, predicted))


def ari(truth: Sequence[Any], predicted: Sequence[Any]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return percent(adjusted_rand_score(truth, predicted))


def accuracy(truth: Sequence[Any], predicted: Sequence[Any]) -> float:
    return percent(np.mean([str(t) == str(p) for t, p in zip(truth, predicted, strict=True)]))


def macro_f1(truth: Sequence[Any], predicted: Sequence[Any]) -> float:
    from sklearn.metrics import f1_score

    return percent(
        f1_score([str(t) for t in truth], [str(p) for p in predicted], average="macro", zero_division=0)
    )


def binary_f1(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    from sklearn.metrics import f1_score

    return percent(f1_score(np.asarray(truth, bool), np.asarray(predicted, bool), zero_division=0))


def stratified_sample(labels: Sequence[Any], limit: int | None, seed: int = 0) -> list[int]:
    """Indices of about ``limit`` rows with each label in its share (every label at least once while the limit
    allows), in file order. ``None`` or a limit at or above the size keeps all rows."""
    if limit is None or limit >= len(labels):
        return list(range(len(labels)))
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(str(label), []).append(index)
    keyed: list[tuple[float, int]] = []
    for members in groups.values():
        order = rng.permutation(len(members))
        keyed += [((rank + rng.random()) / len(members), members[i]) for rank, i in enumerate(order)]
    return sorted(index for _, index in sorted(keyed)[:limit])


# --- results -------------------------------------------------------------------------------------------------------


@dataclass
class Metric:
    """One measured number of one set: the product's and each baseline's (``None`` where not measured)."""

    name: str
    northstar: float | None
    baselines: dict[str, float | None] = field(default_factory=dict)
    lower_is_better: bool = False

    def best(self) -> tuple[float | None, str | None]:
        measured = [(v, n) for n, v in self.baselines.items() if v is not None]
        if not measured:
            return None, None
        value, name = (min if self.lower_is_better else max)(measured, key=lambda pair: pair[0])
        return value, name


@dataclass
class SetResult:
    """Everything one task measured on one set. The first metric is the task's headline."""

    task: str
    set: str
    metrics: list[Metric]
    size: str = ""
    group: str = ""  # sets scored as one suite row (HINT3's three bots) share a group
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for metric in self.metrics:
            best, name = metric.best()
            rows.append(
                {
                    "task": self.task,
                    "set": self.set,
                    "metric": metric.name,
                    "northstar": metric.northstar,
                    "best_baseline": best,
                    "baseline_name": name,
                }
            )
        return rows


def missing(task: str, name: str, metric_names: Sequence[str], error: BaseException) -> SetResult:
    """A set whose data folder is absent (or whose run failed): every number is ``None`` and prints as —."""
    return SetResult(
        task, name, [Metric(m, None) for m in metric_names], error=f"{type(error).__name__}: {error}"[:300]
    )


def majority(values: Sequence[Any]) -> Any:
    return Counter(values).most_common(1)[0][0]


LoadSet = Callable[[], Any]

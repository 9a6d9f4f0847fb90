"""Themes benchmark: Banking77 test (3,080 texts, 77 intents), number of themes chosen automatically.

Northstar's theme discovery vs BERTopic (same all-MiniLM-L6-v2 embeddings, BERTopic defaults: UMAP + HDBSCAN) and
vs k-means given the true k = 77, in one run. Prints NMI, ARI and wall time (clustering only; the embeddings are
computed once and shared, their time is printed separately). BERTopic needs the ``bench`` extra.

Run: ``.venv/bin/python benchmarks/themes.py``
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from _feedback_common import banking77, embed, machine_note, markdown_table, write_results
from northstar.feedback.engine.themes import discover_themes


def score(truth: list[str], labels: list[Any]) -> tuple[float, float]:
    return 100 * normalized_mutual_info_score(truth, labels), 100 * adjusted_rand_score(truth, labels)


def run_northstar(texts: list[str], vectors: np.ndarray) -> tuple[list[Any], int, float]:
    started = time.perf_counter()
    result = discover_themes(texts, vectors)
    elapsed = time.perf_counter() - started
    return (
        [a if a is not None else "outlier" for a in result.assignments],
        len(result.theme_set.themes),
        elapsed,
    )


def run_bertopic(texts: list[str], vectors: np.ndarray) -> tuple[list[Any], int, float] | str:
    try:
        from bertopic import BERTopic
        from sentence_transformers import SentenceTransformer

        from northstar.feedback.engine.embeddings import model_directory
    except ImportError as error:
        return f"not installed ({error.name}); pip install -e '.[bench]'"
    model = SentenceTransformer(str(model_directory()), device="cpu")
    started = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model).fit_transform(texts, vectors)
    elapsed = time.perf_counter() - started
    return list(topics), len(set(topics) - {-1}), elapsed


def run_kmeans(vectors: np.ndarray, k: int) -> tuple[list[Any], int, float]:
    from sklearn.cluster import KMeans

    started = time.perf_counter()
    labels = KMeans(k, n_init=10, random_state=0).fit_predict(vectors)
    return list(labels), k, time.perf_counter() - started


def main() -> None:
    texts, truth = banking77("test")
    intents = len(set(truth))  # 77 on the published test set; fewer on a smaller file
    started = time.perf_counter()
    vectors = embed(texts)
    embedding_seconds = time.perf_counter() - started
    rows: list[list[Any]] = []
    data: dict[str, Any] = {"items": len(texts), "embedding_seconds": embedding_seconds, "methods": {}}
    runs: list[tuple[str, Any]] = [
        ("Northstar (auto k)", run_northstar(texts, vectors)),
        ("BERTopic 0.17 defaults (auto k)", run_bertopic(texts, vectors)),
        (f"k-means, true k = {intents} (reference)", run_kmeans(vectors, intents)),
    ]
    for name, outcome in runs:
        if isinstance(outcome, str):
            rows.append([name, "—", "—", "—", outcome])
            continue
        labels, count, seconds = outcome
        nmi, ari = score(truth, labels)
        outliers = sum(1 for label in labels if label in (-1, "outlier"))
        rows.append([name, count, f"{nmi:.2f}", f"{ari:.2f}", f"{seconds:.1f} s, {outliers} outliers"])
        data["methods"][name] = {
            "themes": count,
            "nmi": nmi,
            "ari": ari,
            "seconds": seconds,
            "outliers": outliers,
        }
    published = [
        ["KM (unsupervised), published", 77, "54.57", "12.18", "DeepAligned README"],
        ["DeepAligned (semi-supervised), published", 77, "79.56", "53.64", "DeepAligned README"],
    ]
    body = (
        f"Banking77 test, {len(texts)} texts, {intents} intents. Embeddings: all-MiniLM-L6-v2, "
        f"{embedding_seconds:.1f} s for {len(texts)} texts ({len(texts) / embedding_seconds:.0f}/s). "
        f"Machine: {machine_note()}.\n\n"
        + markdown_table(["method", "themes", "NMI", "ARI", "wall time"], rows + published)
        + "\n\nBERTopic's outliers (topic −1) count as one cluster, as BERTopic reports them. Targets: NMI ≥ 82, ARI ≥ 55."
    )
    write_results("themes", "Themes on Banking77 (automatic number of themes)", body, data)


if __name__ == "__main__":
    main()

"""Train-your-own taxonomy: Banking77 train (10,003 texts, 77 labels) → accuracy on Banking77 test (3,080).

Northstar's classifier (all-MiniLM-L6-v2 embedding + word and character TF-IDF → logistic regression) against two
baselines trained in the same run: TF-IDF + linear SVM, and logistic regression on the embedding alone. Training
time is printed both for the fit alone and for embedding the training texts + fit. Published intent detectors
reach 93–94 % (Casanueva et al. 2020).

Run: ``.venv/bin/python benchmarks/taxonomy.py``
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from _feedback_common import banking77, embed, machine_note, markdown_table, write_results
from northstar.feedback.engine.taxonomy import train_taxonomy


def accuracy(predicted: list[str], truth: list[str]) -> float:
    return 100 * float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))


def main() -> None:
    train_texts, train_labels = banking77("train")
    test_texts, test_labels = banking77("test")
    started = time.perf_counter()
    train_vectors = embed(train_texts)
    embed_train = time.perf_counter() - started
    test_vectors = embed(test_texts)
    rows: list[list[Any]] = []
    data: dict[str, Any] = {
        "train": len(train_texts),
        "test": len(test_texts),
        "embed_train_seconds": embed_train,
    }

    started = time.perf_counter()
    model = train_taxonomy(train_texts, train_labels, train_vectors)
    fit = time.perf_counter() - started
    predictions = model.predict(test_texts, test_vectors)
    northstar = accuracy([p.label for p in predictions], test_labels)
    confidence = float(np.mean([p.confidence for p in predictions]))
    rows.append(
        [
            "Northstar (embedding + TF-IDF, logistic)",
            f"{northstar:.2f}",
            f"{fit:.1f}",
            f"{embed_train + fit:.1f}",
        ]
    )
    data["northstar"] = {"accuracy": northstar, "fit_seconds": fit, "mean_confidence": confidence}

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    svm = LinearSVC(C=1.0).fit(vectorizer.fit_transform(train_texts), train_labels)
    fit_svm = time.perf_counter() - started
    svm_accuracy = accuracy(list(svm.predict(vectorizer.transform(test_texts))), test_labels)
    rows.append(["Baseline: TF-IDF 1–2-grams + linear SVM", f"{svm_accuracy:.2f}", f"{fit_svm:.1f}", "—"])
    data["tfidf_svm"] = {"accuracy": svm_accuracy, "fit_seconds": fit_svm}

    started = time.perf_counter()
    embedding_only = LogisticRegression(C=10.0, max_iter=300).fit(train_vectors, train_labels)
    fit_lr = time.perf_counter() - started
    lr_accuracy = accuracy(list(embedding_only.predict(test_vectors)), test_labels)
    rows.append(
        [
            "Baseline: logistic on the embedding alone",
            f"{lr_accuracy:.2f}",
            f"{fit_lr:.1f}",
            f"{embed_train + fit_lr:.1f}",
        ]
    )
    data["embedding_logistic"] = {"accuracy": lr_accuracy, "fit_seconds": fit_lr}
    rows.append(["Published: USE+ConveRT / BERT intent detectors", "93–94", "—", "—"])

    body = (
        f"Banking77: train {len(train_texts)} texts, test {len(test_texts)} texts, 77 labels. "
        f"Embedding the training texts took {embed_train:.1f} s. Machine: {machine_note()}.\n\n"
        + markdown_table(["classifier", "test accuracy %", "fit s", "embed + fit s"], rows)
        + f"\n\nMean confidence of Northstar's predictions on test: {confidence:.3f}. Target: ≥ 92 % in < 2 min."
    )
    write_results("taxonomy", "Train your own taxonomy on Banking77", body, data)


if __name__ == "__main__":
    main()

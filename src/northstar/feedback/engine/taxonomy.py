"""A workspace's own taxonomy: train a classifier on labelled feedback, predict labels with a confidence.

Features are the sentence embedding (meaning) next to TF-IDF of words and word pairs (the exact terms a team's
categories often hinge on); a multinomial logistic regression gives calibrated-enough probabilities. The model is
saved as one ``.npz`` file of arrays and strings (no pickle), so loading a model cannot run code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

FORMAT = "northstar-taxonomy-1"
EMBEDDING_WEIGHT = 1.0
TERM_WEIGHT = 1.0


class TaxonomyError(ValueError):
    """Training data or a model file that cannot be used (the message says why)."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


@dataclass
class TaxonomyModel:
    labels: list[str]
    vocabulary: list[str]
    idf: np.ndarray
    coefficients: np.ndarray  # (classes, 384 + terms)
    intercepts: np.ndarray
    trained_on: int

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        return _features(texts, vectors, {t: i for i, t in enumerate(self.vocabulary)}, self.idf)

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[Prediction]:
        if not len(texts):
            return []
        scores = np.asarray(self.features(texts, vectors) @ self.coefficients.T) + self.intercepts
        if len(self.labels) == 2 and scores.shape[1] == 1:
            scores = np.hstack([-scores, scores])
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        return [Prediction(self.labels[b], float(probabilities[i, b])) for i, b in enumerate(best)]

    def save(self, path: Path) -> None:
        header = {"format": FORMAT, "labels": self.labels, "trained_on": self.trained_on}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header)),
                vocabulary=np.array(self.vocabulary, dtype=str),
                idf=self.idf.astype(np.float32),
                coefficients=self.coefficients.astype(np.float32),
                intercepts=self.intercepts.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path) -> TaxonomyModel:
        try:
            data = np.load(path, allow_pickle=False)
            header = json.loads(str(data["header"]))
        except (OSError, ValueError, KeyError) as error:
            raise TaxonomyError(f"{path} is not a Northstar taxonomy model ({error})") from error
        if header.get("format") != FORMAT:
            raise TaxonomyError(f"{path} has format {header.get('format')!r}, expected {FORMAT!r}")
        return cls(
            labels=list(header["labels"]),
            vocabulary=data["vocabulary"].tolist(),
            idf=data["idf"],
            coefficients=data["coefficients"],
            intercepts=data["intercepts"],
            trained_on=int(header["trained_on"]),
        )


def _term_counts(texts: Sequence[str]) -> list[dict[str, int]]:
    from northstar.feedback.engine.naming import terms

    counts = []
    for text in texts:
        bag: dict[str, int] = {}
        for term in terms(text):
            bag[term] = bag.get(term, 0) + 1
        counts.append(bag)
    return counts


def _features(
    texts: Sequence[str], vectors: np.ndarray, index: dict[str, int], idf: np.ndarray
) -> sparse.csr_matrix:
    rows, cols, values = [], [], []
    for row, bag in enumerate(_term_counts(texts)):
        entries = [(index[t], (1.0 + np.log(c)) * idf[index[t]]) for t, c in bag.items() if t in index]
        norm = np.sqrt(sum(v * v for _, v in entries)) or 1.0
        for col, value in entries:
            rows.append(row)
            cols.append(col)
            values.append(TERM_WEIGHT * value / norm)
    terms = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(idf)), dtype=np.float32)
    dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * EMBEDDING_WEIGHT)
    return sparse.hstack([dense, terms], format="csr")


def train_taxonomy(
    texts: Sequence[str],
    labels: Sequence[str],
    vectors: np.ndarray,
    regularisation: float = 10.0,
    min_term_count: int = 2,
) -> TaxonomyModel:
    """Fit the classifier. Needs at least two labels and two examples per label."""
    from sklearn.linear_model import LogisticRegression

    if len(texts) != len(labels) or len(texts) != len(vectors):
        raise TaxonomyError("texts, labels and vectors must have the same length")
    cleaned = [str(label).strip() for label in labels]
    if any(not label for label in cleaned):
        raise TaxonomyError("every training row needs a non-empty label")
    classes = sorted(set(cleaned))
    if len(classes) < 2:
        raise TaxonomyError("training needs at least two different labels")
    counts = {c: cleaned.count(c) for c in classes}
    rare = [c for c, n in counts.items() if n < 2]
    if rare:
        raise TaxonomyError(f"each label needs at least two examples; too few for: {', '.join(rare[:10])}")
    document_frequency: dict[str, int] = {}
    for bag in _term_counts(texts):
        for term in bag:
            document_frequency[term] = document_frequency.get(term, 0) + 1
    vocabulary = sorted(t for t, n in document_frequency.items() if n >= min_term_count)
    n = len(texts)
    idf = np.array(
        [np.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in vocabulary], dtype=np.float32
    )
    index = {t: i for i, t in enumerate(vocabulary)}
    features = _features(texts, vectors, index, idf)
    model = LogisticRegression(C=regularisation, max_iter=150, tol=1e-3)
    model.fit(features, cleaned)
    coefficients = np.asarray(model.coef_, dtype=np.float32)
    intercepts = np.asarray(model.intercept_, dtype=np.float32)
    return TaxonomyModel(
        labels=[str(c) for c in model.classes_],
        vocabulary=vocabulary,
        idf=idf,
        coefficients=coefficients,
        intercepts=intercepts,
        trained_on=n,
    )

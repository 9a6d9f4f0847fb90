"""A workspace's own taxonomy: train a classifier on labelled feedback, predict labels with a confidence.

Features are three blocks side by side: the sentence embedding (meaning, weighted ×2), TF-IDF of words and word
pairs (the exact terms a team's categories often hinge on) and TF-IDF of character 2–5-grams inside words
(misspellings, inflections, product names: "recharge" / "recharging" / "rechage"). A multinomial logistic
regression is fitted on them, its regularisation chosen by stratified cross-validation on the workspace's own
labels. On the development suite's six train sets this beat the embedding + words model it replaces on every set
and MiniLM + logistic regression on all but one (benchmarks/taxonomy_features.py; docs/feedback-analysis.md).

The model is saved as one ``.npz`` file of arrays and strings (no pickle), so loading a model cannot run code.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

FORMAT = "northstar-taxonomy-2"


class TaxonomyError(ValueError):
    """Training data or a model file that cannot be used (the message says why)."""


@dataclass(frozen=True)
class TaxonomySettings:
    """How a taxonomy model is trained. A block weight of 0 leaves that block out.

    ``regularisations`` are the inverse regularisation strengths tried; with more than one, the best by stratified
    ``folds``-fold cross-validated macro-F1 on at most ``validation_items`` labelled items is refitted on all of them.
    """

    embedding_weight: float = 2.0
    word_weight: float = 1.0
    character_weight: float = 1.0
    regularisations: tuple[float, ...] = (1.0, 10.0)
    folds: int = 3
    validation_items: int = 4000
    min_term_count: int = 2
    max_iterations: int = 300
    seed: int = 0


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


@dataclass
class TermBlock:
    """One TF-IDF block: how text is cut into terms, the terms kept and their inverse document frequencies."""

    analyzer: str  # "word" or "char_wb"
    ngrams: tuple[int, int]
    vocabulary: list[str]
    idf: np.ndarray
    weight: float

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        vectorizer = _vectorizer(self.analyzer, self.ngrams, 1, vocabulary=self.vocabulary)
        vectorizer.idf_ = np.asarray(self.idf, dtype=np.float64)
        return sparse.csr_matrix(vectorizer.transform(list(texts)) * self.weight, dtype=np.float32)


@dataclass
class TaxonomyModel:
    labels: list[str]
    embedding_weight: float
    blocks: list[TermBlock]
    coefficients: np.ndarray  # (classes or 1, 384 + terms of every block)
    intercepts: np.ndarray
    trained_on: int
    regularisation: float
    #: cross-validation of the regularisation: {"folds", "items", "scores": {C: macro-F1}} or {} when not run
    validation: dict[str, Any] = field(default_factory=dict)

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        return _stack(texts, vectors, self.embedding_weight, self.blocks)

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
        header = {
            "format": FORMAT,
            "labels": self.labels,
            "trained_on": self.trained_on,
            "embedding_weight": self.embedding_weight,
            "regularisation": self.regularisation,
            "validation": self.validation,
            "blocks": [
                {"analyzer": b.analyzer, "ngrams": list(b.ngrams), "weight": b.weight} for b in self.blocks
            ],
        }
        arrays: dict[str, Any] = {
            "header": np.array(json.dumps(header)),
            "coefficients": self.coefficients.astype(np.float32),
            "intercepts": self.intercepts.astype(np.float32),
        }
        for number, block in enumerate(self.blocks):
            arrays[f"vocabulary_{number}"] = np.array(block.vocabulary, dtype=str)
            arrays[f"idf_{number}"] = block.idf.astype(np.float32)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> TaxonomyModel:
        try:
            data = np.load(path, allow_pickle=False)
            header = json.loads(str(data["header"]))
        except (OSError, ValueError, KeyError) as error:
            raise TaxonomyError(f"{path} is not a Northstar taxonomy model ({error})") from error
        if header.get("format") != FORMAT:
            raise TaxonomyError(
                f"{path} has format {header.get('format')!r}, expected {FORMAT!r}: it was trained by an earlier "
                "version of Northstar; train the model again (the labels are kept)"
            )
        blocks = [
            TermBlock(
                analyzer=str(spec["analyzer"]),
                ngrams=(int(spec["ngrams"][0]), int(spec["ngrams"][1])),
                vocabulary=data[f"vocabulary_{number}"].tolist(),
                idf=data[f"idf_{number}"],
                weight=float(spec["weight"]),
            )
            for number, spec in enumerate(header["blocks"])
        ]
        return cls(
            labels=list(header["labels"]),
            embedding_weight=float(header["embedding_weight"]),
            blocks=blocks,
            coefficients=data["coefficients"],
            intercepts=data["intercepts"],
            trained_on=int(header["trained_on"]),
            regularisation=float(header["regularisation"]),
            validation=dict(header.get("validation") or {}),
        )


def _vectorizer(
    analyzer: str, ngrams: tuple[int, int], min_count: int, vocabulary: list[str] | None = None
) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        sublinear_tf=True,
        min_df=min_count if vocabulary is None else 1,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


def _fit_blocks(texts: Sequence[str], settings: TaxonomySettings) -> list[TermBlock]:
    """The TF-IDF blocks fitted on the training texts (terms seen in at least ``min_term_count`` texts)."""
    specs = (("word", (1, 2), settings.word_weight), ("char_wb", (2, 5), settings.character_weight))
    blocks = []
    for analyzer, ngrams, weight in specs:
        if weight <= 0:
            continue
        vectorizer = _vectorizer(analyzer, ngrams, settings.min_term_count)
        try:
            vectorizer.fit(list(texts))
        except ValueError:  # no term seen often enough (a handful of one-word texts): fall back to every term
            vectorizer = _vectorizer(analyzer, ngrams, 1)
            vectorizer.fit(list(texts))
        order = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        blocks.append(TermBlock(analyzer, ngrams, order, np.asarray(vectorizer.idf_, np.float32), weight))
    return blocks


def _stack(
    texts: Sequence[str], vectors: np.ndarray, embedding_weight: float, blocks: Sequence[TermBlock]
) -> sparse.csr_matrix:
    parts = []
    if embedding_weight > 0:
        parts.append(sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * embedding_weight))
    parts.extend(block.transform(texts) for block in blocks)
    return sparse.hstack(parts, format="csr")


def _fit(
    texts: Sequence[str],
    labels: Sequence[str],
    vectors: np.ndarray,
    settings: TaxonomySettings,
    strength: float,
) -> tuple[list[TermBlock], Any]:
    from sklearn.linear_model import LogisticRegression

    blocks = _fit_blocks(texts, settings)
    features = _stack(texts, vectors, settings.embedding_weight, blocks)
    model = LogisticRegression(C=strength, max_iter=settings.max_iterations, tol=1e-3)
    model.fit(features, list(labels))
    return blocks, model


def _predict(
    model: Any, blocks: list[TermBlock], texts: Sequence[str], vectors: np.ndarray, weight: float
) -> Any:
    return model.predict(_stack(texts, vectors, weight, blocks))


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], vectors: np.ndarray, settings: TaxonomySettings
) -> dict[str, Any]:
    """Stratified cross-validated macro-F1 of each regularisation strength; {} when the labels are too few.

    Only labels with at least ``folds`` examples take part (a label must be in every fold's training part), on a
    stratified sample of at most ``validation_items`` of them, so validation costs a bounded time.
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, train_test_split

    counts = Counter(labels)
    usable = np.array([i for i, label in enumerate(labels) if counts[label] >= settings.folds])
    if len(settings.regularisations) < 2 or len({labels[i] for i in usable}) < 2:
        return {}
    if len(usable) > settings.validation_items:
        usable, _ = train_test_split(
            usable,
            train_size=settings.validation_items,
            stratify=[labels[i] for i in usable],
            random_state=settings.seed,
        )
        kept = Counter(labels[i] for i in usable)
        usable = np.array([i for i in usable if kept[labels[i]] >= settings.folds])
    folds = StratifiedKFold(n_splits=settings.folds, shuffle=True, random_state=settings.seed)
    texts_u = [texts[i] for i in usable]
    labels_u = [labels[i] for i in usable]
    vectors_u = vectors[usable]
    scores: dict[str, float] = {}
    for strength in settings.regularisations:
        truth: list[str] = []
        predicted: list[str] = []
        for train, test in folds.split(texts_u, labels_u):
            blocks, model = _fit(
                [texts_u[i] for i in train],
                [labels_u[i] for i in train],
                vectors_u[train],
                settings,
                strength,
            )
            predicted.extend(
                _predict(
                    model, blocks, [texts_u[i] for i in test], vectors_u[test], settings.embedding_weight
                )
            )
            truth.extend(labels_u[i] for i in test)
        scores[repr(float(strength))] = round(100 * float(f1_score(truth, predicted, average="macro")), 2)
    return {"folds": settings.folds, "items": len(usable), "scores": scores}


def train_taxonomy(
    texts: Sequence[str],
    labels: Sequence[str],
    vectors: np.ndarray,
    settings: TaxonomySettings | None = None,
) -> TaxonomyModel:
    """Fit the classifier. Needs at least two labels; a label with a single example is learned from it alone."""
    settings = settings or TaxonomySettings()
    if len(texts) != len(labels) or len(texts) != len(vectors):
        raise TaxonomyError("texts, labels and vectors must have the same length")
    cleaned = [str(label).strip() for label in labels]
    if any(not label for label in cleaned):
        raise TaxonomyError("every training row needs a non-empty label")
    if len(set(cleaned)) < 2:
        raise TaxonomyError("training needs at least two different labels")
    if not settings.regularisations:
        raise TaxonomyError("settings need at least one regularisation strength")
    validation = cross_validate(texts, cleaned, vectors, settings)
    if validation:
        scores = validation["scores"]
        strength = max(settings.regularisations, key=lambda c: (scores[repr(float(c))], -c))
    else:
        strength = max(
            settings.regularisations
        )  # few labels: little to overfit, the weaker penalty fits them
    blocks, model = _fit(texts, cleaned, vectors, settings, strength)
    return TaxonomyModel(
        labels=[str(c) for c in model.classes_],
        embedding_weight=settings.embedding_weight,
        blocks=blocks,
        coefficients=np.asarray(model.coef_, dtype=np.float32),
        intercepts=np.asarray(model.intercept_, dtype=np.float32),
        trained_on=len(texts),
        regularisation=float(strength),
        validation=validation,
    )


def cross_validated_predictions(
    texts: Sequence[str],
    labels: Sequence[str],
    vectors: np.ndarray,
    regularisation: float,
    settings: TaxonomySettings | None = None,
    folds: int = 5,
) -> list[str | None]:
    """Each item's label as predicted by a model that never saw it: stratified ``folds``-fold (fewer when the
    biggest label has fewer items), at the given regularisation. Items whose label has a single example cannot be
    held out and get None; so do all items when fewer than two labels have two or more examples.

    This is the quality a person sees for their own taxonomy: every labelled item scored once, rather than a 20 %
    hold-out that leaves small categories unscored.
    """
    from sklearn.model_selection import StratifiedKFold

    settings = settings or TaxonomySettings()
    cleaned = [str(label).strip() for label in labels]
    counts = Counter(cleaned)
    scored = np.array([i for i, label in enumerate(cleaned) if counts[label] >= 2], dtype=np.int64)
    result: list[str | None] = [None] * len(cleaned)
    if len({cleaned[i] for i in scored}) < 2:
        return result
    splits = max(2, min(folds, max(counts[cleaned[i]] for i in scored)))
    single = [i for i, label in enumerate(cleaned) if counts[label] < 2]  # always on the training side
    splitter = StratifiedKFold(n_splits=splits, shuffle=True, random_state=settings.seed)
    with (
        warnings.catch_warnings()
    ):  # a label with fewer items than folds is simply absent from some test folds
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        parts = list(splitter.split(scored, [cleaned[i] for i in scored]))
    for train_part, test_part in parts:
        train = np.concatenate([scored[train_part], np.array(single, dtype=np.int64)])
        test = scored[test_part]
        if len({cleaned[i] for i in train}) < 2:
            continue
        blocks, model = _fit(
            [texts[i] for i in train], [cleaned[i] for i in train], vectors[train], settings, regularisation
        )
        guesses = _predict(model, blocks, [texts[i] for i in test], vectors[test], settings.embedding_weight)
        for position, guess in zip(test, guesses, strict=True):
            result[int(position)] = str(guess)
    return result

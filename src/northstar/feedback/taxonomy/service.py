"""Train your own taxonomy: a workspace's categories, people's labels, a trained classifier and its predictions.

The classifier is ``engine.taxonomy`` (sentence embedding + word and character TF-IDF → logistic regression). Training runs as
a background job: the model is fitted on every label (its regularisation chosen by cross-validation inside
``train_taxonomy``), then every labelled item of a category with two or more labels is predicted by a model fitted on
the other folds (stratified, 5 folds, fixed seed, at the chosen regularisation): accuracy, per-category accuracy and
the confusion matrix come from those predictions. The model file
(``.npz``, no pickle) is stored as a blob in ``feedback_taxonomy_models``, so it lives with the workspace's data on
either database. Every item of the inbox then gets the model's category and confidence.

A label on an item that had a prediction is recorded as a ``correction`` (another category) or a ``confirmation``
(the same one); the next training uses it like any other label.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from northstar.core.jobs import Job
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.feedback.engine.embeddings import EMBEDDING_DIMENSION, Embedder, EmbeddingCache, text_hash
from northstar.feedback.engine.normalize import normalize
from northstar.feedback.engine.taxonomy import (
    TaxonomyError,
    TaxonomyModel,
    cross_validated_predictions,
    train_taxonomy,
)
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis
from northstar.feedback.models.curation import (
    TaxonomyCategory,
    TaxonomyLabel,
    TaxonomyModelVersion,
    TaxonomyPrediction,
)
from northstar.feedback.ownership import owned_ids

TRAIN_JOB = "feedback.taxonomy_train"
PREDICT_JOB = "feedback.taxonomy_predict"
#: every labelled item is scored once by a model trained on the other folds (fewer folds for small categories)
CROSS_VALIDATION_FOLDS = 5
#: predictions below this confidence are flagged on the page (the review list is always least sure first)
LOW_CONFIDENCE = 0.5
REVIEW_ALL = 1.01
#: how many classes the confusion table shows (the ones with the most cross-validated items)
TOP_CLASSES = 8
BATCH = 2000
ORIGINS = ("inbox", "taxonomy", "api", "cli", "correction", "confirmation", "merge")

#: embeddings of texts the analysis has not stored yet, shared by trainings in this process (capped)
_CACHE = EmbeddingCache()
CACHE_LIMIT = 50_000

Progress = Callable[[int, int | None, str], None]


def _embedder() -> Embedder:
    if len(_CACHE.vectors) > CACHE_LIMIT:
        _CACHE.vectors.clear()
    return Embedder(_CACHE)


@dataclass(frozen=True)
class CategoryStats:
    id: int
    name: str
    description: str
    labels: int
    predicted: int


@dataclass(frozen=True)
class TrainingSummary:
    model_id: int
    labels_used: int
    categories: int
    held_out: int
    accuracy: float | None
    skipped: dict[str, str]
    predicted: int
    seconds: float


@dataclass(frozen=True)
class ReviewItem:
    feedback: Feedback
    category_id: int
    category_name: str
    confidence: float


@dataclass(frozen=True)
class ModelReport:
    """The current model as the taxonomy page shows it."""

    id: int
    created_at: Any
    labels_used: int
    held_out: int
    accuracy: float | None
    categories: int
    skipped: dict[str, str]
    top_classes: list[str]
    confusion: list[list[int]]
    confused_pairs: list[tuple[str, str, int]]
    #: (category, items scored, items predicted right) from the cross-validation, most items first
    per_category: list[tuple[str, int, int]] = field(default_factory=list)
    regularisation: float | None = None


@dataclass(frozen=True)
class TaxonomyOverview:
    categories: list[CategoryStats]
    labelled: int
    predicted: int
    model: ModelReport | None
    review: list[ReviewItem]
    job: Job | None
    ready: bool
    reason: str
    label_origins: dict[str, int] = field(default_factory=dict)


# --- categories -------------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > 120:
        raise ValidationFailed("a category name needs 1 to 120 characters", [FieldError("name", "length")])
    return cleaned


def add_category(session: Session, actor: Actor, name: str, description: str = "") -> TaxonomyCategory:
    actor.require("feedback.write")
    cleaned = _clean_name(name)
    _refuse_duplicate_name(session, actor, cleaned)
    row = TaxonomyCategory(
        workspace_id=actor.workspace_id, name=cleaned, description=(description or "")[:2000]
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "feedback_category", row.id, cleaned)
    return row


def _refuse_duplicate_name(session: Session, actor: Actor, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(
        select(TaxonomyCategory.id).where(
            TaxonomyCategory.workspace_id == actor.workspace_id,
            func.lower(TaxonomyCategory.name) == name.lower(),
        )
    )
    if existing is not None and existing != except_id:
        raise Conflict(f"a category named {name!r} exists already", [FieldError("name", "taken")])


def update_category(
    session: Session, actor: Actor, category_id: int, name: str | None = None, description: str | None = None
) -> TaxonomyCategory:
    """Rename a category or change its description; labels, predictions and the model keep pointing at it."""
    actor.require("feedback.write")
    row = get_owned(session, TaxonomyCategory, category_id, actor.workspace_id, "category")
    changes: dict[str, Any] = {}
    if name is not None:
        cleaned = _clean_name(name)
        _refuse_duplicate_name(session, actor, cleaned, row.id)
        if cleaned != row.name:
            changes["name"] = [row.name, cleaned]
            row.name = cleaned
    if description is not None and description != row.description:
        changes["description"] = "changed"
        row.description = description[:2000]
    if changes:
        audit.record(session, actor, "update", "feedback_category", row.id, row.name, changes)
    return row


def delete_category(session: Session, actor: Actor, category_id: int) -> None:
    """Delete a category with its labels and predictions (the items themselves stay)."""
    actor.require("feedback.write")
    row = get_owned(session, TaxonomyCategory, category_id, actor.workspace_id, "category")
    session.execute(delete(TaxonomyPrediction).where(TaxonomyPrediction.category_id == row.id))
    session.execute(delete(TaxonomyLabel).where(TaxonomyLabel.category_id == row.id))
    audit.record(session, actor, "delete", "feedback_category", row.id, row.name)
    session.delete(row)
    session.flush()


def find_category(session: Session, actor: Actor, name_or_id: str | int) -> TaxonomyCategory:
    """A category by id or by name (case-insensitive), for the CLI and the API."""
    actor.require(READ)
    text = str(name_or_id).strip()
    row = None
    if text.isdigit():
        row = session.get(TaxonomyCategory, int(text))
        if row is not None and row.workspace_id != actor.workspace_id:
            row = None
    if row is None:
        row = session.scalar(
            select(TaxonomyCategory).where(
                TaxonomyCategory.workspace_id == actor.workspace_id,
                func.lower(TaxonomyCategory.name) == " ".join(text.split()).lower(),
            )
        )
    if row is None:
        raise NotFound(f"no category {text!r}; add it first (northstar feedback taxonomy category-add)")
    return row


def list_categories(session: Session, actor: Actor) -> list[CategoryStats]:
    """The workspace's categories with how many items people labelled and the model predicted for each."""
    actor.require(READ)
    ws = actor.workspace_id
    labels = dict(
        session.execute(
            select(TaxonomyLabel.category_id, func.count())
            .where(TaxonomyLabel.workspace_id == ws)
            .group_by(TaxonomyLabel.category_id)
        ).all()
    )
    predicted = dict(
        session.execute(
            select(TaxonomyPrediction.category_id, func.count())
            .where(TaxonomyPrediction.workspace_id == ws)
            .group_by(TaxonomyPrediction.category_id)
        ).all()
    )
    rows = session.scalars(
        select(TaxonomyCategory).where(TaxonomyCategory.workspace_id == ws).order_by(TaxonomyCategory.name)
    )
    return [
        CategoryStats(r.id, r.name, r.description, int(labels.get(r.id, 0)), int(predicted.get(r.id, 0)))
        for r in rows
    ]


# --- labels -----------------------------------------------------------------------------------------------------


def label_items(
    session: Session, actor: Actor, feedback_ids: Sequence[int], category_id: int, origin: str = "inbox"
) -> int:
    """Label items with a category (relabelling replaces the label). On an item the model had predicted, the label
    is recorded as a correction or a confirmation. Returns how many labels were added or changed."""
    actor.require("feedback.write")
    if origin not in ORIGINS:
        raise ValidationFailed(f"unknown origin {origin!r}", [FieldError("origin", "unknown")])
    category = get_owned(session, TaxonomyCategory, category_id, actor.workspace_id, "category")
    ids = owned_ids(session, actor, feedback_ids)
    existing = {
        row.feedback_id: row
        for row in session.scalars(select(TaxonomyLabel).where(TaxonomyLabel.feedback_id.in_(ids)))
    }
    predicted = dict(
        session.execute(
            select(TaxonomyPrediction.feedback_id, TaxonomyPrediction.category_id).where(
                TaxonomyPrediction.feedback_id.in_(ids)
            )
        ).all()
    )
    changed = corrections = 0
    for feedback_id in ids:
        how = origin
        if feedback_id in predicted:
            how = "confirmation" if predicted[feedback_id] == category.id else "correction"
            corrections += how == "correction"
        row = existing.get(feedback_id)
        if row is None:
            session.add(
                TaxonomyLabel(
                    feedback_id=feedback_id,
                    workspace_id=actor.workspace_id,
                    category_id=category.id,
                    origin=how,
                    labelled_by=actor.user_id or None,
                )
            )
            changed += 1
        elif row.category_id != category.id:
            row.category_id, row.origin, row.labelled_by = category.id, how, actor.user_id or None
            changed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "feedback.labelled",
        "feedback_category",
        category.id,
        f"{changed} item(s) labelled {category.name}"
        + (f" ({corrections} correction(s))" if corrections else ""),
        {"feedback_ids": ",".join(map(str, ids[:200]))},
    )
    return changed


def remove_labels(session: Session, actor: Actor, feedback_ids: Sequence[int]) -> int:
    actor.require("feedback.write")
    ids = owned_ids(session, actor, feedback_ids)
    result = session.execute(
        delete(TaxonomyLabel).where(
            TaxonomyLabel.workspace_id == actor.workspace_id, TaxonomyLabel.feedback_id.in_(ids)
        )
    )
    removed = int(getattr(result, "rowcount", 0) or 0)
    if not removed and len(ids) == 1:
        raise NotFound(f"feedback item {ids[0]} has no label")
    audit.record(
        session,
        actor,
        "feedback.unlabelled",
        "feedback",
        ids[0] if len(ids) == 1 else None,
        f"{removed} label(s) removed",
    )
    return removed


# --- features ---------------------------------------------------------------------------------------------------


def _prepared(
    session: Session, items: Sequence[tuple[int, str]], embedder: Embedder
) -> tuple[list[int], list[str], np.ndarray]:
    """(ids, normalised texts, vectors) of the non-empty items; the analysis' stored embedding is reused when the
    text did not change since, else the text is embedded now."""
    ids = [i for i, _ in items]
    stored = {
        feedback_id: (hash_, blob)
        for feedback_id, hash_, blob in session.execute(
            select(
                FeedbackAnalysis.feedback_id, FeedbackAnalysis.text_hash, FeedbackAnalysis.embedding
            ).where(FeedbackAnalysis.feedback_id.in_(ids), FeedbackAnalysis.embedding.is_not(None))
        ).all()
    }
    kept_ids: list[int] = []
    texts: list[str] = []
    vectors: list[np.ndarray | None] = []
    for feedback_id, raw in items:
        normalized = normalize(raw or "")
        if normalized.empty:
            continue
        kept_ids.append(feedback_id)
        texts.append(normalized.text)
        found = stored.get(feedback_id)
        vectors.append(
            np.frombuffer(found[1], dtype=np.float16).astype(np.float32)
            if found is not None and found[1] is not None and found[0] == text_hash(raw or "")
            else None
        )
    missing = [k for k, v in enumerate(vectors) if v is None]
    if missing:
        fresh = embedder.embed([texts[k] for k in missing])
        for position, k in enumerate(missing):
            vectors[k] = fresh[position]
    matrix = (
        np.stack([v for v in vectors if v is not None])
        if vectors
        else np.zeros((0, EMBEDDING_DIMENSION), np.float32)
    )
    return kept_ids, texts, matrix.astype(np.float32)


def _to_bytes(model: TaxonomyModel) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "taxonomy.npz"
        model.save(path)
        return path.read_bytes()


def _from_bytes(blob: bytes) -> TaxonomyModel:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "taxonomy.npz"
        path.write_bytes(blob)
        return TaxonomyModel.load(path)


# --- training and prediction ------------------------------------------------------------------------------------


def train_model(
    session: Session, actor: Actor, progress: Progress | None = None, job_id: int | None = None
) -> TrainingSummary:
    """Fit the workspace's classifier on its labels, score it by cross-validation, store it, predict every item."""
    actor.require("feedback.write")
    report = progress or (lambda done, total, message: None)
    started = time.perf_counter()
    ws = actor.workspace_id
    rows = session.execute(
        select(TaxonomyLabel.feedback_id, TaxonomyLabel.category_id, Feedback.text)
        .join(Feedback, Feedback.id == TaxonomyLabel.feedback_id)
        .where(TaxonomyLabel.workspace_id == ws, Feedback.merged_into_id.is_(None))
    ).all()
    counts = Counter(category for _, category, _ in rows)
    # Every category a person labelled is learned, one label or many: the cross-validation inside
    # train_taxonomy and the cross-validated predictions below only use the categories that have enough labels for them.
    skipped: dict[str, str] = {}
    usable = list(rows)
    if len(counts) < 2:
        raise ValidationFailed(
            f"training needs at least two categories with a labelled item each; have {len(counts)}",
            [FieldError("labels", "too few")],
        )
    report(0, len(usable), "embedding labelled items")
    embedder = _embedder()
    ids, texts, vectors = _prepared(session, [(f, t) for f, _, t in usable], embedder)
    label_of = {f: c for f, c, _ in usable}
    report(len(usable) // 3, len(usable), "training on every label")
    final = _fit(texts, [str(label_of[i]) for i in ids], vectors)
    report(2 * len(usable) // 3, len(usable), "cross-validating")
    guesses = cross_validated_predictions(
        texts, [str(label_of[i]) for i in ids], vectors, final.regularisation, folds=CROSS_VALIDATION_FOLDS
    )
    scored = [(label_of[i], int(g)) for i, g in zip(ids, guesses, strict=True) if g is not None]
    accuracy: float | None = None
    confusion: dict[str, Any] = {"categories": [], "matrix": []}
    per_category: dict[str, dict[str, int]] = {}
    if scored:
        truth = [t for t, _ in scored]
        accuracy = round(sum(t == p for t, p in scored) / len(scored), 4)
        order = [c for c, _ in Counter(truth).most_common()] + sorted(set(label_of.values()) - set(truth))
        index = {c: k for k, c in enumerate(order)}
        matrix = [[0] * len(order) for _ in order]
        for t, p in scored:
            matrix[index[t]][index[p]] += 1
            entry = per_category.setdefault(str(t), {"support": 0, "correct": 0})
            entry["support"] += 1
            entry["correct"] += int(t == p)
        confusion = {"categories": order, "matrix": matrix}
    report(len(usable), len(usable), "trained")
    found = _predict_all(session, actor, final, embedder, report)
    # writes only from here on (see _predict_all)
    version = TaxonomyModelVersion(
        workspace_id=ws,
        created_by=actor.user_id or None,
        job_id=job_id,
        labels_used=len(ids),
        held_out=len(scored),
        accuracy=accuracy,
        confusion=confusion,
        details={
            "skipped": skipped,
            "per_category": per_category,
            "categories": len(set(label_of.values())),
            "regularisation": final.regularisation,
            "validation": final.validation,
            "seconds": round(time.perf_counter() - started, 2),
        },
        model=_to_bytes(final),
    )
    session.add(version)
    session.flush()
    predicted = _store_predictions(session, actor, version, found)
    audit.record(
        session,
        actor,
        "feedback_taxonomy.trained",
        "feedback_taxonomy_model",
        version.id,
        f"trained on {len(ids)} labels, cross-validated accuracy "
        + (f"{accuracy:.0%}" if accuracy is not None else "n/a (too few labels to hold some out)"),
    )
    return TrainingSummary(
        model_id=version.id,
        labels_used=len(ids),
        categories=len(set(label_of.values())),
        held_out=len(scored),
        accuracy=accuracy,
        skipped=skipped,
        predicted=predicted,
        seconds=round(time.perf_counter() - started, 2),
    )


def require_trainable(session: Session, actor: Actor) -> None:
    """Refuse to start a training that cannot succeed, with the reason (before a job is queued)."""
    actor.require("feedback.write")
    ready = [c for c in list_categories(session, actor) if c.labels >= 1]
    if len(ready) < 2:
        raise ValidationFailed(
            "training needs at least two categories with a labelled item each; "
            f"{len(ready)} categor{'y has' if len(ready) == 1 else 'ies have'} labels",
            [FieldError("labels", "too few")],
        )


def _fit(texts: list[str], labels: list[str], vectors: np.ndarray) -> TaxonomyModel:
    try:
        return train_taxonomy(texts, labels, vectors)
    except TaxonomyError as error:
        raise ValidationFailed(str(error)) from error


def current_model(session: Session, actor: Actor) -> TaxonomyModelVersion | None:
    actor.require(READ)
    return session.scalar(
        select(TaxonomyModelVersion)
        .where(TaxonomyModelVersion.workspace_id == actor.workspace_id)
        .order_by(TaxonomyModelVersion.id.desc())
        .limit(1)
    )


def list_models(session: Session, actor: Actor, limit: int = 50) -> list[TaxonomyModelVersion]:
    actor.require(READ)
    return list(
        session.scalars(
            select(TaxonomyModelVersion)
            .where(TaxonomyModelVersion.workspace_id == actor.workspace_id)
            .order_by(TaxonomyModelVersion.id.desc())
            .limit(limit)
        )
    )


def predict_items(session: Session, actor: Actor, progress: Progress | None = None) -> int:
    """Predict every inbox item with the current model (e.g. after new feedback arrived). Returns how many."""
    actor.require("feedback.write")
    version = current_model(session, actor)
    if version is None:
        raise ValidationFailed("no taxonomy model yet: label items and train one first")
    found = _predict_all(
        session, actor, _from_bytes(version.model), _embedder(), progress or (lambda d, t, m: None)
    )
    return _store_predictions(session, actor, version, found)


def _predict_all(
    session: Session, actor: Actor, model: TaxonomyModel, embedder: Embedder, report: Progress
) -> list[tuple[int, int, float]]:
    """(feedback id, category id, confidence) for every inbox item. Only reads: progress is reported from here, and
    on SQLite a progress write from another connection must not wait behind this session's writes."""
    ws = actor.workspace_id
    live = set(session.scalars(select(TaxonomyCategory.id).where(TaxonomyCategory.workspace_id == ws)))
    all_ids = list(
        session.scalars(
            select(Feedback.id)
            .where(Feedback.workspace_id == ws, Feedback.merged_into_id.is_(None))
            .order_by(Feedback.id)
        )
    )
    found: list[tuple[int, int, float]] = []
    for start in range(0, len(all_ids), BATCH):
        report(start, len(all_ids), "predicting categories")
        chunk = all_ids[start : start + BATCH]
        items = list(session.execute(select(Feedback.id, Feedback.text).where(Feedback.id.in_(chunk))).all())
        ids, texts, vectors = _prepared(session, items, embedder)
        for feedback_id, guess in zip(ids, model.predict(texts, vectors), strict=True):
            if int(guess.label) in live:
                found.append((feedback_id, int(guess.label), round(float(guess.confidence), 4)))
    report(len(all_ids), len(all_ids), "predicted")
    return found


def _store_predictions(
    session: Session, actor: Actor, version: TaxonomyModelVersion, found: list[tuple[int, int, float]]
) -> int:
    """Replace the workspace's predictions with ``found`` (made by ``version``)."""
    session.execute(delete(TaxonomyPrediction).where(TaxonomyPrediction.workspace_id == actor.workspace_id))
    for start in range(0, len(found), BATCH):
        session.execute(
            insert(TaxonomyPrediction),
            [
                {
                    "feedback_id": feedback_id,
                    "workspace_id": actor.workspace_id,
                    "category_id": category_id,
                    "confidence": confidence,
                    "model_id": version.id,
                }
                for feedback_id, category_id, confidence in found[start : start + BATCH]
            ],
        )
    session.flush()
    return len(found)


# --- what the page shows ----------------------------------------------------------------------------------------


def below_or_all(below: float) -> float:
    """A confidence limit from the API or CLI: 1.0 (the default) means every prediction."""
    return REVIEW_ALL if below >= 1.0 else below


def review_queue(
    session: Session, actor: Actor, limit: int = 25, below: float = LOW_CONFIDENCE
) -> list[ReviewItem]:
    """Unlabelled items whose prediction is least sure (confidence below ``below``), least sure first."""
    actor.require(READ)
    rows = session.execute(
        select(Feedback, TaxonomyPrediction.category_id, TaxonomyCategory.name, TaxonomyPrediction.confidence)
        .join(TaxonomyPrediction, TaxonomyPrediction.feedback_id == Feedback.id)
        .join(TaxonomyCategory, TaxonomyCategory.id == TaxonomyPrediction.category_id)
        .outerjoin(TaxonomyLabel, TaxonomyLabel.feedback_id == Feedback.id)
        .where(
            TaxonomyPrediction.workspace_id == actor.workspace_id,
            TaxonomyPrediction.confidence < below,
            TaxonomyLabel.feedback_id.is_(None),
            Feedback.merged_into_id.is_(None),
        )
        .order_by(TaxonomyPrediction.confidence, Feedback.id)
        .limit(min(limit, 500))
    ).all()
    return [ReviewItem(f, int(c), str(n), float(p)) for f, c, n, p in rows]


def unlabelled_items(session: Session, actor: Actor, limit: int = 20) -> list[Feedback]:
    """The newest inbox items nobody labelled yet (to start a taxonomy before there is a model)."""
    actor.require(READ)
    return list(
        session.scalars(
            select(Feedback)
            .outerjoin(TaxonomyLabel, TaxonomyLabel.feedback_id == Feedback.id)
            .where(
                Feedback.workspace_id == actor.workspace_id,
                Feedback.merged_into_id.is_(None),
                TaxonomyLabel.feedback_id.is_(None),
            )
            .order_by(Feedback.received_at.desc(), Feedback.id.desc())
            .limit(min(limit, 200))
        )
    )


def latest_job(session: Session, actor: Actor) -> Job | None:
    """The newest training or prediction job of the workspace (for the progress indicator)."""
    actor.require(READ)
    return session.scalar(
        select(Job)
        .where(Job.workspace_id == actor.workspace_id, Job.kind.in_((TRAIN_JOB, PREDICT_JOB)))
        .order_by(Job.id.desc())
        .limit(1)
    )


def refuse_concurrent_job(session: Session, actor: Actor) -> None:
    """Only one training or prediction job per workspace at a time."""
    job = latest_job(session, actor)
    if job is not None and job.status in ("queued", "running"):
        raise Conflict(f"job {job.id} ({job.kind}) is still {job.status}; wait for it to finish")


def model_report(session: Session, actor: Actor, version: TaxonomyModelVersion) -> ModelReport:
    names = dict(
        session.execute(
            select(TaxonomyCategory.id, TaxonomyCategory.name).where(
                TaxonomyCategory.workspace_id == actor.workspace_id
            )
        ).all()
    )
    order = [int(c) for c in version.confusion.get("categories", [])]
    matrix = version.confusion.get("matrix", [])
    top = order[:TOP_CLASSES]
    label = [names.get(c, f"(deleted #{c})") for c in order]
    pairs = sorted(
        (
            (label[i], label[j], int(matrix[i][j]))
            for i in range(len(order))
            for j in range(len(order))
            if i != j and matrix[i][j]
        ),
        key=lambda pair: -pair[2],
    )
    return ModelReport(
        id=version.id,
        created_at=version.created_at,
        labels_used=version.labels_used,
        held_out=version.held_out,
        accuracy=version.accuracy,
        categories=int(version.details.get("categories", len(order))),
        skipped=dict(version.details.get("skipped", {})),
        top_classes=label[: len(top)],
        confusion=[row[: len(top)] for row in matrix[: len(top)]],
        confused_pairs=pairs[:10],
        per_category=sorted(
            (
                (names.get(int(c), f"(deleted #{c})"), int(v["support"]), int(v["correct"]))
                for c, v in version.details.get("per_category", {}).items()
            ),
            key=lambda row: (-row[1], row[0]),
        ),
        regularisation=version.details.get("regularisation"),
    )


def overview(session: Session, actor: Actor) -> TaxonomyOverview:
    """Everything the taxonomy page shows, in one call."""
    actor.require(READ)
    categories = list_categories(session, actor)
    labelled = sum(c.labels for c in categories)
    trainable = [c for c in categories if c.labels >= 1]
    ready = len(trainable) >= 2
    reason = (
        ""
        if ready
        else "label items in at least two categories to train "
        f"({len(trainable)} categor{'y has' if len(trainable) == 1 else 'ies have'} labels)"
    )
    version = current_model(session, actor)
    origins = dict(
        session.execute(
            select(TaxonomyLabel.origin, func.count())
            .where(TaxonomyLabel.workspace_id == actor.workspace_id)
            .group_by(TaxonomyLabel.origin)
        ).all()
    )
    return TaxonomyOverview(
        categories=categories,
        labelled=labelled,
        predicted=sum(c.predicted for c in categories),
        model=model_report(session, actor, version) if version is not None else None,
        review=review_queue(session, actor, below=REVIEW_ALL),
        job=latest_job(session, actor),
        ready=ready,
        reason=reason,
        label_origins={str(k): int(v) for k, v in origins.items()},
    )


def category_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    actor.require(READ)
    return [
        (int(i), str(n))
        for i, n in session.execute(
            select(TaxonomyCategory.id, TaxonomyCategory.name)
            .where(TaxonomyCategory.workspace_id == actor.workspace_id)
            .order_by(TaxonomyCategory.name)
        ).all()
    ]

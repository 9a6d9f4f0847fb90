"""JSON API of the workspace taxonomy: categories, labels, training and prediction jobs, predictions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from northstar.core.errors import ValidationFailed
from northstar.core.jobs_schemas import JobRead
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.feedback.taxonomy.schemas import (
    CategoryCreate,
    CategoryQuality,
    CategoryRead,
    CategoryUpdate,
    ConfusedPair,
    LabelRequest,
    LabelResult,
    ModelRead,
    ModelReportOut,
    PredictionRead,
    TaxonomyOverviewOut,
)
from northstar.feedback.taxonomy.service import ReviewItem
from northstar.web.deps import DB, ApiActor

router = APIRouter(
    prefix="/taxonomy", tags=["feedback taxonomy"]
)  # mounted under /feedback by feedback/api.py


def _prediction(item: ReviewItem) -> PredictionRead:
    return PredictionRead(
        feedback_id=item.feedback.id,
        text=item.feedback.text[:2000],
        category_id=item.category_id,
        category=item.category_name,
        confidence=item.confidence,
    )


@router.get("")
def overview(session: DB, actor: ApiActor) -> TaxonomyOverviewOut:
    """Categories with label counts, the current model (cross-validated accuracy, confusion), items to review."""
    view = taxonomy_service.overview(session, actor)
    model = None
    if view.model is not None:
        report = view.model
        model = ModelReportOut(
            id=report.id,
            created_at=report.created_at,
            labels_used=report.labels_used,
            held_out=report.held_out,
            accuracy=report.accuracy,
            categories=report.categories,
            skipped=report.skipped,
            top_classes=report.top_classes,
            confusion=report.confusion,
            confused_pairs=[
                ConfusedPair(actual=a, predicted=p, count=n) for a, p, n in report.confused_pairs
            ],
            per_category=[
                CategoryQuality(category=c, scored=n, correct=k) for c, n, k in report.per_category
            ],
        )
    return TaxonomyOverviewOut(
        categories=[CategoryRead(**c.__dict__) for c in view.categories],
        labelled=view.labelled,
        predicted=view.predicted,
        model=model,
        review=[_prediction(r) for r in view.review],
        ready=view.ready,
        reason=view.reason,
        label_origins=view.label_origins,
        job_id=view.job.id if view.job else None,
        job_status=view.job.status if view.job else None,
    )


@router.get("/categories")
def list_categories(session: DB, actor: ApiActor) -> list[CategoryRead]:
    return [CategoryRead(**c.__dict__) for c in taxonomy_service.list_categories(session, actor)]


@router.post("/categories", status_code=201)
def add_category(body: CategoryCreate, session: DB, actor: ApiActor) -> CategoryRead:
    row = taxonomy_service.add_category(session, actor, body.name, body.description)
    return CategoryRead(id=row.id, name=row.name, description=row.description)


@router.patch("/categories/{category_id}")
def update_category(category_id: int, body: CategoryUpdate, session: DB, actor: ApiActor) -> CategoryRead:
    row = taxonomy_service.update_category(session, actor, category_id, body.name, body.description)
    return CategoryRead(id=row.id, name=row.name, description=row.description)


@router.delete("/categories/{category_id}", status_code=204)
def delete_category(category_id: int, session: DB, actor: ApiActor) -> None:
    """Delete a category with its labels and predictions."""
    taxonomy_service.delete_category(session, actor, category_id)


@router.post("/labels")
def label(body: LabelRequest, session: DB, actor: ApiActor) -> LabelResult:
    """Label items (a label on a predicted item counts as a correction or a confirmation)."""
    category = (
        taxonomy_service.find_category(session, actor, body.category_id)
        if body.category_id is not None
        else taxonomy_service.find_category(session, actor, body.category or "")
    )
    return LabelResult(
        changed=taxonomy_service.label_items(session, actor, body.feedback_ids, category.id, "api")
    )


@router.delete("/labels/{feedback_id}", status_code=204)
def unlabel(feedback_id: int, session: DB, actor: ApiActor) -> None:
    taxonomy_service.remove_labels(session, actor, [feedback_id])


@router.post("/train", status_code=202)
def train(request: Request, session: DB, actor: ApiActor) -> JobRead:
    """Train on the labels as a background job; poll ``GET /api/v1/jobs/{id}`` for progress."""
    taxonomy_service.refuse_concurrent_job(session, actor)
    taxonomy_service.require_trainable(session, actor)
    job = request.app.state.jobs.submit(session, actor, taxonomy_service.TRAIN_JOB, {})
    return JobRead.model_validate(job)


@router.post("/predict", status_code=202)
def predict(request: Request, session: DB, actor: ApiActor) -> JobRead:
    """Predict every item with the current model as a background job."""
    taxonomy_service.refuse_concurrent_job(session, actor)
    if taxonomy_service.current_model(session, actor) is None:
        raise ValidationFailed("no taxonomy model yet: label items and train one first")
    job = request.app.state.jobs.submit(session, actor, taxonomy_service.PREDICT_JOB, {})
    return JobRead.model_validate(job)


@router.get("/models")
def list_models(session: DB, actor: ApiActor) -> list[ModelRead]:
    return [ModelRead.model_validate(m) for m in taxonomy_service.list_models(session, actor)]


@router.get("/predictions")
def predictions(
    session: DB,
    actor: ApiActor,
    below: Annotated[float, Query(gt=0, le=1.0)] = 1.0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[PredictionRead]:
    """Unlabelled items with their predicted category, least confident first (``below``: confidence limit)."""
    return [
        _prediction(r)
        for r in taxonomy_service.review_queue(session, actor, limit, taxonomy_service.below_or_all(below))
    ]

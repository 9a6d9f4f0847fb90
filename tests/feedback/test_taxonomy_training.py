"""Train your own taxonomy on real Banking77 rows: train → predict → correct → retrain gets better; rules and jobs."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.feedback.models import Feedback
from northstar.feedback.models.curation import TaxonomyLabel, TaxonomyModelVersion, TaxonomyPrediction
from northstar.feedback.taxonomy import service as taxonomy_service
from tests.factories import make_feedback, make_world

#: six intents that are easy to mix up (cards arriving, lost, not working, …)
INTENTS = (
    "card_arrival",
    "card_delivery_estimate",
    "lost_or_stolen_card",
    "card_not_working",
    "compromised_card",
    "declined_card_payment",
)


def banking77(shared_data: Path, per_intent: int = 12) -> dict[str, list[str]]:
    """The first ``per_intent`` training texts of each intent in ``INTENTS``."""
    found: dict[str, list[str]] = {intent: [] for intent in INTENTS}
    with (shared_data / "feedback" / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts = found.get(row["category"])
            if texts is not None and len(texts) < per_intent:
                texts.append(row["text"])
    return found


def _accuracy(session: Session, truth: dict[int, int]) -> float:
    predicted = dict(
        session.execute(
            select(TaxonomyPrediction.feedback_id, TaxonomyPrediction.category_id).where(
                TaxonomyPrediction.feedback_id.in_(list(truth))
            )
        )
        .tuples()
        .all()
    )
    return sum(predicted.get(i) == c for i, c in truth.items()) / len(truth)


def test_train_predict_correct_retrain_improves_on_banking77(session: Session, shared_data: Path) -> None:
    world = make_world(session)
    actor = world.actor()
    texts = banking77(shared_data)
    categories = {intent: taxonomy_service.add_category(session, actor, intent) for intent in INTENTS}
    items = {intent: [make_feedback(session, world, text=t).id for t in texts[intent]] for intent in INTENTS}
    for intent in INTENTS:  # two labels per category to start
        taxonomy_service.label_items(session, actor, items[intent][:2], categories[intent].id, "taxonomy")
    session.commit()
    evaluation = {i: categories[intent].id for intent in INTENTS for i in items[intent][6:]}  # never labelled

    first = taxonomy_service.train_model(session, actor)
    session.commit()
    assert first.labels_used == 12 and first.categories == 6 and first.predicted == 72
    assert first.held_out == 12 and first.accuracy is not None  # two per category: 2-fold, every label scored
    before = _accuracy(session, evaluation)

    queue = taxonomy_service.review_queue(session, actor, limit=100, below=1.01)
    confidences = [r.confidence for r in queue]
    assert confidences == sorted(confidences) and len(queue) == 72 - 12  # unlabelled only, least sure first

    for intent in INTENTS:  # a person reviews four more per category: corrections and confirmations
        taxonomy_service.label_items(session, actor, items[intent][2:6], categories[intent].id, "taxonomy")
    session.commit()
    origins = Counter(session.scalars(select(TaxonomyLabel.origin)))
    assert origins["correction"] > 0 and origins["correction"] + origins["confirmation"] == 24

    second = taxonomy_service.train_model(session, actor)
    session.commit()
    after = _accuracy(session, evaluation)
    assert second.labels_used == 36 and second.held_out == 36 and second.accuracy is not None
    assert after >= before + 0.1 and after >= 0.7, (before, after)
    versions = taxonomy_service.list_models(session, actor)
    assert [v.id for v in versions] == [second.model_id, first.model_id]
    report = taxonomy_service.overview(session, actor).model
    assert report is not None and report.accuracy == second.accuracy and len(report.confusion) == 6
    assert sum(scored for _, scored, _ in report.per_category) == 36
    assert sum(right for _, _, right in report.per_category) == round(second.accuracy * 36)
    assert sum(map(sum, report.confusion)) == 36


def test_training_explains_what_is_missing_and_skips_thin_categories(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    billing = taxonomy_service.add_category(session, actor, "Billing")
    login = taxonomy_service.add_category(session, actor, "Login")
    extra = taxonomy_service.add_category(session, actor, "Other")
    bills = [make_feedback(session, world, text=f"I was charged twice on invoice {n}").id for n in range(3)]
    logins = [make_feedback(session, world, text=f"I cannot log in on device {n}").id for n in range(3)]
    odd = make_feedback(session, world, text="Something else entirely").id
    taxonomy_service.label_items(session, actor, bills, billing.id)
    session.commit()
    with pytest.raises(ValidationFailed, match="at least two categories"):
        taxonomy_service.require_trainable(session, actor)
    with pytest.raises(ValidationFailed, match="at least two categories"):
        taxonomy_service.train_model(session, actor)
    taxonomy_service.label_items(session, actor, logins, login.id)
    taxonomy_service.label_items(session, actor, [odd], extra.id)
    session.commit()
    summary = taxonomy_service.train_model(session, actor)
    assert summary.skipped == {}, "a category with one label is learned from it"
    assert summary.categories == 3 and summary.held_out == 6 and summary.accuracy == 1.0
    assert taxonomy_service.overview(session, actor).ready


def test_categories_labels_and_permissions(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    actor = world.actor()
    billing = taxonomy_service.add_category(session, actor, "  Billing  ")
    assert billing.name == "Billing"
    with pytest.raises(Conflict):
        taxonomy_service.add_category(session, actor, "billing")
    with pytest.raises(ValidationFailed):
        taxonomy_service.add_category(session, actor, "   ")
    with pytest.raises(PermissionDenied):
        taxonomy_service.add_category(session, world.actor(Role.VIEWER), "Viewers cannot")
    assert taxonomy_service.find_category(session, actor, "BILLING").id == billing.id
    assert taxonomy_service.find_category(session, actor, str(billing.id)).id == billing.id
    with pytest.raises(NotFound):
        taxonomy_service.find_category(session, other.actor(), "Billing")
    foreign = make_feedback(session, other, text="not yours")
    mine = make_feedback(session, world, text="mine")
    with pytest.raises(ValidationFailed, match="in this workspace"):
        taxonomy_service.label_items(session, actor, [mine.id, foreign.id], billing.id)
    with pytest.raises(NotFound):
        taxonomy_service.label_items(session, other.actor(), [foreign.id], billing.id)
    assert taxonomy_service.label_items(session, actor, [mine.id], billing.id) == 1
    assert taxonomy_service.label_items(session, actor, [mine.id], billing.id) == 0  # already so
    renamed = taxonomy_service.update_category(session, actor, billing.id, name="Invoices")
    assert renamed.name == "Invoices"
    taxonomy_service.delete_category(session, actor, billing.id)
    session.commit()
    assert session.scalars(select(TaxonomyLabel)).all() == []
    assert session.get(Feedback, mine.id) is not None


def test_training_runs_as_a_job_with_progress_and_stores_the_model(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from northstar.core.jobs import create_job, execute_job
    from northstar.feedback.taxonomy import jobs as taxonomy_jobs  # noqa: F401  (registers the job)

    world = make_world(session)
    actor = world.actor()
    for name, phrase in (
        ("Billing", "charged twice for my invoice"),
        ("Login", "cannot sign in to my account"),
    ):
        category = taxonomy_service.add_category(session, actor, name)
        ids = [make_feedback(session, world, text=f"{phrase} ({n})").id for n in range(3)]
        taxonomy_service.label_items(session, actor, ids, category.id)
    job = create_job(session, actor, taxonomy_service.TRAIN_JOB, {})
    session.commit()
    with pytest.raises(Conflict):
        taxonomy_service.refuse_concurrent_job(session, actor)
    seen: list[str] = []
    finished = execute_job(session_factory, job.id, lambda done, total, message: seen.append(message))
    assert finished.status == "succeeded", finished.error
    assert finished.result is not None and finished.result["predicted"] == 6
    assert "predicting categories" in seen and "trained" in seen
    model = session.scalar(select(TaxonomyModelVersion))
    assert model is not None and model.job_id == job.id and len(model.model) > 1000

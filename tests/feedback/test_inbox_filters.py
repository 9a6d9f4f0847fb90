"""The inbox listing: filters by kind, sentiment, source, segment, theme, category and customer, with search."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.listing import ListParams
from northstar.core.permissions import Role
from northstar.feedback import service
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.taxonomy import service as taxonomy_service
from tests.factories import World, make_customer, make_feedback, make_world


@dataclass
class Inbox:
    world: World
    items: dict[str, Feedback]
    themes: dict[str, FeedbackTheme]


def analysed(
    session: Session,
    item: Feedback,
    kind: str,
    sentiment: float,
    theme: FeedbackTheme | None,
    confidence: float = 0.8,
) -> None:
    """Store an analysis row as ``run_analysis`` would (without running the model)."""
    session.add(
        FeedbackAnalysis(
            feedback_id=item.id,
            workspace_id=item.workspace_id,
            text_hash="x" * 40,
            language="en",
            kind=kind,
            kind_confidence=confidence,
            sentiment=sentiment,
            theme_id=theme.id if theme else None,
        )
    )


@pytest.fixture
def inbox(session: Session) -> Inbox:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", arr=120_000, segment="enterprise")
    shop = make_customer(session, world, "Shop", arr=3_000, segment="smb")
    parent = FeedbackTheme(workspace_id=world.workspace.id, key="p1", name="Reporting")
    session.add(parent)
    session.flush()
    export = FeedbackTheme(workspace_id=world.workspace.id, key="t1", name="Export", parent_id=parent.id)
    login = FeedbackTheme(workspace_id=world.workspace.id, key="t2", name="Login")
    session.add_all([export, login])
    session.flush()
    items = {
        "crash": make_feedback(session, world, "The export crashes with an error", acme, "support"),
        "csv": make_feedback(session, world, "Please add CSV export", shop, "community"),
        "love": make_feedback(session, world, "Love the new charts", shop, "app_review"),
        "sso": make_feedback(session, world, "I cannot log in with SSO", acme, "sales"),
        "raw": make_feedback(session, world, "Not analysed yet: export please", None, "support"),
    }
    analysed(session, items["crash"], "bug", -0.7, export)
    analysed(session, items["csv"], "feature_request", 0.1, export)
    analysed(session, items["love"], "praise", 0.9, None)
    analysed(session, items["sso"], "bug", -0.3, login)
    session.commit()
    return Inbox(world, items, {"parent": parent, "export": export, "login": login})


def _ids(session: Session, inbox: Inbox, q: str | None = None, **filters: object) -> set[str]:
    page = service.list_feedback(session, inbox.world.actor(), ListParams(q=q, filters=dict(filters)))
    names = {item.id: name for name, item in inbox.items.items()}
    return {names[f.id] for f in page.items}


def test_filters_by_kind_sentiment_theme_source_segment_and_customer(session: Session, inbox: Inbox) -> None:
    assert _ids(session, inbox) == {"crash", "csv", "love", "sso", "raw"}
    assert _ids(session, inbox, kind="bug") == {"crash", "sso"}
    assert _ids(session, inbox, sentiment="negative") == {"crash", "sso"}  # -0.3 is negative (≤ -0.3)
    assert _ids(session, inbox, sentiment="neutral") == {"csv"}
    assert _ids(session, inbox, sentiment="positive") == {"love"}
    assert _ids(session, inbox, theme_id=inbox.themes["export"].id) == {"crash", "csv"}
    assert _ids(session, inbox, theme_id=inbox.themes["parent"].id) == {"crash", "csv"}  # with its sub-themes
    assert _ids(session, inbox, source="support") == {"crash", "raw"}
    assert _ids(session, inbox, segment="enterprise") == {"crash", "sso"}
    acme = inbox.items["crash"].customer_id
    assert _ids(session, inbox, customer_id=acme, kind="bug", sentiment="negative") == {"crash", "sso"}
    assert _ids(session, inbox, q="export") == {"crash", "csv", "raw"}
    assert _ids(session, inbox, q="export", kind="feature_request") == {"csv"}
    assert _ids(session, inbox, q="expo", theme_id=inbox.themes["export"].id, segment="smb") == {"csv"}


def test_a_kind_set_by_hand_wins_and_can_be_reset(session: Session, inbox: Inbox) -> None:
    actor = inbox.world.actor()
    crash, raw = inbox.items["crash"], inbox.items["raw"]
    assert inbox_service.set_kind(session, actor, [crash.id, raw.id], "complaint") == 2
    session.commit()
    assert _ids(session, inbox, kind="complaint") == {"crash", "raw"}  # even an item not analysed yet
    assert _ids(session, inbox, kind="bug") == {"sso"}
    note = inbox_service.annotate(session, actor, [crash.id])[crash.id]
    assert note.kind == "complaint" and note.kind_set_by_person and note.kind_confidence == 1.0
    assert inbox_service.set_kind(session, actor, [crash.id], None) == 1
    session.commit()
    assert _ids(session, inbox, kind="bug") == {"crash", "sso"}
    with pytest.raises(ValidationFailed, match="unknown kind"):
        inbox_service.set_kind(session, actor, [crash.id], "rant")
    with pytest.raises(PermissionDenied):
        inbox_service.set_kind(session, inbox.world.actor(Role.VIEWER), [crash.id], "bug")


def test_category_filter_uses_the_label_else_the_prediction(session: Session, inbox: Inbox) -> None:
    from northstar.feedback.models.curation import TaxonomyModelVersion, TaxonomyPrediction

    actor = inbox.world.actor()
    reporting = taxonomy_service.add_category(session, actor, "Reporting")
    access = taxonomy_service.add_category(session, actor, "Access")
    model = TaxonomyModelVersion(workspace_id=inbox.world.workspace.id, model=b"-")
    session.add(model)
    session.flush()
    for name, category in (("crash", reporting), ("csv", reporting), ("sso", reporting)):
        session.add(
            TaxonomyPrediction(
                feedback_id=inbox.items[name].id,
                workspace_id=inbox.world.workspace.id,
                category_id=category.id,
                confidence=0.6,
                model_id=model.id,
            )
        )
    taxonomy_service.label_items(
        session, actor, [inbox.items["sso"].id], access.id
    )  # corrects the prediction
    session.commit()
    assert _ids(session, inbox, category_id=reporting.id) == {"crash", "csv"}
    assert _ids(session, inbox, category_id=access.id) == {"sso"}
    notes = inbox_service.annotate(session, actor, [i.id for i in inbox.items.values()])
    assert notes[inbox.items["csv"].id].category_name == "Reporting"
    assert notes[inbox.items["csv"].id].category_confidence == 0.6
    assert (
        notes[inbox.items["sso"].id].category_labelled
        and notes[inbox.items["sso"].id].category_name == "Access"
    )
    assert notes[inbox.items["raw"].id].category_name is None and not notes[inbox.items["raw"].id].analysed


def test_annotations_show_kind_sentiment_and_theme(session: Session, inbox: Inbox) -> None:
    notes = inbox_service.annotate(
        session, inbox.world.actor(), [inbox.items["crash"].id, inbox.items["love"].id]
    )
    crash, love = notes[inbox.items["crash"].id], notes[inbox.items["love"].id]
    assert (crash.kind, crash.kind_confidence, crash.sentiment_band, crash.theme_name) == (
        "bug",
        0.8,
        "negative",
        "Export",
    )
    assert love.sentiment_band == "positive" and love.theme_name is None


def test_bad_filters_are_clear_errors(session: Session, inbox: Inbox) -> None:
    with pytest.raises(ValidationFailed, match="unknown kind"):
        _ids(session, inbox, kind="nonsense")
    with pytest.raises(ValidationFailed, match="negative, neutral or positive"):
        _ids(session, inbox, sentiment="angry")


def test_bulk_delete_checks_every_id_first(session: Session, inbox: Inbox) -> None:
    other = make_world(session)
    foreign = make_feedback(session, other, "theirs")
    actor = inbox.world.actor()
    with pytest.raises(ValidationFailed, match="in this workspace"):
        inbox_service.delete_items(session, actor, [inbox.items["raw"].id, foreign.id])
    session.rollback()
    assert inbox_service.delete_items(session, actor, [inbox.items["raw"].id, inbox.items["love"].id]) == 2
    session.commit()
    assert _ids(session, inbox) == {"crash", "csv", "sso"}
    assert session.get(Feedback, foreign.id) is not None

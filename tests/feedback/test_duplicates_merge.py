"""Merging duplicates keeps every link, customer, contact, vote and label; counts and ARR stay right; unmerge undoes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.audit import AuditEvent
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.listing import ListParams
from northstar.core.permissions import Role
from northstar.feedback import service
from northstar.feedback.duplicates import service as duplicates_service
from northstar.feedback.models import Feedback
from northstar.feedback.models.curation import TaxonomyLabel
from northstar.feedback.schemas import FeedbackCreate
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.home.service import workspace_overview
from northstar.ideas import service as ideas
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.ideas.schemas import LinkRequest
from tests.factories import make_customer, make_feedback, make_idea, make_world


def _links(session: Session, idea: Idea) -> dict[int, int]:
    return dict(
        session.execute(
            select(IdeaFeedbackLink.feedback_id, IdeaFeedbackLink.importance).where(
                IdeaFeedbackLink.idea_id == idea.id
            )
        )
        .tuples()
        .all()
    )


def test_merge_keeps_links_with_max_importance_customers_votes_and_idea_arr(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    acme = make_customer(session, world, "Acme", arr=100_000, segment="enterprise")
    globex = make_customer(session, world, "Globex", arr=50_000, segment="smb")
    a = make_feedback(session, world, "Export to CSV please", customer=acme)
    b = service.create_feedback(
        session,
        actor,
        FeedbackCreate(
            text="Please add CSV export",
            customer_id=globex.id,
            source="community",
            contact_email="ann@globex.example",
            metadata={"votes": 3, "category": "Ideas"},
        ),
    )
    session.commit()
    export, reports = make_idea(session, world, "CSV export"), make_idea(session, world, "Reports")
    ideas.link_feedback(session, actor, export.id, LinkRequest(feedback_ids=[a.id], importance=1))
    ideas.link_feedback(session, actor, export.id, LinkRequest(feedback_ids=[b.id], importance=3))
    ideas.link_feedback(session, actor, reports.id, LinkRequest(feedback_ids=[b.id], importance=2))
    session.commit()
    assert ideas.idea_demand(session, actor, export.id).total_arr == 150_000
    assert ideas.idea_demand(session, actor, reports.id).total_arr == 50_000
    before_home = workspace_overview(session, actor).feedback

    result = duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    session.commit()

    assert result.merged_ids == [b.id] and result.links_moved == 1 and result.importance_raised == 1
    session.refresh(a)
    session.refresh(b)
    assert b.merged_into_id == a.id and b.text == "Please add CSV export" and b.customer_id == globex.id
    assert _links(session, export) == {a.id: 3}  # the higher importance wins
    assert _links(session, reports) == {a.id: 2}  # the merged item's link moved to the survivor
    session.refresh(export)
    session.refresh(reports)
    assert export.feedback_count == 1 and reports.feedback_count == 1
    # every customer who asked still counts, once
    demand = ideas.idea_demand(session, actor, export.id)
    assert demand.total_arr == 150_000 and demand.customers == 2
    assert demand.arr_by_segment == {"enterprise": 100_000, "smb": 50_000}
    assert (
        ideas.idea_demand(session, actor, reports.id).total_arr == 150_000
    )  # the survivor is the same request
    # votes add up; what came from b is recorded on the survivor
    assert a.meta["votes"] == 3
    record = a.meta["merged"][0]
    assert (
        record["id"] == b.id and record["customer_id"] == globex.id and record["contact_id"] == b.contact_id
    )
    assert sorted(map(tuple, record["links"])) == sorted([(export.id, 3), (reports.id, 2)])
    # hidden from the inbox and the counts, still there with include_merged
    listed = service.list_feedback(session, actor, ListParams())
    assert [f.id for f in listed.items] == [a.id] and listed.total == 1
    merged = service.list_feedback(session, actor, ListParams(filters={"include_merged": True}))
    assert {f.id for f in merged.items} == {a.id, b.id}
    assert workspace_overview(session, actor).feedback == before_home - 1
    assert [f.id for f in duplicates_service.merged_into(session, actor, a.id)] == [b.id]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.merged")).one()
    assert event.object_id == a.id and event.changes["merged_ids"] == str(b.id)


def test_unmerge_gives_back_links_importance_and_arr(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    acme = make_customer(session, world, "Acme", arr=100_000)
    globex = make_customer(session, world, "Globex", arr=50_000)
    a = make_feedback(session, world, "Dark mode", customer=acme)
    b = make_feedback(session, world, "Dark theme please", customer=globex)
    x, y = make_idea(session, world, "Dark mode"), make_idea(session, world, "Themes")
    ideas.link_feedback(session, actor, x.id, LinkRequest(feedback_ids=[a.id], importance=1))
    ideas.link_feedback(session, actor, x.id, LinkRequest(feedback_ids=[b.id], importance=3))
    ideas.link_feedback(session, actor, y.id, LinkRequest(feedback_ids=[b.id], importance=2))
    session.commit()
    duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    session.commit()
    duplicates_service.unmerge_feedback(session, actor, b.id)
    session.commit()
    session.refresh(b)
    assert b.merged_into_id is None
    assert _links(session, x) == {a.id: 1, b.id: 3}
    assert _links(session, y) == {b.id: 2}
    session.refresh(x)
    session.refresh(y)
    assert (x.feedback_count, y.feedback_count) == (2, 1)
    assert ideas.idea_demand(session, actor, y.id).total_arr == 50_000
    session.refresh(a)
    assert a.meta.get("merged") == []


def test_survivor_without_customer_takes_the_merged_customer_contact_votes_and_label(
    session: Session,
) -> None:
    world = make_world(session)
    actor = world.actor()
    initech = make_customer(session, world, "Initech", arr=20_000, domain="initech.example")
    a = service.create_feedback(session, actor, FeedbackCreate(text="SSO please", metadata={"votes": 2}))
    b = service.create_feedback(
        session,
        actor,
        FeedbackCreate(text="We need SAML SSO", contact_email="bob@initech.example", metadata={"votes": "4"}),
    )
    c = service.create_feedback(session, actor, FeedbackCreate(text="Single sign-on", metadata={"votes": 1}))
    category = taxonomy_service.add_category(session, actor, "Security")
    taxonomy_service.label_items(session, actor, [b.id], category.id)
    session.commit()
    assert b.customer_id == initech.id and b.contact_id is not None

    duplicates_service.merge_feedback(session, actor, a.id, [b.id, c.id])
    session.commit()
    session.refresh(a)
    assert a.customer_id == initech.id and a.contact_id == b.contact_id
    assert a.meta["votes"] == 7
    label = session.get(TaxonomyLabel, a.id)
    assert label is not None and label.category_id == category.id and label.origin == "merge"


def test_merging_into_a_merged_item_moves_earlier_merges_along(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    a, b, d = (make_feedback(session, world, text) for text in ("one", "two", "three"))
    duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    duplicates_service.merge_feedback(session, actor, d.id, [a.id])
    session.commit()
    assert {f.id: f.merged_into_id for f in session.scalars(select(Feedback))} == {
        a.id: d.id,
        b.id: d.id,
        d.id: None,
    }


def test_bad_merges_are_refused_and_change_nothing(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    actor = world.actor()
    a, b = make_feedback(session, world, "a"), make_feedback(session, world, "b")
    foreign = make_feedback(session, other, "c")
    with pytest.raises(ValidationFailed):
        duplicates_service.merge_feedback(session, actor, a.id, [a.id])
    with pytest.raises(ValidationFailed, match="in this workspace"):
        duplicates_service.merge_feedback(session, actor, a.id, [foreign.id])
    with pytest.raises(PermissionDenied):
        duplicates_service.merge_feedback(session, world.actor(Role.VIEWER), a.id, [b.id])
    duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    with pytest.raises(ValidationFailed, match="merged already"):
        duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    with pytest.raises(ValidationFailed, match="merge into that item"):
        duplicates_service.merge_feedback(session, actor, b.id, [a.id])
    with pytest.raises(ValidationFailed, match="not merged"):
        duplicates_service.unmerge_feedback(session, actor, a.id)
    session.rollback()
    session.refresh(foreign)
    assert foreign.merged_into_id is None


def test_deleting_a_survivor_unmerges_its_items_with_their_links(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    a, b = make_feedback(session, world, "a"), make_feedback(session, world, "b")
    idea = make_idea(session, world)
    ideas.link_feedback(session, actor, idea.id, LinkRequest(feedback_ids=[a.id, b.id]))
    duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    session.commit()
    service.delete_feedback(session, actor, a.id)
    session.commit()
    session.refresh(b)
    session.refresh(idea)
    assert b.merged_into_id is None and idea.feedback_count == 1  # b is back, with its own link
    assert _links(session, idea) == {b.id: 2}
    assert [f.id for f in service.list_feedback(session, actor, ListParams()).items] == [b.id]


def test_merged_items_leave_their_theme_and_cannot_be_linked(session: Session) -> None:
    from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme

    world = make_world(session)
    actor = world.actor()
    a = make_feedback(session, world, "Export to CSV please")
    b = make_feedback(session, world, "Please add CSV export")
    theme = FeedbackTheme(workspace_id=world.workspace.id, key="t1", name="CSV export", size=2)
    session.add(theme)
    session.flush()
    for item in (a, b):
        session.add(
            FeedbackAnalysis(
                feedback_id=item.id, workspace_id=world.workspace.id, text_hash="x", theme_id=theme.id
            )
        )
    session.commit()
    duplicates_service.merge_feedback(session, actor, a.id, [b.id])
    session.commit()
    rows = dict(
        session.execute(select(FeedbackAnalysis.feedback_id, FeedbackAnalysis.theme_id)).tuples().all()
    )
    assert rows == {a.id: theme.id, b.id: None}
    idea = make_idea(session, world, "CSV export")
    with pytest.raises(ValidationFailed, match=f"#{b.id} → #{a.id}"):
        ideas.link_feedback(session, actor, idea.id, LinkRequest(feedback_ids=[a.id, b.id], importance=2))
    assert _links(session, idea) == {}
    duplicates_service.unmerge_feedback(session, actor, b.id)
    session.commit()
    # the restored item counts as changed, so the next analysis run places it in a theme again
    restored = session.get(FeedbackAnalysis, b.id)
    assert restored is not None and restored.text_hash == "" and restored.theme_id is None

"""The duplicates review on a real analysis: groups with similarities, dismissals that survive re-analysis, merges."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.feedback import service
from northstar.feedback.analysis.service import run_analysis
from northstar.feedback.duplicates import service as duplicates_service
from northstar.feedback.models.analysis import FeedbackAnalysis
from northstar.feedback.schemas import FeedbackUpdate
from tests.factories import make_feedback, make_world
from tests.feedback.analysis_support import TOPICS

CRASH = "The app crashes every time I open the camera"


def _pairs(session: Session, world: object) -> set[tuple[int, int]]:
    review = duplicates_service.review_duplicates(session, world.actor())  # type: ignore[attr-defined]
    return {tuple(sorted((c.item.id, c.matched_with_id))) for g in review.groups for c in g.candidates}  # type: ignore[misc]


def test_groups_show_the_analysis_pairs_and_dismissals_survive_reanalysis(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    for group in TOPICS.values():
        for text in group[:4]:
            make_feedback(session, world, text=text)
    original = make_feedback(session, world, text=CRASH)
    copy = make_feedback(session, world, text="the app crashes every time I open the camera!!")
    other = make_feedback(session, world, text="Please add a way to export reports to Excel.")
    run_analysis(session, actor)
    session.commit()

    review = duplicates_service.review_duplicates(session, actor)
    found = _pairs(session, world)
    assert (original.id, copy.id) in found
    export = session.scalar(
        select(FeedbackAnalysis.duplicate_of_id).where(FeedbackAnalysis.feedback_id == other.id)
    )
    assert export is not None and (export, other.id) in found
    crash_group = next(g for g in review.groups if g.lead.id == original.id)
    candidate = crash_group.candidates[0]
    assert candidate.item.id == copy.id and candidate.exact and candidate.similarity is not None
    assert candidate.similarity > 0.9

    duplicates_service.dismiss_pair(session, actor, copy.id, original.id)
    duplicates_service.dismiss_pair(session, actor, original.id, copy.id)  # idempotent, either order
    session.commit()
    assert (original.id, copy.id) not in _pairs(session, world)
    assert duplicates_service.review_duplicates(session, actor).dismissed_pairs == 1

    # the text changes a little: the item is analysed again and matched again, but the dismissal holds
    service.update_feedback(
        session, actor, copy.id, FeedbackUpdate(text="The app crashes every time I open the camera.")
    )
    session.commit()
    second = run_analysis(session, actor)
    session.commit()
    assert second.analysed == 1
    row = session.get(FeedbackAnalysis, copy.id)
    assert row is not None and row.duplicate_of_id == original.id
    assert (original.id, copy.id) not in _pairs(session, world)

    # a new duplicate of the same item is suggested with it
    third = make_feedback(session, world, text="THE APP CRASHES EVERY TIME I OPEN THE CAMERA")
    run_analysis(session, actor)
    session.commit()
    assert (original.id, third.id) in _pairs(session, world)
    assert (original.id, copy.id) not in _pairs(session, world)

    # restoring the dismissal brings the pair back
    duplicates_service.restore_pair(session, actor, original.id, copy.id)
    session.commit()
    assert (original.id, copy.id) in _pairs(session, world)


def test_merged_items_leave_the_review_and_later_matches_point_at_the_survivor(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    for text in TOPICS["pricing"]:
        make_feedback(session, world, text=text)
    a = make_feedback(session, world, text=CRASH)
    b = make_feedback(session, world, text=CRASH + ".")
    run_analysis(session, actor)
    session.commit()
    assert (a.id, b.id) in _pairs(session, world)
    duplicates_service.merge_feedback(session, actor, b.id, [a.id])  # keep the newer one
    session.commit()
    assert all(a.id not in pair for pair in _pairs(session, world))
    c = make_feedback(session, world, text=CRASH + "!")  # the analysis may match it with the merged a
    run_analysis(session, actor)
    session.commit()
    assert (b.id, c.id) in _pairs(session, world)

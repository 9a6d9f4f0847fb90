"""360 aggregation on hand-worked cycles: numbers, labels, suppression and input errors."""

from __future__ import annotations

import pytest

from northstar.people.engine.reviews import (
    AnonymityPolicy,
    Question,
    Questionnaire,
    RaterGroup,
    Response,
    ReviewError,
    ViewerRelation,
    aggregate_360,
    can_view_report,
)

Q = Questionnaire(
    questions=(
        Question("q1", "Explains the plan clearly", competency_id="communication"),
        Question("q2", "Uses data to decide", competency_id="data"),
        Question("c1", "What should they keep doing?", kind="comment"),
    )
)


def peer(n: int, q1: int | None, q2: int | None = 3, comment: str = "") -> Response:
    return Response(f"peer-{n}", RaterGroup.PEER, {"q1": q1, "q2": q2}, {"c1": comment} if comment else {})


def test_group_means_self_and_gap_are_computed_by_hand() -> None:
    responses = [
        Response("ana", RaterGroup.SELF, {"q1": 5, "q2": 4}),
        Response("boss", RaterGroup.MANAGER, {"q1": 3, "q2": 4}),
        peer(1, 4),
        peer(2, 2),
        peer(3, 3),
    ]
    report = aggregate_360("ana", Q, responses)
    q1 = report.questions[0]
    assert q1.self_score == 5
    assert {s.group: s.mean for s in q1.by_group} == {"manager": 3.0, "peer": 3.0}
    assert q1.others_mean == 3.0 and q1.others_count == 4
    assert q1.self_other_gap == 2.0
    comms = next(c for c in report.competencies if c.competency_id == "communication")
    assert comms.self_score == 5 and comms.others_mean == 3.0


def test_peer_group_below_three_is_dropped_with_scores_comments_and_count() -> None:
    responses = [
        Response("boss", RaterGroup.MANAGER, {"q1": 4, "q2": 4}),
        peer(1, 1, comment="secret peer remark one"),
        peer(2, 1, comment="secret peer remark two"),
    ]
    report = aggregate_360("ana", Q, responses)
    peers = next(g for g in report.groups if g.group == "peer")
    assert not peers.included and peers.responses is None and "fewer than 3" in peers.reason
    assert all(s.group != "peer" for q in report.questions for s in q.by_group)
    assert "secret peer remark" not in str(report.to_dict())
    # not folded into the combined figure either: only the manager is left, below the all-others minimum
    assert report.questions[0].others_mean is None


def test_manager_group_is_labelled_not_anonymous_and_named() -> None:
    report = aggregate_360("ana", Q, [Response("boss", RaterGroup.MANAGER, {"q1": 4})])
    manager = next(g for g in report.groups if g.group == "manager")
    assert manager.label == "Manager (not anonymous)"
    assert manager.anonymous is False and manager.named_raters == ("boss",)
    assert all(g.named_raters == () for g in report.groups if g.anonymous)


def test_a_question_skipped_by_some_peers_is_blanked_for_that_group() -> None:
    responses = [peer(1, 4, q2=None), peer(2, 5, q2=None), peer(3, 3, q2=2)]
    report = aggregate_360("ana", Q, responses)
    q2 = report.questions[1]
    assert [(s.group, s.mean) for s in q2.by_group] == [("peer", None)]


def test_comments_are_sorted_by_hash_not_by_submission() -> None:
    texts = ["zebra notes", "apple notes", "mango notes"]
    forward = aggregate_360("ana", Q, [peer(i, 3, comment=t) for i, t in enumerate(texts)])
    backward = aggregate_360("ana", Q, [peer(i, 3, comment=t) for i, t in enumerate(reversed(texts))])
    assert forward.comments == backward.comments
    assert sorted(forward.comments[0].comments) == sorted(texts)


def test_comment_threshold_can_be_stricter_than_the_score_threshold() -> None:
    policy = AnonymityPolicy(comment_threshold=4)
    report = aggregate_360("ana", Q, [peer(i, 3, comment=f"note {i}") for i in range(3)], policy)
    assert report.comments == ()
    assert report.questions[0].by_group[0].mean == 3.0


@pytest.mark.parametrize("value", [0, 1, 2])
def test_threshold_below_three_is_refused(value: int) -> None:
    with pytest.raises(ReviewError, match="never set below 3"):
        AnonymityPolicy(thresholds={RaterGroup.PEER: value})


def test_raised_threshold_hides_a_group_of_three() -> None:
    policy = AnonymityPolicy(thresholds={RaterGroup.PEER: 5})
    report = aggregate_360("ana", Q, [peer(i, 3) for i in range(3)], policy)
    assert not next(g for g in report.groups if g.group == "peer").included


def test_questionnaire_without_questions_is_refused() -> None:
    with pytest.raises(ReviewError, match="at least one question"):
        Questionnaire(questions=())


def test_reviewee_rating_themselves_as_a_peer_is_refused() -> None:
    with pytest.raises(ReviewError, match="cannot rate themselves as peer"):
        aggregate_360("ana", Q, [Response("ana", RaterGroup.PEER, {"q1": 5})])


def test_rating_outside_the_scale_is_refused_with_its_place() -> None:
    with pytest.raises(ReviewError) as caught:
        aggregate_360("ana", Q, [peer(1, 9)])
    assert caught.value.errors[0].field == "responses[0].ratings.q1"


def test_two_responses_from_one_rater_are_refused() -> None:
    with pytest.raises(ReviewError, match="already has a response"):
        aggregate_360("ana", Q, [peer(1, 3), peer(1, 4)])


def test_who_may_read_a_report_before_and_after_release() -> None:
    before = {r for r in ViewerRelation if can_view_report(r, released=False)}
    after = {r for r in ViewerRelation if can_view_report(r, released=True)}
    assert before == {ViewerRelation.CYCLE_OWNER, ViewerRelation.ADMIN}
    assert after == before | {ViewerRelation.SUBJECT, ViewerRelation.MANAGER}

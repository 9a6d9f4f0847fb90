"""Property tests: over random cycles, groups and viewers, no report reveals who wrote what.

Rater ids and comment texts are drawn from disjoint alphabets so that a leak is unambiguous.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.people.engine.reviews import (
    ANONYMOUS_GROUPS,
    AnonymityPolicy,
    Question,
    Questionnaire,
    RaterGroup,
    Response,
    ViewerRelation,
    aggregate_360,
    report_for_viewer,
)

SUBJECT = "RATERSUBJECT"
QUESTIONNAIRE = Questionnaire(
    questions=(
        Question("q1", "one", competency_id="c1"),
        Question("q2", "two", competency_id="c1"),
        Question("q3", "three", competency_id="c2"),
        Question("free", "comment", kind="comment"),
    )
)
RATING_IDS = ("q1", "q2", "q3")


@st.composite
def cycles(draw: st.DrawFn) -> tuple[list[Response], AnonymityPolicy]:
    """A random review: 0–6 raters per anonymous group, optional self and manager, skipped questions,
    unique comment texts, and a random (legal) policy."""
    responses: list[Response] = []
    counter = 0
    for group in RaterGroup:
        if group is RaterGroup.SELF:
            size = draw(st.integers(0, 1))
        elif group is RaterGroup.MANAGER:
            size = draw(st.integers(0, 2))
        else:
            size = draw(st.integers(0, 6))
        for _ in range(size):
            counter += 1
            rater = SUBJECT if group is RaterGroup.SELF else f"RATER{counter:03d}X"
            values = draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=3, max_size=3))
            ratings = dict(zip(RATING_IDS, values, strict=True))
            comment = draw(st.booleans())
            comments = {"free": f"comment text number {counter} lorem"} if comment else {}
            responses.append(Response(rater, group, ratings, comments))
    policy = AnonymityPolicy(
        thresholds={g: draw(st.integers(3, 5)) for g in ANONYMOUS_GROUPS},
        comment_threshold=draw(st.one_of(st.none(), st.integers(3, 6))),
        min_all_others=draw(st.integers(3, 6)),
    )
    return responses, policy


def _anonymous_raters(responses: list[Response]) -> set[str]:
    return {r.rater_id for r in responses if r.group in ANONYMOUS_GROUPS}


@settings(max_examples=75, deadline=None)
@given(cycle=cycles(), relation=st.sampled_from(list(ViewerRelation)), released=st.booleans())
def test_no_view_contains_an_anonymous_raters_identity(
    cycle: tuple[list[Response], AnonymityPolicy], relation: ViewerRelation, released: bool
) -> None:
    responses, policy = cycle
    view = report_for_viewer(aggregate_360(SUBJECT, QUESTIONNAIRE, responses, policy), relation, released)
    text = json.dumps(view.to_dict() if view else None)
    for rater in _anonymous_raters(responses):
        assert rater not in text


@settings(max_examples=75, deadline=None)
@given(cycle=cycles(), seed=st.integers(0, 10_000))
def test_report_depends_only_on_the_multiset_of_answers_per_group(
    cycle: tuple[list[Response], AnonymityPolicy], seed: int
) -> None:
    """Shuffling submission order and swapping which anonymous rater gave which answers changes nothing,
    so neither the order of comments nor any figure can point at a person."""
    responses, policy = cycle
    rng = random.Random(seed)
    shuffled = responses[:]
    rng.shuffle(shuffled)
    swapped: list[Response] = []
    for group in RaterGroup:
        members = [r for r in shuffled if r.group is group]
        if group in ANONYMOUS_GROUPS:
            ids = [r.rater_id for r in members]
            rng.shuffle(ids)
            members = [replace(r, rater_id=i) for r, i in zip(members, ids, strict=True)]
        swapped += members
    rng.shuffle(swapped)
    original = aggregate_360(SUBJECT, QUESTIONNAIRE, responses, policy)
    assert aggregate_360(SUBJECT, QUESTIONNAIRE, swapped, policy) == original


@settings(max_examples=75, deadline=None)
@given(cycle=cycles())
def test_a_group_below_threshold_leaves_no_trace(cycle: tuple[list[Response], AnonymityPolicy]) -> None:
    responses, policy = cycle
    report = aggregate_360(SUBJECT, QUESTIONNAIRE, responses, policy)
    text = json.dumps(report.to_dict())
    for group in ANONYMOUS_GROUPS:
        members = [r for r in responses if r.group is group]
        if len(members) >= policy.threshold(group):
            continue
        summary = next(g for g in report.groups if g.group == group.value)
        assert not summary.included and summary.responses is None
        assert all(s.group != group.value for q in report.questions for s in q.by_group)
        assert all(b.group != group.value for b in report.comments)
        for r in members:
            for comment in r.comments.values():
                assert comment not in text
        # removing the dropped group entirely yields the same report: nothing of it was merged elsewhere
        without = [r for r in responses if r.group is not group]
        assert aggregate_360(SUBJECT, QUESTIONNAIRE, without, policy) == report


@settings(max_examples=75, deadline=None)
@given(cycle=cycles())
def test_every_shown_anonymous_figure_rests_on_enough_answers(
    cycle: tuple[list[Response], AnonymityPolicy],
) -> None:
    responses, policy = cycle
    report = aggregate_360(SUBJECT, QUESTIONNAIRE, responses, policy)
    for question in report.questions:
        for score in question.by_group:
            group = RaterGroup(score.group)
            if group in ANONYMOUS_GROUPS and score.mean is not None:
                answered = [r for r in responses if r.group is group and r.ratings.get(question.question_id)]
                assert score.count == len(answered) >= policy.threshold(group)
        if question.others_mean is not None:
            assert question.others_count is not None and question.others_count >= policy.min_all_others
    for block in report.comments:
        group = RaterGroup(block.group)
        if group in ANONYMOUS_GROUPS:
            assert sum(r.group is group for r in responses) >= policy.comments_threshold(group)


@settings(max_examples=30, deadline=None)
@given(cycle=cycles())
def test_peers_and_outsiders_never_see_a_report(cycle: tuple[list[Response], AnonymityPolicy]) -> None:
    responses, policy = cycle
    report = aggregate_360(SUBJECT, QUESTIONNAIRE, responses, policy)
    for released in (False, True):
        assert report_for_viewer(report, ViewerRelation.RATER, released) is None
        assert report_for_viewer(report, ViewerRelation.OTHER, released) is None

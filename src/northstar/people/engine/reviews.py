"""360-degree review aggregation with an anonymity guarantee.

Inputs are the questionnaire, the reviewee and the submitted responses (each tagged with the rater's
group); the output is a :class:`Report360` that by construction carries **no rater identity for an
anonymous group** (peers, direct reports, cross-functional partners):

* Every anonymous group has a threshold (default 3, never below 3). A group with fewer responses than its
  threshold is dropped whole: no scores, no comments, no count, and it is not folded into any other
  figure. Within a group that passes, a single question answered by fewer raters than the threshold is
  blanked too, so a skipped question cannot expose one person's score.
* Comments of an anonymous group are shown only when the group also meets the comment threshold
  (default: the group's threshold), and are ordered by a hash of their text, so their order says nothing
  about who wrote them or when.
* The report is a function of the *multiset* of responses per group: reordering responses or swapping
  which rater gave which answer inside a group yields an identical report (the property tests check this).
* Self and manager are shown as single, labelled values; the manager group is marked as not anonymous.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from northstar.core.errors import FieldError, ValidationFailed

MIN_ANONYMITY_THRESHOLD = 3
DEFAULT_THRESHOLD = 3
DEFAULT_MIN_ALL_OTHERS = 4


class ReviewError(ValidationFailed):
    type_slug = "invalid-review"
    title = "Invalid 360-degree review input"


class RaterGroup(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    DIRECT_REPORT = "direct_report"
    CROSS_FUNCTIONAL = "cross_functional"


ANONYMOUS_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.CROSS_FUNCTIONAL)
GROUP_LABELS = {
    RaterGroup.SELF: "Self",
    RaterGroup.MANAGER: "Manager (not anonymous)",
    RaterGroup.PEER: "Peers",
    RaterGroup.DIRECT_REPORT: "Direct reports",
    RaterGroup.CROSS_FUNCTIONAL: "Cross-functional partners",
}


@dataclass(frozen=True)
class AnonymityPolicy:
    """Minimum responses per anonymous group; nothing below 3 is accepted."""

    thresholds: Mapping[RaterGroup, int] = field(
        default_factory=lambda: dict.fromkeys(ANONYMOUS_GROUPS, DEFAULT_THRESHOLD)
    )
    comment_threshold: int | None = None
    min_all_others: int = DEFAULT_MIN_ALL_OTHERS

    def __post_init__(self) -> None:
        problems = []
        for group, value in self.thresholds.items():
            if RaterGroup(group) not in ANONYMOUS_GROUPS:
                problems.append(FieldError(f"thresholds.{group}", "only anonymous groups have a threshold"))
            elif int(value) < MIN_ANONYMITY_THRESHOLD:
                problems.append(
                    FieldError(
                        f"thresholds.{group}", f"must be at least {MIN_ANONYMITY_THRESHOLD}, got {value}"
                    )
                )
        if self.comment_threshold is not None and self.comment_threshold < MIN_ANONYMITY_THRESHOLD:
            problems.append(FieldError("comment_threshold", f"must be at least {MIN_ANONYMITY_THRESHOLD}"))
        if self.min_all_others < MIN_ANONYMITY_THRESHOLD:
            problems.append(FieldError("min_all_others", f"must be at least {MIN_ANONYMITY_THRESHOLD}"))
        if problems:
            raise ReviewError(
                f"Anonymity thresholds can be raised but never set below {MIN_ANONYMITY_THRESHOLD}.",
                errors=problems,
            )

    def threshold(self, group: RaterGroup) -> int:
        return max(int(self.thresholds.get(group, DEFAULT_THRESHOLD)), MIN_ANONYMITY_THRESHOLD)

    def comments_threshold(self, group: RaterGroup) -> int:
        return max(self.threshold(group), self.comment_threshold or 0)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str = "rating"  # "rating" or "comment"
    competency_id: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    """The same questions for every reviewee in a cycle, ratings on ``scale_min``…``scale_max``."""

    questions: tuple[Question, ...]
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems: list[FieldError] = []
        if not self.questions:
            problems.append(FieldError("questions", "a questionnaire needs at least one question"))
        ids = [q.id for q in self.questions]
        for qid in {i for i in ids if ids.count(i) > 1}:
            problems.append(FieldError("questions", f"question id '{qid}' appears more than once"))
        for q in self.questions:
            if q.kind not in ("rating", "comment"):
                problems.append(FieldError(f"questions.{q.id}.kind", "kind must be 'rating' or 'comment'"))
            if not q.text.strip():
                problems.append(FieldError(f"questions.{q.id}.text", "question text is empty"))
        if self.scale_min >= self.scale_max:
            problems.append(FieldError("scale", "scale_min must be below scale_max"))
        if problems:
            raise ReviewError(f"Invalid questionnaire: {problems[0].message}.", errors=problems)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Response:
    """One rater's submitted answers. ``rater_id`` is used for validation only and never reaches a report
    for an anonymous group."""

    rater_id: str
    group: RaterGroup
    ratings: Mapping[str, int | None] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupSummary:
    group: str
    label: str
    anonymous: bool
    included: bool
    responses: int | None  # None for a dropped group: even its size is withheld
    reason: str = ""
    named_raters: tuple[str, ...] = ()  # filled only for self and manager


@dataclass(frozen=True)
class GroupScore:
    group: str
    mean: float | None
    count: int | None


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    text: str
    competency_id: str | None
    self_score: float | None
    others_mean: float | None
    others_count: int | None
    by_group: tuple[GroupScore, ...]

    @property
    def self_other_gap(self) -> float | None:
        if self.self_score is None or self.others_mean is None:
            return None
        return round(self.self_score - self.others_mean, 4)


@dataclass(frozen=True)
class CompetencyResult:
    competency_id: str
    self_score: float | None
    others_mean: float | None
    by_group: tuple[GroupScore, ...]


@dataclass(frozen=True)
class CommentBlock:
    group: str
    label: str
    question_id: str
    comments: tuple[str, ...]


@dataclass(frozen=True)
class Report360:
    subject_id: str
    scale_min: int
    scale_max: int
    groups: tuple[GroupSummary, ...]
    questions: tuple[QuestionResult, ...]
    competencies: tuple[CompetencyResult, ...]
    comments: tuple[CommentBlock, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _validate_responses(subject_id: str, questionnaire: Questionnaire, responses: list[Response]) -> None:
    problems: list[FieldError] = []
    seen: set[str] = set()
    for index, r in enumerate(responses):
        where = f"responses[{index}]"
        if r.rater_id in seen:
            problems.append(FieldError(where, "this rater already has a response in this review"))
        seen.add(r.rater_id)
        if r.group is RaterGroup.SELF and r.rater_id != subject_id:
            problems.append(FieldError(where, "only the reviewee can give the self-rating"))
        if r.group is not RaterGroup.SELF and r.rater_id == subject_id:
            problems.append(FieldError(where, f"the reviewee cannot rate themselves as {r.group.value}"))
        for qid, value in r.ratings.items():
            q = questionnaire.question(qid)
            if q is None or q.kind != "rating":
                problems.append(
                    FieldError(f"{where}.ratings.{qid}", "not a rating question of this questionnaire")
                )
            elif value is not None and not questionnaire.scale_min <= value <= questionnaire.scale_max:
                problems.append(
                    FieldError(
                        f"{where}.ratings.{qid}",
                        f"rating {value} is outside the scale "
                        f"{questionnaire.scale_min}-{questionnaire.scale_max}",
                    )
                )
        for qid in r.comments:
            if questionnaire.question(qid) is None:
                problems.append(FieldError(f"{where}.comments.{qid}", "not a question of this questionnaire"))
    if problems:
        raise ReviewError(f"Invalid responses: {problems[0].field}: {problems[0].message}.", errors=problems)


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _comment_order_key(text: str) -> tuple[str, str]:
    """Hash of the text: stable, independent of who wrote it and when."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def _responses_by_group(responses: list[Response]) -> dict[RaterGroup, list[Response]]:
    by_group: dict[RaterGroup, list[Response]] = {}
    for r in responses:
        by_group.setdefault(r.group, []).append(r)
    return by_group


def _group_summaries(
    by_group: dict[RaterGroup, list[Response]], policy: AnonymityPolicy
) -> tuple[tuple[GroupSummary, ...], set[RaterGroup]]:
    summaries: list[GroupSummary] = []
    included: set[RaterGroup] = set()
    for group in RaterGroup:
        members = by_group.get(group, [])
        if group in ANONYMOUS_GROUPS:
            needed = policy.threshold(group)
            ok = len(members) >= needed
            summaries.append(
                GroupSummary(
                    group=group.value,
                    label=GROUP_LABELS[group],
                    anonymous=True,
                    included=ok,
                    responses=len(members) if ok else None,
                    reason="" if ok else f"fewer than {needed} responses; not shown, to protect anonymity",
                )
            )
        else:
            ok = bool(members)
            summaries.append(
                GroupSummary(
                    group=group.value,
                    label=GROUP_LABELS[group],
                    anonymous=False,
                    included=ok,
                    responses=len(members),
                    reason="" if ok else "no response",
                    named_raters=tuple(sorted(r.rater_id for r in members)),
                )
            )
        if ok:
            included.add(group)
    return tuple(summaries), included


def _group_score(group: RaterGroup, values: list[int], policy: AnonymityPolicy) -> GroupScore:
    if group in ANONYMOUS_GROUPS and len(values) < policy.threshold(group):
        return GroupScore(group=group.value, mean=None, count=None)
    return GroupScore(group=group.value, mean=_mean(values), count=len(values))


def _question_result(
    question: Question,
    by_group: dict[RaterGroup, list[Response]],
    included: set[RaterGroup],
    policy: AnonymityPolicy,
) -> QuestionResult:
    scores: list[GroupScore] = []
    others_values: list[int] = []
    self_score: float | None = None
    for group in RaterGroup:
        if group not in included:
            continue
        values = [v for r in by_group[group] if (v := r.ratings.get(question.id)) is not None]
        score = _group_score(group, values, policy)
        if group is RaterGroup.SELF:
            self_score = score.mean
            continue
        scores.append(score)
        if score.mean is not None:
            others_values += values
    show_others = len(others_values) >= policy.min_all_others
    return QuestionResult(
        question_id=question.id,
        text=question.text,
        competency_id=question.competency_id,
        self_score=self_score,
        others_mean=_mean(others_values) if show_others else None,
        others_count=len(others_values) if show_others else None,
        by_group=tuple(scores),
    )


def _competency_results(questions: list[QuestionResult]) -> tuple[CompetencyResult, ...]:
    """Per competency: the mean of the *visible* question means, so nothing hidden leaks back in."""
    results = []
    competency_ids = sorted({q.competency_id for q in questions if q.competency_id})
    for cid in competency_ids:
        mine = [q for q in questions if q.competency_id == cid]
        groups: dict[str, list[float]] = {}
        for q in mine:
            for s in q.by_group:
                if s.mean is not None:
                    groups.setdefault(s.group, []).append(s.mean)
        self_values = [q.self_score for q in mine if q.self_score is not None]
        others = [q.others_mean for q in mine if q.others_mean is not None]
        results.append(
            CompetencyResult(
                competency_id=cid,
                self_score=round(sum(self_values) / len(self_values), 4) if self_values else None,
                others_mean=round(sum(others) / len(others), 4) if others else None,
                by_group=tuple(
                    GroupScore(group=g, mean=round(sum(v) / len(v), 4), count=None)
                    for g, v in sorted(groups.items())
                ),
            )
        )
    return tuple(results)


def _comment_blocks(
    questionnaire: Questionnaire,
    by_group: dict[RaterGroup, list[Response]],
    included: set[RaterGroup],
    policy: AnonymityPolicy,
) -> tuple[CommentBlock, ...]:
    blocks: list[CommentBlock] = []
    for group in RaterGroup:
        if group not in included:
            continue
        members = by_group[group]
        if group in ANONYMOUS_GROUPS and len(members) < policy.comments_threshold(group):
            continue
        for question in questionnaire.questions:
            texts = [t.strip() for r in members if (t := r.comments.get(question.id)) and t.strip()]
            if texts:
                blocks.append(
                    CommentBlock(
                        group=group.value,
                        label=GROUP_LABELS[group],
                        question_id=question.id,
                        comments=tuple(sorted(texts, key=_comment_order_key)),
                    )
                )
    return tuple(blocks)


def aggregate_360(
    subject_id: str,
    questionnaire: Questionnaire,
    responses: Iterable[Response],
    policy: AnonymityPolicy | None = None,
) -> Report360:
    """Aggregate submitted responses into the anonymity-safe report (see the module docstring)."""
    policy = policy or AnonymityPolicy()
    listed = list(responses)
    _validate_responses(subject_id, questionnaire, listed)
    by_group = _responses_by_group(listed)
    summaries, included = _group_summaries(by_group, policy)
    questions = [
        _question_result(q, by_group, included, policy) for q in questionnaire.questions if q.kind == "rating"
    ]
    return Report360(
        subject_id=subject_id,
        scale_min=questionnaire.scale_min,
        scale_max=questionnaire.scale_max,
        groups=summaries,
        questions=tuple(questions),
        competencies=_competency_results(questions),
        comments=_comment_blocks(questionnaire, by_group, included, policy),
    )


class ViewerRelation(StrEnum):
    """How the person looking at a report relates to it."""

    SUBJECT = "subject"
    MANAGER = "manager"
    CYCLE_OWNER = "cycle_owner"
    ADMIN = "admin"
    RATER = "rater"
    OTHER = "other"


def can_view_report(relation: ViewerRelation, released: bool) -> bool:
    """Who may read a 360 report: the cycle owner and admins always (for calibration and release),
    the reviewee and their manager once the cycle owner has released it, nobody else ever.

    Whoever may read it sees the same anonymised :class:`Report360`; there is no richer view."""
    if relation in (ViewerRelation.CYCLE_OWNER, ViewerRelation.ADMIN):
        return True
    if relation in (ViewerRelation.SUBJECT, ViewerRelation.MANAGER):
        return released
    return False


def report_for_viewer(report: Report360, relation: ViewerRelation, released: bool) -> Report360 | None:
    """The report if ``relation`` may read it, else ``None``."""
    return report if can_view_report(relation, released) else None

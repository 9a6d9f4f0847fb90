"""Scoring a maturity assessment: strict level, coverage, stage filter and gap analysis.

Rules (also in docs/maturity.md):

* **Not applicable.** A capability is not applicable when it is answered "na" or when it does not apply
  to the chosen company stage. Not-applicable capabilities are skipped by every rule below.
* **Strict level per focus area.** Walk the applicable capabilities in order (A, B, …); the first one
  that is not answered "yes" (partial, no and unanswered all count as unmet) blocks the area, and the
  area's level is that capability's level minus one. An area with nothing unmet reaches ``max_level``.
* **Business function and overall level** are the minimum over their focus areas.
* **Coverage** of an area is ``(yes + partial_credit × partial) / applicable`` (partial credit 0.5 by
  default); unanswered questions count as zero but stay in the denominator. An area with no applicable
  capability has no coverage (``None``).
* **Gap analysis** lists every applicable unmet capability, ordered by level, then model order; the first
  unmet capability of each area is marked *blocking*. The stage's target level marks which gaps matter
  for the stage now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from northstar.maturity.engine.model import Answer, Capability, FocusArea, MaturityModel, ModelError


@dataclass(frozen=True)
class AreaScore:
    area_id: str
    name: str
    function_id: str
    level: int
    coverage: float | None
    applicable: int
    yes: int
    partial: int
    no: int
    unanswered: int
    not_applicable: int
    blocking_capability: str | None


@dataclass(frozen=True)
class FunctionScore:
    function_id: str
    name: str
    level: int


@dataclass(frozen=True)
class Gap:
    capability: Capability
    answer: str | None
    blocking: bool
    within_target: bool


@dataclass(frozen=True)
class AssessmentResult:
    stage: str | None
    target_level: int | None
    overall_level: int
    overall_coverage: float | None
    functions: tuple[FunctionScore, ...]
    areas: tuple[AreaScore, ...]
    gaps: tuple[Gap, ...]

    def area(self, area_id: str) -> AreaScore:
        return next(a for a in self.areas if a.area_id == area_id)

    def next_steps(self, limit: int = 5) -> tuple[Gap, ...]:
        """The lowest-level gaps first: the capabilities that unlock the next levels."""
        return self.gaps[:limit]


def _normalise(answers: Mapping[str, Answer | str | None], model: MaturityModel) -> dict[str, Answer]:
    known = {c.id for c in model.capabilities()}
    result: dict[str, Answer] = {}
    for cap_id, raw in answers.items():
        if cap_id not in known:
            raise ModelError(f"Answer for unknown capability '{cap_id}'.")
        if raw is None or raw == "":
            continue
        try:
            result[cap_id] = Answer(raw)
        except ValueError:
            raise ModelError(f"Answer '{raw}' for '{cap_id}' must be one of yes, partial, no, na.")
    return result


def _score_area(
    area: FocusArea, answers: dict[str, Answer], stage: str | None, model: MaturityModel
) -> tuple[AreaScore, list[tuple[Capability, Answer | None, bool]]]:
    counts = {"yes": 0, "partial": 0, "no": 0, "unanswered": 0, "na": 0}
    level: int | None = None
    blocking: str | None = None
    unmet: list[tuple[Capability, Answer | None, bool]] = []
    for cap in area.capabilities:
        answer = answers.get(cap.id)
        if not cap.applies_to(stage) or answer is Answer.NOT_APPLICABLE:
            counts["na"] += 1
            continue
        key = answer.value if answer is not None else "unanswered"
        counts[key] += 1
        if answer is not Answer.YES:
            is_first = level is None
            if is_first:
                level, blocking = cap.level - 1, cap.id
            unmet.append((cap, answer, is_first))
    applicable = counts["yes"] + counts["partial"] + counts["no"] + counts["unanswered"]
    coverage = (counts["yes"] + model.partial_credit * counts["partial"]) / applicable if applicable else None
    score = AreaScore(
        area_id=area.id,
        name=area.name,
        function_id=area.function_id,
        level=model.max_level if level is None else level,
        coverage=round(coverage, 4) if coverage is not None else None,
        applicable=applicable,
        yes=counts["yes"],
        partial=counts["partial"],
        no=counts["no"],
        unanswered=counts["unanswered"],
        not_applicable=counts["na"],
        blocking_capability=blocking,
    )
    return score, unmet


def score_assessment(
    model: MaturityModel, answers: Mapping[str, Answer | str | None], stage: str | None = None
) -> AssessmentResult:
    """Score ``answers`` (capability id → yes / partial / no / na) against ``model`` for ``stage``."""
    target = model.stage(stage).target_level if stage is not None else None
    normalised = _normalise(answers, model)
    areas: list[AreaScore] = []
    unmet_all: list[tuple[int, Capability, Answer | None, bool]] = []
    for order, area in enumerate(model.areas()):
        score, unmet = _score_area(area, normalised, stage, model)
        areas.append(score)
        unmet_all += [(order, cap, ans, first) for cap, ans, first in unmet]
    functions = tuple(
        FunctionScore(fn.id, fn.name, min(a.level for a in areas if a.function_id == fn.id))
        for fn in model.functions
    )
    unmet_all.sort(key=lambda item: (item[1].level, item[0], item[1].code))
    gaps = tuple(
        Gap(
            capability=cap,
            answer=ans.value if ans is not None else None,
            blocking=first,
            within_target=target is None or cap.level <= target,
        )
        for _, cap, ans, first in unmet_all
    )
    applicable = sum(a.applicable for a in areas)
    credit = sum(a.yes + model.partial_credit * a.partial for a in areas)
    return AssessmentResult(
        stage=stage,
        target_level=target,
        overall_level=min(a.level for a in areas),
        overall_coverage=round(credit / applicable, 4) if applicable else None,
        functions=functions,
        areas=tuple(areas),
        gaps=gaps,
    )


@dataclass(frozen=True)
class AreaChange:
    area_id: str
    name: str
    level_before: int
    level_after: int
    coverage_before: float | None
    coverage_after: float | None

    @property
    def level_change(self) -> int:
        return self.level_after - self.level_before


def compare_results(before: AssessmentResult, after: AssessmentResult) -> tuple[AreaChange, ...]:
    """Per focus area, the level and coverage at two dates (areas present in both results)."""
    earlier = {a.area_id: a for a in before.areas}
    return tuple(
        AreaChange(
            a.area_id, a.name, earlier[a.area_id].level, a.level, earlier[a.area_id].coverage, a.coverage
        )
        for a in after.areas
        if a.area_id in earlier
    )

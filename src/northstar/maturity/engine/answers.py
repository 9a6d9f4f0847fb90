"""Combining evidence with the user's own answers.

A capability that has an evidence rule is pre-answered from the finding. The user can answer any
capability themselves; when their answer differs from the evidence, a note is required so that the
override is explained in the assessment's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from northstar.core.errors import FieldError
from northstar.maturity.engine.evidence import EvidenceFinding
from northstar.maturity.engine.model import Answer, MaturityModel, ModelError


@dataclass(frozen=True)
class ManualAnswer:
    answer: str
    note: str = ""


@dataclass(frozen=True)
class ResolvedAnswer:
    capability_id: str
    answer: str | None
    source: str  # "evidence", "manual", "override" or "none"
    evidence: str = ""
    note: str = ""


def resolve_answers(
    model: MaturityModel,
    findings: Mapping[str, EvidenceFinding],
    manual: Mapping[str, ManualAnswer],
) -> dict[str, ResolvedAnswer]:
    """One resolved answer per capability of the model; raises :class:`ModelError` when an override of
    evidence comes without a note, or an answer is not one of yes, partial, no, na."""
    problems: list[FieldError] = []
    resolved: dict[str, ResolvedAnswer] = {}
    known = {c.id for c in model.capabilities()}
    for cap_id in manual:
        if cap_id not in known:
            problems.append(FieldError(cap_id, "unknown capability"))
    for cap in model.capabilities():
        finding = findings.get(cap.evidence) if cap.evidence else None
        mine = manual.get(cap.id)
        if mine is not None and mine.answer not in {a.value for a in Answer}:
            problems.append(FieldError(cap.id, f"answer '{mine.answer}' must be one of yes, partial, no, na"))
            continue
        if mine is None:
            if finding is not None:
                resolved[cap.id] = ResolvedAnswer(cap.id, finding.answer, "evidence", finding.summary)
            else:
                resolved[cap.id] = ResolvedAnswer(cap.id, None, "none")
            continue
        if finding is not None and finding.answer != mine.answer:
            if not mine.note.strip():
                problems.append(FieldError(cap.id, "a note is needed to override what the data shows"))
                continue
            resolved[cap.id] = ResolvedAnswer(
                cap.id, mine.answer, "override", finding.summary, mine.note.strip()
            )
        else:
            evidence = finding.summary if finding is not None else ""
            resolved[cap.id] = ResolvedAnswer(cap.id, mine.answer, "manual", evidence, mine.note.strip())
    if problems:
        raise ModelError(f"Invalid answers: {problems[0].field}: {problems[0].message}.", problems)
    return resolved


def answer_map(resolved: Mapping[str, ResolvedAnswer]) -> dict[str, str | None]:
    """The plain capability → answer mapping that :func:`score_assessment` takes."""
    return {cap_id: r.answer for cap_id, r in resolved.items()}

"""Demo content of the maturity module: two assessments half a year apart (called by ``northstar demo``).

The earlier one is answered by hand only; the later one also draws on the evidence the demo company's
records provide (feedback, ideas, key results, the people module's ladder, 1:1s and 360 cycle).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.maturity import service
from northstar.maturity.schemas import AnswerIn, AssessmentCreate


def _answers(yes_up_to: int, partial_up_to: int) -> dict[str, AnswerIn]:
    answers = {}
    for cap in service.model().capabilities():
        if cap.level <= yes_up_to:
            answers[cap.id] = AnswerIn(answer="yes")
        elif cap.level <= partial_up_to:
            answers[cap.id] = AnswerIn(answer="partial")
        else:
            answers[cap.id] = AnswerIn(answer="no")
    return answers


def _with_notes(
    session: Session, actor: Actor, on: date, answers: dict[str, AnswerIn], note: str
) -> dict[str, AnswerIn]:
    """Keep the evidence where it agrees or is better; where the records show less than the team knows
    (work done outside Northstar), keep the hand answer with a note, as a user would."""
    findings = service.evidence(session, actor, on)
    rank = {"no": 0, "partial": 1, "yes": 2}
    result = dict(answers)
    for cap in service.model().capabilities():
        if not cap.evidence or cap.id not in answers:
            continue
        found = findings[cap.evidence].answer
        if rank[found] >= rank.get(answers[cap.id].answer, 0):
            del result[cap.id]
        else:
            result[cap.id] = AnswerIn(answer=answers[cap.id].answer, note=note)
    return result


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    today: date = context.company.as_of.date() if hasattr(context.company.as_of, "date") else date.today()
    earlier = today - timedelta(days=182)
    before = _with_notes(session, actor, earlier, _answers(2, 4), "Answered in the first maturity workshop.")
    service.assess(session, actor, AssessmentCreate(stage="scale-up", assessed_on=earlier, answers=before))
    after = _with_notes(session, actor, today, _answers(4, 6), "Done in spreadsheets; not yet in Northstar.")
    service.assess(session, actor, AssessmentCreate(stage="scale-up", assessed_on=today, answers=after))

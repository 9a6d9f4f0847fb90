"""Use cases of the maturity module: gather evidence from the workspace, record and score assessments,
compare two dates, export as PDF, and show the Head of Product checklist for the company stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea
from northstar.maturity.engine.answers import ManualAnswer, ResolvedAnswer, answer_map, resolve_answers
from northstar.maturity.engine.evidence import EvidenceFinding, OneOnOnePair, WorkspaceFacts, evaluate_all
from northstar.maturity.engine.model import MaturityModel, load_default_model
from northstar.maturity.engine.scoring import AreaChange, AssessmentResult, compare_results, score_assessment
from northstar.maturity.models import MaturityAnswer, MaturityAssessment
from northstar.maturity.schemas import AssessmentCreate
from northstar.people import evidence as people_facts
from northstar.people.engine.head_of_product import ChecklistItem, responsibilities_checklist
from northstar.strategy.models import KeyResult
from northstar.teams.models import Person

SCORE_KEYS = ({"reach", "impact", "confidence", "effort"}, {"business_value", "time_criticality", "effort"})
OPEN_STATUSES = ("new", "under_review", "planned", "in_progress")


def model() -> MaturityModel:
    return load_default_model()


def _day(value: object) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[return-value]


def _idea_facts(session: Session, workspace_id: int) -> dict[str, int]:
    open_ideas = scored = candidates = costed = shipped = 0
    for status, inputs in session.execute(
        select(Idea.status, Idea.inputs).where(Idea.workspace_id == workspace_id)
    ):
        keys = {k for k, v in (inputs or {}).items() if v not in (None, "")}
        if status == "shipped":
            shipped += 1
        if status in OPEN_STATUSES:
            open_ideas += 1
            scored += any(required <= keys for required in SCORE_KEYS) or "score" in keys
        if status in ("new", "under_review", "planned"):
            candidates += 1
            costed += bool(keys & {"one_off_cost", "benefit_per_quarter"})
    return {
        "open_ideas": open_ideas,
        "open_ideas_scored": scored,
        "candidate_ideas": candidates,
        "candidate_ideas_costed": costed,
        "shipped_ideas": shipped,
    }


def _portfolio_solve_dates(session: Session, actor: Actor) -> list[date]:
    """Dates of portfolio solves from the decision module's plans (through its service), if installed."""
    try:
        from northstar.decisions import service as decisions
    except ImportError:  # the decision module is optional for this rule
        return []
    return [_day(p.solved_at) for p in decisions.list_plans(session, actor) if p.solved_at and p.portfolio]


def _budget_facts(session: Session, actor: Actor, today: date) -> dict[str, int]:
    """Plan lines whose period has begun and how many have actual spend, from the budget module's service."""
    try:
        from northstar.budget import service as budget
    except ImportError:  # the budget module is optional for this rule
        return {}
    begun, with_actuals = budget.evidence_counts(session, actor, today)
    return {"budget_lines": begun, "budget_lines_with_actuals": with_actuals}


def gather_facts(session: Session, actor: Actor, today: date | None = None) -> WorkspaceFacts:
    """The plain facts the evidence rules read, collected from this workspace's records."""
    actor.require(READ)
    today = today or date.today()
    ws = actor.workspace_id
    since = today - timedelta(weeks=8)
    feedback_dates = [
        _day(d)
        for d in session.scalars(
            select(Feedback.received_at).where(
                Feedback.workspace_id == ws, func.date(Feedback.received_at) >= since
            )
        )
    ]
    key_results = (
        session.scalar(select(func.count()).select_from(KeyResult).where(KeyResult.workspace_id == ws)) or 0
    )
    bound = (
        session.scalar(
            select(func.count())
            .select_from(KeyResult)
            .where(KeyResult.workspace_id == ws, KeyResult.metric.is_not(None), KeyResult.metric != "")
        )
        or 0
    )
    metrics = session.scalar(
        select(func.count(func.distinct(KeyResult.metric))).where(
            KeyResult.workspace_id == ws, KeyResult.metric != ""
        )
    )
    people = people_facts.facts(session, ws, today)
    pairs = [OneOnOnePair(*pair) for pair in people.pop("one_on_one_pairs")]
    assessments = list(
        session.scalars(select(MaturityAssessment.assessed_on).where(MaturityAssessment.workspace_id == ws))
    )
    return WorkspaceFacts(
        today=today,
        feedback_dates=feedback_dates,
        key_results=key_results,
        portfolio_solve_dates=_portfolio_solve_dates(session, actor),
        key_results_bound=bound,
        metrics_defined=metrics or 0,
        one_on_one_pairs=pairs,
        maturity_assessment_dates=assessments,
        **_idea_facts(session, ws),  # type: ignore[arg-type]
        **_budget_facts(session, actor, today),  # type: ignore[arg-type]
        **people,  # type: ignore[arg-type]
    )


def evidence(session: Session, actor: Actor, today: date | None = None) -> dict[str, EvidenceFinding]:
    return evaluate_all(gather_facts(session, actor, today))


def assess(
    session: Session, actor: Actor, data: AssessmentCreate, today: date | None = None
) -> MaturityAssessment:
    """Record an assessment: evidence pre-answers what the data shows, the user's answers override it (a
    different answer needs a note), and the scored summary is kept for the history."""
    actor.require("maturity.write")
    the_model = model()
    on = data.assessed_on or today or date.today()
    findings = evidence(session, actor, on)
    manual = {cid: ManualAnswer(a.answer, a.note) for cid, a in data.answers.items()}
    resolved = resolve_answers(the_model, findings, manual)
    result = score_assessment(the_model, answer_map(resolved), data.stage)
    row = MaturityAssessment(
        workspace_id=actor.workspace_id,
        assessed_on=on,
        stage=data.stage,
        model_version=the_model.version,
        created_by=actor.user_id,
        summary={
            "overall_level": result.overall_level,
            "overall_coverage": result.overall_coverage,
            "areas": {a.area_id: {"level": a.level, "coverage": a.coverage} for a in result.areas},
        },
    )
    session.add(row)
    session.flush()
    session.add_all(
        MaturityAnswer(
            workspace_id=actor.workspace_id,
            assessment_id=row.id,
            capability_id=r.capability_id,
            answer=r.answer,
            source=r.source,
            evidence=r.evidence,
            note=r.note,
        )
        for r in resolved.values()
    )
    session.flush()
    audit.record(
        session,
        actor,
        "assess",
        "maturity_assessment",
        row.id,
        f"level {result.overall_level} ({data.stage})",
    )
    return row


def list_assessments(session: Session, actor: Actor) -> list[MaturityAssessment]:
    actor.require(READ)
    return list(
        session.scalars(
            select(MaturityAssessment)
            .where(MaturityAssessment.workspace_id == actor.workspace_id)
            .order_by(MaturityAssessment.assessed_on.desc(), MaturityAssessment.id.desc())
        )
    )


@dataclass(frozen=True)
class AssessmentReport:
    assessment: MaturityAssessment
    result: AssessmentResult
    answers: dict[str, ResolvedAnswer]


def get_report(session: Session, actor: Actor, assessment_id: int | None = None) -> AssessmentReport:
    """A stored assessment re-scored from its answers (the latest when no id is given)."""
    actor.require(READ)
    if assessment_id is None:
        latest = list_assessments(session, actor)
        if not latest:
            from northstar.core.errors import NotFound

            raise NotFound(
                "no maturity assessment yet: run one with `northstar maturity assess` or on /maturity"
            )
        row = latest[0]
    else:
        row = get_owned(session, MaturityAssessment, assessment_id, actor.workspace_id, "maturity assessment")
    answers = {
        a.capability_id: ResolvedAnswer(a.capability_id, a.answer, a.source, a.evidence, a.note)
        for a in session.scalars(select(MaturityAnswer).where(MaturityAnswer.assessment_id == row.id))
    }
    known = {c.id for c in model().capabilities()}
    plain = {k: v.answer for k, v in answers.items() if k in known}
    return AssessmentReport(row, score_assessment(model(), plain, row.stage), answers)


def compare(
    session: Session, actor: Actor, before_id: int, after_id: int
) -> tuple[AssessmentReport, AssessmentReport, tuple[AreaChange, ...]]:
    before, after = get_report(session, actor, before_id), get_report(session, actor, after_id)
    return before, after, compare_results(before.result, after.result)


def head_of_product_checklist(
    session: Session, actor: Actor, stage: str, today: date | None = None
) -> list[ChecklistItem]:
    """The responsibilities for ``stage`` marked with what the workspace's data shows as practised."""
    findings = evidence(session, actor, today)
    return responsibilities_checklist(stage, {name: f.answer for name, f in findings.items()})


_LATIN1 = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "→": "->"})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def report_pdf(session: Session, actor: Actor, assessment_id: int | None = None) -> bytes:
    """The assessment as a PDF: levels and coverage per focus area, then the next steps."""
    from fpdf import FPDF

    report = get_report(session, actor, assessment_id)
    result, row = report.result, report.assessment
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    width = pdf.w - 30
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(
        width,
        10,
        _latin1(f"Product-organisation maturity, {row.assessed_on.isoformat()}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    coverage = f"{result.overall_coverage:.0%}" if result.overall_coverage is not None else "-"
    pdf.cell(
        width,
        6,
        _latin1(f"Stage: {row.stage}. Overall level {result.overall_level}; coverage {coverage}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width * 0.6, 6, "Focus area")
    pdf.cell(width * 0.2, 6, "Level")
    pdf.cell(width * 0.2, 6, "Coverage", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for area in result.areas:
        pdf.cell(width * 0.6, 6, _latin1(area.name))
        pdf.cell(width * 0.2, 6, str(area.level))
        pdf.cell(
            width * 0.2,
            6,
            f"{area.coverage:.0%}" if area.coverage is not None else "n/a",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(width, 8, "Next steps", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    the_model = model()
    for gap in result.next_steps(8):
        feature = the_model.features[gap.capability.feature].name
        text = f"- [{gap.capability.id}, level {gap.capability.level}] {gap.capability.recommendation} (Northstar: {feature})"
        pdf.multi_cell(width, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def people_count(session: Session, actor: Actor) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Person).where(Person.workspace_id == actor.workspace_id)
        )
        or 0
    )

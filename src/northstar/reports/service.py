"""Use cases of reports: issue a quarter's board report, generate, annotate and send the weekly brief, and read
them back as they were.

An issued report is a dated, immutable snapshot: the data assembled on its day (JSON) and the HTML rendered from
it are stored, and every later view, download or PDF is made from those, never from today's data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import Membership, User, Workspace
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, FieldError, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.notifications import service as notifications
from northstar.reports import engine, gather, render
from northstar.reports.models import Report
from northstar.reports.schemas import BoardData, BriefData, ReportSummary

WRITE = "reports.write"


def _workspace_name(session: Session, actor: Actor) -> str:
    workspace = session.get(Workspace, actor.workspace_id)
    return workspace.name if workspace else ""


def _quarter(label: str) -> engine.Period:
    try:
        return engine.quarter(label)
    except engine.PeriodError as error:
        raise ValidationFailed(f"period {label!r}: {error}", [FieldError("period", str(error))]) from None


# --- board report ----------------------------------------------------------------------------------------------


def assemble_board(
    session: Session, actor: Actor, settings: Settings | None, period: str, today: dt.date | None = None
) -> BoardData:
    """Everything a board report of quarter ``period`` shows, read now from the other modules."""
    actor.require(READ)
    quarter = _quarter(period)
    today = today or dt.date.today()
    as_of = min(today, quarter.ends_on)
    objectives = gather.objectives(session, actor, as_of)
    plan = gather.current_plan(session, actor)
    roadmap = engine.roadmap(
        gather.roadmap_ideas(session, actor), plan.schedule if plan else None, plan.forecast if plan else None
    )
    budget = gather.budget(session, actor, quarter.label, today)
    return BoardData(
        workspace=_workspace_name(session, actor),
        period=quarter.label,
        starts_on=quarter.starts_on,
        ends_on=quarter.ends_on,
        as_of=as_of,
        objectives=objectives,
        roadmap=roadmap,
        portfolio=gather.portfolio(session, actor, plan, gather.currency(session, actor)),
        metrics=gather.metrics(session, actor, settings, quarter, today),
        themes=gather.themes(session, actor),
        budget=budget,
        risks=engine.risks(objectives, budget, roadmap),
    )


def issue_board_report(
    session: Session, actor: Actor, settings: Settings | None, period: str, today: dt.date | None = None
) -> Report:
    """Assemble, render and store the board report of ``period`` as an issued snapshot."""
    actor.require(WRITE)
    data = assemble_board(session, actor, settings, period, today)
    now = utcnow()
    report = Report(
        workspace_id=actor.workspace_id,
        kind="board",
        period=data.period,
        title=f"Board report {data.period}",
        status="issued",
        note="",
        data=data.model_dump(mode="json"),
        html=render.board_fragment(data),
        created_by=actor.user_id,
        issued_by=actor.user_id,
        issued_at=now,
    )
    session.add(report)
    session.flush()
    audit.record(session, actor, "issue", "report", report.id, report.title)
    return report


# --- weekly brief ----------------------------------------------------------------------------------------------


def _previous_brief(session: Session, actor: Actor, before: str) -> Report | None:
    query = (
        select(Report)
        .where(Report.workspace_id == actor.workspace_id, Report.kind == "brief", Report.period < before)
        .order_by(Report.period.desc(), Report.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def assemble_brief(session: Session, actor: Actor, today: dt.date | None = None) -> BriefData:
    """The brief of the ISO week containing ``today``, covering the seven days up to today."""
    actor.require(READ)
    today = today or dt.date.today()
    week = engine.iso_week(today)
    since = today - dt.timedelta(days=6)
    plan = gather.current_plan(session, actor)
    current = engine.forecast_dates(plan.forecast if plan else None)
    previous = _previous_brief(session, actor, week.label)
    before = (
        {k: dt.date.fromisoformat(v) for k, v in (previous.data.get("forecast_p85") or {}).items()}
        if previous
        else {}
    )
    titles = {str(idea_id): title for idea_id, title, _s, _t in gather.roadmap_ideas(session, actor)}
    objectives = gather.objectives(session, actor, today)
    return BriefData(
        workspace=_workspace_name(session, actor),
        period=week.label,
        starts_on=since,
        ends_on=today,
        shipped=gather.shipped_between(session, actor, since, today),
        slipped=engine.slips(before, current, titles),
        rising_themes=gather.themes(session, actor, limit=5, rising_only=True),
        key_results=[kr for objective in objectives for kr in objective.key_results],
        experiments=gather.experiments_concluded(session, actor, since, today),
        budget=gather.budget(session, actor, engine.quarter_of(today), today),
        forecast_p85=current,
        for_head_of_product=gather.head_of_product_dues(session, actor, today),
        compared_with=previous.period if previous else None,
    )


def brief_is_due(session: Session, actor: Actor, today: dt.date | None = None) -> bool:
    """True when this ISO week has no brief yet (the weekly job and ``report brief --generate`` ask this)."""
    actor.require(READ)
    periods = session.scalars(
        select(Report.period).where(Report.workspace_id == actor.workspace_id, Report.kind == "brief")
    )
    return engine.brief_due(periods, today or dt.date.today())


def generate_brief(
    session: Session, actor: Actor, today: dt.date | None = None, only_if_due: bool = False
) -> Report | None:
    """A draft brief for this week from the data (None when ``only_if_due`` and this week has one already)."""
    actor.require(WRITE)
    if only_if_due and not brief_is_due(session, actor, today):
        return None
    data = assemble_brief(session, actor, today)
    report = Report(
        workspace_id=actor.workspace_id,
        kind="brief",
        period=data.period,
        title=f"Product brief {data.period}",
        status="draft",
        note="",
        data=data.model_dump(mode="json"),
        created_by=actor.user_id,
    )
    session.add(report)
    session.flush()
    audit.record(session, actor, "generate", "report", report.id, report.title)
    return report


def _draft_brief(session: Session, actor: Actor, report_id: int) -> Report:
    actor.require(WRITE)
    report = get_owned(session, Report, report_id, actor.workspace_id, "report")
    if report.kind != "brief":
        raise Conflict(f"report {report_id} is a board report; only a brief takes a note and is sent")
    if report.status == "issued":
        raise Conflict(
            f"{report.title} was sent on {report.issued_at:%Y-%m-%d}; a sent brief does not change"
        )
    return report


def set_brief_note(session: Session, actor: Actor, report_id: int, note: str) -> Report:
    """The author's note at the top of a draft brief."""
    report = _draft_brief(session, actor, report_id)
    if len(note) > 10_000:
        raise ValidationFailed("the note is longer than 10,000 characters", [FieldError("note", "too long")])
    report.note = note.strip()
    audit.record(session, actor, "update", "report", report.id, f"{report.title}: note")
    return report


def send_brief(session: Session, actor: Actor, report_id: int) -> Report:
    """Issue a draft brief: render it once, freeze it, and tell every other member of the workspace.

    The message goes through the notifications outbox in this transaction (in-app, and e-mail or Slack as each
    person chose for ``brief_sent``), so a brief is never marked sent without its message queued, nor the
    reverse. The private list of reviews and 1:1s due is not part of the message, as it is not part of the HTML.
    """
    report = _draft_brief(session, actor, report_id)
    data = BriefData.model_validate(report.data)
    report.html = render.brief_fragment(data, report.note)
    report.status, report.issued_by, report.issued_at = "issued", actor.user_id, utcnow()
    audit.record(session, actor, "issue", "report", report.id, report.title)
    members = session.scalars(
        select(Membership.user_id).where(
            Membership.workspace_id == actor.workspace_id, Membership.user_id != actor.user_id
        )
    )
    notifications.notify(
        session,
        actor.workspace_id,
        "brief_sent",
        list(members),
        title=report.title,
        body=report.note or "This week's product brief is ready.",
        link=f"/reports/{report.id}",
        key=f"brief_sent:{report.id}",
    )
    return report


# --- reading them back -----------------------------------------------------------------------------------------


def list_reports(session: Session, actor: Actor, kind: str | None = None) -> list[ReportSummary]:
    """Reports and briefs of the workspace, newest first."""
    actor.require(READ)
    query = (
        select(Report, User.name)
        .outerjoin(User, User.id == Report.issued_by)
        .where(Report.workspace_id == actor.workspace_id)
    )
    if kind:
        query = query.where(Report.kind == kind)
    rows = session.execute(query.order_by(Report.created_at.desc(), Report.id.desc()).limit(500)).all()
    return [
        ReportSummary.model_validate(report).model_copy(update={"issued_by_name": name})
        for report, name in rows
    ]


def get_report(session: Session, actor: Actor, report_id: int) -> Report:
    actor.require(READ)
    return get_owned(session, Report, report_id, actor.workspace_id, "report")


def fragment(report: Report) -> str:
    """The report's body: the stored HTML once issued; a draft brief is rendered from its stored data."""
    if report.html is not None:
        return report.html
    return render.brief_fragment(BriefData.model_validate(report.data), report.note)


def document_html(session: Session, actor: Actor, report_id: int) -> str:
    """The standalone HTML document of a report (what the HTML download and the PDF are made of)."""
    report = get_report(session, actor, report_id)
    issued = report.issued_at.date() if report.issued_at else None
    return render.document(fragment(report), report.title, _workspace_name(session, actor), issued)


def document_pdf(session: Session, actor: Actor, report_id: int) -> bytes:
    return render.pdf(document_html(session, actor, report_id))


def private_dues(session: Session, actor: Actor, report: Report) -> list[object]:
    """The reviews and 1:1s due that a brief keeps for its author, the Head of Product, alone."""
    if report.kind != "brief" or report.created_by != actor.user_id:
        return []
    return list(BriefData.model_validate(report.data).for_head_of_product)

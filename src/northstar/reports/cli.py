"""CLI of reports & sharing: ``northstar report board|brief|list|share``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    emit,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
    run_job,
)
from northstar.core.settings import Settings
from northstar.reports import service, sharing
from northstar.reports.schemas import ShareLinkCreate

app = typer.Typer(
    help="Board reports, weekly product briefs and shareable roadmap links.", no_args_is_help=True
)


class DocumentFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    json = "json"


@app.command("board")
@handle_errors
def board(
    period: str = typer.Option(..., help="The quarter, like 2026-Q4."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report here (a PDF needs a file)."),
    fmt: DocumentFormat = typer.Option(
        DocumentFormat.pdf, "--format", "-f", help="pdf, html or json (the data)."
    ),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Issue the board report of a quarter (a dated snapshot) and write it as PDF, HTML or its data as JSON."""
    if fmt == DocumentFormat.pdf and out is None:
        fail("a PDF needs --out FILE.pdf (or choose --format html or json to print it)")
    if out is not None and out.is_dir():
        fail(f"{out} is a directory; name the file to write")
    settings = Settings()
    with open_session(settings) as session:
        actor = resolve_actor(session, workspace, as_user)
        report = service.issue_board_report(session, actor, settings, period)
        session.flush()
        if fmt == DocumentFormat.pdf:
            content: bytes | str = service.document_pdf(session, actor, report.id)
        elif fmt == DocumentFormat.html:
            content = service.document_html(session, actor, report.id)
        else:
            content = json.dumps(
                {"id": report.id, "title": report.title, "data": report.data}, ensure_ascii=False
            )
        report_id, title = report.id, report.title
    if out is None:
        typer.echo(content)
        return
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content + ("\n" if fmt == DocumentFormat.json else ""), encoding="utf-8")
    console.print(f"Issued {title} (report {report_id}); wrote {out}", highlight=False)


@app.command("brief")
@handle_errors
def brief(
    generate: bool = typer.Option(
        False, "--generate", help="Make this week's brief if it is due (for cron)."
    ),
    force: bool = typer.Option(False, "--force", help="With --generate: make one even if this week has one."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Make this week's draft brief through the job runner, once per ISO week (run it daily from cron)."""
    if not generate:
        fail("say what to do: --generate makes this week's brief when it is due")
    if force:
        with open_session() as session:
            actor = resolve_actor(session, workspace, as_user)
            report = service.generate_brief(session, actor)
            assert report is not None
            console.print(f"Made {report.title} (report {report.id}), a draft: add a note and send it.")
        return
    result = run_job(
        "reports.weekly_brief", {}, "Making the weekly brief", workspace, as_user, show_progress=False
    )
    if result.get("generated"):
        console.print(f"Made the brief of {result['period']} (report {result['report_id']}), a draft.")
    else:
        console.print(f"No brief made: {result.get('reason', 'none was due')}.")


@app.command("list")
@handle_errors
def list_reports(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Issued reports and briefs, newest first."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        found = service.list_reports(session, actor)
    emit(found, fmt, ["id", "kind", "period", "title", "status", "issued_at", "issued_by_name"], "Reports")


@app.command("share")
@handle_errors
def share(
    label: str = typer.Option(..., help="Who the link is for."),
    days: int = typer.Option(30, help="Days until the link expires (1 to 365)."),
    base_url: str = typer.Option(
        "http://127.0.0.1:8000", help="The server's address, to print the full link."
    ),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Make a read-only roadmap link (planned and in-progress ideas) and print its address."""
    settings = Settings()
    with open_session(settings) as session:
        actor = resolve_actor(session, workspace, as_user)
        link = sharing.create_link(
            session, actor, settings.resolved_secret_key(), ShareLinkCreate(label=label, expires_in_days=days)
        )
    console.print(
        f"{base_url.rstrip('/')}{link.path}  (until {link.expires_at:%Y-%m-%d})",
        highlight=False,
        soft_wrap=True,
    )

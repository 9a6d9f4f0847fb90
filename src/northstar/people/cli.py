"""CLI: ``northstar people ...`` (ladder, job descriptions, team, profiles) and ``northstar reviews ...``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    emit,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.people import reviews_service as reviews
from northstar.people import serialize, service
from northstar.people.engine import job_description as jd
from northstar.people.engine.ladder import load_default_ladder, parse_ladder_yaml

people_app = typer.Typer(help="Career ladder, job descriptions, team and profiles.", no_args_is_help=True)
ladder_app = typer.Typer(help="Show, validate, import and export the career ladder.", no_args_is_help=True)
reviews_app = typer.Typer(help="360-degree review cycles, reports and calibration.", no_args_is_help=True)
people_app.add_typer(ladder_app, name="ladder")
COMMANDS = {"people": people_app, "reviews": reviews_app}


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=2) + "\n")


@ladder_app.command("validate")
@handle_errors
def validate(path: Path = typer.Argument(..., help="A ladder YAML file.")) -> None:
    """Check a ladder file without touching any workspace (exit 2 with every problem listed)."""
    ladder = parse_ladder_yaml(path.read_text(encoding="utf-8"))
    console.print(f"{path}: valid — {len(ladder.levels)} levels, {len(ladder.behaviours)} behaviours")


@ladder_app.command("show")
@handle_errors
def show_ladder(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The workspace's ladder: levels with their behaviour counts."""
    with open_session() as session:
        ladder = service.get_ladder(session, resolve_actor(session, workspace, as_user))
    rows = [
        {
            "code": lv.code,
            "title": lv.title,
            "track": lv.track,
            "follows": lv.follows,
            "behaviours": len(ladder.behaviours_at(lv.code)),
            "mandatory": sum(b.mandatory for b in ladder.behaviours_at(lv.code)),
            "span_of_control": lv.span_of_control,
        }
        for lv in ladder.levels
    ]
    emit(rows, fmt, title=ladder.name)


@ladder_app.command("export")
@handle_errors
def export(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Export the workspace's ladder as YAML."""
    with open_session() as session:
        text = service.export_ladder(session, resolve_actor(session, workspace, as_user))
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@ladder_app.command("import")
@handle_errors
def import_(
    path: Path = typer.Argument(...),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Replace the workspace's ladder with a YAML file (nothing changes if it is invalid)."""
    text = path.read_text(encoding="utf-8")
    with open_session() as session:
        ladder = service.import_ladder(session, resolve_actor(session, workspace, as_user), text)
    console.print(f"imported {ladder.name}: {len(ladder.levels)} levels, {len(ladder.behaviours)} behaviours")


@people_app.command("jd")
@handle_errors
def job_description(
    level: str = typer.Argument(..., help="Level code, e.g. head_of_product."),
    stage: str = typer.Option("scale-up", help="startup, scale-up or enterprise."),
    output_format: str = typer.Option("markdown", "--render", help="markdown, html or pdf."),
    ladder_file: Path | None = typer.Option(None, "--ladder", help="A ladder YAML (default: Northstar's)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (required for pdf)."),
) -> None:
    """Generate a job description for a level and company stage (no database needed)."""
    ladder = (
        parse_ladder_yaml(ladder_file.read_text(encoding="utf-8")) if ladder_file else load_default_ladder()
    )
    description = jd.build_job_description(ladder, level, stage)
    if output_format == "pdf":
        if output is None:
            raise typer.BadParameter("--output is required for a PDF")
        output.write_bytes(jd.to_pdf(description))
        console.print(f"wrote {output}")
        return
    if output_format not in ("markdown", "html"):
        raise typer.BadParameter("--render must be markdown, html or pdf")
    text = jd.to_html(description) if output_format == "html" else jd.to_markdown(description)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text + "\n")


@people_app.command("list")
@handle_errors
def team(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The people you may see, with ladder level and 1:1 status."""
    with open_session() as session:
        data = serialize.team_dict(service.team_view(session, resolve_actor(session, workspace, as_user)))
    emit(
        data["people"],
        fmt,
        ["id", "name", "level", "last_assessed", "next_one_on_one", "overdue"],
        title="People",
    )


@people_app.command("show")
@handle_errors
def show(
    person_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """A person's profile: level, readiness, growth plan (JSON with --format json)."""
    with open_session() as session:
        data = serialize.profile_dict(
            service.person_profile(session, resolve_actor(session, workspace, as_user), person_id)
        )
    if fmt == OutputFormat.json:
        _print_json(data)
        return
    readiness = data["readiness"] or {}
    console.print(f"[bold]{data['person']['name']}[/] — {data['level_title'] or 'no level set'}")
    console.print(
        f"Target: {data['target_level']} · ready: {readiness.get('ready')} · blocking: {readiness.get('blocking_levels')}"
    )
    emit(
        data["growth_plan"]["items"],
        fmt,
        ["id", "title", "competency_id", "due", "status"],
        title="Growth plan",
    )


@reviews_app.command("cycles")
@handle_errors
def cycles(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Review cycles of the workspace."""
    with open_session() as session:
        rows = [
            {"id": c.id, "name": c.name, "status": c.status, "released": c.released, "closes_at": c.closes_at}
            for c in reviews.list_cycles(session, resolve_actor(session, workspace, as_user))
        ]
    emit(rows, fmt, title="Review cycles")


@reviews_app.command("progress")
@handle_errors
def progress(
    cycle_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Who is reviewed and how many raters of each group have answered (never what they answered)."""
    with open_session() as session:
        data = serialize.progress_dict(
            reviews.cycle_overview(session, resolve_actor(session, workspace, as_user), cycle_id)
        )
    rows = [
        {"participant_id": d["participant_id"], "subject": d["subject"], "answered": d["answered_by_group"]}
        for d in data
    ]
    emit(rows, fmt, title="Cycle progress")


@reviews_app.command("report")
@handle_errors
def report(
    participant_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """A reviewee's anonymity-safe 360 report."""
    with open_session() as session:
        data = serialize.report_dict(
            reviews.participant_report(session, resolve_actor(session, workspace, as_user), participant_id)
        )
    if fmt == OutputFormat.json:
        _print_json(data)
        return
    rows = []
    for q in data["report"]["questions"]:
        row: dict[str, Any] = {"question": q["text"], "self": q["self_score"], "others": q["others_mean"]}
        row |= {g["group"]: g["mean"] for g in q["by_group"]}
        rows.append(row)
    emit(rows, fmt, title=f"360 report: {data['subject']}")
    for group in data["report"]["groups"]:
        if not group["included"]:
            console.print(f"{group['label']}: {group['reason']}", style="dim")


@reviews_app.command("calibration")
@handle_errors
def calibration(
    cycle_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Rating distribution per team and the 9-box for a cycle."""
    with open_session() as session:
        data = serialize.calibration_dict(
            reviews.calibration(session, resolve_actor(session, workspace, as_user), cycle_id)
        )
    if fmt == OutputFormat.json:
        _print_json(data)
        return
    emit(data["distribution"]["teams"], fmt, title="Distribution per team")
    emit(data["nine_box"], fmt, title="9-box")


@reviews_app.command("release")
@handle_errors
def release(
    cycle_id: int = typer.Argument(...),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Release a closed cycle's reports to reviewees and their managers (cycle owner only)."""
    with open_session() as session:
        cycle = reviews.release_reports(session, resolve_actor(session, workspace, as_user), cycle_id)
    console.print(f"released the reports of {cycle.name}")


@reviews_app.command("remind")
@handle_errors
def remind(
    cycle_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List (and mark as reminded) the raters who still owe an answer and are due a reminder."""
    with open_session() as session:
        reminders = reviews.send_reminders(session, resolve_actor(session, workspace, as_user), cycle_id)
    emit(
        [{"request_id": r.request_id, "rater": r.rater_name, "reviewee": r.subject_name} for r in reminders],
        fmt,
        title="Reminders",
    )

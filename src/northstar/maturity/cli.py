"""CLI: ``northstar maturity assess|report|compare|evidence|checklist|score|pdf``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
import yaml

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
from northstar.core.errors import FieldError, ValidationFailed
from northstar.maturity import serialize, service
from northstar.maturity.engine.model import load_default_model
from northstar.maturity.engine.scoring import score_assessment
from northstar.maturity.schemas import AnswerIn, AssessmentCreate

app = typer.Typer(help="Product-organisation maturity: assess, report, compare.", no_args_is_help=True)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=2) + "\n")


def _read_answers(path: Path | None) -> dict[str, AnswerIn]:
    """Answers file: YAML or JSON mapping capability id → answer, or → {answer, note}."""
    if path is None:
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{path}: not valid YAML or JSON ({exc.__class__.__name__})")
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{path}: expected a mapping of capability id to answer")
    answers = {}
    for key, value in raw.items():
        item = dict(value) if isinstance(value, dict) else {"answer": value}
        if isinstance(item.get("answer"), bool):  # YAML 1.1 reads an unquoted yes/no as a boolean
            item["answer"] = "yes" if item["answer"] else "no"
        try:
            answers[str(key)] = AnswerIn(**item)
        except Exception:
            raise ValidationFailed(
                f"{path}: answer for '{key}' must be yes, partial, no or na",
                [FieldError(str(key), "invalid answer")],
            )
    return answers


def _print_report(data: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt == OutputFormat.json:
        _print_json(data)
        return
    coverage = data["overall_coverage"]
    console.print(
        f"[bold]Overall level {data['overall_level']}[/] (stage {data['stage']}, target {data['target_level']}), "
        f"coverage {coverage:.0%}"
        if coverage is not None
        else f"Overall level {data['overall_level']}"
    )
    emit(data["focus_areas"], fmt, ["name", "level", "coverage", "blocking_capability"], title="Focus areas")
    steps = [
        {
            "capability": s["capability"],
            "level": s["level"],
            "recommendation": s["recommendation"],
            "feature": s["feature"]["name"],
        }
        for s in data["next_steps"]
    ]
    emit(steps, fmt, title="Next steps")


@app.command("assess")
@handle_errors
def assess(
    stage: str = typer.Option(..., help="startup, scale-up or enterprise."),
    answers: Path | None = typer.Option(
        None, help="YAML/JSON: capability id → yes|partial|no|na (or {answer, note})."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Record an assessment: evidence from the workspace pre-answers, the answers file overrides."""
    data = AssessmentCreate(stage=stage, answers=_read_answers(answers))  # type: ignore[arg-type]
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = service.assess(session, actor, data)
        report = serialize.report_dict(service.get_report(session, actor, row.id))
    _print_report(report, fmt)


@app.command("report")
@handle_errors
def report(
    assessment_id: int | None = typer.Option(None, "--id", help="Default: the latest assessment."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Levels, coverage and next steps of an assessment."""
    with open_session() as session:
        data = serialize.report_dict(
            service.get_report(session, resolve_actor(session, workspace, as_user), assessment_id)
        )
    _print_report(data, fmt)


@app.command("compare")
@handle_errors
def compare(
    before: int = typer.Argument(...),
    after: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Level and coverage per focus area between two assessments."""
    with open_session() as session:
        _, _, changes = service.compare(session, resolve_actor(session, workspace, as_user), before, after)
    emit(serialize.changes_dict(changes), fmt, title="Change per focus area")


@app.command("evidence")
@handle_errors
def evidence(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """What the workspace's records show, rule by rule."""
    with open_session() as session:
        findings = service.evidence(session, resolve_actor(session, workspace, as_user))
    emit([asdict(f) for f in findings.values()], fmt, title="Evidence")


@app.command("checklist")
@handle_errors
def checklist(
    stage: str = typer.Option("scale-up"),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The Head of Product's responsibilities for the stage, marked from the workspace's data."""
    with open_session() as session:
        items = service.head_of_product_checklist(session, resolve_actor(session, workspace, as_user), stage)
    emit(
        [asdict(i) for i in items],
        fmt,
        ["responsibility", "stage", "text", "status"],
        title="Head of Product",
    )


@app.command("score")
@handle_errors
def score(
    answers: Path = typer.Argument(..., help="YAML/JSON answers file."),
    stage: str | None = typer.Option(None),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Score an answers file against the default model without any workspace (levels and next steps)."""
    plain = {k: v.answer for k, v in _read_answers(answers).items()}
    result = score_assessment(load_default_model(), plain, stage)
    rows = [{"area": a.name, "level": a.level, "coverage": a.coverage} for a in result.areas]
    if fmt == OutputFormat.json:
        _print_json(
            {
                "overall_level": result.overall_level,
                "overall_coverage": result.overall_coverage,
                "areas": rows,
            }
        )
        return
    emit(rows, fmt, title=f"Overall level {result.overall_level}")


@app.command("pdf")
@handle_errors
def pdf(
    output: Path = typer.Option(..., "--output", "-o"),
    assessment_id: int | None = typer.Option(None, "--id"),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Export an assessment (default: the latest) as PDF."""
    with open_session() as session:
        output.write_bytes(
            service.report_pdf(session, resolve_actor(session, workspace, as_user), assessment_id)
        )
    console.print(f"wrote {output}")

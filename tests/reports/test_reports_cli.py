"""The report CLI on both databases, and the PDF read back with poppler: ``report board --out FILE.pdf`` writes a
paged A4 PDF with the workspace's name, the issue date and "Page n of m" in its margins; ``--format html`` prints
the same report; bad input is one line and exit status 2; ``report brief --generate`` makes one brief a week."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import Membership, User, Workspace
from northstar.accounts.service import actor_for
from northstar.cli import app
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")


def _seed_objectives(session: Session) -> None:
    workspace = session.scalar(select(Workspace).where(Workspace.name == "Acme"))
    assert workspace is not None
    user_id = session.scalar(select(Membership.user_id).where(Membership.workspace_id == workspace.id))
    assert user_id is not None
    actor = actor_for(session, user_id, workspace.id)
    for number in range(1, 4):
        objective = strategy.create_objective(
            session, actor, ObjectiveCreate(title=f"Objective number {number}", period="2026-Q4")
        )
        for kr in range(1, 6):
            strategy.add_key_result(
                session,
                actor,
                objective.id,
                KeyResultCreate(
                    title=f"Key result {number}.{kr} of the quarter", baseline=0, target=100, current=30
                ),
            )
    session.commit()


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed: make pdf-libs")
def test_board_report_pdf_has_pages_numbers_dates_and_the_workspace(
    cli: object, session: Session, tmp_path: Path
) -> None:
    _seed_objectives(session)
    out = tmp_path / "board.pdf"
    result = cli.invoke(app, ["report", "board", "--period", "2026-Q4", "--out", str(out)])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    assert "Issued Board report 2026-Q4" in result.output
    info = subprocess.run(
        ["pdfinfo", str(out)], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2 and "A4" in info and "Board report 2026-Q4" in info
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    issued = f"Issued {dt.date.today().isoformat()}"
    first = text.split("\f")[0]
    assert "Acme" in first and issued in first and f"Page 1 of {pages}" in first
    assert f"Page {pages} of {pages}" in text.split("\f")[pages - 1]
    for heading in (
        "Objectives scorecard",
        "Roadmap",
        "Portfolio value against budget",
        "The customer voice",
        "Risks",
    ):
        assert heading in text
    assert "Key result 3.5 of the quarter" in text

    html = cli.invoke(app, ["report", "board", "--period", "2026-q4", "--format", "html"])  # type: ignore[attr-defined]
    assert html.exit_code == 0 and html.output.lstrip().startswith("<!doctype html>")
    assert "Key result 1.1 of the quarter" in html.output and "counter(pages)" in html.output
    listed = cli.invoke(app, ["report", "list", "--format", "json"])  # type: ignore[attr-defined]
    assert [r["period"] for r in json.loads(listed.output)] == ["2026-Q4", "2026-Q4"]


def test_cli_refuses_bad_input_in_one_line_with_exit_2(cli: object, tmp_path: Path) -> None:
    month = cli.invoke(app, ["report", "board", "--period", "2026-11", "--format", "json"])  # type: ignore[attr-defined]
    assert month.exit_code == 2 and "covers a quarter" in month.output
    no_file = cli.invoke(app, ["report", "board", "--period", "2026-Q4"])  # type: ignore[attr-defined]
    assert no_file.exit_code == 2 and "--out" in no_file.output
    directory = cli.invoke(app, ["report", "board", "--period", "2026-Q4", "--out", str(tmp_path)])  # type: ignore[attr-defined]
    assert directory.exit_code == 2 and "is a directory" in directory.output


def test_brief_generate_makes_one_brief_per_week_through_the_job_runner(
    cli: object, session: Session
) -> None:
    first = cli.invoke(app, ["report", "brief", "--generate"])  # type: ignore[attr-defined]
    assert first.exit_code == 0 and "Made the brief of" in first.output, first.output
    second = cli.invoke(app, ["report", "brief", "--generate"])  # type: ignore[attr-defined]
    assert second.exit_code == 0 and "No brief made: this week has a brief already" in second.output
    forced = cli.invoke(app, ["report", "brief", "--generate", "--force"])  # type: ignore[attr-defined]
    assert forced.exit_code == 0 and "a draft" in forced.output
    from northstar.core.jobs import Job

    kinds = session.scalars(select(Job.kind).where(Job.status == "succeeded")).all()
    assert list(kinds).count("reports.weekly_brief") == 2
    assert session.scalar(select(User.email)) == "hop@example.com"

"""`northstar people|reviews|maturity ...`: JSON output, files, and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.maturity.cli import app as maturity_app
from northstar.people.cli import people_app, reviews_app
from northstar.people.engine.ladder import default_ladder_text
from tests.people.world import make_team, open_cycle

runner = CliRunner()


def test_ladder_validate_accepts_the_default_and_names_a_missing_level(tmp_path: Path) -> None:
    good = tmp_path / "ladder.yaml"
    good.write_text(default_ladder_text(), encoding="utf-8")
    ok = runner.invoke(people_app, ["ladder", "validate", str(good)])
    assert ok.exit_code == 0 and "9 levels" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(default_ladder_text().replace("follows: director\n", "follows: boss\n"), encoding="utf-8")
    result = runner.invoke(people_app, ["ladder", "validate", str(bad)])
    assert result.exit_code == 2
    assert "follows 'boss', which is not a level of this ladder" in result.output


def test_job_description_markdown_and_pdf_files(tmp_path: Path) -> None:
    md = runner.invoke(people_app, ["jd", "head_of_product", "--stage", "startup"])
    assert md.exit_code == 0 and md.output.startswith("# Head of Product (Startup)")
    target = tmp_path / "cpo.pdf"
    pdf = runner.invoke(
        people_app, ["jd", "cpo", "--stage", "enterprise", "--render", "pdf", "--output", str(target)]
    )
    assert pdf.exit_code == 0 and target.read_bytes().startswith(b"%PDF")
    unknown = runner.invoke(people_app, ["jd", "intern"])
    assert unknown.exit_code == 2 and "Unknown level 'intern'" in unknown.output


def test_maturity_score_works_without_a_workspace(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("requirements_gathering.A: yes\nlaunch_preparation.A: partial\n", encoding="utf-8")
    result = runner.invoke(maturity_app, ["score", str(answers), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["overall_level"] == 0
    assert next(a for a in data["areas"] if a["area"] == "Requirements gathering")["level"] == 2
    answers.write_text("requirements_gathering.A: sometimes\n", encoding="utf-8")
    bad = runner.invoke(maturity_app, ["score", str(answers)])
    assert bad.exit_code == 2 and "must be yes, partial, no or na" in bad.output


def test_maturity_assess_and_report_as_json(
    session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = make_team(session)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    slug = team.world.workspace.slug
    assessed = runner.invoke(maturity_app, ["assess", "--stage", "startup", "--format", "json", "-w", slug])
    assert assessed.exit_code == 0, assessed.output
    report = runner.invoke(maturity_app, ["report", "--format", "json", "-w", slug])
    data = json.loads(report.output)
    assert data["stage"] == "startup" and data["target_level"] == 3
    assert {"overall_level", "focus_areas", "next_steps", "evidence"} <= set(data)
    denied = runner.invoke(
        maturity_app, ["assess", "--stage", "startup", "-w", slug, "--as", team.emails["ana"]]
    )
    assert denied.exit_code == 2 and "maturity.write" in denied.output


def test_reviews_report_json_and_progress(
    session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = make_team(session)
    cycle_id, participant_id = open_cycle(session, team)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    slug = team.world.workspace.slug
    progress = runner.invoke(
        reviews_app, ["progress", str(cycle_id), "--format", "json", "-w", slug, "--as", team.emails["lead"]]
    )
    assert progress.exit_code == 0 and json.loads(progress.output)[0]["subject"] == "Ana"
    report = runner.invoke(
        reviews_app,
        ["report", str(participant_id), "--format", "json", "-w", slug, "--as", team.emails["lead"]],
    )
    assert report.exit_code == 0 and json.loads(report.output)["subject"] == "Ana"
    denied = runner.invoke(
        reviews_app, ["report", str(participant_id), "-w", slug, "--as", team.emails["peer1"]]
    )
    assert denied.exit_code == 2

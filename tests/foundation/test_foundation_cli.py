"""The CLI: every foundation command works, JSON output parses, bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from northstar.cli import app

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    result = runner.invoke(
        app,
        [
            "init",
            "--email",
            "hop@example.com",
            "--name",
            "Hana",
            "--password",
            "a-long-password",
            "--workspace",
            "Acme Corp",
        ],
    )
    assert result.exit_code == 0, result.output
    return runner


def _json(result: object) -> object:
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def test_customers_import_then_list_as_json_and_csv(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        'Company,Ext,segment,ARR\nAcme,a1,enterprise,"$120,000"\nBeta,b2,smb,900\n', encoding="utf-8-sig"
    )
    result = cli.invoke(
        app, ["customers", "import", str(path), "--map", "Company=name,Ext=external_id", "-f", "json"]
    )
    report = _json(result)
    assert report["created"] == 2 and report["skipped"] == 0  # type: ignore[index]
    listed = _json(cli.invoke(app, ["customers", "list", "--format", "json"]))
    assert [c["name"] for c in listed["items"]] == ["Acme", "Beta"]  # type: ignore[index]
    assert listed["items"][0]["arr"] == 120000  # type: ignore[index]
    csv_out = cli.invoke(app, ["customers", "list", "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("id,name,external_id")


def test_feedback_add_ideas_link_and_show_total_arr(cli: CliRunner) -> None:
    cli.invoke(app, ["customers", "add", "Acme", "--external-id", "a1", "--arr", "5000"])
    made = _json(cli.invoke(app, ["feedback", "add", "Please add SSO", "--customer", "a1", "-f", "json"]))
    idea = _json(cli.invoke(app, ["ideas", "add", "SAML SSO", "-f", "json"]))
    linked = _json(
        cli.invoke(
            app,
            [
                "ideas",
                "link",
                str(idea["id"]),
                str(made["id"]),
                "--importance",
                "3",  # type: ignore[index]
                "-f",
                "json",
            ],
        )
    )
    assert linked == {"linked": 1, "already_linked": 0}
    shown = _json(cli.invoke(app, ["ideas", "show", str(idea["id"]), "-f", "json"]))  # type: ignore[index]
    assert shown["total_arr"] == 5000 and shown["customers"] == 1  # type: ignore[index]
    listing = _json(cli.invoke(app, ["ideas", "list", "-f", "json"]))
    assert listing["items"][0]["feedback_count"] == 1  # type: ignore[index]


def test_feedback_import_is_all_or_nothing_and_reports_row_and_column(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "feedback.csv"
    path.write_text("text,rating\nGreat app,5\n,3\nSlow exports,abc\n")
    failed = cli.invoke(app, ["feedback", "import", str(path), "-f", "json"])
    assert failed.exit_code == 2
    assert "row 3" in failed.output and "Nothing was imported" in failed.output
    assert _json(cli.invoke(app, ["feedback", "list", "-f", "json"]))["total"] == 0  # type: ignore[index]
    skipped = _json(cli.invoke(app, ["feedback", "import", str(path), "--skip-invalid", "-f", "json"]))
    assert skipped["created"] == 1 and skipped["skipped"] == 2  # type: ignore[index]
    assert {e["row"] for e in skipped["items"]} == {3, 4}  # type: ignore[index]


def test_feedback_import_twice_updates_instead_of_duplicating(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("text,source,external_ref\nFirst version,support,T-1\n")
    _json(cli.invoke(app, ["feedback", "import", str(path), "-f", "json"]))
    path.write_text("text,source,external_ref\nSecond version,support,T-1\n")
    again = _json(cli.invoke(app, ["feedback", "import", str(path), "-f", "json"]))
    assert again["created"] == 0 and again["updated"] == 1  # type: ignore[index]
    items = _json(cli.invoke(app, ["feedback", "list", "-f", "json"]))["items"]  # type: ignore[index]
    assert [i["text"] for i in items] == ["Second version"]


def test_workspace_user_token_and_objectives_commands(cli: CliRunner) -> None:
    workspaces = _json(cli.invoke(app, ["workspace", "list", "-f", "json"]))
    assert workspaces[0]["slug"] == "acme-corp"  # type: ignore[index]
    user = _json(
        cli.invoke(
            app,
            [
                "user",
                "add",
                "pm@example.com",
                "--name",
                "Pat",
                "--password",
                "another-password",
                "--role",
                "product_manager",
                "-f",
                "json",
            ],
        )
    )
    assert user["email"] == "pm@example.com"  # type: ignore[index]
    token = _json(cli.invoke(app, ["token", "create", "--name", "ci", "--scope", "ingest", "-f", "json"]))
    assert token["token"].startswith("nsk_") and token["scope"] == "ingest"  # type: ignore[index]
    unnamed = _json(
        cli.invoke(app, ["token", "create", "--scope", "read", "-f", "json"])
    )  # the README's example
    assert str(unnamed["name"]).startswith("read token of ")  # type: ignore[index]
    objective = _json(
        cli.invoke(app, ["objectives", "add", "Grow activation", "--period", "2026-Q4", "-f", "json"])
    )
    kr = _json(
        cli.invoke(
            app,
            [
                "objectives",
                "add-key-result",
                str(objective["id"]),
                "Activation rate",  # type: ignore[index]
                "--baseline",
                "20",
                "--target",
                "40",
                "-f",
                "json",
            ],
        )
    )
    _json(cli.invoke(app, ["objectives", "check-in", str(kr["id"]), "30", "-f", "json"]))  # type: ignore[index]
    listed = _json(cli.invoke(app, ["objectives", "list", "-f", "json"]))
    assert listed[0]["key_results"][0]["progress"] == 0.5  # type: ignore[index]
    assert _json(cli.invoke(app, ["jobs", "list", "-f", "json"])) == []


def test_bad_input_exits_2_with_one_line(cli: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = cli.invoke(app, ["customers", "import", str(empty)])
    assert result.exit_code == 2 and "empty" in result.output
    binary = tmp_path / "junk.csv"
    binary.write_bytes(b"\x00\x01\x02binary")
    assert cli.invoke(app, ["feedback", "import", str(binary)]).exit_code == 2
    missing = cli.invoke(app, ["feedback", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "not found" in missing.output
    no_text = tmp_path / "notext.csv"
    no_text.write_text("body\nhello\n")
    result = cli.invoke(app, ["feedback", "import", str(no_text)])
    assert result.exit_code == 2 and "lacks the column(s) text" in result.output
    assert cli.invoke(app, ["ideas", "show", "999"]).exit_code == 2
    assert (
        cli.invoke(app, ["user", "add", "x@example.com", "--name", "X", "--password", "short"]).exit_code == 2
    )

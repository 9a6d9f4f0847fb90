"""The theme commands of the CLI: analyse with a progress bar, list and show with demand, the human controls,
an idea from a theme, and one-line errors with exit status 2. The stateless ``feedback themes`` is untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from northstar.cli import app
from tests.feedback.analysis_support import TOPICS

runner = CliRunner()


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _seed(cli: CliRunner) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for topic, texts in TOPICS.items():
        ids[topic] = [_json(cli.invoke(app, ["feedback", "add", text, "-f", "json"]))["id"] for text in texts]
    return ids


def test_analyse_then_list_show_and_reshape_themes(cli: CliRunner) -> None:
    ids = _seed(cli)
    analysed = cli.invoke(app, ["feedback", "analyse"])
    assert analysed.exit_code == 0, analysed.output
    assert "Analysing feedback" in analysed.stderr  # the Rich progress bar
    summary = _json(cli.invoke(app, ["feedback", "analyse", "-f", "json"]))
    assert summary["analysed"] == 0 and summary["skipped_unchanged"] == 18  # incremental

    listed = _json(
        cli.invoke(app, ["feedback", "theme-list", "--level", "sub", "--sort", "items", "-f", "json"])
    )
    assert listed["total"] == 3 and [t["items"] for t in listed["items"]] == [6, 6, 6]
    table = cli.invoke(app, ["feedback", "theme-list"])
    assert table.exit_code == 0 and "Themes" in table.stdout

    by_keyword = {t["id"]: t["keywords"] for t in listed["items"]}
    export = next(i for i, k in by_keyword.items() if "export" in k)
    pricing = next(i for i, k in by_keyword.items() if "expensive" in k or "price" in k or "pricing" in k)
    shown = _json(cli.invoke(app, ["feedback", "theme-show", str(export), "-f", "json"]))
    assert shown["demand"]["items"] == 6 and len(shown["demand"]["trend"]["weeks"]) == 26
    assert "suggested_ideas" in shown
    readable = cli.invoke(app, ["feedback", "theme-show", str(export)])
    assert readable.exit_code == 0 and "Demand by segment" in readable.stdout

    renamed = _json(cli.invoke(app, ["feedback", "theme-rename", str(export), "Exports", "-f", "json"]))
    assert renamed["name"] == "Exports" and renamed["name_locked"] is True
    assert _json(cli.invoke(app, ["feedback", "theme-pin", str(export), "-f", "json"]))["pinned"] is True
    assert (
        _json(cli.invoke(app, ["feedback", "theme-pin", str(export), "--unpin", "-f", "json"]))["pinned"]
        is False
    )

    login_item = ids["login"][0]
    moved = _json(
        cli.invoke(app, ["feedback", "theme-move", str(login_item), "--to", str(pricing), "-f", "json"])
    )
    assert moved["moved"] == 1
    split = _json(
        cli.invoke(
            app,
            [
                "feedback",
                "theme-split",
                str(pricing),
                "--item",
                str(login_item),
                "--name",
                "Strays",
                "-f",
                "json",
            ],
        )
    )
    assert split["created"]["name"] == "Strays" and split["moved"] == 1
    merged = _json(
        cli.invoke(app, ["feedback", "theme-merge", str(split["created"]["id"]), str(pricing), "-f", "json"])
    )
    assert merged["survivor"]["id"] == pricing and merged["moved_items"] == 1

    made = _json(cli.invoke(app, ["feedback", "theme-idea", str(export), "--importance", "3", "-f", "json"]))
    assert made["title"] == "Exports" and made["linked"] == 6
    idea = _json(cli.invoke(app, ["ideas", "show", str(made["idea_id"]), "-f", "json"]))
    assert idea["idea"]["feedback_count"] == 6 and {f["importance"] for f in idea["feedback"]} == {3}


def test_theme_commands_fail_with_one_line_and_status_2(cli: CliRunner) -> None:
    _seed(cli)
    assert cli.invoke(app, ["feedback", "analyse", "-f", "json"]).exit_code == 0
    for args, words in [
        (["feedback", "theme-show", "99999"], "no theme 99999"),
        (["feedback", "theme-list", "--level", "middle"], "--level"),
        (["feedback", "theme-list", "--sort", "loudness"], "--sort"),
        (["feedback", "theme-merge", "1", "1"], "itself"),
        (["feedback", "theme-move", "99999", "--to", "2"], "no feedback item"),
        (["feedback", "theme-rename", "2", "   "], "1 to 300"),
    ]:
        result = cli.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_stateless_themes_command_still_reads_files(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("text\n" + "\n".join(f'"{t}"' for texts in TOPICS.values() for t in texts) + "\n")
    report = _json(
        cli.invoke(
            app, ["feedback", "themes", "--input", str(path), "--text-column", "text", "--format", "json"]
        )
    )
    assert len(report["assignments"]) == 18 and report["assignments"][0]["id"] == 0
    assert {"id", "name", "keywords", "size", "parent"} <= set(report["themes"][0])

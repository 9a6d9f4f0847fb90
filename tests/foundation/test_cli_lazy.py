"""The root command imports a module's CLI only when one of its commands runs, lists every command from modules.py,
and skips Alembic when the database is already at head."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from northstar import modules
from northstar.cli import app, full_command
from northstar.core import migrate

#: Runs the ``northstar`` entry point in a fresh interpreter, then reports which packages it had imported.
PROBE = """
import json, sys
from northstar.cli import main
sys.argv = ["northstar", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
names = sorted(sys.modules)
sys.stderr.write("PROBE" + json.dumps({"code": code, "modules": names}) + "\\n")
"""


def _run(args: list[str], home: Path) -> tuple[str, dict[str, object]]:
    env = {
        **os.environ,
        "NORTHSTAR_HOME": str(home),
        "COLUMNS": "200",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("NORTHSTAR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    probe = [line for line in done.stderr.splitlines() if line.startswith("PROBE")]
    assert probe, done.stderr
    return done.stdout, json.loads(probe[-1].removeprefix("PROBE"))


def _module_clis(loaded: list[str]) -> set[str]:
    return {name for name in loaded if name.startswith("northstar.") and name.endswith(".cli")} - {
        "northstar.cli"
    }


def test_help_lists_every_command_with_its_help_and_imports_no_module_cli(tmp_path: Path) -> None:
    output, probe = _run(["--help"], tmp_path)
    assert probe["code"] == 0
    loaded = list(probe["modules"])  # type: ignore[call-overload]
    assert _module_clis(loaded) == set()
    assert "sqlalchemy" not in loaded and "northstar.core.settings" not in loaded
    for entry in modules.cli_entries():
        assert f" {entry.name} " in output and entry.help[:60] in output, entry


def test_version_imports_neither_the_database_nor_any_module(tmp_path: Path) -> None:
    output, probe = _run(["version"], tmp_path)
    assert probe["code"] == 0 and output.strip() == "0.1.0"
    loaded = list(probe["modules"])  # type: ignore[call-overload]
    assert _module_clis(loaded) == set() and "sqlalchemy" not in loaded


def test_a_listing_imports_only_its_module_and_skips_alembic_at_head(tmp_path: Path) -> None:
    init = ["init", "--email", "a@example.com", "--password", "a-long-password", "--workspace", "Acme"]
    _, first = _run(init, tmp_path)
    assert first["code"] == 0
    assert "alembic" in first["modules"]  # type: ignore[operator]  # a new database is migrated
    stamped = {
        row[0] for row in sqlite3.connect(tmp_path / "northstar.db").execute("SELECT * FROM alembic_version")
    }
    assert stamped == migrate.stamped_heads()  # what Alembic stamps is what the quick check expects

    output, probe = _run(["customers", "list", "-f", "json"], tmp_path)
    assert probe["code"] == 0 and json.loads(output)["items"] == []
    loaded = list(probe["modules"])  # type: ignore[call-overload]
    assert _module_clis(loaded) == {"northstar.customers.cli"}
    assert "alembic" not in loaded


def test_each_listed_entry_has_the_help_of_the_command_it_loads() -> None:
    own = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    root = full_command()
    entries = modules.cli_entries()
    assert {entry.name for entry in entries} == set(root.commands) - own  # no module command goes unlisted
    for entry in entries:
        assert (root.commands[entry.name].help or "").strip() == entry.help, (
            f"modules.py lists {entry.name!r} with other words than its command's help"
        )


def test_a_mistyped_command_is_answered_with_the_module_command_meant() -> None:
    result = CliRunner().invoke(app, ["custmers"])
    assert result.exit_code == 2 and "Did you mean 'customers'" in result.output


def _revision(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(f'"""{name}."""\n\n{body}\n\n\ndef upgrade() -> None:\n    pass\n')


def test_stamped_heads_follow_branches_merges_and_dependencies(tmp_path: Path) -> None:
    _revision(tmp_path, "a", 'revision = "a"\ndown_revision = None')
    _revision(tmp_path, "b", 'revision = "b"\ndown_revision = "a"')
    _revision(tmp_path, "c", 'revision: str = "c"\ndown_revision: str | None = "a"')
    _revision(tmp_path, "d", 'revision = "d"\ndown_revision = "a"')
    _revision(tmp_path, "e", 'revision = "e"\ndown_revision = ("b", "c")\ndepends_on = ["d"]')
    _revision(tmp_path, "f", 'revision = "f"\ndown_revision = "a"')
    assert migrate.stamped_heads(tmp_path) == {"e", "f"}


@pytest.mark.parametrize("body", ['revision = "x" + "y"\ndown_revision = None', 'revision = "x"'])
def test_stamped_heads_give_up_on_a_revision_file_they_cannot_read(tmp_path: Path, body: str) -> None:
    _revision(tmp_path, "x", body)
    assert migrate.stamped_heads(tmp_path) is None

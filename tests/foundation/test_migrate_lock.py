"""Server processes that start together migrate one at a time (``northstar serve --workers 2`` on a new database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from northstar.core.migrate import current_heads

UPGRADE = (
    "import sys; from pathlib import Path; from northstar.core.migrate import upgrade_once; "
    "upgrade_once(sys.argv[1], Path(sys.argv[2]))"
)


def test_two_processes_upgrading_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'northstar.db'}"
    lock = tmp_path / "run" / "migrate.lock"
    processes = [
        subprocess.Popen([sys.executable, "-c", UPGRADE, url, str(lock)], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [
        (process.wait(timeout=300), process.stderr.read() if process.stderr else "") for process in processes
    ]
    assert [code for code, _ in results] == [0, 0], [err[-800:] for _, err in results]
    assert current_heads(url)  # at head, with the heads of every module's chain

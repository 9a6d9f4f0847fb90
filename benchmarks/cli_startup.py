"""Benchmark: how long ``northstar`` takes to answer, before and after imports were deferred to the command.

"Before" is the source tree of a git revision (default ``1bd9782``, main when the lazy CLI was started) extracted
with ``git archive`` into a temporary folder; "after" is this checkout. Both run the same interpreter with
``PYTHONPATH`` set to their own ``src`` and share one data directory, initialised once (by "after") with a user,
a workspace and a few customers. Each command runs ``--repeat`` times per tree, alternating trees so that the load
of the shared machine falls on both alike; the table shows the median and the slowest wall-clock seconds and the
median CPU seconds (user + system of the child, which the other jobs on the machine do not inflate). The load
average before and after is recorded with the numbers.

Usage::

    .venv/bin/python benchmarks/cli_startup.py                      # 7 runs each, results/cli_startup.{md,json}
    .venv/bin/python benchmarks/cli_startup.py --repeat 3 --before main
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import cell, results_folder  # noqa: E402  (benchmarks/ is not a package)

RESULTS = results_folder()

#: (label, arguments, target seconds from issue 19)
COMMANDS: tuple[tuple[str, list[str], float], ...] = (
    ("northstar --help", ["--help"], 0.5),
    ("northstar version", ["version"], 0.5),
    ("northstar customers list", ["customers", "list"], 1.5),
    ("northstar workspace list", ["workspace", "list"], 1.5),
    ("northstar ideas list --format json", ["ideas", "list", "--format", "json"], 1.5),
)


def extract(revision: str, into: Path) -> Path:
    """The ``src`` folder of ``revision``, written under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_once(src: Path, args: list[str], home: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``northstar ARGS`` in a fresh interpreter on the tree ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src), "NORTHSTAR_HOME": str(home), "COLUMNS": "120"}
    env.pop("NORTHSTAR_DATABASE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from northstar.cli import main; main()", *args],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed on {src}: {done.stderr.decode()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def seed(src: Path, home: Path) -> None:
    """A data directory with one user, one workspace and three customers (migrated by the first command)."""
    init = ["init", "--email", "bench@example.com", "--password", "a-long-password", "--workspace", "Bench"]
    run_once(src, init, home)
    for name, arr in (("Acme", "120000"), ("Globex", "48000"), ("Initech", "9000")):
        run_once(src, ["customers", "add", name, "--arr", arr], home)


def measure(repeat: int, before_rev: str, commands: int | None = None) -> dict[str, Any]:
    """Time the first ``commands`` of COMMANDS (all by default) on this checkout and on ``before_rev`` (left out,
    printed as "—", when that revision cannot be read, e.g. in a checkout without its history)."""
    chosen = COMMANDS[:commands] if commands else COMMANDS
    needs_data = any(args[0] not in ("--help", "version") for _label, args, _target in chosen)
    with tempfile.TemporaryDirectory(prefix="northstar-cli-bench-") as tmp:
        trees = {"after": ROOT / "src"}
        try:
            trees = {"before": extract(before_rev, Path(tmp) / "before"), **trees}
        except (subprocess.SubprocessError, OSError) as error:
            print(f"before ({before_rev}): — ({error})", file=sys.stderr)
        home = Path(tmp) / "home"
        if needs_data:
            seed(trees["after"], home)
        for src in trees.values():  # one untimed run each: write the bytecode caches
            run_once(src, ["customers", "list"] if needs_data else ["version"], home)
        rows = []
        for label, args, target in chosen:
            timings: dict[str, list[tuple[float, float]]] = {tree: [] for tree in trees}
            for _ in range(repeat):
                for tree, src in trees.items():
                    timings[tree].append(run_once(src, args, home))
            row: dict[str, Any] = {"command": label, "target_s": target, "before": None}
            for tree, runs in timings.items():
                row[tree] = {
                    "wall_median_s": round(statistics.median(w for w, _ in runs), 3),
                    "wall_max_s": round(max(w for w, _ in runs), 3),
                    "cpu_median_s": round(statistics.median(c for _, c in runs), 3),
                }
            rows.append(row)
    return {"rows": rows}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# CLI start-up: before and after deferring imports to the command",
        "",
        f"Measured {result['when']} with `python benchmarks/cli_startup.py --repeat {result['repeat']}` "
        f"(before = `{result['before_revision']}`, after = this checkout), {result['cpus']} CPU cores, "
        f"load average {result['load_before']} before and {result['load_after']} after (the machine is shared "
        "with other jobs: the wall-clock figures include waiting for a core; CPU seconds do not).",
        "",
        "| command | target | before: median wall | before: CPU | after: median wall | after: slowest | "
        "after: CPU | speed-up (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        b, a = row["before"] or {}, row["after"]
        speedup = b["cpu_median_s"] / max(a["cpu_median_s"], 1e-9) if b else None
        lines.append(
            f"| `{row['command']}` | {row['target_s']:.1f} s | {cell(b.get('wall_median_s'), '.2f')} s "
            f"| {cell(b.get('cpu_median_s'), '.2f')} s "
            f"| {a['wall_median_s']:.2f} s | {a['wall_max_s']:.2f} s | {a['cpu_median_s']:.2f} s "
            f"| {cell(speedup, '.1f')}x |"
        )
    lines += [
        "",
        "What changed: the root command imports only Typer and modules.py and lists each module's commands from "
        "there; a module's `cli` (with its services and engines) is imported when one of its commands runs; "
        "`open_database` no longer imports every module's job handlers (only `run_job` needs them) and starts "
        "Alembic only when the database is behind the revision files (read without importing them).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", default="1bd9782", help="git revision to compare against")
    parser.add_argument("--commands", type=int, default=None, help="time only the first N commands")
    parser.add_argument("--out", type=Path, default=RESULTS / "cli_startup")
    options = parser.parse_args()
    load_before = round(os.getloadavg()[0], 2)
    result = measure(options.repeat, options.before, options.commands)
    result.update(
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        repeat=options.repeat,
        before_revision=options.before,
        cpus=os.cpu_count(),
        load_before=load_before,
        load_after=round(os.getloadavg()[0], 2),
    )
    text = markdown(result)
    sys.stdout.write(text)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.with_suffix(".md").write_text(text)
    options.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

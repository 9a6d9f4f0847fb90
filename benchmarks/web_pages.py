"""Benchmark: the feedback inbox, the idea list and the API list endpoints under 20 concurrent clients.

For each backend (a SQLite file under a temporary NORTHSTAR_HOME; a fresh PostgreSQL database
``northstar_bench_<random>`` on 127.0.0.1:5432, dropped at the end) the script migrates, seeds one workspace
(``--feedback`` items from ~``--customers`` customers, ``--ideas`` ideas linked to feedback; see
web_pages_seed.py), starts the real server (``uvicorn northstar.web.asgi:app`` in a subprocess, once per
``--workers`` value), logs in through ``POST /login`` for the session cookie, and loads each page from
``--clients`` concurrent keep-alive connections: with ``wrk`` (the default when installed; ``--seconds`` per
page, after a 2-second warm-up) or with httpx clients in this process (``--generator httpx``, ``--requests`` per
page; they cost 1-2 ms of CPU per request on the same two cores). It prints p50 / p95 / max latency and
requests per second per page, checks them against the targets of the foundation issue (pages p95 < 150 ms,
API list endpoints p95 < 100 ms) and writes the table to benchmarks/results/web_pages.{md,json}.

The baseline each page is compared with is its target; the run also compares 1 and 2 uvicorn workers.
The machine is shared: the load average (``uptime``) before and after each run is recorded with the numbers.

Usage::

    .venv/bin/python benchmarks/web_pages.py                      # full run: 100k feedback, both backends
    .venv/bin/python benchmarks/web_pages.py --feedback 5000 --ideas 500 --requests 60 --backends sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from _results import results_folder
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.migrate import upgrade
from web_pages_seed import BENCH_EMAIL, BENCH_PASSWORD, SeedResult, seed_workspace

RESULTS = results_folder()
WRK_SCRIPT = Path(__file__).resolve().parent / "web_pages.lua"
REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
PAGE_TARGET_MS = 150.0
CLIENTS_FOR_PROJECTION = 20
#: a loaded machine can take minutes to import the app in two worker processes
STARTUP_SECONDS = 400
SAMPLE_SECONDS = 0.25
HEALTHCHECK_SECONDS = 60
CORES_FOR_PROJECTION = 2
API_TARGET_MS = 100.0
#: words of the phrase bank that occur in many, some and few items: the search runs a full text scan either way
SEARCH_TERMS = ("export", "slow", "invoice", "permissions", "dark mode")
console = Console(width=170)


@dataclass(frozen=True)
class Endpoint:
    """One measured page: its label, the URLs cycled through, and whether it is an API endpoint."""

    name: str
    urls: tuple[str, ...]
    api: bool

    @property
    def target_ms(self) -> float:
        return API_TARGET_MS if self.api else PAGE_TARGET_MS


ENDPOINTS = (
    Endpoint("GET /feedback (inbox, page 1)", ("/feedback",), False),
    Endpoint(
        "GET /feedback?q=… (search)", tuple(f"/feedback?q={t.replace(' ', '+')}" for t in SEARCH_TERMS), False
    ),
    Endpoint(
        "GET /feedback?segment=… (filter)", ("/feedback?segment=enterprise", "/feedback?segment=smb"), False
    ),
    Endpoint("GET /feedback?page=50", ("/feedback?page=50",), False),
    Endpoint("GET /ideas (list)", ("/ideas",), False),
    Endpoint("GET /ideas?sort=title", ("/ideas?sort=title",), False),
    Endpoint("GET /api/v1/feedback", ("/api/v1/feedback",), True),
    Endpoint("GET /api/v1/ideas", ("/api/v1/ideas",), True),
)


@dataclass
class Measurement:
    """Latencies of one endpoint in one configuration (backend x workers)."""

    backend: str
    workers: int
    endpoint: str
    api: bool
    target_ms: float
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    rps: float
    #: CPU the uvicorn processes used per request (ms): steadier than latency on a loaded machine
    server_cpu_ms: float | None
    #: CPU the PostgreSQL backends serving the benchmark database used per request (ms); None on SQLite
    database_cpu_ms: float | None = None

    @property
    def projected_ms(self) -> float | None:
        """Mean latency 20 closed-loop clients would see on 2 otherwise idle cores (Little's law, CPU-bound)."""
        if self.server_cpu_ms is None:
            return None
        demand = self.server_cpu_ms + (self.database_cpu_ms or 0.0)
        return round(demand * CLIENTS_FOR_PROJECTION / CORES_FOR_PROJECTION, 1)

    @property
    def meets_target(self) -> bool:
        return self.errors == 0 and self.p95_ms < self.target_ms


@dataclass
class RunInfo:
    """Context of one configuration: seeding, load average before and after."""

    backend: str
    workers: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    seconds: float


@dataclass
class Report:
    started_at: str
    machine: str
    options: dict[str, Any]
    seeds: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[RunInfo] = field(default_factory=list)
    rows: list[Measurement] = field(default_factory=list)


# --- databases -------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    home = Path(tempfile.mkdtemp(prefix="northstar_bench_"))
    try:
        yield f"sqlite:///{home / 'northstar.db'}", home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def postgres_database() -> Iterator[tuple[str, Path]]:
    name = f"northstar_bench_{secrets.token_hex(4)}"
    home = Path(tempfile.mkdtemp(prefix="northstar_bench_"))
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name), home
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(home, ignore_errors=True)


def prepare(url: str, args: argparse.Namespace) -> SeedResult:
    """Migrate and seed; on PostgreSQL also VACUUM ANALYZE (what autovacuum does shortly after a bulk load)."""
    upgrade(url)
    engine = create_database_engine(url)
    try:
        with create_session_factory(engine)() as session:
            result = seed_workspace(session, args.feedback, args.ideas, args.customers)
        if url.startswith("postgresql"):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()
    return result


# --- server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, home: Path, workers: int, profile: Path | None = None) -> Iterator[tuple[str, int]]:
    """Run uvicorn on a free port until the block ends; ``profile`` wraps it in ``py-spy record``."""
    port = free_port()
    env = {
        **os.environ,
        "NORTHSTAR_DATABASE_URL": url,
        "NORTHSTAR_HOME": str(home),
        "NORTHSTAR_SECRET_KEY": "bench-secret-" + secrets.token_hex(8),
        "NORTHSTAR_UPGRADE_ON_START": "false",
    }
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "uvicorn"), "northstar.web.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    if workers > 1:
        # uvicorn's supervisor kills a worker that does not answer its ping within 5 s; on a saturated
        # machine a busy worker misses it and in-flight requests are dropped (seen as RemoteProtocolError)
        command += ["--timeout-worker-healthcheck", str(HEALTHCHECK_SECONDS)]
    if profile is not None:
        profile.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(bin_dir / "py-spy"),
            "record",
            "--subprocesses",
            "-o",
            str(profile),
            "-f",
            "speedscope",
            "--",
            *command,
        ]
    log = open(home / f"uvicorn_{workers}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                log.flush()
                tail = (home / f"uvicorn_{workers}.log").read_text()[-2000:]
                raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{tail}")
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not answer /health within {STARTUP_SECONDS} s")
            time.sleep(0.3)
        yield base, process.pid
    finally:
        if profile is None:
            process.terminate()
        else:  # py-spy writes its output when interrupted like Ctrl-C
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def login(base: str) -> dict[str, str]:
    """Log in through the form like a browser; returns the session cookie."""
    response = httpx.post(
        base + "/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}, timeout=60
    )
    if response.status_code != 303 or not response.cookies:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
    return dict(response.cookies)


# --- load ---------------------------------------------------------------------------------------------------


async def drive(
    base: str,
    endpoint: Endpoint,
    total: int,
    clients: int,
    cookies: dict[str, str],
    token: str,
    pid: int,
    database: str | None,
) -> tuple[list[float], int, float, float | None, float | None]:
    """Send ``total`` GETs from ``clients`` concurrent connections after a warm-up.

    Returns the latencies (s), the error count, the wall time, and the CPU seconds the server and the
    PostgreSQL backends of ``database`` used during the timed part.
    """
    headers = {"Authorization": f"Bearer {token}"} if endpoint.api else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    failures: list[str] = []
    errors = 0
    counter = iter(range(total))

    async with httpx.AsyncClient(
        base_url=base,
        cookies=None if endpoint.api else cookies,
        headers=headers,
        limits=limits,
        timeout=120,
    ) as client:

        async def one_client() -> None:
            nonlocal errors
            for index in counter:
                url = endpoint.urls[index % len(endpoint.urls)]
                started = time.perf_counter()
                try:
                    status = (await client.get(url)).status_code
                except httpx.HTTPError as exc:  # a dropped connection counts as a failed request
                    status = 0
                    failures.append(f"{url}: {type(exc).__name__}")
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1

        # warm-up: every URL once per client slot, not timed (templates compile, pools fill)
        warm = [client.get(url) for url in endpoint.urls for _ in range(min(clients, 4))]
        for response in await asyncio.gather(*warm):
            if response.status_code != 200:
                raise RuntimeError(
                    f"{endpoint.name}: warm-up got {response.status_code}: {response.text[:300]}"
                )
        db_cpu_meter = DatabaseCpu(database)
        cpu_before, db_before = server_cpu_seconds(pid), db_cpu_meter.snapshot()
        running = True

        async def sample_database() -> None:
            while running:
                await asyncio.sleep(SAMPLE_SECONDS)
                db_cpu_meter.sample()

        sampler = asyncio.create_task(sample_database())
        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - started
        running = False
        await sampler
        cpu_after, db_cpu = server_cpu_seconds(pid), db_cpu_meter.since(db_before)
    if failures:
        console.print(f"[red]{len(failures)} failed request(s)[/], first: {failures[0]}")
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return latencies, errors, wall, cpu, db_cpu


@dataclass(frozen=True)
class Target:
    """The running server a load run aims at: its URL, the uvicorn pid, credentials, the PostgreSQL database."""

    base: str
    pid: int
    cookies: dict[str, str]
    token: str
    database: str | None


@dataclass
class LoadResult:
    """What one load run measured: request count, errors, wall seconds, latency percentiles (s), CPU seconds."""

    requests: int
    errors: int
    wall: float
    p50: float
    p95: float
    max: float
    server_cpu: float | None
    database_cpu: float | None


def drive_httpx(target: Target, endpoint: Endpoint, args: argparse.Namespace) -> LoadResult:
    """``args.requests`` GETs from ``args.clients`` httpx clients in this process (see ``drive``)."""
    latencies, errors, wall, cpu, db_cpu = asyncio.run(
        drive(
            target.base,
            endpoint,
            args.requests,
            args.clients,
            target.cookies,
            target.token,
            target.pid,
            target.database,
        )
    )
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        wall=wall,
        p50=statistics.median(latencies),
        p95=percentile(latencies, 0.95),
        max=max(latencies),
        server_cpu=cpu,
        database_cpu=db_cpu,
    )


def drive_wrk(target: Target, endpoint: Endpoint, args: argparse.Namespace) -> LoadResult:
    """``wrk`` with ``args.clients`` keep-alive connections for ``args.seconds`` after a 2-second warm-up.

    wrk (C, epoll) costs a few microseconds per request, so nearly all of the machine's two cores go to the
    server; the httpx clients cost 1-2 ms of CPU per request on the same cores and add their own event-loop
    delay to every latency. Percentiles come from wrk's latency histogram (``benchmarks/web_pages.lua``).
    """
    cookie = "; ".join(f"{name}={value}" for name, value in target.cookies.items())
    script_args = [
        ",".join(endpoint.urls),
        "" if endpoint.api else cookie,
        f"Bearer {target.token}" if endpoint.api else "",
    ]

    def command(seconds: int, connections: int) -> list[str]:
        return [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "-s",
            str(WRK_SCRIPT),
            target.base,
        ]

    warm = subprocess.run([*command(2, args.clients), "--", *script_args], capture_output=True, text=True)
    if warm.returncode != 0:
        raise RuntimeError(f"wrk failed: {warm.stderr[-500:]}")
    db_meter = DatabaseCpu(target.database)
    cpu_before, db_before = server_cpu_seconds(target.pid), db_meter.snapshot()
    process = subprocess.Popen(
        [*command(args.seconds, args.clients), "--", *script_args], stdout=subprocess.PIPE, text=True
    )
    while process.poll() is None:
        time.sleep(SAMPLE_SECONDS)
        db_meter.sample()
    output = process.stdout.read() if process.stdout else ""
    cpu_after, db_cpu = server_cpu_seconds(target.pid), db_meter.since(db_before)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk gave no result for {endpoint.name}: {output[-500:]}")
    result = json.loads(lines[-1])
    errors = sum(
        result[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return LoadResult(
        requests=result["requests"],
        errors=errors,
        wall=result["duration_us"] / 1e6,
        p50=result["p50_us"] / 1e6,
        p95=result["p95_us"] / 1e6,
        max=result["max_us"] / 1e6,
        server_cpu=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        database_cpu=db_cpu,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


def measure_config(
    backend: str,
    workers: int,
    url: str,
    home: Path,
    seed: SeedResult,
    args: argparse.Namespace,
    report: Report,
) -> None:
    database = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
    load_before = os.getloadavg()
    started = time.perf_counter()
    profile = Path(args.profile) / f"{backend}_{workers}w.speedscope.json" if args.profile else None
    with server(url, home, workers, profile) as (base, pid):
        target = Target(base=base, pid=pid, cookies=login(base), token=seed.api_token, database=database)
        for endpoint in ENDPOINTS:
            driver = drive_wrk if args.generator == "wrk" else drive_httpx
            load = driver(target, endpoint, args)
            cpu_ms = None if load.server_cpu is None else round(load.server_cpu * 1000 / load.requests, 1)
            db_ms = None if load.database_cpu is None else round(load.database_cpu * 1000 / load.requests, 1)
            row = Measurement(
                backend=backend,
                workers=workers,
                endpoint=endpoint.name,
                api=endpoint.api,
                target_ms=endpoint.target_ms,
                requests=load.requests,
                errors=load.errors,
                p50_ms=round(load.p50 * 1000, 1),
                p95_ms=round(load.p95 * 1000, 1),
                max_ms=round(load.max * 1000, 1),
                rps=round(load.requests / load.wall, 1),
                server_cpu_ms=cpu_ms,
                database_cpu_ms=db_ms,
            )
            report.rows.append(row)
            mark = "[green]ok[/]" if row.meets_target else "[red]MISSED[/]"
            console.print(
                f"  {backend:<10} {workers}w  {endpoint.name:<36} p50 {row.p50_ms:7.1f}  p95 {row.p95_ms:7.1f}  "
                f"max {row.max_ms:7.1f} ms  {row.rps:6.1f} req/s  CPU app {_ms(row.server_cpu_ms)} "
                f"db {_ms(row.database_cpu_ms)} ms/req  {mark}"
            )
    report.runs.append(
        RunInfo(
            backend,
            workers,
            _rounded(load_before),
            _rounded(os.getloadavg()),
            round(time.perf_counter() - started, 1),
        )
    )


def _proc_cpu(wanted: Callable[[int, int], bool]) -> float | None:
    """User + system CPU seconds of the processes for which ``wanted(pid, parent pid)``, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if wanted(int(entry.name), int(fields[1])):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of the uvicorn process and its direct children (the workers)."""
    return _proc_cpu(lambda p, parent: pid in (p, parent))


class DatabaseCpu:
    """CPU of the PostgreSQL backends serving one database, found by their process title in /proc.

    The server's pool closes overflow connections while the load runs, so the backends are sampled every
    ``SAMPLE_SECONDS`` and a backend that exits keeps its last seen CPU time.
    """

    def __init__(self, database: str | None) -> None:
        self.marker = f" {database} " if database else None
        self.seen: dict[int, float] = {}

    def sample(self) -> None:
        if self.marker is None:
            return
        tick = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if not title.startswith("postgres:") or self.marker not in title:
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick

    def snapshot(self) -> dict[int, float]:
        self.sample()
        return dict(self.seen)

    def since(self, before: dict[int, float]) -> float | None:
        """CPU seconds used since ``before`` (a snapshot), by backends alive then or started later."""
        if self.marker is None:
            return None
        self.sample()
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in self.seen.items())


def _rounded(load: tuple[float, float, float]) -> tuple[float, float, float]:
    return (round(load[0], 2), round(load[1], 2), round(load[2], 2))


# --- output --------------------------------------------------------------------------------------------------


def verdict(row: Measurement) -> str:
    if row.errors:
        return f"{row.errors} errors"
    return "met" if row.meets_target else "MISSED"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def render_table(report: Report) -> Table:
    table = Table(title="Northstar web pages under concurrent load (latency in ms)")
    columns: tuple[str, ...] = (
        "backend",
        "workers",
        "page",
        "p50",
        "p95",
        "max",
        "req/s",
        "app CPU/req",
        "DB CPU/req",
    )
    columns += ("idle 2-core est.", "target p95", "verdict")
    numeric = set(columns[3:10]) | {"workers"}
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in report.rows:
        style = "green" if row.meets_target else "red"
        table.add_row(
            row.backend,
            str(row.workers),
            row.endpoint,
            f"{row.p50_ms:.1f}",
            f"{row.p95_ms:.1f}",
            f"{row.max_ms:.1f}",
            f"{row.rps:.1f}",
            _ms(row.server_cpu_ms),
            _ms(row.database_cpu_ms),
            _ms(row.projected_ms),
            f"< {row.target_ms:.0f}",
            f"[{style}]{verdict(row)}[/]",
        )
    return table


def worker_summary(report: Report) -> list[str]:
    """Per backend: total throughput and worst p95 of each worker count, and which is better."""
    lines = []
    for backend in dict.fromkeys(row.backend for row in report.rows):
        scores = {}
        for workers in sorted({row.workers for row in report.rows if row.backend == backend}):
            rows = [r for r in report.rows if r.backend == backend and r.workers == workers]
            mean_rps = statistics.mean(r.rps for r in rows)
            met = sum(r.meets_target for r in rows)
            scores[workers] = (mean_rps, met)
            lines.append(
                f"{backend}, {workers} worker(s): mean {mean_rps:.1f} req/s per page, "
                f"{met}/{len(rows)} pages within target"
            )
        if len(scores) > 1:
            best = max(scores, key=lambda w: scores[w])
            lines.append(f"{backend}: {best} worker(s) is better on this machine.")
    return lines


def write_results(report: Report, tag: str | None = None) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "web_pages" + (f".{tag}" if tag else "")
    payload = {
        "started_at": report.started_at,
        "machine": report.machine,
        "options": report.options,
        "seeds": report.seeds,
        "runs": [asdict(run) for run in report.runs],
        "rows": [
            {**asdict(row), "meets_target": row.meets_target, "idle_two_core_estimate_ms": row.projected_ms}
            for row in report.rows
        ],
        "summary": worker_summary(report),
        "tag": tag,
    }
    (RESULTS / f"{stem}.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        "# Web pages under concurrent load",
        "",
        f"Run {report.started_at} on {report.machine}. Options: "
        + ", ".join(f"{k}={v}" for k, v in report.options.items())
        + ".",
        "Targets (foundation issue): pages p95 < 150 ms, API list endpoints p95 < 100 ms.",
        "",
        f"Latencies are from {report.options.get('clients', 20)} closed-loop clients (no think time, load generator "
        f"{report.options.get('generator', 'httpx')}) on the same 2 cores, so",
        "they include queueing for CPU; the load average below says how busy the machine was. *App CPU* is what the",
        "uvicorn processes spent per request, *DB CPU* what the PostgreSQL backends of the benchmark database",
        "spent; *idle 2-core est.* = (app + DB CPU) x 20 clients / 2 cores, the mean latency the same load",
        "would see on an otherwise idle 2-core machine if it were purely CPU-bound (Little's law).",
        "",
    ]
    for backend, seed in report.seeds.items():
        lines.append(
            f"- {backend}: seeded {seed['feedback']} feedback items, {seed['customers']} customers, "
            f"{seed['ideas']} ideas, {seed['links']} links in {seed['seconds']:.1f} s "
            f"({seed['cpu_seconds']:.1f} s CPU in the seeding process)"
        )
    for run in report.runs:
        lines.append(
            f"- {run.backend}, {run.workers} worker(s): load average {run.load_before} before, "
            f"{run.load_after} after ({run.seconds:.0f} s)"
        )
    lines += [
        "",
        "| backend | workers | page | p50 ms | p95 ms | max ms | req/s | app CPU ms/req | DB CPU ms/req "
        "| idle 2-core est. ms | target p95 | verdict |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in report.rows:
        lines.append(
            f"| {row.backend} | {row.workers} | {row.endpoint} | {row.p50_ms:.1f} | {row.p95_ms:.1f} | "
            f"{row.max_ms:.1f} | {row.rps:.1f} | {_ms(row.server_cpu_ms)} | {_ms(row.database_cpu_ms)} | "
            f"{_ms(row.projected_ms)} | < {row.target_ms:.0f} | {verdict(row)} |"
        )
    lines += ["", *[f"- {line}" for line in worker_summary(report)], ""]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines))
    return RESULTS / f"{stem}.md"


# --- main ------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feedback", type=int, default=100_000, help="feedback items to seed")
    parser.add_argument("--ideas", type=int, default=10_000, help="ideas to seed")
    parser.add_argument("--customers", type=int, default=3_000, help="customers to seed")
    parser.add_argument("--requests", type=int, default=200, help="with httpx: timed requests per page")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument(
        "--generator",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator: wrk (default when installed: apt-get install wrk) or httpx clients in this process",
    )
    parser.add_argument("--seconds", type=int, default=10, help="with wrk: timed seconds per page")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to compare, e.g. 1,2")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument(
        "--profile", default=None, help="directory: run the server under py-spy, write flame data"
    )
    parser.add_argument("--tag", default=None, help="write results/web_pages.<tag>.{md,json} instead")
    parser.add_argument(
        "--merge", nargs="+", default=None, help="combine the JSON of earlier runs, run nothing"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/web_pages.*")
    args = parser.parse_args(argv)
    args.backend_list = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backend_list) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    args.worker_list = [int(w) for w in args.workers.split(",") if w.strip()]
    return args


def merge_reports(paths: list[str]) -> Report:
    """One report from the JSON of several runs (e.g. one per backend, run at different times)."""
    merged: Report | None = None
    for path in paths:
        data = json.loads(Path(path).read_text())
        if merged is None:
            merged = Report(started_at=data["started_at"], machine=data["machine"], options=data["options"])
        else:
            merged.started_at += f" and {data['started_at']}"
            merged.options["backends"] += "," + data["options"]["backends"]
        merged.seeds.update(data["seeds"])
        merged.runs += [
            RunInfo(r["backend"], r["workers"], tuple(r["load_before"]), tuple(r["load_after"]), r["seconds"])
            for r in data["runs"]
        ]
        fields = set(Measurement.__dataclass_fields__)
        merged.rows += [Measurement(**{k: v for k, v in row.items() if k in fields}) for row in data["rows"]]
    if merged is None:
        raise SystemExit("--merge needs at least one JSON file")
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.merge:
        report = merge_reports(args.merge)
        console.print(render_table(report))
        console.print(f"written to {write_results(report, args.tag)} and .json")
        return 0
    report = Report(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        options={
            k: getattr(args, k)
            for k in (
                "feedback",
                "ideas",
                "customers",
                "generator",
                "requests",
                "seconds",
                "clients",
                "workers",
                "backends",
            )
        },
    )
    console.print(f"load average at start: {_rounded(os.getloadavg())}")
    for backend in args.backend_list:
        database = sqlite_database() if backend == "sqlite" else postgres_database()
        with database as (url, home):
            console.print(f"[bold]{backend}[/]: migrating and seeding {args.feedback} feedback items …")
            seed = prepare(url, args)
            report.seeds[backend] = {k: v for k, v in asdict(seed).items() if k != "api_token"}
            console.print(f"  seeded in {seed.seconds:.1f} s ({seed.links} links)")
            for workers in args.worker_list:
                measure_config(backend, workers, url, home, seed, args, report)
    console.print(render_table(report))
    for line in worker_summary(report):
        console.print(line)
    console.print(f"load average at end: {_rounded(os.getloadavg())}")
    if not args.no_write:
        written = write_results(report, args.tag)
        console.print(f"written to {written} and .json")
    return 0 if all(row.meets_target for row in report.rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

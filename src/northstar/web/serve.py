"""Running the web server: ``northstar serve`` starts it here, and says "ready" only once it answers.

Two processes take part. ``launch`` runs in the ``northstar`` command: it checks that the port is free, migrates
the database once, starts the server as ``python -m northstar.web.serve`` and polls ``GET /api/v1/health``
until it answers 200. Only then does it print the address, so nobody is sent to a server that refuses
connections. It passes the server's log through, and when a server process cannot start or keeps being
replaced, it says why and what to do.

The server process (``main`` below) is uvicorn's supervisor. uvicorn starts its worker processes with
multiprocessing's *spawn*, which re-imports the parent's ``__main__`` in every worker before the worker can
answer the supervisor's health-check ping. When the supervisor was the ``northstar`` console script, every
worker imported the whole CLI (Typer, Rich, every module's commands) first; on a busy 2-core laptop that took
longer than uvicorn's 5 s ping timeout, the supervisor killed the worker and started another, forever (issue
17). Here ``__main__`` is this module, which imports only the standard library at the top, so a worker answers
its first ping within a second of starting and then builds the app (``northstar.web.asgi``). The ping timeout
is raised too (``NORTHSTAR_WEB_WORKER_TIMEOUT``, 30 s by default).

Keep this module's top-level imports to the standard library: every worker imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

HEALTH_PATH = "/api/v1/health"
ASGI_APP = "northstar.web.asgi:app"
#: uvicorn's exit status when the app, its start-up or the socket fails (uvicorn.config.STARTUP_FAILURE)
STARTUP_FAILURE = 3


# --- the server process -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m northstar.web.serve``: run uvicorn's server (with a supervisor when there are several workers)."""
    parser = argparse.ArgumentParser(prog="python -m northstar.web.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--worker-timeout", type=int, default=30)
    args = parser.parse_args(argv)

    import uvicorn

    uvicorn.run(
        ASGI_APP,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_worker_healthcheck=args.worker_timeout,
        log_level="info",
        proxy_headers=False,
    )


# --- the launcher -------------------------------------------------------------------------------------------


class ServeError(Exception):
    """The server cannot start; the message names the cause and the fix."""


def browser_host(host: str) -> str:
    """The address to open (and poll) for a server listening on ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def base_url(host: str, port: int) -> str:
    shown = browser_host(host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def health(url: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]] | None:
    """(status, body) of ``GET url/api/v1/health``; None when nothing answers."""
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=timeout) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())
    except (OSError, ValueError):
        return None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _port_is_free(host: str, port: int) -> OSError | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc
    return None


def check_port(host: str, port: int) -> None:
    """Raise ``ServeError`` naming the cause and the fix when ``host:port`` cannot be listened on."""
    problem = _port_is_free(host, port)
    if problem is None:
        return
    if problem.errno == errno.EADDRINUSE:
        answer = health(base_url(host, port), timeout=1.0)
        free = next((p for p in range(port + 1, port + 50) if _port_is_free(host, p) is None), None)
        other = f"--port {free} (or NORTHSTAR_PORT={free})" if free else "--port (or NORTHSTAR_PORT)"
        if answer is not None and answer[1].get("version"):
            raise ServeError(
                f"Northstar is already running at {base_url(host, port)}: open that address, or stop that "
                f"server first, or start this one on another port with {other}."
            )
        raise ServeError(
            f"port {port} on {host} is taken by another program. Stop that program "
            f"(`lsof -i :{port}` names it) or choose another port with {other}."
        )
    if problem.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        raise ServeError(
            f"this machine has no address {host}: choose one of its addresses with --host "
            "(or NORTHSTAR_HOST), e.g. 127.0.0.1."
        )
    if problem.errno == errno.EACCES:
        raise ServeError(
            f"listening on port {port} needs administrator rights; choose a port above 1023 with --port "
            "(or NORTHSTAR_PORT)."
        )
    raise ServeError(f"cannot listen on {host}:{port}: {problem.strerror or problem}.")


@dataclass
class _LogWatch:
    """What the server's log said: worker restarts, start-up failures, a taken port."""

    workers: int
    worker_timeout: int
    say: Callable[[str], None]
    restarts: int = 0
    startup_failed: bool = False
    port_taken: bool = False
    hinted: bool = False
    lines: list[str] = field(default_factory=list)

    def feed(self, line: str) -> None:
        self.lines = [*self.lines, line][-40:]
        if "Child process [" in line and "died" in line:
            self.restarts += 1
            if not self.hinted:
                self.hinted = True
                self.say(restart_hint(self.workers, self.worker_timeout))
        if (
            "failed to start" in line
            or "Application startup failed" in line
            or "Error loading ASGI app" in line
        ):
            self.startup_failed = True
        if "address already in use" in line.lower():
            self.port_taken = True


def restart_hint(workers: int, worker_timeout: int) -> str:
    return (
        f"A server process did not answer its supervisor within {worker_timeout} s and was replaced: this "
        f"machine is too busy to start {workers} server processes. Fix: start fewer with "
        "NORTHSTAR_WEB_WORKERS=1 (or --workers 1), or allow more time with NORTHSTAR_WEB_WORKER_TIMEOUT=60."
    )


def _pump(stream: IO[str], watch: _LogWatch, sink: IO[str]) -> None:
    for line in stream:
        sink.write(line)
        sink.flush()
        watch.feed(line)


def _terminal_sent(signum: int) -> bool:
    """Whether a SIGINT came from the terminal (which sends it to the server process as well)."""
    if signum != signal.SIGINT:
        return False
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def _migrate_once() -> None:
    from northstar import modules
    from northstar.core import migrate
    from northstar.core.settings import Settings

    settings = Settings()
    modules.load_models()
    url = settings.resolved_database_url()
    try:
        migrate.upgrade_once(url, settings.resolved_home() / "run" / "migrate.lock")
    except Exception as exc:
        raise ServeError(
            f"the database ({url.split('@')[-1]}) could not be brought up to date: {exc}. Check "
            "NORTHSTAR_DATABASE_URL and that the database server is running."
        ) from exc


def launch(
    host: str,
    port: int,
    workers: int,
    *,
    worker_timeout: int = 30,
    ready_timeout: float = 60.0,
    migrate: bool = True,
    on_ready: Callable[[str], None],
    say: Callable[[str], None],
    log: IO[str] | None = None,
) -> int:
    """Start the server, call ``on_ready(url)`` once ``/api/v1/health`` answers 200, and wait until it stops.

    Returns the server's exit status. Raises ``ServeError`` when it cannot start (port taken, database
    unreachable, a server process failing at start-up).
    """
    check_port(host, port)
    if migrate:
        _migrate_once()
    url = base_url(host, port)
    env = dict(os.environ)
    if migrate:
        env["NORTHSTAR_UPGRADE_ON_START"] = "false"  # done above, once; the workers need not import Alembic
    command = [
        sys.executable,
        "-m",
        "northstar.web.serve",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--worker-timeout={worker_timeout}",
    ]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, bufsize=1)
    watch = _LogWatch(workers, worker_timeout, say)
    assert server.stderr is not None
    pump = threading.Thread(target=_pump, args=(server.stderr, watch, log or sys.stderr), daemon=True)
    pump.start()

    def forward(signum: int, _frame: object) -> None:
        if server.poll() is None and not _terminal_sent(signum):
            server.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        _wait_until_ready(server, url, watch, ready_timeout, on_ready, say)
        status = server.wait()
    finally:
        if server.poll() is None:  # leaving through an exception: never leave the server behind
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=10)
            if server.poll() is None:
                server.kill()
                server.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        pump.join(timeout=2)
    return status


def _wait_until_ready(
    server: subprocess.Popen[str],
    url: str,
    watch: _LogWatch,
    ready_timeout: float,
    on_ready: Callable[[str], None],
    say: Callable[[str], None],
) -> None:
    started = time.monotonic()
    warned = False
    last_reason = ""
    while True:
        status = server.poll()
        if status is not None:
            raise ServeError(_stopped_message(status, watch))
        answer = health(url, timeout=2.0)
        if answer is not None:
            code, body = answer
            if code == 200:
                on_ready(url)
                return
            last_reason = f"{HEALTH_PATH} answers {code}: database {body.get('database', 'unknown')}"
        if not warned and time.monotonic() - started > ready_timeout:
            warned = True
            cause = last_reason or "nothing answers yet"
            say(
                f"The server is not ready after {ready_timeout:.0f} s ({cause}); still waiting. "
                + (restart_hint(watch.workers, watch.worker_timeout) if watch.restarts else "")
            )
        time.sleep(0.25)


def _stopped_message(status: int, watch: _LogWatch) -> str:
    if watch.port_taken:
        return "the port was taken while the server started; choose another with --port (or NORTHSTAR_PORT)."
    if status == STARTUP_FAILURE or watch.startup_failed:
        return (
            "a server process could not start; the error is in the log above. If it names a module or a "
            "file, reinstall Northstar (`make install` or `pip install -e .`); if it names the database, check "
            "NORTHSTAR_DATABASE_URL."
        )
    if watch.restarts:
        return f"the server stopped (exit status {status}). " + restart_hint(
            watch.workers, watch.worker_timeout
        )
    return f"the server stopped (exit status {status}) before it answered; the log above says why."


if __name__ == "__main__":
    main()

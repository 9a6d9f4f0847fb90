"""Serving that starts everywhere (issue 17): the real ``northstar serve`` under CPU load, readiness, messages."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from northstar.core.settings import Settings
from northstar.web import serve

CONSOLE_SCRIPT = Path(sys.executable).parent / "northstar"
#: a CPU burner stops by itself after this many seconds, even if the test process is killed
BURN_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """End a process started in its own session and everything it started (launcher, supervisor, workers)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    with contextlib.suppress(
        ProcessLookupError
    ):  # whatever is left of the group, e.g. a worker still stopping
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def cpu_burners() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two processes that keep both cores of a 2-core machine busy, each bounded in time."""
    code = f"import time\nend = time.monotonic() + {BURN_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"
    burners = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.kill()
            burner.wait(timeout=10)


def test_console_script_serves_a_page_with_two_workers_under_cpu_load(
    tmp_path: Path, cpu_burners: list[subprocess.Popen[bytes]]
) -> None:
    assert CONSOLE_SCRIPT.exists(), (
        f"the console script is not installed at {CONSOLE_SCRIPT}: run `make install`"
    )
    promised = Settings().ready_timeout  # what `make demo` and the README promise
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORTHSTAR_")}
    env.update(NORTHSTAR_HOME=str(tmp_path / "home"), NORTHSTAR_WEB_WORKERS="2", NORTHSTAR_SECRET_KEY="test")
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    started = time.monotonic()
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        server = subprocess.Popen(
            [str(CONSOLE_SCRIPT), "serve", "--port", str(port)],
            env=env,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # one process group: the launcher, uvicorn's supervisor and its workers
        )
    try:
        ready_after = None
        while time.monotonic() - started < promised:
            assert server.poll() is None, f"serve stopped:\n{out.read_text()}\n{err.read_text()}"
            if f"ready at http://127.0.0.1:{port}" in out.read_text():
                ready_after = time.monotonic() - started
                break
            time.sleep(0.25)
        assert ready_after is not None, (
            f"not ready within {promised} s:\n{out.read_text()}\n{err.read_text()}"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as page:
            assert page.status == 200 and b"<form" in page.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=30) as health:
            assert b'"database":"ok"' in health.read()
        # both workers come up and stay up: none is killed for missing the supervisor's health check
        while err.read_text().count("Application startup complete") < 2:
            assert time.monotonic() - started < promised, err.read_text()
            time.sleep(0.25)
        time.sleep(2)  # a few supervisor pings
        log = err.read_text()
        assert "died" not in log and "failed to start" not in log, log
        print(f"ready after {ready_after:.1f} s of a promised {promised:.0f} s")
    finally:
        _stop_group(server)


def test_a_taken_port_is_named_with_the_fix() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(serve.ServeError) as caught:
            serve.check_port("127.0.0.1", port)
    message = str(caught.value)
    assert f"port {port}" in message and "taken" in message
    assert re.search(r"--port \d+ \(or NORTHSTAR_PORT=\d+\)", message)


def test_an_unknown_address_is_named() -> None:
    with pytest.raises(serve.ServeError, match=r"no address 203\.0\.113\.9"):
        serve.check_port("203.0.113.9", _free_port())


def test_worker_restarts_in_the_log_bring_a_hint_once() -> None:
    said: list[str] = []
    watch = serve._LogWatch(workers=2, worker_timeout=30, say=said.append)
    watch.feed("INFO:     Child process [101] died\n")
    watch.feed("INFO:     Child process [102] died\n")
    assert watch.restarts == 2 and len(said) == 1
    assert "NORTHSTAR_WEB_WORKERS=1" in said[0] and "30 s" in said[0]


def test_a_start_up_failure_points_at_the_log() -> None:
    watch = serve._LogWatch(workers=2, worker_timeout=30, say=lambda _m: None)
    watch.feed("ERROR:    Child process [7] failed to start, stopping the parent process.\n")
    message = serve._stopped_message(serve.STARTUP_FAILURE, watch)
    assert "could not start" in message and "log above" in message


def test_a_server_that_stops_before_answering_is_reported(tmp_path: Path) -> None:
    class Stopped:
        def poll(self) -> int:
            return 3

    watch = serve._LogWatch(workers=1, worker_timeout=30, say=lambda _m: None)
    with pytest.raises(serve.ServeError, match="could not start"):
        serve._wait_until_ready(Stopped(), "http://127.0.0.1:9", watch, 60, lambda _u: None, print)  # type: ignore[arg-type]


def test_browser_address_of_a_wildcard_host() -> None:
    assert serve.base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert serve.base_url("::", 8000) == "http://[::1]:8000"
    assert serve.base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"


def test_health_is_a_readiness_check_that_touches_the_database(client: TestClient) -> None:
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and answer.json()["database"] == "ok"

    def broken() -> object:
        raise RuntimeError("could not connect to server")

    client.app.state.read_session_factory = broken  # type: ignore[attr-defined]
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable" and "could not connect" in answer.json()["database"]


def test_server_module_imports_only_the_standard_library() -> None:
    """Every worker imports ``northstar.web.serve`` before it can answer its supervisor; keep it light."""
    code = (
        "import sys; before = set(sys.modules); import northstar.web.serve; "
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('northstar')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    heavy = [
        name for name in ("typer", "rich", "fastapi", "sqlalchemy", "numpy", "uvicorn") if f"'{name}" in found
    ]
    assert heavy == [], found

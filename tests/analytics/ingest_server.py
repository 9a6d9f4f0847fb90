"""Start and stop a real capture server (uvicorn in a subprocess) for the SDK and crash tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx

POSTHOG_KEY = "phc_test_project_key"
SEGMENT_KEY = "segment_test_write_key"
WORKSPACE = "acme"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CaptureServer:
    """A uvicorn process serving the stand-alone capture app on a free port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "NORTHSTAR_INGEST_KEYS": f"{POSTHOG_KEY}={WORKSPACE},{SEGMENT_KEY}={WORKSPACE}",
            "NORTHSTAR_INGEST_DIR": str(self.data_dir),
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "northstar.analytics.ingest.app:create_app_from_env",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.post(self.url + "/flags/", json={}, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("capture server did not start")

    def stop(self) -> None:
        """Graceful stop: the server loads its log into the store before exiting."""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = None

    def kill(self) -> None:
        """``kill -9``: no chance to flush anything."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stored(self, sql: str) -> list[tuple[object, ...]]:
        """Run ``sql`` on the workspace's event store (only while the server is stopped)."""
        con = duckdb.connect(str(self.data_dir / "events" / f"{WORKSPACE}.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

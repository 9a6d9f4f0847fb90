"""One settings object, read from the environment (prefix ``NORTHSTAR_``) at start-up and passed down."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``NORTHSTAR_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="NORTHSTAR_", extra="ignore")

    home: Path = Field(
        default=Path("~/.northstar"), description="Data directory (SQLite file, DuckDB, secrets)."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file under the data directory."
    )
    secret_key: str | None = Field(
        default=None,
        description="Secret for CSRF tokens; generated and kept under the data directory if unset.",
    )
    host: str = Field(default="127.0.0.1", description="Address `northstar serve` listens on.")
    port: int = Field(default=8000, description="Port `northstar serve` listens on.")
    secure_cookies: bool = Field(default=False, description="Mark session cookies Secure (behind HTTPS).")
    session_hours: int = Field(default=12, description="Lifetime of a login session in hours.")
    web_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Requests one server process works on at once; more wait their turn (web/concurrency.py).",
    )
    web_workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Server processes of `northstar serve`; default 1 on up to 2 cores, else one per core, at most 4.",
    )
    web_worker_timeout: int = Field(
        default=30,
        ge=5,
        le=600,
        description="Seconds a server process may take to answer its supervisor's health check before it is "
        "replaced (uvicorn's own default, 5 s, is missed by a process starting on a busy machine).",
    )
    ready_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds `northstar serve` and `northstar demo` wait for /api/v1/health before warning.",
    )
    job_workers: int = Field(default=2, description="Threads of the in-process background job runner.")
    job_queue: str | None = Field(
        default=None,
        pattern="^(inprocess|postgres)$",
        description="Where background jobs run: inprocess (threads of each server process) or postgres (a queue "
        "that `northstar worker` processes share); default postgres on PostgreSQL, inprocess on SQLite.",
    )
    job_embedded_worker: bool = Field(
        default=False,
        description="With the postgres queue, also run a worker inside each server process (one command for a "
        "small install); otherwise the server only enqueues and `northstar worker` runs the jobs.",
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, le=600, description="How often a worker tells the queue it is alive."
    )
    worker_stalled_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="A worker silent this long is taken for dead and its running jobs are run again by another.",
    )
    upgrade_on_start: bool = Field(
        default=True, description="Run database migrations when the server starts."
    )
    public_url: str | None = Field(
        default=None,
        description="The address people reach Northstar at (links in e-mails); default http://HOST:PORT.",
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for notification e-mail; e-mail waits in the outbox while unset.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    smtp_from: str = Field(
        default="Northstar <northstar@localhost>", description="The From address of notification e-mail."
    )
    smtp_tls: str = Field(
        default="starttls",
        pattern="^(starttls|ssl|none)$",
        description="starttls (upgrade after connecting), ssl (TLS from the start, port 465) or none.",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, when the server wants one.")
    smtp_password: str | None = Field(default=None, description="SMTP password, with the login.")
    smtp_timeout: float = Field(
        default=10.0, gt=0, le=120, description="Seconds to wait for the SMTP server."
    )

    def resolved_public_url(self) -> str:
        """The base address for links sent out of Northstar, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def resolved_home(self) -> Path:
        """The data directory, created if missing."""
        home = self.home.expanduser()
        home.mkdir(parents=True, exist_ok=True)
        return home

    def resolved_database_url(self) -> str:
        """The database URL: the configured one, or a SQLite file under the data directory."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.resolved_home() / 'northstar.db'}"

    def resolved_job_queue(self) -> str:
        """``inprocess`` or ``postgres``: the configured queue, else postgres exactly when the database is."""
        if self.job_queue:
            return self.job_queue
        return "postgres" if self.resolved_database_url().startswith("postgresql") else "inprocess"

    def resolved_web_workers(self) -> int:
        """Server processes: the configured number, else 1 on up to 2 cores, else one per core (at most 4).

        Python runs one request at a time per process, so one process uses about one core. On 2 cores, 2
        processes served the inbox at 1.8 (SQLite) and 2.3 (PostgreSQL) times the rate of one
        (benchmarks/results/web_pages.md), but only on an otherwise idle machine: on a laptop whose two cores
        are busy with other programs, each extra process competes with them and its start-up (import and build
        of the app, several seconds of CPU) is what missed the supervisor's health check. One process starts
        in half the CPU time and leaves a core to the database, the jobs and the browser.
        """
        if self.web_workers:
            return self.web_workers
        cores = available_cores()
        if cores <= 2:
            return 1
        return min(cores, 4)

    def resolved_secret_key(self) -> str:
        """The secret key; generated once and stored in the data directory when not configured."""
        if self.secret_key:
            return self.secret_key
        path = self.resolved_home() / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask, which containers narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)

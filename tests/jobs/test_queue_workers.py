"""The PostgreSQL job queue with two real ``northstar worker`` processes: every job runs exactly once, a worker
killed with SIGKILL mid-job leaves its job to the other, progress and cancel cross processes, and a schedule
enqueues one job per tick whichever worker defers it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.jobs import Job
from northstar.core.permissions import Role, TokenScope
from northstar.core.queue import QueueRunner
from northstar.core.settings import Settings
from northstar.web.app import create_app
from tests.factories import make_world
from tests.jobs import handlers
from tests.jobs.handlers import RUNS_TABLE

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parents[2]
_ = handlers  # the test process knows the test kinds too (creating a job checks its kind is registered)


@pytest.fixture
def backend() -> str:
    return "postgresql"


def start_worker(database_url: str, home: Path, *, schedule: bool = False) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NORTHSTAR_DATABASE_URL": database_url,
        "NORTHSTAR_HOME": str(home),
        "NORTHSTAR_WORKER_HEARTBEAT_SECONDS": "0.5",
        "NORTHSTAR_WORKER_STALLED_SECONDS": "2",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    if schedule:
        env["NORTHSTAR_TEST_SCHEDULE_EVERY_SECOND"] = "1"
    command = [sys.executable, "-c", "from northstar.cli import main; main()", "worker", "--concurrency", "2"]
    return subprocess.Popen(
        [*command, "--import", "tests.jobs.handlers"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` every 50 ms until it returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Workers:
    """Two worker processes on the test database, stopped (and the queue emptied) at the end of the test."""

    def __init__(self, database_url: str, factory: sessionmaker[Session], home: Path) -> None:
        self.database_url, self.factory, self.home = database_url, factory, home
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int = 2, schedule: bool = False) -> None:
        self.processes += [
            start_worker(self.database_url, self.home, schedule=schedule) for _ in range(count)
        ]
        wait_for(lambda: self.registered() >= count, 40, f"{count} workers to register")

    def registered(self) -> int:
        for process in self.processes:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"a worker exited with {process.returncode}: {error[-2000:]}")
        with self.factory() as session:
            return int(session.scalar(text("SELECT count(*) FROM procrastinate_workers")) or 0)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def workers(database_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[Workers]:
    with session_factory() as session:
        session.execute(text(RUNS_TABLE))
        session.commit()
    pool = Workers(database_url, session_factory, tmp_path / "home")
    yield pool
    pool.stop()
    with session_factory() as session:  # the queue's tables are not the models': empty them here
        session.execute(
            text("TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_workers CASCADE")
        )
        session.execute(text("DROP TABLE job_runs"))
        session.commit()


def runs(session: Session) -> list[tuple[int, int, str]]:
    session.rollback()  # a fresh snapshot
    return [(r[0], r[1], r[2]) for r in session.execute(text("SELECT job_id, pid, phase FROM job_runs"))]


def statuses(session: Session, ids: list[int]) -> dict[int, str]:
    session.rollback()
    return {job.id: job.status for job in session.scalars(select(Job).where(Job.id.in_(ids)))}


def test_two_workers_run_each_of_40_jobs_exactly_once(workers: Workers, session: Session) -> None:
    world = make_world(session)
    workers.start()
    queue = QueueRunner(workers.factory)
    ids = [
        queue.submit(session, world.actor(Role.OWNER), "test.record", {"steps": 2, "pause": 0.02}).id
        for _ in range(40)
    ]
    wait_for(lambda: set(statuses(session, ids).values()) == {"succeeded"}, 30, "40 jobs to succeed")
    recorded = runs(session)
    assert Counter((job, phase) for job, _pid, phase in recorded) == {
        **{(job, "start"): 1 for job in ids},
        **{(job, "end"): 1 for job in ids},
    }
    worker_pids = {process.pid for process in workers.processes}
    assert {pid for _job, pid, _phase in recorded} == worker_pids  # both workers took jobs from the queue
    finished = session.scalars(select(Job).where(Job.id.in_(ids))).all()
    assert all(
        job.done == job.total == 2 and job.result and job.result["pid"] in worker_pids for job in finished
    )


def test_a_job_of_a_worker_killed_mid_job_is_run_again_by_the_other(
    workers: Workers, session: Session
) -> None:
    world = make_world(session)
    workers.start()
    queue = QueueRunner(workers.factory)
    job_id = queue.submit(session, world.actor(Role.OWNER), "test.record", {"steps": 40, "pause": 0.1}).id
    started = wait_for(
        lambda: [pid for job, pid, phase in runs(session) if phase == "start"], 20, "the job to start"
    )
    victim = next(process for process in workers.processes if process.pid == started[0])
    wait_for(lambda: session.get(Job, job_id, populate_existing=True).done > 0, 10, "progress to be stored")  # type: ignore[union-attr]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=5)
    wait_for(lambda: statuses(session, [job_id])[job_id] == "succeeded", 30, "the job to be run again")
    recorded = runs(session)
    survivor = next(process.pid for process in workers.processes if process is not victim)
    assert [(pid, phase) for _job, pid, phase in recorded if phase == "start"] == [
        (victim.pid, "start"),
        (survivor, "start"),
    ]
    assert [pid for _job, pid, phase in recorded if phase == "end"] == [survivor]
    assert session.get(Job, job_id).result == {"pid": survivor}  # type: ignore[union-attr]


def test_progress_and_cancel_from_the_api_reach_the_handler_in_a_worker(
    workers: Workers, session: Session, database_url: str, tmp_path: Path
) -> None:
    world = make_world(session)
    _row, secret = accounts.create_token(
        session, world.actor(Role.OWNER), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    workers.start()
    settings = Settings(
        database_url=database_url,
        home=tmp_path / "web",
        upgrade_on_start=False,
        secret_key="s",
        job_queue="postgres",
    )
    app = create_app(settings)
    assert isinstance(app.state.jobs, QueueRunner)  # this web app only enqueues
    with TestClient(app) as client:
        created = client.post(
            "/api/v1/jobs",
            json={"kind": "test.record", "params": {"steps": 300, "pause": 0.05}},
            headers=headers,
        )
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]

        def progressed() -> dict[str, Any] | None:
            body = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
            return body if body["status"] == "running" and body["done"] >= 3 else None

        body = wait_for(progressed, 20, "the worker's progress to show in the API")
        assert body["total"] == 300
        assert client.post(f"/api/v1/jobs/{job_id}/cancel", headers=headers).status_code == 200
        final = wait_for(
            lambda: (
                (b := client.get(f"/api/v1/jobs/{job_id}", headers=headers).json())["status"] == "cancelled"
                and b
            ),
            10,
            "the handler to notice the cancel",
        )
    assert final["done"] < 300
    assert [phase for _job, _pid, phase in runs(session)] == [
        "start"
    ]  # stopped mid-way, never reached its end


def test_a_schedule_enqueues_one_job_per_tick_with_two_workers(workers: Workers, session: Session) -> None:
    make_world(session)
    session.commit()
    workers.start(schedule=True)
    time.sleep(3.5)  # about three ticks of the every-second schedule, each seen by both workers' deferrers
    workers.stop()
    session.rollback()
    ticks = Counter(job.params["tick"] for job in session.scalars(select(Job).where(Job.kind == "test.tick")))
    assert len(ticks) >= 2
    assert set(ticks.values()) == {1}  # one job per tick (one workspace), never one per worker
    assert sorted(ticks) == list(range(min(ticks), max(ticks) + 1))  # no second skipped

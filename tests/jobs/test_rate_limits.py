"""Rate limits counted in the database: the budget of a key holds across processes and slides with time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.rate_limits import DatabaseRateLimiter, RateLimitCount

ROOT = Path(__file__).resolve().parents[2]

HAMMER = """
import sys
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.rate_limits import DatabaseRateLimiter
limiter = DatabaseRateLimiter(create_session_factory(create_database_engine(sys.argv[1])), "shared", 25, 600)
allowed = sum(limiter.hit("one-client") is None for _ in range(20))
print(allowed)
"""


def test_two_processes_share_one_budget(database_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", HAMMER, database_url], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    allowed = [int(process.communicate(timeout=60)[0].strip()) for process in processes]
    assert all(process.returncode == 0 for process in processes)
    assert (
        sum(allowed) == 25
    )  # 40 hits from two processes against one limit of 25; a per-process one allows 40
    assert min(allowed) >= 5  # both processes really ran against the same counter at once


def test_a_limit_refuses_past_its_budget_and_slides_with_time(session_factory: sessionmaker[Session]) -> None:
    limiter = DatabaseRateLimiter(session_factory, "intake", limit=3, window=60)
    start = 1_800_000_000.0  # a window boundary (divisible by 60)
    assert [limiter.hit("token", now=start + second) for second in range(3)] == [None, None, None]
    wait = limiter.hit("token", now=start + 10)
    assert wait == 50.0  # until this window ends
    assert limiter.hit("other", now=start + 10) is None  # keys have their own budgets
    # 30 s into the next window half of the previous one still counts: 3 × 0.5 + 1 = 2.5 ≤ 3 allowed, then refused
    assert limiter.hit("token", now=start + 90) is None
    assert limiter.hit("token", now=start + 90) is not None
    # two windows on, the first no longer counts
    assert limiter.hit("token", now=start + 121) is None


def test_old_windows_are_forgotten(session_factory: sessionmaker[Session], session: Session) -> None:
    limiter = DatabaseRateLimiter(session_factory, "form", limit=10, window=60)
    for minute in range(5):
        limiter.hit("visitor", now=1_800_000_000.0 + 60 * minute)
    windows = session.scalar(select(func.count()).select_from(RateLimitCount))
    assert windows == 2  # the current window and the one its estimate reads

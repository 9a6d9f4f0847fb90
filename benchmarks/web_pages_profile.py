"""Diagnose the web pages benchmark: where one request's time goes, query by query, without concurrency.

Runs the app in-process (FastAPI TestClient) against an already seeded database (see web_pages_seed.py,
or pass ``--seed`` to seed a fresh SQLite file), sends each endpoint of web_pages.ENDPOINTS ``--repeat``
times one after the other and reports per endpoint: median wall time, median CPU time of this process
(stable on a shared machine; for PostgreSQL it excludes the server's CPU), the SQL statements with their
total time, and the rest (routing, ORM, templates, JSON). ``--explain`` prints the query plan of the
slowest statements (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL). ``--pyinstrument NAME``
prints a pyinstrument profile of one endpoint.

Usage::

    .venv/bin/python benchmarks/web_pages_profile.py --url sqlite:////tmp/wpb/northstar.db --explain
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from northstar.accounts import service as accounts
from northstar.accounts.models import Membership
from northstar.accounts.schemas import TokenCreate
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.migrate import upgrade
from northstar.core.permissions import Actor, Role, TokenScope
from northstar.core.settings import Settings
from northstar.web.app import create_app
from web_pages import ENDPOINTS
from web_pages_seed import BENCH_EMAIL, BENCH_PASSWORD, seed_workspace


class StatementLog:
    """Collects (sql, parameters, seconds) of every statement an engine runs while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.entries: list[tuple[str, Any, float]] = []
        self._started: dict[int, float] = {}

    def attach(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            self._started[id(cursor)] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            started = self._started.pop(id(cursor), None)
            if self.active and started is not None:
                self.entries.append((statement, parameters, time.perf_counter() - started))


def shorten(sql: str) -> str:
    """One line of SQL, with the column list collapsed so statements are recognisable."""
    flat = re.sub(r"\s+", " ", sql).strip()
    flat = re.sub(r"^SELECT .*? FROM", "SELECT … FROM", flat)
    return flat[:150]


def api_token(url: str) -> str:
    engine = create_database_engine(url)
    with create_session_factory(engine)() as session:
        membership = session.scalar(select(Membership).where(Membership.role == Role.OWNER.value))
        assert membership is not None, "no workspace owner: seed the database first"
        actor = Actor(user_id=membership.user_id, workspace_id=membership.workspace_id, role=Role.OWNER)
        _token, secret = accounts.create_token(
            session, actor, TokenCreate(name="profile", scope=TokenScope.READ)
        )
        session.commit()
    engine.dispose()
    return secret


def explain(engine: Engine, sql: str, parameters: Any) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(prefix + sql, parameters)
        rows = cursor.fetchall()
        connection.rollback()
    return [" | ".join(str(v) for v in row) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL of a seeded database")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed a fresh SQLite file with this many feedback items"
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default=None, help="substring of the endpoint names to run")
    parser.add_argument("--pyinstrument", default=None, help="substring of one endpoint name to profile")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="northstar_profile_"))
    url = args.url or f"sqlite:///{home / 'northstar.db'}"
    if args.seed:
        upgrade(url)
        seed_engine = create_database_engine(url)
        with create_session_factory(seed_engine)() as session:
            seed_workspace(session, args.seed, max(1, args.seed // 10), 3000)
        seed_engine.dispose()
    token = api_token(url)
    app = create_app(Settings(database_url=url, home=home, secret_key="profile", upgrade_on_start=False))
    log = StatementLog()
    engine: Engine = app.state.engine
    log.attach(engine)
    with TestClient(app) as client:
        response = client.post(
            "/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303, response.text[:300]
        for endpoint in ENDPOINTS:
            if args.only and args.only not in endpoint.name:
                continue
            headers = {"Authorization": f"Bearer {token}"} if endpoint.api else {}
            cookies = None if endpoint.api else client.cookies
            walls, cpus = [], []
            per_statement: dict[str, list[float]] = defaultdict(list)
            samples: dict[str, tuple[str, Any]] = {}
            for url_ in endpoint.urls:  # warm-up
                client.get(url_, headers=headers)
            for index in range(args.repeat):
                url_ = endpoint.urls[index % len(endpoint.urls)]
                log.entries.clear()
                log.active = True
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(url_, headers=headers, cookies=cookies if not endpoint.api else None)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                log.active = False
                assert response.status_code == 200, (url_, response.status_code, response.text[:300])
                for sql, parameters, seconds in log.entries:
                    key = shorten(sql)
                    per_statement[key].append(seconds)
                    samples.setdefault(key, (sql, parameters))
            sql_total = sum(sum(v) for v in per_statement.values()) / args.repeat
            print(
                f"\n== {endpoint.name}: wall p50 {statistics.median(walls) * 1000:.1f} ms, "
                f"cpu p50 {statistics.median(cpus) * 1000:.1f} ms, SQL {sql_total * 1000:.1f} ms/request, "
                f"{sum(len(v) for v in per_statement.values()) / args.repeat:.0f} statements/request"
            )
            ranked = sorted(per_statement.items(), key=lambda kv: -sum(kv[1]))
            for key, times in ranked[:6]:
                print(f"   {sum(times) / args.repeat * 1000:8.1f} ms  x{len(times) / args.repeat:.0f}  {key}")
            if args.explain:
                for key, _times in ranked[:2]:
                    sql, parameters = samples[key]
                    print(f"   EXPLAIN {key[:100]}")
                    for line in explain(engine, sql, parameters):
                        print("      " + line)
            if args.pyinstrument and args.pyinstrument in endpoint.name:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                for index in range(args.repeat):
                    client.get(endpoint.urls[index % len(endpoint.urls)], headers=headers)
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: funnel, retention and DAU on a deterministic synthetic event set (default 100 M events).

Data: ``--persons`` persons (default events / 10) with power-law activity (Pareto, alpha 1.5), each active from a
random day to the end of a ``--days`` window (default 90), 20 event names with fixed weights. The data set is built
chunk by chunk inside DuckDB (no NumPy arrays of the full size), then clustered by (event, person, timestamp) with
``EventStore.compact`` (the store's own maintenance step, which also builds the ``event_days`` pre-aggregate and
rewrites the file without free blocks), and reused across runs from ``--data-dir``.

Timed (each query run ``--repeat`` times, best and median reported, after one warm-up):

* a 5-step ordered funnel, 14-day window (Northstar's funnel runner: portable SQL + the compiled per-person kernel);
* an 11-week recurring retention (``$pageview`` -> ``$pageview``);
* a DAU trend of ``$pageview`` over the whole window (read from ``event_days``, one row per event, day and person);
* the same funnel with ClickHouse's ``windowFunnel`` through ``chdb`` (on a Parquet export of the same events), and
  the same DAU with ``uniqExact``, printing each ratio. windowFunnel semantics differ slightly from PostHog's
  (reference/analytics.md §2.2.4); the step counts of both are printed so the difference is visible.

Usage: ``python benchmarks/queries.py --events 1000000`` to iterate, ``python benchmarks/queries.py`` for the full
100 M run (generation takes several minutes the first time). Results go to benchmarks/results/queries.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from _results import results_folder
from northstar.analytics.queries.engine import DuckDBEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher, event_ids
from northstar.analytics.queries.funnels import FunnelQuery, FunnelStep, run_funnel
from northstar.analytics.queries.retention import RetentionQuery, run_retention
from northstar.analytics.queries.trends import TrendsQuery, _distinct_persons, run_trends
from northstar.analytics.store import EventStore
from northstar.analytics.store.schema import create_statements

RESULTS = results_folder()
START = datetime(2026, 1, 5)  # a Monday
EVENT_WEIGHTS = [
    ("$pageview", 0.30), ("$autocapture", 0.16), ("$screen", 0.07), ("viewed_item", 0.07), ("search", 0.05),
    ("added_to_cart", 0.04), ("login", 0.04), ("started_checkout", 0.025), ("purchased", 0.015),
    ("shared", 0.02), ("invite_sent", 0.02), ("settings_changed", 0.02), ("comment", 0.03), ("liked", 0.03),
    ("uploaded", 0.02), ("exported", 0.015), ("notification_opened", 0.02), ("help_viewed", 0.01),
    ("logout", 0.015), ("error_shown", 0.005),
]  # fmt: skip
FUNNEL = ["search", "viewed_item", "added_to_cart", "started_checkout", "purchased"]
FUNNEL_LAST_ID = [name for name, _ in EVENT_WEIGHTS].index(FUNNEL[-1]) + 1
DATA_VERSION = 4  # 4: compaction into a fresh file, with the event_days pre-aggregate
WINDOW_SECONDS = 14 * 86400
CHUNK_PERSONS = 1_000_000


def _event_case(column: str) -> str:
    """SQL choosing an event number (1-based position in EVENT_WEIGHTS) from a uniform number."""
    total = sum(weight for _, weight in EVENT_WEIGHTS)
    cumulative, parts = 0.0, []
    for number, (_, weight) in enumerate(EVENT_WEIGHTS[:-1], start=1):
        cumulative += weight / total
        parts.append(f"WHEN {column} < {cumulative:.6f} THEN {number}")
    return "CASE " + " ".join(parts) + f" ELSE {len(EVENT_WEIGHTS)} END"


def _uniform(expression: str, salt: int) -> str:
    """A deterministic uniform number in [0, 1) from a hash."""
    return f"((hash({expression}, {salt}) % 1000000007) / 1000000007.0)"


def generate(path: Path, events: int, persons: int, days: int, seed: int) -> None:
    """Build the events and persons tables chunk by chunk, clustered by (person, timestamp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("SET preserve_insertion_order = true")
    for statement in create_statements("duckdb"):
        con.execute(statement)
    con.executemany(
        "INSERT INTO event_names VALUES (?, ?)", [[i, n] for i, (n, _) in enumerate(EVENT_WEIGHTS, 1)]
    )
    names = "[" + ", ".join(f"'{name}'" for name, _ in EVENT_WEIGHTS) + "]"
    # events per person: Pareto(alpha=1.5) draws, scaled so that the total is close to `events`
    con.execute(
        f"""CREATE TEMP TABLE activity AS
        SELECT range AS person_id,
               pow(1 - {_uniform("range", seed)} * 0.999999, -1 / 1.5) AS raw,
               CAST(floor({_uniform("range", seed + 1)} * {days}) AS INTEGER) AS start_day
        FROM range({persons})"""
    )
    row = con.execute("SELECT sum(raw) FROM activity").fetchall()[0]
    assert row is not None
    scale = events / float(row[0])
    con.execute(
        f"ALTER TABLE activity ADD COLUMN n BIGINT; UPDATE activity SET n = greatest(1, round(raw * {scale}))"
    )
    epoch = START.isoformat(sep=" ")
    for low in range(0, persons, CHUNK_PERSONS):
        high = min(persons, low + CHUNK_PERSONS)
        con.execute(
            f"""INSERT INTO events
            WITH expanded AS (
                SELECT person_id, start_day, unnest(range(n)) AS k FROM activity
                WHERE person_id >= {low} AND person_id < {high}
            ), drawn AS (
                SELECT person_id,
                       TIMESTAMP '{epoch}' + to_microseconds(CAST(
                           (start_day * 86400.0 + {_uniform("person_id, k", seed + 2)} * ({days} - start_day) * 86400.0)
                           * 1000000 AS BIGINT)) AS timestamp,
                       {_event_case(_uniform("person_id, k", seed + 3))} AS event_id,
                       {_uniform("person_id, k", seed + 4)} AS u
                FROM expanded
            )
            SELECT NULL, {names}[event_id], 'u' || person_id, person_id, date_trunc('second', timestamp),
                   CASE WHEN event_id = {FUNNEL_LAST_ID} THEN '{{"amount":' || CAST(floor(u * 200) AS INTEGER) || '}}' END,
                   event_id
            FROM drawn"""
        )
        print(f"  generated persons {low:,}..{high:,}", file=sys.stderr, flush=True)
    con.execute("INSERT INTO persons SELECT person_id, min(timestamp), NULL FROM events GROUP BY person_id")
    con.execute("CHECKPOINT")
    con.close()
    print("  clustering by (event, person, time)", file=sys.stderr, flush=True)
    store = EventStore(path)
    store.compact()
    store.close()


def _time(function: Callable[[], Any], repeat: int) -> tuple[Any, list[float], list[float]]:
    """Wall-clock and process CPU seconds (all threads) of each run, after one warm-up run."""
    result = function()  # warm-up (and JIT cache load)
    timings, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = function()
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return result, timings, cpu


def _northstar_queries(con: duckdb.DuckDBPyConnection, days: int) -> dict[str, Callable[[], Any]]:
    engine = DuckDBEngine(con)
    funnel = FunnelQuery(
        steps=[FunnelStep(n, EventMatcher(n)) for n in FUNNEL], window_seconds=WINDOW_SECONDS
    )
    last = START + timedelta(days=days - 1)
    retention = RetentionQuery(
        EventMatcher("$pageview"), EventMatcher("$pageview"), date_to=last, period="week", intervals=11
    )
    dau = TrendsQuery(EventMatcher("$pageview"), DateRange(START, START + timedelta(days=days)), math="dau")
    return {
        "funnel": lambda: [s.count for s in run_funnel(engine, funnel).total.steps],
        "retention": lambda: [c.values[:3] for c in run_retention(engine, retention)][:2],
        "dau": lambda: sum(p.value for p in run_trends(engine, dau)[0].points),
        # the same counts without the pre-aggregate: a scan of the $pageview events (the path taken for ranges
        # that are not whole days or events filtered on properties), for a like-for-like comparison with chdb
        "dau_scan": lambda: float(
            _distinct_persons(
                engine, dau, dau.date_range, START, "day", days, event_ids(engine, [dau.matcher])
            ).sum()
        ),
    }


def _export_parquet(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    if not target.exists():
        con.execute(
            f"COPY (SELECT person_id, timestamp, event FROM events) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )


def _chdb_queries(parquet: Path) -> dict[str, Callable[[], Any]] | None:
    try:
        import chdb
    except ImportError:
        return None
    source = f"file('{parquet}', Parquet)"
    conditions = ", ".join(f"event = '{name}'" for name in FUNNEL)
    names = ", ".join(f"'{name}'" for name in FUNNEL)
    funnel_sql = (
        f"SELECT level, count() AS persons FROM (SELECT person_id, windowFunnel({WINDOW_SECONDS})"
        f"(toDateTime(timestamp), {conditions}) AS level FROM {source} WHERE event IN ({names}) "
        "GROUP BY person_id) GROUP BY level ORDER BY level FORMAT JSONCompact"
    )
    dau_sql = (
        f"SELECT toDate(timestamp) AS day, uniqExact(person_id) FROM {source} WHERE event = '$pageview' "
        "GROUP BY day ORDER BY day FORMAT JSONCompact"
    )

    def funnel() -> list[int]:
        rows = json.loads(chdb.query(funnel_sql).bytes())["data"]
        by_level = {int(level): int(count) for level, count in rows}
        return [
            sum(c for level, c in by_level.items() if level >= step) for step in range(1, len(FUNNEL) + 1)
        ]

    def dau() -> float:
        rows = json.loads(chdb.query(dau_sql).bytes())["data"]
        return float(sum(int(count) for _, count in rows))

    return {"funnel": funnel, "dau": dau}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "northstar-bench"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the chdb comparison")
    args = parser.parse_args()
    persons = args.persons or max(1, args.events // 10)
    path = args.data_dir / f"events_v{DATA_VERSION}_{args.events}_{persons}_{args.days}_{args.seed}.duckdb"
    if not path.exists():
        print(f"generating {args.events:,} events for {persons:,} persons into {path}", file=sys.stderr)
        began = time.perf_counter()
        generate(path, args.events, persons, args.days, args.seed)
        print(f"  done in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    con = duckdb.connect(str(path), read_only=True)
    con.execute(f"SET threads = {args.threads}")
    stored = con.execute("SELECT count(*) FROM events").fetchall()[0]
    total_events = int(stored[0]) if stored else 0
    funnel_rows = con.execute(
        "SELECT count(*) FROM events WHERE event IN (" + ", ".join(f"'{n}'" for n in FUNNEL) + ")"
    ).fetchall()[0]
    size = con.execute("PRAGMA database_size").fetchall()[0]
    columns = [d[0] for d in con.description] if con.description else []
    info = dict(zip(columns, size, strict=False))
    used_bytes = int(info.get("used_blocks", 0)) * int(info.get("block_size", 0)) or path.stat().st_size
    bytes_per_event = used_bytes / max(1, total_events)
    file_bytes_per_event = path.stat().st_size / max(1, total_events)
    table_bytes = {}
    for table in ("events", "event_days"):
        blocks = con.execute(
            f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{table}')"
        ).fetchall()
        table_bytes[table] = int(blocks[0][0]) * int(info.get("block_size", 0))

    rows: list[dict[str, Any]] = []
    ours: dict[str, tuple[Any, list[float]]] = {}
    load_before = os.getloadavg()[0]
    for name, function in _northstar_queries(con, args.days).items():
        result, timings, cpu = _time(function, args.repeat)
        ours[name] = (result, timings)
        rows.append({"query": name, "engine": "northstar (DuckDB + kernel)", "best_s": min(timings),
                     "median_s": statistics.median(timings), "cpu_s": min(cpu), "result": result})  # fmt: skip
    peer = None if args.no_peer else _chdb_queries(args.data_dir / f"{path.stem}.parquet")
    if peer is not None:
        _export_parquet(con, args.data_dir / f"{path.stem}.parquet")
        for name, function in peer.items():
            result, timings, cpu = _time(function, args.repeat)
            # the peer scans events for DAU: compare it with our scan, not with the pre-aggregate
            ratio = min(timings) / min(ours["dau_scan" if name == "dau" else name][1])
            rows.append({"query": name, "engine": "chdb (ClickHouse)", "best_s": min(timings),
                         "median_s": statistics.median(timings), "cpu_s": min(cpu), "result": result,
                         "peer_over_northstar": ratio})  # fmt: skip
    con.close()
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}",
        "threads": args.threads,
        "load_average": [load_before, os.getloadavg()[0]],
        "cpu_count": os.cpu_count(),
        "events": total_events,
        "persons": persons,
        "days": args.days,
        "funnel_steps": FUNNEL,
        "funnel_step_events": int(funnel_rows[0]) if funnel_rows else 0,
        "bytes_per_event": bytes_per_event,
        "file_bytes_per_event": file_bytes_per_event,
        "table_bytes_per_event": {name: size / max(1, total_events) for name, size in table_bytes.items()},
        "targets": {"funnel_s": 3.0, "retention_s": 3.0, "dau_s": 1.0, "bytes_per_event": 20.0},
        "rows": rows,
    }
    _write(report)


def _write(report: dict[str, Any]) -> None:
    lines = [
        f"# Query benchmark ({report['events']:,} events, {report['persons']:,} persons, {report['days']} days)",
        "",
        f"Run {report['date']} on {report['machine']}, DuckDB threads = {report['threads']}, "
        f"1-minute load average {report['load_average'][0]:.1f} before / {report['load_average'][1]:.1f} after "
        "(other jobs shared the machine: wall times stretch with the load, CPU seconds are the steadier measure). "
        f"Storage: **{report['file_bytes_per_event']:.2f} bytes/event** for the whole file (target <= 20; "
        f"{report['bytes_per_event']:.2f} in used blocks; of which events "
        f"{report['table_bytes_per_event'].get('events', 0):.2f} and the event_days pre-aggregate "
        f"{report['table_bytes_per_event'].get('event_days', 0):.2f}). Funnel steps "
        f"{' -> '.join(report['funnel_steps'])} ({report['funnel_step_events']:,} matching events), 14-day window.",
        "",
        "| Query | Engine | Best s | Median s | CPU s (all threads) | Target s | Peer / Northstar | Result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    targets = {"funnel": 3.0, "retention": 3.0, "dau": 1.0, "dau_scan": 1.0}
    for row in report["rows"]:
        ratio = f"{row['peer_over_northstar']:.2f}x" if "peer_over_northstar" in row else ""
        lines.append(
            f"| {row['query']} | {row['engine']} | {row['best_s']:.3f} | {row['median_s']:.3f} | {row['cpu_s']:.3f} | "
            f"{targets[row['query']]:.0f} | {ratio} | {json.dumps(row['result'])} |"
        )
    lines += [
        "",
        "dau reads the event_days pre-aggregate (a count of rows per day); dau_scan computes the same counts from "
        "the $pageview events (one ordered pass, no hash table), which is what chdb's uniqExact does, so the chdb "
        "DAU ratio is taken against dau_scan. chdb's windowFunnel and Northstar's funnel (PostHog semantics) give "
        "the same step counts on this data set; their semantics differ on ties and repeated steps (reference "
        "section 2.2.4).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if report["events"] >= 100_000_000 else f"_{report['events']}"
    (RESULTS / f"queries{suffix}.md").write_text(text)
    (RESULTS / f"queries{suffix}.json").write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()

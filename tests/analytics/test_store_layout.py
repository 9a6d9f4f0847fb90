"""The store's physical layout: the ``event_days`` pre-aggregate stays equal to the events through appends, merges
and compaction; compaction into a fresh file leaves no free blocks and one sorted run per event; the ingest log's
Arrow frames (and the older JSON frames) load the same events; query columns come back as plain NumPy."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import orjson

from northstar.analytics.ingest.log import HEADER, MAGIC, LogLoader, LogWriter, decode_frame, encode_frame
from northstar.analytics.queries.engine import DuckDBEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.person_scan import ordered_runs
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.store import EventRecord, EventStore

D0 = datetime(2025, 6, 2)


def _event(distinct_id: str, event: str, hours: float, **kwargs: object) -> EventRecord:
    return EventRecord(event=event, distinct_id=distinct_id, timestamp=D0 + timedelta(hours=hours), **kwargs)  # type: ignore[arg-type]


def _days_from_events(store: EventStore) -> list[tuple[object, ...]]:
    return store.connection.execute(
        "SELECT DISTINCT event_id, CAST(timestamp AS DATE), person_id FROM events ORDER BY ALL"
    ).fetchall()


def _days(store: EventStore) -> list[tuple[object, ...]]:
    rows = store.connection.execute("SELECT event_id, day, person_id FROM event_days ORDER BY ALL").fetchall()
    assert len(rows) == len(set(rows)), "event_days holds a triple twice"
    return rows


def test_event_days_follow_appends_across_batches_without_duplicates() -> None:
    store = EventStore()
    store.append([_event("a", "view", 1), _event("a", "view", 2), _event("b", "view", 3)])
    store.append([_event("a", "view", 5), _event("a", "view", 30), _event("c", "click", 4)])
    assert _days(store) == _days_from_events(store)
    assert len(_days(store)) == 4  # a/view on day 0 and day 1, b/view, c/click


def test_event_days_follow_a_person_merge() -> None:
    store = EventStore()
    store.append([_event("anon", "view", 1), _event("anon", "view", 26), _event("user", "view", 2)])
    store.append([_event("user", "$identify", 3, properties={"$anon_distinct_id": "anon"})])
    assert _days(store) == _days_from_events(store)
    person = store.person_id_of("user")
    assert {row[2] for row in _days(store)} == {person}


def test_daily_active_users_from_the_pre_aggregate_equal_a_distinct_count() -> None:
    store = EventStore()
    rng = np.random.default_rng(5)
    for batch in range(4):
        store.append(
            [
                _event(f"u{int(p)}", "view", float(h))
                for p, h in zip(rng.integers(0, 30, 200), rng.random(200) * 96, strict=True)
            ]
        )
        if batch == 1:
            store.append([_event("u1", "$identify", 10, properties={"$anon_distinct_id": "u2"})])
    engine = DuckDBEngine(store.connection)
    whole_days = DateRange(D0, D0 + timedelta(days=4))  # midnight to midnight: read from event_days
    dau = [
        p.value
        for p in run_trends(engine, TrendsQuery(EventMatcher("view"), whole_days, math="dau"))[0].points
    ]
    expected = [
        float(n)
        for (n,) in store.connection.execute(
            "SELECT count(DISTINCT person_id) FROM events WHERE event = 'view' GROUP BY CAST(timestamp AS DATE) "
            "ORDER BY CAST(timestamp AS DATE)"
        ).fetchall()
    ]
    assert dau == expected
    shifted = DateRange(D0 + timedelta(hours=1), D0 + timedelta(days=4))  # not whole days: scans the events
    scanned = run_trends(engine, TrendsQuery(EventMatcher("view"), shifted, math="dau"))[0].points
    first_day = store.connection.execute(
        "SELECT count(DISTINCT person_id) FROM events WHERE event = 'view' AND timestamp >= ? AND timestamp < ?",
        [D0 + timedelta(hours=1), D0 + timedelta(days=1)],
    ).fetchall()[0][0]
    assert [p.value for p in scanned] == [float(first_day), *expected[1:]]


def test_compacting_a_file_leaves_no_free_blocks_and_one_run_per_event(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    store = EventStore(path)
    rng = np.random.default_rng(9)
    for _ in range(5):
        store.append(
            [
                _event(f"u{int(p)}", f"e{int(e)}", float(h))
                for p, e, h in zip(
                    rng.integers(0, 300, 3000), rng.integers(0, 4, 3000), rng.random(3000) * 200, strict=True
                )
            ]
        )
    store.connection.execute("DELETE FROM events WHERE event = 'e3'")  # leave freed blocks behind
    store.connection.execute(
        "DELETE FROM event_days WHERE event_id = (SELECT id FROM event_names WHERE name='e3')"
    )
    store.connection.execute("CHECKPOINT")
    before = sorted(store.connection.execute("SELECT uuid, person_id, timestamp FROM events").fetchall())
    size_before = path.stat().st_size
    store.compact()
    assert not (tmp_path / "events.duckdb.compacting").exists()
    assert (
        sorted(store.connection.execute("SELECT uuid, person_id, timestamp FROM events").fetchall()) == before
    )
    assert _days(store) == _days_from_events(store)
    size = store.connection.execute("PRAGMA database_size").fetchone()
    assert size is not None and size[5] == 0  # free blocks
    assert path.stat().st_size <= size_before
    events = DuckDBEngine(store.connection).columns(
        "SELECT person_id, timestamp, event_id FROM events WHERE (event_id = 1) OR (event_id = 2) OR (event_id = 3)"
    )
    assert len(ordered_runs(events["person_id"], events["timestamp"])) - 1 <= 3
    store.append([_event("late", "e0", 1)])  # the store keeps working on the new file
    store.close()
    assert EventStore(path).count_events() == len(before) + 1


def test_a_store_written_before_event_days_existed_is_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store = EventStore(path)
    store.append([_event("a", "view", 1), _event("b", "view", 30)])
    store.connection.execute("DROP TABLE event_days")
    store.close()
    reopened = EventStore(path)
    assert _days(reopened) == _days_from_events(reopened) and len(_days(reopened)) == 2


def test_arrow_frames_round_trip_and_older_json_frames_still_load(tmp_path: Path) -> None:
    records = [
        _event("a", "view", 1, uuid="00000000-0000-0000-0000-00000000000a", properties={"é": 1, "b": [1, 2]}),
        _event("b", "$set", 2, uuid="00000000-0000-0000-0000-00000000000b", set_properties={"plan": "pro"}),
    ]
    frame = encode_frame("w1", records)
    workspace, table = decode_frame(frame[HEADER.size :])
    assert workspace == "w1"
    assert table.column("uuid").to_pylist() == [r.uuid for r in records]
    assert [None if t is None else orjson.loads(t) for t in table.column("properties").to_pylist()] == [
        {"é": 1, "b": [1, 2]},
        None,
    ]
    legacy = orjson.dumps(
        {
            "w": "w1",
            "e": [
                [
                    "00000000-0000-0000-0000-00000000000c",
                    "view",
                    "c",
                    "2025-06-02T05:00:00",
                    {"k": 1},
                    None,
                    None,
                ]
            ],
        }
    )
    writer = LogWriter(tmp_path)
    writer.write([frame, HEADER.pack(MAGIC, len(legacy), zlib.crc32(legacy)) + legacy])
    writer.close()
    store = EventStore()
    assert LogLoader(tmp_path, lambda _w: store).drain().events == 3
    assert store.person_properties("b") == {"plan": "pro"}
    assert store.connection.execute("SELECT properties FROM events WHERE distinct_id = 'c'").fetchall() == [
        ('{"k":1}',)
    ]


def test_query_columns_arrive_as_plain_numpy() -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con)
    data = engine.columns(
        "SELECT * FROM (VALUES (TIMESTAMP '1970-01-01 00:00:01', DATE '1970-01-02', 5::HUGEINT, NULL::INTEGER, 'x'), "
        "(NULL, NULL, NULL, 3, NULL)) AS v(t, d, h, i, s)"
    )
    assert data["t"].tolist() == [1_000_000, 0] and data["d"].tolist() == [86_400_000_000, 0]
    assert data["h"].tolist() == [5, 0] and data["i"].tolist() == [0, 3]
    assert data["s"].tolist() == ["x", None] and data["s"].dtype == object

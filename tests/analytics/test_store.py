"""The event store: atomic appends, uuid dedupe, persons merged by identify/alias, $set/$set_once, groups, imports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from northstar.analytics.store import EventRecord, EventStore
from northstar.analytics.store.importer import import_events_file
from northstar.core.errors import ValidationFailed

T0 = datetime(2025, 3, 1, 12)


def record(distinct_id: str, event: str = "e", minutes: int = 0, **kwargs: object) -> EventRecord:
    return EventRecord(
        event=event, distinct_id=distinct_id, timestamp=T0 + timedelta(minutes=minutes), **kwargs
    )  # type: ignore[arg-type]


def test_same_uuid_is_stored_once_within_and_across_batches() -> None:
    store = EventStore()
    first = store.append([record("a", uuid="u1"), record("a", uuid="u1"), record("a", uuid="u2")])
    second = store.append([record("a", uuid="u2", minutes=1), record("a", uuid="u3")])
    assert (first.inserted, first.duplicates, second.inserted, second.duplicates) == (2, 1, 1, 1)
    assert store.count_events() == 3


def test_identify_merges_the_anonymous_person_and_moves_its_events() -> None:
    store = EventStore()
    store.append([record("anon", "viewed"), record("anon", "viewed", 1)])
    result = store.append([record("user", "$identify", 2, properties={"$anon_distinct_id": "anon"})])
    assert result.persons_merged == 1
    assert store.person_id_of("anon") == store.person_id_of("user")
    rows = store.connection.execute("SELECT count(DISTINCT person_id) FROM events").fetchall()
    assert rows == [(1,)]


def test_alias_links_a_new_distinct_id_without_creating_a_second_person() -> None:
    store = EventStore()
    store.append([record("anon1", "$create_alias", properties={"alias": "u1"}), record("u1", "later", 1)])
    assert store.person_id_of("anon1") == store.person_id_of("u1")
    assert store.connection.execute("SELECT count(*) FROM persons").fetchall() == [(1,)]


def test_set_overwrites_and_set_once_only_fills_missing_keys_in_time_order() -> None:
    store = EventStore()
    store.append(
        [
            record("a", "$set", 0, set_properties={"plan": "free"}),
            record("a", "$set", 2, set_properties={"plan": "pro"}),
            record("a", "$set_once", 1, set_once_properties={"first_plan": "free", "plan": "ignored"}),
            record("a", "$set_once", 3, set_once_properties={"first_plan": "pro"}),
        ]
    )
    assert store.person_properties("a") == {"plan": "pro", "first_plan": "free"}


def test_group_identify_upserts_group_and_links_a_customer() -> None:
    store = EventStore()
    group = {"$group_type": "company", "$group_key": "acme", "$group_set": {"name": "Acme"}}
    store.append([record("a", "$groupidentify", properties=group)])
    store.append([record("a", "$groupidentify", 1, properties={**group, "$group_set": {"seats": 5}})])
    store.link_group_to_customer("company", "acme", 42)
    assert store.group_properties("company", "acme") == {"name": "Acme", "seats": 5}
    assert store.connection.execute("SELECT customer_id FROM groups").fetchall() == [(42,)]


def test_a_failing_append_leaves_nothing_written() -> None:
    store = EventStore()
    bad = pa.table({"uuid": ["x"], "event": [None], "distinct_id": ["a"], "timestamp": [T0],
                    "properties": [None], "set_json": [None], "set_once_json": [None]})  # fmt: skip
    with pytest.raises(Exception):  # noqa: B017 - any database error will do, the point is the rollback
        store.append_table(bad)
    assert store.count_events() == 0
    assert store.connection.execute("SELECT count(*) FROM persons").fetchall() == [(0,)]


def test_compact_keeps_every_event_and_clusters_by_event_then_person() -> None:
    store = EventStore()
    store.append([record("b", "z"), record("a", "y", 1), record("a", "z", 2)])
    store.compact()
    rows = store.connection.execute("SELECT event_id, person_id, timestamp FROM events").fetchall()
    assert rows == sorted(rows)
    assert store.count_events() == 3


def _write(path: Path, kind: str, rows: list[dict[str, object]]) -> Path:
    if kind == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif kind == "jsonl":
        path.write_text("\n".join(json.dumps(row, default=str) for row in rows))
    else:
        header = list(rows[0])
        lines = [",".join(header)] + [",".join(str(row[h]) for h in header) for row in rows]
        path.write_text("\n".join(lines))
    return path


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "csv"])
def test_import_reads_parquet_jsonl_and_csv(tmp_path: Path, kind: str) -> None:
    rows = [
        {"event": "signed_up", "distinct_id": "a", "timestamp": "2025-03-01T10:00:00Z", "uuid": ""},
        {"event": "paid", "distinct_id": "a", "timestamp": "2025-03-02T10:00:00+02:00", "uuid": ""},
    ]
    store = EventStore()
    result = import_events_file(store, _write(tmp_path / f"events.{kind}", kind, rows))
    assert result.inserted == 2
    stamps = store.connection.execute("SELECT timestamp FROM events ORDER BY timestamp").fetchall()
    assert [row[0] for row in stamps] == [datetime(2025, 3, 1, 10), datetime(2025, 3, 2, 8)]


def test_import_with_properties_applies_person_set(tmp_path: Path) -> None:
    rows = [{"event": "$identify", "distinct_id": "a", "timestamp": "2025-03-01T10:00:00Z",
             "properties": json.dumps({"$set": {"email": "a@x.io"}, "k": 1})}]  # fmt: skip
    store = EventStore()
    import_events_file(store, _write(tmp_path / "events.parquet", "parquet", rows))
    assert store.person_properties("a") == {"email": "a@x.io"}


def test_import_rejects_the_whole_file_naming_bad_rows(tmp_path: Path) -> None:
    rows = [
        {"event": "ok", "distinct_id": "a", "timestamp": "2025-03-01T10:00:00Z"},
        {"event": "bad", "distinct_id": "", "timestamp": "2025-03-01T10:00:00Z"},
        {"event": "bad", "distinct_id": "b", "timestamp": "not a time"},
    ]
    store = EventStore()
    with pytest.raises(ValidationFailed) as error:
        import_events_file(store, _write(tmp_path / "events.csv", "csv", rows))
    assert sorted((e.field, e.row) for e in error.value.errors) == [("distinct_id", 2), ("timestamp", 3)]
    assert store.count_events() == 0


def test_import_reports_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "events.jsonl", "jsonl", [{"event": "e", "distinct_id": "a"}])
    with pytest.raises(ValidationFailed, match="timestamp"):
        import_events_file(EventStore(), path)

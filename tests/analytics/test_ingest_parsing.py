"""Pure ingestion functions: decoding with caps, PostHog and Segment parsing, skew correction, the durable log."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.analytics.ingest.decoding import decode_body
from northstar.analytics.ingest.errors import IngestError
from northstar.analytics.ingest.log import LogLoader, LogWriter, encode_frame
from northstar.analytics.ingest.payloads import parse_posthog, parse_segment
from northstar.analytics.ingest.timestamps import resolve_timestamp
from northstar.analytics.store import EventRecord, EventStore

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BODY = {
    "api_key": "k",
    "batch": [{"event": "e", "distinct_id": "d", "timestamp": "2026-11-25T11:00:00+00:00"}],
}


def test_gzip_is_detected_by_magic_bytes_without_a_header() -> None:
    assert decode_body(gzip.compress(json.dumps(BODY).encode()), 10_000) == BODY


def test_deflate_accepts_zlib_and_raw_streams() -> None:
    raw = json.dumps(BODY).encode()
    assert decode_body(zlib.compress(raw), 10_000, content_encoding="deflate") == BODY
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert (
        decode_body(compressor.compress(raw) + compressor.flush(), 10_000, content_encoding="deflate") == BODY
    )


def test_gzip_bomb_is_stopped_at_the_cap() -> None:
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")
    with pytest.raises(IngestError) as error:
        decode_body(bomb, 1_000_000)
    assert error.value.status == 413


def test_base64_and_form_bodies_are_decoded() -> None:
    encoded = base64.b64encode(json.dumps(BODY).encode())
    assert decode_body(encoded, 10_000) == BODY
    form = b"data=" + encoded.replace(b"+", b"%2B").replace(b"=", b"%3D")
    assert decode_body(form, 10_000, content_type="application/x-www-form-urlencoded") == BODY


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe"])
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(IngestError) as error:
        decode_body(body, 10_000)
    assert error.value.status == 400


def test_posthog_batch_skew_correction_uses_sent_at() -> None:
    body = {**BODY, "sent_at": "2026-11-25T11:30:00+00:00"}  # client clock is 30 minutes behind
    batch = parse_posthog(body, NOW)
    assert batch.key == "k"
    assert batch.records[0].timestamp == datetime(2026, 11, 25, 11, 30)


@given(st.integers(-86_400 * 30, 86_400 * 30), st.integers(-3_600, 3_600))
def test_skew_correction_keeps_the_gap_between_event_and_send(event_offset: int, skew: int) -> None:
    sent = NOW + timedelta(seconds=skew)
    event = sent - timedelta(seconds=abs(event_offset))
    stored, warning = resolve_timestamp(event.isoformat(), sent, NOW)
    assert warning is None
    assert NOW.replace(tzinfo=None) - stored == timedelta(seconds=abs(event_offset))


def test_unparseable_and_far_future_timestamps_keep_the_event_with_a_warning() -> None:
    stored, warning = resolve_timestamp("yesterday-ish", None, NOW)
    assert stored == NOW.replace(tzinfo=None) and warning and "unparseable" in warning
    stored, warning = resolve_timestamp("2030-01-01T00:00:00Z", None, NOW)
    assert stored == NOW.replace(tzinfo=None) and warning and "future" in warning


def test_posthog_array_single_event_and_token_in_properties() -> None:
    single = {"event": "e", "properties": {"distinct_id": 23, "token": "k2"}}
    assert parse_posthog(single, NOW).key == "k2"
    assert parse_posthog(single, NOW).records[0].distinct_id == "23"
    array = [{"event": "e", "distinct_id": ["a", "b"], "api_key": "k3"}]
    assert parse_posthog(array, NOW).records[0].distinct_id == '["a","b"]'


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"api_key": "k", "batch": [{"event": "e"}]}, 400, "missing_distinct_id"),
        ({"api_key": "k", "batch": [{"distinct_id": "d"}]}, 400, "missing_event_name"),
        ({"api_key": "k", "batch": [{"event": "e", "distinct_id": "d", "uuid": "nope"}]}, 400, "invalid_uuid"),
        ({"batch": [{"event": "e", "distinct_id": "d"}]}, 401, "invalid_api_key"),
        ([{"event": "e", "distinct_id": "d", "token": "a"}, {"event": "e", "distinct_id": "d", "token": "b"}], 401,
         "invalid_api_key"),
        ({"api_key": "phx_personal", "batch": [{"event": "e", "distinct_id": "d"}]}, 401, "invalid_api_key"),
        ({"api_key": "k", "batch": []}, 400, "empty_batch"),
    ],
)  # fmt: skip
def test_posthog_bad_payloads_get_the_expected_status(body: object, status: int, code: str) -> None:
    with pytest.raises(IngestError) as error:
        parse_posthog(body, NOW)
    assert (error.value.status, error.value.code) == (status, code)


def test_posthog_set_and_set_once_at_top_level_or_in_properties() -> None:
    body = {"api_key": "k", "batch": [
        {"event": "$set", "distinct_id": "d", "$set": {"a": 1}, "properties": {"$set_once": {"b": 2}}},
    ]}  # fmt: skip
    record = parse_posthog(body, NOW).records[0]
    assert (record.set_properties, record.set_once_properties) == ({"a": 1}, {"b": 2})


def test_segment_message_types_map_to_events() -> None:
    body = {
        "writeKey": "w",
        "sentAt": NOW.isoformat(),
        "batch": [
            {
                "type": "track",
                "event": "Bought",
                "userId": "u",
                "messageId": "m1",
                "timestamp": NOW.isoformat(),
            },
            {
                "type": "identify",
                "userId": "u",
                "anonymousId": "a",
                "traits": {"plan": "pro"},
                "messageId": "m2",
            },
            {"type": "alias", "userId": "u", "previousId": "a", "messageId": "m3"},
            {
                "type": "group",
                "anonymousId": "a",
                "groupId": "g1",
                "traits": {"name": "G"},
                "messageId": "m4",
            },
        ],
    }
    batch = parse_segment(body, NOW)
    assert [r.event for r in batch.records] == ["Bought", "$identify", "$create_alias", "$groupidentify"]
    assert batch.records[1].set_properties == {"plan": "pro"}
    assert batch.records[1].properties["$anon_distinct_id"] == "a"
    assert batch.records[2].properties["alias"] == "a"
    assert batch.records[3].properties["$group_key"] == "g1"
    assert [r.uuid for r in batch.records] == ["m1", "m2", "m3", "m4"]


def test_segment_requires_a_user_or_anonymous_id_and_a_key() -> None:
    with pytest.raises(IngestError) as error:
        parse_segment({"writeKey": "w", "batch": [{"type": "track", "event": "e"}]}, NOW)
    assert error.value.code == "no_user_anon_id"
    with pytest.raises(IngestError) as error:
        parse_segment({"batch": [{"type": "track", "event": "e", "userId": "u"}]}, NOW)
    assert error.value.status == 401
    assert parse_segment({"event": "e", "userId": "u"}, NOW, "track", basic_user="w").key == "w"


def test_segment_oversize_message_is_400() -> None:
    big = {
        "writeKey": "w",
        "batch": [{"type": "track", "event": "e", "userId": "u", "properties": {"x": "y" * 40_000}}],
    }
    with pytest.raises(IngestError) as error:
        parse_segment(big, NOW)
    assert error.value.status == 400


def _record(uuid: str) -> EventRecord:
    return EventRecord(event="e", distinct_id="d", timestamp=datetime(2026, 1, 1), uuid=uuid)


def test_log_replay_after_a_torn_write_stores_each_event_once(tmp_path: Path) -> None:
    store = EventStore()
    writer = LogWriter(tmp_path)
    writer.write([encode_frame("w", [_record("00000000-0000-0000-0000-000000000001")])])
    writer.write([encode_frame("w", [_record("00000000-0000-0000-0000-000000000002")])])
    loader = LogLoader(tmp_path, lambda _workspace: store)
    assert loader.drain().events == 2
    # the same frame again (a retry after a lost acknowledgement), then a torn frame (crash mid-write)
    writer.write([encode_frame("w", [_record("00000000-0000-0000-0000-000000000002")])])
    writer._handle.write(encode_frame("w", [_record("00000000-0000-0000-0000-000000000003")])[:-5])
    writer._handle.flush()
    (tmp_path / "checkpoint.json").unlink()  # lose the checkpoint too: everything is replayed
    report = LogLoader(tmp_path, lambda _workspace: store).drain()
    assert report.events == 0 and report.duplicates == 3
    assert store.count_events() == 2

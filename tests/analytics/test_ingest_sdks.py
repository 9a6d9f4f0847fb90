"""The real PostHog and Segment SDKs (sync mode) deliver to a running capture server, and every event lands once."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from posthog import Posthog
from segment.analytics import Client as SegmentClient

from tests.analytics.ingest_server import POSTHOG_KEY, SEGMENT_KEY, CaptureServer

pytestmark = pytest.mark.slow  # each test starts a uvicorn process


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CaptureServer]:
    capture = CaptureServer(tmp_path)
    capture.start()
    yield capture
    capture.kill()


def test_posthog_sdk_events_persons_groups_and_flags_land(server: CaptureServer) -> None:
    errors: list[object] = []
    client = Posthog(POSTHOG_KEY, host=server.url, sync_mode=True, on_error=lambda e, _b: errors.append(e))
    uuids = [client.capture("signed_up", distinct_id="u1", properties={"plan": "pro"}) for _ in range(3)]
    client.set(distinct_id="u1", properties={"email": "a@b.c"})
    client.set_once(distinct_id="u1", properties={"first": "x"})
    client.set_once(distinct_id="u1", properties={"first": "y"})
    client.group_identify("company", "acme", {"name": "Acme"}, distinct_id="u1")
    client.alias("anon1", "u1")
    client.capture("viewed", distinct_id="anon1", groups={"company": "acme"})
    assert client.get_all_flags("u1") in ({}, None)
    client.shutdown()
    assert errors == []
    server.stop()
    rows = server.stored("SELECT uuid, event, properties FROM events WHERE event = 'signed_up'")
    assert sorted(row[0] for row in rows) == sorted(uuids)
    assert json.loads(str(rows[0][2]))["plan"] == "pro"
    persons = server.stored("SELECT count(DISTINCT person_id) FROM events")
    assert persons == [(1,)]
    properties = server.stored("SELECT properties FROM persons")
    assert json.loads(str(properties[0][0])) == {"email": "a@b.c", "first": "x"}
    groups = server.stored("SELECT group_type, group_key, properties FROM groups")
    assert groups == [("company", "acme", '{"name":"Acme"}')]


def test_posthog_sdk_with_gzip_and_an_unknown_key(
    server: CaptureServer, caplog: pytest.LogCaptureFixture
) -> None:
    good = Posthog(POSTHOG_KEY, host=server.url, sync_mode=True, gzip=True)
    bad = Posthog("phc_wrong", host=server.url, sync_mode=True)
    good.capture("zipped", distinct_id="u2")
    with caplog.at_level(logging.ERROR, logger="posthog"):
        bad.capture("rejected", distinct_id="u3")
    assert "(401)" in caplog.text
    good.shutdown()
    server.stop()
    assert server.stored("SELECT event FROM events ORDER BY event") == [("zipped",)]


def test_segment_sdk_maps_every_call_type(server: CaptureServer) -> None:
    errors: list[object] = []
    client = SegmentClient(
        SEGMENT_KEY, host=server.url, sync_mode=True, on_error=lambda e, _b: errors.append(e)
    )
    client.track("user-1", "Order Completed", {"revenue": 42})
    client.identify("user-1", {"email": "u@x.io"}, anonymous_id="anon-9")
    client.page("user-1", "Docs", "Install", {"url": "https://x.io/install"})
    client.screen("user-1", "App", "Home")
    client.group("user-1", "org-7", {"name": "Org 7"})
    client.alias("anon-9", "user-1")
    client.track(anonymous_id="anon-9", event="Anonymous Click")
    client.flush()
    assert errors == []
    server.stop()
    events = [row[0] for row in server.stored("SELECT event FROM events ORDER BY timestamp")]
    assert events == [
        "Order Completed", "$identify", "$pageview", "$screen", "$groupidentify", "$create_alias", "Anonymous Click",
    ]  # fmt: skip
    assert server.stored("SELECT count(DISTINCT person_id) FROM events") == [(1,)]
    assert server.stored("SELECT count(DISTINCT uuid) FROM events") == [(7,)]


def test_error_responses_carry_the_status_and_body_sdks_expect(server: CaptureServer) -> None:
    batch = {"api_key": POSTHOG_KEY, "batch": [{"event": "e", "distinct_id": "d"}]}
    ok = httpx.post(server.url + "/batch/", json=batch)
    assert (ok.status_code, ok.json()) == (200, {"status": 1})
    assert httpx.post(server.url + "/batch", json=batch).status_code == 200
    malformed = httpx.post(
        server.url + "/batch/", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400 and {"code", "message", "detail"} <= set(malformed.json())
    missing_id = httpx.post(server.url + "/e/", json={"api_key": POSTHOG_KEY, "event": "e"})
    assert (missing_id.status_code, missing_id.json()["code"]) == (400, "missing_distinct_id")
    unauthorised = httpx.post(server.url + "/v1/track", json={"userId": "u", "event": "e"})
    assert unauthorised.status_code == 401
    no_user = httpx.post(server.url + "/v1/track", json={"writeKey": SEGMENT_KEY, "event": "e"})
    assert (no_user.status_code, no_user.json()["code"]) == (400, "no_user_anon_id")
    flags = httpx.post(server.url + "/flags/?v=4", json={"api_key": POSTHOG_KEY, "distinct_id": "d"})
    assert flags.status_code == 200 and flags.json()["flags"] == {}
    assert httpx.post(server.url + "/decide/", json={"api_key": "nope"}).status_code == 401

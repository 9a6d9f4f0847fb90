"""PostHog wire variants beyond plain v0 JSON: LZ-string ``lz64`` bodies (checked against vectors from the npm
``lz-string`` package, the library posthog-js used), gzip-js with ``?ver=`` and ``_=``, form and query bodies, the v1
capture protocol (by hand and with the real posthog-python in ``capture_mode="v1"``), and CORS preflights.

``data/lz64_vectors.json`` was written by ``data/make_lz64_vectors.js`` with ``lz-string@1.5.0`` (its
``LZString.compressToBase64``); the texts and their compressed forms are stored, so the tests need no Node.js."""

from __future__ import annotations

import base64
import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from northstar.analytics.ingest.app import create_ingest_app
from northstar.analytics.ingest.decoding import decode_body
from northstar.analytics.ingest.errors import IngestError
from northstar.analytics.ingest.lzstring import LZStringError, LZStringTooLarge, decompress_from_base64
from tests.analytics.ingest_server import POSTHOG_KEY, SEGMENT_KEY, CaptureServer

VECTORS = json.loads((Path(__file__).parent / "data" / "lz64_vectors.json").read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in VECTORS["cases"]}
KEY = "phc_compat"


@pytest.mark.parametrize("name", sorted(CASES))
def test_lz64_decompresses_every_reference_vector(name: str) -> None:
    case = CASES[name]
    assert decompress_from_base64(case["base64"], 10_000_000) == case["text"]


def test_lz64_survives_plus_signs_turned_into_spaces_and_line_breaks() -> None:
    case = next(c for c in VECTORS["cases"] if "+" in c["base64"])
    mangled = case["base64"].replace("+", " ")
    wrapped = "\n".join(mangled[i : i + 76] for i in range(0, len(mangled), 76))
    assert decompress_from_base64(wrapped, 10_000_000) == case["text"]


@pytest.mark.parametrize(
    "text",
    ["", "====", "IZ", "not*base64", CASES["short_word"]["base64"][:5], "////////"],
)
def test_lz64_rejects_truncated_or_invalid_data(text: str) -> None:
    with pytest.raises(LZStringError):
        decompress_from_base64(text, 10_000)


def test_lz64_output_is_capped_before_it_is_built() -> None:
    case = CASES["repeated_char"]  # 12 characters of input, 100 of output
    assert decompress_from_base64(case["base64"], 100) == "a" * 100
    with pytest.raises(LZStringTooLarge):
        decompress_from_base64(case["base64"], 99)


def test_lz64_form_body_and_query_scheme_decode_to_json() -> None:
    case = CASES["posthog_js_batch_400_events"]
    expected = json.loads(case["text"])
    form = f"data={quote(case['base64'], safe='')}&compression=lz64".encode()
    assert decode_body(form, 1_000_000, content_type="application/x-www-form-urlencoded") == expected
    reordered = f"compression=lz64&data={quote(case['base64'], safe='')}".encode()
    assert decode_body(reordered, 1_000_000, content_type="application/x-www-form-urlencoded") == expected
    raw = case["base64"].encode()
    assert decode_body(raw, 1_000_000, content_type="text/plain", compression="lz64") == expected


def test_lz64_bomb_and_garbage_get_413_and_400() -> None:
    case = CASES["posthog_js_batch_400_events"]
    with pytest.raises(IngestError) as too_big:
        decode_body(case["base64"].encode(), 50_000, compression="lz64")
    assert too_big.value.status == 413
    with pytest.raises(IngestError) as garbage:
        decode_body(b"%%%%", 50_000, compression="lz64")
    assert (garbage.value.status, garbage.value.code) == (400, "invalid_compression")


# --- over HTTP, on the stand-alone capture app ---------------------------------------------------------------


@pytest.fixture
def capture(tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    app = create_ingest_app(tmp_path, {KEY: "ws"}, load=False)
    with TestClient(app) as client:
        yield client, app.state.ingest


def _stored(service: Any, sql: str) -> list[tuple[Any, ...]]:
    service.flush()
    return [tuple(row) for row in service.stores.get("ws").connection.execute(sql).fetchall()]


def _js_event(name: str, who: str, **properties: Any) -> dict[str, Any]:
    return {"event": name, "properties": {"distinct_id": who, "token": KEY, "$lib": "web", **properties}}


def test_posthog_js_lz64_batch_is_stored(tmp_path: Path) -> None:
    app = create_ingest_app(tmp_path, {"phc_testkey": "ws"}, load=False)
    case = CASES["posthog_js_batch_400_events"]
    with TestClient(app) as client:
        response = client.post(
            "/e/?ver=1.30.0&_=1700000000000&compression=lz64",
            content=f"data={quote(case['base64'], safe='')}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (response.status_code, response.json()) == (200, {"status": 1})
        rows = _stored(app.state.ingest, "SELECT count(*), count(DISTINCT distinct_id) FROM events")
    assert rows == [(400, 37)]


def test_gzip_js_query_get_data_and_form_base64_variants(capture: tuple[TestClient, Any]) -> None:
    client, service = capture
    gzipped = gzip.compress(json.dumps([_js_event("zipped", "u1")]).encode())
    response = client.post(
        "/e/?ver=1.57.2&_=1700000000000&compression=gzip-js",
        content=gzipped,
        headers={"Content-Type": "text/plain"},
    )
    assert (response.status_code, response.json()) == (200, {"status": 1})
    encoded = base64.b64encode(json.dumps(_js_event("from_get", "u2", q="a+b")).encode()).decode()
    assert client.get("/e/", params={"data": encoded, "ver": "1.57.2"}).status_code == 200
    unencoded_plus = "data=" + encoded  # a client that did not percent-encode '+'
    response = client.post(
        "/capture/?ver=1",
        content=unencoded_plus.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    rows = _stored(service, "SELECT event, distinct_id FROM events ORDER BY event")
    assert rows == [("from_get", "u2"), ("from_get", "u2"), ("zipped", "u1")]


def test_base64_with_a_plus_sign_survives_form_decoding(capture: tuple[TestClient, Any]) -> None:
    client, service = capture
    for padding in range(40):  # find a payload whose base64 holds a '+'
        body = json.dumps(_js_event("plus", "u9", pad="~" * padding, x=">>>?"))
        encoded = base64.b64encode(body.encode()).decode()
        if "+" in encoded:
            break
    assert "+" in encoded
    response = client.post(
        "/e/",
        content=("data=" + encoded).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert _stored(service, "SELECT event FROM events") == [("plus",)]


def _v1_body(*events: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": "2026-01-02T03:04:05+00:00", "batch": list(events)}


def _v1_event(uuid: str, **extra: Any) -> dict[str, Any]:
    return {
        "event": "v1_event",
        "uuid": uuid,
        "distinct_id": "u1",
        "timestamp": "2026-01-02T03:04:00+00:00",
        "options": {"disable_skew_correction": True, "process_person_profile": False},
        "properties": {"plan": "pro", "$set": {"email": "a@b.c"}},
        **extra,
    }


def test_v1_capture_by_hand(capture: tuple[TestClient, Any]) -> None:
    client, service = capture
    headers = {
        "Authorization": f"Bearer {KEY}",
        "PostHog-Sdk-Info": "posthog-python/7.91.1",
        "PostHog-Attempt": "1",
        "PostHog-Request-Id": "5f1c0d2e-0000-4000-8000-000000000000",
        "PostHog-Request-Timestamp": "2026-01-02T03:04:05+00:00",
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    uuid = "0e7a4f6c-1b9d-4c59-9d1e-2f3a4b5c6d7e"
    body = gzip.compress(json.dumps(_v1_body(_v1_event(uuid, session_id="s-1"))).encode())
    response = client.post("/i/v1/analytics/events", content=body, headers=headers)
    assert (response.status_code, response.json()) == (200, {"results": {}})
    again = client.post("/i/v1/analytics/events", content=body, headers={**headers, "PostHog-Attempt": "2"})
    assert again.status_code == 200  # a retry resends the same uuid: stored once
    rows = _stored(service, "SELECT uuid, timestamp, properties FROM events")
    assert len(rows) == 1 and rows[0][0] == uuid
    assert rows[0][1].isoformat() == "2026-01-02T03:04:00"  # skew correction disabled by the option
    properties = json.loads(rows[0][2])
    assert properties["$lib"] == "posthog-python" and properties["$lib_version"] == "7.91.1"
    assert properties["$session_id"] == "s-1" and properties["$process_person_profile"] is False
    person = _stored(service, "SELECT properties FROM persons")
    assert json.loads(person[0][0]) == {"email": "a@b.c"}


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, _v1_body(_v1_event("0e7a4f6c-1b9d-4c59-9d1e-2f3a4b5c6d7e")), 401),
        (
            {"Authorization": "Bearer phc_unknown"},
            _v1_body(_v1_event("0e7a4f6c-1b9d-4c59-9d1e-2f3a4b5c6d7e")),
            401,
        ),
        ({"Authorization": f"Bearer {KEY}"}, {"created_at": "x", "batch": "nope"}, 400),
        (
            {"Authorization": f"Bearer {KEY}"},
            _v1_body({"event": "x", "uuid": "not-a-uuid", "distinct_id": "u"}),
            400,
        ),
        ({"Authorization": f"Bearer {KEY}", "Content-Encoding": "zstd"}, _v1_body(), 415),
    ],
)
def test_v1_errors_use_the_terminal_statuses(
    capture: tuple[TestClient, Any], headers: dict[str, str], body: Any, status: int
) -> None:
    client, service = capture
    response = client.post("/i/v1/analytics/events", content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == status
    assert {"code", "message", "detail"} <= set(response.json())
    assert _stored(service, "SELECT count(*) FROM events") == [(0,)]


def test_cors_preflight_mirrors_the_origin_and_responses_carry_it(capture: tuple[TestClient, Any]) -> None:
    client, _service = capture
    preflight = client.options(
        "/e/",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    assert preflight.headers["access-control-allow-headers"] == "content-type"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert client.options("/e/").status_code == 400  # not a preflight: nothing answered without a key
    posted = client.post("/e/", json=_js_event("cors", "u1"), headers={"Origin": "https://app.example.com"})
    assert posted.status_code == 200
    assert posted.headers["access-control-allow-origin"] == "https://app.example.com"
    rejected = client.post("/e/", json={"event": "x"}, headers={"Origin": "https://app.example.com"})
    assert rejected.status_code == 401 and rejected.headers["access-control-allow-origin"]
    assert "access-control-allow-origin" not in client.post("/e/", json=_js_event("plain", "u1")).headers


@pytest.mark.slow
def test_real_posthog_sdk_in_v1_mode_delivers_with_gzip(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from posthog import Posthog

    server = CaptureServer(tmp_path)
    server.start()
    try:
        errors: list[object] = []
        client = Posthog(
            POSTHOG_KEY,
            host=server.url,
            sync_mode=True,
            capture_mode="v1",
            capture_compression="gzip",
            on_error=lambda e, _b: errors.append(e),
        )
        with caplog.at_level(logging.WARNING, logger="posthog"):
            uuids = [client.capture("v1_signed_up", distinct_id="u1", properties={"n": i}) for i in range(3)]
            client.set(distinct_id="u1", properties={"email": "v1@x.io"})
            client.shutdown()
        assert errors == [] and all(uuids)
        server.stop()
        rows = server.stored("SELECT uuid, properties FROM events WHERE event = 'v1_signed_up'")
        assert sorted(r[0] for r in rows) == sorted(uuids)
        assert all(json.loads(str(r[1]))["$lib"] == "posthog-python" for r in rows)
        assert server.stored("SELECT properties FROM persons") == [('{"email":"v1@x.io"}',)]
    finally:
        server.kill()
    assert SEGMENT_KEY  # the same server also serves Segment (covered in test_ingest_sdks.py)

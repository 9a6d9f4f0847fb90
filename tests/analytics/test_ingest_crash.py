"""Exactly-once delivery: SDK clients keep sending while the capture server is killed with SIGKILL and restarted."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from posthog import Posthog
from segment.analytics import Client as SegmentClient

from tests.analytics.ingest_server import POSTHOG_KEY, SEGMENT_KEY, CaptureServer

pytestmark = pytest.mark.slow


def _send_posthog(url: str, ids: list[str], done: list[str]) -> None:
    client = Posthog(POSTHOG_KEY, host=url, sync_mode=True, timeout=5)
    for event_id in ids:
        # a sync-mode capture returns None when the request failed: send the same uuid again, as a retry would
        while client.capture("clicked", distinct_id="ph-user", uuid=event_id) is None:
            time.sleep(0.05)
        done.append(event_id)


def _send_segment(url: str, ids: list[str], done: list[str]) -> None:
    client = SegmentClient(SEGMENT_KEY, host=url, sync_mode=True, timeout=5, max_retries=0)
    for message_id in ids:
        while True:
            try:
                client.track("seg-user", "Clicked", message_id=message_id)
                break
            except Exception:
                time.sleep(0.05)
        done.append(message_id)


def test_every_acknowledged_event_is_stored_exactly_once_across_kill_and_restart(tmp_path: Path) -> None:
    server = CaptureServer(tmp_path)
    server.start()
    plan = {
        "posthog-a": [str(uuid.uuid4()) for _ in range(120)],
        "posthog-b": [str(uuid.uuid4()) for _ in range(120)],
        "segment": [f"msg-{i}-{uuid.uuid4().hex[:8]}" for i in range(120)],
    }
    done: dict[str, list[str]] = {name: [] for name in plan}
    threads = [
        threading.Thread(target=_send_posthog, args=(server.url, plan["posthog-a"], done["posthog-a"])),
        threading.Thread(target=_send_posthog, args=(server.url, plan["posthog-b"], done["posthog-b"])),
        threading.Thread(target=_send_segment, args=(server.url, plan["segment"], done["segment"])),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while sum(len(d) for d in done.values()) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    acknowledged_before_kill = sum(len(d) for d in done.values())
    server.kill()
    time.sleep(0.5)
    server.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    server.stop()
    expected = sorted(i for ids in plan.values() for i in ids)
    stored = sorted(str(row[0]) for row in server.stored("SELECT uuid FROM events"))
    assert acknowledged_before_kill > 0
    assert stored == expected

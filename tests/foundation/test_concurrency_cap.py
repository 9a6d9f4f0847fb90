"""The per-process request cap: at most ``limit`` requests inside the app, the rest served in arrival order, and
``Connection: close`` on responses sent while others wait (so clients reconnect to a free process)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.types import Message, Receive, Scope, Send

from northstar.web.concurrency import ConcurrencyCap
from northstar.web.load_board import LoadBoard


class SlowApp:
    """Records how many requests are inside at once and the order they entered."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.entered: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        self.entered.append(scope["path"])
        await asyncio.sleep(0.01)
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})
        self.inside -= 1


async def _request(app: ConcurrencyCap, path: str, method: str = "GET") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": method, "headers": []}, receive, send)
    return sent


def _closes(messages: list[Message]) -> bool:
    return (b"connection", b"close") in messages[0]["headers"]


def test_cap_limits_requests_inside_and_keeps_arrival_order() -> None:
    inner = SlowApp()
    cap = ConcurrencyCap(inner, limit=2)

    async def run() -> list[list[Message]]:
        return await asyncio.gather(*(_request(cap, f"/page/{i}") for i in range(8)))

    responses = asyncio.run(run())
    assert inner.most_inside == 2
    assert inner.entered == [f"/page/{i}" for i in range(8)]
    assert all(r[0]["status"] == 200 and r[1]["body"] == b"ok" for r in responses)
    # the first responses went out while others waited: they ask the client to reconnect; the last one did not
    assert _closes(responses[0]) and not _closes(responses[-1])
    assert cap.waiting == 0


def test_writes_health_and_static_bypass_the_cap_and_an_idle_process_keeps_connections() -> None:
    inner = SlowApp()
    cap = ConcurrencyCap(inner, limit=1)
    assert not _closes(asyncio.run(_request(cap, "/feedback")))

    async def run() -> tuple[list[Message], ...]:
        return await asyncio.gather(
            _request(cap, "/static/app.css"),
            _request(cap, "/health"),
            _request(cap, "/feedback/import", method="POST"),
            _request(cap, "/feedback"),
        )

    asyncio.run(run())
    assert inner.most_inside == 4  # none of them waited for the cap (one GET page may be inside)


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyCap(SlowApp(), limit=0)


def _exited_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_load_board_shares_waiting_counts_between_processes_and_ignores_exited_ones(tmp_path: Path) -> None:
    path = tmp_path / "run" / "web-load.board"
    here = LoadBoard(path, identity=os.getpid())
    there = LoadBoard(path, identity=os.getppid())  # any other live process stands in for a second worker
    gone = LoadBoard(path, identity=_exited_pid())
    assert here.least_waiting_elsewhere() is None  # alone on the board
    gone.publish(0)  # an exited process's slot would look like the least busy one
    here.publish(5)
    there.publish(1)
    assert here.least_waiting_elsewhere() == 1
    assert there.least_waiting_elsewhere() == 5
    assert LoadBoard(path, identity=os.getpid())._board() is not None  # the same process gets its slot back


def test_cap_closes_connections_only_when_busier_than_another_process(tmp_path: Path) -> None:
    path = tmp_path / "web-load.board"
    other = LoadBoard(path, identity=os.getppid())
    cap = ConcurrencyCap(SlowApp(), limit=1, board=LoadBoard(path, identity=os.getpid()))
    cap._set_waiting(3)
    assert not cap.should_close()  # no other process known: a reconnect would come back here
    other.publish(0)
    assert cap.should_close()
    other.publish(2)
    assert not cap.should_close()  # within one of the other process: connections stay put
    cap._set_waiting(0)
    assert not cap.should_close()


def test_a_slow_client_reading_the_body_does_not_hold_the_turn() -> None:
    """The turn ends when the response starts: the page is built; sending it at the client's pace waits outside."""
    inner = SlowApp()
    cap = ConcurrencyCap(inner, limit=1)
    first_body_may_go = asyncio.Event()
    order: list[str] = []

    async def run() -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def slow_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                await first_body_may_go.wait()  # a client that reads slowly: the write blocks
                order.append("slow client got its body")

        async def fast_request() -> None:
            await asyncio.sleep(0.001)  # arrives after the slow one took its turn
            await _request(cap, "/ideas")
            order.append("second request answered")
            first_body_may_go.set()

        scope = {"type": "http", "path": "/feedback", "method": "GET", "headers": []}
        await asyncio.wait_for(asyncio.gather(cap(scope, receive, slow_send), fast_request()), timeout=5)

    asyncio.run(run())
    assert order == ["second request answered", "slow client got its body"]
    assert inner.most_inside == 2  # the second request entered while the first was still sending

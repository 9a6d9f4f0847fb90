"""A cap on how many requests one server process works on at once; the rest wait their turn, in order.

Routes and their dependencies are synchronous (SQLAlchemy sessions), so FastAPI runs them on a pool of up to 40
threads. With twenty requests in flight, twenty threads take turns at the GIL and the switching costs more than
the work: on the 100,000-item benchmark company an inbox page took 28 ms of CPU with 20 clients in flight on one
process and 11 ms with one request at a time (benchmarks/results/web_pages.md). Requests beyond the cap wait in
the event loop, first come first served, which costs nothing. The cap also stays below the database pool's size,
so a request never holds a thread while it waits for a connection. The default is one request per process (run
one process per core): a second thread overlaps a request's database waits, but the two contend for the GIL, and
on PostgreSQL more runnable threads delayed the database's own processes (docs/foundation.md, "Stalls").

With several server processes, a browser's keep-alive connection stays with the process that accepted it, so
one process can end up with most of the clients while another idles. The processes share their waiting counts
(web/load_board.py); when more requests wait here than in the least busy other process (by more than one), a
response says ``Connection: close`` and the client reconnects to whichever process accepts first. Without a
board, every response sent while others wait here says so.

Only reads (GET, HEAD) are capped: they are nearly all of the traffic. A form post or an upload reads its body
at the client's pace, and a slow upload must not hold a turn that pages are waiting for. Static files and the
health checks bypass the cap too, so a busy server still says it is alive (``/api/v1/health`` runs one
``SELECT 1`` on a thread of its own; ``/health`` touches nothing).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from northstar.web.load_board import LoadBoard

UNCAPPED_PREFIXES = ("/static/", "/health", "/api/v1/health")
CAPPED_METHODS = {"GET", "HEAD"}


class ConcurrencyCap:
    """ASGI middleware: at most ``limit`` reads (GET, HEAD) of this process inside the app at a time."""

    def __init__(self, app: ASGIApp, limit: int, board: LoadBoard | None = None) -> None:
        if limit < 1:
            raise ValueError("the concurrency cap must be at least 1")
        self.app = app
        self.limit = limit
        self.board = board
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in CAPPED_METHODS
            or str(scope.get("path", "")).startswith(UNCAPPED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # created inside the server's event loop
            self._semaphore = asyncio.Semaphore(self.limit)
        self._set_waiting(self.waiting + 1)
        try:
            await self._semaphore.acquire()
        finally:
            self._set_waiting(self.waiting - 1)
        turn = _Turn(self._semaphore)
        try:
            await self.app(scope, receive, self._closing_when_busy(send, turn))
        finally:
            turn.end()

    def _set_waiting(self, waiting: int) -> None:
        self.waiting = waiting
        if self.board is not None:
            try:
                self.board.publish(waiting)
            except OSError:  # no shared view (read-only data directory, …): fall back to closing when busy
                self.board = None

    def should_close(self) -> bool:
        """Whether a response now should ask its client to reconnect (see the module notes)."""
        if self.waiting == 0:
            return False
        if self.board is None:
            return True
        try:
            least = self.board.least_waiting_elsewhere()
        except OSError:
            self.board = None
            return True
        return least is not None and self.waiting > least + 1

    def _closing_when_busy(self, send: Send, turn: _Turn) -> Send:
        """``send``, adding ``Connection: close`` to the response when ``should_close``, and ending the turn once
        the response starts: the page is built by then, and a slow client reading the body must not hold a
        turn that other requests wait for."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                if self.should_close():
                    headers = list(message.get("headers", []))
                    if not any(name.lower() == b"connection" for name, _ in headers):
                        message = {**message, "headers": [*headers, (b"connection", b"close")]}
                turn.end()
            await send(message)

        return wrapped


class _Turn:
    """One request's hold on the semaphore, released once: when its response starts, or when it ends."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore

    def end(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None

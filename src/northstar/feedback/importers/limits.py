"""Request limits for the public faces of feedback intake: a sliding-window rate limiter and a capped body read.

The application's limiters count in the database (``northstar.core.rate_limits``), so several server processes
share one budget; ``RateLimiter`` is the in-process sliding window that a test may put in their place.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from typing import Any

from starlette.requests import Request

from northstar.core.errors import PayloadTooLarge
from northstar.core.rate_limits import DatabaseRateLimiter


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Count one hit; returns None when allowed, else the seconds to wait before the next one is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(1.0, hits[0] + self.window - now)
            hits.append(now)
            return None


def limiter(app: Any, name: str, limit: int, window: float) -> RateLimiter | DatabaseRateLimiter:
    """The application's limiter called ``name``, counted in the database (created on first use; tests may
    replace it with an in-process ``RateLimiter``)."""
    attribute = f"rate_limiter_{name}"
    found = getattr(app.state, attribute, None)
    if found is None:
        found = DatabaseRateLimiter(app.state.session_factory, name, limit, window)
        setattr(app.state, attribute, found)
    return found  # type: ignore[no-any-return]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is larger than ``limit`` bytes (before reading it all)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is larger than {_size(limit)}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is larger than {_size(limit)}")
        chunks.append(chunk)
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"

"""Rate limits counted in the database, so that every server process (on every machine) shares one budget.

A limit of ``limit`` hits per ``window`` seconds keeps one counter row per key and fixed window (aligned to the
epoch) and estimates the sliding window from the current and the previous counters: the previous one weighted
by the part of it still inside the sliding window. One hit is one atomic upsert (``INSERT … ON CONFLICT DO
UPDATE … RETURNING``) on SQLite and PostgreSQL alike, so two processes never both take the last hit; a refused
hit is taken back, so that waiting clients are not kept out longer than the window.
"""

from __future__ import annotations

import math
import time

from sqlalchemy import BigInteger, String, UniqueConstraint, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from northstar.core.database import Base, IdMixin


class RateLimitCount(IdMixin, Base):
    """How many hits limit ``name`` counted for ``key`` in the window starting at ``window_start``."""

    __tablename__ = "rate_limit_counts"
    __table_args__ = (UniqueConstraint("name", "key", "window_start", name="uq_rate_limit_counts_window"),)

    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(default=0)


class DatabaseRateLimiter:
    """At most about ``limit`` hits per ``window`` seconds for each key, across processes (same ``hit`` as the
    in-process limiter: None when allowed, else the seconds to wait)."""

    def __init__(self, factory: sessionmaker[Session], name: str, limit: int, window: float) -> None:
        self.factory, self.name, self.limit = factory, name, limit
        self.window = max(1, math.ceil(window))

    def hit(self, key: str, now: float | None = None) -> float | None:
        now = time.time() if now is None else now
        start = int(now // self.window) * self.window
        key = key[:200]
        with self.factory() as session:
            count = self._increment(session, key, start)
            previous = session.scalar(
                select(RateLimitCount.count).where(
                    RateLimitCount.name == self.name,
                    RateLimitCount.key == key,
                    RateLimitCount.window_start == start - self.window,
                )
            )
            weight = 1.0 - (now - start) / self.window
            estimate = (previous or 0) * weight + count
            if estimate > self.limit:
                session.execute(
                    update(RateLimitCount).where(self._row(key, start)).values(count=RateLimitCount.count - 1)
                )
                session.commit()
                return max(1.0, start + self.window - now)
            if count == 1:  # the first hit of a window: forget this limit's windows that no estimate reads
                session.execute(
                    delete(RateLimitCount).where(
                        RateLimitCount.name == self.name, RateLimitCount.window_start < start - self.window
                    )
                )
            session.commit()
            return None

    def _row(self, key: str, start: int):  # type: ignore[no-untyped-def]
        return (
            (RateLimitCount.name == self.name)
            & (RateLimitCount.key == key)
            & (RateLimitCount.window_start == start)
        )

    def _increment(self, session: Session, key: str, start: int) -> int:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = insert(RateLimitCount).values(name=self.name, key=key, window_start=start, count=1)
        statement = values.on_conflict_do_update(
            index_elements=["name", "key", "window_start"], set_={"count": RateLimitCount.count + 1}
        ).returning(RateLimitCount.count)
        return int(session.execute(statement).scalar_one())

"""How a linked issue's state moves an idea, and how long to wait before asking a busy service again. No I/O."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: the idea status each issue state category asks for ("todo" asks for none: planning stays in Northstar)
IDEA_STATUS_FOR = {"in_progress": "in_progress", "done": "shipped", "wont_do": "wont_do"}
#: never wait longer than this for one retry, whatever the service says (seconds)
MAX_RETRY_WAIT = 60.0


def status_path(current: str, target: str, transitions: Mapping[str, set[str]]) -> list[str] | None:
    """The shortest list of statuses to pass through from ``current`` to ``target`` along ``transitions``
    (``target`` last; empty when already there; None when the workflow has no way)."""
    if current == target:
        return []
    previous: dict[str, str] = {}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        for step in sorted(transitions.get(status, set())):
            if step in previous or step == current:
                continue
            previous[step] = status
            if step == target:
                path = [step]
                while previous[path[-1]] != current:
                    path.append(previous[path[-1]])
                return path[::-1]
            queue.append(step)
    return None


def idea_moves(current: str, category: str, transitions: Mapping[str, set[str]]) -> list[str]:
    """The status moves an issue in ``category`` asks of an idea now in ``current``: none for "todo", none when
    the idea is already there, and none backwards from shipped to in progress (a reopened issue is news for the
    team, not a reason to un-ship the idea)."""
    target = IDEA_STATUS_FOR.get(category)
    if target is None or (current == "shipped" and target == "in_progress"):
        return []
    return status_path(current, target, transitions) or []


def retry_wait(attempt: int, retry_after: str | None, now: datetime | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, …): the service's ``Retry-After`` (seconds or an HTTP
    date) when it sent one, else exponential backoff from one second; never more than ``MAX_RETRY_WAIT``."""
    wait: float | None = None
    if retry_after:
        text = retry_after.strip()
        try:
            wait = float(text)
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError):
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                wait = (moment - (now or datetime.now(UTC))).total_seconds()
    if wait is None:
        wait = float(2 ** (attempt - 1))
    return max(0.0, min(wait, MAX_RETRY_WAIT))

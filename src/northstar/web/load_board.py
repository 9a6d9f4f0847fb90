"""How many requests wait in each server process, shared between the processes through a small file.

``northstar serve --workers N`` starts N processes that accept connections from one port. A browser keeps its
connection to the process that accepted it, so one process can end up with most of the clients while another
idles. Each process writes how many of its requests wait (web/concurrency.py) into its own slot of a
memory-mapped file under the data directory; a process with more waiting than the least busy other one answers
``Connection: close``, and the client reconnects to whichever process accepts first. Once the processes are even,
connections stay put.

A slot is a process id and a count (two 8-byte integers; aligned 8-byte writes are atomic on the platforms
Northstar runs on). Slots of processes that have exited are ignored and reused.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import time
from pathlib import Path

SLOTS = 64
_SLOT = struct.Struct("<qq")  # process id, requests waiting
_ALIVE_SECONDS = 1.0  # how long a "that process is alive" check is trusted


class LoadBoard:
    """One process's view of the shared board: publish its own waiting count, read the others'."""

    def __init__(self, path: Path, identity: int | None = None) -> None:
        self.path = path
        self._identity = identity
        self._map: mmap.mmap | None = None
        self._owner = 0  # the process id the slot was claimed for (a forked child claims its own)
        self._slot = -1
        self._alive: dict[int, tuple[float, bool]] = {}

    @property
    def identity(self) -> int:
        return self._identity if self._identity is not None else os.getpid()

    def publish(self, waiting: int) -> None:
        """Record this process's number of waiting requests."""
        board = self._board()
        _SLOT.pack_into(board, self._slot * _SLOT.size, self.identity, waiting)

    def least_waiting_elsewhere(self) -> int | None:
        """The smallest waiting count among the other live processes, or None when there is none."""
        board = self._board()
        least: int | None = None
        for slot in range(SLOTS):
            pid, waiting = _SLOT.unpack_from(board, slot * _SLOT.size)
            if pid in (0, self.identity) or not self._is_alive(pid):
                continue
            least = waiting if least is None else min(least, waiting)
        return least

    def _board(self) -> mmap.mmap:
        if self._map is None or self._owner != self.identity:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)  # claim a slot without racing the other processes
                size = SLOTS * _SLOT.size
                if os.fstat(descriptor).st_size < size:
                    os.ftruncate(descriptor, size)
                board = mmap.mmap(descriptor, size)
                self._slot = self._claim(board)
                _SLOT.pack_into(board, self._slot * _SLOT.size, self.identity, 0)
            finally:
                # unlock explicitly: the mapping keeps a duplicate of the descriptor, which would hold the lock
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                os.close(descriptor)
            self._map, self._owner = board, self.identity
        return self._map

    def _claim(self, board: mmap.mmap) -> int:
        free = None
        for slot in range(SLOTS):
            pid, _waiting = _SLOT.unpack_from(board, slot * _SLOT.size)
            if pid == self.identity:
                return slot
            if free is None and (pid == 0 or not self._is_alive(pid, fresh=True)):
                free = slot
        if free is None:
            raise OSError(f"no free slot on the load board {self.path} ({SLOTS} processes)")
        return free

    def _is_alive(self, pid: int, fresh: bool = False) -> bool:
        now = time.monotonic()
        checked = self._alive.get(pid)
        if checked is not None and not fresh and now - checked[0] < _ALIVE_SECONDS:
            return checked[1]
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        except PermissionError:  # exists, owned by someone else
            alive = True
        self._alive[pid] = (now, alive)
        return alive

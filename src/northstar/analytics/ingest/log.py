"""The durable ingest log: a request is acknowledged only after its events are written and fsync'd here.

Each accepted request becomes one frame ``b"NS" + length (u32) + crc32 (u32) + payload`` appended to the current
segment file of the writing process; the payload carries the workspace and the events as an Arrow IPC stream (see
:func:`encode_frame`; frames in the older JSON format are still read). Concurrent requests share one ``fsync`` (group commit), which is what makes
tens of thousands of durably acknowledged events per second possible on an ordinary disk.

The :class:`LogLoader` moves frames into the DuckDB event stores and remembers how far it got in a checkpoint file
(written atomically after the store transaction commits). After a crash it resumes from the checkpoint; a frame that
was stored but not yet checkpointed is stored again and dropped by the store's uuid dedupe, and a torn frame at the
end of a segment (a write interrupted by ``kill -9``) was never acknowledged, so it is skipped. Together: every
acknowledged event is stored exactly once.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from northstar.analytics.store.event_store import INCOMING_SCHEMA, EventStore
from northstar.analytics.store.records import EventRecord

MAGIC = b"NS"
HEADER = struct.Struct("<2sII")
SEGMENT_BYTES = 64 * 1024 * 1024


# a frame payload in the Arrow format starts with b"A"; one starting with "{" is in the older JSON format
FRAME_ARROW = b"A"
_WORKSPACE_LENGTH = struct.Struct("<H")


_DUMPS = orjson.dumps
_SORT_KEYS = orjson.OPT_SORT_KEYS


def encode_frame(workspace: str, records: list[EventRecord]) -> bytes:
    """One log frame holding a request's events for ``workspace``.

    The payload is ``b"A"``, the workspace (u16 length + UTF-8) and the events as an Arrow IPC stream in the
    store's incoming shape (properties as JSON text), so the loader hands it to the store without touching a row
    in Python."""
    count = len(records)

    def json_column(values: list[dict[str, Any]]) -> pa.Array:
        if not any(values):
            return pa.nulls(count, pa.string())
        # UTF-8 bytes straight from orjson (Arrow takes them for a string column)
        return pa.array(
            [_DUMPS(v, default=str, option=_SORT_KEYS) if v else None for v in values], pa.string()
        )

    table = pa.table(
        [
            pa.array([r.uuid for r in records], pa.string()),
            pa.array([r.event for r in records], pa.string()),
            pa.array([r.distinct_id for r in records], pa.string()),
            pa.array([r.timestamp for r in records], pa.timestamp("us")),
            json_column([r.properties for r in records]),
            json_column([r.set_properties for r in records]),
            json_column([r.set_once_properties for r in records]),
        ],
        schema=INCOMING_SCHEMA,
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, INCOMING_SCHEMA) as stream:
        stream.write_table(table)
    name = workspace.encode()
    payload = FRAME_ARROW + _WORKSPACE_LENGTH.pack(len(name)) + name + sink.getvalue().to_pybytes()
    return HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def decode_frame(payload: bytes) -> tuple[str, pa.Table]:
    """The workspace and the events of a frame payload (either format)."""
    if payload[:1] == FRAME_ARROW:
        (length,) = _WORKSPACE_LENGTH.unpack_from(payload, 1)
        start = 1 + _WORKSPACE_LENGTH.size
        workspace = payload[start : start + length].decode()
        with pa.ipc.open_stream(pa.py_buffer(payload)[start + length :]) as stream:
            return workspace, stream.read_all()
    frame = orjson.loads(payload)
    return str(frame["w"]), _rows_to_table(frame["e"])


def read_frames(path: Path, offset: int) -> Iterator[tuple[int, bytes]]:
    """Complete, intact frame payloads of a segment from ``offset``, each with the offset just after it."""
    with path.open("rb") as handle:
        handle.seek(offset)
        while True:
            header = handle.read(HEADER.size)
            if len(header) < HEADER.size:
                return
            magic, length, checksum = HEADER.unpack(header)
            if magic != MAGIC:
                return
            payload = handle.read(length)
            if len(payload) < length or zlib.crc32(payload) != checksum:
                return
            offset += HEADER.size + length
            yield offset, payload


class LogWriter:
    """Appends frames to this process's segment files; :meth:`write` returns once the bytes are fsync'd."""

    def __init__(self, directory: Path, segment_bytes: int = SEGMENT_BYTES) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self._sequence = 0
        self._handle: Any = None
        self._lock = threading.Lock()
        self._open_next()

    def _open_next(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._sequence += 1
        name = f"wal-{os.getpid()}-{os.urandom(4).hex()}-{self._sequence:06d}.log"
        self._handle = (self.directory / name).open("ab")
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        _fsync_directory(self.directory)

    def write(self, frames: list[bytes]) -> None:
        """Append ``frames`` and fsync once (the group commit)."""
        with self._lock:
            self._handle.write(b"".join(frames))
            self._handle.flush()
            os.fsync(self._handle.fileno())
            if self._handle.tell() >= self.segment_bytes:
                self._open_next()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


class GroupCommitter:
    """Collects frames from concurrent requests and fsyncs them together on one background thread."""

    def __init__(self, writer: LogWriter) -> None:
        self.writer = writer
        self._pending: list[tuple[bytes, Callable[[BaseException | None], None]]] = []
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="ingest-log-commit", daemon=True)
        self._thread.start()

    def submit(self, frame: bytes, done: Callable[[BaseException | None], None]) -> None:
        """Queue ``frame``; ``done(error)`` is called once it is durable (``error`` is None) or failed."""
        with self._condition:
            if self._closed:
                raise RuntimeError("the ingest log is closed")
            self._pending.append((frame, done))
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._closed:
                    self._condition.wait()
                if not self._pending and self._closed:
                    return
                batch, self._pending = self._pending, []
            error: BaseException | None = None
            try:
                self.writer.write([frame for frame, _ in batch])
            except BaseException as exc:  # the requests get a 503 and the SDKs retry
                error = exc
            for _, done in batch:
                done(error)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join(timeout=10)
        self.writer.close()


@dataclass
class LoadReport:
    """What one :meth:`LogLoader.drain` pass moved into the stores."""

    frames: int = 0
    events: int = 0
    duplicates: int = 0


class LogLoader:
    """Moves log frames into per-workspace event stores, exactly once, resuming from a checkpoint file."""

    def __init__(
        self, directory: Path, store_for: Callable[[str], EventStore], max_events: int = 200_000
    ) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store_for = store_for
        self.max_events = max_events
        self.checkpoint_path = directory / "checkpoint.json"
        self._lock_handle = (directory / "loader.lock").open("a")

    def try_become_loader(self) -> bool:
        """Only one process loads (DuckDB has one writer): take an exclusive, non-blocking file lock."""
        try:
            fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _checkpoint(self) -> dict[str, int]:
        if not self.checkpoint_path.exists():
            return {}
        return {str(k): int(v) for k, v in json.loads(self.checkpoint_path.read_text() or "{}").items()}

    def _save_checkpoint(self, positions: dict[str, int]) -> None:
        temporary = self.checkpoint_path.with_suffix(".tmp")
        with temporary.open("w") as handle:
            json.dump(positions, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.checkpoint_path)
        _fsync_directory(self.directory)

    def drain(self) -> LoadReport:
        """Load every complete frame written so far; return what was loaded."""
        report = LoadReport()
        positions = self._checkpoint()
        for segment in sorted(self.directory.glob("wal-*.log"), key=lambda p: (p.stat().st_mtime, p.name)):
            start = positions.get(segment.name, 0)
            while True:
                grouped: dict[str, list[pa.Table]] = {}
                end, count = start, 0
                for position, payload in read_frames(segment, start):
                    end = position
                    workspace, events = decode_frame(payload)
                    grouped.setdefault(workspace, []).append(events)
                    count += events.num_rows
                    report.frames += 1
                    if count >= self.max_events:
                        break
                if end == start:
                    break
                for workspace, tables in grouped.items():
                    result = self.store_for(workspace).append_table(pa.concat_tables(tables))
                    report.events += result.inserted
                    report.duplicates += result.duplicates
                positions[segment.name] = end
                self._save_checkpoint(positions)
                start = end
            if self._is_sealed(segment) and segment.stat().st_size == positions.get(segment.name, 0):
                segment.unlink()
                positions.pop(segment.name, None)
                self._save_checkpoint(positions)
        return report

    @staticmethod
    def _is_sealed(segment: Path) -> bool:
        """A segment no live writer holds (rotated, or its process is gone)."""
        with segment.open("rb") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return True


def _rows_to_table(rows: list[list[Any]]) -> pa.Table:
    """The events of a frame in the older JSON format (rows of uuid, event, distinct id, ISO time, properties,
    $set, $set_once)."""
    from datetime import datetime

    def dumps(value: Any) -> str | None:
        return json.dumps(value, separators=(",", ":")) if value else None

    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in range(7)]
    return pa.table(
        {
            "uuid": list(columns[0]),
            "event": list(columns[1]),
            "distinct_id": list(columns[2]),
            "timestamp": [datetime.fromisoformat(value) for value in columns[3]],
            "properties": [dumps(value) for value in columns[4]],
            "set_json": [dumps(value) for value in columns[5]],
            "set_once_json": [dumps(value) for value in columns[6]],
        },
        schema=INCOMING_SCHEMA,
    )


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

"""The ingest use case: authenticate the key, parse, durably log, acknowledge; and the loader that feeds stores.

It is independent of FastAPI so that the routes stay thin and the same service runs inside the Northstar app (keys
from the database) or as a stand-alone capture server (keys from configuration).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from northstar.analytics.ingest.errors import IngestError
from northstar.analytics.ingest.log import GroupCommitter, LogLoader, LogWriter, encode_frame
from northstar.analytics.ingest.payloads import ParsedBatch
from northstar.analytics.store import EventStore

KeyKind = Literal["posthog", "segment"]
KeyResolver = Callable[[str, KeyKind], str | None]


class StoreRegistry:
    """One open :class:`EventStore` per workspace, under ``directory`` (``<workspace>.duckdb``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stores: dict[str, EventStore] = {}
        self._lock = threading.Lock()

    def path_for(self, workspace: str) -> Path:
        """The DuckDB file of ``workspace``'s events."""
        safe = "".join(c for c in workspace if c.isalnum() or c in "-_") or "default"
        return self.directory / f"{safe}.duckdb"

    def get(self, workspace: str) -> EventStore:
        with self._lock:
            if workspace not in self._stores:
                self._stores[workspace] = EventStore(self.path_for(workspace))
            return self._stores[workspace]

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()


class IngestService:
    """Accepts parsed batches: resolves the key to a workspace and returns once the events are durable."""

    def __init__(
        self,
        data_dir: Path,
        resolve_key: KeyResolver,
        load_interval: float = 0.5,
        stores: StoreRegistry | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.resolve_key = resolve_key
        self.log_dir = data_dir / "ingest-log"
        self.stores = stores or StoreRegistry(data_dir / "events")
        self.committer = GroupCommitter(LogWriter(self.log_dir))
        self.loader = LogLoader(self.log_dir, self.stores.get)
        self.load_interval = load_interval
        self.load_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def workspace_for(self, key: str, kind: KeyKind) -> str:
        """The workspace of a key, or a 401."""
        workspace = self.resolve_key(key, kind)
        if workspace is None:
            raise IngestError(
                401, "invalid_api_key", f"unknown {'project key' if kind == 'posthog' else 'write key'}"
            )
        return workspace

    async def accept(self, batch: ParsedBatch, kind: KeyKind) -> int:
        """Write the batch durably (group commit) and return how many events it held."""
        workspace = self.workspace_for(batch.key, kind)
        frame = encode_frame(workspace, batch.records)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def done(error: BaseException | None) -> None:
            def settle() -> None:
                if future.done():
                    return
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(
                        IngestError(503, "storage_unavailable", f"could not persist: {error}")
                    )

            loop.call_soon_threadsafe(settle)

        self.committer.submit(frame, done)
        await future
        return len(batch.records)

    def flush(self) -> int:
        """Load everything logged so far into the stores (tests and shutdown); return events stored."""
        with self.load_lock:
            return self.loader.drain().events

    def start_loading(self) -> bool:
        """Start the background loader if this process wins the loader lock."""
        if not self.loader.try_become_loader():
            return False
        self._thread = threading.Thread(target=self._load_forever, name="ingest-loader", daemon=True)
        self._thread.start()
        return True

    def _load_forever(self) -> None:
        while not self._stop.wait(self.load_interval):
            try:
                self.flush()
            except Exception as error:  # keep the server up; the log keeps the events for the next pass
                print(f"ingest loader: {error!r}", flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.committer.close()
        if self._thread is not None:
            self.flush()
        self.stores.close()


def received_now() -> datetime:
    return datetime.now(UTC)

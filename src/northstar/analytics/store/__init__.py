"""The event store: events, persons (merged distinct ids), person properties and groups, in DuckDB."""

from northstar.analytics.store.event_store import AppendResult, EventStore
from northstar.analytics.store.records import EventRecord

__all__ = ["AppendResult", "EventRecord", "EventStore"]

"""Process-wide analytics resources: one store registry and one ingest service per data directory.

DuckDB allows one writing process per file, so the web app keeps a single open store per workspace and shares it
between the ingest loader (writes) and the insight queries (reads through cursors).
"""

from __future__ import annotations

import threading
from pathlib import Path

from northstar.analytics.ingest.service import IngestService, KeyResolver, StoreRegistry
from northstar.analytics.store import EventStore
from northstar.core.settings import Settings

_lock = threading.Lock()
_registries: dict[Path, StoreRegistry] = {}
_services: dict[Path, IngestService] = {}
_settings_by_database: dict[str, Settings] = {}


def _database_key(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=False)


def remember_settings(settings: Settings) -> None:
    """Note which settings serve a database, so a background job on that database finds the event stores."""
    with _lock:
        _settings_by_database[_database_key(settings.resolved_database_url())] = settings


def settings_for_database(url: str) -> Settings:
    """The settings remembered for the database at ``url`` (a job knows only its session factory), else the
    environment's (the CLI and ``northstar serve`` read them from there too)."""
    with _lock:
        known = _settings_by_database.get(_database_key(url))
    return known if known is not None else Settings()


def analytics_dir(settings: Settings) -> Path:
    """Where the event stores and the ingest log live."""
    return settings.resolved_home() / "analytics"


def store_registry(settings: Settings) -> StoreRegistry:
    directory = analytics_dir(settings)
    with _lock:
        if directory not in _registries:
            _registries[directory] = StoreRegistry(directory / "events")
        return _registries[directory]


def ingest_service(settings: Settings, resolve_key: KeyResolver) -> IngestService:
    """The capture service for this data directory (its loader starts with it)."""
    directory = analytics_dir(settings)
    registry = store_registry(settings)
    with _lock:
        if directory not in _services:
            service = IngestService(directory, resolve_key, stores=registry)
            service.start_loading()
            _services[directory] = service
        return _services[directory]


def workspace_store_path(settings: Settings, workspace_id: int) -> Path:
    """The DuckDB file holding the workspace's events (what ``workspace_store`` opens)."""
    return store_registry(settings).path_for(str(workspace_id))


def workspace_store(settings: Settings, workspace_id: int) -> EventStore:
    """The workspace's event store, with every acknowledged event loaded first (read-your-writes)."""
    remember_settings(settings)
    service = _services.get(analytics_dir(settings))
    if service is not None:
        service.flush()
    return store_registry(settings).get(str(workspace_id))


def close_all() -> None:
    """Stop loaders and close stores (tests)."""
    with _lock:
        for service in _services.values():
            service.close()
        for registry in _registries.values():
            registry.close()
        _services.clear()
        _registries.clear()
        _settings_by_database.clear()

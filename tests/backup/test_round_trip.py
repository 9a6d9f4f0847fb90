"""Backup and restore round-trip the seeded demo company: every table's rows and checksum, the events, the key."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar import modules
from northstar.analytics import runtime
from northstar.analytics.store import EventStore
from northstar.backup import service
from northstar.backup.service import BackupRefused, create_backup, restore_backup, table_checksums
from northstar.cli import app
from northstar.core import migrate
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.errors import ValidationFailed
from northstar.core.settings import Settings
from northstar.demo.seed import seed_demo
from tests.factories import make_customer, make_world


def _event_counts(home: Path) -> dict[str, int]:
    counts = {}
    for path in sorted((home / "analytics" / "events").glob("*.duckdb")):
        store = EventStore(path)
        counts[path.name] = store.count_events()
        store.close()
    return counts


@pytest.fixture
def seeded(session: Session, database_url: str, tmp_path: Path) -> Settings:
    settings = Settings(database_url=database_url, home=tmp_path / "source")
    seed_demo(session, settings=settings)
    session.commit()
    runtime.close_all()  # DuckDB: one writer per file; the backup reads the stores next
    settings.resolved_secret_key()  # the generated key file is part of what a backup carries
    return settings


def _own_database(fresh_database: Callable[[str], str], backend: str) -> str:
    """A migrated database of this test alone: a forced restore replaces the whole database (on SQLite by
    swapping the file), which must never happen to the session's shared test database other tests use."""
    url = fresh_database(backend)
    modules.load_models()
    migrate.upgrade(url)
    return url


@pytest.fixture
def small(fresh_database: Callable[[str], str], backend: str, tmp_path: Path) -> Iterator[Settings]:
    """A workspace with a user per role and a customer: enough rows for the refusals, in a fraction of the time."""
    url = _own_database(fresh_database, backend)
    engine = create_database_engine(url)
    with create_session_factory(engine)() as own:
        world = make_world(own)
        make_customer(own, world)
        own.commit()
    engine.dispose()
    yield Settings(database_url=url, home=tmp_path / "source")


def test_restore_of_the_seeded_demo_matches_every_table_checksum_and_event_count(
    seeded: Settings, backend: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    archive = tmp_path / "northstar.tar.gz"
    manifest = create_backup(seeded, archive)
    source = table_checksums(seeded.resolved_database_url())
    assert manifest.tables == {name: rows for name, (rows, _) in source.items()}
    assert sum(1 for rows in manifest.tables.values() if rows) >= 40, "the demo fills most tables"
    assert set(manifest.files) >= {"analytics", "secret_key"}

    target = Settings(database_url=fresh_database(backend), home=tmp_path / "target")
    restore_backup(target, archive)

    assert table_checksums(target.resolved_database_url()) == source
    events = _event_counts(seeded.resolved_home())
    assert events and sum(events.values()) > 0
    assert _event_counts(target.resolved_home()) == events
    assert target.resolved_secret_key() == seeded.resolved_secret_key()


def test_restore_refuses_a_database_with_data_and_keeps_it(small: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "northstar.tar.gz"
    create_backup(small, archive)
    before = table_checksums(small.resolved_database_url())
    with pytest.raises(BackupRefused, match="already holds data"):
        restore_backup(small, archive)
    assert table_checksums(small.resolved_database_url()) == before


def test_restore_refuses_a_backup_of_a_newer_northstar(
    small: Settings,
    backend: str,
    fresh_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "northstar.tar.gz"
    create_backup(small, archive)
    monkeypatch.setattr(service, "__version__", "0.0.1")
    target = Settings(database_url=fresh_database(backend), home=tmp_path / "target")
    with pytest.raises(BackupRefused, match="newer Northstar"):
        restore_backup(target, archive)


def _rewritten(archive: Path, out: Path, change: Callable[[str, bytes], bytes]) -> Path:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if data is None:
                target.addfile(member)
                continue
            data = change(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def test_restore_refuses_a_backup_whose_schema_revision_is_unknown(
    small: Settings, backend: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    archive = create_backup(small, tmp_path / "a.tar.gz") and tmp_path / "a.tar.gz"

    def newer_head(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["alembic_heads"].append("feedback_9999")
        return json.dumps(manifest).encode()

    changed = _rewritten(archive, tmp_path / "b.tar.gz", newer_head)
    target = Settings(database_url=fresh_database(backend), home=tmp_path / "target")
    with pytest.raises(BackupRefused, match="feedback_9999 is unknown"):
        restore_backup(target, changed)


def test_a_failing_forced_restore_leaves_the_database_as_it_was(small: Settings, tmp_path: Path) -> None:
    archive = create_backup(small, tmp_path / "a.tar.gz") and tmp_path / "a.tar.gz"

    def broken_last_table(name: str, data: bytes) -> bytes:
        return data + b'{"no_such_column": 1}\n' if name == "database/feedback.jsonl" else data

    broken = _rewritten(archive, tmp_path / "b.tar.gz", broken_last_table)
    before = table_checksums(small.resolved_database_url())
    with pytest.raises(ValidationFailed, match="no_such_column"):
        restore_backup(small, broken, force=True)
    assert table_checksums(small.resolved_database_url()) == before


def test_cli_backs_up_and_restores_with_force(
    fresh_database: Callable[[str], str], backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = _own_database(fresh_database, backend)
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    cli = CliRunner()
    init = ["init", "--email", "hop@example.com", "--name", "Hana", "--password", "a-long-password"]
    assert cli.invoke(app, [*init, "--workspace", "Acme"]).exit_code == 0
    archive = tmp_path / "cli.tar.gz"
    written = cli.invoke(app, ["backup", str(archive)])
    assert written.exit_code == 0, written.output
    assert "Backed up" in written.output and archive.is_file()
    refused = cli.invoke(app, ["restore", str(archive)])
    assert refused.exit_code == 2
    assert "already holds data" in refused.output
    before = table_checksums(database_url)
    restored = cli.invoke(app, ["restore", str(archive), "--force"])
    assert restored.exit_code == 0, restored.output
    assert table_checksums(database_url) == before

"""``northstar backup FILE`` and ``northstar restore FILE``: one tar.gz archive holding everything a Northstar keeps.

The archive holds ``manifest.json`` (Northstar version, Alembic revisions, creation time, database dialect, rows
and checksum per table), ``database/<table>.jsonl`` (see :mod:`northstar.backup.rows` for why JSON lines) and
``files/`` (the event stores under ``analytics/``, trained models under ``models/``, the ``secret_key`` file).

Restoring never leaves a half-restored database: SQLite is restored into a new file beside the target that then
replaces it in one rename; PostgreSQL is restored in one transaction (its schema changes are transactional too),
so a failure rolls back to what was there before.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine, pool, text
from sqlalchemy.engine import make_url

from northstar import __version__
from northstar.backup import rows
from northstar.core import migrate
from northstar.core.errors import Conflict, ValidationFailed
from northstar.core.queue import drop_queue_schema
from northstar.core.settings import Settings

FORMAT = 1
#: what under the data directory a backup carries: event stores, trained models, the key that signs sessions
HOME_ITEMS = ("analytics", "models", "secret_key")

Say = Callable[[str], None]


class BackupRefused(Conflict):
    """A restore that would lose data or cannot be done by this version of Northstar."""

    type_slug = "backup-refused"
    title = "Restore refused"


@dataclass
class Manifest:
    """What a backup holds, written first so that a restore can refuse before touching anything."""

    northstar_version: str
    alembic_heads: list[str]
    created_at: str
    dialect: str
    tables: dict[str, int]
    checksums: dict[str, str]
    files: list[str] = field(default_factory=list)
    format: int = FORMAT


def _nothing(_: str) -> None:
    """Progress goes nowhere unless the caller asks."""


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _snapshot(connection: Connection) -> None:
    """Make every read of this connection see one moment: a repeatable-read, read-only transaction on PostgreSQL;
    on SQLite the first read takes the snapshot that the open transaction keeps."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))


def create_backup(settings: Settings, target: Path, say: Say = _nothing) -> Manifest:
    """Write the whole Northstar of ``settings`` to the tar.gz ``target``; returns its manifest."""
    url = settings.resolved_database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    home = settings.resolved_home()
    target = target.expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with engine.connect() as connection, tarfile.open(partial, "w:gz") as archive:
            with connection.begin():
                _snapshot(connection)
                heads = sorted(
                    row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))
                )
                manifest = Manifest(
                    __version__, heads, datetime.now(UTC).isoformat(), connection.dialect.name, {}, {}
                )
                for table in rows.data_tables(rows.reflect(connection)):
                    say(f"table {table.name}")
                    with tempfile.TemporaryFile() as buffer:
                        count = 0
                        digest = _Digest()
                        for line in rows.dump_lines(connection, table):
                            data = (line + "\n").encode()
                            buffer.write(data)
                            digest.update(data)
                            count += 1
                        size = buffer.tell()
                        buffer.seek(0)
                        info = tarfile.TarInfo(f"database/{table.name}.jsonl")
                        info.size = size
                        archive.addfile(info, buffer)
                    manifest.tables[table.name] = count
                    manifest.checksums[table.name] = digest.hexdigest()
            for item in HOME_ITEMS:
                path = home / item
                if path.exists():
                    say(f"files {item}")
                    archive.add(path, arcname=f"files/{item}", filter=_skip_locks)
                    manifest.files.append(item)
            _add_bytes(archive, "manifest.json", json.dumps(asdict(manifest), indent=2).encode())
        os.replace(partial, target)
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    return manifest


class _Digest:
    def __init__(self) -> None:
        import hashlib

        self._sha = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._sha.update(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _skip_locks(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if info.name.endswith(".lock") else info


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    """The archive's manifest, or a clear error when the file is not a Northstar backup."""
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise ValidationFailed("this file is not a Northstar backup (it has no manifest.json)")
    data: dict[str, Any] = json.loads(member.read())
    return Manifest(**data)


def check_restorable(manifest: Manifest) -> None:
    """Refuse a backup that this code cannot read: a newer format, a newer version or unknown migrations."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    newer = "it was made by a newer Northstar ({}); upgrade Northstar to at least that version, then restore"
    if manifest.format > FORMAT or _version_tuple(manifest.northstar_version) > _version_tuple(__version__):
        raise BackupRefused(newer.format(f"version {manifest.northstar_version}, this is {__version__}"))
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    for head in manifest.alembic_heads:
        try:
            known = script.get_revision(head)
        except CommandError:
            known = None
        if known is None:
            raise BackupRefused(newer.format(f"its schema revision {head} is unknown here"))


def restore_backup(settings: Settings, source: Path, force: bool = False, say: Say = _nothing) -> Manifest:
    """Restore the archive ``source`` into the database and data directory of ``settings``.

    Refuses a database that holds rows unless ``force`` (then it is replaced), and a backup from a newer
    Northstar. The database ends at the code's current revisions (an older backup is upgraded)."""
    source = source.expanduser()
    if not source.is_file():
        raise ValidationFailed(f"no backup file at {source}")
    with tarfile.open(source, "r:gz") as archive:
        manifest = read_manifest(archive)
        check_restorable(manifest)
        url = settings.resolved_database_url()
        engine = create_engine(url, poolclass=pool.NullPool)
        try:
            with engine.connect() as connection:
                if not force and not rows.is_empty(connection):
                    raise BackupRefused(
                        "the target database already holds data; restore into an empty database, or pass --force "
                        "to replace everything in it"
                    )
        finally:
            engine.dispose()
        if make_url(url).get_backend_name() == "sqlite":
            _restore_sqlite(url, archive, manifest, say)
        else:
            _restore_in_transaction(url, archive, manifest, say)
        _restore_files(settings.resolved_home(), archive, manifest, say)
    return manifest


def _migrate_with(connection: Connection, revision: str) -> None:
    from alembic import command

    config = migrate.alembic_config(str(connection.engine.url))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _load(connection: Connection, archive: tarfile.TarFile, manifest: Manifest, say: Say) -> None:
    """Bring the (empty) schema to the backup's revisions, insert its rows, then upgrade to the code's heads."""
    for head in manifest.alembic_heads:
        _migrate_with(connection, head)
    metadata = rows.reflect(connection)
    by_name = {table.name: table for table in rows.data_tables(metadata)}
    missing = sorted(set(manifest.tables) - set(by_name))
    if missing:
        raise ValidationFailed(f"the backup's tables {missing} do not exist at its own revisions")
    for table in rows.data_tables(metadata):
        if table.name not in manifest.tables:
            continue
        say(f"table {table.name}")
        member = archive.extractfile(f"database/{table.name}.jsonl")
        if member is None:
            raise ValidationFailed(f"the backup lacks the rows of {table.name}")
        loaded = rows.load_lines(connection, table, member)
        if loaded != manifest.tables[table.name]:
            raise ValidationFailed(
                f"{table.name}: the backup holds {loaded} rows, its manifest says "
                f"{manifest.tables[table.name]}"
            )
    rows.reset_sequences(connection, metadata)
    _migrate_with(connection, "heads")


def _drop_everything(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        drop_queue_schema(connection)  # procrastinate's functions and types too: the migration recreates them
    metadata = rows.reflect(connection)
    metadata.drop_all(connection)


def _restore_in_transaction(url: str, archive: tarfile.TarFile, manifest: Manifest, say: Say) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            _drop_everything(connection)
            _load(connection, archive, manifest, say)
    finally:
        engine.dispose()


def _restore_sqlite(url: str, archive: tarfile.TarFile, manifest: Manifest, say: Say) -> None:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValidationFailed("restore needs a SQLite database file, not an in-memory database")
    target = Path(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".restoring")
    fresh.unlink(missing_ok=True)
    temporary = make_url(url).set(database=str(fresh))
    engine = create_engine(temporary, poolclass=pool.NullPool)
    try:
        # foreign keys stay unenforced as in every migration run: a batch migration recreates a table, and
        # dropping the old copy would cascade to its children's rows
        with engine.connect() as connection, connection.begin():
            _load(connection, archive, manifest, say)
    except BaseException:
        engine.dispose()
        fresh.unlink(missing_ok=True)
        raise
    engine.dispose()
    for suffix in ("-wal", "-shm"):  # the old file's journal must not be replayed onto the new one
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, target)


def _restore_files(home: Path, archive: tarfile.TarFile, manifest: Manifest, say: Say) -> None:
    """Unpack the data-directory items beside their place, then swap each in (the old one kept until then)."""
    if not manifest.files:
        return
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=home))
    try:
        members = [m for m in archive.getmembers() if m.name.startswith("files/")]
        archive.extractall(staging, members=members, filter="data")
        for item in manifest.files:
            say(f"files {item}")
            new = staging / "files" / item
            current = home / item
            old = home / f".{item}.before-restore"
            if old.exists():
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            if current.exists():
                os.replace(current, old)
            os.replace(new, current)
            if old.exists():
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    """(rows, checksum) of every table of the database at ``url`` (what a round-trip test compares)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            metadata: MetaData = rows.reflect(connection)
            return {table.name: rows.checksum(connection, table) for table in rows.data_tables(metadata)}
    finally:
        engine.dispose()

"""Schema migrations with Alembic, driven from code (``northstar db upgrade`` and server start-up).

Revisions live inside the package (``northstar/migrations/versions``) so an installed Northstar can
upgrade its own database. Each module has its own chain of revisions starting from the foundation's
first revision, so ``upgrade`` goes to all heads.
"""

from __future__ import annotations

import ast
import fcntl
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database at ``database_url`` up to ``revision`` (all heads by default)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def _literal_assignments(path: Path, names: tuple[str, ...]) -> dict[str, object] | None:
    """The module-level ``name = <literal>`` assignments of ``names`` in ``path`` (None if one is not a literal)."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    return found


def _names(value: object) -> set[str] | None:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return {str(item) for item in value}
    return None


def stamped_heads(versions_dir: Path | None = None) -> set[str] | None:
    """The revisions Alembic's version table holds once the database is at every head, read from each revision
    file's ``revision``, ``down_revision`` and ``depends_on`` without importing Alembic or the revisions (those
    imports take about half a second, a CLI listing's budget). A revision another one revises or depends on is not
    stamped (foundation_0003 depends on feedback_0003, so only the former is). ``None`` when a file does not state
    them as literals: then ask Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((versions_dir or MIGRATIONS_DIR / "versions").glob("*.py")):
        found = _literal_assignments(path, ("revision", "down_revision", "depends_on"))
        if found is None or not isinstance(found.get("revision"), str) or "down_revision" not in found:
            return None
        down, depends = _names(found["down_revision"]), _names(found.get("depends_on"))
        if down is None or depends is None:
            return None
        revisions.add(str(found["revision"]))
        parents |= down | depends
    return revisions - parents


def is_current(connection: Connection) -> bool:
    """Whether the database already stands at every head (so a command need not start Alembic at all)."""
    from sqlalchemy import exc, text

    heads = stamped_heads()
    if not heads:
        return False
    try:
        stamped = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except exc.DBAPIError:  # a new database: no version table yet
        connection.rollback()
        return False
    return stamped == heads


def upgrade_once(database_url: str, lock_path: Path) -> None:
    """``upgrade``, one process at a time: ``northstar serve --workers N`` starts N processes that each migrate on
    start-up, and two of them creating the same tables at once fails ("table users already exists"). The lock is a
    file under the shared data directory; whoever comes second finds the database already at head."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            upgrade(database_url)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def current_heads(database_url: str) -> list[str]:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.connect() as connection:
        heads = list(MigrationContext.configure(connection).get_current_heads())
    engine.dispose()
    return heads

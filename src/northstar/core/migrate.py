"""Schema migrations with Alembic, driven from code (``northstar db upgrade`` and server start-up).

Revisions live inside the package (``northstar/migrations/versions``) so an installed Northstar can
upgrade its own database. Each module has its own chain of revisions starting from the foundation's
first revision, so ``upgrade`` goes to all heads.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database at ``database_url`` up to ``revision`` (all heads by default)."""
    command.upgrade(alembic_config(database_url), revision)


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

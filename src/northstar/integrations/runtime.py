"""Which server secret a background job uses to open a connection's credentials.

A job knows only its session factory; the web app notes its settings here per database (as analytics does for
its event stores), and a job on a database nobody noted (the CLI) reads the secret from the environment or the
data directory, as the server does.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from northstar.core.settings import Settings

_lock = threading.Lock()
_secrets: dict[str, str] = {}


def _key(url: object) -> str:
    from sqlalchemy.engine import make_url

    return make_url(str(url)).render_as_string(hide_password=False)


def remember(database_url: str, secret: str) -> str:
    """Note the server secret of the database at ``database_url`` (for the jobs on it); returns the secret."""
    key = _key(database_url)
    with _lock:
        if _secrets.get(key) != secret:
            _secrets[key] = secret
    return secret


def secret_for(factory: sessionmaker[Session]) -> str:
    bind = factory.kw.get("bind")
    url = getattr(bind, "url", None)
    if url is not None:
        with _lock:
            known = _secrets.get(_key(url.render_as_string(hide_password=False)))
        if known is not None:
            return known
    return Settings().resolved_secret_key()

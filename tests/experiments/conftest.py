"""Fixtures for experiment tests: the analytics two-engine fixture (DuckDB, and PostgreSQL through a mirrored copy of
the event store), for the summaries computed in the event store."""

from tests.analytics.conftest import engine_for  # noqa: F401  (re-exported as a fixture of this folder)

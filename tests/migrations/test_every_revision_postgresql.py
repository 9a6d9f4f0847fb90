"""Every revision upgrades a PostgreSQL database holding rows made at its parents' schema (see walk.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.script import Script

from tests.migrations.walk import UPGRADED, check_revision

pytestmark = pytest.mark.postgresql


@pytest.mark.parametrize("script", UPGRADED, ids=lambda script: script.revision)
def test_revision_upgrades_rows_made_at_its_parents_schema_to_heads(
    script: Script, fresh_database: Callable[[str], str]
) -> None:
    check_revision(script, "postgresql", fresh_database)

"""Schema-driven fuzzing of the people, reviews, 1:1 and maturity endpoints: bad input never gets a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Role, TokenScope
from tests.people.world import make_team, open_cycle

PREFIXES = ("/api/v1/people", "/api/v1/reviews", "/api/v1/one-on-ones", "/api/v1/maturity")


@pytest.mark.slow
def test_people_and_maturity_api_never_answer_5xx(client: TestClient, session: Session) -> None:
    team = make_team(session)
    open_cycle(session, team)
    _row, secret = accounts.create_token(
        session, team.world.actor(Role.OWNER), TokenCreate(name="fuzz", scope=TokenScope.WRITE)
    )
    _row.user_id = team.actors["lead"].user_id
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith(PREFIXES)]
    assert len(operations) > 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
            )

        call()

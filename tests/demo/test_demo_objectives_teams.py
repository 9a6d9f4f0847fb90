"""The seeded demo's objectives and teams: key results bound to analytics metrics and checked in from the demo's
product events, with a mix of on track, behind and at risk; capacity for every team from the current quarter on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar import modules
from northstar.accounts.models import Membership, Workspace
from northstar.analytics import runtime
from northstar.core import migrate
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.permissions import Actor, Role
from northstar.core.settings import Settings
from northstar.demo.company import DEMO_AS_OF
from northstar.demo.seed import DEMO_SLUG, seed_demo
from northstar.people.engine.ladder import load_default_ladder
from northstar.people.models import LadderLevel
from northstar.strategy import service as strategy
from northstar.teams import service as teams
from northstar.teams.models import Person

pytestmark = pytest.mark.slow


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Session, Actor]]:
    """The demo seeded once into its own SQLite database (its rows are the same on PostgreSQL; seeding twice would
    double the slowest test of the file for nothing)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    modules.load_models()
    migrate.upgrade(url)
    engine = create_database_engine(url)
    with create_session_factory(engine)() as session:
        seed_demo(session, as_of=DEMO_AS_OF, settings=Settings(home=tmp_path / "home"))
        session.commit()
        workspace = session.scalar(select(Workspace).where(Workspace.slug == DEMO_SLUG))
        assert workspace is not None
        owner = session.scalar(
            select(Membership.user_id).where(
                Membership.workspace_id == workspace.id, Membership.role == "owner"
            )
        )
        yield session, Actor(user_id=int(owner or 0), workspace_id=workspace.id, role=Role.OWNER)
    runtime.close_all()
    engine.dispose()


def test_demo_key_results_follow_metrics_teams_have_current_capacity_and_levels_match_titles(
    seeded: tuple[Session, Actor],
) -> None:
    """One seeding for the three checks (seeding the demo takes a while on a busy machine)."""
    session, demo = seeded
    today = DEMO_AS_OF.date()
    details = [
        strategy.objective_detail(session, demo, o.id, today=today)
        for o in strategy.list_objectives(session, demo)
    ]
    key_results = [kr for d in details for kr in d.key_results]
    bound = [kr for kr in key_results if kr.metric]
    assert {kr.metric for kr in bound} == {
        "weekly-active-admins",
        "connector-sync-failures-weekly",
        "dashboards-shared-weekly",
    }
    for kr in bound:
        latest = kr.check_ins[-1]
        assert (latest.source, latest.day) == ("metric", today), kr.title
        assert latest.value == kr.current and kr.current > 0
        assert len(kr.check_ins) > 1, "the history before the metric check-in is kept"
    paces = {kr.metric: kr.pace for kr in bound}
    assert paces == {
        "connector-sync-failures-weekly": "on_track",
        "weekly-active-admins": "behind",
        "dashboards-shared-weekly": "at_risk",
    }
    assert {"on_track", "behind", "at_risk"} <= {kr.pace for kr in key_results}
    assert all(d.ideas for d in details), "every demo objective has ideas that serve it"

    for team in teams.list_teams(session, demo):
        detail = teams.team_detail(session, demo, team.id, today=today)
        assert detail.capacity[0].current and (detail.capacity[0].person_weeks or 0) > 0, team.name
        assert all((row.person_weeks or 0) > 0 for row in detail.capacity), team.name
        assert detail.members and detail.ideas

    ladder = {level.code: level.title for level in load_default_ladder().levels}
    positions = session.execute(select(Person.title, LadderLevel.level_code).join(LadderLevel)).all()
    assert len(positions) >= 5
    for title, level in positions:
        assert ladder[level] == title, f"{title} placed at {ladder[level]}"

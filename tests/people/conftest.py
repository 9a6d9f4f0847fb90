"""Fixtures of the people tests."""

from __future__ import annotations

import pytest

from northstar.people.engine.ladder import Ladder
from tests.people.ladders import tiny_ladder


@pytest.fixture(name="tiny_ladder")
def tiny_ladder_fixture() -> Ladder:
    return tiny_ladder()

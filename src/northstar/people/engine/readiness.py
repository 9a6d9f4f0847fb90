"""Readiness for a ladder level, as a documented rule over plain data.

The rule (also in docs/people.md):

* A person *passes* a level when they meet at least ``ladder.min_share`` (80 % by default) of that
  level's behaviours, rounded up to a whole behaviour, **and** every mandatory behaviour of the level.
* A person is *ready* for a level when they pass it **and every level below it on its chain**
  (``follows``): behaviours are cumulative, so a gap at a lower level blocks every level above it.
* The attained level on a track is the highest level whose whole chain passes.

Only behaviours marked met count; unknown behaviour ids (say, from an older ladder) are ignored and
reported back so that the caller can show them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from northstar.people.engine.ladder import Behaviour, Ladder, Level


@dataclass(frozen=True)
class LevelCheck:
    """How one level stands: counts, the required count, and what is still missing."""

    level_code: str
    total: int
    met: int
    required: int
    missing_mandatory: tuple[Behaviour, ...]
    unmet: tuple[Behaviour, ...]

    @property
    def share(self) -> float:
        return self.met / self.total if self.total else 1.0

    @property
    def passed(self) -> bool:
        return self.met >= self.required and not self.missing_mandatory


@dataclass(frozen=True)
class Readiness:
    target: str
    checks: tuple[LevelCheck, ...]
    unknown_ids: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def blocking_levels(self) -> tuple[str, ...]:
        """Levels on the chain that are not yet passed, lowest first."""
        return tuple(check.level_code for check in self.checks if not check.passed)


def required_count(total: int, min_share: float) -> int:
    """Behaviours needed to pass a level of ``total``: ``ceil(min_share × total)`` without float noise."""
    return math.ceil(round(min_share * total, 9))


def check_level(ladder: Ladder, level_code: str, met_ids: Iterable[str]) -> LevelCheck:
    """Check a single level (not its chain) against the set of met behaviour ids."""
    met_set = set(met_ids)
    behaviours = ladder.behaviours_at(ladder.level(level_code).code)
    met = [b for b in behaviours if b.id in met_set]
    return LevelCheck(
        level_code=level_code,
        total=len(behaviours),
        met=len(met),
        required=required_count(len(behaviours), ladder.min_share),
        missing_mandatory=tuple(b for b in behaviours if b.mandatory and b.id not in met_set),
        unmet=tuple(b for b in behaviours if b.id not in met_set),
    )


def readiness_for(ladder: Ladder, target: str, met_ids: Iterable[str]) -> Readiness:
    """Readiness for ``target``: one :class:`LevelCheck` per level on its chain, entry level first."""
    met_set = set(met_ids)
    known = {b.id for b in ladder.behaviours}
    return Readiness(
        target=target,
        checks=tuple(check_level(ladder, level.code, met_set) for level in ladder.path_to(target)),
        unknown_ids=tuple(sorted(met_set - known)),
    )


def attained_levels(ladder: Ladder, met_ids: Iterable[str]) -> tuple[Level, ...]:
    """Every level the person is ready for, in ladder order."""
    met_set = set(met_ids)
    return tuple(level for level in ladder.levels if readiness_for(ladder, level.code, met_set).ready)


def highest_attained(ladder: Ladder, met_ids: Iterable[str]) -> dict[str, Level]:
    """The highest attained level per track branch, keyed by the level's track.

    Shared early levels are reported under ``shared`` only when no track-specific level is attained.
    """
    best: dict[str, Level] = {}
    depth: dict[str, int] = {}
    for level in attained_levels(ladder, met_ids):
        length = len(ladder.path_to(level.code))
        if length > depth.get(level.track, 0):
            best[level.track], depth[level.track] = level, length
    if len(best) > 1:
        best.pop("shared", None)
    return best


@dataclass(frozen=True)
class AssessmentComparison:
    """Where a self-assessment and a manager assessment agree and differ, for the sync conversation."""

    agreed_met: tuple[str, ...]
    only_self: tuple[str, ...]
    only_manager: tuple[str, ...]


def compare_assessments(self_met: Iterable[str], manager_met: Iterable[str]) -> AssessmentComparison:
    """Split behaviour ids into agreement and the two kinds of disagreement (sorted, deterministic)."""
    s, m = set(self_met), set(manager_met)
    return AssessmentComparison(
        agreed_met=tuple(sorted(s & m)), only_self=tuple(sorted(s - m)), only_manager=tuple(sorted(m - s))
    )

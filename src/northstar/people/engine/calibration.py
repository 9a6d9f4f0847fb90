"""Calibration aids: the distribution of ratings per team and the 9-box (performance × potential).

The distribution is a discussion aid, never a quota: it reports counts and shares per team next to the
organisation-wide shares and flags teams whose mean differs from everyone else's by at least
``skew_threshold`` points. The 9-box places each person by two three-step ratings and lists the
outliers (the corner boxes) that calibration meetings should spend their time on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PERFORMANCE_STEPS = ("developing", "performing", "exceeding")
POTENTIAL_STEPS = ("developing", "growing", "exceeding")
BOX_NAMES = {
    (0, 0): "Under-performer",
    (1, 0): "Effective",
    (2, 0): "Trusted expert",
    (0, 1): "Inconsistent",
    (1, 1): "Core contributor",
    (2, 1): "High performer",
    (0, 2): "Rough diamond",
    (1, 2): "Emerging star",
    (2, 2): "Top talent",
}


@dataclass(frozen=True)
class TeamDistribution:
    team: str
    counts: Mapping[int, int]
    shares: Mapping[int, float]
    mean: float | None
    skewed: bool


@dataclass(frozen=True)
class Distribution:
    scale: tuple[int, ...]
    overall_counts: Mapping[int, int]
    overall_shares: Mapping[int, float]
    teams: tuple[TeamDistribution, ...]


def rating_distribution(
    ratings: Iterable[tuple[str, int]], scale: Iterable[int] = (1, 2, 3, 4, 5), skew_threshold: float = 0.75
) -> Distribution:
    """Counts and shares of ``(team, rating)`` pairs per team and overall.

    A team is *skewed* when its mean differs by at least ``skew_threshold`` from the mean of everyone
    outside it (rater tendencies are known to spread identical performance by about a point)."""
    steps = tuple(scale)
    pairs = list(ratings)
    for team, value in pairs:
        if value not in steps:
            raise ValueError(f"Rating {value} for team '{team}' is not on the scale {steps}.")

    def counts_of(values: list[int]) -> dict[int, int]:
        return {s: sum(v == s for v in values) for s in steps}

    def shares_of(counts: dict[int, int]) -> dict[int, float]:
        total = sum(counts.values())
        return {s: (round(c / total, 4) if total else 0.0) for s, c in counts.items()}

    everyone = [v for _, v in pairs]
    teams = []
    for team in sorted({t for t, _ in pairs}):
        mine = [v for t, v in pairs if t == team]
        rest = [v for t, v in pairs if t != team]
        mean = sum(mine) / len(mine)
        skewed = bool(rest) and abs(mean - sum(rest) / len(rest)) >= skew_threshold
        counts = counts_of(mine)
        teams.append(TeamDistribution(team, counts, shares_of(counts), round(mean, 4), skewed))
    overall = counts_of(everyone)
    return Distribution(steps, overall, shares_of(overall), tuple(teams))


@dataclass(frozen=True)
class NineBoxPlacement:
    person_id: str
    performance: str
    potential: str
    box: int  # 1 (low, low) … 9 (high, high), numbered row by row from the bottom-left
    name: str


@dataclass(frozen=True)
class NineBox:
    placements: tuple[NineBoxPlacement, ...]
    grid: Mapping[int, tuple[str, ...]]  # box number → person ids (sorted)
    outliers: tuple[str, ...]  # people in boxes 1, 3, 7 and 9


def box_number(performance: str, potential: str) -> int:
    """Box 1…9: performance picks the column, potential the row (bottom row = developing potential)."""
    if performance not in PERFORMANCE_STEPS:
        raise ValueError(f"Performance must be one of {', '.join(PERFORMANCE_STEPS)}, got '{performance}'.")
    if potential not in POTENTIAL_STEPS:
        raise ValueError(f"Potential must be one of {', '.join(POTENTIAL_STEPS)}, got '{potential}'.")
    return POTENTIAL_STEPS.index(potential) * 3 + PERFORMANCE_STEPS.index(performance) + 1


def nine_box(people: Iterable[tuple[str, str, str]]) -> NineBox:
    """Place ``(person_id, performance, potential)`` triples on the 9-box grid."""
    placements = []
    for person_id, performance, potential in people:
        number = box_number(performance, potential)
        key = (PERFORMANCE_STEPS.index(performance), POTENTIAL_STEPS.index(potential))
        placements.append(NineBoxPlacement(person_id, performance, potential, number, BOX_NAMES[key]))
    grid = {n: tuple(sorted(p.person_id for p in placements if p.box == n)) for n in range(1, 10)}
    outliers = tuple(sorted(p.person_id for p in placements if p.box in (1, 3, 7, 9)))
    return NineBox(tuple(sorted(placements, key=lambda p: p.person_id)), grid, outliers)


def performance_step(mean_rating: float, scale_min: int = 1, scale_max: int = 5) -> str:
    """Map a mean rating to a performance step by thirds of the scale (a starting point for discussion)."""
    span = scale_max - scale_min
    position = (mean_rating - scale_min) / span if span else 0.0
    if position < 1 / 3:
        return PERFORMANCE_STEPS[0]
    if position < 2 / 3:
        return PERFORMANCE_STEPS[1]
    return PERFORMANCE_STEPS[2]

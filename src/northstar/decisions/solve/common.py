"""Shared pieces of the decision engines: the input error, solver settings and CP-SAT status names."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # OR-Tools (and the pandas it loads) only when a solver runs: a second of server start-up
    from ortools.sat.python import cp_model


class PlanningInputError(ValueError):
    """Invalid planning input. ``problems`` lists every issue found, not just the first one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class SolverSettings:
    """How long and how the solver may work. A fixed seed makes runs repeatable for a given worker count."""

    time_limit_seconds: float = 10.0
    workers: int = 2
    seed: int = 7
    parameters: tuple[tuple[str, Any], ...] = ()

    def apply(self, solver: cp_model.CpSolver) -> None:
        """Copy these settings (and any extra CP-SAT ``parameters`` as name/value pairs) onto a solver."""
        solver.parameters.max_time_in_seconds = float(self.time_limit_seconds)
        solver.parameters.num_workers = int(self.workers)
        solver.parameters.random_seed = int(self.seed)
        for name, value in self.parameters:
            if isinstance(value, list | tuple):
                field_values = getattr(solver.parameters, name)
                field_values.clear()
                field_values.extend(value)
            else:
                setattr(solver.parameters, name, value)


@functools.cache
def _status_names() -> dict[Any, str]:
    from ortools.sat.python import cp_model

    return {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "invalid",
        cp_model.UNKNOWN: "unknown",
    }


def status_name(code: Any) -> str:
    """The lower-case status name used in every result ("optimal", "feasible", "infeasible", "unknown")."""
    return _status_names().get(code, "unknown")


def integer_scale(numbers: list[float], max_digits: int = 4) -> int:
    """The smallest power of ten that turns every number into an integer (up to ``max_digits`` decimals).

    CP-SAT needs integer coefficients; money and effort often carry a few decimals. Past ``max_digits`` the
    numbers are rounded by the caller, always in the conservative direction.
    """
    for digits in range(max_digits + 1):
        scale = 10**digits
        if all(abs(x * scale - round(x * scale)) < 1e-9 * max(1.0, abs(x * scale)) for x in numbers):
            return scale
    return 10**max_digits


def relative_gap(objective: float, bound: float) -> float:
    """|bound − objective| / max(1, |objective|): the proven distance to optimal, 0 when optimal."""
    return abs(bound - objective) / max(1.0, abs(objective))


def as_fraction(share: float) -> Fraction:
    """A share such as 0.3 as an exact small fraction, so share rules become integer constraints."""
    return Fraction(share).limit_denominator(1000)

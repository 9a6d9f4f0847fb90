"""Growth plans: suggest the smallest set of behaviours that would make someone ready, and track progress.

Suggestions follow the readiness rule: every missing mandatory behaviour on the chain first, then, per
level, just enough other unmet behaviours (in ladder order) to reach the required count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from northstar.people.engine.ladder import Behaviour, Ladder
from northstar.people.engine.readiness import readiness_for

GROWTH_ITEM_STATUSES = ("open", "in_progress", "done", "dropped")


@dataclass(frozen=True)
class GrowthSuggestion:
    behaviour: Behaviour
    reason: str  # "mandatory" or "share"


@dataclass(frozen=True)
class GrowthItem:
    """One commitment in a growth plan, linked to a competency (and optionally one behaviour)."""

    title: str
    competency_id: str
    behaviour_id: str | None = None
    due: date | None = None
    status: str = "open"


@dataclass(frozen=True)
class GrowthProgress:
    total: int
    done: int
    overdue: tuple[GrowthItem, ...]

    @property
    def share_done(self) -> float:
        return self.done / self.total if self.total else 0.0


def suggest_growth_items(ladder: Ladder, target: str, met_ids: Iterable[str]) -> tuple[GrowthSuggestion, ...]:
    """The behaviours to work on to become ready for ``target`` (empty when already ready)."""
    readiness = readiness_for(ladder, target, met_ids)
    suggestions: list[GrowthSuggestion] = []
    for check in readiness.checks:
        suggestions += [GrowthSuggestion(b, "mandatory") for b in check.missing_mandatory]
        still_needed = check.required - check.met - len(check.missing_mandatory)
        optional = [b for b in check.unmet if not b.mandatory]
        suggestions += [GrowthSuggestion(b, "share") for b in optional[: max(still_needed, 0)]]
    return tuple(suggestions)


def items_from_suggestions(
    suggestions: Iterable[GrowthSuggestion], due: date | None = None
) -> list[GrowthItem]:
    """Turn suggestions into draft plan items the person and manager can edit."""
    return [
        GrowthItem(
            title=s.behaviour.text,
            competency_id=s.behaviour.competency_id,
            behaviour_id=s.behaviour.id,
            due=due,
        )
        for s in suggestions
    ]


def growth_progress(items: Iterable[GrowthItem], today: date) -> GrowthProgress:
    """Done count (dropped items do not count) and the open items past their due date."""
    active = [i for i in items if i.status != "dropped"]
    overdue = tuple(i for i in active if i.status != "done" and i.due is not None and i.due < today)
    return GrowthProgress(total=len(active), done=sum(i.status == "done" for i in active), overdue=overdue)

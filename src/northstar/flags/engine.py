"""Flag evaluation (pure): which value a flag has for one distinct id and its person properties.

The rules are PostHog's, so that a flag evaluated here, by the ``/flags`` endpoint, or by an SDK's local
evaluation gives the same answer for the same person:

* A flag's release conditions are tried in order; the first that matches decides. A condition matches when
  every one of its property filters matches and the person falls inside its rollout percentage.
* Rollout: ``bucket(flag_key, distinct_id)`` — the first 15 hex digits of ``sha1("<flag key>.<distinct id>")``
  divided by ``0xFFFFFFFFFFFFFFF`` — must be at most ``rollout_percentage / 100``.
* Variant: the same hash with the salt ``variant`` (``sha1("<key>.<id>variant")``) is placed on the variants'
  cumulative percentages (``[0, p1)``, ``[p1, p1 + p2)``, ...). A condition may force one variant instead.
* Property filters compare person properties: ``exact`` / ``is_not`` (case-insensitive, a list means any of),
  ``icontains`` / ``not_icontains``, ``regex`` / ``not_regex``, ``gt`` / ``gte`` / ``lt`` / ``lte`` (numbers),
  ``is_set`` / ``is_not_set``. A missing property matches only ``is_not_set`` (the server has nothing else to
  go on; an SDK evaluating locally asks the server instead).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

#: the divisor of the 15-hex-digit hash prefix (PostHog's ``LONG_SCALE``)
LONG_SCALE = float(0xFFFFFFFFFFFFFFF)
OPERATORS = (
    "exact",
    "is_not",
    "icontains",
    "not_icontains",
    "regex",
    "not_regex",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_set",
    "is_not_set",
)
NUMERIC_OPERATORS = ("gt", "gte", "lt", "lte")


@dataclass(frozen=True)
class PropertyFilter:
    """One test on a person property."""

    key: str
    operator: str = "exact"
    value: Any = None


@dataclass(frozen=True)
class Condition:
    """A release condition: who (property filters), how many (rollout percentage, ``None`` = all) and,
    optionally, which variant they get."""

    properties: tuple[PropertyFilter, ...] = ()
    rollout_percentage: float | None = None
    variant: str | None = None


@dataclass(frozen=True)
class Variant:
    key: str
    rollout_percentage: float
    name: str = ""


@dataclass(frozen=True)
class FlagDefinition:
    key: str
    active: bool = True
    conditions: tuple[Condition, ...] = ()
    variants: tuple[Variant, ...] = ()

    @property
    def multivariate(self) -> bool:
        return bool(self.variants)


@dataclass(frozen=True)
class FlagResult:
    """A flag's value for one person, and why (PostHog's reason codes)."""

    key: str
    enabled: bool
    variant: str | None = None
    reason: str = "no_condition_match"
    condition_index: int | None = None

    @property
    def value(self) -> bool | str:
        """What an SDK's ``get_feature_flag`` returns: the variant key, else ``True`` / ``False``."""
        return self.variant if self.variant is not None else self.enabled

    def description(self) -> str:
        if self.reason == "condition_match":
            assert self.condition_index is not None
            return f"Matched condition set {self.condition_index + 1}"
        if self.reason == "out_of_rollout_bound":
            return "Matched the conditions but outside the rollout percentage"
        if self.reason == "disabled":
            return "The flag is switched off"
        return "No condition set matched"


@dataclass
class RolloutCheck:
    """Counts of a sample of ids per value: what share of people a flag's rollout really reaches."""

    total: int
    counts: dict[str, int] = field(default_factory=dict)


def bucket(key: str, bucketing_value: str, salt: str = "") -> float:
    """A number in [0, 1], the same for the same flag key and id, spread uniformly over ids."""
    digest = hashlib.sha1(f"{key}.{bucketing_value}{salt}".encode()).hexdigest()
    return int(digest[:15], 16) / LONG_SCALE


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _exact(expected: Any, actual: Any) -> bool:
    wanted = expected if isinstance(expected, list) else [expected]
    return _text(actual).lower() in {_text(w).lower() for w in wanted}


def property_matches(test: PropertyFilter, properties: dict[str, Any]) -> bool:
    """Whether the person properties pass one filter."""
    if test.key not in properties or properties[test.key] is None:
        return test.operator == "is_not_set"
    actual = properties[test.key]
    op = test.operator
    if op in ("is_set", "is_not_set"):
        return op == "is_set"
    if op in ("exact", "is_not"):
        return _exact(test.value, actual) == (op == "exact")
    if op in ("icontains", "not_icontains"):
        found = _text(test.value).lower() in _text(actual).lower()
        return found == (op == "icontains")
    if op in ("regex", "not_regex"):
        try:
            found = re.search(_text(test.value), _text(actual)) is not None
        except re.error:
            return False
        return found == (op == "regex")
    if op in NUMERIC_OPERATORS:
        left, right = _number(actual), _number(test.value)
        if left is None or right is None:
            return False
        return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]
    return False


def _variant_for(flag: FlagDefinition, bucketing_value: str) -> str | None:
    point = bucket(flag.key, bucketing_value, salt="variant")
    low = 0.0
    for variant in flag.variants:
        high = low + variant.rollout_percentage / 100
        if low <= point < high:
            return variant.key
        low = high
    return None


def evaluate(flag: FlagDefinition, distinct_id: str, properties: dict[str, Any] | None = None) -> FlagResult:
    """The flag's value for ``distinct_id`` with these person properties."""
    if not flag.active:
        return FlagResult(flag.key, False, reason="disabled")
    properties = properties or {}
    keys = {v.key for v in flag.variants}
    reason = "no_condition_match"
    for index, condition in enumerate(flag.conditions):
        if not all(property_matches(p, properties) for p in condition.properties):
            continue
        rollout = condition.rollout_percentage
        if rollout is not None and bucket(flag.key, distinct_id) > rollout / 100:
            reason = "out_of_rollout_bound"
            continue
        variant = None
        if flag.multivariate:
            forced = condition.variant if condition.variant in keys else None
            variant = forced or _variant_for(flag, distinct_id)
        return FlagResult(flag.key, True, variant, "condition_match", index)
    return FlagResult(flag.key, False, reason=reason)


def rollout_check(
    flag: FlagDefinition, distinct_ids: list[str], properties: dict[str, Any] | None = None
) -> RolloutCheck:
    """Evaluate a sample of ids (the flag page shows what share each value really gets)."""
    check = RolloutCheck(total=len(distinct_ids))
    for distinct_id in distinct_ids:
        value = _text(evaluate(flag, distinct_id, properties).value)
        check.counts[value] = check.counts.get(value, 0) + 1
    return check


def definition_from_filters(key: str, active: bool, filters: dict[str, Any]) -> FlagDefinition:
    """A flag from PostHog's ``filters`` shape (``groups``, ``multivariate.variants``), as stored and served."""
    conditions = tuple(
        Condition(
            properties=tuple(
                PropertyFilter(p["key"], p.get("operator") or "exact", p.get("value"))
                for p in group.get("properties") or []
            ),
            rollout_percentage=group.get("rollout_percentage"),
            variant=group.get("variant"),
        )
        for group in filters.get("groups") or []
    )
    variants = tuple(
        Variant(v["key"], float(v["rollout_percentage"]), v.get("name") or "")
        for v in (filters.get("multivariate") or {}).get("variants") or []
    )
    return FlagDefinition(key=key, active=active, conditions=conditions, variants=variants)

"""The maturity model as plain data: business functions → focus areas → ordered capabilities at levels.

This is a focus-area maturity model: each focus area has its own ordered capabilities (A, B, C …), and
each capability sits at a global maturity level (1 … ``max_level``), so improvement steps interleave
across areas. The default model ships as package data (``maturity/data/model.yaml``); the loader
validates a whole document at once and names every problem with its location.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from northstar.core.errors import FieldError, ValidationFailed
from northstar.maturity.engine.evidence import RULES

STAGES = ("startup", "scale-up", "enterprise")


class ModelError(ValidationFailed):
    type_slug = "invalid-maturity-model"
    title = "Invalid maturity model"


class Answer(StrEnum):
    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class Capability:
    id: str  # "<focus area id>.<code>", e.g. "requirements_gathering.A"
    area_id: str
    code: str
    level: int
    question: str
    recommendation: str
    feature: str
    stages: tuple[str, ...] = STAGES
    evidence: str | None = None

    def applies_to(self, stage: str | None) -> bool:
        return stage is None or stage in self.stages


@dataclass(frozen=True)
class FocusArea:
    id: str
    name: str
    function_id: str
    capabilities: tuple[Capability, ...]


@dataclass(frozen=True)
class BusinessFunction:
    id: str
    name: str
    areas: tuple[FocusArea, ...]


@dataclass(frozen=True)
class Feature:
    """A Northstar feature that supports a capability; ``path`` is its page, "" while it has none."""

    key: str
    name: str
    path: str


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    target_level: int


@dataclass(frozen=True)
class MaturityModel:
    name: str
    version: int
    max_level: int
    partial_credit: float
    stages: Mapping[str, Stage]
    features: Mapping[str, Feature]
    functions: tuple[BusinessFunction, ...]

    def areas(self) -> tuple[FocusArea, ...]:
        return tuple(area for function in self.functions for area in function.areas)

    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(cap for area in self.areas() for cap in area.capabilities)

    def capability(self, capability_id: str) -> Capability:
        for cap in self.capabilities():
            if cap.id == capability_id:
                return cap
        raise ModelError(f"Unknown capability '{capability_id}'.")

    def stage(self, key: str) -> Stage:
        if key not in self.stages:
            raise ModelError(f"Unknown company stage '{key}'; use one of {', '.join(self.stages)}.")
        return self.stages[key]


def _capability(
    raw: Any, area_id: str, index: int, where: str, model_keys: dict[str, Any], problems: list[FieldError]
) -> Capability | None:
    if not isinstance(raw, Mapping):
        problems.append(FieldError(where, "a capability must be a mapping"))
        return None
    expected_code = string.ascii_uppercase[index] if index < 26 else "?"
    code = str(raw.get("code", ""))
    if code != expected_code:
        problems.append(FieldError(f"{where}.code", f"expected code '{expected_code}' (A, B, C … in order)"))
    level = raw.get("level")
    if not isinstance(level, int) or not 1 <= level <= model_keys["max_level"]:
        problems.append(
            FieldError(f"{where}.level", f"level must be a whole number 1-{model_keys['max_level']}")
        )
        level = 0
    for key in ("question", "recommendation"):
        if not str(raw.get(key) or "").strip():
            problems.append(FieldError(f"{where}.{key}", f"'{key}' is required"))
    feature = str(raw.get("feature") or "")
    if feature not in model_keys["features"]:
        problems.append(FieldError(f"{where}.feature", f"unknown Northstar feature '{feature}'"))
    stages = tuple(raw.get("stages") or STAGES)
    for stage in stages:
        if stage not in STAGES:
            problems.append(FieldError(f"{where}.stages", f"unknown stage '{stage}'"))
    evidence = raw.get("evidence")
    if evidence is not None and evidence not in model_keys["evidence_rules"]:
        problems.append(FieldError(f"{where}.evidence", f"unknown evidence rule '{evidence}'"))
    return Capability(
        id=f"{area_id}.{code}",
        area_id=area_id,
        code=code,
        level=level,
        question=str(raw.get("question") or "").strip(),
        recommendation=str(raw.get("recommendation") or "").strip(),
        feature=feature,
        stages=stages,
        evidence=str(evidence) if evidence else None,
    )


def _area(
    raw: Any, function_id: str, where: str, keys: dict[str, Any], problems: list[FieldError]
) -> FocusArea:
    area_id = str(raw.get("id") or "") if isinstance(raw, Mapping) else ""
    if not area_id:
        problems.append(FieldError(f"{where}.id", "a focus area needs an id"))
    raw_caps = raw.get("capabilities") if isinstance(raw, Mapping) else None
    if not isinstance(raw_caps, list) or not raw_caps:
        problems.append(FieldError(f"{where}.capabilities", "a focus area needs at least one capability"))
        raw_caps = []
    caps = [
        _capability(c, area_id, i, f"{where}.capabilities[{i}]", keys, problems)
        for i, c in enumerate(raw_caps)
    ]
    kept = tuple(c for c in caps if c is not None)
    levels = [c.level for c in kept]
    if any(b <= a for a, b in pairwise(levels)):
        problems.append(FieldError(f"{where}.capabilities", "capability levels must increase from A onwards"))
    name = str(raw.get("name") or "") if isinstance(raw, Mapping) else ""
    return FocusArea(id=area_id, name=name or area_id, function_id=function_id, capabilities=kept)


def _stages(raw: Any, max_level: int, problems: list[FieldError]) -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    raw = raw if isinstance(raw, Mapping) else {}
    for key in STAGES:
        item = raw.get(key)
        if not isinstance(item, Mapping):
            problems.append(FieldError(f"stages.{key}", f"stage '{key}' is missing"))
            continue
        target = item.get("target_level")
        if not isinstance(target, int) or not 0 <= target <= max_level:
            problems.append(FieldError(f"stages.{key}.target_level", f"must be a whole number 0-{max_level}"))
            target = max_level
        stages[key] = Stage(key=key, label=str(item.get("label") or key), target_level=target)
    return stages


def model_from_dict(data: Any) -> MaturityModel:
    """Validate a parsed model document and build the :class:`MaturityModel`, or raise :class:`ModelError`."""

    if not isinstance(data, Mapping):
        raise ModelError("A maturity model must be a mapping with stages, features and business_functions.")
    problems: list[FieldError] = []
    max_level = data.get("max_level", 10)
    if not isinstance(max_level, int) or max_level < 1:
        problems.append(FieldError("max_level", "max_level must be a positive whole number"))
        max_level = 10
    raw_features_any = data.get("features")
    raw_features: Mapping[str, Any] = raw_features_any if isinstance(raw_features_any, Mapping) else {}
    features = {
        str(k): Feature(key=str(k), name=str(v.get("name", k)), path=str(v.get("path") or ""))
        for k, v in raw_features.items()
        if isinstance(v, Mapping)
    }
    keys = {"max_level": max_level, "features": features, "evidence_rules": RULES}
    functions = []
    raw_functions = data.get("business_functions")
    if not isinstance(raw_functions, list) or not raw_functions:
        problems.append(FieldError("business_functions", "the model needs at least one business function"))
        raw_functions = []
    for f_index, raw_fn in enumerate(raw_functions):
        where = f"business_functions[{f_index}]"
        fn_id = str(raw_fn.get("id") or "") if isinstance(raw_fn, Mapping) else ""
        raw_areas = raw_fn.get("focus_areas") if isinstance(raw_fn, Mapping) else None
        if not isinstance(raw_areas, list) or not raw_areas:
            problems.append(FieldError(f"{where}.focus_areas", "a business function needs focus areas"))
            raw_areas = []
        areas = tuple(
            _area(a, fn_id, f"{where}.focus_areas[{i}]", keys, problems) for i, a in enumerate(raw_areas)
        )
        name = str(raw_fn.get("name") or fn_id) if isinstance(raw_fn, Mapping) else fn_id
        functions.append(BusinessFunction(id=fn_id, name=name, areas=areas))
    area_ids = [a.id for fn in functions for a in fn.areas]
    for dup in sorted({a for a in area_ids if area_ids.count(a) > 1}):
        problems.append(FieldError("business_functions", f"focus area id '{dup}' appears more than once"))
    partial_credit = data.get("partial_credit", 0.5)
    if not isinstance(partial_credit, int | float) or not 0 <= partial_credit <= 1:
        problems.append(FieldError("partial_credit", "partial_credit must be between 0 and 1"))
        partial_credit = 0.5
    stages = _stages(data.get("stages"), max_level, problems)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ModelError(
            f"Invalid maturity model: {problems[0].field}: {problems[0].message}{more}.", problems
        )
    return MaturityModel(
        name=str(data.get("name") or "Maturity model"),
        version=int(data.get("version") or 1),
        max_level=max_level,
        partial_credit=float(partial_credit),
        stages=stages,
        features=features,
        functions=tuple(functions),
    )


def parse_model_yaml(text: str) -> MaturityModel:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"The maturity model is not valid YAML: {exc}")
    return model_from_dict(data)


@functools.cache
def load_default_model() -> MaturityModel:
    """Northstar's default maturity model (package data; parsed once, the result is immutable)."""
    text = resources.files("northstar.maturity").joinpath("data/model.yaml").read_text(encoding="utf-8")
    return parse_model_yaml(text)

"""The career ladder as plain data: levels on tracks, competency areas, observable behaviours per level.

A ladder is read from YAML (the default ships as package data in ``people/data/ladder.yaml``), validated in
one pass that collects *every* problem with the place it occurs, and can be written back to YAML unchanged.
Levels form a tree through ``follows``: each level names the level below it, so two tracks (individual
contributor and management) can branch from a shared early-career trunk. Behaviours are cumulative along
that chain (see :mod:`northstar.people.engine.readiness`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from northstar.core.errors import FieldError, ValidationFailed

EVIDENCE_TYPES = ("artifact", "peer", "self", "manager")
DEFAULT_MIN_SHARE = 0.8
BEHAVIOUR_KEYS = ("id", "text", "mandatory", "evidence")


class LadderError(ValidationFailed):
    """A ladder document that cannot be used; ``errors`` lists every problem with its location."""

    type_slug = "invalid-ladder"
    title = "Invalid career ladder"


@dataclass(frozen=True)
class Level:
    """One rung: ``follows`` is the code of the level directly below it (``None`` for the entry level)."""

    code: str
    title: str
    track: str
    follows: str | None
    typical_years: str = ""
    span_of_control: str = ""
    scope: str = ""


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    area_id: str
    description: str = ""


@dataclass(frozen=True)
class CompetencyArea:
    id: str
    name: str
    description: str
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Behaviour:
    """Something a person at ``level_code`` is observed doing; ``mandatory`` ones cannot be traded away."""

    id: str
    competency_id: str
    level_code: str
    text: str
    mandatory: bool = False
    evidence: str = "artifact"


@dataclass(frozen=True)
class Ladder:
    name: str
    version: int
    min_share: float
    tracks: Mapping[str, str]
    levels: tuple[Level, ...]
    areas: tuple[CompetencyArea, ...]
    behaviours: tuple[Behaviour, ...]

    def level(self, code: str) -> Level:
        """The level with this code, or a :class:`LadderError` naming the known codes."""
        for level in self.levels:
            if level.code == code:
                return level
        known = ", ".join(level.code for level in self.levels)
        raise LadderError(f"Unknown level '{code}'; known levels: {known}.")

    def path_to(self, code: str) -> tuple[Level, ...]:
        """The chain of levels from the entry level up to and including ``code``."""
        chain: list[Level] = []
        current: str | None = code
        while current is not None:
            level = self.level(current)
            chain.append(level)
            current = level.follows
        return tuple(reversed(chain))

    def behaviours_at(self, code: str) -> tuple[Behaviour, ...]:
        return tuple(b for b in self.behaviours if b.level_code == code)

    def competencies(self) -> tuple[Competency, ...]:
        return tuple(c for area in self.areas for c in area.competencies)

    def competency(self, competency_id: str) -> Competency:
        for competency in self.competencies():
            if competency.id == competency_id:
                return competency
        raise LadderError(f"Unknown competency '{competency_id}'.")

    def area_of(self, competency_id: str) -> CompetencyArea:
        for area in self.areas:
            if any(c.id == competency_id for c in area.competencies):
                return area
        raise LadderError(f"Unknown competency '{competency_id}'.")

    def next_levels(self, code: str) -> tuple[Level, ...]:
        """Levels that directly follow ``code`` (two of them where the tracks split)."""
        return tuple(level for level in self.levels if level.follows == code)


class _Problems:
    """Collects problems so that one validation run reports all of them at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(FieldError(field=where, message=message))


def _text(raw: Mapping[str, Any], key: str, where: str, problems: _Problems, required: bool = True) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(f"{where}.{key}", f"'{key}' is required")
        return ""
    if not isinstance(value, str | int | float):
        problems.add(f"{where}.{key}", f"'{key}' must be text")
        return ""
    return str(value).strip()


def _parse_levels(raw_levels: Any, problems: _Problems) -> list[Level]:
    if not isinstance(raw_levels, list) or not raw_levels:
        problems.add("levels", "the ladder needs a non-empty list of levels")
        return []
    levels: list[Level] = []
    for index, raw in enumerate(raw_levels):
        where = f"levels[{index}]"
        if not isinstance(raw, Mapping):
            problems.add(where, "each level must be a mapping with code, title, track and follows")
            continue
        follows = raw.get("follows")
        levels.append(
            Level(
                code=_text(raw, "code", where, problems),
                title=_text(raw, "title", where, problems),
                track=_text(raw, "track", where, problems),
                follows=str(follows) if follows not in (None, "") else None,
                typical_years=_text(raw, "typical_years", where, problems, required=False),
                span_of_control=_text(raw, "span_of_control", where, problems, required=False),
                scope=_text(raw, "scope", where, problems, required=False),
            )
        )
    return levels


def _check_level_tree(levels: list[Level], tracks: Mapping[str, str], problems: _Problems) -> None:
    codes = [level.code for level in levels if level.code]
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            problems.add("levels", f"level code '{code}' appears more than once")
        seen.add(code)
    roots = [level.code for level in levels if level.follows is None]
    if len(roots) != 1:
        problems.add("levels", f"exactly one entry level (follows: null) is needed, found {len(roots)}")
    by_code = {level.code: level for level in levels}
    for index, level in enumerate(levels):
        if level.follows is not None and level.follows not in by_code:
            problems.add(
                f"levels[{index}].follows",
                f"level '{level.code}' follows '{level.follows}', which is not a level of this ladder",
            )
        if tracks and level.track and level.track not in tracks:
            problems.add(f"levels[{index}].track", f"unknown track '{level.track}'")
    for level in levels:
        visited: set[str] = set()
        current: str | None = level.code
        while current is not None and current in by_code:
            if current in visited:
                problems.add("levels", f"the 'follows' chain from '{level.code}' loops back on itself")
                break
            visited.add(current)
            current = by_code[current].follows


def _parse_behaviours(
    raw_behaviours: Any, competency_id: str, where: str, level_codes: set[str], problems: _Problems
) -> list[Behaviour]:
    if raw_behaviours is None:
        return []
    if not isinstance(raw_behaviours, Mapping):
        problems.add(where, "behaviours must map a level code to a list of behaviours")
        return []
    behaviours: list[Behaviour] = []
    for level_code, items in raw_behaviours.items():
        level_where = f"{where}.{level_code}"
        if str(level_code) not in level_codes:
            known = ", ".join(sorted(level_codes))
            problems.add(level_where, f"behaviours for unknown level '{level_code}' (known levels: {known})")
            continue
        if not isinstance(items, list):
            problems.add(level_where, "expected a list of behaviours")
            continue
        for n, item in enumerate(items, start=1):
            item_where = f"{level_where}[{n - 1}]"
            if isinstance(item, str):
                item = {"text": item}
            if not isinstance(item, Mapping):
                problems.add(item_where, "a behaviour is a text or a mapping with 'text'")
                continue
            unknown = sorted(str(k) for k in item if k not in BEHAVIOUR_KEYS)
            if unknown:
                problems.add(
                    item_where,
                    f"unknown field(s) {', '.join(unknown)}; a text containing commas must be quoted",
                )
            evidence = str(item.get("evidence", "artifact"))
            if evidence not in EVIDENCE_TYPES:
                problems.add(f"{item_where}.evidence", f"evidence must be one of {', '.join(EVIDENCE_TYPES)}")
            mandatory = item.get("mandatory", False)
            if not isinstance(mandatory, bool):
                problems.add(f"{item_where}.mandatory", "mandatory must be true or false")
                mandatory = False
            behaviours.append(
                Behaviour(
                    id=str(item.get("id") or f"{competency_id}/{level_code}/{n}"),
                    competency_id=competency_id,
                    level_code=str(level_code),
                    text=_text(item, "text", item_where, problems),
                    mandatory=mandatory,
                    evidence=evidence,
                )
            )
    return behaviours


def _parse_areas(
    raw_areas: Any, level_codes: set[str], problems: _Problems
) -> tuple[list[CompetencyArea], list[Behaviour]]:
    if not isinstance(raw_areas, list) or not raw_areas:
        problems.add("competency_areas", "the ladder needs a non-empty list of competency areas")
        return [], []
    areas: list[CompetencyArea] = []
    behaviours: list[Behaviour] = []
    for a_index, raw_area in enumerate(raw_areas):
        where = f"competency_areas[{a_index}]"
        if not isinstance(raw_area, Mapping):
            problems.add(where, "each competency area must be a mapping")
            continue
        area_id = _text(raw_area, "id", where, problems)
        competencies: list[Competency] = []
        raw_competencies = raw_area.get("competencies")
        if not isinstance(raw_competencies, list) or not raw_competencies:
            problems.add(f"{where}.competencies", "an area needs at least one competency")
            raw_competencies = []
        for c_index, raw_comp in enumerate(raw_competencies):
            c_where = f"{where}.competencies[{c_index}]"
            if not isinstance(raw_comp, Mapping):
                problems.add(c_where, "each competency must be a mapping")
                continue
            comp_id = _text(raw_comp, "id", c_where, problems)
            competencies.append(
                Competency(
                    id=comp_id,
                    name=_text(raw_comp, "name", c_where, problems),
                    area_id=area_id,
                    description=_text(raw_comp, "description", c_where, problems, required=False),
                )
            )
            behaviours += _parse_behaviours(
                raw_comp.get("behaviours"), comp_id, f"{c_where}.behaviours", level_codes, problems
            )
        areas.append(
            CompetencyArea(
                id=area_id,
                name=_text(raw_area, "name", where, problems),
                description=_text(raw_area, "description", where, problems, required=False),
                competencies=tuple(competencies),
            )
        )
    return areas, behaviours


def _check_uniqueness(areas: list[CompetencyArea], behaviours: list[Behaviour], problems: _Problems) -> None:
    for label, ids in (
        ("competency area", [a.id for a in areas]),
        ("competency", [c.id for a in areas for c in a.competencies]),
        ("behaviour", [b.id for b in behaviours]),
    ):
        seen: set[str] = set()
        for item_id in ids:
            if item_id and item_id in seen:
                problems.add("competency_areas", f"{label} id '{item_id}' appears more than once")
            seen.add(item_id)


def ladder_from_dict(data: Any) -> Ladder:
    """Validate a parsed ladder document and build the :class:`Ladder`; raise :class:`LadderError` listing
    every problem (a missing or unknown level, a broken ``follows`` chain, a level without behaviours …)."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise LadderError("A ladder document must be a mapping with name, levels and competency_areas.")
    tracks_raw = data.get("tracks") or {}
    tracks = {str(k): str(v) for k, v in tracks_raw.items()} if isinstance(tracks_raw, Mapping) else {}
    levels = _parse_levels(data.get("levels"), problems)
    _check_level_tree(levels, tracks, problems)
    level_codes = {level.code for level in levels if level.code}
    areas, behaviours = _parse_areas(data.get("competency_areas"), level_codes, problems)
    _check_uniqueness(areas, behaviours, problems)
    for level in levels:
        if level.code and not any(b.level_code == level.code for b in behaviours):
            problems.add(
                "competency_areas", f"level '{level.code}' has no behaviours, so nobody can reach it"
            )
    min_share = DEFAULT_MIN_SHARE
    readiness = data.get("readiness") or {}
    if isinstance(readiness, Mapping) and "min_share" in readiness:
        try:
            min_share = float(readiness["min_share"])
        except (TypeError, ValueError):
            problems.add("readiness.min_share", "min_share must be a number between 0 and 1")
        if not 0 < min_share <= 1:
            problems.add("readiness.min_share", "min_share must be in (0, 1]")
    name = str(data.get("name") or "").strip()
    if not name:
        problems.add("name", "the ladder needs a name")
    if problems.items:
        first = problems.items[0]
        more = f" (and {len(problems.items) - 1} more)" if len(problems.items) > 1 else ""
        raise LadderError(f"Invalid ladder: {first.field}: {first.message}{more}.", errors=problems.items)
    return Ladder(
        name=name,
        version=int(data.get("version") or 1),
        min_share=min_share,
        tracks=tracks,
        levels=tuple(levels),
        areas=tuple(areas),
        behaviours=tuple(behaviours),
    )


def parse_ladder_yaml(text: str) -> Ladder:
    """Parse and validate ladder YAML; malformed YAML is reported with its line like any other problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise LadderError(
            f"The ladder is not valid YAML ({where}).", errors=[FieldError(field=where, message=str(exc))]
        )
    return ladder_from_dict(data)


def default_ladder_text() -> str:
    return resources.files("northstar.people").joinpath("data/ladder.yaml").read_text(encoding="utf-8")


@functools.cache
def load_default_ladder() -> Ladder:
    """Northstar's default product-management ladder (package data; parsed once, the result is immutable)."""
    return parse_ladder_yaml(default_ladder_text())


def ladder_to_dict(ladder: Ladder) -> dict[str, Any]:
    """The ladder as a plain document that :func:`ladder_from_dict` reads back to an equal ladder."""
    areas = []
    for area in ladder.areas:
        competencies = []
        for comp in area.competencies:
            by_level: dict[str, list[dict[str, Any]]] = {}
            for b in ladder.behaviours:
                if b.competency_id == comp.id:
                    by_level.setdefault(b.level_code, []).append(
                        {"id": b.id, "text": b.text, "mandatory": b.mandatory, "evidence": b.evidence}
                    )
            competencies.append(
                {"id": comp.id, "name": comp.name, "description": comp.description, "behaviours": by_level}
            )
        areas.append(
            {"id": area.id, "name": area.name, "description": area.description, "competencies": competencies}
        )
    return {
        "name": ladder.name,
        "version": ladder.version,
        "readiness": {"min_share": ladder.min_share},
        "tracks": dict(ladder.tracks),
        "levels": [
            {
                "code": lv.code,
                "title": lv.title,
                "track": lv.track,
                "follows": lv.follows,
                "typical_years": lv.typical_years,
                "span_of_control": lv.span_of_control,
                "scope": lv.scope,
            }
            for lv in ladder.levels
        ],
        "competency_areas": areas,
    }


def dump_ladder_yaml(ladder: Ladder) -> str:
    """Export a ladder as YAML (stable key order, Unicode kept)."""
    return yaml.safe_dump(ladder_to_dict(ladder), sort_keys=False, allow_unicode=True, width=110)

"""The Head of Product's responsibilities by company stage, marked with what the workspace's data shows.

The checklist is package data (``people/data/head_of_product.yaml``). Items may name a maturity evidence
rule; the caller passes the rule answers (``{"feedback_weekly": "yes", …}``) as plain data, so this engine
stays independent of the maturity module.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from northstar.core.errors import ValidationFailed

STAGE_ORDER = ("startup", "scale-up", "enterprise")
STATUS_BY_ANSWER = {"yes": "practised", "partial": "partly practised", "no": "not yet"}


@dataclass(frozen=True)
class ChecklistItem:
    responsibility_id: str
    responsibility: str
    stage: str
    text: str
    evidence_rule: str | None
    status: str  # practised, partly practised, not yet, or "no data"


@dataclass(frozen=True)
class StageContext:
    key: str
    label: str
    context: str
    company: str


@functools.cache
def _document() -> dict[str, Any]:
    text = (
        resources.files("northstar.people").joinpath("data/head_of_product.yaml").read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def stage_context(stage: str) -> StageContext:
    """Label and a short description of the Head of Product's job at ``stage``."""
    if stage not in STAGE_ORDER:
        raise ValidationFailed(f"Unknown company stage '{stage}'; use one of {', '.join(STAGE_ORDER)}.")
    raw = _document()["stages"][stage]
    return StageContext(
        stage, str(raw["label"]), " ".join(str(raw["context"]).split()), " ".join(str(raw["company"]).split())
    )


def responsibilities_checklist(
    stage: str, rule_answers: Mapping[str, str] | None = None, cumulative: bool = True
) -> list[ChecklistItem]:
    """The checklist for ``stage`` (with the earlier stages' items when ``cumulative``), each item marked
    from ``rule_answers``; items without a rule, or whose rule has no answer, are marked "no data"."""
    stage_context(stage)  # validates the stage
    answers = rule_answers or {}
    wanted = STAGE_ORDER[: STAGE_ORDER.index(stage) + 1] if cumulative else (stage,)
    items: list[ChecklistItem] = []
    for row in _document()["responsibilities"]:
        for item_stage in wanted:
            for raw in row["stages"].get(item_stage, []):
                rule = raw.get("evidence")
                answer = answers.get(rule) if rule else None
                items.append(
                    ChecklistItem(
                        responsibility_id=str(row["id"]),
                        responsibility=str(row["name"]),
                        stage=item_stage,
                        text=str(raw["text"]),
                        evidence_rule=rule,
                        status=STATUS_BY_ANSWER.get(answer or "", "no data"),
                    )
                )
    return items

"""The default maturity model's structure, and validation of broken models."""

from __future__ import annotations

import pytest

from northstar.maturity.engine.evidence import RULES
from northstar.maturity.engine.model import STAGES, ModelError, load_default_model, model_from_dict
from northstar.people.engine.head_of_product import responsibilities_checklist
from tests.maturity.models import cap, tiny_doc

# Level positions of capabilities A, B, C … per focus area of the SPM Maturity Matrix (2010 version),
# as listed in the project's reference notes.
SPM_POSITIONS = {
    "requirements_gathering": [1, 3, 4, 6, 7, 8],
    "requirements_identification": [2, 5, 7, 10],
    "requirements_organizing": [3, 5, 7],
    "requirements_prioritization": [2, 4, 5, 6, 9],
    "release_definition": [2, 3, 4, 8, 10],
    "release_definition_validation": [4, 7, 9],
    "scope_change_management": [3, 5, 7, 9],
    "build_validation": [4, 7, 9],
    "launch_preparation": [1, 3, 5, 6, 8, 10],
    "roadmap_intelligence": [3, 5, 6, 8, 9],
    "core_asset_roadmapping": [4, 6, 8, 10],
    "product_roadmapping": [2, 3, 6, 7, 9],
    "market_analysis": [4, 6, 7, 8, 10],
    "partnering_contracting": [5, 6, 8, 9, 10],
    "product_lifecycle": [4, 5, 8, 9, 10],
}
EXTENSION_AREAS = {
    "feedback_mechanisms",
    "product_metrics",
    "budget_cost_benefit",
    "cross_functional_alignment",
    "roles_ladder",
    "feedback_performance",
    "continuous_improvement",
}

MODEL = load_default_model()


def test_default_model_keeps_the_spm_matrix_positions() -> None:
    areas = {a.id: [c.level for c in a.capabilities] for a in MODEL.areas()}
    for area_id, levels in SPM_POSITIONS.items():
        assert areas[area_id] == levels, area_id
    assert sum(len(v) for v in SPM_POSITIONS.values()) == 68


def test_default_model_has_four_spm_functions_plus_leadership_and_people() -> None:
    assert [f.id for f in MODEL.functions] == [
        "requirements_management",
        "release_planning",
        "product_planning",
        "portfolio_management",
        "product_leadership",
        "people_organisation",
    ]
    assert {a.id for a in MODEL.areas()} == set(SPM_POSITIONS) | EXTENSION_AREAS


def test_every_capability_has_a_question_recommendation_feature_and_stage() -> None:
    for c in MODEL.capabilities():
        assert c.question.endswith("?"), c.id
        assert c.recommendation and c.feature in MODEL.features
        assert c.stages and set(c.stages) <= set(STAGES)


def test_every_extension_area_has_at_least_one_evidence_backed_capability() -> None:
    for area in MODEL.areas():
        if area.id in EXTENSION_AREAS:
            assert any(c.evidence for c in area.capabilities), area.id


def test_stage_targets_rise_with_company_stage() -> None:
    targets = [MODEL.stage(s).target_level for s in STAGES]
    assert targets == sorted(targets) and targets[-1] == MODEL.max_level


def test_head_of_product_checklist_only_names_known_evidence_rules() -> None:
    rules = {i.evidence_rule for i in responsibilities_checklist("enterprise") if i.evidence_rule}
    assert rules and rules <= set(RULES)


def test_levels_that_do_not_increase_are_rejected() -> None:
    doc = tiny_doc()
    doc["business_functions"][0]["focus_areas"][0]["capabilities"] = [cap("A", 3), cap("B", 2)]
    with pytest.raises(ModelError, match="levels must increase"):
        model_from_dict(doc)


def test_capability_codes_must_run_a_b_c() -> None:
    doc = tiny_doc()
    doc["business_functions"][0]["focus_areas"][0]["capabilities"][1]["code"] = "C"
    with pytest.raises(ModelError, match="expected code 'B'"):
        model_from_dict(doc)


def test_unknown_feature_evidence_and_stage_are_all_reported() -> None:
    doc = tiny_doc()
    doc["business_functions"][0]["focus_areas"][0]["capabilities"][0] |= {
        "feature": "teleport",
        "evidence": "vibes",
        "stages": ["seed"],
    }
    with pytest.raises(ModelError) as caught:
        model_from_dict(doc)
    messages = {e.message for e in caught.value.errors}
    assert {
        "unknown Northstar feature 'teleport'",
        "unknown evidence rule 'vibes'",
        "unknown stage 'seed'",
    } <= messages


def test_missing_stage_and_empty_question_are_reported() -> None:
    doc = tiny_doc()
    del doc["stages"]["enterprise"]
    doc["business_functions"][1]["focus_areas"][0]["capabilities"][0]["question"] = " "
    with pytest.raises(ModelError) as caught:
        model_from_dict(doc)
    fields = {e.field for e in caught.value.errors}
    assert "stages.enterprise" in fields
    assert "business_functions[1].focus_areas[0].capabilities[0].question" in fields


def test_level_above_the_maximum_is_rejected() -> None:
    doc = tiny_doc()
    doc["business_functions"][0]["focus_areas"][0]["capabilities"][2]["level"] = 11
    with pytest.raises(ModelError, match="level must be a whole number 1-8"):
        model_from_dict(doc)

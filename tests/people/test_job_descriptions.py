"""Job descriptions for every level and stage, in three formats, and the Head of Product checklist."""

from __future__ import annotations

import pytest

from northstar.core.errors import ValidationFailed
from northstar.people.engine.head_of_product import STAGE_ORDER, responsibilities_checklist
from northstar.people.engine.job_description import (
    LEADERSHIP_LEVELS,
    build_job_description,
    to_html,
    to_markdown,
    to_pdf,
)
from northstar.people.engine.ladder import load_default_ladder

LADDER = load_default_ladder()


@pytest.mark.parametrize("stage", STAGE_ORDER)
@pytest.mark.parametrize("level", [lv.code for lv in LADDER.levels])
def test_every_level_and_stage_renders_in_markdown_and_html(level: str, stage: str) -> None:
    jd = build_job_description(LADDER, level, stage)
    markdown, html = to_markdown(jd), to_html(jd)
    title = LADDER.level(level).title
    assert markdown.startswith(f"# {title}")
    assert LADDER.level(level).span_of_control in markdown
    mandatory = [b.text for b in LADDER.behaviours_at(level) if b.mandatory]
    assert jd.responsibilities[: len(mandatory)] == tuple(mandatory)
    assert "<h1>" in html and "<script" not in html
    assert bool(jd.stage_focus) == (level in LEADERSHIP_LEVELS)


def test_pdf_is_a_real_pdf_with_pages() -> None:
    pdf = to_pdf(build_job_description(LADDER, "head_of_product", "enterprise"))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in pdf


def test_html_escapes_ladder_text() -> None:
    from dataclasses import replace

    jd = replace(build_job_description(LADDER, "pm", "startup"), responsibilities=("<b>bold</b> & more",))
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in to_html(jd)


def test_stage_focus_differs_by_stage_for_the_head_of_product() -> None:
    startup = build_job_description(LADDER, "head_of_product", "startup").stage_focus
    enterprise = build_job_description(LADDER, "head_of_product", "enterprise").stage_focus
    assert startup and enterprise and set(startup).isdisjoint(enterprise)


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="Unknown company stage 'seed'"):
        build_job_description(LADDER, "pm", "seed")


def test_checklist_is_cumulative_and_marked_from_rule_answers() -> None:
    startup = responsibilities_checklist("startup")
    scale_up = responsibilities_checklist(
        "scale-up", {"regular_one_on_ones": "yes", "ladder_assessed": "partial"}
    )
    assert len(scale_up) > len(startup)
    assert {i.stage for i in scale_up} == {"startup", "scale-up"}
    status = {i.evidence_rule: i.status for i in scale_up if i.evidence_rule}
    assert status["regular_one_on_ones"] == "practised"
    assert status["ladder_assessed"] == "partly practised"
    assert status["growth_plans"] == "no data"
    only = responsibilities_checklist("enterprise", cumulative=False)
    assert {i.stage for i in only} == {"enterprise"}


def test_checklist_covers_the_seven_responsibilities_at_every_stage() -> None:
    for stage in STAGE_ORDER:
        ids = {i.responsibility_id for i in responsibilities_checklist(stage, cumulative=False)}
        assert ids == {"feedback", "metrics", "budget", "cost_benefit", "alignment", "people", "improvement"}

"""Plain JSON-ready dictionaries of maturity results, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from northstar.maturity.engine.scoring import AreaChange
from northstar.maturity.service import AssessmentReport, model


def report_dict(report: AssessmentReport, next_steps: int = 10) -> dict[str, Any]:
    result, row = report.result, report.assessment
    features = model().features
    return {
        "id": row.id,
        "assessed_on": row.assessed_on.isoformat(),
        "stage": row.stage,
        "overall_level": result.overall_level,
        "target_level": result.target_level,
        "overall_coverage": result.overall_coverage,
        "business_functions": [
            {"id": f.function_id, "name": f.name, "level": f.level} for f in result.functions
        ],
        "focus_areas": [
            {
                "id": a.area_id,
                "name": a.name,
                "function": a.function_id,
                "level": a.level,
                "coverage": a.coverage,
                "blocking_capability": a.blocking_capability,
                "answers": {
                    "yes": a.yes,
                    "partial": a.partial,
                    "no": a.no,
                    "unanswered": a.unanswered,
                    "not_applicable": a.not_applicable,
                },
            }
            for a in result.areas
        ],
        "next_steps": [
            {
                "capability": g.capability.id,
                "level": g.capability.level,
                "question": g.capability.question,
                "answer": g.answer,
                "blocking": g.blocking,
                "within_stage_target": g.within_target,
                "recommendation": g.capability.recommendation,
                "feature": {
                    "name": features[g.capability.feature].name,
                    "path": features[g.capability.feature].path,
                },
            }
            for g in result.next_steps(next_steps)
        ],
        "evidence": {
            cid: {"answer": a.answer, "source": a.source, "evidence": a.evidence, "note": a.note}
            for cid, a in sorted(report.answers.items())
            if a.source in ("evidence", "override")
        },
    }


def changes_dict(changes: tuple[AreaChange, ...]) -> list[dict[str, Any]]:
    return [
        {
            "area": c.area_id,
            "name": c.name,
            "level_before": c.level_before,
            "level_after": c.level_after,
            "level_change": c.level_change,
            "coverage_before": c.coverage_before,
            "coverage_after": c.coverage_after,
        }
        for c in changes
    ]

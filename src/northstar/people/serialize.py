"""Plain JSON-ready dictionaries of the people module's results, shared by the API and the CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from northstar.people.engine.readiness import Readiness
from northstar.people.reviews_service import Calibration, ParticipantStatus, ReportView
from northstar.people.service import Profile, SeriesView, TeamView


def readiness_dict(readiness: Readiness | None) -> dict[str, Any] | None:
    if readiness is None:
        return None
    return {
        "target": readiness.target,
        "ready": readiness.ready,
        "blocking_levels": list(readiness.blocking_levels),
        "levels": [
            {
                "level": c.level_code,
                "met": c.met,
                "total": c.total,
                "required": c.required,
                "passed": c.passed,
                "missing_mandatory": [b.id for b in c.missing_mandatory],
            }
            for c in readiness.checks
        ],
    }


def profile_dict(profile: Profile) -> dict[str, Any]:
    p = profile.person
    return {
        "person": {
            "id": p.id,
            "name": p.name,
            "title": p.title,
            "team_id": p.team_id,
            "manager_id": p.manager_id,
        },
        "relation": profile.relation.value,
        "level": profile.level_code,
        "level_title": profile.level_title,
        "target_level": profile.target_level_code,
        "readiness": readiness_dict(profile.readiness),
        "latest_self_assessment": profile.latest_self.assessed_on.isoformat()
        if profile.latest_self
        else None,
        "latest_manager_assessment": profile.latest_manager.assessed_on.isoformat()
        if profile.latest_manager
        else None,
        "disagreements": asdict(profile.comparison) if profile.comparison else None,
        "growth_plan": {
            "target_level": profile.growth_target,
            "items": [
                {
                    "id": i.id,
                    "title": i.title,
                    "competency_id": i.competency_id,
                    "due": i.due.isoformat() if i.due else None,
                    "status": i.status,
                }
                for i in profile.growth_items
            ],
            "done": profile.growth_progress.done,
            "total": profile.growth_progress.total,
        },
        "suggested_growth_items": [
            {"behaviour_id": s.behaviour.id, "text": s.behaviour.text, "reason": s.reason}
            for s in profile.suggestions
        ],
        "one_on_one_series": [s.id for s in profile.series],
    }


def team_dict(view: TeamView) -> dict[str, Any]:
    return {
        "people": [
            {
                "id": r.person.id,
                "name": r.person.name,
                "level": r.level_title,
                "last_assessed": r.last_assessed.isoformat() if r.last_assessed else None,
                "next_one_on_one": r.next_one_on_one.isoformat() if r.next_one_on_one else None,
                "overdue": r.overdue,
            }
            for r in view.rows
        ],
        "pulse": [asdict(p) for p in view.pulse],
    }


def series_dict(view: SeriesView) -> dict[str, Any]:
    return {
        "id": view.series.id,
        "manager": view.manager.name,
        "report": view.report.name,
        "you_are": view.side,
        "cadence": view.series.cadence,
        "next_due": view.status.next_due.isoformat(),
        "overdue": view.status.overdue,
        "carried_forward": view.next_agenda_items,
        "meetings": [asdict(m) | {"held_on": m.held_on.isoformat()} for m in view.meetings],
    }


def report_dict(view: ReportView) -> dict[str, Any]:
    return {
        "participant_id": view.participant.id,
        "cycle": {"id": view.cycle.id, "name": view.cycle.name, "released": view.cycle.released},
        "subject": view.subject.name,
        "named_raters": view.named,
        "report": view.report.to_dict(),
    }


def progress_dict(statuses: list[ParticipantStatus]) -> list[dict[str, Any]]:
    return [
        {
            "participant_id": s.participant.id,
            "subject": s.subject_name,
            "answered_by_group": s.answered_by_group,
            "requests": [
                {
                    "id": r.id,
                    "rater_person_id": r.rater_person_id,
                    "group": r.rater_group,
                    "status": r.status,
                    "submitted": r.submitted,
                }
                for r in s.requests
            ],
        }
        for s in statuses
    ]


def calibration_dict(result: Calibration) -> dict[str, Any]:
    return {
        "cycle_id": result.cycle.id,
        "distribution": {
            "overall": {str(k): v for k, v in result.distribution.overall_counts.items()},
            "teams": [
                {
                    "team": t.team,
                    "counts": {str(k): v for k, v in t.counts.items()},
                    "mean": t.mean,
                    "skewed": t.skewed,
                }
                for t in result.distribution.teams
            ],
        },
        "nine_box": [
            {
                "participant_id": int(p.person_id),
                "name": result.names.get(p.person_id, ""),
                "box": p.box,
                "label": p.name,
            }
            for p in result.nine_box.placements
        ],
        "outliers": [result.names.get(i, i) for i in result.nine_box.outliers],
    }

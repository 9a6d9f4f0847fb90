"""Running the analysis on a workspace: results are stored, re-runs are incremental, human theme edits survive."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.feedback.analysis.service import pin_theme, rename_theme, run_analysis
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from tests.factories import make_feedback, make_world
from tests.feedback.analysis_support import TOPICS


def test_analysis_is_stored_and_rerun_only_touches_new_items(session: Session) -> None:
    world = make_world(session)
    for group in TOPICS.values():
        for text in group:
            make_feedback(session, world, text=text)
    make_feedback(session, world, text="!!! ???")
    first = run_analysis(session, world.actor())
    session.commit()
    assert first.analysed == 19 and first.themes == 3
    rows = session.scalars(select(FeedbackAnalysis)).all()
    assert len(rows) == 19
    assert sum(1 for r in rows if r.theme_id is not None) == 18
    assert {r.kind for r in rows if r.empty} == {"other"}

    theme = session.scalars(select(FeedbackTheme).where(FeedbackTheme.parent_id.is_not(None))).first()
    assert theme is not None
    rename_theme(session, world.actor(), theme.id, "  Our   name ")
    pin_theme(session, world.actor(), theme.id)
    session.commit()

    make_feedback(session, world, text="I cannot log in since this morning")
    second = run_analysis(session, world.actor())
    session.commit()
    assert second.analysed == 1 and second.skipped_unchanged == 19
    session.refresh(theme)
    assert theme.name == "Our name" and theme.name_locked and theme.pinned


def test_renaming_checks_the_name_and_the_permission(session: Session) -> None:
    world = make_world(session)
    for text in TOPICS["export"]:
        make_feedback(session, world, text=text)
    run_analysis(session, world.actor())
    session.commit()
    theme = session.scalars(select(FeedbackTheme)).first()
    assert theme is not None
    with pytest.raises(ValidationFailed):
        rename_theme(session, world.actor(), theme.id, "   ")
    with pytest.raises(PermissionDenied):
        rename_theme(session, world.actor(Role.VIEWER), theme.id, "x")


def test_analysis_runs_as_a_background_job(session: Session, session_factory: sessionmaker[Session]) -> None:
    from northstar.core.jobs import create_job, execute_job
    from northstar.feedback.analysis import jobs as analysis_jobs  # registers the job kind

    assert analysis_jobs.analyse_job is not None
    world = make_world(session)
    for text in TOPICS["pricing"]:
        make_feedback(session, world, text=text)
    job = create_job(session, world.actor(), "feedback.analyse", {})
    session.commit()
    finished = execute_job(session_factory, job.id)
    assert finished.status == "succeeded", finished.error
    assert finished.result is not None and finished.result["analysed"] == len(TOPICS["pricing"])

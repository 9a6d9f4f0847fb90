"""Shared helpers for the theme tests: a small real corpus in a workspace, analysed with the real model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from northstar.customers.models import Customer
from northstar.feedback.analysis.service import run_analysis
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis
from tests.factories import World, make_feedback
from tests.feedback.analysis_support import TOPICS

#: outliers that fit none of TOPICS: they become candidate themes when analysed after the first run
DARK_MODE = [
    "Please add a dark mode to the dashboard",
    "Dark theme would be easier on my eyes at night",
    "I want a dark mode option in settings",
    "The white background is too bright, give us dark mode",
    "Night mode please, the app is blinding",
    "Support a dark colour scheme for the web app",
]


def seed_topics(
    session: Session,
    world: World,
    customers: dict[str, list[Customer | None]] | None = None,
    analyse: bool = True,
) -> dict[str, list[int]]:
    """Log every TOPICS text (customer k of ``customers[topic]`` for the k-th text), then analyse; topic → ids."""
    ids: dict[str, list[int]] = {}
    for topic, texts in TOPICS.items():
        owners = (customers or {}).get(topic, [])
        ids[topic] = [
            make_feedback(session, world, text=text, customer=owners[k] if k < len(owners) else None).id
            for k, text in enumerate(texts)
        ]
    if analyse:
        run_analysis(session, world.actor())
        session.commit()
    return ids


def theme_of(session: Session, feedback_id: int) -> int | None:
    row = session.get(FeedbackAnalysis, feedback_id)
    session.refresh(row)
    return row.theme_id if row else None


def the_theme(session: Session, feedback_ids: list[int]) -> int:
    """The one theme all these items are in (fails if they are spread over several)."""
    themes = {theme_of(session, i) for i in feedback_ids}
    assert len(themes) == 1 and None not in themes, themes
    return int(next(iter(themes)))  # type: ignore[arg-type]


def set_received(session: Session, feedback_id: int, weeks_ago: float, now: datetime | None = None) -> None:
    moment = (now or datetime(2026, 6, 3, 12, tzinfo=UTC)) - timedelta(weeks=weeks_ago)
    session.execute(update(Feedback).where(Feedback.id == feedback_id).values(received_at=moment))


CRASHES = [
    "The mobile app crashes when I open it",
    "iOS app keeps crashing on startup",
    "Android app closes itself after the update",
    "App crashes every time I upload a photo",
    "The phone app freezes and then crashes",
    "Crash on launch since version 5.2",
]

#: more login problems, so the login theme has enough items for the trend test (10+)
MORE_LOGIN = [
    "Cannot log in again today, the login page errors out",
    "My password is rejected when I try to sign in",
    "Locked out of my account, login keeps failing",
    "The sign in button does nothing, I cannot log in",
    "Login broken after the last release",
    "I keep getting an error when logging into my account",
]

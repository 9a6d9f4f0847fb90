"""Demo content of the feedback module (called by ``northstar demo`` after the core records exist).

The demo company's feedback is analysed — kind, sentiment, duplicates, two-level themes — so the inbox filters and
the theme explorer have content from the first page view. Analysing the ~3,000 demo items takes most of the demo's
seeding time (see docs/feedback-themes.md for the measured seconds).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.feedback.analysis.service import run_analysis
from northstar.feedback.themes.service import refresh_idea_vectors


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Run the feedback analysis on the demo workspace (through the service, so it is audited like a user's run), and
    embed the demo ideas so the first theme page suggests ideas without waiting."""
    run_analysis(session, actor)
    refresh_idea_vectors(session, actor)

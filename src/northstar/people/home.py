"""The people module's panels on the home page: the viewer's 1:1s (overdue first) and open 360 requests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.home.service import HomeItem, HomePanel
from northstar.people.reviews_service import my_requests
from northstar.people.service import my_check_ins


def home_panels(session: Session, actor: Actor) -> list[HomePanel]:
    """Due and overdue 1:1s, and 360 requests waiting for the viewer's answer."""
    check_ins = [
        HomeItem(
            label=f"1:1 with {due.other_person}",
            href=f"/people/one-on-ones/{due.series_id}",
            note=("overdue since " if due.overdue else "next ") + due.next_due.isoformat(),
            urgent=due.overdue,
        )
        for due in my_check_ins(session, actor)
    ]
    requests = [
        HomeItem(
            label=f"360 feedback for {pending.subject_name}",
            href=f"/reviews/requests/{pending.request.id}",
            note=pending.cycle.name,
        )
        for pending in my_requests(session, actor)
    ]
    return [
        HomePanel("Your 1:1s", check_ins, "No 1:1s scheduled with you."),
        HomePanel("360 reviews waiting for you", requests, "No review requests waiting."),
    ]

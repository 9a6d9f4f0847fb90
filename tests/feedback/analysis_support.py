"""Shared helpers for the feedback analysis tests: the real model, loaded once, and a small labelled corpus."""

from __future__ import annotations

from northstar.feedback.engine.embeddings import Embedder

_SHARED: list[Embedder] = []


def shared_embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 with one cache for the whole test session (the model loads once per process)."""
    if not _SHARED:
        _SHARED.append(Embedder())
    return _SHARED[0]


TOPICS = {
    "login": [
        "I cannot log in to my account since the update",
        "Login fails with an error every time I try",
        "The app will not let me sign in anymore",
        "Sign-in page keeps rejecting my password",
        "I get logged out and cannot log back in",
        "Unable to log into the app after resetting my password",
    ],
    "export": [
        "Please add a way to export reports to Excel",
        "We need CSV export for the dashboard data",
        "Exporting charts as PDF would be great",
        "Can you add an export button for all my data",
        "I would love to download my reports as a spreadsheet",
        "Export to CSV is missing from the reports page",
    ],
    "pricing": [
        "The subscription is far too expensive for a small team",
        "Your prices went up again, this is too costly",
        "The pro plan costs too much compared to competitors",
        "Pricing is unaffordable for startups like us",
        "Way too expensive, we are considering cancelling because of the price",
        "The monthly fee is too high for what we get",
    ],
}

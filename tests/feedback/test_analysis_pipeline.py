"""The whole pipeline, incrementally: only new texts are embedded, new items join existing themes, duplicates of
earlier items are found through the index, and a state restored without its index (as the service layer restores
it) rebuilds the index from the cached vectors."""

from __future__ import annotations

import pytest

from northstar.feedback.engine.embeddings import Embedder
from northstar.feedback.engine.pipeline import AnalysisState, FeedbackText, analyse
from tests.feedback.analysis_support import TOPICS, shared_embedder


@pytest.fixture()
def state() -> AnalysisState:
    """A fresh state sharing the real model (and its cache) of the test session."""
    shared = shared_embedder()
    return AnalysisState(embedder=Embedder(shared.cache, shared.encoder))


def first_items() -> list[FeedbackText]:
    texts = [text for group in TOPICS.values() for text in group]
    return [FeedbackText(f"i{n}", text) for n, text in enumerate(texts)]


def test_second_run_embeds_only_new_texts_and_places_them_in_existing_themes(state: AnalysisState) -> None:
    items = first_items()
    first, state = analyse(items, state)
    assert state.theme_set is not None and len(state.theme_set.themes) == 3
    login_theme = {r.id: r.theme for r in first.processed}["i0"]
    encoded_before = state.embedder.encoded
    new = [
        FeedbackText("n1", "Since the update the app refuses my password and I cannot log in"),
        FeedbackText("n2", "please add an export of my reports to Excel"),
    ]
    second, state = analyse(items + new, state)
    assert [r.id for r in second.processed] == ["n1", "n2"]
    assert state.embedder.encoded - encoded_before <= 2
    placed = {r.id: r for r in second.processed}
    assert placed["n1"].theme == login_theme and placed["n1"].theme_similarity is not None


def test_duplicates_of_earlier_items_are_found_and_a_changed_item_is_not_its_own_duplicate(
    state: AnalysisState,
) -> None:
    items = first_items()
    _, state = analyse(items, state)
    assert state.duplicate_index is not None and len(state.duplicate_index) == len(items)
    repeat = FeedbackText("n1", "Login fails with an error every time I try!")  # near copy of i1
    changed = FeedbackText("i2", items[2].text + " Still broken today.")  # i2's text edited
    run, state = analyse([*items[:2], changed, *items[3:], repeat], state)
    by_id = {r.id: r for r in run.processed}
    assert set(by_id) == {"i2", "n1"}
    assert by_id["n1"].duplicate_of == "i1"
    assert by_id["i2"].duplicate_of != "i2"


def test_a_state_restored_without_its_index_rebuilds_it_from_the_cached_vectors(state: AnalysisState) -> None:
    items = first_items()
    _, state = analyse(items, state)
    restored = AnalysisState(embedder=state.embedder, items=state.items, texts=state.texts)
    restored.theme_set = state.theme_set
    run, restored = analyse(
        [*items, FeedbackText("n1", "Export to CSV is missing from the reports page")], restored
    )
    assert restored.duplicate_index is not None and len(restored.duplicate_index) == len(items) + 1
    assert run.processed[0].duplicate_of == "i11"  # the same text, earlier

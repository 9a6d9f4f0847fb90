"""Themes under human control (merge, split, move, pin, rename survive re-analysis), demand numbers checked by hand,
trends, and the way from themes to ideas — on SQLite and PostgreSQL, with the real embedding model."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from northstar.core.audit import AuditEvent
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.feedback.analysis.service import run_analysis
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.themes import FeedbackIdeaVector, FeedbackThemeLock, FeedbackThemeOverride
from northstar.feedback.themes import service as themes
from northstar.feedback.themes.schemas import CreateIdeaRequest, SplitRequest
from northstar.ideas import service as ideas_service
from northstar.ideas.models import IdeaFeedbackLink
from northstar.ideas.schemas import IdeaUpdate
from tests.factories import make_customer, make_feedback, make_idea, make_world
from tests.feedback.themes_support import (
    CRASHES,
    DARK_MODE,
    MORE_LOGIN,
    seed_topics,
    set_received,
    the_theme,
    theme_of,
)


def _actions(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_demand_counts_each_customer_once_with_segments_sentiment_and_rating(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 1000.0, "smb")
    globex = make_customer(session, world, "Globex", 5000.0, "enterprise")
    initech = make_customer(session, world, "Initech", 250.0, "smb")
    ids = seed_topics(
        session,
        world,
        {"export": [acme, acme, globex, None, acme, globex], "login": [acme, initech]},
    )
    for feedback_id, rating in zip(ids["export"], [5.0, 3.0, None, 4.0, None, None], strict=True):
        session.execute(update(Feedback).where(Feedback.id == feedback_id).values(rating=rating))
    session.commit()
    export = the_theme(session, ids["export"])

    demand = themes.theme_demand(session, world.actor(), export)
    # by hand: 6 items; customers Acme (1,000) and Globex (5,000), each counted once however often they asked
    assert (demand.items, demand.customers, demand.arr) == (6, 2, 6000.0)
    segments = {s.segment: (s.items, s.customers, s.arr) for s in demand.by_segment}
    assert segments == {"enterprise": (2, 1, 5000.0), "smb": (3, 1, 1000.0), "unknown": (1, 0, 0.0)}
    assert [s.segment for s in demand.by_segment] == ["enterprise", "smb", "unknown"]  # by ARR
    assert demand.average_rating == 4.0 and demand.rated_items == 3  # (5 + 3 + 4) / 3
    sentiments = [session.get(FeedbackAnalysis, i).sentiment for i in ids["export"]]  # type: ignore[union-attr]
    assert demand.average_sentiment == pytest.approx(sum(sentiments) / 6, abs=1e-3)

    # the parent theme counts Acme once although Acme asked in two of its sub-themes
    parent = session.get(FeedbackTheme, export).parent_id  # type: ignore[union-attr]
    assert parent is not None and {
        session.get(FeedbackTheme, the_theme(session, ids[t])).parent_id  # type: ignore[union-attr]
        for t in ids
    } == {parent}
    top = themes.theme_demand(session, world.actor(), parent)
    assert (top.items, top.customers, top.arr) == (18, 3, 6250.0)
    assert {s.segment: (s.items, s.customers, s.arr) for s in top.by_segment} == {
        "enterprise": (2, 1, 5000.0),
        "smb": (5, 2, 1250.0),
        "unknown": (11, 0, 0.0),
    }
    listed = themes.list_themes(session, world.actor(), "sub", "arr")
    assert listed.items[0].theme.id == export
    assert [s.demand.arr for s in listed.items] == sorted((s.demand.arr for s in listed.items), reverse=True)


def test_a_theme_whose_share_grows_is_flagged_rising(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world, analyse=False)
    ids["login"] += [make_feedback(session, world, text=t).id for t in MORE_LOGIN]
    run_analysis(session, world.actor())
    others = ids["export"] + ids["pricing"]
    for k, feedback_id in enumerate(others):  # about 1.5 a week over eight weeks
        set_received(session, feedback_id, weeks_ago=7 * k / (len(others) - 1))
    for k, feedback_id in enumerate(ids["login"]):  # all in the last two weeks
        set_received(session, feedback_id, weeks_ago=float(k % 2))
    session.commit()
    login = the_theme(session, ids["login"])
    trend = themes.theme_demand(session, world.actor(), login).trend
    assert len(trend.weeks) == 26 and trend.weeks == sorted(trend.weeks)
    assert sum(trend.counts) == 12 and sum(trend.counts[-2:]) == 12 and sum(trend.totals) == 24
    assert trend.direction == "rising" and trend.z is not None and trend.z > 0
    assert trend.p_value is not None and trend.p_value < 0.01
    export = themes.theme_demand(session, world.actor(), the_theme(session, ids["export"])).trend
    assert export.direction == "too little data"  # 6 items: below the 10-item minimum


def test_merged_themes_stay_merged_and_new_look_alikes_go_to_the_survivor(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    export, pricing = the_theme(session, ids["export"]), the_theme(session, ids["pricing"])
    result = themes.merge_themes(session, world.actor(), export, pricing)
    session.commit()
    assert (result.survivor.id, result.absorbed_id, result.moved_items) == (pricing, export, 6)
    assert {theme_of(session, i) for i in ids["export"] + ids["pricing"]} == {pricing}
    assert session.get(FeedbackTheme, pricing).size == 12  # type: ignore[union-attr]
    assert export not in {s.theme.id for s in themes.list_themes(session, world.actor(), "sub").items}
    assert themes.get_theme(session, world.actor(), export).merged_into_id == pricing
    assert themes.get_theme(session, world.actor(), pricing).merged_from == [export]
    assert len(_actions(session, "feedback_theme.merged")) == 1

    new = make_feedback(session, world, text="We need an export of the dashboard data to CSV").id
    summary = run_analysis(session, world.actor())
    session.commit()
    assert summary.analysed == 1 and theme_of(session, new) == pricing
    assert {theme_of(session, i) for i in ids["export"]} == {pricing}  # re-analysis did not undo the merge

    with pytest.raises(ValidationFailed, match="merged into"):
        themes.merge_themes(session, world.actor(), export, the_theme(session, ids["login"]))
    with pytest.raises(ValidationFailed, match="itself"):
        themes.merge_themes(session, world.actor(), pricing, pricing)
    parent = session.get(FeedbackTheme, pricing).parent_id  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match="sub-theme into a sub-theme"):
        themes.merge_themes(session, world.actor(), pricing, parent)  # type: ignore[arg-type]


def test_split_by_chosen_items_keeps_both_halves_and_the_chosen_items_across_reanalysis(
    session: Session,
) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    pricing = the_theme(session, ids["pricing"])
    chosen = ids["pricing"][:2]
    result = themes.split_theme(
        session, world.actor(), pricing, SplitRequest(feedback_ids=chosen, name="  Startup   pricing ")
    )
    session.commit()
    new = result.created.id
    assert result.moved == 2 and result.kept.id == pricing and result.kept.size == 4
    assert result.created.name == "Startup pricing" and result.created.name_locked
    assert result.created.parent_id == result.kept.parent_id
    assert {theme_of(session, i) for i in chosen} == {new}
    assert {theme_of(session, i) for i in ids["pricing"][2:]} == {pricing}
    assert set(session.scalars(select(FeedbackThemeLock.feedback_id))) == set(chosen)
    override = session.scalar(select(FeedbackThemeOverride).where(FeedbackThemeOverride.theme_id == new))
    assert override is not None and override.split_from_id == pricing
    assert len(_actions(session, "feedback_theme.split")) == 1

    # a chosen item whose text changes is analysed again, and stays where the person put it
    session.execute(
        update(Feedback).where(Feedback.id == chosen[0]).values(text="I cannot log in at all today")
    )
    make_feedback(session, world, text="Far too expensive for a small team like ours")
    summary = run_analysis(session, world.actor())
    session.commit()
    assert summary.analysed == 2
    assert {theme_of(session, i) for i in chosen} == {new}
    assert {theme_of(session, i) for i in ids["pricing"][2:]} == {pricing}

    everything = [item.feedback_id for item in themes.theme_items(session, world.actor(), new).items]
    with pytest.raises(ValidationFailed, match="some, not all"):
        themes.split_theme(session, world.actor(), new, SplitRequest(feedback_ids=everything))
    with pytest.raises(ValidationFailed, match="not among"):
        themes.split_theme(session, world.actor(), pricing, SplitRequest(feedback_ids=[ids["login"][0]]))


def test_split_by_reclustering_separates_two_topics_and_keeps_merged_look_alikes_apart(
    session: Session,
) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    export, pricing = the_theme(session, ids["export"]), the_theme(session, ids["pricing"])
    themes.merge_themes(session, world.actor(), export, pricing)
    result = themes.split_theme(session, world.actor(), pricing, SplitRequest())
    session.commit()
    halves = {frozenset(theme_of(session, i) for i in ids[t]) for t in ("export", "pricing")}
    assert halves == {
        frozenset({pricing}),
        frozenset({result.created.id}),
    }  # each topic whole, in its own half
    assert result.moved == 6 and not session.scalars(select(FeedbackThemeLock)).all()
    export_half = theme_of(session, ids["export"][0])
    assert any("export" in k for k in session.get(FeedbackTheme, export_half).keywords)  # type: ignore[union-attr]

    # the theme merged before the split now leads to the half it resembles
    new_export = make_feedback(session, world, text="Add an option to export the dashboard to Excel").id
    new_price = make_feedback(session, world, text="Your plans are way too expensive for us").id
    run_analysis(session, world.actor())
    session.commit()
    assert theme_of(session, new_export) == export_half
    assert theme_of(session, new_price) == theme_of(session, ids["pricing"][0])

    lone = themes.split_theme(
        session, world.actor(), export_half, SplitRequest(feedback_ids=ids["export"][:1])
    ).created.id
    with pytest.raises(ValidationFailed, match="at least 2"):
        themes.split_theme(session, world.actor(), lone, SplitRequest())


def test_moved_items_stay_even_when_their_text_changes(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    login, pricing = the_theme(session, ids["login"]), the_theme(session, ids["pricing"])
    moved = ids["login"][0]
    result = themes.move_items(session, world.actor(), pricing, [moved, ids["pricing"][0]])
    session.commit()
    assert (result.moved, result.already_there) == (1, 1)
    assert theme_of(session, moved) == pricing
    assert session.get(FeedbackTheme, login).size == 5 and session.get(FeedbackTheme, pricing).size == 7  # type: ignore[union-attr]
    page = themes.theme_items(session, world.actor(), pricing)
    assert {i.feedback_id for i in page.items if i.locked} == {moved, ids["pricing"][0]}
    event = _actions(session, "feedback_theme.items_moved")[0]
    assert event.changes == {"to_theme": pricing, "moves": f"{moved} from {login}"}

    run_analysis(session, world.actor())  # nothing changed: nothing undone
    session.execute(
        update(Feedback).where(Feedback.id == moved).values(text="Login fails with an error, again")
    )
    summary = run_analysis(session, world.actor())
    session.commit()
    assert summary.analysed == 1 and theme_of(session, moved) == pricing

    parent = session.get(FeedbackTheme, pricing).parent_id  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match="sub-themes"):
        themes.move_items(session, world.actor(), parent, [moved])  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="no feedback item"):
        themes.move_items(session, world.actor(), pricing, [999_999])
    unanalysed = make_feedback(session, world, text="Not analysed yet").id
    with pytest.raises(ValidationFailed, match="not analysed"):
        themes.move_items(session, world.actor(), pricing, [unanalysed])
    other = make_world(session)
    with pytest.raises(NotFound):
        themes.move_items(session, other.actor(), pricing, [moved])
    with pytest.raises(PermissionDenied):
        themes.move_items(session, world.actor(Role.VIEWER), login, [moved])


def test_candidate_themes_from_later_runs_get_their_own_rows_and_parents_merge_and_split(
    session: Session,
) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    ids["dark"] = [make_feedback(session, world, text=t).id for t in DARK_MODE]
    run_analysis(session, world.actor())
    ids["crash"] = [make_feedback(session, world, text=t).id for t in CRASHES]
    summary = run_analysis(session, world.actor())
    session.commit()
    dark, crash = the_theme(session, ids["dark"]), the_theme(session, ids["crash"])
    assert dark != crash and summary.candidate_themes == 2  # the second batch did not overwrite the first
    keys = list(session.scalars(select(FeedbackTheme.key)))
    assert len(keys) == len(set(keys))
    top = {s.theme.id: s for s in themes.list_themes(session, world.actor(), "top").items}
    assert top[dark].theme.candidate and top[dark].demand.items == 6

    parent = session.get(FeedbackTheme, the_theme(session, ids["login"])).parent_id  # type: ignore[union-attr]
    pricing = the_theme(session, ids["pricing"])
    split = themes.split_theme(session, world.actor(), parent, SplitRequest(theme_ids=[pricing]))  # type: ignore[arg-type]
    session.commit()
    assert split.moved == 1 and session.get(FeedbackTheme, pricing).parent_id == split.created.id  # type: ignore[union-attr]
    assert themes.theme_demand(session, world.actor(), split.created.id).items == 6
    assert themes.theme_demand(session, world.actor(), parent).items == 12  # type: ignore[arg-type]

    merged = themes.merge_themes(session, world.actor(), split.created.id, parent)  # type: ignore[arg-type]
    session.commit()
    assert merged.moved_sub_themes == 1 and session.get(FeedbackTheme, pricing).parent_id == parent  # type: ignore[union-attr]
    assert split.created.id not in {
        s.theme.id for s in themes.list_themes(session, world.actor(), "top").items
    }
    assert themes.theme_demand(session, world.actor(), parent).items == 18  # type: ignore[arg-type]


def test_pinned_and_renamed_themes_keep_their_place_and_name(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 9000.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme]})
    login = the_theme(session, ids["login"])
    themes.pin_theme(session, world.actor(), login)
    themes.rename_theme(session, world.actor(), login, "Sign-in trouble")
    session.commit()
    ranked = themes.list_themes(session, world.actor(), "sub", "arr").items
    assert ranked[0].theme.id == login and ranked[0].theme.pinned  # pinned first, although it has no ARR
    assert ranked[1].theme.id == the_theme(session, ids["export"])
    make_feedback(session, world, text="I cannot sign in since this morning")
    run_analysis(session, world.actor())
    session.commit()
    row = session.get(FeedbackTheme, login)
    session.refresh(row)
    assert row is not None and row.name == "Sign-in trouble" and row.pinned
    assert len(_actions(session, "feedback_theme.pinned")) == 1
    assert len(_actions(session, "feedback_theme.renamed")) == 1


def test_ideas_are_suggested_by_meaning_and_an_idea_made_from_a_theme_shows_its_demand(
    session: Session,
) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 1000.0, "smb")
    globex = make_customer(session, world, "Globex", 5000.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme, globex, acme]})
    export = the_theme(session, ids["export"])
    wanted = make_idea(session, world, "Export reports to CSV and Excel")
    for title in ("Cheaper plan for small teams", "Fix login failures after password reset", "Dark mode"):
        make_idea(session, world, title)

    suggestions = themes.suggest_ideas(session, world.actor(), export)
    session.commit()
    assert suggestions[0].idea_id == wanted.id and suggestions[0].similarity > 0.5
    assert all(s.similarity >= themes.SUGGEST_MIN_SIMILARITY for s in suggestions)
    assert session.scalar(select(FeedbackIdeaVector.text_hash).where(FeedbackIdeaVector.idea_id == wanted.id))
    assert len(session.scalars(select(FeedbackIdeaVector)).all()) == 4
    before = session.scalar(
        select(FeedbackIdeaVector.text_hash).where(FeedbackIdeaVector.idea_id == wanted.id)
    )
    ideas_service.update_idea(session, world.actor(), wanted.id, IdeaUpdate(description="Also PDF."))
    themes.suggest_ideas(session, world.actor(), export)
    session.commit()
    after = session.scalar(
        select(FeedbackIdeaVector.text_hash).where(FeedbackIdeaVector.idea_id == wanted.id)
    )
    assert before != after  # a changed idea is embedded again

    made = themes.create_idea_from_theme(session, world.actor(), export, CreateIdeaRequest(importance=3))
    session.commit()
    assert made.linked == 6 and made.idea.feedback_count == 6
    assert made.idea.title == session.get(FeedbackTheme, export).name  # type: ignore[union-attr]
    links = session.scalars(select(IdeaFeedbackLink).where(IdeaFeedbackLink.idea_id == made.idea.id)).all()
    assert sorted(link.feedback_id for link in links) == sorted(ids["export"])
    assert {link.importance for link in links} == {3}
    demand = ideas_service.idea_demand(session, world.actor(), made.idea.id)
    assert (demand.customers, demand.total_arr) == (2, 6000.0)
    behind = themes.idea_themes(session, world.actor(), made.idea.id)
    assert [(t.theme_id, t.items, t.customers, t.arr) for t in behind] == [(export, 6, 2, 6000.0)]
    again = {
        s.idea_id: s.linked_items for s in themes.suggest_ideas(session, world.actor(), export, limit=10)
    }
    assert again.get(made.idea.id) == 6
    assert len(_actions(session, "feedback_theme.idea_created")) == 1
    with pytest.raises(PermissionDenied):
        themes.create_idea_from_theme(session, world.actor(Role.CONTRIBUTOR), export, CreateIdeaRequest())


def test_viewers_read_themes_but_cannot_change_them(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    viewer = world.actor(Role.VIEWER)
    export, login = the_theme(session, ids["export"]), the_theme(session, ids["login"])
    assert themes.list_themes(session, viewer).total >= 1
    detail = themes.get_theme(session, viewer, export)
    assert detail.demand.items == 6
    assert detail.cohesion is None, "items placed without a similarity give no cohesion"
    rows = session.scalars(select(FeedbackAnalysis).where(FeedbackAnalysis.theme_id == export)).all()
    for position, row in enumerate(rows):
        row.theme_similarity = 0.5 if position % 2 else 0.7
    session.flush()
    expected = sum(0.5 if k % 2 else 0.7 for k in range(len(rows))) / len(rows)
    assert themes.get_theme(session, viewer, export).cohesion == pytest.approx(expected, abs=1e-4)
    for attempt in (
        lambda: themes.merge_themes(session, viewer, export, login),
        lambda: themes.split_theme(session, viewer, export, SplitRequest()),
        lambda: themes.pin_theme(session, viewer, export),
        lambda: themes.rename_theme(session, viewer, export, "x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    with pytest.raises(ValidationFailed):
        themes.list_themes(session, viewer, "middle")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        themes.get_theme(session, make_world(session).actor(), export)

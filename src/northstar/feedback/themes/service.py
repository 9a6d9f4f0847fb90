"""Use cases of the themes: explore them with their demand, keep them under human control, turn them into ideas.

Two levels: a *theme* at the top (``parent_id`` is None: a parent that groups sub-themes, or a candidate theme the
analysis found among items that fit nothing) and its *sub-themes*. Items belong to sub-themes (and to candidate
themes); a parent's demand is that of all its sub-themes' items.

Human edits — rename, pin, merge, split, move items — are stored (``themes_store``) and audited, and
``analysis_service.run_analysis`` applies them on every re-analysis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import Page, get_owned
from northstar.core.permissions import READ, Actor
from northstar.customers.models import Customer
from northstar.feedback.analysis.service import (  # rename_theme and pin_theme are use cases of this module too
    is_group,
    merged_map,
    pin_theme,
    refresh_sizes,
    rename_theme,
    survivor,
    unique_key,
)
from northstar.feedback.engine.clustering import unit_rows
from northstar.feedback.engine.embeddings import EMBEDDING_DIMENSION, Embedder, text_hash
from northstar.feedback.engine.naming import keywords_per_cluster, phrase_names, representative_quotes
from northstar.feedback.engine.normalize import normalize
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.themes import FeedbackIdeaVector, FeedbackThemeLock, FeedbackThemeOverride
from northstar.feedback.ownership import require_in_workspace
from northstar.feedback.themes.demand import demand_by_theme, empty_demand
from northstar.feedback.themes.schemas import (
    CreateIdeaRequest,
    IdeaFromTheme,
    IdeaSuggestion,
    IdeaTheme,
    Level,
    LinkToIdeaRequest,
    LinkToIdeaResult,
    MergeResult,
    MoveResult,
    RemoveResult,
    SortKey,
    SplitRequest,
    SplitResult,
    ThemeDemand,
    ThemeDetail,
    ThemeItem,
    ThemeRead,
    ThemeSummary,
)
from northstar.ideas import service as ideas_service
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.ideas.schemas import IdeaCreate, IdeaRead, LinkRequest

WRITE = "feedback.write"
LEVELS = ("top", "sub")
SORTS = ("arr", "items", "customers", "trend", "name")
#: ideas less similar than this to a theme are not suggested (cosine of MiniLM vectors)
SUGGEST_MIN_SIMILARITY = 0.3
_LINK_CHUNK = 5000
__all__ = [
    "create_idea_from_theme",
    "get_theme",
    "idea_themes",
    "link_theme_to_idea",
    "list_themes",
    "merge_themes",
    "move_items",
    "pin_theme",
    "refresh_idea_vectors",
    "remove_from_theme",
    "rename_theme",
    "split_theme",
    "suggest_ideas",
    "theme_choices",
    "theme_demand",
    "theme_items",
]


# ---------------------------------------------------------------- reading


def _theme(session: Session, actor: Actor, theme_id: int) -> FeedbackTheme:
    return get_owned(session, FeedbackTheme, theme_id, actor.workspace_id, "theme")


def _live_theme(session: Session, actor: Actor, theme_id: int, field: str = "theme_id") -> FeedbackTheme:
    """A theme a person can act on: in this workspace and not merged into another."""
    row = _theme(session, actor, theme_id)
    merged = merged_map(session, actor.workspace_id)
    if row.id in merged:
        target = survivor(row.id, merged)
        raise ValidationFailed(
            f"theme {row.id} was merged into theme {target}; act on theme {target} instead",
            [FieldError(field, f"merged into {target}")],
        )
    return row


def level_of(row: FeedbackTheme) -> Level:
    return "top" if row.parent_id is None else "sub"


def _rows(session: Session, workspace_id: int) -> list[FeedbackTheme]:
    return list(session.scalars(select(FeedbackTheme).where(FeedbackTheme.workspace_id == workspace_id)))


def _sort(summaries: list[ThemeSummary], sort: SortKey) -> list[ThemeSummary]:
    def key(s: ThemeSummary) -> tuple[object, ...]:
        d = s.demand
        by = {
            "arr": (-d.arr, -d.items),
            "items": (-d.items, -d.arr),
            "customers": (-d.customers, -d.arr),
            "trend": (-(d.trend.z if d.trend.z is not None else -1e9), -d.items),
            "name": (s.theme.name.casefold(),),
        }[sort]
        return (not s.theme.pinned, *by, s.theme.id)

    return sorted(summaries, key=key)


def list_themes(
    session: Session,
    actor: Actor,
    level: Level = "top",
    sort: SortKey = "arr",
    page: int = 1,
    per_page: int = 50,
) -> Page[ThemeSummary]:
    """Themes that hold items (and pinned ones), pinned first, then ranked by ``sort``, with their demand."""
    actor.require(READ)
    if level not in LEVELS:
        raise ValidationFailed(f"level must be one of {', '.join(LEVELS)}", [FieldError("level", "unknown")])
    if sort not in SORTS:
        raise ValidationFailed(f"sort must be one of {', '.join(SORTS)}", [FieldError("sort", "unknown")])
    if page < 1 or not 1 <= per_page <= 500:
        raise ValidationFailed(
            "page must be ≥ 1 and per_page between 1 and 500", [FieldError("per_page", "")]
        )
    rows = _rows(session, actor.workspace_id)
    merged = merged_map(session, actor.workspace_id)
    names = {row.id: row.name for row in rows}
    wanted = [
        row
        for row in rows
        if row.id not in merged and (row.parent_id is None if level == "top" else not is_group(row))
    ]
    demand = demand_by_theme(session, actor.workspace_id, level)
    blank = empty_demand(session, actor.workspace_id)
    summaries = [
        ThemeSummary(
            theme=ThemeRead.model_validate(row),
            level=level,
            parent_name=names.get(row.parent_id) if row.parent_id else None,
            demand=demand.get(row.id, blank),
        )
        for row in wanted
        if row.id in demand or row.pinned
    ]
    ranked = _sort(summaries, sort)
    start = (page - 1) * per_page
    return Page(items=ranked[start : start + per_page], total=len(ranked), page=page, per_page=per_page)


def theme_demand(session: Session, actor: Actor, theme_id: int) -> ThemeDemand:
    """Items, unique customers, ARR (each customer once), segments, sentiment, rating and weekly trend of a theme."""
    actor.require(READ)
    row = _theme(session, actor, theme_id)
    found = demand_by_theme(session, actor.workspace_id, level_of(row), [row.id])
    return found.get(row.id) or empty_demand(session, actor.workspace_id)


def get_theme(session: Session, actor: Actor, theme_id: int) -> ThemeDetail:
    """A theme with its demand, its sub-themes (for a parent) and the human edits that shaped it."""
    actor.require(READ)
    row = _theme(session, actor, theme_id)
    merged = merged_map(session, actor.workspace_id)
    parent = session.get(FeedbackTheme, row.parent_id) if row.parent_id else None
    children = [
        c
        for c in session.scalars(select(FeedbackTheme).where(FeedbackTheme.parent_id == row.id))
        if c.id not in merged
    ]
    child_demand = demand_by_theme(session, actor.workspace_id, "sub", [c.id for c in children])
    blank = empty_demand(session, actor.workspace_id)
    sub_themes = _sort(
        [
            ThemeSummary(
                theme=ThemeRead.model_validate(c),
                level="sub",
                parent_name=row.name,
                demand=child_demand.get(c.id, blank),
            )
            for c in children
        ],
        "items",
    )
    override = session.scalar(select(FeedbackThemeOverride).where(FeedbackThemeOverride.theme_id == row.id))
    cohesion = session.scalar(
        select(func.avg(FeedbackAnalysis.theme_similarity)).where(
            FeedbackAnalysis.workspace_id == actor.workspace_id,
            FeedbackAnalysis.theme_id.in_(_item_theme_ids(session, row)),
        )
    )
    return ThemeDetail(
        theme=ThemeRead.model_validate(row),
        level=level_of(row),
        parent_name=parent.name if parent else None,
        demand=theme_demand(session, actor, row.id),
        is_parent=is_group(row),
        sub_themes=sub_themes,
        merged_from=sorted(k for k, v in merged.items() if v == row.id),
        merged_into_id=survivor(row.id, merged) if row.id in merged else None,
        split_from_id=override.split_from_id if override else None,
        cohesion=round(float(cohesion), 4) if cohesion is not None else None,
    )


def _item_theme_ids(session: Session, row: FeedbackTheme) -> list[int]:
    """The sub-themes whose items count for ``row`` (itself, or a parent's sub-themes)."""
    if not is_group(row):
        return [row.id]
    return list(session.scalars(select(FeedbackTheme.id).where(FeedbackTheme.parent_id == row.id)))


def theme_items(
    session: Session, actor: Actor, theme_id: int, page: int = 1, per_page: int = 50
) -> Page[ThemeItem]:
    """The feedback in a theme, newest first, with its customer and whether a person placed it there."""
    actor.require(READ)
    if page < 1 or not 1 <= per_page <= 500:
        raise ValidationFailed(
            "page must be ≥ 1 and per_page between 1 and 500", [FieldError("per_page", "")]
        )
    row = _theme(session, actor, theme_id)
    ids = _item_theme_ids(session, row)
    scope = (FeedbackAnalysis.workspace_id == actor.workspace_id, FeedbackAnalysis.theme_id.in_(ids))
    total = session.scalar(select(func.count()).select_from(FeedbackAnalysis).where(*scope)) or 0
    rows = session.execute(
        select(FeedbackAnalysis, Feedback, Customer, FeedbackThemeLock.feedback_id)
        .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(FeedbackThemeLock, FeedbackThemeLock.feedback_id == FeedbackAnalysis.feedback_id)
        .where(*scope)
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        ThemeItem(
            feedback_id=item.id,
            text=item.text[:2000],
            source=item.source,
            received_at=item.received_at,
            rating=item.rating,
            kind=analysis.kind,
            sentiment=analysis.sentiment,
            theme_id=int(analysis.theme_id or 0),
            locked=lock is not None,
            customer_id=customer.id if customer else None,
            customer_name=customer.name if customer else None,
            customer_segment=customer.segment if customer else None,
            customer_arr=float(customer.arr) if customer else None,
        )
        for analysis, item, customer, lock in rows
    ]
    return Page(items=items, total=int(total), page=page, per_page=per_page)


def theme_choices(session: Session, actor: Actor, parents: bool) -> list[tuple[int, str]]:
    """(id, label) of the live parent themes, or of the themes that hold items (sub-themes labelled
    "parent › name", and candidate themes), for pickers."""
    groups, holders = theme_picker_lists(session, actor)
    return groups if parents else holders


def theme_picker_lists(session: Session, actor: Actor) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Both lists of ``theme_choices`` (parents, themes that hold items) from one read of the themes."""
    actor.require(READ)
    rows = _rows(session, actor.workspace_id)
    merged = merged_map(session, actor.workspace_id)
    names = {row.id: row.name for row in rows}
    groups: list[tuple[int, str]] = []
    holders: list[tuple[int, str]] = []
    for row in rows:
        if row.id in merged:
            continue
        label = f"{names[row.parent_id]} › {row.name}" if row.parent_id in names else row.name
        (groups if is_group(row) else holders).append((row.id, label))
    return sorted(groups, key=lambda pair: pair[1].casefold()), sorted(
        holders, key=lambda pair: pair[1].casefold()
    )


def idea_themes(session: Session, actor: Actor, idea_id: int) -> list[IdeaTheme]:
    """The themes behind an idea: its linked items grouped by theme, with unique customers and their ARR."""
    idea = ideas_service.get_idea(session, actor, idea_id)
    rows = session.execute(
        select(FeedbackAnalysis.theme_id, Feedback.customer_id, Customer.arr)
        .select_from(IdeaFeedbackLink)
        .join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == IdeaFeedbackLink.feedback_id)
        .join(Feedback, Feedback.id == IdeaFeedbackLink.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .where(IdeaFeedbackLink.idea_id == idea.id, FeedbackAnalysis.theme_id.is_not(None))
    ).all()
    items: dict[int, int] = defaultdict(int)
    customers: dict[int, dict[int, float]] = defaultdict(dict)
    for theme_id, customer_id, arr in rows:
        items[int(theme_id or 0)] += 1
        if customer_id is not None:
            customers[int(theme_id or 0)][int(customer_id)] = float(arr or 0.0)
    if not items:
        return []
    themes = {
        row.id: row
        for row in session.scalars(
            select(FeedbackTheme).where(FeedbackTheme.workspace_id == actor.workspace_id)
        )
    }
    result = [
        IdeaTheme(
            theme_id=theme_id,
            name=themes[theme_id].name,
            parent_name=themes[parent].name if (parent := themes[theme_id].parent_id) in themes else None,
            items=count,
            customers=len(customers[theme_id]),
            arr=round(sum(customers[theme_id].values()), 2),
        )
        for theme_id, count in items.items()
        if theme_id in themes
    ]
    return sorted(result, key=lambda t: (-t.items, -t.arr, t.name))


# ---------------------------------------------------------------- human control


def _override(session: Session, actor: Actor, theme_id: int) -> FeedbackThemeOverride:
    row = session.scalar(select(FeedbackThemeOverride).where(FeedbackThemeOverride.theme_id == theme_id))
    if row is None:
        row = FeedbackThemeOverride(
            workspace_id=actor.workspace_id, theme_id=theme_id, created_by=actor.user_id
        )
        session.add(row)
    return row


def merge_themes(session: Session, actor: Actor, theme_id: int, into_theme_id: int) -> MergeResult:
    """Merge a theme into another: its items (or, for a parent, its sub-themes) move to the survivor, which keeps its
    name; re-analysis sends new items that resemble the absorbed theme to the survivor too."""
    actor.require(WRITE)
    source = _live_theme(session, actor, theme_id)
    target = _live_theme(session, actor, into_theme_id, "into_theme_id")
    if source.id == target.id:
        raise ValidationFailed(
            "a theme cannot be merged into itself", [FieldError("into_theme_id", "same theme")]
        )
    if is_group(source) != is_group(target):
        raise ValidationFailed(
            "merge a parent theme into a parent theme, or a sub-theme into a sub-theme",
            [FieldError("into_theme_id", "different level")],
        )
    ws = actor.workspace_id
    moved_items = moved_children = 0
    if is_group(source):
        moved_children = len(_item_theme_ids(session, source))
        session.execute(
            update(FeedbackTheme)
            .where(FeedbackTheme.workspace_id == ws, FeedbackTheme.parent_id == source.id)
            .values(parent_id=target.id)
        )
    else:
        moved_items = (
            session.scalar(
                select(func.count())
                .select_from(FeedbackAnalysis)
                .where(FeedbackAnalysis.workspace_id == ws, FeedbackAnalysis.theme_id == source.id)
            )
            or 0
        )
        session.execute(
            update(FeedbackAnalysis)
            .where(FeedbackAnalysis.workspace_id == ws, FeedbackAnalysis.theme_id == source.id)
            .values(theme_id=target.id)
        )
        session.execute(
            update(FeedbackThemeLock)
            .where(FeedbackThemeLock.workspace_id == ws, FeedbackThemeLock.theme_id == source.id)
            .values(theme_id=target.id)
        )
    session.execute(
        update(FeedbackThemeOverride)
        .where(FeedbackThemeOverride.workspace_id == ws, FeedbackThemeOverride.merged_into_id == source.id)
        .values(merged_into_id=target.id)
    )
    _override(session, actor, source.id).merged_into_id = target.id
    session.flush()
    session.expire_all()
    refresh_sizes(session, ws)
    audit.record(
        session,
        actor,
        "feedback_theme.merged",
        "feedback_theme",
        source.id,
        f"{source.name} → {target.name}",
        {"merged_into": target.id, "items": moved_items, "sub_themes": moved_children},
    )
    return MergeResult(
        survivor=ThemeRead.model_validate(target),
        absorbed_id=source.id,
        moved_items=int(moved_items),
        moved_sub_themes=moved_children,
    )


def move_items(session: Session, actor: Actor, theme_id: int, feedback_ids: Sequence[int]) -> MoveResult:
    """Put analysed feedback items in a (sub-)theme; re-analysis keeps them there."""
    actor.require(WRITE)
    target = _live_theme(session, actor, theme_id)
    if is_group(target):
        raise ValidationFailed(
            f"theme {target.id} groups sub-themes; move items into one of its sub-themes",
            [FieldError("theme_id", "parent theme")],
        )
    wanted = sorted(set(feedback_ids))
    if not wanted:
        raise ValidationFailed("choose at least one feedback item", [FieldError("feedback_ids", "empty")])
    rows = {
        row.feedback_id: row
        for row in session.scalars(
            select(FeedbackAnalysis).where(
                FeedbackAnalysis.workspace_id == actor.workspace_id, FeedbackAnalysis.feedback_id.in_(wanted)
            )
        )
    }
    _check_movable(session, actor, wanted, rows)
    locks = {
        lock.feedback_id: lock
        for lock in session.scalars(
            select(FeedbackThemeLock).where(FeedbackThemeLock.feedback_id.in_(wanted))
        )
    }
    moves: dict[int, int | None] = {}
    already = 0
    for feedback_id in wanted:
        row = rows[feedback_id]
        if row.theme_id == target.id:
            already += 1
        else:
            moves[feedback_id] = row.theme_id
            row.theme_id, row.theme_similarity = target.id, None
        _lock(session, actor, locks, feedback_id, target.id)
    session.flush()
    refresh_sizes(session, actor.workspace_id)
    audit.record(
        session,
        actor,
        "feedback_theme.items_moved",
        "feedback_theme",
        target.id,
        f"{len(moves)} item(s) moved to {target.name}",
        {
            "to_theme": target.id,
            "moves": "; ".join(f"{item} from {before}" for item, before in list(moves.items())[:200]),
        },
    )
    return MoveResult(theme_id=target.id, moved=len(moves), already_there=already)


def remove_from_theme(session: Session, actor: Actor, feedback_ids: Sequence[int]) -> RemoveResult:
    """Take analysed items out of their theme; re-analysis keeps them out of every theme (a lock without a theme)."""
    actor.require(WRITE)
    wanted = sorted(set(feedback_ids))
    if not wanted:
        raise ValidationFailed("choose at least one feedback item", [FieldError("feedback_ids", "empty")])
    rows = {
        row.feedback_id: row
        for row in session.scalars(
            select(FeedbackAnalysis).where(
                FeedbackAnalysis.workspace_id == actor.workspace_id, FeedbackAnalysis.feedback_id.in_(wanted)
            )
        )
    }
    _check_movable(session, actor, wanted, rows)
    locks = {
        lock.feedback_id: lock
        for lock in session.scalars(
            select(FeedbackThemeLock).where(FeedbackThemeLock.feedback_id.in_(wanted))
        )
    }
    removed: dict[int, int] = {}
    for feedback_id in wanted:
        row = rows[feedback_id]
        if row.theme_id is not None:
            removed[feedback_id] = row.theme_id
            row.theme_id, row.theme_similarity = None, None
        lock = locks.get(feedback_id)
        if lock is None:
            session.add(
                FeedbackThemeLock(
                    feedback_id=feedback_id,
                    workspace_id=actor.workspace_id,
                    theme_id=None,
                    locked_by=actor.user_id,
                )
            )
        else:
            lock.theme_id, lock.locked_by = None, actor.user_id
    session.flush()
    refresh_sizes(session, actor.workspace_id)
    audit.record(
        session,
        actor,
        "feedback.theme_removed",
        "feedback",
        wanted[0] if len(wanted) == 1 else None,
        f"{len(removed)} item(s) taken out of their theme",
        {
            "feedback_ids": ",".join(map(str, wanted[:200])),
            "from_themes": "; ".join(f"{item} from {before}" for item, before in list(removed.items())[:200]),
        },
    )
    return RemoveResult(removed=len(removed), already_out=len(wanted) - len(removed))


def _check_movable(
    session: Session, actor: Actor, wanted: list[int], rows: dict[int, FeedbackAnalysis]
) -> None:
    require_in_workspace(session, actor, wanted, outcome="moved")
    unanalysed = [i for i in wanted if i not in rows]
    if unanalysed:
        raise ValidationFailed(
            f"feedback {', '.join(map(str, unanalysed[:10]))} is not analysed yet; run the analysis first",
            [FieldError("feedback_ids", f"not analysed: {i}") for i in unanalysed[:100]],
        )
    empty = [i for i in wanted if rows[i].empty]
    if empty:
        raise ValidationFailed(
            f"feedback {', '.join(map(str, empty[:10]))} has no text to put in a theme",
            [FieldError("feedback_ids", f"empty: {i}") for i in empty[:100]],
        )


def _lock(
    session: Session, actor: Actor, locks: dict[int, FeedbackThemeLock], feedback_id: int, theme_id: int
) -> None:
    lock = locks.get(feedback_id)
    if lock is None:
        lock = FeedbackThemeLock(feedback_id=feedback_id, workspace_id=actor.workspace_id, theme_id=theme_id)
        session.add(lock)
        locks[feedback_id] = lock
    lock.theme_id, lock.locked_by = theme_id, actor.user_id


# ---------------------------------------------------------------- splitting


def two_means(vectors: np.ndarray, weights: np.ndarray | None = None, steps: int = 30) -> np.ndarray:
    """Labels 0/1 from spherical 2-means (deterministic start: the member farthest from the mean, then the one
    farthest from it); label 0 is the heavier half. All one label when the members cannot be told apart."""
    unit = unit_rows(vectors)
    weights = np.ones(len(unit), dtype=np.float32) if weights is None else weights.astype(np.float32)
    first = int(np.argmin(unit @ (weights[:, None] * unit).sum(axis=0)))
    second = int(np.argmin(unit @ unit[first]))
    if float(unit[first] @ unit[second]) > 0.9999:
        return np.zeros(len(unit), dtype=np.int64)
    centres = unit[[first, second]]
    labels = np.zeros(len(unit), dtype=np.int64)
    for step in range(steps):
        new_labels = np.argmax(unit @ centres.T, axis=1)
        if step > 0 and np.array_equal(labels, new_labels):
            break
        labels = new_labels
        if labels.min() == labels.max():
            break
        centres = unit_rows(
            np.stack([(weights[labels == k, None] * unit[labels == k]).sum(axis=0) for k in (0, 1)])
        )
    if weights[labels == 1].sum() > weights[labels == 0].sum():
        labels = 1 - labels
    return labels


def split_theme(session: Session, actor: Actor, theme_id: int, request: SplitRequest) -> SplitResult:
    """Split a theme in two: the chosen members (items of a sub-theme, sub-themes of a parent) or, when none are
    chosen, the smaller half of a 2-means re-clustering go to a new theme beside it."""
    actor.require(WRITE)
    row = _live_theme(session, actor, theme_id)
    if is_group(row):
        return _split_group(session, actor, row, request)
    if request.theme_ids:
        raise ValidationFailed(
            "theme_ids splits a parent theme; to split a sub-theme choose feedback_ids",
            [FieldError("theme_ids", "not a parent theme")],
        )
    members = session.execute(
        select(FeedbackAnalysis, Feedback.text)
        .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
        .where(FeedbackAnalysis.workspace_id == actor.workspace_id, FeedbackAnalysis.theme_id == row.id)
        .order_by(FeedbackAnalysis.feedback_id)
    ).all()
    ids = [analysis.feedback_id for analysis, _ in members]
    vectors = _stack([analysis.embedding for analysis, _ in members])
    labels = _labels(ids, request.feedback_ids, vectors, None, "feedback_ids", "items")
    texts = [normalize(text).text for _, text in members]
    new = _new_theme(session, actor, row, row.parent_id, row.candidate, request.name)
    _name_halves(row, new, texts, vectors, labels, request.name)
    moved = [members[int(k)][0] for k in np.flatnonzero(labels == 1)]
    for analysis in moved:
        analysis.theme_id, analysis.theme_similarity = new.id, None
    moved_ids = [analysis.feedback_id for analysis in moved]
    locks = {
        lock.feedback_id: lock
        for lock in session.scalars(
            select(FeedbackThemeLock).where(FeedbackThemeLock.feedback_id.in_(moved_ids))
        )
    }
    for feedback_id in moved_ids:
        if request.feedback_ids or feedback_id in locks:  # chosen by a person, or placed by one earlier
            _lock(session, actor, locks, feedback_id, new.id)
    _repoint_aliases(session, actor, row, new)
    return _finish_split(session, actor, row, new, len(moved_ids), "items")


def _split_group(session: Session, actor: Actor, row: FeedbackTheme, request: SplitRequest) -> SplitResult:
    if request.feedback_ids:
        raise ValidationFailed(
            "feedback_ids splits a sub-theme; to split a parent theme choose theme_ids of its sub-themes",
            [FieldError("feedback_ids", "parent theme")],
        )
    merged = merged_map(session, actor.workspace_id)
    children = [
        c
        for c in session.scalars(
            select(FeedbackTheme).where(FeedbackTheme.parent_id == row.id).order_by(FeedbackTheme.id)
        )
        if c.id not in merged
    ]
    ids = [c.id for c in children]
    centroids = _stack([c.centroid for c in children])
    weights = np.array([max(c.size, 1) for c in children], dtype=np.float32)
    child_labels = _labels(ids, request.theme_ids, centroids, weights, "theme_ids", "sub-themes")
    label_of = {c.id: int(label) for c, label in zip(children, child_labels, strict=True)}
    members = session.execute(
        select(FeedbackAnalysis.theme_id, FeedbackAnalysis.embedding, Feedback.text)
        .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
        .where(FeedbackAnalysis.workspace_id == actor.workspace_id, FeedbackAnalysis.theme_id.in_(ids))
    ).all()
    labels = np.array([label_of[int(theme or 0)] for theme, _, _ in members], dtype=np.int64)
    new = _new_theme(session, actor, row, None, False, request.name)
    _name_halves(
        row,
        new,
        [normalize(t).text for _, _, t in members],
        _stack([e for _, e, _ in members]),
        labels,
        request.name,
    )
    moved = [c for c in children if label_of[c.id] == 1]
    for child in moved:
        child.parent_id = new.id
    return _finish_split(session, actor, row, new, len(moved), "sub-themes")


def _stack(blobs: Sequence[bytes | None]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
    return np.stack(
        [
            np.frombuffer(b, dtype=np.float16).astype(np.float32)
            if b is not None
            else np.zeros(EMBEDDING_DIMENSION, np.float32)
            for b in blobs
        ]
    )


def _labels(
    ids: list[int],
    chosen: Sequence[int],
    vectors: np.ndarray,
    weights: np.ndarray | None,
    field: str,
    what: str,
) -> np.ndarray:
    """0/1 per member: 1 for the chosen ones, else the smaller half of a 2-means split."""
    if chosen:
        unknown = sorted(set(chosen) - set(ids))
        if unknown:
            raise ValidationFailed(
                f"{', '.join(map(str, unknown[:10]))} {'is' if len(unknown) == 1 else 'are'} not among this "
                f"theme's {what}; nothing was split",
                [FieldError(field, f"not in the theme: {i}") for i in unknown[:100]],
            )
        picked = set(chosen)
        if len(picked) >= len(ids):
            raise ValidationFailed(
                f"choose some, not all, of the theme's {what}", [FieldError(field, "all members chosen")]
            )
        return np.array([1 if i in picked else 0 for i in ids], dtype=np.int64)
    if len(ids) < 2:
        raise ValidationFailed(
            f"a theme needs at least 2 {what} to be split", [FieldError(field, f"{len(ids)} {what}")]
        )
    labels = two_means(vectors, weights)
    if labels.min() == labels.max():
        raise ValidationFailed(
            f"the theme's {what} are too alike to split automatically; choose the {what} to split off",
            [FieldError(field, "no second cluster")],
        )
    return labels


def _new_theme(
    session: Session,
    actor: Actor,
    row: FeedbackTheme,
    parent_id: int | None,
    candidate: bool,
    name: str | None,
) -> FeedbackTheme:
    taken = set(
        session.scalars(select(FeedbackTheme.key).where(FeedbackTheme.workspace_id == actor.workspace_id))
    )
    new = FeedbackTheme(
        workspace_id=actor.workspace_id,
        key=unique_key("s1", taken),
        name=" ".join(name.split()) if name else f"{row.name} (split)"[:300],
        name_locked=bool(name),
        parent_id=parent_id,
        candidate=candidate,
        keywords=[],
        quotes=[],
        size=0,
    )
    session.add(new)
    session.flush()
    _override(session, actor, new.id).split_from_id = row.id
    return new


def _name_halves(
    row: FeedbackTheme,
    new: FeedbackTheme,
    texts: list[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    name: str | None,
) -> None:
    """Keywords, quotes and centroid for both halves; each named by its most typical phrase unless a person chose
    the name (no embedder here: a split is a person's quick edit, and they can rename)."""
    keywords = keywords_per_cluster(texts, labels, 2)
    unit = unit_rows(vectors) if len(vectors) else vectors
    halves = [np.flatnonzero(labels == half) for half in (0, 1)]
    centroids = np.stack(
        [
            unit_rows(unit[m].mean(axis=0, keepdims=True))[0] if len(m) else np.zeros(unit.shape[1])
            for m in halves
        ]
    ).astype(np.float32)
    names = phrase_names(texts, [m.tolist() for m in halves], centroids, None, [row.name, new.name])
    for half, theme in ((0, row), (1, new)):
        members = np.flatnonzero(labels == half)
        centroid = unit_rows(unit[members].mean(axis=0, keepdims=True))[0] if len(members) else None
        theme.keywords = keywords[half]
        theme.quotes = representative_quotes(texts, unit, members, centroid) if centroid is not None else []
        if centroid is not None:
            theme.centroid = np.asarray(centroid, dtype=np.float16).tobytes()
        if not theme.name_locked:
            theme.name = names[half][:300]


def _repoint_aliases(session: Session, actor: Actor, row: FeedbackTheme, new: FeedbackTheme) -> None:
    """Themes merged earlier into the split theme now lead to whichever half is closer to them."""
    if row.centroid is None or new.centroid is None:
        return
    kept = np.frombuffer(row.centroid, dtype=np.float16).astype(np.float32)
    created = np.frombuffer(new.centroid, dtype=np.float16).astype(np.float32)
    overrides = session.scalars(
        select(FeedbackThemeOverride).where(
            FeedbackThemeOverride.workspace_id == actor.workspace_id,
            FeedbackThemeOverride.merged_into_id == row.id,
        )
    )
    for override in overrides:
        alias = session.get(FeedbackTheme, override.theme_id)
        if alias is None or alias.centroid is None:
            continue
        vector = np.frombuffer(alias.centroid, dtype=np.float16).astype(np.float32)
        if float(vector @ created) > float(vector @ kept):
            override.merged_into_id = new.id


def _finish_split(
    session: Session, actor: Actor, row: FeedbackTheme, new: FeedbackTheme, moved: int, what: str
) -> SplitResult:
    session.flush()
    refresh_sizes(session, actor.workspace_id)
    audit.record(
        session,
        actor,
        "feedback_theme.split",
        "feedback_theme",
        row.id,
        f"{row.name} split: {moved} {what} to {new.name}",
        {"created_theme": new.id, "moved": moved},
    )
    return SplitResult(kept=ThemeRead.model_validate(row), created=ThemeRead.model_validate(new), moved=moved)


# ---------------------------------------------------------------- from themes to ideas


def _idea_text(title: str, description: str) -> str:
    return f"{title}. {description}".strip()[:4000]


def _idea_vectors(session: Session, actor: Actor) -> tuple[list[tuple[int, str, str]], np.ndarray]:
    """Every idea of the workspace (id, title, status) with its vector; missing or stale vectors are embedded and
    cached (``feedback_idea_vectors``, keyed by the hash of title + description)."""
    ideas = session.execute(
        select(Idea.id, Idea.title, Idea.description, Idea.status)
        .where(Idea.workspace_id == actor.workspace_id)
        .order_by(Idea.id)
    ).all()
    cached = {
        row.idea_id: row
        for row in session.scalars(
            select(FeedbackIdeaVector).where(FeedbackIdeaVector.workspace_id == actor.workspace_id)
        )
    }
    texts = {int(i.id): _idea_text(i.title, i.description or "") for i in ideas}
    stale = [i for i, text in texts.items() if i not in cached or cached[i].text_hash != text_hash(text)]
    fresh: dict[int, np.ndarray] = {}
    if stale:
        vectors = Embedder().embed([texts[i] for i in stale])
        fresh = dict(zip(stale, vectors, strict=True))
        _cache_idea_vectors(session, actor.workspace_id, {i: (text_hash(texts[i]), fresh[i]) for i in stale})
    matrix = _stack([None for _ in ideas])
    for position, idea in enumerate(ideas):
        vector = fresh.get(int(idea.id))
        matrix[position] = (
            vector if vector is not None else np.frombuffer(cached[int(idea.id)].embedding, np.float16)
        )
    return [(int(i.id), str(i.title), str(i.status)) for i in ideas], matrix


def refresh_idea_vectors(session: Session, actor: Actor) -> int:
    """Embed the ideas whose vector is missing or stale (e.g. after seeding); returns how many ideas there are."""
    actor.require(READ)
    ideas, _matrix = _idea_vectors(session, actor)
    return len(ideas)


def _cache_idea_vectors(
    session: Session, workspace_id: int, vectors: dict[int, tuple[str, np.ndarray]]
) -> None:
    """Upsert idea vectors (INSERT … ON CONFLICT, so two requests caching the same idea never collide)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    rows = [
        {
            "idea_id": idea_id,
            "workspace_id": workspace_id,
            "text_hash": digest,
            "embedding": np.asarray(vector, dtype=np.float16).tobytes(),
        }
        for idea_id, (digest, vector) in vectors.items()
    ]
    statement = insert(FeedbackIdeaVector).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["idea_id"],
            set_={"text_hash": statement.excluded.text_hash, "embedding": statement.excluded.embedding},
        )
    )


def _theme_centroid(session: Session, row: FeedbackTheme, item_theme_ids: list[int]) -> np.ndarray | None:
    if row.centroid is not None:
        return np.frombuffer(row.centroid, dtype=np.float16).astype(np.float32)
    vectors = _stack(
        list(
            session.scalars(
                select(FeedbackAnalysis.embedding).where(
                    FeedbackAnalysis.theme_id.in_(item_theme_ids), FeedbackAnalysis.embedding.is_not(None)
                )
            )
        )
    )
    return vectors.mean(axis=0) if len(vectors) else None


def suggest_ideas(session: Session, actor: Actor, theme_id: int, limit: int = 5) -> list[IdeaSuggestion]:
    """Existing ideas closest in meaning to a theme (cosine of the idea's title + description to the theme's
    centroid, at least ``SUGGEST_MIN_SIMILARITY``), with how many of the theme's items each already has."""
    actor.require(READ)
    merged = merged_map(session, actor.workspace_id)
    row = _theme(session, actor, survivor(_theme(session, actor, theme_id).id, merged))
    theme_ids = _item_theme_ids(session, row)
    centroid = _theme_centroid(session, row, theme_ids)
    if centroid is None:
        return []
    ideas, matrix = _idea_vectors(session, actor)
    if not ideas:
        return []
    similarity = unit_rows(matrix) @ unit_rows(centroid[None, :])[0]
    order = [
        int(k) for k in np.argsort(-similarity, kind="stable") if similarity[k] >= SUGGEST_MIN_SIMILARITY
    ][:limit]
    linked = dict(
        session.execute(
            select(IdeaFeedbackLink.idea_id, func.count())
            .join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == IdeaFeedbackLink.feedback_id)
            .where(
                IdeaFeedbackLink.workspace_id == actor.workspace_id,
                IdeaFeedbackLink.idea_id.in_([ideas[k][0] for k in order]),
                FeedbackAnalysis.theme_id.in_(theme_ids),
            )
            .group_by(IdeaFeedbackLink.idea_id)
        ).all()
    )
    return [
        IdeaSuggestion(
            idea_id=ideas[k][0],
            title=ideas[k][1],
            status=ideas[k][2],
            similarity=round(float(similarity[k]), 4),
            linked_items=int(linked.get(ideas[k][0], 0)),
        )
        for k in order
    ]


def create_idea_from_theme(
    session: Session, actor: Actor, theme_id: int, request: CreateIdeaRequest
) -> IdeaFromTheme:
    """Create an idea named after the theme and link every item of the theme to it with one importance (1–3)."""
    actor.require("ideas.write")
    actor.require("ideas.link")
    row = _live_theme(session, actor, theme_id)
    feedback_ids = list(
        session.scalars(
            select(FeedbackAnalysis.feedback_id)
            .where(
                FeedbackAnalysis.workspace_id == actor.workspace_id,
                FeedbackAnalysis.theme_id.in_(_item_theme_ids(session, row)),
            )
            .order_by(FeedbackAnalysis.feedback_id)
        )
    )
    if not feedback_ids:
        raise ValidationFailed(
            f"theme {row.id} has no items to link to an idea", [FieldError("theme_id", "empty")]
        )
    demand = theme_demand(session, actor, row.id)
    description = request.description
    if description is None:
        quotes = "\n".join(f"> {q}" for q in row.quotes[:3])
        description = (
            f"From the feedback theme “{row.name}”: {demand.items} items from {demand.customers} customers "
            f"(ARR {demand.arr:,.0f}).\nKeywords: {', '.join(row.keywords) or '—'}\n\n{quotes}"
        ).strip()
    idea = ideas_service.create_idea(
        session, actor, IdeaCreate(title=(request.title or row.name)[:300], description=description[:50_000])
    )
    for start in range(0, len(feedback_ids), _LINK_CHUNK):
        ideas_service.link_feedback(
            session,
            actor,
            idea.id,
            LinkRequest(
                feedback_ids=feedback_ids[start : start + _LINK_CHUNK], importance=request.importance
            ),
        )
    audit.record(
        session,
        actor,
        "feedback_theme.idea_created",
        "feedback_theme",
        row.id,
        f"idea {idea.id} “{idea.title}” from {row.name}",
        {"idea_id": idea.id, "linked": len(feedback_ids), "importance": request.importance},
    )
    session.flush()
    return IdeaFromTheme(idea=IdeaRead.model_validate(idea), linked=len(feedback_ids))


def link_theme_to_idea(
    session: Session, actor: Actor, theme_id: int, request: LinkToIdeaRequest
) -> LinkToIdeaResult:
    """Link every item of a theme (or the chosen ones) to an existing idea with one importance (1–3).

    Items already linked to the idea are left as they were (their importance too), so linking twice adds nothing.
    """
    actor.require("ideas.link")
    row = _live_theme(session, actor, theme_id)
    idea = ideas_service.get_idea(session, actor, request.idea_id)
    members = list(
        session.scalars(
            select(FeedbackAnalysis.feedback_id)
            .where(
                FeedbackAnalysis.workspace_id == actor.workspace_id,
                FeedbackAnalysis.theme_id.in_(_item_theme_ids(session, row)),
            )
            .order_by(FeedbackAnalysis.feedback_id)
        )
    )
    if request.feedback_ids:
        outside = sorted(set(request.feedback_ids) - set(members))
        if outside:
            raise ValidationFailed(
                f"feedback {', '.join(map(str, outside[:10]))} is not in theme {row.id}; nothing was linked",
                [FieldError("feedback_ids", f"not in the theme: {i}") for i in outside[:100]],
            )
        members = sorted(set(request.feedback_ids))
    if not members:
        raise ValidationFailed(
            f"theme {row.id} has no items to link to an idea", [FieldError("theme_id", "empty")]
        )
    linked_before = set(
        session.scalars(
            select(IdeaFeedbackLink.feedback_id).where(
                IdeaFeedbackLink.idea_id == idea.id, IdeaFeedbackLink.feedback_id.in_(members)
            )
        )
    )
    new = [i for i in members if i not in linked_before]
    for start in range(0, len(new), _LINK_CHUNK):
        ideas_service.link_feedback(
            session,
            actor,
            idea.id,
            LinkRequest(feedback_ids=new[start : start + _LINK_CHUNK], importance=request.importance),
        )
    audit.record(
        session,
        actor,
        "feedback_theme.linked_to_idea",
        "feedback_theme",
        row.id,
        f"{len(new)} item(s) of {row.name} linked to idea {idea.id} “{idea.title}”",
        {"idea_id": idea.id, "linked": len(new), "already_linked": len(linked_before)},
    )
    session.flush()
    return LinkToIdeaResult(
        idea_id=idea.id, idea_title=idea.title, linked=len(new), already_linked=len(linked_before)
    )

"""JSON API for feedback themes: explore, demand, human control (rename, pin, merge, split, move), ideas, analysis.

Mounted inside the feedback router, before its ``/{feedback_id}`` routes, so every path here is
``/api/v1/feedback/themes…``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from northstar.core.jobs_schemas import JobRead
from northstar.core.schemas import PageOut
from northstar.feedback.themes import service
from northstar.feedback.themes.schemas import (
    CreateIdeaRequest,
    IdeaFromTheme,
    IdeaSuggestion,
    IdeaTheme,
    Level,
    LinkToIdeaRequest,
    LinkToIdeaResult,
    MergeRequest,
    MergeResult,
    MoveRequest,
    MoveResult,
    PinRequest,
    RenameRequest,
    SortKey,
    SplitRequest,
    SplitResult,
    ThemeDemand,
    ThemeDetail,
    ThemeItem,
    ThemeRead,
    ThemeSummary,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/themes", tags=["feedback themes"])
ThemeId = Annotated[int, Path(ge=1, le=2_147_483_647, description="a theme of this workspace")]


@router.get("")
def list_themes(
    session: DB,
    actor: ApiActor,
    level: Level = "top",
    sort: SortKey = "arr",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[ThemeSummary]:
    """Themes (``level=top``) or sub-themes (``level=sub``) with their demand; pinned first, then by ``sort``."""
    result = service.list_themes(session, actor, level, sort, page, per_page)
    return PageOut(items=result.items, total=result.total, page=result.page, per_page=result.per_page)


@router.post("/analyse", status_code=202)
def start_analysis(request: Request, session: DB, actor: ApiActor) -> JobRead:
    """Analyse new and changed feedback as a background job; poll ``GET /api/v1/jobs/{id}`` for progress."""
    job = request.app.state.jobs.submit(session, actor, "feedback.analyse", {})
    return JobRead.model_validate(job)


@router.get("/by-idea/{idea_id}")
def themes_of_idea(
    idea_id: Annotated[int, Path(ge=1, le=2_147_483_647)], session: DB, actor: ApiActor
) -> list[IdeaTheme]:
    """The themes behind an idea: its linked feedback grouped by theme, with customers and ARR."""
    return service.idea_themes(session, actor, idea_id)


@router.get("/{theme_id}")
def get_theme(theme_id: ThemeId, session: DB, actor: ApiActor) -> ThemeDetail:
    return service.get_theme(session, actor, theme_id)


@router.get("/{theme_id}/demand")
def theme_demand(theme_id: ThemeId, session: DB, actor: ApiActor) -> ThemeDemand:
    """Items, unique customers, ARR (each customer once), by segment, sentiment, rating, weekly trend."""
    return service.theme_demand(session, actor, theme_id)


@router.get("/{theme_id}/items")
def theme_items(
    theme_id: ThemeId,
    session: DB,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[ThemeItem]:
    result = service.theme_items(session, actor, theme_id, page, per_page)
    return PageOut(items=result.items, total=result.total, page=result.page, per_page=result.per_page)


@router.post("/{theme_id}/items")
def move_items(theme_id: ThemeId, body: MoveRequest, session: DB, actor: ApiActor) -> MoveResult:
    """Move feedback items into this (sub-)theme; re-analysis keeps them here."""
    return service.move_items(session, actor, theme_id, body.feedback_ids)


@router.post("/{theme_id}/rename")
def rename_theme(theme_id: ThemeId, body: RenameRequest, session: DB, actor: ApiActor) -> ThemeRead:
    return ThemeRead.model_validate(service.rename_theme(session, actor, theme_id, body.name))


@router.post("/{theme_id}/pin")
def pin_theme(theme_id: ThemeId, body: PinRequest, session: DB, actor: ApiActor) -> ThemeRead:
    return ThemeRead.model_validate(service.pin_theme(session, actor, theme_id, body.pinned))


@router.post("/{theme_id}/merge")
def merge_theme(theme_id: ThemeId, body: MergeRequest, session: DB, actor: ApiActor) -> MergeResult:
    """Merge this theme into ``into_theme_id``; the survivor keeps its name and gets every item."""
    return service.merge_themes(session, actor, theme_id, body.into_theme_id)


@router.post("/{theme_id}/split")
def split_theme(theme_id: ThemeId, body: SplitRequest, session: DB, actor: ApiActor) -> SplitResult:
    """Split off the chosen items (or sub-themes), or re-cluster the theme in two when none are chosen."""
    return service.split_theme(session, actor, theme_id, body)


@router.get("/{theme_id}/suggestions")
def suggested_ideas(
    theme_id: ThemeId,
    session: DB,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[IdeaSuggestion]:
    """Existing ideas closest in meaning to the theme."""
    return service.suggest_ideas(session, actor, theme_id, limit)


@router.post("/{theme_id}/create-idea", status_code=201)
def create_idea(theme_id: ThemeId, body: CreateIdeaRequest, session: DB, actor: ApiActor) -> IdeaFromTheme:
    """Create an idea from the theme and link all its items with the given importance (1–3)."""
    return service.create_idea_from_theme(session, actor, theme_id, body)


@router.post("/{theme_id}/link-to-idea")
def link_to_idea(
    theme_id: ThemeId, body: LinkToIdeaRequest, session: DB, actor: ApiActor
) -> LinkToIdeaResult:
    """Link every item of the theme (or the chosen ``feedback_ids``) to an existing idea; items linked already are
    left as they were."""
    return service.link_theme_to_idea(session, actor, theme_id, body)

"""Pages for feedback themes: the explorer (ranked, sparklines, chart of top themes), a theme's detail with its
demand and weekly chart, the human controls as forms (rename, pin, merge, split, move items), ideas, and a button
that starts the analysis as a background job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from markupsafe import Markup, escape
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from northstar.core.charts import bar_chart, line_chart
from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.core.listing import Page
from northstar.feedback.themes import service
from northstar.feedback.themes.schemas import (
    CreateIdeaRequest,
    IdeaSuggestion,
    Level,
    LinkToIdeaRequest,
    SortKey,
    SplitRequest,
    ThemeDetail,
    ThemeItem,
    ThemeSummary,
)
from northstar.ideas import service as ideas_service
from northstar.web.deps import DB, CurrentUser, PageUser, check_csrf
from northstar.web.forms import field_messages, optional_int, parse_form, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
ThemeId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SORT_LABELS = {"arr": "ARR", "items": "items", "customers": "customers", "trend": "trend", "name": "name"}


@dataclass(frozen=True)
class ExplorerPage:
    """What the explorer shows."""

    themes: Page[ThemeSummary]
    level: Level
    sort: SortKey
    chart: Markup | None
    sparklines: dict[int, Markup]
    can_edit: bool
    base_query: str


@dataclass(frozen=True)
class ThemePage:
    """What a theme's page shows."""

    detail: ThemeDetail
    items: Page[ThemeItem]
    suggestions: list[IdeaSuggestion]
    weekly_chart: Markup | None
    segment_chart: Markup | None
    merge_choices: list[tuple[int, str]]
    move_choices: list[tuple[int, str]]
    sparklines: dict[int, Markup]
    can_edit: bool
    can_create_idea: bool
    can_link: bool = False
    idea_choices: list[tuple[int, str]] = field(default_factory=list)
    #: the idea items were just linked to, for the notice (id, title)
    linked_idea: tuple[int, str] | None = None
    #: per link form ("all", "checked"): {field: message} of a refused post, and what was chosen in it
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)


def sparkline(counts: list[int], width: int = 120, height: int = 26) -> Markup:
    """Weekly counts as a small inline SVG line (no script, no network)."""
    if not counts:
        return Markup("")
    top = max(max(counts), 1)
    step = width / max(len(counts) - 1, 1)
    points = " ".join(
        f"{k * step:.1f},{height - 2 - (value / top) * (height - 4):.1f}" for k, value in enumerate(counts)
    )
    label = escape(f"items per week: {', '.join(map(str, counts))}")
    return Markup(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{label}"><polyline fill="none" stroke="#3557d4" stroke-width="1.5" points="{points}"/></svg>'
    )


def _top_chart(themes: list[ThemeSummary], sort: SortKey) -> Markup | None:
    metric = "items" if sort in ("items", "trend", "name") else sort
    rows = [
        {"theme": s.theme.name[:48], metric.upper() if metric == "arr" else metric: getattr(s.demand, metric)}
        for s in themes[:10]
    ]
    if not rows:
        return None
    y = "ARR" if metric == "arr" else metric
    return bar_chart(
        rows, "theme", y, title=f"Top themes by {SORT_LABELS[metric]}", horizontal=True, width=460, height=220
    )


@router.get("/feedback/themes")
def explorer_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    level: Level = "top",
    sort: SortKey = "arr",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    themes = service.list_themes(session, user.actor, level, sort, page, 50)
    view = ExplorerPage(
        themes=themes,
        level=level,
        sort=sort,
        chart=_top_chart(themes.items, sort) if page == 1 else None,
        sparklines={s.theme.id: sparkline(s.demand.trend.counts) for s in themes.items},
        can_edit=user.actor.can("feedback.write"),
        base_query=f"level={level}&sort={sort}",
    )
    return render(request, "themes.html", user=user, view=view)


@router.post("/feedback/themes/analyse")
async def start_analysis(request: Request, session: DB, user: CurrentUser) -> Response:
    """Start the analysis of new and changed feedback as a job and show its progress page."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    job = request.app.state.jobs.submit(session, user.actor, "feedback.analyse", {})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/feedback/themes/{theme_id}")
def theme_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    theme_id: ThemeId,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    idea_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    return _theme_page(request, session, user, theme_id, page, idea_id)


def _theme_page(
    request: Request,
    session: DB,
    user: PageUser,
    theme_id: int,
    page: int = 1,
    linked_idea_id: int | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The theme's page; ``errors`` / ``typed`` are those of a refused link form, shown next to its picker."""
    detail = service.get_theme(session, user.actor, theme_id)
    if detail.merged_into_id is not None:
        return RedirectResponse(f"/feedback/themes/{detail.merged_into_id}", status_code=303)
    demand = detail.demand
    weekly = None
    if demand.items:
        weekly = line_chart(
            [
                {"week": week.isoformat(), "items": count}
                for week, count in zip(demand.trend.weeks, demand.trend.counts, strict=True)
            ],
            "week",
            "items",
            title=f"Items per week · {demand.trend.direction}",
            width=460,
            height=180,
        )
    segments = [s for s in demand.by_segment if s.arr > 0]
    segment_chart = (
        bar_chart(
            [{"segment": s.segment.replace("_", " "), "ARR": s.arr} for s in segments],
            "segment",
            "ARR",
            title="ARR represented, by segment",
            horizontal=True,
            width=420,
            height=140,
        )
        if segments
        else None
    )
    view = ThemePage(
        detail=detail,
        items=service.theme_items(session, user.actor, theme_id, page, 50),
        suggestions=service.suggest_ideas(session, user.actor, theme_id),
        weekly_chart=weekly,
        segment_chart=segment_chart,
        merge_choices=[
            c for c in service.theme_choices(session, user.actor, detail.is_parent) if c[0] != theme_id
        ],
        move_choices=[c for c in service.theme_choices(session, user.actor, False) if c[0] != theme_id],
        sparklines={s.theme.id: sparkline(s.demand.trend.counts) for s in detail.sub_themes},
        can_edit=user.actor.can("feedback.write"),
        can_create_idea=user.actor.can("ideas.write") and user.actor.can("ideas.link"),
        can_link=user.actor.can("ideas.link"),
        idea_choices=ideas_service.idea_choices(session, user.actor),
        linked_idea=_idea_named(session, user, linked_idea_id),
        errors=errors or {},
        typed=typed or {},
    )
    return render(request, "theme.html", status_code=422 if errors else 200, user=user, view=view)


def _idea_named(session: DB, user: PageUser, idea_id: int | None) -> tuple[int, str] | None:
    if idea_id is None:
        return None
    try:
        idea = ideas_service.get_idea(session, user.actor, idea_id)
    except NotFound:
        return None
    return idea.id, idea.title


async def _form(request: Request, user: PageUser) -> FormData:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    return form


def _ids(form: FormData, name: str) -> list[int]:
    values = [str(v) for v in form.getlist(name)]
    bad = [v for v in values if not v.isdigit()]
    if bad:
        raise ValidationFailed(f"{name}: {bad[0]!r} is not an id", [FieldError(name, "not an id")])
    return [int(v) for v in values]


def _one_id(form: FormData, name: str) -> int:
    ids = _ids(form, name)
    if len(ids) != 1:
        raise ValidationFailed(f"choose one {name.replace('_', ' ')}", [FieldError(name, "required")])
    return ids[0]


def _back(theme_id: int, note: str = "") -> RedirectResponse:
    return RedirectResponse(f"/feedback/themes/{theme_id}{note}", status_code=303)


@router.post("/feedback/themes/{theme_id}/rename")
async def rename(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    form = await _form(request, user)
    service.rename_theme(session, user.actor, theme_id, str(form.get("name", "")))
    return _back(theme_id)


@router.post("/feedback/themes/{theme_id}/pin")
async def pin(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    form = await _form(request, user)
    service.pin_theme(session, user.actor, theme_id, str(form.get("pinned", "1")) != "0")
    return _back(theme_id)


@router.post("/feedback/themes/{theme_id}/merge")
async def merge(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    form = await _form(request, user)
    result = service.merge_themes(session, user.actor, theme_id, _one_id(form, "into_theme_id"))
    return _back(result.survivor.id)


@router.post("/feedback/themes/{theme_id}/split")
async def split(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    """Split off the checked items (or sub-themes); with none checked, re-cluster the theme in two."""
    form = await _form(request, user)
    name = " ".join(str(form.get("name", "")).split()) or None
    request_body = parse_form(
        SplitRequest,
        {"feedback_ids": _ids(form, "feedback_id"), "theme_ids": _ids(form, "sub_theme_id"), "name": name},
    )
    result = service.split_theme(session, user.actor, theme_id, request_body)
    return _back(result.created.id)


@router.post("/feedback/themes/{theme_id}/move")
async def move(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    """Move the checked items of this theme to the chosen sub-theme, then stay on this theme."""
    form = await _form(request, user)
    ids = _ids(form, "feedback_id")
    if not ids:
        raise ValidationFailed("check at least one item to move", [FieldError("feedback_id", "none checked")])
    service.move_items(session, user.actor, _one_id(form, "target_theme_id"), ids)
    return _back(theme_id)


@router.post("/feedback/themes/{theme_id}/create-idea")
async def create_idea(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    form = await _form(request, user)
    values: dict[str, Any] = {"importance": str(form.get("importance", "2")) or "2"}
    title = " ".join(str(form.get("title", "")).split())
    if title:
        values["title"] = title
    result = service.create_idea_from_theme(
        session, user.actor, theme_id, parse_form(CreateIdeaRequest, values)
    )
    return RedirectResponse(f"/ideas/{result.idea.id}", status_code=303)


@router.post("/feedback/themes/{theme_id}/link-to-idea")
async def link_to_idea(request: Request, session: DB, user: CurrentUser, theme_id: ThemeId) -> Response:
    """Link every item of the theme (``scope=all``) or the checked ones (``scope=checked``) to the chosen idea."""
    form = await _form(request, user)
    scope = "checked" if str(form.get("scope", "")) == "checked" else "all"
    typed = {
        "idea_id": str(form.get("idea_id", "")),
        "importance": str(form.get("importance", "2")),
        "idea_search": str(form.get("idea_search", ""))[:200],
    }
    try:
        if optional_int(typed["idea_id"]) is None:
            raise ValidationFailed(
                "choose an idea to link to", [FieldError("idea_id", "choose an idea from the list")]
            )
        ids = _ids(form, "feedback_id") if scope == "checked" else []
        if scope == "checked" and not ids:
            raise ValidationFailed(
                "check the items to link first", [FieldError("idea_id", "check the items to link first")]
            )
        body = parse_form(
            LinkToIdeaRequest,
            {"idea_id": typed["idea_id"], "importance": typed["importance"], "feedback_ids": ids},
        )
        result = service.link_theme_to_idea(session, user.actor, theme_id, body)
    except ValidationFailed as failure:
        session.rollback()
        messages = field_messages(failure)
        own = {k: v for k, v in messages.items() if k in typed} or {"idea_id": failure.detail}
        return _theme_page(request, session, user, theme_id, errors={scope: own}, typed=typed)
    return see_other(
        f"/feedback/themes/{theme_id}",
        done="linked",
        count=result.linked,
        already=result.already_linked,
        idea_id=result.idea_id,
    )

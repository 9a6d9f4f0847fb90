"""CLI for the workspace's themes: ``northstar feedback analyse`` and ``theme-*`` commands.

(``northstar feedback themes`` is the stateless command for files; these work on the workspace's stored themes.)
``register(app)`` adds them to the ``northstar feedback`` Typer app.
"""

from __future__ import annotations

from typing import Any

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
    run_job,
)
from northstar.feedback.themes import service
from northstar.feedback.themes.schemas import (
    CreateIdeaRequest,
    LinkToIdeaRequest,
    SplitRequest,
    ThemeRead,
    ThemeSummary,
)

LEVELS = {"top": "top", "sub": "sub"}
SORTS = ("arr", "items", "customers", "trend", "name")


def _row(summary: ThemeSummary) -> dict[str, Any]:
    d = summary.demand
    return {
        "id": summary.theme.id,
        "name": summary.theme.name,
        "parent": summary.parent_name,
        "items": d.items,
        "customers": d.customers,
        "arr": d.arr,
        "trend": d.trend.direction,
        "pinned": summary.theme.pinned,
        "candidate": summary.theme.candidate,
        "keywords": ", ".join(summary.theme.keywords),
    }


@handle_errors
def analyse(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Analyse new and changed feedback (kind, sentiment, duplicates, themes) as a job with a progress bar."""
    result = run_job(
        "feedback.analyse",
        {},
        "Analysing feedback",
        workspace,
        as_user,
        show_progress=fmt == OutputFormat.table,
    )
    emit_one(result, fmt)


@handle_errors
def theme_list(
    level: str = typer.Option("top", help="top (themes) or sub (sub-themes)."),
    sort: str = typer.Option("arr", help="arr, items, customers, trend or name."),
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(50, min=1, max=500),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List the workspace's themes with their demand, pinned first, then ranked by --sort."""
    if level not in LEVELS:
        fail(f"--level {level!r}: use top or sub")
    if sort not in SORTS:
        fail(f"--sort {sort!r}: use one of {', '.join(SORTS)}")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.list_themes(session, actor, level, sort, page, per_page)  # type: ignore[arg-type]
        emit(
            [_row(s) for s in result.items],
            fmt,
            ["id", "name", "parent", "items", "customers", "arr", "trend", "pinned"],
            title="Themes",
            extra={"total": result.total, "page": result.page},
        )


@handle_errors
def theme_show(
    theme_id: int = typer.Argument(..., help="Theme id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """A theme's keywords, quotes, demand by segment, weekly counts and trend, and suggested ideas."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        detail = service.get_theme(session, actor, theme_id)
        suggestions = service.suggest_ideas(session, actor, theme_id)
        if fmt == OutputFormat.json:
            payload = detail.model_dump(mode="json")
            payload["suggested_ideas"] = [s.model_dump(mode="json") for s in suggestions]
            emit_one(payload, fmt)
            return
        emit_one({**_row(detail), "quotes": detail.theme.quotes}, fmt)
        emit(
            [s.model_dump() for s in detail.demand.by_segment],
            fmt,
            ["segment", "items", "customers", "arr"],
            title="Demand by segment (each customer counted once)",
        )
        trend = detail.demand.trend
        emit(
            [
                {"week": w, "items": c, "all items": n}
                for w, c, n in zip(trend.weeks, trend.counts, trend.totals, strict=True)
            ],
            fmt,
            title=f"Weekly items · {trend.direction}"
            + (f" (z={trend.z}, p={trend.p_value:.3g})" if trend.p_value is not None else ""),
        )
        if detail.sub_themes:
            emit(
                [_row(s) for s in detail.sub_themes],
                fmt,
                ["id", "name", "items", "customers", "arr", "trend"],
                title="Sub-themes",
            )
        emit(
            suggestions,
            fmt,
            ["idea_id", "title", "status", "similarity", "linked_items"],
            title="Suggested ideas",
        )


def _emit_theme(row: Any, fmt: OutputFormat) -> None:
    emit_one(ThemeRead.model_validate(row), fmt)


@handle_errors
def theme_rename(
    theme_id: int = typer.Argument(...),
    name: str = typer.Argument(..., help="The new name (kept across re-analysis)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Rename a theme."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = service.rename_theme(session, actor, theme_id, name)
        session.flush()
        _emit_theme(row, fmt)


@handle_errors
def theme_pin(
    theme_id: int = typer.Argument(...),
    unpin: bool = typer.Option(False, "--unpin", help="Remove the pin."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Pin a theme: listed first; re-analysis never changes its name, keywords or place."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = service.pin_theme(session, actor, theme_id, not unpin)
        session.flush()
        _emit_theme(row, fmt)


@handle_errors
def theme_merge(
    theme_id: int = typer.Argument(..., help="The theme to absorb."),
    into: int = typer.Argument(..., help="The theme that survives (keeps its name)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Merge a theme into another; new items that resemble the absorbed theme go to the survivor."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.merge_themes(session, actor, theme_id, into), fmt)


@handle_errors
def theme_split(
    theme_id: int = typer.Argument(...),
    item: list[int] = typer.Option(
        [], "--item", help="A feedback id to split off (repeat); none: re-cluster."
    ),
    sub_theme: list[int] = typer.Option(
        [], "--sub-theme", help="For a parent theme: a sub-theme to split off."
    ),
    name: str | None = typer.Option(None, help="Name of the new theme."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Split a theme in two: the chosen items (or sub-themes) go to a new theme, or re-cluster in two."""
    request = SplitRequest(feedback_ids=item, theme_ids=sub_theme, name=name)
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.split_theme(session, actor, theme_id, request), fmt)


@handle_errors
def theme_move(
    feedback_ids: list[int] = typer.Argument(..., help="Feedback ids to move."),
    to: int = typer.Option(..., "--to", help="The (sub-)theme to move them into."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Move feedback items into a theme; re-analysis keeps them there."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.move_items(session, actor, to, feedback_ids), fmt)


@handle_errors
def theme_idea(
    theme_id: int = typer.Argument(...),
    title: str | None = typer.Option(None, help="Idea title (default: the theme's name)."),
    importance: int = typer.Option(2, min=1, max=3, help="Importance of the links: 1, 2 or 3."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Create an idea from a theme and link all the theme's items to it."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.create_idea_from_theme(
            session, actor, theme_id, CreateIdeaRequest(title=title, importance=importance)
        )
        emit_one({"idea_id": result.idea.id, "title": result.idea.title, "linked": result.linked}, fmt)


@handle_errors
def theme_link_to_idea(
    theme_id: int = typer.Argument(...),
    idea: int = typer.Option(..., "--idea", help="The existing idea to link the items to."),
    item: list[int] = typer.Option(
        [], "--item", help="Only this item of the theme (repeat); none: every item."
    ),
    importance: int = typer.Option(2, min=1, max=3, help="Importance of the new links: 1, 2 or 3."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Link a theme's items (all, or the chosen ones) to an existing idea; items linked already stay as they are."""
    request = LinkToIdeaRequest(idea_id=idea, importance=importance, feedback_ids=item)
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.link_theme_to_idea(session, actor, theme_id, request), fmt)


def register(app: typer.Typer) -> None:
    """Add the workspace theme commands to the ``northstar feedback`` app."""
    app.command("analyse")(analyse)
    app.command("theme-list")(theme_list)
    app.command("theme-show")(theme_show)
    app.command("theme-rename")(theme_rename)
    app.command("theme-pin")(theme_pin)
    app.command("theme-merge")(theme_merge)
    app.command("theme-split")(theme_split)
    app.command("theme-move")(theme_move)
    app.command("theme-idea")(theme_idea)
    app.command("theme-link-to-idea")(theme_link_to_idea)

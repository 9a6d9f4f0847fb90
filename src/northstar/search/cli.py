"""CLI for the global search: ``northstar search QUERY [--limit N] [--format json]``."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.core.tabular import write_csv
from northstar.search import service
from northstar.search.schemas import DEFAULT_LIMIT, MAX_LIMIT


@handle_errors
def search(
    query: list[str] = typer.Argument(..., help="Words to find; every word must match."),
    limit: int = typer.Option(DEFAULT_LIMIT, min=1, max=MAX_LIMIT, help="Hits per kind."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Find feedback, ideas, customers and people matching every word of QUERY, grouped by kind."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        results = service.search(session, actor, " ".join(query), limit)
    if fmt == OutputFormat.json:
        sys.stdout.write(results.model_dump_json() + "\n")
        return
    rows = [
        {"kind": hit.kind, "id": hit.id, "title": hit.title, "detail": hit.detail, "url": hit.url}
        for group in results.groups
        for hit in group.hits
    ]
    if fmt == OutputFormat.csv:
        sys.stdout.write(write_csv(rows, ["kind", "id", "title", "detail", "url"]))
        return
    if not rows:
        console.print(
            escape(f"Nothing matches “{results.query}”.") if results.words else "Give some words to find."
        )
        return
    for group in results.groups:
        if not group.total:
            continue
        count = f"{group.total:,}+" if group.total_capped else f"{group.total:,}"
        console.print(f"[bold]{group.label}[/] ({count})", highlight=False)
        for hit in group.hits:
            console.print(f"  {escape(hit.title)}  [dim]{escape(hit.detail)} · {hit.url}[/]", highlight=False)
            if hit.snippet:
                console.print(f"    [dim]{escape(hit.snippet)}[/]", highlight=False)


#: mounted as the command ``northstar search`` itself (``modules.py``), not as a group of sub-commands
COMMAND = search

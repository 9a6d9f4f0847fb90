"""CLI for the feedback inbox: ``northstar feedback add|import|list``, and one item: ``show|link|unlink|set-theme``."""

from __future__ import annotations

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.core.listing import ListParams
from northstar.feedback import service
from northstar.feedback.importers import cli as import_cli
from northstar.feedback.intake import cli as form_cli
from northstar.feedback.item import cli as item_cli
from northstar.feedback.schemas import FeedbackCreate, FeedbackRead
from northstar.feedback.themes import cli as themes_cli

app = typer.Typer(help="The feedback inbox: log, import and list customer feedback.", no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    text: str = typer.Argument(..., help="What the customer said."),
    source: str = typer.Option(
        "support", help="support, sales, survey, app_review, community, interview, in_app"
    ),
    customer: str | None = typer.Option(None, "--customer", help="The customer's external id."),
    contact: str | None = typer.Option(
        None, "--contact", help="The contact's e-mail (matches the customer by domain)."
    ),
    rating: float | None = typer.Option(None, help="NPS (0–10) or stars (1–5)."),
    ref: str | None = typer.Option(
        None, "--ref", help="External reference (re-adding the same source+ref updates)."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Log one piece of feedback on behalf of a customer."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = FeedbackCreate(
            text=text,
            source=source,
            customer_external_id=customer,
            contact_email=contact,
            rating=rating,
            external_ref=ref,
        )
        item = service.create_feedback(session, actor, data)
        session.flush()
        emit_one(FeedbackRead.model_validate(item), fmt)


import_cli.register(app)  # import (every file kind, as a job)
form_cli.register(app)  # form (the embeddable form's settings)


@app.command("list")
@handle_errors
def list_items(
    q: str | None = typer.Option(None, "--q", "-q", help="Words to search for."),
    source: str | None = typer.Option(None),
    customer_id: int | None = typer.Option(None),
    segment: str | None = typer.Option(None),
    kind: str | None = typer.Option(
        None, help="bug, feature_request, complaint, praise, question or other (a person's kind wins)."
    ),
    sentiment: str | None = typer.Option(None, help="negative (≤ -0.3), neutral or positive (≥ 0.3)."),
    theme_id: int | None = typer.Option(None, help="A theme (and its sub-themes)."),
    category: str | None = typer.Option(
        None, help="Your taxonomy's category (name or id): label, else prediction."
    ),
    include_merged: bool = typer.Option(
        False, "--include-merged", help="Also list items merged into others."
    ),
    sort: str = typer.Option("-received_at", help="received_at, rating or id; prefix - for descending."),
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(50, min=1, max=500),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List feedback with search, filters and pagination, with each item's kind, sentiment, theme and category."""
    from northstar.feedback.inbox import service as inbox_service
    from northstar.feedback.inbox.schemas import InboxItemRead
    from northstar.feedback.taxonomy import service as taxonomy_service

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        filters = {
            "source": source,
            "customer_id": customer_id,
            "segment": segment,
            "kind": kind,
            "sentiment": sentiment,
            "theme_id": theme_id,
            "category_id": taxonomy_service.find_category(session, actor, category).id if category else None,
            "include_merged": include_merged,
        }
        result = service.list_feedback(session, actor, ListParams(q, sort, page, per_page, filters))
        notes = inbox_service.annotate(session, actor, [f.id for f in result.items])
        items = [InboxItemRead.build(f, notes.get(f.id)) for f in result.items]
        emit(
            items,
            fmt,
            [
                "id",
                "received_at",
                "source",
                "customer_id",
                "kind",
                "sentiment_band",
                "theme_name",
                "category_name",
                "text",
            ],
            title="Feedback",
            extra={"total": result.total, "page": result.page},
        )


def _register_analysis_commands() -> None:
    """Add the stateless analysis commands (themes, classify, train, duplicates) when that module is present."""
    import importlib.util

    if importlib.util.find_spec("northstar.feedback.analysis.cli") is not None:
        from northstar.feedback.analysis.cli import register

        register(app)


_register_analysis_commands()


def _register_review_commands() -> None:
    """Add set-kind, delete, ``taxonomy …`` and ``duplicate-review …`` (inbox_cli)."""
    from northstar.feedback.inbox.cli import register

    register(app)


_register_review_commands()
themes_cli.register(app)  # analyse, theme-list, theme-show, … on the workspace's stored themes
item_cli.register(app)  # show, link, unlink, set-theme: one item

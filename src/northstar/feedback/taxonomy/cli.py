"""``northstar feedback taxonomy``: your own categories, labels, training (a job with a progress bar), predictions."""

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
    run_job,
)
from northstar.feedback.taxonomy import service as taxonomy_service

app = typer.Typer(
    help="Train your own taxonomy: categories, labels, a classifier trained on them, predictions.",
    no_args_is_help=True,
)


@app.command("category-add")
@handle_errors
def category_add(
    name: str = typer.Argument(..., help="The category's name, e.g. 'Billing'."),
    description: str = typer.Option("", help="What belongs in it."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add a category to the workspace's taxonomy."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = taxonomy_service.add_category(session, actor, name, description)
        session.flush()
        emit_one({"id": row.id, "name": row.name, "description": row.description}, fmt)


def _categories(fmt: OutputFormat, workspace: str | None, as_user: str | None) -> None:
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        rows = taxonomy_service.list_categories(session, actor)
        emit(
            [r.__dict__ for r in rows],
            fmt,
            ["id", "name", "labels", "predicted", "description"],
            "Categories",
        )


@app.command("category-list")
@handle_errors
def category_list(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List the categories with how many items are labelled and predicted in each."""
    _categories(fmt, workspace, as_user)


@app.command("list", hidden=True)
@handle_errors
def list_alias(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Same as category-list."""
    _categories(fmt, workspace, as_user)


@app.command("category-delete")
@handle_errors
def category_delete(
    category: str = typer.Argument(..., help="Category name or id."),
    yes: bool = typer.Option(False, "--yes", help="Confirm: its labels and predictions are deleted too."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Delete a category with its labels and predictions."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = taxonomy_service.find_category(session, actor, category)
        if not yes:
            from northstar.cli_support import fail

            fail(f"deleting {row.name!r} removes its labels and predictions; add --yes to confirm")
        taxonomy_service.delete_category(session, actor, row.id)
        typer.echo(f"deleted {row.name}", err=True)


@app.command("label")
@handle_errors
def label(
    feedback_ids: list[int] = typer.Argument(..., help="Feedback item ids."),
    category: str = typer.Option(..., "--category", "-c", help="Category name or id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Label items (on a predicted item this is a correction or a confirmation the next training uses)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        row = taxonomy_service.find_category(session, actor, category)
        changed = taxonomy_service.label_items(session, actor, feedback_ids, row.id, "cli")
        emit_one({"category": row.name, "changed": changed}, fmt)


@app.command("unlabel")
@handle_errors
def unlabel(
    feedback_ids: list[int] = typer.Argument(..., help="Feedback item ids."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Remove the labels of items."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        removed = taxonomy_service.remove_labels(session, actor, feedback_ids)
        typer.echo(f"{removed} label(s) removed", err=True)


def _check(workspace: str | None, as_user: str | None, need_model: bool) -> None:
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        taxonomy_service.refuse_concurrent_job(session, actor)
        if need_model and taxonomy_service.current_model(session, actor) is None:
            from northstar.core.errors import ValidationFailed

            raise ValidationFailed(
                "no taxonomy model yet: label items and run `northstar feedback taxonomy train`"
            )
        if not need_model:
            taxonomy_service.require_trainable(session, actor)


@app.command("train")
@handle_errors
def train(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Train on the labels (held-out accuracy printed), then predict every item; runs as a job with progress."""
    _check(workspace, as_user, need_model=False)
    result = run_job(
        taxonomy_service.TRAIN_JOB, {}, "Training the taxonomy", workspace, as_user, fmt == OutputFormat.table
    )
    emit_one(result, fmt)


@app.command("predict")
@handle_errors
def predict(
    limit: int = typer.Option(20, min=1, max=500, help="How many of the least sure predictions to print."),
    below: float = typer.Option(1.0, min=0.0, max=1.0, help="Only predictions with a confidence below this."),
    refresh: bool = typer.Option(True, help="Predict every item again first (--no-refresh only prints)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Predict every item with the current model, then print the least sure unlabelled predictions."""
    predicted = None
    if refresh:
        _check(workspace, as_user, need_model=True)
        result = run_job(
            taxonomy_service.PREDICT_JOB,
            {},
            "Predicting categories",
            workspace,
            as_user,
            fmt == OutputFormat.table,
        )
        predicted = result.get("predicted")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        rows = taxonomy_service.review_queue(session, actor, limit, taxonomy_service.below_or_all(below))
        emit(
            [
                {
                    "feedback_id": r.feedback.id,
                    "category": r.category_name,
                    "confidence": round(r.confidence, 4),
                    "text": r.feedback.text[:200],
                }
                for r in rows
            ],
            fmt,
            ["feedback_id", "category", "confidence", "text"],
            "Least sure predictions",
            extra={"predicted": predicted} if predicted is not None else None,
        )


@app.command("status")
@handle_errors
def status(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The current model: held-out accuracy, labels used, most confused categories."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        view = taxonomy_service.overview(session, actor)
        if view.model is None:
            emit_one(
                {"model": None, "labelled": view.labelled, "ready": view.ready, "reason": view.reason}, fmt
            )
            return
        m = view.model
        emit_one(
            {
                "model": m.id,
                "trained_at": m.created_at,
                "labels_used": m.labels_used,
                "held_out": m.held_out,
                "accuracy": m.accuracy,
                "categories": m.categories,
                "labelled": view.labelled,
                "predicted": view.predicted,
                "most_confused": [f"{a} → {p}: {n}" for a, p, n in m.confused_pairs[:5]],
            },
            fmt,
        )

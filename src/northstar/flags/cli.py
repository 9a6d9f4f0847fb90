"""CLI of feature flags: ``northstar flags list|show|create|rollout|switch|evaluate``."""

from __future__ import annotations

import json

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
from northstar.core.errors import ValidationFailed
from northstar.flags import service
from northstar.flags.schemas import EvaluateRequest, FlagCreate, FlagUpdate, RolloutChange

app = typer.Typer(
    help="Feature flags for the PostHog SDKs: rollouts, variants and exposures.", no_args_is_help=True
)


def _variants(text: str | None) -> list[dict[str, object]]:
    """``control=50,test=50`` as variant dicts."""
    variants: list[dict[str, object]] = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        key, sep, share = part.partition("=")
        if not sep:
            raise ValidationFailed(f"variants: write key=percent, e.g. control=50,test=50 (got {part!r})")
        variants.append({"key": key.strip(), "rollout_percentage": share.strip()})
    return variants


def _summary(flag: object) -> dict[str, object]:
    read = service.read_flag(flag)  # type: ignore[arg-type]
    return {
        "id": read.id,
        "key": read.key,
        "name": read.name,
        "active": read.active,
        "rollout": "; ".join(
            ("all" if c.rollout_percentage is None else f"{c.rollout_percentage:g}%")
            + (f" of {len(c.properties)} filter(s)" if c.properties else "")
            for c in read.conditions
        ),
        "variants": ", ".join(f"{v.key} {v.rollout_percentage:g}%" for v in read.variants),
        "version": read.version,
    }


@app.command("list")
@handle_errors
def list_flags(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List the workspace's flags."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        rows = [_summary(f) for f in service.list_flags(session, actor)]
    emit(rows, fmt, ["id", "key", "name", "active", "rollout", "variants", "version"], title="Feature flags")


@app.command("show")
@handle_errors
def show(
    key: str = typer.Argument(..., help="The flag's key."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """One flag with its release conditions (JSON shows them in full)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        flag = service.get_flag_by_key(session, actor, key)
        emit_one(service.read_flag(flag) if fmt == OutputFormat.json else _summary(flag), fmt)


@app.command("create")
@handle_errors
def create(
    key: str = typer.Argument(..., help="What the code asks for, e.g. new-onboarding."),
    name: str = typer.Option("", help="A name people read."),
    rollout: float = typer.Option(100.0, help="Percentage of people who get the flag."),
    variants: str | None = typer.Option(None, help="Multivariate split, e.g. control=50,test=50."),
    conditions: str | None = typer.Option(
        None,
        help="Release conditions as JSON (replaces --rollout), e.g. "
        '\'[{"properties": [{"key": "plan", "operator": "exact", "value": "pro"}], "rollout_percentage": 50}]\'.',
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Create a flag (on/off, or multivariate with --variants)."""
    try:
        parsed = json.loads(conditions) if conditions else [{"rollout_percentage": rollout}]
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"conditions: not JSON ({exc.msg} at character {exc.pos})") from exc
    data = FlagCreate.model_validate(
        {"key": key, "name": name, "conditions": parsed, "variants": _variants(variants)}
    )
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(_summary(service.create_flag(session, actor, data)), fmt)


@app.command("rollout")
@handle_errors
def rollout(
    key: str = typer.Argument(..., help="The flag's key."),
    percent: float = typer.Argument(
        ..., help="The new rollout percentage of every release condition (0-100)."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Roll a flag out to a percentage of people."""
    change = RolloutChange(rollout_percentage=percent)
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        flag = service.get_flag_by_key(session, actor, key)
        emit_one(_summary(service.set_rollout(session, actor, flag.id, change)), fmt)


@app.command("switch")
@handle_errors
def switch(
    key: str = typer.Argument(..., help="The flag's key."),
    state: str = typer.Argument(..., help="on or off."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Switch a flag on or off (off: everyone gets false)."""
    if state not in ("on", "off"):
        raise ValidationFailed(f"state: write on or off, not {state!r}")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        flag = service.get_flag_by_key(session, actor, key)
        emit_one(
            _summary(service.update_flag(session, actor, flag.id, FlagUpdate(active=state == "on"))), fmt
        )


@app.command("evaluate")
@handle_errors
def evaluate(
    key: str = typer.Argument(..., help="The flag's key."),
    distinct_id: str = typer.Argument(..., help="Whose value to compute."),
    prop: list[str] = typer.Option([], "--property", help="A person property, name=value (repeatable)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """What one distinct id gets from a flag, and why."""
    properties = {}
    for item in prop:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValidationFailed(f"--property: write name=value, not {item!r}")
        properties[name] = value
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        flag = service.get_flag_by_key(session, actor, key)
        request = EvaluateRequest(distinct_id=distinct_id, person_properties=properties)
        emit_one(service.evaluate_flag(session, actor, flag.id, request), fmt)

"""``northstar sso configure|show|disable``: a workspace's single sign-on from the command line."""

from __future__ import annotations

import getpass

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit_one,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
)

sso_app = typer.Typer(help="Single sign-on (OpenID Connect) of a workspace.", no_args_is_help=True)
COMMANDS = {"sso": sso_app}


def _group_roles(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        group, sep, role = pair.partition("=")
        if not sep or not group.strip() or not role.strip():
            fail(f"--group-role {pair!r} is not GROUP=ROLE, e.g. product-leads=head_of_product")
        mapping[group.strip()] = role.strip()
    return mapping


@sso_app.command("configure")
@handle_errors
def configure(
    issuer: str = typer.Option(..., help="The provider's issuer URL, e.g. https://login.example.com."),
    client_id: str = typer.Option(..., help="The client id registered at the provider."),
    client_secret: str | None = typer.Option(
        None,
        help="The client secret (prompted when omitted and none is stored yet; '-' keeps the stored one).",
    ),
    domain: list[str] = typer.Option([], "--domain", help="An allowed e-mail domain (repeat for more)."),
    default_role: str = typer.Option("viewer", help="Role of people created on first sign-in."),
    create_accounts: bool = typer.Option(
        True, "--create-accounts/--no-create-accounts", help="Just-in-time accounts."
    ),
    groups_claim: str = typer.Option("groups", help="The ID token claim listing the person's groups."),
    group_role: list[str] = typer.Option([], "--group-role", help="GROUP=ROLE (repeat for more)."),
    required: bool = typer.Option(
        False, "--required/--optional", help="Refuse passwords except the break-glass owner."
    ),
    break_glass: str | None = typer.Option(None, help="E-mail of the owner who may still use a password."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Configure and turn on single sign-on; the secret is stored encrypted and never printed."""
    from northstar.accounts import sso
    from northstar.accounts.encryption import SecretBox
    from northstar.accounts.schemas import SsoConfigure
    from northstar.core.settings import Settings

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        secret = client_secret
        if secret == "-":
            secret = None
        elif secret is None and (sso.get_sso(session, actor) is None):
            secret = getpass.getpass("Client secret: ")
        data = SsoConfigure.model_validate(
            {
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": secret or None,
                "allowed_domains": domain,
                "create_accounts": create_accounts,
                "default_role": default_role,
                "groups_claim": groups_claim,
                "group_roles": _group_roles(group_role),
                "sso_required": required,
                "break_glass_email": break_glass,
            }
        )
        box = SecretBox(Settings().resolved_secret_key())
        emit_one(sso.configure_sso(session, actor, data, box), fmt)


@sso_app.command("show")
@handle_errors
def show(
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Show the workspace's single sign-on settings (the secret is never shown)."""
    from northstar.accounts import sso

    with open_session() as session:
        current = sso.get_sso(session, resolve_actor(session, workspace, as_user))
        if current is None:
            fail("single sign-on is not configured in this workspace; use `northstar sso configure`")
        assert current is not None
        emit_one(current, fmt)


@sso_app.command("disable")
@handle_errors
def disable(
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Turn single sign-on off; passwords work again."""
    from northstar.accounts import sso

    with open_session() as session:
        emit_one(sso.disable_sso(session, resolve_actor(session, workspace, as_user)), fmt)

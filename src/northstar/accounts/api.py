"""API of single sign-on settings: read (never the secret), configure, turn off."""

from __future__ import annotations

from fastapi import APIRouter, Request

from northstar.accounts import sso
from northstar.accounts.schemas import SsoConfigure, SsoRead
from northstar.core.errors import NotFound
from northstar.web.deps import DB, ApiActor, secret_box

router = APIRouter(tags=["accounts"])


@router.get("/sso")
def get_sso(session: DB, actor: ApiActor) -> SsoRead:
    """The workspace's single sign-on settings; the client secret is never returned (``client_secret_set``)."""
    current = sso.get_sso(session, actor)
    if current is None:
        raise NotFound("single sign-on is not configured in this workspace")
    return current


@router.put("/sso")
def configure_sso(body: SsoConfigure, request: Request, session: DB, actor: ApiActor) -> SsoRead:
    """Configure and enable single sign-on (owner or admin). Leave ``client_secret`` out to keep the stored one."""
    return sso.configure_sso(session, actor, body, secret_box(request))


@router.delete("/sso")
def disable_sso(session: DB, actor: ApiActor) -> SsoRead:
    """Turn single sign-on off; passwords work again and the settings stay for turning it back on."""
    return sso.disable_sso(session, actor)

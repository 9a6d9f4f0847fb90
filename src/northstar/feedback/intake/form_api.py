"""API for the embeddable feedback form's settings: read them, create or rotate the key, switch it, retitle it."""

from __future__ import annotations

from fastapi import APIRouter

from northstar.feedback.intake import form_service
from northstar.feedback.intake.form_schemas import FormSettings, FormUpdate, settings_of
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/form", tags=["feedback form"])


@router.get("")
def get_form(session: DB, actor: ApiActor) -> FormSettings:
    return settings_of(form_service.get_form(session, actor))


@router.post("/rotate")
def rotate_form_key(session: DB, actor: ApiActor) -> FormSettings:
    """Create the form, or give it a new key: the old embed URL stops working at once (admins only)."""
    return settings_of(form_service.rotate_form_key(session, actor))


@router.patch("")
def update_form(body: FormUpdate, session: DB, actor: ApiActor) -> FormSettings:
    """Switch the form on or off, or change its heading (admins only)."""
    return settings_of(form_service.update_form(session, actor, body.enabled, body.title))

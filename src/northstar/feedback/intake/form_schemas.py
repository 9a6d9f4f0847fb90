"""Shapes of the embeddable feedback form's settings (API and CLI)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from northstar.feedback.intake.form_service import MAX_TITLE
from northstar.feedback.models.imports import FeedbackForm


class FormSettings(BaseModel):
    """``embed_path`` is the page to put in an iframe (prefix it with this server's address)."""

    configured: bool
    enabled: bool = False
    title: str | None = None
    form_key: str | None = None
    embed_path: str | None = None


class FormUpdate(BaseModel):
    enabled: bool | None = None
    title: str | None = Field(default=None, max_length=MAX_TITLE)


def settings_of(form: FeedbackForm | None) -> FormSettings:
    if form is None:
        return FormSettings(configured=False)
    return FormSettings(
        configured=True,
        enabled=form.enabled,
        title=form.title,
        form_key=form.form_key,
        embed_path=f"/embed/feedback/{form.form_key}",
    )

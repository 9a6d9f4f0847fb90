"""Reading the inbox's bulk-action forms, shared by the inbox, duplicates and taxonomy pages: the form with its
CSRF token checked, the items the person ticked, and the way back to the inbox with the filters they had."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from northstar.core.errors import FieldError, ValidationFailed
from northstar.web.deps import PageUser, check_csrf

#: filters the inbox keeps across a bulk action (anything else in ``back`` is dropped)
KEPT = (
    "q",
    "source",
    "segment",
    "customer_id",
    "linked",
    "kind",
    "sentiment",
    "theme_id",
    "category_id",
    "sort",
    "page",
)


async def read_form(request: Request, user: PageUser) -> FormData:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    return form


def selected_ids(form: FormData) -> list[int]:
    ids = [int(str(v)) for v in form.getlist("feedback_id") if str(v).isdigit()]
    if not ids:
        raise ValidationFailed(
            "select at least one feedback item first", [FieldError("feedback_id", "none selected")]
        )
    return ids


def back_to_inbox(back: str, **notice: str | int) -> RedirectResponse:
    """303 to the inbox with the user's filters (only known keys, so no open redirect) and a notice."""
    kept = [(k, v) for k, v in parse_qsl(back or "") if k in KEPT]
    query = urlencode(kept + [(k, str(v)) for k, v in notice.items()])
    return RedirectResponse(f"/feedback?{query}", status_code=303)

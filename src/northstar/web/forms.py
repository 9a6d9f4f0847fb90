"""Helpers for page routes: reading filter query strings and turning forms into schemas."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse

from northstar.core.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def query_string(**values: Any) -> str:
    """A query string of the non-empty values (to keep filters across pagination links)."""
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def see_other(path: str, **notice: str | int) -> RedirectResponse:
    """303 to ``path`` with ``notice`` as its query (what a page shows after a form post: done=…&count=…)."""
    return RedirectResponse(f"{path}?{query_string(**notice)}", status_code=303)


def parse_form(model: type[M], data: dict[str, Any]) -> M:
    """Validate form data against ``model``; empty strings count as missing."""
    cleaned = {k: (v if v != "" else None) for k, v in data.items() if k != "csrf_token"}
    cleaned = {k: v for k, v in cleaned.items() if v is not None}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        errors = [FieldError(".".join(map(str, e["loc"])) or "form", e["msg"]) for e in exc.errors()]
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def optional_int(value: str | None) -> int | None:
    """An integer from a query-string value, or None when empty or not a number."""
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        return None


_FRIENDLY = (
    (re.compile(r"^Field required$|^String should have at least 1 character"), "cannot be empty"),
    (re.compile(r"valid number|valid float"), "enter a number, like 25000"),
    (re.compile(r"valid integer"), "choose one from the list"),
    (re.compile(r"greater than or equal to 0$"), "must be 0 or more"),
    (re.compile(r"greater than 0$"), "must be more than 0"),
)


def field_messages(failure: ValidationFailed) -> dict[str, str]:
    """{field: message} of a failed form, in words a person reads next to the field (the first per field).

    Pydantic's wording ("Input should be a valid number, unable to parse string as a number") becomes "enter a
    number, like 25000"; messages written by a service are kept. Errors about no particular field go to "form".
    """
    messages: dict[str, str] = {}
    for error in failure.errors or [FieldError("form", failure.detail)]:
        text = error.message
        for pattern, friendly in _FRIENDLY:
            if pattern.search(text):
                text = friendly
                break
        else:
            text = text.removeprefix("Input should be ").removeprefix("Value error, ")
        messages.setdefault(error.field.split(".")[0] or "form", text)
    return messages


def plain_number(text: str | None) -> str:
    """A typed number without the separators and currency people type: "$25,000" → "25000" ("" stays "")."""
    return (text or "").strip().replace(",", "").replace("$", "").replace("_", "").replace(" ", "")


def plain(value: object) -> str:
    """A stored number as a person types it: 25000 (not 25000.0), 0.8; "" when missing."""
    if value is None or value == "":
        return ""
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else f"{number:.10g}"

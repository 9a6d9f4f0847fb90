"""Pages of feature flags: the list with a creation form, a flag's page (its rollout, variants, exposures and the
experiments it runs) and the edit form."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from northstar.core.errors import Conflict, NorthstarError, ValidationFailed
from northstar.flags import service
from northstar.flags.engine import OPERATORS
from northstar.flags.schemas import EvaluateRequest, FlagCreate, FlagUpdate, RolloutChange
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, plain_number, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
OPERATOR_WORDS = {
    "exact": "is",
    "is_not": "is not",
    "icontains": "contains",
    "not_icontains": "does not contain",
    "regex": "matches regex",
    "not_regex": "does not match regex",
    "gt": "greater than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "is_set": "is set",
    "is_not_set": "is not set",
}
TEMPLATE_GLOBALS = {"flag_operators": OPERATOR_WORDS}
#: blank rows the edit form offers beyond the flag's own conditions and variants
SPARE_ROWS = 1


async def _form(request: Request, user: CurrentUser) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


def _value(text: str) -> Any:
    """A typed filter value: ``pro, team`` is a list, ``10`` a number, anything else text."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 1:
        return parts
    word = parts[0] if parts else ""
    number = plain_number(word)
    try:
        return float(number) if "." in number else int(number)
    except ValueError:
        return word or None


def _rows(form: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for n in range(50):
        row = {f: form.get(f"{prefix}-{n}-{f}", "").strip() for f in fields}
        if not any(f"{prefix}-{n}-{f}" in form for f in fields):
            break
        rows.append(row)
    return rows


def conditions_from_form(form: dict[str, str]) -> list[dict[str, Any]]:
    """Condition rows (property, operator, value, rollout %, variant); a row with nothing in it is dropped."""
    conditions = []
    for row in _rows(form, "condition", ("property", "operator", "value", "rollout", "variant", "more")):
        if not (row["property"] or row["rollout"] or row["variant"]):
            continue
        condition: dict[str, Any] = {"properties": []}
        if row["property"]:
            test = {"key": row["property"], "operator": row["operator"] or "exact"}
            if test["operator"] not in ("is_set", "is_not_set"):
                test["value"] = _value(row["value"])
            condition["properties"].append(test)
        condition["properties"].extend(_more_filters(row["more"]))
        condition["rollout_percentage"] = plain_number(row["rollout"]).rstrip("%") or None
        condition["variant"] = row["variant"] or None
        conditions.append(condition)
    return conditions


def _more_filters(text: str) -> list[dict[str, Any]]:
    """The filters after a condition's first, which the page carries along unseen so that saving keeps them."""
    if not text:
        return []
    try:
        filters = json.loads(text)
    except ValueError:
        return []
    return [item for item in filters if isinstance(item, dict)] if isinstance(filters, list) else []


def variants_from_form(form: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "key": row["key"],
            "name": row["name"],
            "rollout_percentage": plain_number(row["percent"]).rstrip("%"),
        }
        for row in _rows(form, "variant", ("key", "name", "percent"))
        if row["key"] or row["percent"]
    ]


def _list_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    flags = [service.read_flag(f) for f in service.list_flags(session, user.actor)]
    return render(
        request,
        "flags_list.html",
        status_code=422 if errors else 200,
        user=user,
        flags=flags,
        typed=typed or {"rollout": "100"},
        errors=errors or {},
        can_edit=user.actor.can(service.WRITE),
    )


@router.get("/flags")
def flags_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _list_page(request, session, user)


@router.post("/flags/new")
async def create_flag(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    variants = [
        {"key": key.strip(), "rollout_percentage": share}
        for key, share in _split_variants(form.get("variants", ""))
    ]
    data = {
        "key": form.get("key", ""),
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "conditions": [{"rollout_percentage": plain_number(form.get("rollout", "")).rstrip("%") or None}],
        "variants": variants,
    }
    try:
        flag = service.create_flag(session, user.actor, parse_form(FlagCreate, data))
    except (ValidationFailed, Conflict) as error:
        session.rollback()
        return _list_page(request, session, user, typed=form, errors=_errors(error))
    return see_other(f"/flags/{flag.id}", created="1")


def _split_variants(text: str) -> list[tuple[str, float]]:
    """``control, test`` (an equal split) or ``control 50, test 50``."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    named = [p.rsplit(None, 1) if len(p.split()) > 1 else [p, ""] for p in parts]
    if named and all(share == "" for _key, share in named):
        base = round(100 / len(named), 2)
        shares = [base] * len(named)
        shares[0] = round(100 - base * (len(named) - 1), 2)
        return [(key, share) for (key, _), share in zip(named, shares, strict=True)]
    result = []
    for key, share in named:
        try:
            result.append((key, float(plain_number(share).rstrip("%"))))
        except ValueError:
            result.append((key, -1.0))  # refused by the schema, next to the field
    return result


def _errors(error: NorthstarError) -> dict[str, str]:
    if isinstance(error, ValidationFailed) and error.errors:
        messages = field_messages(error)
        if "form" in messages and "Value error" in error.detail:
            return {"form": messages["form"]}
        return messages
    return {"key" if "key" in error.detail else "form": error.detail}


@router.get("/flags/{flag_id:int}")
def flag_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    flag_id: int,
    distinct_id: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    from northstar.experiments import service as experiments

    flag = service.get_flag(session, user.actor, flag_id)
    read = service.read_flag(flag)
    tried = None
    if distinct_id:
        tried = service.evaluate_flag(session, user.actor, flag.id, EvaluateRequest(distinct_id=distinct_id))
    sample = service.rollout_sample(session, user.actor, flag.id)
    return render(
        request,
        "flag.html",
        user=user,
        flag=read,
        sample=sample,
        exposures=service.exposures(session, user.actor, request.app.state.settings, flag.id),
        experiments=experiments.experiments_for_flag(session, user.actor, flag.key),
        tried=tried,
        distinct_id=distinct_id or "",
        can_edit=user.actor.can(service.WRITE),
    )


@router.post("/flags/{flag_id:int}/rollout")
async def set_rollout(request: Request, session: DB, user: CurrentUser, flag_id: int) -> Response:
    form = await _form(request, user)
    share = plain_number(form.get("rollout_percentage", "")).rstrip("%")
    service.set_rollout(
        session, user.actor, flag_id, parse_form(RolloutChange, {"rollout_percentage": share})
    )
    return see_other(f"/flags/{flag_id}", saved="rollout")


@router.post("/flags/{flag_id:int}/active")
async def switch(request: Request, session: DB, user: CurrentUser, flag_id: int) -> Response:
    form = await _form(request, user)
    service.update_flag(session, user.actor, flag_id, FlagUpdate(active=form.get("active") == "on"))
    return see_other(f"/flags/{flag_id}", saved="switch")


def _edit_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    flag_id: int,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    flag = service.read_flag(service.get_flag(session, user.actor, flag_id))
    return render(
        request,
        "flag_edit.html",
        status_code=422 if errors else 200,
        user=user,
        flag=flag,
        errors=errors or {},
        form=form,
        spare=SPARE_ROWS,
        operators=OPERATORS,
        more_filters=[
            json.dumps([test.model_dump(mode="json") for test in condition.properties[1:]])
            if len(condition.properties) > 1
            else ""
            for condition in flag.conditions
        ],
    )


@router.get("/flags/{flag_id:int}/edit")
def edit_page(request: Request, session: DB, user: CurrentUser, flag_id: int) -> Response:
    return _edit_page(request, session, user, flag_id)


@router.post("/flags/{flag_id:int}/edit")
async def save_edit(request: Request, session: DB, user: CurrentUser, flag_id: int) -> Response:
    form = await _form(request, user)
    data = {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "active": form.get("active") == "on",
        "conditions": conditions_from_form(form),
        "variants": variants_from_form(form),
    }
    try:
        update = parse_form(FlagUpdate, data)
        if update.conditions is None:
            update.conditions = []
        if update.variants is None:
            update.variants = []
        service.update_flag(session, user.actor, flag_id, update)
    except ValidationFailed as error:
        session.rollback()
        return _edit_page(request, session, user, flag_id, {"form": error.detail}, form)
    return see_other(f"/flags/{flag_id}", saved="flag")

"""Jinja2 environment for every module's pages, with the layout's shared context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from northstar import modules


def _money(value: float | None, currency: str = "$") -> str:
    if value is None:
        return "—"
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"{currency}{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{currency}{value / 1000:.0f}k"
    return f"{currency}{value:,.0f}"


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _label(value: str | None) -> str:
    return (value or "—").replace("_", " ")


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([str(d) for d in modules.template_dirs()])]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=_money, date=_date, label=_label)
    env.globals["navigation"] = modules.navigation()
    return Jinja2Templates(env=env)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the layout context (the current user and workspace, when logged in)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)

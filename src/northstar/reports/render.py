"""Render reports: one Jinja template per report kind gives the HTML fragment that the app page shows, the
standalone HTML download and, through WeasyPrint, the PDF (page numbers, dates and the workspace in its margins).

The fragment is rendered once, when a report is issued, and stored; the HTML file and the PDF wrap that stored
fragment, so an issued report looks the same in every form however the data changes later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from northstar.core.errors import NotFound
from northstar.reports import charts, engine
from northstar.reports.schemas import BoardData, BriefData

TEMPLATES = Path(__file__).resolve().parent / "templates" / "documents"


def _percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    digits = 2 if abs(value) < 10 else 1
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _arr(value: float | None) -> str:
    return "—" if value is None else f"${value:,.0f}"


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(percent=_percent, number=_number, arr=_arr, money=engine.format_money)
        env.globals["pace_words"] = {
            "on_track": "on track",
            "behind": "behind",
            "at_risk": "at risk",
            "done": "done",
            "not_started": "not started",
            "no_period": "no period",
        }
        _env = env
    return _env


def board_fragment(data: BoardData) -> str:
    """The board report's body: the sections and their charts (inline SVG)."""
    template = environment().get_template("board.html")
    return template.render(
        data=data,
        timeline=charts.roadmap_timeline(data),
        budget_chart=charts.budget_bars(data),
        theme_chart=charts.theme_bars(data),
        metric_chart=charts.metric_lines(data),
    )


def brief_fragment(data: BriefData, note: str) -> str:
    """The weekly brief's body (without the Head of Product's private list, which is never stored as HTML)."""
    return environment().get_template("brief.html").render(data=data, note=note)


def document(fragment: str, title: str, workspace: str, issued_on: dt.date | None) -> str:
    """A standalone HTML document around a stored fragment, with the print rules WeasyPrint reads."""
    return (
        environment()
        .get_template("document.html")
        .render(body=Markup(fragment), title=title, workspace=workspace, issued_on=issued_on)
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint may fetch nothing: the document is self-contained (a report must render offline)."""
    raise NotFound(f"reports render offline; refused to fetch {url[:80]}")


def pdf(html: str) -> bytes:
    """The PDF of a standalone report document."""
    from weasyprint import HTML

    result = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert result is not None
    return bytes(result)


def stylesheet() -> str:
    """The report body's styles, for the app page that shows a report inside the layout."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")

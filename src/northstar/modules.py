"""The module registry: which domain modules make up Northstar, and how each is mounted.

A module is a package ``northstar.<name>`` with any of: ``models`` (tables), ``api`` (``router`` mounted
under ``/api/v1``), ``pages`` (``router`` mounted at the root), ``cli`` (``app``, a Typer app mounted as
``northstar <cli_name>``), ``jobs`` (job handlers registered on import) and ``templates/``.
To add a module, add one ``ModuleSpec`` line below.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    nav: tuple[NavItem, ...] = ()
    cli_name: str | None = None
    cli_help: str = ""


MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec("accounts"),
    ModuleSpec("customers", (NavItem("Customers", "/customers"),), "customers", "Customers and their ARR."),
    ModuleSpec("teams", (NavItem("Teams", "/teams"),), "teams", "Teams, capacity and people."),
    ModuleSpec(
        "feedback",
        (NavItem("Inbox", "/feedback"), NavItem("Themes", "/feedback/themes")),
        "feedback",
        "The feedback inbox.",
    ),
    ModuleSpec("ideas", (NavItem("Ideas", "/ideas"),), "ideas", "Ideas and the feedback behind them."),
    ModuleSpec(
        "strategy", (NavItem("Objectives", "/objectives"),), "objectives", "Objectives and key results."
    ),
    ModuleSpec(
        "experiments", (NavItem("Experiments", "/experiments"),), "experiment", "A/B test statistics."
    ),
    ModuleSpec(
        "people", (NavItem("People", "/people"), NavItem("Reviews", "/reviews")), None, "Ladder, 1:1s, 360s."
    ),
    ModuleSpec("maturity", (NavItem("Maturity", "/maturity"),), "maturity", "Product-organisation maturity."),
    ModuleSpec(
        "analytics", (NavItem("Analytics", "/analytics"),), None, "Product analytics: insights and events."
    ),
    ModuleSpec(
        "decisions",
        (NavItem("Prioritize", "/prioritize"), NavItem("Plans", "/plans")),
        "plan",
        "Scoring, optimal portfolios, roadmaps and delivery forecasts.",
    ),
)

PACKAGE_DIR = Path(__file__).resolve().parent


def _optional(module: str) -> ModuleType | None:
    """Import ``northstar.<module>`` if that file exists (a missing part is normal, a broken one is not)."""
    full = f"northstar.{module}"
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


def _has(spec: ModuleSpec, part: str) -> bool:
    base = PACKAGE_DIR / spec.name
    return (base / f"{part}.py").exists() or (base / part / "__init__.py").exists()


def load_models() -> None:
    """Import every module's tables so that one metadata knows them all (Alembic, tests)."""
    importlib.import_module("northstar.core.audit")
    importlib.import_module("northstar.core.jobs")
    for spec in MODULES:
        if _has(spec, "models"):
            _optional(f"{spec.name}.models")


def load_jobs() -> None:
    """Import every module's job handlers so that they are registered."""
    for spec in MODULES:
        if _has(spec, "jobs"):
            _optional(f"{spec.name}.jobs")


def parts(part: str) -> list[tuple[ModuleSpec, ModuleType]]:
    """(spec, imported submodule) for each module that has ``part`` (``api``, ``pages``, ``cli``)."""
    found = []
    for spec in MODULES:
        if _has(spec, part):
            module = _optional(f"{spec.name}.{part}")
            if module is not None:
                found.append((spec, module))
    return found


def template_dirs() -> list[Path]:
    """The web layout's templates first, then each module's own folder."""
    dirs = [PACKAGE_DIR / "web" / "templates"]
    dirs += [
        PACKAGE_DIR / spec.name / "templates"
        for spec in MODULES
        if (PACKAGE_DIR / spec.name / "templates").is_dir()
    ]
    return dirs


def navigation() -> list[NavItem]:
    return [item for spec in MODULES for item in spec.nav]


def attr(module: ModuleType, name: str) -> Any:
    return getattr(module, name, None)

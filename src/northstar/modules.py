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

#: The navigation's groups, in the order of the value chain: hear customers, decide, measure, grow the team;
#: Settings last. Every ``NavItem.group`` names one of these.
NAV_GROUPS: tuple[str, ...] = ("Discover", "Decide", "Measure", "Team", "Settings")


@dataclass(frozen=True)
class NavItem:
    """One navigation entry: its words, its page, its group and its place within the group."""

    label: str
    path: str
    group: str
    order: int = 0


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    nav: tuple[NavItem, ...] = ()
    cli_name: str | None = None
    cli_help: str = ""


MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "accounts",
        (NavItem("Single sign-on", "/settings/sso", "Settings", 9),),
        "sso",
        "Single sign-on (OpenID Connect) of a workspace.",
    ),
    ModuleSpec(
        "customers",
        (NavItem("Customers", "/customers", "Settings", 1),),
        "customers",
        "Customers and their ARR.",
    ),
    ModuleSpec("teams", (NavItem("Teams", "/teams", "Settings", 2),), "teams", "Teams, capacity and people."),
    ModuleSpec(
        "feedback",
        (NavItem("Inbox", "/feedback", "Discover", 1), NavItem("Themes", "/feedback/themes", "Discover", 2)),
        "feedback",
        "The feedback inbox.",
    ),
    ModuleSpec(
        "ideas", (NavItem("Ideas", "/ideas", "Decide", 1),), "ideas", "Ideas and the feedback behind them."
    ),
    ModuleSpec(
        "experiments",
        (NavItem("Experiments", "/experiments", "Measure", 2),),
        "experiment",
        "A/B test statistics.",
    ),
    ModuleSpec(
        "people",
        (NavItem("People", "/people", "Team", 1), NavItem("Reviews", "/reviews", "Team", 2)),
        None,
        "Ladder, 1:1s, 360s.",
    ),
    ModuleSpec(
        "maturity",
        (NavItem("Maturity", "/maturity", "Team", 3),),
        "maturity",
        "Product-organisation maturity.",
    ),
    ModuleSpec(
        "analytics",
        (NavItem("Analytics", "/analytics", "Measure", 1),),
        None,
        "Product analytics: insights and events.",
    ),
    # after analytics: the strategy demo binds key results to the analytics demo's metrics when they exist
    ModuleSpec(
        "strategy",
        (NavItem("Objectives", "/objectives", "Measure", 3),),
        "objectives",
        "Objectives and key results.",
    ),
    ModuleSpec(
        "decisions",
        (NavItem("Prioritize", "/prioritize", "Decide", 2), NavItem("Plans", "/plans", "Decide", 3)),
        "plan",
        "Scoring, optimal portfolios, roadmaps and delivery forecasts.",
    ),
    # the search box sits in every page's header, not in the navigation
    ModuleSpec(
        "search",
        (),
        "search",
        "Find feedback, ideas, customers and people matching every word of QUERY, grouped by kind.",
    ),
    ModuleSpec("administration", (NavItem("Settings", "/settings", "Settings", 3),)),
    ModuleSpec(
        "budget",
        (NavItem("Budget", "/budget", "Decide", 4),),
        "budget",
        "Budget plan lines, actual spend from finance and plan against actual.",
    ),
    ModuleSpec(
        "integrations",
        (NavItem("Integrations", "/integrations", "Settings", 4),),
        "integrations",
        "Connections to Zendesk, GitHub Issues and Jira: sync, webhooks, ideas linked to issues.",
    ),
    # after experiments and analytics: the demo flag runs the demo's pricing experiment and adds its exposure events
    ModuleSpec(
        "flags",
        (NavItem("Feature flags", "/flags", "Measure", 4),),
        "flags",
        "Feature flags for the PostHog SDKs: rollouts, variants and exposures.",
    ),
    # the bell in every page's header leads to /notifications, not the navigation
    ModuleSpec(
        "notifications", (), "notifications", "In-app, e-mail and Slack notifications and their outbox."
    ),
    ModuleSpec(
        "changelog",
        (NavItem("Changelog", "/changelog", "Discover", 3),),
        "changelog",
        "The public changelog that tells the customers who asked.",
    ),
    # after ideas, decisions, strategy and experiments: the demo threads sit on their objects
    ModuleSpec(
        "discussion",
        (NavItem("Activity", "/activity", "Discover", 4),),
        "discussion",
        "Comments with @mentions, followers and activity feeds.",
    ),
    # last: the board report and the brief read every module above (and the demo seeds them after the rest)
    ModuleSpec(
        "reports",
        (NavItem("Reports", "/reports", "Measure", 5),),
        "report",
        "Board reports, weekly product briefs and shareable roadmap links.",
    ),
)

#: Modules whose cli.py mounts several top-level commands (``COMMANDS = {name: typer_app}``): each command's name
#: and help, so that ``northstar --help`` lists them without importing the module (tests/foundation/test_cli_lazy.py
#: fails when these drift from the Typer apps).
CLI_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "people": (
        ("people", "Career ladder, job descriptions, team and profiles."),
        ("reviews", "360-degree review cycles, reports and calibration."),
    ),
    "analytics": (
        ("insight", "Insights computed straight from an events file."),
        ("events", "The event store: import events."),
        ("analytics", "Product analytics of a workspace: anomaly alerts."),
    ),
}

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CliEntry:
    """One top-level command a module adds: its name, the module whose ``cli`` defines it, its one-line help."""

    name: str
    module: str
    help: str


def cli_entries() -> list[CliEntry]:
    """Every module's top-level commands, known without importing any module (``northstar --help`` lists these;
    a command's module is imported only when it runs)."""
    entries = []
    for spec in MODULES:
        if not _has(spec, "cli"):
            continue
        if spec.name in CLI_COMMANDS:
            entries += [CliEntry(name, spec.name, text) for name, text in CLI_COMMANDS[spec.name]]
        elif spec.cli_name:
            entries.append(CliEntry(spec.cli_name, spec.name, spec.cli_help))
    return entries


def spec_of(name: str) -> ModuleSpec:
    """The registry line of module ``name``."""
    for spec in MODULES:
        if spec.name == name:
            return spec
    raise KeyError(name)


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
    importlib.import_module("northstar.core.rate_limits")
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
    """Every module's entries, ordered along the value chain (group, then place within the group)."""
    items = [item for spec in MODULES for item in spec.nav]
    unknown = sorted({item.group for item in items} - set(NAV_GROUPS))
    if unknown:
        raise ValueError(f"navigation group(s) {unknown} are not in NAV_GROUPS {NAV_GROUPS}")
    return sorted(items, key=lambda item: (NAV_GROUPS.index(item.group), item.order, item.label))


def navigation_groups() -> list[tuple[str, list[NavItem]]]:
    """The navigation as (group, entries) pairs in ``NAV_GROUPS`` order, leaving out empty groups."""
    items = navigation()
    grouped = [(group, [item for item in items if item.group == group]) for group in NAV_GROUPS]
    return [(group, entries) for group, entries in grouped if entries]


def current_nav_path(path: str, items: list[NavItem]) -> str:
    """The entry a page belongs to: the longest nav path that ``path`` is, or is under ("" for none).

    /feedback/themes/3 belongs to Themes, not Inbox; /ideas-archive would not belong to /ideas.
    """
    best = ""
    for item in items:
        if (path == item.path or path.startswith(item.path.rstrip("/") + "/")) and len(item.path) > len(best):
            best = item.path
    return best


def attr(module: ModuleType, name: str) -> Any:
    return getattr(module, name, None)

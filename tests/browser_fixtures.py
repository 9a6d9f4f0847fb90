"""Browser fixtures for every test folder: one Debian chromium per test session, driven by Playwright
(no browser download). Loaded from the root conftest as a plugin so there is only one Playwright instance."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("NORTHSTAR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
# axe-core, pinned, from the npm registry (``make axe``); injected into pages, never fetched at run time
AXE_SCRIPT = Path(__file__).resolve().parents[1] / ".browser-kit" / "node_modules" / "axe-core" / "axe.min.js"
AXE_FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


class PageWatch:
    """What went wrong while a page was open: console errors, failed requests and 4xx/5xx responses."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda res: res.status >= 400 and self.problems.append(f"HTTP {res.status}: {res.url}"),
        )

    def _request_failed(self, request: Any) -> None:
        """Record a request that failed, except one the browser itself cancelled because the page moved on:
        ``net::ERR_ABORTED`` is what chromium reports for an image still loading when the next navigation
        starts, which is the test's timing, not a fault of the page. Server errors arrive as responses."""
        if "ERR_ABORTED" in str(request.failure):
            return
        self.problems.append(f"failed request: {request.url} {request.failure}")

    def assert_clean(self, where: str) -> None:
        """Fail, listing every problem, if anything went wrong; then start afresh for the next page."""
        found, self.problems = self.problems, []
        assert not found, f"{where}: " + "; ".join(found)


def open_clean(page: Any, url: str, watch: PageWatch) -> Any:
    """Open ``url``, wait until the network is quiet, and fail on console errors or failed requests."""
    response = page.goto(url, wait_until="networkidle")
    watch.assert_clean(url)
    return response


def assert_accessible(page: Any, where: str = "") -> None:
    """Run axe-core in the page and fail on serious or critical violations, listing rule, impact and nodes."""
    if not AXE_SCRIPT.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{AXE_SCRIPT} is missing: run `make axe`")
        pytest.skip("axe-core not installed (make axe)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in bad
    ]
    assert not bad, f"{where or page.url}: accessibility violations:\n" + "\n".join(lines)


def log_in(page: Any, live_server: str, email: str) -> None:
    """Sign in through the login form, as a person would, and wait for the home page."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # networkidle, not load: the favicon is fetched after the load event, and leaving the page while it is still
    # on its way aborts it, which the next ``open_clean`` would report as a failed request
    page.wait_for_url(f"{live_server}/", wait_until="networkidle")

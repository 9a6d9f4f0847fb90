"""Regenerate the screenshots in docs/images from the demo company, so they never go stale.

Seeds the demo into a temporary home (the same ``seed_demo`` that ``make demo`` runs), serves it with uvicorn on a
free local port, logs in with Playwright in Debian's chromium and saves the first screen (1440 × 900) of each page below.
Pages whose address needs an id (a plan and its comparison, an objective, the dashboard) are found by following the
links a person would click.

Run: ``.venv/bin/python scripts/screenshots.py [--out docs/images]`` (or ``make screenshots``).
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: (file name, address or "first link matching PATTERN on ADDRESS", what it shows)
PAGES: list[tuple[str, str, str]] = [
    ("home.png", "/", "the workspace home"),
    ("inbox.png", "/feedback", "the feedback inbox"),
    ("themes.png", "/feedback/themes", "themes ranked by the ARR behind them"),
    ("prioritize.png", "/prioritize", "scoring inputs on Prioritize"),
    ("plans.png", "/plans", "the plans and their scenarios"),
    (
        "scenario-comparison.png",
        r"link:/plans:/plans/compare\?a=\d+&(?:amp;)?b=\d+",
        "a scenario against its plan",
    ),
    ("analytics.png", "/analytics", "the insight builder"),
    ("dashboard.png", r"link:/analytics/dashboards:/analytics/dashboards/\d+", "the product dashboard"),
    ("objective.png", r"link:/objectives:/objectives/\d+", "an objective with its key results' pace"),
    ("budget.png", "/budget", "plan against actual spend"),
    ("brief.png", r'link:/reports:/reports/\d+(?=">Product brief)', "a weekly product brief"),
    ("board-report.png", r'link:/reports:/reports/\d+(?=">Board report)', "the quarter's board report"),
    ("maturity.png", "/maturity", "the maturity assessment"),
]


def _serve(settings: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    from northstar.web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the demo server did not start within 60 s")
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}", server, thread


def _seed(home: Path) -> Any:
    from northstar import modules
    from northstar.analytics import runtime
    from northstar.core import migrate
    from northstar.core.database import create_database_engine, create_session_factory
    from northstar.core.settings import Settings
    from northstar.demo.seed import seed_demo

    url = f"sqlite:///{home / 'demo.db'}"
    settings = Settings(database_url=url, home=home, upgrade_on_start=False, secret_key="screenshots")
    modules.load_models()
    migrate.upgrade(url)
    engine = create_database_engine(url)
    with create_session_factory(engine)() as session:
        seed_demo(session, settings=settings)
        session.commit()
    engine.dispose()
    runtime.close_all()  # the server opens the demo's event store next; DuckDB allows one writer
    return settings


def _address(page: Any, base: str, spec: str) -> str | None:
    if not spec.startswith("link:"):
        return spec
    _, listing, pattern = spec.split(":", 2)
    page.goto(f"{base}{listing}", wait_until="networkidle")
    found = re.search(rf'href="({pattern})"', page.content())
    return found.group(1).replace("&amp;", "&") if found else None


def _pdf_pages(pdf: bytes, out: Path, stem: str, pages: int = 2) -> None:
    """The first ``pages`` pages of a PDF as PNG images (poppler's pdftoppm), named ``stem-1.png``, …."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages), str(source), str(out / stem)],
            check=True,
        )
    for made in sorted(out.glob(f"{stem}-*.png")):  # pdftoppm pads page numbers by the page count's digits
        made.rename(out / f"{stem}-{int(made.stem.rsplit('-', 1)[1])}.png")
        print(f"{stem}-{int(made.stem.rsplit('-', 1)[1])}.png: page of the board report's PDF")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "images")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from northstar.demo.seed import DEMO_EMAIL, DEMO_PASSWORD

    arguments.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="northstar-screenshots-") as folder:
        print("seeding the demo company …", flush=True)
        settings = _seed(Path(folder))
        base, server, thread = _serve(settings)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                page.set_default_timeout(
                    120_000
                )  # a dashboard renders several charts; a busy machine is slow
                page.goto(f"{base}/login")
                page.fill("input[name=email]", DEMO_EMAIL)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                for name, spec, what in PAGES:
                    address = _address(page, base, spec)
                    if address is None:
                        print(f"{name}: — (no link found for {what})")
                        continue
                    page.goto(f"{base}{address}", wait_until="networkidle")
                    page.screenshot(path=str(arguments.out / name))  # the first screen, as a person lands
                    print(f"{name}: {what} ({address})")
                board = _address(page, base, r'link:/reports:/reports/\d+(?=">Board report)')
                if board:
                    _pdf_pages(
                        page.request.get(f"{base}{board}/report.pdf").body(),
                        arguments.out,
                        "board-report-pdf",
                    )
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)


if __name__ == "__main__":
    main()

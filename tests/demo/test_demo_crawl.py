"""The seeded demo, crawled as a newcomer would click through it: no link leads to a 404 or a 500, no page shows a
Python repr, ``None``, an unformatted float or an API path, and no navigation page shows an empty state.

One full demo seed (SQLite, with its analytics events) is shared by the tests of this file. The crawl follows every
same-site link of every page it reaches (GET only, so it changes nothing), breadth first from the home page and the
navigation, up to ``MAX_PAGES`` pages and ``PER_SHAPE`` pages of each shape of address.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar import modules
from northstar.core import migrate
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.settings import Settings
from northstar.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from northstar.web.app import create_app

pytestmark = pytest.mark.slow

MAX_PAGES = 400
#: pages of one shape (``/ideas/{n}``, ``/feedback?theme_id={n}``) visited at most this many times: 120 idea pages
#: render from one template, three of them say as much as all
PER_SHAPE = 3
ILLEGIBLE = re.compile(r"\{'|\['|\bNone\b|\d+\.\d{5,}|/api/v1/")
EMPTY_STATE = re.compile(r"\bNo [a-z][a-z ,-]* yet\b|\bNothing (?:here|yet)\b")
#: the maturity assessment names the evidence the data lacks ("No budget lines with actuals recorded yet"): that is
#: its finding about the company, not an empty page
FINDING = re.compile(r"recorded yet$")
LINK = re.compile(r"""href="(/[^"#]*)""")
#: links that end the session, download files or leave the pages (checked elsewhere)
SKIPPED = re.compile(r"^/(?:logout|api/|static/|docs|openapi)|\.(?:csv|pdf|png|json)(?:\?|$)|/export|/pdf\b")
MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("demo-crawl")
    url = f"sqlite:///{home / 'demo.db'}"
    settings = Settings(database_url=url, home=Path(home), upgrade_on_start=False, secret_key="crawl")
    modules.load_models()
    migrate.upgrade(url)
    engine = create_database_engine(url)
    with create_session_factory(engine)() as session:
        _seed(session, settings)
    engine.dispose()
    from northstar.analytics import runtime

    runtime.close_all()  # the app opens the demo's event store next; DuckDB allows one writer
    with TestClient(create_app(settings)) as test_client:
        login = test_client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert login.status_code in (200, 303)
        yield test_client


def _seed(session: Session, settings: Settings) -> None:
    seed_demo(session, settings=settings)
    session.commit()


def _shape(link: str) -> str:
    """The address with its numbers and query values blanked: ``/ideas/12?tab=x`` → ``/ideas/{n}?tab``."""
    path, _, query = link.partition("?")
    keys = sorted(part.split("=", 1)[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "{n}", path) + ("?" + "&".join(keys) if keys else "")


def _readable_text(html: str) -> str:
    found = MAIN.search(html)
    return " ".join(TAG.sub(" ", found.group(1) if found else html).split())


def test_every_link_of_the_demo_answers_and_every_page_reads_clean(client: TestClient) -> None:
    start = ["/"] + [item.path for item in modules.navigation()]
    queue: deque[tuple[str, str]] = deque((path, "navigation") for path in start)
    seen = set(start)
    shapes: dict[str, int] = {}
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path, came_from = queue.popleft()
        response = client.get(path, follow_redirects=True)
        visited += 1
        if response.status_code >= 400:
            problems.append(f"{path} (linked from {came_from}): HTTP {response.status_code}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        text = _readable_text(response.text)
        bad = ILLEGIBLE.findall(text)
        if bad:
            problems.append(f"{path}: illegible text {bad[:3]}")
        for link in LINK.findall(response.text):
            link = link.replace("&amp;", "&")
            if link in seen or SKIPPED.search(link):
                continue
            seen.add(link)
            shape = _shape(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] <= PER_SHAPE:
                queue.append((link, path))
    assert visited >= 50, f"the crawl reached only {visited} pages"
    assert not problems, f"{len(problems)} problem(s) in {visited} pages:\n" + "\n".join(problems[:40])


def test_no_navigation_page_of_the_demo_shows_an_empty_state(client: TestClient) -> None:
    empty: list[str] = []
    for item in modules.navigation():
        response = client.get(item.path)
        assert response.status_code == 200, item.path
        found = [m for m in EMPTY_STATE.findall(_readable_text(response.text)) if not FINDING.search(m)]
        if found:
            empty.append(f"{item.path}: {found[:3]}")
    assert not empty, "the seeded demo should fill every navigation page:\n" + "\n".join(empty)

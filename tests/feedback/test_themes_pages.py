"""The theme pages as a user sees them: the explorer (ranking, sparklines, chart), a theme's page with its demand and
controls, forms that need the CSRF token, the analysis started as a job, and the themes behind an idea."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.core.permissions import Role
from northstar.feedback.models.analysis import FeedbackTheme
from tests.factories import PASSWORD, World, make_customer, make_feedback, make_world
from tests.feedback.analysis_support import TOPICS
from tests.feedback.themes_support import seed_topics, the_theme, theme_of


def _login(client: TestClient, world: World, role: Role = Role.OWNER) -> str:
    response = client.post(
        "/login", data={"email": world.email(role), "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_explorer_ranks_themes_with_sparklines_chart_and_quotes(client: TestClient, session: Session) -> None:
    world = make_world(session)
    globex = make_customer(session, world, "Globex", 5000.0, "enterprise")
    ids = seed_topics(session, world, {"pricing": [globex]})
    _login(client, world)
    page = client.get("/feedback/themes?level=sub&sort=arr")
    assert page.status_code == 200
    rows = re.findall(r'<a href="/feedback/themes/(\d+)">', page.text)
    assert int(rows[0]) == the_theme(session, ids["pricing"])  # the only theme with ARR comes first
    assert len(set(rows)) == 3
    assert page.text.count('class="sparkline"') == 3
    assert 'data-testid="top-themes-chart"' in page.text and "<svg" in page.text
    assert "Top themes by ARR" in page.text
    assert "“" in page.text  # a representative quote per theme
    assert '<a href="/feedback/themes"' in page.text  # the navigation entry
    by_count = client.get("/feedback/themes?sort=items")
    assert by_count.status_code == 200 and "Top themes by items" in by_count.text
    assert client.get("/feedback/themes?sort=loudness").status_code == 422


def test_theme_page_shows_demand_and_its_forms_change_the_theme(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 1000.0, "smb")
    ids = seed_topics(session, world, {"export": [acme, acme]})
    export, login = the_theme(session, ids["export"]), the_theme(session, ids["login"])
    csrf = _login(client, world)
    page = client.get(f"/feedback/themes/{export}")
    assert page.status_code == 200
    assert 'data-testid="theme-arr">$1,000<' in page.text
    assert 'data-testid="segments"' in page.text and 'data-testid="items"' in page.text
    assert page.text.count('name="feedback_id"') == 6
    assert "Create idea and link all items" in page.text

    assert (
        client.post(f"/feedback/themes/{export}/rename", data={"name": "Exports"}).status_code == 403
    )  # no CSRF
    renamed = client.post(
        f"/feedback/themes/{export}/rename",
        data={"csrf_token": csrf, "name": "Exports"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303 and renamed.headers["location"] == f"/feedback/themes/{export}"
    assert "<h1>Exports" in client.get(f"/feedback/themes/{export}").text
    client.post(f"/feedback/themes/{export}/pin", data={"csrf_token": csrf, "pinned": "1"})
    assert "📌 pinned" in client.get(f"/feedback/themes/{export}").text

    moved = client.post(
        f"/feedback/themes/{login}/move",
        data={"csrf_token": csrf, "feedback_id": [str(ids["login"][0])], "target_theme_id": str(export)},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and theme_of(session, ids["login"][0]) == export
    assert "placed by hand" in client.get(f"/feedback/themes/{export}").text

    split = client.post(
        f"/feedback/themes/{export}/split",
        data={"csrf_token": csrf, "feedback_id": [str(ids["login"][0])], "name": "Strays"},
        follow_redirects=False,
    )
    new = int(split.headers["location"].rsplit("/", 1)[1])
    assert session.get(FeedbackTheme, new).name == "Strays"  # type: ignore[union-attr]
    merged = client.post(
        f"/feedback/themes/{new}/merge",
        data={"csrf_token": csrf, "into_theme_id": str(login)},
        follow_redirects=False,
    )
    assert merged.headers["location"] == f"/feedback/themes/{login}"
    absorbed = client.get(f"/feedback/themes/{new}", follow_redirects=False)
    assert absorbed.status_code == 303 and absorbed.headers["location"] == f"/feedback/themes/{login}"

    bad = client.post(f"/feedback/themes/{export}/merge", data={"csrf_token": csrf, "into_theme_id": "x"})
    assert bad.status_code == 422 and "not an id" in bad.text

    made = client.post(
        f"/feedback/themes/{export}/create-idea",
        data={"csrf_token": csrf, "title": "Better exports", "importance": "3"},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/ideas/")
    idea_page = client.get(made.headers["location"])
    assert idea_page.status_code == 200 and 'data-testid="idea-themes"' in idea_page.text
    assert f'href="/feedback/themes/{export}">Exports</a>' in idea_page.text


def test_parent_theme_page_lists_sub_themes_and_viewers_see_no_controls(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    parent = session.get(FeedbackTheme, the_theme(session, ids["login"])).parent_id  # type: ignore[union-attr]
    _login(client, world, Role.VIEWER)
    page = client.get(f"/feedback/themes/{parent}")
    assert page.status_code == 200 and 'data-testid="sub-themes"' in page.text
    assert page.text.count('class="sparkline"') == 3
    assert (
        "Shape this theme" not in page.text
        and "Analyse new feedback" not in client.get("/feedback/themes").text
    )
    assert client.get("/feedback/themes/999999").status_code == 404


def test_analyse_button_starts_a_job_and_shows_its_progress_page(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    for text in TOPICS["login"]:
        make_feedback(session, world, text=text)
    csrf = _login(client, world)
    empty = client.get("/feedback/themes")
    assert "No themes yet" in empty.text and "Analyse new feedback" in empty.text
    started = client.post("/feedback/themes/analyse", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_page = client.get(started.headers["location"])
    assert job_page.status_code == 200 and "feedback.analyse" in job_page.text
    job_id = started.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 120
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    # wait for the job to finish before the test's database is emptied
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded", job
    assert "No themes yet" not in client.get("/feedback/themes").text

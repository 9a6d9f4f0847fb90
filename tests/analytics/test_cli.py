"""The stateless insight commands and the events import command (JSON shapes, bad input exits with status 2)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.analytics.cli import events_app, insight_app

T0 = datetime(2024, 1, 1, 9)
runner = CliRunner()


def _events(tmp_path: Path) -> Path:
    rows = [
        ("a", "A", T0), ("a", "B", T0 + timedelta(hours=1)), ("a", "C", T0 + timedelta(days=2)),
        ("b", "A", T0 + timedelta(days=1)), ("b", "B", T0 + timedelta(days=20)),
        ("c", "A", T0 + timedelta(days=3)), ("c", "X", T0 + timedelta(days=3, hours=1)),
        ("c", "B", T0 + timedelta(days=3, hours=2)),
    ]  # fmt: skip
    path = tmp_path / "events.parquet"
    table = pa.table(
        {
            "event": [r[1] for r in rows],
            "distinct_id": [r[0] for r in rows],
            "timestamp": [r[2] for r in rows],
            "properties": [json.dumps({"n": i}) for i in range(len(rows))],
        }
    )
    pq.write_table(table, path)
    return path


def _json(args: list[str]) -> dict[str, object]:
    result = runner.invoke(insight_app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_funnel_command_prints_counts_and_times(tmp_path: Path) -> None:
    out = _json(["funnel", "--events", str(_events(tmp_path)), "--steps", "A,B,C", "--window", "14d"])
    assert out["steps"] == [
        {"name": "A", "count": 3, "average_seconds": None, "median_seconds": None},
        {"name": "B", "count": 2, "average_seconds": 5400.0, "median_seconds": 5400.0},
        {"name": "C", "count": 1, "average_seconds": 169200.0, "median_seconds": 169200.0},
    ]


def test_funnel_command_exclusion_and_strict_mode(tmp_path: Path) -> None:
    path = str(_events(tmp_path))
    excluded = _json(["funnel", "--events", path, "--steps", "A,B", "--window", "1d", "--exclude", "X"])
    assert [s["count"] for s in excluded["steps"]] == [2, 1]  # type: ignore[index]
    strict = _json(["funnel", "--events", path, "--steps", "A,B", "--window", "1d", "--mode", "strict"])
    assert [s["count"] for s in strict["steps"]] == [3, 1]  # type: ignore[index]


def test_retention_command_starts_at_the_first_event_day(tmp_path: Path) -> None:
    out = _json(
        ["retention", "--events", str(_events(tmp_path)), "--start-event", "A", "--return-event", "B",
         "--period", "day", "--intervals", "4"]
    )  # fmt: skip
    assert out["cohorts"] == [
        {"start": "2024-01-01", "values": [1, 0, 0, 0]},
        {"start": "2024-01-02", "values": [1, 0, 0]},
        {"start": "2024-01-03", "values": [0, 0]},
        {"start": "2024-01-04", "values": [1]},
    ]


def test_trends_command_zero_fills_every_day(tmp_path: Path) -> None:
    out = _json(
        ["trends", "--events", str(_events(tmp_path)), "--event", "A", "--math", "dau", "--interval", "day"]
    )
    series = out["series"]
    assert len(series) == 21  # type: ignore[arg-type]
    assert series[:4] == [  # type: ignore[index]
        {"date": "2024-01-01", "value": 1},
        {"date": "2024-01-02", "value": 1},
        {"date": "2024-01-03", "value": 0},
        {"date": "2024-01-04", "value": 1},
    ]


def test_bad_input_exits_with_status_two_and_a_message(tmp_path: Path) -> None:
    path = str(_events(tmp_path))
    bad_window = runner.invoke(insight_app, ["funnel", "--events", path, "--steps", "A,B", "--window", "3x"])
    assert bad_window.exit_code == 2 and "invalid window" in bad_window.output
    missing = runner.invoke(
        insight_app, ["trends", "--events", str(tmp_path / "nope.parquet"), "--event", "A"]
    )
    assert missing.exit_code == 2 and "not found" in missing.output


def test_events_import_appends_to_a_store_file(tmp_path: Path) -> None:
    result = runner.invoke(
        events_app, ["import", str(_events(tmp_path)), "--store", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 8 events" in result.output


def test_events_import_by_default_fills_the_store_the_web_pages_read(
    cli: CliRunner, tmp_path: Path, session: Session
) -> None:
    from northstar.analytics import runtime, service
    from northstar.cli import app
    from northstar.cli_support import resolve_actor
    from northstar.core.settings import Settings

    result = cli.invoke(app, ["events", "import", str(_events(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Imported 8 events" in result.output
    try:  # the settings the pages get: the fixture's NORTHSTAR_HOME and NORTHSTAR_DATABASE_URL
        names = service.event_names(session, resolve_actor(session, None, None), Settings())
    finally:
        runtime.close_all()
    assert {n.name: n.count for n in names} == {"A": 3, "B": 3, "C": 1, "X": 1}

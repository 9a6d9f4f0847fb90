"""`northstar experiment analyze`: JSON output on the gbstats vectors and one-line errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.experiments import service as experiments_service
from northstar.experiments.cli import app
from northstar.experiments.schemas import ExperimentCreate
from tests.factories import make_world

runner = CliRunner()

MEAN_CSV = """variation,users,main_sum,main_sum_squares
control,3407,1396.87,52377.9767
treatment,3461,2422.7,134698.29
"""
RATIO_CSV = """variation,users,main_sum,main_sum_squares,\
denominator_sum,denominator_sum_squares,main_denominator_sum_product
zero,100,270,848.79,510,810,-900
one,120,300,869,500,800,-905
"""
CUPED_CSV = """variation,users,main_sum,main_sum_squares,\
covariate_sum,covariate_sum_squares,main_covariate_sum_product
a,3000,1396.87,52377.9767,16.87,527.9767,1
b,3461,2422.7,134698.29,22.7,1348.29,1
"""
PROPORTION_CSV = """variation,users,main_sum
a,100,49
b,100,51
"""


def run(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "summary.csv"
    path.write_text(text)
    result = runner.invoke(app, ["analyze", "--summary", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_frequentist_json_reports_expected_ci_p_value_and_srm(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, MEAN_CSV, "--metric-type", "mean", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (variant,) = data["variants"]
    assert variant["variation"] == "treatment"
    assert round(variant["expected"], 5) == 0.70732
    assert [round(x, 5) for x in variant["ci"]] == [-0.03526, 1.44989]
    assert round(variant["p_value"], 5) == 0.06191
    assert "chance_to_win" not in variant
    assert data["baseline"]["variation"] == "control"
    assert 0 < data["srm_p_value"] < 1


def test_absolute_difference_flag_changes_the_scale(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, MEAN_CSV, "--metric-type", "mean", "--difference", "absolute", "--format", "json"
    )
    assert code == 0
    assert round(json.loads(out)["variants"][0]["p_value"], 5) == 0.02016


def test_bayesian_proportion_reports_chance_to_win_and_risk(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, PROPORTION_CSV, "--metric-type", "proportion", "--engine", "bayesian", "--format", "json"
    )
    assert code == 0
    variant = json.loads(out)["variants"][0]
    assert round(variant["chance_to_win"], 5) == 0.60918
    assert [round(r, 5) for r in variant["risk"]] == [0.0814, 0.04058]
    assert "p_value" not in variant


def test_ratio_metric_matches_gbstats_end_to_end_p_value(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, RATIO_CSV, "--metric-type", "ratio", "--format", "json")
    assert code == 0
    assert round(json.loads(out)["variants"][0]["p_value"], 9) == 0.610663339


def test_cuped_sequential_matches_gbstats_interval(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, CUPED_CSV, "--metric-type", "mean", "--cuped", "--sequential", "--format", "json"
    )
    assert code == 0
    variant = json.loads(out)["variants"][0]
    assert [round(x, 5) for x in variant["ci"]] == [-0.50969, 1.51646]


def test_table_format_prints_each_variant(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, MEAN_CSV, "--metric-type", "mean")
    assert code == 0
    assert "treatment" in out and "0.70732" in out and "sample-ratio mismatch" in out


def test_uncomputable_variant_is_reported_with_a_reason_not_an_error(tmp_path: Path) -> None:
    text = "variation,users,main_sum\na,100,0\nb,100,10\n"
    code, out, _ = run(tmp_path, text, "--metric-type", "proportion", "--format", "json")
    assert code == 0
    assert "variance" in json.loads(out)["variants"][0]["reason"]


def test_weight_column_feeds_the_srm_check(tmp_path: Path) -> None:
    text = "variation,users,main_sum,weight\na,5000,2500,5\nb,6000,3100,6\n"
    code, out, _ = run(tmp_path, text, "--metric-type", "proportion", "--format", "json")
    assert code == 0
    assert json.loads(out)["srm_p_value"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "args", "fragment"),
    [
        (
            MEAN_CSV.replace("2422.7", "abc"),
            ("--metric-type", "mean"),
            "row 3, column main_sum: 'abc' is not a number",
        ),
        (MEAN_CSV.replace("3461", "-5"), ("--metric-type", "mean"), "row 3, column users"),
        (MEAN_CSV.replace("3461", "12.5"), ("--metric-type", "mean"), "row 3, column users"),
        (MEAN_CSV, ("--metric-type", "ratio"), "column denominator_sum: required column is missing"),
        (MEAN_CSV, ("--metric-type", "mean", "--cuped"), "column covariate_sum: required column is missing"),
        (
            MEAN_CSV.replace("main_sum_squares", "main_sum_squres"),
            ("--metric-type", "mean"),
            "main_sum_squres: unknown",
        ),
        (
            MEAN_CSV.replace("treatment", "control"),
            ("--metric-type", "mean"),
            "row 3, column variation: 'control' appears twice",
        ),
        (
            "variation,users,main_sum\na,10,5\n",
            ("--metric-type", "proportion"),
            "need at least two variant rows",
        ),
        (
            "variation,users,main_sum\na,10,5\nb,10,11\n",
            ("--metric-type", "proportion"),
            "row 3, column main_sum",
        ),
        (
            "variation,users,main_sum\na,10,5\nb,10,\n",
            ("--metric-type", "proportion"),
            "row 3, column main_sum: value is missing",
        ),
        (
            "variation,users,main_sum\na,10,5,9\nb,10,4\n",
            ("--metric-type", "proportion"),
            "row 2: more cells",
        ),
        ("", ("--metric-type", "proportion"), "row 1: the file is empty"),
        (MEAN_CSV.replace("52377.9767", "-1"), ("--metric-type", "mean"), "row 2, column main_sum_squares"),
        (MEAN_CSV.replace("52377.9767", "nan"), ("--metric-type", "mean"), "row 2, column main_sum_squares"),
        (
            MEAN_CSV,
            ("--metric-type", "mean", "--engine", "bayesian", "--sequential"),
            "frequentist engine only",
        ),
        (
            RATIO_CSV,
            ("--metric-type", "ratio", "--cuped"),
            "column covariate_sum: required column is missing",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_problem_with_exit_2(
    tmp_path: Path, text: str, args: tuple[str, ...], fragment: str
) -> None:
    code, out, err = run(tmp_path, text, *args, "--format", "json")
    assert code == 2
    assert out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_is_a_one_line_error_with_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "--summary", str(tmp_path / "nope.csv"), "--metric-type", "mean"])
    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr


def test_stored_experiment_upload_and_results_through_the_cli(
    tmp_path: Path, session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(session)
    experiment = experiments_service.create_experiment(
        session,
        world.actor(),
        ExperimentCreate.model_validate(
            {
                "key": "cli",
                "name": "CLI experiment",
                "variants": [{"key": "control"}, {"key": "treatment"}],
                "metrics": [{"key": "revenue", "type": "mean"}],
            }
        ),
    )
    session.commit()
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    path = tmp_path / "revenue.csv"
    path.write_text(MEAN_CSV)
    workspace = ["--workspace", world.workspace.slug]
    stored = runner.invoke(
        app, ["upload", str(experiment.id), "--metric", "revenue", "--summary", str(path), *workspace]
    )
    assert stored.exit_code == 0, stored.output
    shown = runner.invoke(app, ["results", str(experiment.id), "--format", "json", *workspace])
    assert shown.exit_code == 0, shown.output
    results = json.loads(shown.stdout)
    assert round(results["metrics"][0]["variants"][0]["p_value"], 5) == 0.06191
    listed = runner.invoke(app, ["list", "--format", "json", *workspace])
    assert [e["key"] for e in json.loads(listed.stdout)] == ["cli"]
    path.write_text(MEAN_CSV.replace("2422.7", "oops"))
    refused = runner.invoke(
        app, ["upload", str(experiment.id), "--metric", "revenue", "--summary", str(path), *workspace]
    )
    assert refused.exit_code == 2
    assert "row 3, column main_sum" in refused.stderr


def write_events(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_parquet(path)
    return path


def simulated_events(units: int = 400) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for unit in range(units):
        variant = "control" if unit % 2 else "test"
        rows.append(
            {
                "event": "$feature_flag_called",
                "distinct_id": f"u{unit}",
                "timestamp": f"2026-03-01T00:{unit % 60:02d}:00Z",
                "properties": json.dumps({"$feature_flag_response": variant}),
            }
        )
        if unit % (3 if variant == "test" else 5) == 0:
            rows.append(
                {
                    "event": "signup",
                    "distinct_id": f"u{unit}",
                    "timestamp": "2026-03-02T00:00:00Z",
                    "properties": "{}",
                }
            )
    return rows


def test_summarize_turns_events_into_a_summary_that_analyze_reads(tmp_path: Path) -> None:
    events = write_events(tmp_path / "events.parquet", simulated_events())
    made = runner.invoke(
        app, ["summarize", "--events", str(events), "--variants", "control,test", "--goal-event", "signup"]
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines()[0] == "variation,users,main_sum,main_sum_squares"
    summary = tmp_path / "summary.csv"
    summary.write_text(made.stdout)
    analysed = runner.invoke(
        app, ["analyze", "--summary", str(summary), "--metric-type", "proportion", "--format", "json"]
    )
    assert analysed.exit_code == 0, analysed.output
    data = json.loads(analysed.stdout)
    assert data["baseline"]["users"] == 200 and data["variants"][0]["users"] == 200


def test_summarize_rejects_bad_timestamps_with_row_and_column(tmp_path: Path) -> None:
    rows = simulated_events(4)
    rows[2]["timestamp"] = "yesterday-ish"
    events = write_events(tmp_path / "events.parquet", rows)
    result = runner.invoke(
        app, ["summarize", "--events", str(events), "--variants", "control,test", "--goal-event", "signup"]
    )
    assert result.exit_code == 2
    assert "row 3, column timestamp" in result.stderr


def test_summarize_rejects_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    bogus = tmp_path / "events.parquet"
    bogus.write_text("not parquet")
    result = runner.invoke(
        app, ["summarize", "--events", str(bogus), "--variants", "a,b", "--goal-event", "x"]
    )
    assert result.exit_code == 2
    assert "not a readable Parquet file" in result.stderr


def test_compute_stores_summaries_of_event_metrics(
    tmp_path: Path, session: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(session)
    experiment = experiments_service.create_experiment(
        session,
        world.actor(),
        ExperimentCreate.model_validate(
            {
                "key": "events",
                "name": "From events",
                "variants": [{"key": "control"}, {"key": "test"}],
                "metrics": [{"key": "signup", "type": "proportion", "event": "signup"}],
            }
        ),
    )
    session.commit()
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    events = write_events(tmp_path / "events.parquet", simulated_events())
    workspace = ["--workspace", world.workspace.slug]
    stored = runner.invoke(app, ["compute", str(experiment.id), "--events", str(events), *workspace])
    assert stored.exit_code == 0, stored.output
    results = experiments_service.experiment_results(session, world.actor(), experiment.id)
    (signup,) = results.metrics
    assert signup.missing is None and signup.variants[0].users == 200

"""``northstar experiment``: analyse a per-variant summary file statelessly, or work with stored experiments.

``analyze`` is a thin face over the statistics engine (CSV in, JSON or a table out; bad input is one line
on standard error naming the row and column, exit status 2). ``list``, ``upload`` and ``results`` go
through the experiments service and the workspace database.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from northstar.cli_support import (
    FormatOption,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.cli_support import OutputFormat as CliFormat
from northstar.core.listing import ListParams
from northstar.experiments import service
from northstar.experiments.exposures import MetricFromEvents, summaries_from_events
from northstar.experiments.schemas import ExperimentRead, SummaryUpload
from northstar.experiments.stats.analysis import AnalysisSettings, ExperimentAnalysis, analyze
from northstar.experiments.summary_csv import RATIO_CUPED_COLUMNS, SummaryFormatError, read_summary_csv

app = typer.Typer(
    help="Experiment statistics: frequentist, sequential, CUPED and Bayesian comparisons of variants.",
    no_args_is_help=True,
)


class MetricTypeOption(StrEnum):
    mean = "mean"
    proportion = "proportion"
    ratio = "ratio"


class EngineOption(StrEnum):
    frequentist = "frequentist"
    bayesian = "bayesian"


class DifferenceOption(StrEnum):
    relative = "relative"
    absolute = "absolute"


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _print_table(analysis: ExperimentAnalysis) -> None:
    bayesian = analysis.settings.engine == "bayesian"
    table = Table(title=f"Against {analysis.baseline} (mean {analysis.baseline_mean:.6g})")
    for column in ("variation", "users", "mean", "expected", "interval"):
        table.add_column(column)
    table.add_column("chance to win" if bayesian else "p-value")
    if bayesian:
        table.add_column("risk (A, B)")
    for c in analysis.comparisons:
        cells = [
            c.variation,
            str(c.users),
            f"{c.mean:.6g}",
            f"{c.expected:.5f}",
            f"[{c.ci[0]:.5f}, {c.ci[1]:.5f}]",
        ]
        if bayesian:
            risk = c.risk or (0.0, 0.0)
            cells += [f"{c.chance_to_win:.5f}", f"{risk[0]:.5f}, {risk[1]:.5f}"]
        else:
            cells.append("—" if c.p_value is None else f"{c.p_value:.5f}")
        table.add_row(*cells)
    console = Console()
    console.print(table)
    for c in analysis.comparisons:
        if c.reason:
            console.print(f"{c.variation}: not computed ({c.reason})")
    console.print(f"sample-ratio mismatch p-value: {analysis.srm_p_value:.5f}")


@app.callback()
def experiment() -> None:
    """Experiment statistics from per-variant summaries."""


@app.command("analyze")
def analyze_command(
    summary: Path = typer.Option(
        ..., "--summary", help="CSV, one row per variant; the first is the baseline."
    ),
    metric_type: MetricTypeOption = typer.Option(
        ..., "--metric-type", help="Kind of metric the sums describe."
    ),
    engine: EngineOption = typer.Option(EngineOption.frequentist, "--engine", help="Statistics engine."),
    sequential: bool = typer.Option(False, "--sequential", help="Always-valid intervals (frequentist only)."),
    sequential_tuning: float = typer.Option(
        5000, "--sequential-tuning", min=1, help="Sample size to tune for."
    ),
    cuped: bool = typer.Option(False, "--cuped", help="Adjust with the covariate_* columns (CUPED)."),
    difference: DifferenceOption = typer.Option(DifferenceOption.relative, "--difference"),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5, help="Significance level."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
) -> None:
    """Compare every variant in a summary file with the first one."""
    if sequential and engine is EngineOption.bayesian:
        raise _fail("--sequential applies to the frequentist engine only")
    try:
        text = summary.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{summary}: cannot read the file ({exc.__class__.__name__})")
    try:
        summaries = read_summary_csv(text, metric_type.value, cuped=cuped)
    except SummaryFormatError as exc:
        raise _fail(f"{summary}: {exc}")
    settings = AnalysisSettings(
        metric_type=metric_type.value,
        engine=engine.value,
        difference=difference.value,
        alpha=alpha,
        sequential=sequential,
        sequential_tuning=sequential_tuning,
        cuped=cuped,
    )
    try:
        analysis = analyze(summaries, settings)
    except ValueError as exc:
        raise _fail(f"{summary}: {exc}")
    if output is OutputFormat.json:
        typer.echo(json.dumps(analysis.to_dict(), indent=2))
    else:
        _print_table(analysis)


@app.command("list")
@handle_errors
def list_command(
    q: str | None = typer.Option(None, "--q", "-q", help="Search name, key and hypothesis."),
    status: str | None = typer.Option(None, help="draft, running, stopped, concluded"),
    fmt: CliFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List the workspace's experiments."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.list_experiments(session, actor, ListParams(q, None, 1, 500, {"status": status}))
        emit(
            [ExperimentRead.model_validate(e) for e in result.items],
            fmt,
            ["id", "key", "name", "status", "exposure_event"],
            title="Experiments",
        )


@app.command("upload")
@handle_errors
def upload_command(
    experiment_id: int = typer.Argument(..., help="The experiment's id."),
    metric: str = typer.Option(..., "--metric", help="Key of the metric the sums describe."),
    summary: Path = typer.Option(..., "--summary", help="CSV, one row per variant."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Store one metric's per-variant summaries (replacing earlier ones)."""
    text = summary.read_text(encoding="utf-8")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.upload_summaries(
            session, actor, experiment_id, SummaryUpload(metric_key=metric, csv=text)
        )
    typer.echo(f"stored {result.variants} variants of {result.metric_key}")


@app.command("results")
@handle_errors
def results_command(
    experiment_id: int = typer.Argument(..., help="The experiment's id."),
    fmt: CliFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Every metric of a stored experiment against its baseline, with the traffic-split check."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        results = service.experiment_results(session, actor, experiment_id)
    if fmt == CliFormat.json:
        emit_one(results, fmt)
        return
    rows = [
        {
            "metric": m.key,
            "variant": v.variation,
            "users": v.users,
            "expected": v.expected,
            "ci": v.ci,
            "p_value": v.p_value,
            "chance_to_win": v.chance_to_win,
            "note": v.reason or "",
        }
        for m in results.metrics
        for v in m.variants
    ]
    emit(rows, fmt, title=f"{results.experiment.name} against {results.experiment.variants[0].key}")
    for m in results.metrics:
        if m.missing:
            typer.echo(f"{m.key}: {m.missing}")
    if results.srm_p_value is not None:
        warning = " — sample-ratio mismatch!" if results.srm_warning else ""
        typer.echo(f"sample-ratio mismatch p-value: {results.srm_p_value:.4g}{warning}")


def _read_events(path: Path) -> pd.DataFrame:
    """Events from Parquet (``event``, ``distinct_id``, ``timestamp``, optional JSON ``properties``)."""
    try:
        events = pd.read_parquet(path)
    except FileNotFoundError:
        raise _fail(f"{path}: file not found")
    except (OSError, ValueError) as exc:
        raise _fail(f"{path}: not a readable Parquet file ({exc.__class__.__name__})")
    if "properties" not in events.columns:
        events["properties"] = None
    missing = {"event", "distinct_id", "timestamp"} - set(events.columns)
    if missing:
        raise _fail(f"{path}: column {', '.join(sorted(missing))} is missing")
    events["timestamp"] = pd.to_datetime(events["timestamp"], utc=True, errors="coerce")
    if events["timestamp"].isna().any():
        row = int(events.index[events["timestamp"].isna()][0])
        raise _fail(f"{path}: row {row + 1}, column timestamp: not a date and time")
    return events


@app.command("summarize")
def summarize_command(
    events_path: Path = typer.Option(..., "--events", help="Parquet file of events."),
    variants: str = typer.Option(
        ..., "--variants", help="Comma-separated variant keys; the first is the baseline."
    ),
    goal_event: str = typer.Option(..., "--goal-event", help="The event the metric counts."),
    metric_type: MetricTypeOption = typer.Option(MetricTypeOption.proportion, "--metric-type"),
    exposure_event: str = typer.Option("$feature_flag_called", "--exposure-event"),
    variant_property: str = typer.Option("$feature_flag_response", "--variant-property"),
    denominator_event: str | None = typer.Option(None, "--denominator-event", help="For ratio metrics."),
    value_property: str | None = typer.Option(None, "--value-property", help="Sum this property (mean)."),
    covariate_days: int | None = typer.Option(None, "--covariate-days", min=1, help="Add CUPED covariates."),
) -> None:
    """Turn raw events into the per-variant summary CSV that ``analyze`` reads."""
    keys = [v.strip() for v in variants.split(",") if v.strip()]
    if len(keys) < 2:
        raise _fail("--variants needs at least two keys")
    metric = MetricFromEvents(
        type=metric_type.value,
        event=goal_event,
        denominator_event=denominator_event,
        value_property=value_property,
    )
    try:
        summaries, counts = summaries_from_events(
            _read_events(events_path),
            exposure_event=exposure_event,
            variant_property=variant_property,
            variants=keys,
            metric=metric,
            covariate_days=covariate_days,
        )
    except ValueError as exc:
        raise _fail(str(exc))
    columns = ["variation", "users", "main_sum", "main_sum_squares"]
    if metric_type is MetricTypeOption.ratio:
        columns += ["denominator_sum", "denominator_sum_squares", "main_denominator_sum_product"]
    if covariate_days:
        columns += ["covariate_sum", "covariate_sum_squares", "main_covariate_sum_product"]
        if metric_type is MetricTypeOption.ratio:
            columns += list(RATIO_CUPED_COLUMNS)
    typer.echo(",".join(columns))
    for s in summaries:
        typer.echo(",".join(str(getattr(s, c)) for c in columns))
    if counts.multiple_variants:
        typer.echo(f"note: {counts.multiple_variants} units saw several variants and were left out", err=True)


@app.command("compute")
@handle_errors
def compute_command(
    experiment_id: int = typer.Argument(..., help="The experiment's id."),
    events_path: Path = typer.Option(..., "--events", help="Parquet file of events."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Compute and store the summaries of every metric that names an event, from a Parquet events file."""
    events = _read_events(events_path)
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        stored = service.store_summaries_from_events(session, actor, experiment_id, events)
    for result in stored:
        typer.echo(f"stored {result.variants} variants of {result.metric_key}")


@app.command("refresh")
@handle_errors
def refresh_command(
    experiment_id: int = typer.Argument(..., help="The experiment's id."),
    covariate_days: int | None = typer.Option(
        None,
        "--covariate-days",
        min=1,
        max=90,
        help="CUPED pre-period in days (default 14; CUPED experiments).",
    ),
    fmt: CliFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Recompute every metric that names an event from the workspace's event store (persons enter at their first
    exposure inside the run; those who saw several variants are left out and counted)."""
    from northstar.core.settings import Settings
    from northstar.experiments.schemas import RefreshRequest

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.refresh_from_events(
            session, actor, Settings(), experiment_id, RefreshRequest(covariate_days=covariate_days)
        )
    if fmt == CliFormat.json:
        emit_one(result, fmt)
        return
    emit(
        [{"variant": key, "persons": n} for key, n in result.exposed.items()],
        fmt,
        title=f"Exposed persons ({', '.join(m.metric_key for m in result.metrics)} recomputed)",
    )
    typer.echo(
        f"left out: {result.multiple_variants} saw several variants, {result.unknown_variant} an unknown variant"
    )
    if result.skipped:
        typer.echo(f"not computed (no event): {', '.join(result.skipped)}")


@app.command("plan")
@handle_errors
def plan_command(
    baseline: float = typer.Option(..., help="The baseline: a rate as a fraction (0.12) or a mean."),
    mde: float = typer.Option(
        ..., help="The smallest effect worth detecting (relative: 0.1 = 10 % of the baseline)."
    ),
    absolute: bool = typer.Option(
        False, "--absolute", help="The effect is absolute (0.02 = 2 points), not relative."
    ),
    mean: bool = typer.Option(False, "--mean", help="The metric is a mean (needs --sd), not a rate."),
    sd: float | None = typer.Option(None, "--sd", help="The mean metric's standard deviation."),
    alpha: float = typer.Option(0.05, help="Significance level (two-sided)."),
    power: float = typer.Option(0.8, help="Power: the chance of detecting the effect when it is real."),
    daily: float | None = typer.Option(None, "--daily", help="People entering the experiment per day."),
    variants: int = typer.Option(2, help="Number of variants, the baseline included."),
    experiment_id: int | None = typer.Option(None, "--experiment", help="Save the plan on this experiment."),
    fmt: CliFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """People per variant and days needed before the experiment runs (Evan Miller's formula for rates)."""
    from northstar.experiments import planning
    from northstar.experiments.schemas import DesignRequest

    data = DesignRequest(
        metric_type="mean" if mean else "proportion",
        baseline=baseline,
        mde=mde,
        mde_relative=not absolute,
        standard_deviation=sd,
        alpha=alpha,
        power=power,
        daily_traffic=daily,
        variants=None if experiment_id else variants,
    )
    if experiment_id is None:
        emit_one(planning.design(data, variants), fmt)
        return
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(planning.save_design(session, actor, experiment_id, data), fmt)


@app.command("decide")
@handle_errors
def decide_command(
    experiment_id: int = typer.Argument(..., help="The experiment's id."),
    decision: str = typer.Argument(..., help="ship, roll_back or iterate."),
    reason: str = typer.Option(..., help="Why, in a sentence or two."),
    variation: str | None = typer.Option(
        None, help="The variant it is about (default: the first after the baseline)."
    ),
    key_result: int | None = typer.Option(
        None, "--key-result", help="The key result to check in on (default: the linked one)."
    ),
    fmt: CliFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Record the decision: concludes the experiment, moves its idea and checks in on its key result."""
    from northstar.experiments import planning
    from northstar.experiments.schemas import DecisionCreate, DecisionRead

    data = DecisionCreate.model_validate(
        {"decision": decision, "reason": reason, "variation": variation, "key_result_id": key_result}
    )
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(
            DecisionRead.model_validate(planning.record_decision(session, actor, experiment_id, data)), fmt
        )

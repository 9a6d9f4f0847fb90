"""Read per-variant summaries from CSV text (one row per variant, gbstats query-row columns).

Every problem is reported as one :class:`SummaryFormatError` whose message names the row and the
column (rows count the header as row 1, like a spreadsheet and like Northstar's other imports), so a
script author can fix the file without reading a traceback.
"""

from __future__ import annotations

import csv
import io
import math
import re

from northstar.experiments.stats.analysis import MetricType, VariantSummary

INTEGER_COLUMNS = ("users", "count")
NUMBER_COLUMNS = (
    "main_sum",
    "main_sum_squares",
    "denominator_sum",
    "denominator_sum_squares",
    "main_denominator_sum_product",
    "covariate_sum",
    "covariate_sum_squares",
    "main_covariate_sum_product",
    "denominator_pre_sum",
    "denominator_pre_sum_squares",
    "denominator_post_denominator_pre_sum_product",
    "main_pre_denominator_pre_sum_product",
    "main_post_denominator_pre_sum_product",
    "main_pre_denominator_post_sum_product",
    "weight",
)
#: the extra columns of CUPED on a ratio metric (gbstats' ``ratio_ra`` rows)
RATIO_CUPED_COLUMNS = (
    "denominator_pre_sum",
    "denominator_pre_sum_squares",
    "denominator_post_denominator_pre_sum_product",
    "main_pre_denominator_pre_sum_product",
    "main_post_denominator_pre_sum_product",
    "main_pre_denominator_post_sum_product",
)
IGNORED_COLUMNS = ("dimension",)
KNOWN_COLUMNS = frozenset(("variation", *INTEGER_COLUMNS, *NUMBER_COLUMNS, *IGNORED_COLUMNS))


class SummaryFormatError(ValueError):
    """The summary file cannot be used; the message names the row and column at fault."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        found = re.match(r"row (\d+)(?:, column (\S+?):)?", message)
        self.row: int | None = int(found.group(1)) if found else None
        self.column: str | None = found.group(2) if found else None


def required_columns(metric_type: MetricType, cuped: bool) -> tuple[str, ...]:
    """Columns the file must have for this kind of analysis."""
    columns = ["variation", "users", "main_sum"]
    if metric_type != "proportion":
        columns.append("main_sum_squares")
    if metric_type == "ratio":
        columns += ["denominator_sum", "denominator_sum_squares", "main_denominator_sum_product"]
    if cuped:
        columns += ["covariate_sum", "main_covariate_sum_product"]
        if metric_type != "proportion":
            columns.append("covariate_sum_squares")
        if metric_type == "ratio":
            columns += RATIO_CUPED_COLUMNS
    return tuple(columns)


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SummaryFormatError(f"row {line}, column {column}: {text!r} is not a number")
    if not math.isfinite(value):
        raise SummaryFormatError(f"row {line}, column {column}: {text!r} is not a finite number")
    return value


def _integer(text: str, line: int, column: str) -> int:
    value = _number(text, line, column)
    if value < 0 or value != int(value):
        raise SummaryFormatError(f"row {line}, column {column}: {text!r} is not a non-negative whole number")
    return int(value)


def _parse_row(row: dict[str, str], line: int) -> VariantSummary:
    values: dict[str, float | int | None] = {}
    for column, text in row.items():
        if column in IGNORED_COLUMNS or column == "variation":
            continue
        text = (text or "").strip()
        if text == "":
            values[column] = None
        elif column in INTEGER_COLUMNS:
            values[column] = _integer(text, line, column)
        else:
            values[column] = _number(text, line, column)
    for column in (
        "main_sum_squares",
        "denominator_sum_squares",
        "covariate_sum_squares",
        "denominator_pre_sum_squares",
    ):
        value = values.get(column)
        if value is not None and value < 0:
            raise SummaryFormatError(f"row {line}, column {column}: a sum of squares cannot be negative")
    weight = values.get("weight")
    if weight is not None and weight < 0:
        raise SummaryFormatError(f"row {line}, column weight: a traffic weight cannot be negative")
    users = values.pop("users", None)
    if users is None:
        raise SummaryFormatError(f"row {line}, column users: value is missing")
    main_sum = values.pop("main_sum", None)
    if main_sum is None:
        raise SummaryFormatError(f"row {line}, column main_sum: value is missing")
    count = values.pop("count", None)
    return VariantSummary(
        variation=(row.get("variation") or "").strip(),
        users=int(users),
        main_sum=float(main_sum),
        count=None if count is None else int(count),
        **{k: (None if v is None else float(v)) for k, v in values.items()},
    )


def _check_required(
    summary: VariantSummary, line: int, required: tuple[str, ...], metric_type: MetricType
) -> None:
    for column in required:
        if column == "variation":
            if not summary.variation:
                raise SummaryFormatError(f"row {line}, column variation: value is missing")
        elif getattr(summary, column) is None:
            raise SummaryFormatError(f"row {line}, column {column}: value is missing")
    n = summary.count if summary.count is not None else summary.users
    if metric_type == "proportion" and not 0 <= summary.main_sum <= n:
        raise SummaryFormatError(
            f"row {line}, column main_sum: {summary.main_sum:g} conversions is not between 0 and {n} units"
        )


def read_summary_csv(text: str, metric_type: MetricType, cuped: bool = False) -> list[VariantSummary]:
    """Parse CSV text into variant summaries, the first row being the baseline.

    Unknown columns are rejected (a misspelt ``main_sum_squres`` would otherwise be silently ignored);
    ``dimension`` is accepted and ignored.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise SummaryFormatError("row 1: the file is empty; expected a header row")
    reader.fieldnames = header
    for column in header:
        if column not in KNOWN_COLUMNS:
            raise SummaryFormatError(f"row 1, column {column}: unknown column")
    required = required_columns(metric_type, cuped)
    for column in required:
        if column not in header:
            raise SummaryFormatError(f"row 1, column {column}: required column is missing from the header")
    summaries: list[VariantSummary] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise SummaryFormatError(f"row {line}: more cells than header columns")
        if all(not (v or "").strip() for v in row.values()):
            continue
        summary = _parse_row(row, line)
        _check_required(summary, line, required, metric_type)
        if summary.variation in seen:
            raise SummaryFormatError(f"row {line}, column variation: {summary.variation!r} appears twice")
        seen.add(summary.variation)
        summaries.append(summary)
    if len(summaries) < 2:
        raise SummaryFormatError(
            f"row {reader.line_num}: need at least two variant rows, found {len(summaries)}"
        )
    return summaries

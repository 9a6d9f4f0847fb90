"""Per-variant sufficient statistics computed in the event store (one portable SQL query per metric).

The rules (GrowthBook's and PostHog's, made explicit):

* **Units are persons** (``person_id``: distinct ids merged by identify / alias), so an anonymous visitor who signs
  up later is one unit.
* **Exposure**: events named ``exposure_event`` inside the analysis window ``[start, end)`` whose
  ``variant_property`` is set (and, with ``feature_flag``, whose ``$feature_flag`` equals it — PostHog's
  ``$feature_flag_called`` events of *other* flags are not this experiment's exposures).
* **Attribution**: a person's variant is the variant of their first exposure and they enter at that moment. A person
  exposed to more than one variant is left out and counted (``multiple_variants``); a person whose only variant is
  not one of the experiment's is counted as ``unknown_variant``.
* **Metric events** count from the first exposure on (``>=``), before the end of the analysis window, and — when the
  metric has a conversion window — before ``exposure + window``. ``mean`` sums a numeric property (or counts the
  events when there is none), ``proportion`` is 1 for a person with at least one event, ``ratio`` divides two such
  counts (or sums).
* **CUPED**: the same measure over ``covariate_days`` before the exposure is the covariate.

The query is written once in DuckDB's dialect and runs on PostgreSQL through the same query layer as the insights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from northstar.analytics.queries.engine import SqlEngine, literal, property_text
from northstar.analytics.queries.filters import EventMatcher, event_ids
from northstar.experiments.exposures import ExposureCounts, MetricFromEvents
from northstar.experiments.stats.analysis import VariantSummary


@dataclass(frozen=True)
class ExposureRules:
    """Which events expose a person to which variant, within which analysis window (naive UTC)."""

    exposure_event: str
    variant_property: str
    variants: list[str]
    feature_flag: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class StoreExposureCounts(ExposureCounts):
    """Exposed persons per variant, plus those left out: several variants, or a variant not in the experiment."""

    unknown_variant: int = 0


_SUMS = (
    ("users", "count(*)"),
    ("main_sum", "sum(m)"),
    ("main_sum_squares", "sum(m * m)"),
    ("denominator_sum", "sum(d)"),
    ("denominator_sum_squares", "sum(d * d)"),
    ("main_denominator_sum_product", "sum(m * d)"),
    ("covariate_sum", "sum(c)"),
    ("covariate_sum_squares", "sum(c * c)"),
    ("main_covariate_sum_product", "sum(m * c)"),
    ("denominator_pre_sum", "sum(dp)"),
    ("denominator_pre_sum_squares", "sum(dp * dp)"),
    ("denominator_post_denominator_pre_sum_product", "sum(d * dp)"),
    ("main_pre_denominator_pre_sum_product", "sum(c * dp)"),
    ("main_post_denominator_pre_sum_product", "sum(m * dp)"),
    ("main_pre_denominator_post_sum_product", "sum(c * d)"),
)
_RATIO_COLUMNS = {"denominator_sum", "denominator_sum_squares", "main_denominator_sum_product"}
_CUPED_COLUMNS = {"covariate_sum", "covariate_sum_squares", "main_covariate_sum_product"}
_RATIO_CUPED_COLUMNS = {name for name, _ in _SUMS[9:]}  # the pre-period denominator and its cross products


def _units_sql(rules: ExposureRules, ids: dict[str, int]) -> str:
    variant = property_text(rules.variant_property)
    conditions = [
        EventMatcher(rules.exposure_event).condition(ids),
        f"{variant} IS NOT NULL",
        f"{variant} <> ''",
    ]
    if rules.feature_flag is not None:
        conditions.append(f"{property_text('$feature_flag')} = {literal(rules.feature_flag)}")
    if rules.start is not None:
        conditions.append(f"timestamp >= {literal(rules.start)}")
    if rules.end is not None:
        conditions.append(f"timestamp < {literal(rules.end)}")
    return (
        "SELECT person_id, min(timestamp) AS exposed_at, min(variant) AS variant, "
        "count(DISTINCT variant) AS variants FROM "
        f"(SELECT person_id, timestamp, {variant} AS variant FROM events WHERE {' AND '.join(conditions)}) AS x "
        "GROUP BY person_id"
    )


def _measure_sql(
    name: str,
    event: str,
    value_property: str | None,
    ids: dict[str, int],
    rules: ExposureRules,
    window_seconds: float | None,
    before_seconds: float | None,
) -> str:
    """Per kept person: the count (or property sum) of ``event`` after exposure — or in the days before it."""
    value = (
        "1.0"
        if not value_property
        else f"coalesce(TRY_CAST({property_text(value_property, 'e.properties')} AS DOUBLE), 0)"
    )
    conditions = [EventMatcher(event).condition(ids)]  # kept has no event columns: the names are unambiguous
    if before_seconds is None:
        conditions.append("e.timestamp >= k.exposed_at")
        if rules.end is not None:
            conditions.append(f"e.timestamp < {literal(rules.end)}")
        if window_seconds is not None:
            conditions.append(f"e.timestamp < k.exposed_at + INTERVAL {int(window_seconds)} SECOND")
    else:
        conditions.append("e.timestamp < k.exposed_at")
        conditions.append(f"e.timestamp >= k.exposed_at - INTERVAL {int(before_seconds)} SECOND")
    return (
        f"{name} AS (SELECT k.person_id, sum({value}) AS v FROM events e JOIN kept k ON e.person_id = k.person_id "
        f"WHERE {' AND '.join(conditions)} GROUP BY k.person_id)"
    )


def summaries_sql(
    rules: ExposureRules,
    metric: MetricFromEvents,
    ids: dict[str, int],
    *,
    window_days: float | None = None,
    covariate_days: int | None = None,
) -> str:
    """The SQL returning one row per variant with the gbstats sums (columns named as in ``_SUMS``)."""
    window = None if window_days is None else window_days * 86400
    before = None if not covariate_days else covariate_days * 86400
    listed = ", ".join(literal(v) for v in rules.variants)
    parts = [
        f"units AS ({_units_sql(rules, ids)})",
        f"kept AS (SELECT person_id, exposed_at, variant FROM units WHERE variants = 1 AND variant IN ({listed}))",
        _measure_sql("main", metric.event, metric.value_property, ids, rules, window, None),
    ]
    joins = ["LEFT JOIN main ON main.person_id = k.person_id"]
    convert = (
        "CASE WHEN coalesce({0}.v, 0) > 0 THEN 1.0 ELSE 0.0 END"
        if metric.type == "proportion"
        else "coalesce({0}.v, 0)"
    )
    columns = {"m": convert.format("main"), "d": "0.0", "c": "0.0", "dp": "0.0"}
    if metric.type == "ratio":
        assert metric.denominator_event is not None
        parts.append(_measure_sql("denominator", metric.denominator_event, None, ids, rules, window, None))
        joins.append("LEFT JOIN denominator ON denominator.person_id = k.person_id")
        columns["d"] = "coalesce(denominator.v, 0)"
    if before is not None:
        parts.append(_measure_sql("pre", metric.event, metric.value_property, ids, rules, None, before))
        joins.append("LEFT JOIN pre ON pre.person_id = k.person_id")
        columns["c"] = convert.format("pre")
        if metric.type == "ratio":
            assert metric.denominator_event is not None
            parts.append(
                _measure_sql("denominator_pre", metric.denominator_event, None, ids, rules, None, before)
            )
            joins.append("LEFT JOIN denominator_pre ON denominator_pre.person_id = k.person_id")
            columns["dp"] = "coalesce(denominator_pre.v, 0)"
    per_unit = ", ".join(f"CAST({sql} AS DOUBLE) AS {name}" for name, sql in columns.items())
    parts.append(f"per_unit AS (SELECT k.variant, {per_unit} FROM kept k {' '.join(joins)})")
    sums = ", ".join(f"{sql} AS {name}" for name, sql in _SUMS)
    return f"WITH {', '.join(parts)} SELECT variant, {sums} FROM per_unit GROUP BY variant"


def exposure_counts(engine: SqlEngine, rules: ExposureRules) -> StoreExposureCounts:
    """Persons per variant and the persons left out (several variants; a variant not in the experiment)."""
    ids = event_ids(engine, [EventMatcher(rules.exposure_event)])
    rows = engine.rows(
        f"WITH units AS ({_units_sql(rules, ids)}) "
        "SELECT CASE WHEN variants > 1 THEN NULL ELSE variant END AS variant, count(*) FROM units GROUP BY 1"
    )
    exposed = {variant: 0 for variant in rules.variants}
    multiple = unknown = 0
    for variant, count in rows:
        if variant is None:
            multiple += int(count)
        elif variant in exposed:
            exposed[variant] = int(count)
        else:
            unknown += int(count)
    return StoreExposureCounts(exposed=exposed, multiple_variants=multiple, unknown_variant=unknown)


def summaries_from_store(
    engine: SqlEngine,
    rules: ExposureRules,
    metric: MetricFromEvents,
    *,
    window_days: float | None = None,
    covariate_days: int | None = None,
) -> list[VariantSummary]:
    """Sufficient statistics per variant (in the order of ``rules.variants``; zeros for a variant nobody saw).

    Raises ``ValueError`` for a ratio metric without a denominator event or a non-positive window.
    """
    if metric.type == "ratio" and not metric.denominator_event:
        raise ValueError("a ratio metric needs a denominator event")
    if window_days is not None and window_days <= 0:
        raise ValueError("the conversion window must be positive")
    names = [rules.exposure_event, metric.event] + (
        [metric.denominator_event] if metric.denominator_event else []
    )
    ids = event_ids(engine, [EventMatcher(name) for name in names])
    sql = summaries_sql(rules, metric, ids, window_days=window_days, covariate_days=covariate_days)
    found: dict[str, dict[str, Any]] = {}
    for row in engine.rows(sql):
        found[str(row[0])] = {name: value for (name, _), value in zip(_SUMS, row[1:], strict=True)}
    summaries = []
    for variant in rules.variants:
        values = found.get(variant, {name: 0 for name, _ in _SUMS})
        kept: dict[str, Any] = {"users": int(values["users"] or 0)}
        for name, _ in _SUMS[1:]:
            if name in _RATIO_COLUMNS and metric.type != "ratio":
                continue
            if name in _CUPED_COLUMNS and not covariate_days:
                continue
            if name in _RATIO_CUPED_COLUMNS and not (covariate_days and metric.type == "ratio"):
                continue
            kept[name] = float(values[name] or 0.0)
        summaries.append(VariantSummary(variation=variant, **kept))
    return summaries

"""Per-variant summaries computed from raw events (pure: a DataFrame in, gbstats-shaped sums out).

A unit (a distinct id) enters the experiment at its first exposure event; the variant is read from a
property of that event. Units exposed to more than one variant are left out (and counted), as
assignment for them is ambiguous. The metric is then measured on the unit's events from its exposure
on: a conversion (proportion), a count of events or a sum of a numeric property (mean), or a count of
one event per count of another (ratio). With ``covariate_days`` the same metric over that many days
before exposure becomes the CUPED covariate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from northstar.experiments.stats.analysis import MetricType, VariantSummary

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class MetricFromEvents:
    """How to measure a metric on a unit's events after exposure."""

    type: MetricType
    event: str
    denominator_event: str | None = None
    value_property: str | None = None


@dataclass(frozen=True)
class ExposureCounts:
    """Units per variant, and the units left out for having seen several variants."""

    exposed: dict[str, int]
    multiple_variants: int


def _properties(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return {}
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _exposures(events: pd.DataFrame, exposure_event: str, variant_property: str) -> tuple[pd.DataFrame, int]:
    exposed = events[events["event"] == exposure_event].copy()
    exposed["variant"] = [str(_properties(p).get(variant_property, "")) for p in exposed["properties"]]
    exposed = exposed[exposed["variant"] != ""]
    variants_per_unit = exposed.groupby("distinct_id")["variant"].nunique()
    ambiguous = set(variants_per_unit[variants_per_unit > 1].index)
    exposed = exposed[~exposed["distinct_id"].isin(ambiguous)]
    first = exposed.sort_values("timestamp").groupby("distinct_id", as_index=False).first()
    return first[["distinct_id", "variant", "timestamp"]].rename(columns={"timestamp": "exposed_at"}), len(
        ambiguous
    )


def _per_unit(
    events: pd.DataFrame, units: pd.DataFrame, name: str, value_property: str | None, before: timedelta | None
) -> pd.Series:
    """Count (or property sum) of ``name`` per unit after exposure, or in ``before`` ahead of it."""
    import pandas as pd

    chosen = events[events["event"] == name].merge(units[["distinct_id", "exposed_at"]], on="distinct_id")
    if before is None:
        chosen = chosen[chosen["timestamp"] >= chosen["exposed_at"]]
    else:
        chosen = chosen[
            (chosen["timestamp"] < chosen["exposed_at"])
            & (chosen["timestamp"] >= chosen["exposed_at"] - before)
        ]
    if value_property:
        values = pd.to_numeric(
            pd.Series([_properties(p).get(value_property) for p in chosen["properties"]], index=chosen.index),
            errors="coerce",
        ).fillna(0.0)
    else:
        values = pd.Series(1.0, index=chosen.index)
    totals = values.groupby(chosen["distinct_id"]).sum()
    return units["distinct_id"].map(totals).fillna(0.0).astype(float)


def _measure(
    events: pd.DataFrame, units: pd.DataFrame, metric: MetricFromEvents, before: timedelta | None
) -> pd.Series:
    values = _per_unit(events, units, metric.event, metric.value_property, before)
    if metric.type == "proportion":
        return (values > 0).astype(float)
    return values


def summaries_from_events(
    events: pd.DataFrame,
    *,
    exposure_event: str,
    variant_property: str,
    variants: list[str],
    metric: MetricFromEvents,
    covariate_days: int | None = None,
) -> tuple[list[VariantSummary], ExposureCounts]:
    """Sufficient statistics per variant (in the order of ``variants``) from an events table.

    ``events`` has columns ``event``, ``distinct_id``, ``timestamp`` (datetimes) and ``properties``
    (dicts or JSON strings). Raises ``ValueError`` when a column is missing or a ratio metric has no
    denominator event.
    """
    missing = {"event", "distinct_id", "timestamp", "properties"} - set(events.columns)
    if missing:
        raise ValueError(f"events lack the column(s) {', '.join(sorted(missing))}")
    if metric.type == "ratio" and not metric.denominator_event:
        raise ValueError("a ratio metric needs a denominator event")
    events = events.assign(distinct_id=events["distinct_id"].astype(str))
    units, ambiguous = _exposures(events, exposure_event, variant_property)
    units = units[units["variant"].isin(variants)].reset_index(drop=True)
    main = _measure(events, units, metric, None)
    denominator = None
    if metric.type == "ratio":
        assert metric.denominator_event is not None
        denominator = _per_unit(events, units, metric.denominator_event, None, None)
    covariate = denominator_pre = None
    if covariate_days:
        lookback = timedelta(days=covariate_days)
        covariate = _measure(events, units, metric, lookback)
        if metric.type == "ratio":
            assert metric.denominator_event is not None
            denominator_pre = _per_unit(events, units, metric.denominator_event, None, lookback)
    summaries = []
    for variant in variants:
        mask = (units["variant"] == variant).to_numpy()
        m = main.to_numpy()[mask]
        values: dict[str, Any] = {"main_sum": float(m.sum()), "main_sum_squares": float((m**2).sum())}
        if denominator is not None:
            d = denominator.to_numpy()[mask]
            values |= {
                "denominator_sum": float(d.sum()),
                "denominator_sum_squares": float((d**2).sum()),
                "main_denominator_sum_product": float((m * d).sum()),
            }
        if covariate is not None:
            c = covariate.to_numpy()[mask]
            values |= {
                "covariate_sum": float(c.sum()),
                "covariate_sum_squares": float((c**2).sum()),
                "main_covariate_sum_product": float((m * c).sum()),
            }
        if denominator is not None and covariate is not None and denominator_pre is not None:
            d, c, dp = (
                denominator.to_numpy()[mask],
                covariate.to_numpy()[mask],
                denominator_pre.to_numpy()[mask],
            )
            values |= {
                "denominator_pre_sum": float(dp.sum()),
                "denominator_pre_sum_squares": float((dp**2).sum()),
                "denominator_post_denominator_pre_sum_product": float((d * dp).sum()),
                "main_pre_denominator_pre_sum_product": float((c * dp).sum()),
                "main_post_denominator_pre_sum_product": float((m * dp).sum()),
                "main_pre_denominator_post_sum_product": float((c * d).sum()),
            }
        summaries.append(VariantSummary(variation=variant, users=int(mask.sum()), **values))
    exposed = {v: s.users for v, s in zip(variants, summaries, strict=True)}
    return summaries, ExposureCounts(exposed=exposed, multiple_variants=ambiguous)

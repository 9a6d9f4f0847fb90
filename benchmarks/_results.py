"""Where the benchmark scripts write their tables: ``benchmarks/results`` unless ``NORTHSTAR_BENCHMARK_RESULTS``
names another folder (the CI smoke test points it at a temporary folder so tiny runs never overwrite real ones)."""

from __future__ import annotations

import os
from pathlib import Path


def results_folder() -> Path:
    configured = os.environ.get("NORTHSTAR_BENCHMARK_RESULTS")
    return Path(configured) if configured else Path(__file__).resolve().parent / "results"


def cell(value: float | int | None, spec: str = "") -> str:
    """A table cell: the number formatted with ``spec``, or "—" when there is no value (e.g. no reference)."""
    return "—" if value is None else format(value, spec)

"""Benchmark: the inbox's new filters (kind, sentiment, theme, category) against the unfiltered inbox, per backend.

For each backend (a SQLite file in a temporary folder; a fresh PostgreSQL database ``northstar_bench_<random>`` on
127.0.0.1:5432, dropped at the end) the script migrates, seeds one workspace with web_pages_seed.py (``--feedback``
items, customers, ideas, links), then adds what the analysis and people would have stored: an analysis row per item
(kind, sentiment, one of 60 sub-themes under 12 themes), kinds set by hand on 2 %, a taxonomy of 12 categories
with labels on 1 % and a prediction on every item. It then times what one inbox request does in the service
layer — ``list_feedback`` (page 1, 50 rows, total capped at 10,000) plus ``annotate`` for the rows — ``--repeat``
times per filter, and prints median and p95 milliseconds next to the unfiltered inbox (the baseline).

The machine is shared with other jobs: the load average before and after is recorded with the numbers.

Usage::

    .venv/bin/python benchmarks/inbox_filters.py                          # 100k items, both backends
    .venv/bin/python benchmarks/inbox_filters.py --feedback 5000 --backends sqlite --repeat 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from _results import results_folder
from northstar import modules
from northstar.core.database import create_database_engine, create_session_factory
from northstar.core.listing import ListParams, forget_capped_listings
from northstar.core.migrate import upgrade
from northstar.core.permissions import Actor, Role
from northstar.feedback import service
from northstar.feedback.engine.kind import KINDS
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.curation import (
    KindOverride,
    TaxonomyCategory,
    TaxonomyLabel,
    TaxonomyModelVersion,
    TaxonomyPrediction,
)
from web_pages_seed import _bulk, seed_workspace

RESULTS = results_folder()
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
console = Console(width=150)


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"northstar_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_curation(session: Session, workspace_id: int, seed: int = 5) -> dict[str, Any]:
    """Analysis rows, themes, hand-set kinds, categories, labels and predictions for every item."""
    rng = np.random.default_rng(seed)
    ids = list(
        session.scalars(
            select(Feedback.id).where(Feedback.workspace_id == workspace_id).order_by(Feedback.id)
        )
    )
    parents = _bulk(
        session,
        FeedbackTheme,
        [{"workspace_id": workspace_id, "key": f"p{k}", "name": f"Theme {k}"} for k in range(12)],
    )
    subs = _bulk(
        session,
        FeedbackTheme,
        [
            {
                "workspace_id": workspace_id,
                "key": f"t{k}",
                "name": f"Sub-theme {k}",
                "parent_id": parents[k % 12],
            }
            for k in range(60)
        ],
    )
    kinds = rng.choice(len(KINDS), size=len(ids), p=[0.25, 0.3, 0.15, 0.1, 0.1, 0.1])
    sentiments = np.clip(rng.normal(-0.1, 0.45, size=len(ids)), -1, 1)
    themes = rng.choice(len(subs), size=len(ids))
    _bulk_rows(
        session,
        FeedbackAnalysis,
        [
            {
                "feedback_id": fid,
                "workspace_id": workspace_id,
                "text_hash": "0" * 40,
                "language": "en",
                "kind": KINDS[int(kinds[n])],
                "kind_confidence": 0.8,
                "sentiment": float(sentiments[n]),
                "theme_id": subs[int(themes[n])],
                "empty": False,
            }
            for n, fid in enumerate(ids)
        ],
    )
    overridden = rng.choice(len(ids), size=len(ids) // 50, replace=False)
    _bulk_rows(
        session,
        KindOverride,
        [{"feedback_id": ids[int(n)], "workspace_id": workspace_id, "kind": "complaint"} for n in overridden],
    )
    categories = _bulk(
        session,
        TaxonomyCategory,
        [{"workspace_id": workspace_id, "name": f"Category {k}", "description": ""} for k in range(12)],
    )
    (model_id,) = _bulk(session, TaxonomyModelVersion, [{"workspace_id": workspace_id, "model": b"-"}])
    predicted = rng.choice(len(categories), size=len(ids))
    confidence = rng.uniform(0.2, 0.99, size=len(ids))
    _bulk_rows(
        session,
        TaxonomyPrediction,
        [
            {
                "feedback_id": fid,
                "workspace_id": workspace_id,
                "category_id": categories[int(predicted[n])],
                "confidence": float(confidence[n]),
                "model_id": model_id,
            }
            for n, fid in enumerate(ids)
        ],
    )
    labelled = rng.choice(len(ids), size=len(ids) // 100, replace=False)
    _bulk_rows(
        session,
        TaxonomyLabel,
        [
            {
                "feedback_id": ids[int(n)],
                "workspace_id": workspace_id,
                "category_id": categories[0],
                "origin": "inbox",
            }
            for n in labelled
        ],
    )
    session.commit()
    return {"parent_theme": parents[0], "sub_theme": subs[0], "category": categories[3]}


def _bulk_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows of a table keyed by feedback id (no ``id`` column) in chunks."""
    from sqlalchemy import insert

    for start in range(0, len(rows), 5000):
        session.execute(insert(model.__table__), rows[start : start + 5000])


def time_filters(session: Session, actor: Actor, ids: dict[str, Any], repeat: int) -> list[dict[str, Any]]:
    cases: list[tuple[str, dict[str, Any], str | None]] = [
        ("no filter (baseline)", {}, None),
        ("kind=bug", {"kind": "bug"}, None),
        ("kind=complaint (incl. set by hand)", {"kind": "complaint"}, None),
        ("sentiment=negative", {"sentiment": "negative"}, None),
        ("theme (a parent: its 5 sub-themes)", {"theme_id": ids["parent_theme"]}, None),
        ("category (label, else prediction)", {"category_id": ids["category"]}, None),
        (
            "kind + sentiment + segment",
            {"kind": "feature_request", "sentiment": "neutral", "segment": "smb"},
            None,
        ),
        ("search 'export' (no filter)", {}, "export"),
        ("search 'export' + kind=bug", {"kind": "bug"}, "export"),
    ]
    results = []
    for label, filters, q in cases:
        timings = []
        total = 0
        for _ in range(repeat):
            forget_capped_listings()  # time the count every run, as on a first view (core/listing.CappedListings)
            started = time.perf_counter()
            page = service.list_feedback(session, actor, ListParams(q=q, filters=filters))
            inbox_service.annotate(session, actor, [f.id for f in page.items])
            timings.append((time.perf_counter() - started) * 1000)
            total = page.total
            session.rollback()
        timings.sort()
        results.append(
            {
                "case": label,
                "matches": f"{total:,}{'+' if total >= 10_000 else ''}",
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
            }
        )
    base = results[0]["median_ms"]
    for row in results:
        row["x_baseline"] = round(row["median_ms"] / base, 2) if base else None
    return results


def run(backend: str, feedback: int, repeat: int) -> dict[str, Any]:
    modules.load_models()
    with database(backend) as url:
        upgrade(url)
        engine = create_database_engine(url)
        factory = create_session_factory(engine)
        with factory() as session:
            started = time.perf_counter()
            seeded = seed_workspace(session, feedback=feedback, ideas=max(10, feedback // 20), customers=3000)
            ids = seed_curation(session, seeded.workspace_id)
            if backend == "postgresql":
                session.connection().exec_driver_sql("ANALYZE")  # autovacuum would, some time after the load
                session.commit()
            else:  # fold the seeding's write-ahead log into the database file, as SQLite's autocheckpoint would
                session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                session.commit()
            seconds = time.perf_counter() - started
            owner = Actor(user_id=1, workspace_id=seeded.workspace_id, role=Role.OWNER)
            before = _load()
            rows = time_filters(session, owner, ids, repeat)
            after = _load()
        engine.dispose()
    return {
        "backend": backend,
        "seed_seconds": round(seconds, 1),
        "load_before": before,
        "load_after": after,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", default="inbox_filters")
    args = parser.parse_args()
    runs = [run(b, args.feedback, args.repeat) for b in args.backends.split(",")]
    table = Table(
        title=f"Inbox filters, {args.feedback:,} items, {args.repeat} runs each (service layer, page 1)"
    )
    for column in ("backend", "case", "matches", "median ms", "p95 ms", "× baseline"):
        table.add_column(
            column, justify="right" if column.endswith(("ms", "baseline", "matches")) else "left"
        )
    for result in runs:
        for row in result["rows"]:
            table.add_row(
                result["backend"],
                row["case"],
                row["matches"],
                str(row["median_ms"]),
                str(row["p95_ms"]),
                str(row["x_baseline"]),
            )
    console.print(table)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    meta = f"Run {stamp} on {platform.node()} {platform.machine()}, Python {platform.python_version()}; options: {vars(args)}."
    lines = [
        "# Inbox filters (service layer)",
        "",
        meta,
        "",
        "What one inbox request does before rendering: `service.list_feedback` (page 1 of 50, total capped at 10,000)",
        "plus `inbox_service.annotate` for the 50 rows. The baseline is the unfiltered inbox in the same run.",
        "The machine is shared with other helpers' jobs; load averages (1, 5, 15 min) are given per backend.",
        "",
    ]
    for result in runs:
        lines.append(
            f"- {result['backend']}: seeded in {result['seed_seconds']} s; load {tuple(round(x, 1) for x in result['load_before'])}"
            f" before, {tuple(round(x, 1) for x in result['load_after'])} after"
        )
    lines += [
        "",
        "| backend | case | matches | median ms | p95 ms | × baseline |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for result in runs:
        for row in result["rows"]:
            lines.append(
                f"| {result['backend']} | {row['case']} | {row['matches']} | {row['median_ms']} | {row['p95_ms']} |"
                f" {row['x_baseline']} |"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / f"{args.out}.json").write_text(
        json.dumps({"meta": meta, "runs": runs}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()

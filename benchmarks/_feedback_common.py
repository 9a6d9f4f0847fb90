"""Shared helpers for the feedback benchmarks: where the data lives, the encoder, result files, tables."""

from __future__ import annotations

import csv
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

from _results import results_folder

REPOSITORY = Path(__file__).resolve().parents[1]
RESULTS = results_folder()


def shared_data() -> Path:
    """``NORTHSTAR_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    configured = os.environ.get("NORTHSTAR_SHARED_DATA")
    return Path(configured) if configured else (REPOSITORY / ".." / "shared" / "data").resolve()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def banking77(split: str) -> tuple[list[str], list[str]]:
    rows = read_csv(shared_data() / "feedback" / "banking77" / f"{split}.csv")
    return [r["text"] for r in rows], [r["category"] for r in rows]


def embed(texts: list[str]) -> np.ndarray:
    from northstar.feedback.engine.embeddings import Embedder

    return Embedder().embed(texts)


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_note() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average at start {load:.1f}"


def write_results(name: str, title: str, body: str, data: dict[str, Any]) -> None:
    folder = results_folder()  # read at call time: NORTHSTAR_BENCHMARK_RESULTS may change between runs
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2, default=float) + "\n", encoding="utf-8")
    print(body)

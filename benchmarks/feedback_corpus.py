"""A deterministic, realistic feedback corpus of any size for the scale benchmark.

Every public text once — Banking77 train + test (customer queries to a bank, CC BY 4.0) and the six Mini-BAR review
files (health-app reviews in English and French, MIT) — then the demo company's feedback (written from the phrase
bank in src/northstar/demo/phrases.py: tickets, sales and interview notes, surveys and app reviews with greetings,
typos, French and German, and the demo's own planted duplicates) for seeds 1, 2, 3, … until the count is reached.
Later seeds repeat some of the earlier seeds' texts, as real inboxes do; the benchmark prints how many distinct
texts there are, since that (not the item count) is what the embedding stage pays for.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from _feedback_common import read_csv, shared_data


@dataclass(frozen=True)
class CorpusItem:
    external_ref: str
    text: str
    source: str
    received_at: str
    rating: int | None
    intent: str | None = None  # Banking77 category (ground truth for themes)
    duplicate_of: str | None = (
        None  # external ref of the demo item this one repeats (ground truth for duplicates)
    )


def public_items() -> list[CorpusItem]:
    folder = shared_data() / "feedback"
    items: list[CorpusItem] = []
    for split in ("train", "test"):
        for number, row in enumerate(read_csv(folder / "banking77" / f"{split}.csv")):
            items.append(
                CorpusItem(
                    f"b77-{split}-{number}",
                    row["text"],
                    "support",
                    "2026-01-05T10:00:00",
                    None,
                    row["category"],
                )
            )
    for path in sorted((folder / "minibar" / "for_classification").glob("*.csv")):
        for number, row in enumerate(read_csv(path)):
            stars = row.get("rating") or row.get("score") or ""
            items.append(
                CorpusItem(
                    f"minibar-{path.stem}-{number}",
                    row["data"],
                    "app_review",
                    "2026-02-02T12:00:00",
                    int(stars) if stars.isdigit() else None,
                )
            )
    return items


def demo_items(first_seed: int = 1) -> Iterator[CorpusItem]:
    from northstar.demo.company import generate_company

    seed = first_seed
    while True:
        for item in generate_company(seed=seed).feedback:
            rating = item.rating if item.rating is not None and item.source == "app_review" else None
            yield CorpusItem(
                f"demo{seed}-{item.external_ref}",
                item.text,
                item.source,
                item.created_at.replace(tzinfo=None).isoformat(timespec="seconds"),
                rating,
                duplicate_of=f"demo{seed}-{item.duplicate_of}" if item.duplicate_of else None,
            )
        seed += 1


def build_corpus(count: int) -> list[CorpusItem]:
    """``count`` items: the public texts first, then demo feedback (seeds 1, 2, …)."""
    items = public_items()[:count]
    demo = demo_items(1)
    while len(items) < count:
        items.append(next(demo))
    return items


def compare_corpus(count: int) -> list[CorpusItem]:
    """A smaller corpus with both kinds of ground truth: 60 % public texts (Banking77 first), 40 % demo feedback."""
    public = public_items()[: count * 3 // 5]
    demo = demo_items(1)
    return public + [next(demo) for _ in range(count - len(public))]


def extra_items(count: int, seed: int = 1000) -> list[CorpusItem]:
    """Items for the incremental step: demo feedback from seed 1000 on, far beyond the seeds a corpus uses."""
    demo = demo_items(seed)
    return [next(demo) for _ in range(count)]


def write_csv(items: list[CorpusItem], path: Path) -> None:
    """Write items as CSV, with the first item that contains a double quote moved to the front.

    Why: ``core.tabular.read_csv`` lets ``csv.Sniffer`` guess the dialect from the first 8 KB, and the sniffer
    turns off ``doublequote`` when that sample has no quote-escaped field, after which every later field with an
    embedded ``""`` is split at it (rows shift into the wrong columns). Putting one such field first keeps the
    import through the service layer honest until that is fixed (reported with the benchmark).
    """
    quoted = next((k for k, item in enumerate(items) if '"' in item.text), None)
    if quoted:
        items = [items[quoted], *items[:quoted], *items[quoted + 1 :]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_ref", "text", "source", "received_at", "rating"])
        for item in items:
            writer.writerow(
                [
                    item.external_ref,
                    item.text,
                    item.source,
                    item.received_at,
                    "" if item.rating is None else item.rating,
                ]
            )

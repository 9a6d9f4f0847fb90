"""The feedback development suite's sets, read exactly as ``shared/data/feedback/DEV_SUITE.md`` prescribes.

One loader per task. Each returns plain lists, so the suite, the research scripts and the tests read the
same rows in the same order with the same label mappings and the same 80/20 splits. Nothing here knows
which method will run on the rows: no per-set settings live in this file, only the readings of the files.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.model_selection import train_test_split

from _feedback_common import shared_data


@dataclass(frozen=True)
class ThemeSet:
    """Texts to cluster, their gold labels and, where the set has them, broader parent labels."""

    name: str
    texts: list[str]
    labels: list[str]
    parents: list[str] | None = None
    label_names: dict[str, str] = field(default_factory=dict)  # label -> readable name, for name similarity


@dataclass(frozen=True)
class LabelledSplit:
    """A train part and a test part with one label per text (train, kind and sentiment rows)."""

    name: str
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]


@dataclass(frozen=True)
class MultiLabelSplit:
    """Mini-BAR: each text has 0/1 flags for several labels."""

    name: str
    label_names: list[str]
    train_texts: list[str]
    train_flags: list[list[int]]
    test_texts: list[str]
    test_flags: list[list[int]]


def _folder(name: str) -> Path:
    return shared_data() / "feedback" / name


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _seq_in(folder: Path) -> tuple[list[str], list[str]]:
    texts, labels = _lines(folder / "seq.in"), _lines(folder / "label")
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} texts but {len(labels)} labels")
    return [t.strip() for t in texts], [label.strip() for label in labels]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(
    texts: list[str], labels: list[str], stratify: list[str] | None = None
) -> tuple[list, list, list, list]:
    """The suite's fixed 80/20 split: stratified, ``random_state=0``."""
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=stratify if stratify is not None else labels, random_state=0
    )
    return list(train_x), list(train_y), list(test_x), list(test_y)


def _readable(label: str) -> str:
    """``card_arrival`` / ``AddToPlaylist`` → ``card arrival`` / ``add to playlist`` (for name similarity only)."""
    spaced = "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(label))
    return " ".join(spaced.replace("_", " ").replace("-", " ").lower().split())


# --- themes ----------------------------------------------------------------------------------------------------


def banking77_themes() -> ThemeSet:
    rows = _csv(_folder("banking77") / "test.csv")
    labels = [r["category"] for r in rows]
    return ThemeSet(
        "banking77", [r["text"] for r in rows], labels, None, {x: _readable(x) for x in set(labels)}
    )


def stackoverflow_themes() -> ThemeSet:
    folder = _folder("stackoverflow")
    texts = _lines(folder / "title_StackOverflow.txt")
    labels = [x.strip() for x in _lines(folder / "label_StackOverflow.txt")]
    # the tag names are listed in the folder's SOURCE.md ("1 wordpress, 2 oracle, …")
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    listing = source.split("Labels (from the upstream README):", 1)[-1].split("\n\n", 1)[0]
    names = {number: tag.replace("-", " ") for number, tag in re.findall(r"(\d+) ([a-z][a-z-]*)", listing)}
    return ThemeSet("stackoverflow", texts, labels, None, names)


def snips_themes() -> ThemeSet:
    texts, labels = _seq_in(_folder("snips") / "test")
    return ThemeSet("snips", texts, labels, None, {x: _readable(x) for x in set(labels)})


def hwu64_themes() -> ThemeSet:
    """HWU64 test; the parent of ``alarm_query`` is its scenario ``alarm`` (the set's own two-level labels)."""
    texts, labels = _seq_in(_folder("hwu64") / "test")
    parents = [label.split("_", 1)[0] for label in labels]
    return ThemeSet("hwu64", texts, labels, parents, {x: _readable(x) for x in set(labels)})


THEME_SETS: dict[str, Callable[[], ThemeSet]] = {
    "banking77": banking77_themes,
    "stackoverflow": stackoverflow_themes,
    "snips": snips_themes,
    "hwu64": hwu64_themes,
}


# --- train your own ----------------------------------------------------------------------------------------------


def banking77_train() -> LabelledSplit:
    train, test = _csv(_folder("banking77") / "train.csv"), _csv(_folder("banking77") / "test.csv")
    return LabelledSplit(
        "banking77",
        [r["text"] for r in train],
        [r["category"] for r in train],
        [r["text"] for r in test],
        [r["category"] for r in test],
    )


def snips_train() -> LabelledSplit:
    train_x, train_y = _seq_in(_folder("snips") / "train")
    test_x, test_y = _seq_in(_folder("snips") / "test")
    return LabelledSplit("snips", train_x, train_y, test_x, test_y)


def hwu64_train() -> LabelledSplit:
    """Ten examples per intent (``train_10``) → the full test file."""
    train_x, train_y = _seq_in(_folder("hwu64") / "train_10")
    test_x, test_y = _seq_in(_folder("hwu64") / "test")
    return LabelledSplit("hwu64", train_x, train_y, test_x, test_y)


HINT3_BOTS = ("sofmattress", "curekart", "powerplay11")
OUT_OF_SCOPE = "NO_NODES_DETECTED"


def hint3_train(bot: str, in_scope_only: bool = True) -> LabelledSplit:
    """One HINT3 v2 bot; by default only the test rows whose label is one of the bot's training intents."""
    folder = _folder("hint3") / "v2"
    train = _csv(folder / "train" / f"{bot}_train.csv")
    test = _csv(folder / "test" / f"{bot}_test.csv")
    known = {r["label"] for r in train}
    if in_scope_only:
        test = [r for r in test if r["label"] in known]
    return LabelledSplit(
        f"hint3-{bot}",
        [r["sentence"] for r in train],
        [r["label"] for r in train],
        [r["sentence"] for r in test],
        [r["label"] for r in test],
    )


TRAIN_SETS: dict[str, Callable[[], LabelledSplit]] = {
    "banking77": banking77_train,
    "snips": snips_train,
    "hwu64": hwu64_train,
    **{f"hint3-{bot}": (lambda b=bot: hint3_train(b)) for bot in HINT3_BOTS},  # type: ignore[misc]
}


# --- kind ----------------------------------------------------------------------------------------------------------

MINIBAR_FILES = (
    "Garmin Connect.en.csv",
    "Garmin Connect.fr.csv",
    "Huawei Health.en.csv",
    "Huawei Health.fr.csv",
    "Samsung Health.en.csv",
    "Samsung Health.fr.csv",
)
MINIBAR_LABELS = ["problem_report", "feature_request", "irrelevant"]


def minibar_rows() -> list[dict[str, str]]:
    folder = _folder("minibar") / "for_classification"
    return [row for name in MINIBAR_FILES for row in _csv(folder / name)]


def minibar_kind() -> MultiLabelSplit:
    rows = minibar_rows()
    texts = [r["data"] for r in rows]
    flags = [[int(r[label]) for label in MINIBAR_LABELS] for r in rows]
    combos = ["".join(str(f) for f in row) for row in flags]
    train_x, test_x, train_f, test_f = train_test_split(
        texts, flags, test_size=0.2, stratify=combos, random_state=0
    )
    return MultiLabelSplit(
        "minibar", MINIBAR_LABELS, list(train_x), list(train_f), list(test_x), list(test_f)
    )


def minibar_single_kind(flags: list[int]) -> str:
    """Mini-BAR's flags as one kind, for pooling with the single-label sets (problem report wins ties)."""
    if flags[0]:
        return "bug"
    if flags[1]:
        return "feature request"
    return "other"


def clap_rows() -> list[dict[str, str]]:
    return _csv(_folder("clap") / "rq1-raw-data.csv")


CLAP_KIND = {"BUG": "bug", "FEATURE": "feature request"}


def clap_kind() -> LabelledSplit:
    rows = clap_rows()
    texts = [r["review"] for r in rows]
    labels = [CLAP_KIND.get(r["category"], "other") for r in rows]
    return LabelledSplit("clap", *_split(texts, labels))


FORUM_KIND = {
    "apparent bug": "bug",
    "feature request": "feature request",
    "question on application": "question",
    "praise application": "praise",
    "praise for application": "praise",
}


def software_forums_kind() -> LabelledSplit:
    path = _folder("software_forums") / "VLC_labelled_sentences_4RE.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT sentence, label FROM labelled_sentences ORDER BY id").fetchall()
    texts = [str(sentence or "") for sentence, _ in rows]
    labels = [FORUM_KIND.get(str(label or "").strip().lower(), "other") for _, label in rows]
    return LabelledSplit("software_forums", *_split(texts, labels))


# --- sentiment -----------------------------------------------------------------------------------------------------


def _polarity_lines(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for line in _lines(path):
        if len(line) > 2:
            labels.append("positive" if line[0] == "1" else "negative")
            texts.append(line[2:])
    return texts, labels


def cr_sentiment() -> LabelledSplit:
    return LabelledSplit("cr", *_split(*_polarity_lines(_folder("cr") / "custrev.all")))


def sst2_sentiment() -> LabelledSplit:
    folder = _folder("sst2")
    train_x, train_y = _polarity_lines(folder / "stsa.binary.train")
    test_x, test_y = _polarity_lines(folder / "stsa.binary.test")
    return LabelledSplit("sst2", train_x, train_y, test_x, test_y)


SENTIMENT_SETS: dict[str, Callable[[], LabelledSplit]] = {"cr": cr_sentiment, "sst2": sst2_sentiment}


def star_rated_reviews() -> tuple[list[str], list[int]]:
    """App reviews with their 1–5 star rating (Mini-BAR and CLAP): weak sentiment labels for training."""
    texts, stars = [], []
    for row in minibar_rows():
        texts.append(row["data"])
        stars.append(int(row["score"]))
    for row in clap_rows():
        if row["rating"].strip().isdigit():
            texts.append(row["review"])
            stars.append(int(row["rating"]))
    return texts, stars

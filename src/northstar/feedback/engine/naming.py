"""Name themes by their distinctive keywords and pick three representative quotes.

Keywords are class-based TF-IDF: a term scores high in a theme when it is frequent there and rare across the other
themes (term frequency in the theme × log(1 + average theme length / term frequency over all themes)). The quotes are
the items closest to the theme centroid, skipping near-repeats so the three quotes say different things.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let's",
        "me",
        "more",
        "most",
        "mustn't",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "shouldn't",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "wasn't",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "will",
        "with",
        "won't",
        "would",
        "wouldn't",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "still",
        "even",
        "really",
        "much",
        "many",
        "one",
        "would",
        "could",
        "like",
        "need",
        "want",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "dear",
        "yes",
        "ok",
        "okay",
        "im",
        "dont",
        "cant",
        "ive",
        "le",
        "la",
        "les",
        "de",
        "des",
        "et",
        "est",
        "un",
        "une",
        "je",
        "pas",
        "que",
        "qui",
        "en",
        "du",
        "pour",
        "il",
        "elle",
        "sur",
        "avec",
        "ne",
        "ce",
        "mon",
        "ma",
        "mes",
        "au",
        "aux",
        "plus",
        "dans",
        "sont",
        "mais",
        "ou",
        "se",
        "très",
        "tout",
        "fait",
        "être",
        "vous",
        "nous",
        "ça",
        "c'est",
        "j'ai",
    ]
)


def tokens(text: str) -> list[str]:
    return [t for t in (w.casefold().replace("’", "'") for w in _TOKEN.findall(text)) if t not in STOPWORDS]


def terms(text: str) -> list[str]:
    """Unigrams and adjacent bigrams of content words."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class ThemeLabel:
    name: str
    keywords: list[str]
    quotes: list[str]


def keywords_per_cluster(
    texts: Sequence[str],
    labels: np.ndarray,
    count: int,
    top: int = 6,
    terms_of: Sequence[Sequence[str]] | None = None,
) -> list[list[str]]:
    """Class-based TF-IDF keywords for each cluster 0..count-1 (outliers, label -1, only count as background).

    ``terms_of`` (optional) are the texts' ``terms`` computed already, so two levels of themes tokenize once.
    """
    found_terms = terms_of if terms_of is not None else [terms(text) for text in texts]
    if len(found_terms) != len(labels):
        raise ValueError("one label per text is needed")
    overall: Counter[str] = Counter(chain.from_iterable(found_terms))
    members: list[list[int]] = [[] for _ in range(count)]
    for position, label in enumerate(np.asarray(labels).tolist()):
        if label >= 0:
            members[label].append(position)
    per_cluster = [Counter(chain.from_iterable(found_terms[i] for i in group)) for group in members]
    average_size = max(1.0, sum(sum(c.values()) for c in per_cluster) / max(count, 1))
    result = []
    for counter in per_cluster:
        total = max(1, sum(counter.values()))
        scored = {
            term: (freq / total) * np.log(1 + average_size / overall[term]) * (1.15 if " " in term else 1.0)
            for term, freq in counter.items()
            if freq >= 2 or len(counter) < 20
        }
        ranked = sorted(scored, key=lambda t: (-scored[t], t))
        chosen: list[str] = []
        for term in ranked:
            if any(term in kept or kept in term for kept in chosen):
                continue
            chosen.append(term)
            if len(chosen) == top:
                break
        result.append(chosen)
    return result


def representative_quotes(
    texts: Sequence[str], vectors: np.ndarray, members: np.ndarray, centroid: np.ndarray, count: int = 3
) -> list[str]:
    """The ``count`` members closest to the centroid, each at cosine < 0.9 from the quotes already chosen."""
    if len(members) == 0:
        return []
    order = members[np.argsort(-(vectors[members] @ centroid))]
    chosen: list[int] = []
    for index in order[:200]:
        text = texts[index].strip()
        if not text or any(texts[c].strip().casefold() == text.casefold() for c in chosen):
            continue
        if any(float(vectors[index] @ vectors[c]) > 0.9 for c in chosen):
            continue
        chosen.append(int(index))
        if len(chosen) == count:
            break
    return [_shorten(texts[i]) for i in chosen]


def _shorten(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def theme_name(keywords: Sequence[str], fallback: str) -> str:
    """Readable name: the top keywords, joined (e.g. ``card / arrive / new card``)."""
    return " / ".join(keywords[:3]) if keywords else fallback

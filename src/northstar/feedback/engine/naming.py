"""Name themes with a phrase from their members' text, list their distinctive keywords, pick three quotes.

Keywords are class-based TF-IDF: a term scores high in a theme when it is frequent there and rare across the other
themes (term frequency in the theme × log(1 + average theme length / term frequency over all themes)).

Names are phrases people wrote (KeyBERT's idea, Grootendorst 2020): the word sequences of one to four words found
in the theme's members, not starting or ending with a stop word, are ranked by how typical of the theme they are
(share of members using them × log of how rare they are across all items); the best few are embedded with the
same sentence model and the one closest to the theme's centroid becomes the name ("Card not arrived", "Exchange
rate"). Themes are named biggest first and a name is not given twice. Without an embedder the most typical phrase
is used. The quotes are the items closest to the theme centroid, skipping near-repeats so the three quotes say
different things.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
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


#: A function from texts to unit sentence vectors (the product's embedder).
Embed = Callable[[list[str]], np.ndarray]

_SEGMENT = re.compile(r"[.,;:!?()\[\]{}\"“”/|\n]+")
#: Longest phrase considered for a name, in words.
PHRASE_WORDS = 4
#: How many of a theme's most typical phrases of each length are embedded and compared with its centroid.
PHRASE_CANDIDATES = 4


def phrases(text: str) -> dict[str, str]:
    """The text's word sequences of 1–``PHRASE_WORDS`` words inside one clause that neither start nor end with a
    stop word: casefolded phrase → the form written."""
    found: dict[str, str] = {}
    for segment in _SEGMENT.split(text):
        words = _TOKEN.findall(segment)
        folded = [w.casefold().replace("’", "'") for w in words]
        for start in range(len(words)):
            if folded[start] in STOPWORDS:
                continue
            for stop in range(start + 1, min(len(words), start + PHRASE_WORDS) + 1):
                if folded[stop - 1] in STOPWORDS:
                    continue
                found.setdefault(" ".join(folded[start:stop]), " ".join(words[start:stop]))
    return found


def _written_form(forms: Counter[str]) -> str:
    """The most common way the phrase was written, with a capital first letter when it was all lower case."""
    form = forms.most_common(1)[0][0]
    return form[0].upper() + form[1:] if form[:1].islower() else form


def _typical_phrases(
    groups: Sequence[Sequence[int]], of_text: dict[int, dict[str, str]], forms: dict[str, Counter[str]]
) -> list[list[str]]:
    """Per group, its most typical phrases of each length (share of members using the phrase × log of its rarity
    among all members), most typical first; short words do not crowd out the phrases a person writes."""
    overall: Counter[str] = Counter(chain.from_iterable(of_text.values()))
    total = max(1, len(of_text))
    ranked: list[list[str]] = []
    for group in groups:
        inside: Counter[str] = Counter()
        for i in group:
            for key, form in of_text[i].items():
                inside[key] += 1
                forms.setdefault(key, Counter())[form] += 1
        floor = 2 if len(group) >= 4 else 1
        scored = {
            key: (count / len(group)) * np.log(1 + total / overall[key])
            for key, count in inside.items()
            if count >= floor
        }
        best = sorted(scored, key=lambda key: (-scored[key], key))
        pool: list[str] = []
        for length in range(1, PHRASE_WORDS + 1):
            pool += [key for key in best if key.count(" ") + 1 == length][:PHRASE_CANDIDATES]
        ranked.append(sorted(pool, key=lambda key: (-scored[key], key)))
    return ranked


def phrase_names(
    texts: Sequence[str],
    groups: Sequence[Sequence[int]],
    centroids: np.ndarray,
    embed: Embed | None = None,
    fallbacks: Sequence[str] = (),
) -> list[str]:
    """A name per group of item indices: the phrase of its members nearest its centroid (see the module docstring).

    Groups are named biggest first, each taking a phrase no bigger group took; a group without any usable phrase
    keeps its ``fallbacks`` entry. Without ``embed`` the most typical phrase is the name.
    """
    of_text = {i: phrases(texts[i]) for i in sorted({i for group in groups for i in group})}
    forms: dict[str, Counter[str]] = {}
    ranked = _typical_phrases(groups, of_text, forms)
    closeness: dict[tuple[int, str], float] = {}
    wanted = sorted({key for keys in ranked for key in keys})
    if embed is not None and wanted:
        vectors = np.asarray(embed([_written_form(forms[key]) for key in wanted]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        row = {key: k for k, key in enumerate(wanted)}
        for g, keys in enumerate(ranked):
            for key in keys:
                closeness[(g, key)] = float(vectors[row[key]] @ centroids[g])
    names = [fallbacks[g] if g < len(fallbacks) else f"Theme {g + 1}" for g in range(len(groups))]
    taken: set[str] = set()
    for g in sorted(range(len(groups)), key=lambda g: -len(groups[g])):
        order = sorted(ranked[g], key=lambda key: -closeness[(g, key)]) if closeness else ranked[g]
        chosen = next((key for key in order if key not in taken), None)
        if chosen is not None:
            taken.add(chosen)
            names[g] = _written_form(forms[chosen])
    return names

"""Language detection without a model download: Unicode scripts first, then stop-word profiles for Latin scripts.

Feedback is short, so character n-gram models are overkill; the most frequent function words of each language are
a strong and explainable signal. Returns an ISO 639-1 code, or ``"und"`` (undetermined) when there is no signal.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "is",
            "it",
            "to",
            "of",
            "i",
            "you",
            "that",
            "this",
            "in",
            "my",
            "for",
            "not",
            "on",
            "with",
            "was",
            "have",
            "but",
            "are",
            "be",
            "app",
            "can",
            "when",
            "me",
            "so",
            "just",
            "what",
            "do",
            "does",
            "how",
            "why",
            "would",
            "please",
            "no",
            "all",
            "your",
            "an",
            "they",
            "at",
            "from",
            "there",
            "if",
            "or",
            "it's",
            "i'm",
            "don't",
            "cannot",
            "can't",
        ]
    ),
    "fr": frozenset(
        [
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
            "j'ai",
            "c'est",
            "très",
            "tout",
            "fait",
            "être",
            "vous",
            "nous",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ich",
            "ein",
            "eine",
            "zu",
            "mit",
            "sich",
            "auf",
            "es",
            "den",
            "dem",
            "von",
            "für",
            "im",
            "wie",
            "auch",
            "sie",
            "bei",
            "wird",
            "aber",
            "kann",
            "noch",
            "nur",
            "war",
            "sind",
            "oder",
            "mein",
            "meine",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "que",
            "y",
            "en",
            "un",
            "una",
            "es",
            "no",
            "por",
            "con",
            "para",
            "se",
            "lo",
            "su",
            "al",
            "del",
            "como",
            "pero",
            "más",
            "mi",
            "muy",
            "esta",
            "este",
            "está",
            "son",
            "hay",
            "me",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "che",
            "e",
            "è",
            "non",
            "un",
            "una",
            "per",
            "con",
            "del",
            "della",
            "sono",
            "ma",
            "mi",
            "si",
            "ho",
            "questo",
            "questa",
            "come",
            "più",
            "anche",
            "nel",
            "molto",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "que",
            "e",
            "é",
            "não",
            "um",
            "uma",
            "para",
            "com",
            "do",
            "da",
            "em",
            "no",
            "na",
            "por",
            "mais",
            "mas",
            "se",
            "eu",
            "meu",
            "minha",
            "muito",
            "está",
            "são",
            "tem",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "is",
            "niet",
            "ik",
            "dat",
            "van",
            "te",
            "op",
            "met",
            "voor",
            "zijn",
            "maar",
            "ook",
            "als",
            "bij",
            "er",
            "wel",
            "nog",
            "kan",
            "mijn",
            "geen",
            "deze",
        ]
    ),
}
_SCRIPTS = (
    ("CJK UNIFIED", "zh"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("CYRILLIC", "ru"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
)
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _language, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def _script_language(text: str) -> str | None:
    head = text[:2000]
    if not head or max(head) < "\u0370":
        return None  # Latin letters and symbols only: no script below Greek decides (fast path)
    counts: Counter[str] = Counter()
    letters = 0
    for ch in head:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        for prefix, language in _SCRIPTS:
            if name.startswith(prefix):
                counts[language] += 1
                break
    if not letters or not counts:
        return None
    if counts["ja"]:  # Japanese mixes kana with CJK ideographs
        counts["ja"] += counts.pop("zh", 0)
    language, count = counts.most_common(1)[0]
    return language if count >= letters * 0.3 else None


def detect_language(text: str) -> str:
    """Best-guess language code of ``text`` (dominant language for mixed texts), ``"und"`` if unknown."""
    by_script = _script_language(text)
    if by_script:
        return by_script
    words = [w.casefold() for w in _WORD.findall(text[:5000])]
    if not words:
        return "und"
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in words:
        for lang in _LANGUAGES_OF.get(word, ()):
            scores[lang] += 1
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] == 0:
        return "und"
    return best

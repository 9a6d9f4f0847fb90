"""Text normalisation: decode any bytes, reduce HTML to text, clean Unicode, and build keys for exact duplicates.

Feedback arrives as Latin-1 CSVs, HTML e-mails, 200 KB pastes and binary junk. Everything here is total: it never
raises on odd input, and it never throws text away silently (``NormalizedText.truncated`` says when analysis only
looked at the first ``MAX_ANALYSIS_CHARS`` characters; the stored original is untouched).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_ANALYSIS_CHARS = 20_000
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "header", "footer", "pre", "hr",
}  # fmt: skip
_SKIPPED_TAGS = {"script", "style", "head", "title", "noscript", "template"}
_HTML_HINT = re.compile(
    r"<\s*(?:html|body|div|p|br|span|a|b|i|strong|em|table|ul|ol|li|h[1-6]|img|font)\b[^>]*>", re.I
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_KEY_DROP = re.compile(r"[^\w]+", re.UNICODE)
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else UTF-16 with BOM, else Windows-1252, else Latin-1 (which never fails)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def repair_mixed_encoding(text: str) -> str:
    """Undo the common 'UTF-8 read as Latin-1' mojibake (``Ã©`` → ``é``) when the round trip is clean."""
    if not re.search("[ÃÂâ][\u0080-\u00ff\u2018-\u203a\u20ac]", text):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        try:
            return text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return text


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment or page, with block elements turned into line breaks."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # malformed markup: fall back to stripping tags
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return "".join(parser.parts)


def clean_text(value: str | bytes | None) -> str:
    """Readable, single-spaced text: decoded, HTML reduced, mojibake repaired, control characters removed."""
    if value is None:
        return ""
    text = decode_bytes(value) if isinstance(value, bytes) else str(value)
    text = repair_mixed_encoding(text)
    if looks_like_html(text):
        text = html_to_text(text)
    elif "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def is_binary_junk(text: str) -> bool:
    """True for text that is mostly replacement/private-use characters or has no letters at all."""
    if not text:
        return False
    if text.isascii():
        # no replacement, private-use or Latin-1 characters: only the no-letters rule can apply
        return len(text) > 40 and _ASCII_LETTER.search(text) is None
    letters = sum(ch.isalpha() for ch in text)
    odd = sum(ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cs", "Cn") for ch in text)
    # Bytes decoded as Latin-1 land in U+0080–U+00FF; real text (even French or German) has few of those.
    high_latin = sum("\u0080" <= ch <= "\u00ff" for ch in text)
    return (
        odd > len(text) * 0.2
        or (letters == 0 and len(text) > 40)
        or (len(text) > 20 and high_latin > len(text) * 0.3)
    )


@dataclass(frozen=True)
class NormalizedText:
    """What the analysis works on: the cleaned text, its exact-duplicate key, and flags about the input."""

    text: str
    duplicate_key: str
    empty: bool
    junk: bool
    truncated: bool


def duplicate_key(text: str) -> str:
    """Case-, accent-width- and punctuation-insensitive hash: 'Crash on login!!' == 'crash on login'."""
    folded = _KEY_DROP.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()


def normalize(value: str | bytes | None) -> NormalizedText:
    """Clean one raw feedback text and describe it."""
    text = clean_text(value)
    truncated = len(text) > MAX_ANALYSIS_CHARS
    if truncated:
        text = text[:MAX_ANALYSIS_CHARS]
    junk = is_binary_junk(text)
    empty = not any(ch.isalnum() for ch in text)
    return NormalizedText(
        text=text, duplicate_key=duplicate_key(text), empty=empty or junk, junk=junk, truncated=truncated
    )

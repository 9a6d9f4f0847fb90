"""Normalisation is total (never raises), keeps text readable, and flags what it could not use."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from northstar.feedback.engine.language import detect_language
from northstar.feedback.engine.normalize import (
    MAX_ANALYSIS_CHARS,
    clean_text,
    decode_bytes,
    duplicate_key,
    normalize,
)


def test_latin1_and_windows_1252_bytes_are_decoded() -> None:
    assert decode_bytes("café crème".encode("latin-1")) == "café crème"
    assert decode_bytes("“quoted”".encode("cp1252")) == "“quoted”"


def test_utf8_read_as_latin1_is_repaired() -> None:
    assert clean_text("CafÃ© crÃ¨me") == "Café crème"


def test_html_is_reduced_to_visible_text() -> None:
    text = clean_text(
        "<html><style>p{}</style><p>Export&nbsp;is <b>broken</b></p><script>x()</script></html>"
    )
    assert text == "Export is broken"


def test_emoji_and_mixed_scripts_are_kept() -> None:
    assert clean_text("Love it 😍 très bien 很好") == "Love it 😍 très bien 很好"


def test_empty_whitespace_and_junk_are_flagged() -> None:
    assert normalize("   \n\t ").empty
    assert normalize(None).empty
    junk = normalize(bytes(range(256)) * 3)
    assert junk.empty


def test_huge_text_is_truncated_for_analysis_and_flagged() -> None:
    result = normalize("slow export " * 20_000)
    assert result.truncated and len(result.text) == MAX_ANALYSIS_CHARS


def test_duplicate_key_ignores_case_spacing_and_punctuation() -> None:
    assert duplicate_key("Crash on LOGIN!!") == duplicate_key("crash   on login")
    assert duplicate_key("crash on login") != duplicate_key("crash on logout")


@given(st.one_of(st.text(), st.binary()))
def test_normalize_never_raises_and_is_stable(value: str | bytes) -> None:
    once = normalize(value)
    assert normalize(once.text).text == once.text


def test_language_detection_of_common_languages() -> None:
    assert detect_language("The export does not work and I want my money back") == "en"
    assert detect_language("Je ne peux pas exporter mes données, c'est très pénible") == "fr"
    assert detect_language("Ich kann die Daten nicht exportieren und das ist nicht gut") == "de"
    assert detect_language("No puedo exportar los datos de la aplicación") == "es"
    assert detect_language("Приложение не работает") == "ru"
    assert detect_language("アプリが動きません") == "ja"
    assert detect_language("12345 !!!") == "und"

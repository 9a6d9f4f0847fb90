"""Decompress LZ-string's base64 form (``compression=lz64``, sent by older posthog-js versions).

The format, as LZ-string's ``compressToBase64`` writes it: the text (UTF-16 code units) is LZW-coded into a bit
stream, and the stream is written six bits per character of the standard base64 alphabet (``A–Z a–z 0–9 + /``),
padded with ``=``. Within a character the bits are taken from the most significant one down; a code of *n* bits
is assembled least significant bit first. The dictionary starts with three control codes:

* ``0``: a literal 8-bit code unit follows, and becomes a new dictionary entry;
* ``1``: a literal 16-bit code unit follows, likewise;
* ``2``: end of the stream.

Codes start 2 bits wide for the first phrase, then 3; the width grows by one bit whenever the dictionary outgrows
it. Each phrase after the first adds ``previous + first code unit of this phrase``; a code equal to the next free
slot means ``previous + its own first code unit`` (the classic LZW special case).

Output is capped (``limit`` code units), since a small input can expand quadratically.
"""

from __future__ import annotations

BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUES = {character: index for index, character in enumerate(BASE64_ALPHABET)}
_VALUES[" "] = 62  # a '+' turned into a space by form or query decoding
_VALUES["-"], _VALUES["_"] = 62, 63  # URL-safe base64, for lenience


class LZStringError(ValueError):
    """The input is not valid LZ-string data (or expands beyond the cap)."""


class LZStringTooLarge(LZStringError):
    """The decompressed text would exceed the cap."""


class _Bits:
    """Reads codes of a given width from six-bit characters, most significant bit of each character first."""

    def __init__(self, values: list[int]) -> None:
        self.values = values
        self.index = 0  # the character being read
        self.mask = 32

    def exhausted(self) -> bool:
        return self.index >= len(self.values)

    def read(self, width: int) -> int:
        result = 0
        values, count = self.values, len(self.values)
        for power in range(width):
            if self.index >= count:
                raise LZStringError("the data ends in the middle of a code")
            if values[self.index] & self.mask:
                result |= 1 << power
            self.mask >>= 1
            if self.mask == 0:
                self.mask = 32
                self.index += 1
        return result


def _six_bit_values(text: str) -> list[int]:
    values = []
    for position, character in enumerate(text.rstrip("=").strip()):
        if character in "\r\n\t":
            continue
        value = _VALUES.get(character)
        if value is None:
            raise LZStringError(f"character {character!r} at position {position} is not base64")
        values.append(value)
    return values


def decompress_from_base64(text: str, limit: int) -> str:
    """The text that LZ-string's ``compressToBase64`` turned into ``text``.

    Raises :class:`LZStringTooLarge` when the result would exceed ``limit`` code units and :class:`LZStringError`
    when ``text`` is not valid data (bad characters, a truncated stream, a code that is not in the dictionary).
    """
    values = _six_bit_values(text)
    if not values:
        raise LZStringError("no data")
    bits = _Bits(values)
    units = _decode(bits, limit)
    try:
        return "".join(units).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as error:
        raise LZStringError("the text holds an unpaired UTF-16 surrogate") from error


def _literal(bits: _Bits, code: int) -> str:
    return chr(bits.read(8 if code == 0 else 16))


def _decode(bits: _Bits, limit: int) -> list[str]:
    """The phrases of the stream, in order (each phrase a string of UTF-16 code units as ``chr`` values)."""
    first = bits.read(2)
    if first == 2:
        return []
    if first not in (0, 1):
        raise LZStringError(f"invalid first code {first}")
    previous = _literal(bits, first)
    dictionary: list[str] = ["", "", "", previous]  # 0, 1, 2 are control codes
    output = [previous]
    size = len(previous)
    width, enlarge_in = 3, 4
    while True:
        if bits.exhausted():
            raise LZStringError("the data ends without its end marker")
        code = bits.read(width)
        if code == 2:
            return output
        if code in (0, 1):
            dictionary.append(_literal(bits, code))
            code = len(dictionary) - 1
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, width = 1 << width, width + 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = previous + previous[0]
        else:
            raise LZStringError(f"code {code} is not in the dictionary (size {len(dictionary)})")
        size += len(entry)
        if size > limit:
            raise LZStringTooLarge(f"decompressed text exceeds {limit} characters")
        output.append(entry)
        dictionary.append(previous + entry[0])
        enlarge_in -= 1
        previous = entry
        if enlarge_in == 0:
            enlarge_in, width = 1 << width, width + 1

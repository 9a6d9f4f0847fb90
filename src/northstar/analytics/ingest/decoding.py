"""Turn a request body into JSON: gzip (sniffed by magic bytes or declared), deflate, LZ-string ``lz64``, form
``data=`` and base64, always under a cap on the decompressed size so a gzip bomb costs no more than the cap."""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any
from urllib.parse import parse_qs

import orjson

from northstar.analytics.ingest.errors import IngestError, bad_request, too_large
from northstar.analytics.ingest.lzstring import LZStringError, LZStringTooLarge, decompress_from_base64

GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 64 * 1024


def inflate(data: bytes, limit: int, wbits: int) -> bytes:
    """Decompress ``data`` (zlib container chosen by ``wbits``), refusing to produce more than ``limit`` bytes."""
    decompressor = zlib.decompressobj(wbits)
    output = bytearray()
    pending = data
    try:
        while pending:
            output += decompressor.decompress(pending, _CHUNK)
            if len(output) > limit:
                raise too_large(f"decompressed body exceeds {limit} bytes")
            pending = decompressor.unconsumed_tail
        output += decompressor.flush()
    except zlib.error as error:
        raise bad_request("invalid_compression", f"body could not be decompressed: {error}") from error
    if len(output) > limit:
        raise too_large(f"decompressed body exceeds {limit} bytes")
    return bytes(output)


def _deflate(data: bytes, limit: int) -> bytes:
    """``Content-Encoding: deflate`` is zlib (RFC 1950) by the standard, raw deflate in some clients: accept both."""
    try:
        return inflate(data, limit, zlib.MAX_WBITS)
    except IngestError as error:
        if error.status == 413:
            raise
        return inflate(data, limit, -zlib.MAX_WBITS)


def decode_body(
    body: bytes,
    limit: int,
    content_encoding: str | None = None,
    content_type: str | None = None,
    compression: str | None = None,
) -> Any:
    """The JSON value carried by a capture request, or an :class:`IngestError` saying what is wrong."""
    return decode_body_sized(body, limit, content_encoding, content_type, compression)[0]


def decode_body_sized(
    body: bytes,
    limit: int,
    content_encoding: str | None = None,
    content_type: str | None = None,
    compression: str | None = None,
) -> tuple[Any, int]:
    """The JSON value carried by a capture request and its decoded size in bytes."""
    if len(body) > limit:
        raise too_large(f"body exceeds {limit} bytes")
    encoding = (content_encoding or "").strip().lower()
    scheme = (compression or "").strip().lower()
    data = body
    if _is_form(body, content_type):
        form = parse_qs(body.decode("latin-1"), keep_blank_values=True)
        data = form.get("data", [""])[0].encode("latin-1")
        if not scheme:
            scheme = (form.get("compression", [""])[0] or "").lower()
    if data.startswith(GZIP_MAGIC) or encoding == "gzip" or scheme in {"gzip", "gzip-js"}:
        data = inflate(data, limit, 16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        data = _deflate(data, limit)
    elif encoding and encoding != "identity":
        raise IngestError(415, "unsupported_encoding", f"Content-Encoding {encoding!r} is not supported")
    elif scheme == "lz64":
        data = _lz64(data, limit)
    return _parse_json(data, limit), len(data)


def _is_form(body: bytes, content_type: str | None) -> bool:
    """A urlencoded form carrying ``data=`` (posthog-js sends ``data=…&compression=…`` in either order)."""
    if not (content_type or "").lower().startswith("application/x-www-form-urlencoded"):
        return False
    return body[:5] == b"data=" or b"&data=" in body[:4096]


def _lz64(data: bytes, limit: int) -> bytes:
    """LZ-string ``compressToBase64`` text (``compression=lz64``) as UTF-8 JSON bytes, capped at ``limit``."""
    try:
        text = decompress_from_base64(data.decode("latin-1"), limit)
    except LZStringTooLarge as error:
        raise too_large(f"decompressed body exceeds {limit} bytes") from error
    except LZStringError as error:
        raise bad_request("invalid_compression", f"lz64 body could not be decompressed: {error}") from error
    encoded = text.encode("utf-8")
    if len(encoded) > limit:
        raise too_large(f"decompressed body exceeds {limit} bytes")
    return encoded


def _parse_json(data: bytes, limit: int) -> Any:
    stripped = data.strip()
    if not stripped:
        raise bad_request("empty_body", "the request body is empty")
    if stripped[:1] not in (b"{", b"["):
        try:  # a '+' that form or query decoding turned into a space is put back
            decoded = base64.b64decode(stripped.replace(b" ", b"+"), validate=False)
        except (binascii.Error, ValueError) as error:
            raise bad_request("invalid_payload", "body is neither JSON nor base64-encoded JSON") from error
        if len(decoded) > limit:
            raise too_large(f"decoded body exceeds {limit} bytes")
        stripped = decoded.strip()
    try:
        return orjson.loads(stripped)
    except (UnicodeDecodeError, ValueError) as error:
        raise bad_request("invalid_json", f"malformed JSON: {error}") from error

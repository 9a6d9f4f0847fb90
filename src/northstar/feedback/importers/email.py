"""E-mail feedback (.eml files and .mbox mailboxes): body as text, quoted replies and signatures removed.

The plain-text part is preferred; an HTML-only message is reduced to text. What the customer wrote is kept; what
they quoted ("On … wrote:", "> …", "-----Original Message-----", Outlook "From: … Sent: …" headers) and their
signature ("-- ", "Sent from my iPhone", a closing like "Best regards," followed by a few short lines) are cut.
"""

from __future__ import annotations

import email
import hashlib
import mailbox
import re
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from northstar.feedback.engine.normalize import clean_text, decode_bytes, html_to_text
from northstar.feedback.importers.records import FeedbackRecord, ImportFormatError, ImportResult

_QUOTE_HEADERS = (
    re.compile(r"^\s*On .{3,200}wrote:\s*$", re.I),
    re.compile(r"^\s*Le .{3,200}a écrit\s*:\s*$", re.I),
    re.compile(r"^\s*Am .{3,200}schrieb .{0,100}:\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*From:\s.+$", re.I),
)
_SIGNATURE_MARKERS = (
    re.compile(r"^--\s*$"),
    re.compile(r"^\s*Sent from my \w+", re.I),
    re.compile(r"^\s*Get Outlook for \w+", re.I),
    re.compile(r"^\s*Envoyé de mon \w+", re.I),
)
_CLOSINGS = re.compile(
    r"^\s*(best|kind|warm)?\s*(regards|wishes)|^\s*(thanks|thank you|cheers|sincerely|cordialement|bien à vous)"
    r"[\s,!.]*$",
    re.I,
)


def strip_reply(text: str) -> str:
    """Keep the new part of a message: cut at the first quote header or quoted block, then cut the signature."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _QUOTE_HEADERS):
            if _QUOTE_HEADERS[-1].match(line) and not _looks_like_outlook_header(lines[index : index + 4]):
                kept.append(line)
                continue
            break
        if line.lstrip().startswith(">"):
            if all(not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]):
                break
            continue
        kept.append(line)
    return strip_signature("\n".join(kept)).strip()


def _looks_like_outlook_header(block: list[str]) -> bool:
    return sum(bool(re.match(r"^\s*(Sent|Date|To|Subject|Cc):", line, re.I)) for line in block[1:]) >= 1


def strip_signature(text: str) -> str:
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _SIGNATURE_MARKERS):
            return "\n".join(lines[:index])
    for index in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        if _CLOSINGS.match(lines[index]) and index > 0:
            tail = lines[index + 1 :]
            if len(tail) <= 5 and all(len(t) < 60 for t in tail):
                return "\n".join(lines[:index])
    return text


def message_body(message: EmailMessage) -> str:
    """Plain text of the message: the text/plain part, else the text/html part reduced to text."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return _content(plain)
    rich = message.get_body(preferencelist=("html",))
    if rich is not None:
        return html_to_text(_content(rich))
    return ""


def _content(part: Any) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True)
        return decode_bytes(payload) if isinstance(payload, bytes) else str(payload or "")


def record_from_message(message: EmailMessage, fallback_id: str) -> FeedbackRecord:
    addresses = getaddresses([str(message.get("From", ""))])
    name, address = addresses[0] if addresses else ("", "")
    try:
        created = parsedate_to_datetime(str(message["Date"])) if message.get("Date") else None
    except (TypeError, ValueError):
        created = None
    subject = clean_text(str(message.get("Subject", ""))) or None
    envelope = "|".join(str(message.get(h, "")).strip() for h in ("From", "Date", "Subject"))
    # without a Message-ID, sender + date + subject identify the message whatever the file is called
    fingerprint = hashlib.sha1(envelope.encode("utf-8")).hexdigest()[:16] if envelope.strip("|") else ""
    return FeedbackRecord(
        source="email",
        external_id=str(message.get("Message-ID", "")).strip() or fingerprint or fallback_id,
        text=clean_text(strip_reply(clean_text(message_body(message)))),
        title=subject,
        author_name=name or None,
        author_email=address.lower() or None,
        created_at=created,
    )


def import_eml(path: Path) -> ImportResult:
    """One message from an .eml file."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFormatError(f"{path.name}: empty file")
    message = email.message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ImportFormatError(f"{path.name}: not an e-mail message (no headers)")
    result = ImportResult()
    record = record_from_message(message, path.name)
    record.row = 1
    if record.text:
        result.records.append(record)
    else:
        result.rejected.append((1, "message has no text"))
    return result


def _parse_binary(handle: Any) -> Any:
    return email.message_from_bytes(handle.read(), policy=policy.default)


def import_mbox(path: Path) -> ImportResult:
    """Every message of an mbox mailbox."""
    result = ImportResult()
    box = mailbox.mbox(str(path), factory=_parse_binary, create=False)
    try:
        for number, message in enumerate(box, start=1):
            if not isinstance(message, EmailMessage):
                result.rejected.append((number, "unreadable message"))
                continue
            record = record_from_message(message, f"{path.name}#{number}")
            record.row = number
            if record.text:
                result.records.append(record)
            else:
                result.rejected.append((number, "message has no text"))
    finally:
        box.close()
    return result

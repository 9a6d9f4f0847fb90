"""Ingestion errors carry the HTTP status the SDKs expect and a machine-readable code (reference §1.6)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class IngestError(Exception):
    """A rejected request: ``status`` (400, 401, 413, 415, 503), a short ``code`` and a clear ``message``."""

    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, str]:
        """An error body both SDKs parse: Segment 2.3 needs ``code`` and ``message``, PostHog reads ``detail``."""
        return {"code": self.code, "message": self.message, "detail": self.message}


def bad_request(code: str, message: str) -> IngestError:
    return IngestError(400, code, message)


def unauthorized(message: str) -> IngestError:
    return IngestError(401, "invalid_api_key", message)


def too_large(message: str) -> IngestError:
    return IngestError(413, "payload_too_large", message)

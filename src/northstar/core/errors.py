"""Domain errors. Each carries its HTTP status and problem type; the faces render them (RFC 9457, page, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One invalid field: where (a JSON pointer-ish location, or row and column for imports) and why."""

    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass
class NorthstarError(Exception):
    """Base of every error the user should see, with a clear one-line ``detail``."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    status = 400
    type_slug = "bad-request"
    title = "Bad request"

    def __str__(self) -> str:
        return self.detail

    @property
    def type_uri(self) -> str:
        return f"https://northstar.dev/problems/{self.type_slug}"

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 problem-details body for this error."""
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [error.as_dict() for error in self.errors]
        return body


class ValidationFailed(NorthstarError):
    status = 422
    type_slug = "validation-failed"
    title = "Invalid input"


class NotFound(NorthstarError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class PermissionDenied(NorthstarError):
    status = 403
    type_slug = "permission-denied"
    title = "Permission denied"


class AuthenticationRequired(NorthstarError):
    status = 401
    type_slug = "authentication-required"
    title = "Authentication required"


class Conflict(NorthstarError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class PayloadTooLarge(NorthstarError):
    status = 413
    type_slug = "payload-too-large"
    title = "Payload too large"

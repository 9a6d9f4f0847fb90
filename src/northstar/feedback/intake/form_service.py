"""The embeddable feedback form: a public page a product shows in an iframe, landing in the inbox as ``in_app``.

Each workspace has at most one form, addressed by a random key that an admin creates and can rotate (the old URL
then stops working) or switch off. The page needs no session, so it cannot use the login's CSRF token; instead
it carries a *signed form token*: an HMAC (with the server's secret key) of the form, its current key, the time
it was issued and a random nonce. A submission must bring a token that is genuine, made for this form's current
key, and younger than ``TOKEN_MAX_AGE``. The nonce also makes the submission idempotent: sending the same form
twice (a double click, a retried POST) stores one item.

The e-mail a visitor types is unverified: it is kept with the item, but it never attributes the item to a
customer (anyone could type a big customer's address and inflate its demand). The page shows nothing of the
workspace but the form's own heading.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.audit import AuditEvent
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.permissions import READ, Actor
from northstar.feedback.importers.writer import valid_email
from northstar.feedback.models import Feedback
from northstar.feedback.models.imports import FeedbackForm

FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOKEN = re.compile(r"^(\d{1,12})\.([A-Za-z0-9_-]{16,64})\.([0-9a-f]{64})$")
TOKEN_MAX_AGE = 6 * 3600
MAX_TEXT = 5000
MAX_EMAIL = 320
MAX_CONTEXT = 200
MAX_TITLE = 120
DEFAULT_TITLE = "Send us feedback"
SOURCE = "in_app"


class FormExpired(ValidationFailed):
    """The page was open too long, or the form's key was rotated since it was loaded."""


def get_form(session: Session, actor: Actor) -> FeedbackForm | None:
    """The workspace's form settings, if an admin has created the form."""
    actor.require(READ)
    return session.scalar(select(FeedbackForm).where(FeedbackForm.workspace_id == actor.workspace_id))


def rotate_form_key(session: Session, actor: Actor) -> FeedbackForm:
    """Create the form, or give it a new key (the old embed URL stops working at once)."""
    actor.require("workspace.manage")
    form = get_form(session, actor)
    key = secrets.token_urlsafe(18)
    if form is None:
        form = FeedbackForm(workspace_id=actor.workspace_id, form_key=key, created_by=actor.user_id or None)
        form.enabled, form.title = True, DEFAULT_TITLE
        session.add(form)
        session.flush()
        audit.record(session, actor, "create", "feedback_form", form.id, "embeddable feedback form created")
    else:
        form.form_key = key
        session.flush()
        audit.record(
            session, actor, "rotate", "feedback_form", form.id, "embeddable feedback form key rotated"
        )
    return form


def update_form(
    session: Session, actor: Actor, enabled: bool | None = None, title: str | None = None
) -> FeedbackForm:
    """Switch the form on or off, or change its heading (creates the form when there is none yet)."""
    actor.require("workspace.manage")
    form = get_form(session, actor) or rotate_form_key(session, actor)
    changes: dict[str, object] = {}
    if title is not None:
        title = " ".join(title.split())
        if not title or len(title) > MAX_TITLE:
            raise ValidationFailed(
                f"the heading must be 1 to {MAX_TITLE} characters",
                [FieldError("title", "1 to 120 characters")],
            )
        if title != form.title:
            changes["title"] = title
    if enabled is not None and enabled != form.enabled:
        changes["enabled"] = enabled
    if changes:
        for name, value in changes.items():
            setattr(form, name, value)
        audit.record(session, actor, "update", "feedback_form", form.id, "embeddable feedback form", changes)
    return form


def form_by_key(session: Session, form_key: str) -> FeedbackForm | None:
    """The switched-on form with this key, else None (an unknown, malformed or switched-off key alike)."""
    if not FORM_KEY.match(form_key or ""):
        return None
    form = session.scalar(select(FeedbackForm).where(FeedbackForm.form_key == form_key))
    return form if form is not None and form.enabled else None


def _signature(secret: str, form: FeedbackForm, issued: int, nonce: str) -> str:
    message = f"feedback-form|{form.id}|{form.form_key}|{issued}|{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def issue_token(secret: str, form: FeedbackForm, now: float | None = None) -> str:
    """A signed token for one rendering of the form."""
    issued = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(16)
    return f"{issued}.{nonce}.{_signature(secret, form, issued, nonce)}"


def check_token(secret: str, form: FeedbackForm, token: str, now: float | None = None) -> str:
    """The token's nonce when the token is genuine, for this form's current key, and fresh; else raise."""
    match = TOKEN.match(token or "")
    if match is None:
        raise FormExpired(
            "this form could not be checked; please send it again", [FieldError("token", "missing")]
        )
    issued, nonce, signature = int(match.group(1)), match.group(2), match.group(3)
    if not hmac.compare_digest(signature, _signature(secret, form, issued, nonce)):
        raise FormExpired("this form has changed since the page was opened; please send it again")
    age = (time.time() if now is None else now) - issued
    if age > TOKEN_MAX_AGE or age < -60:
        raise FormExpired("this page was open too long; please send it again")
    return nonce


@dataclass
class Submission:
    text: str
    email: str | None = None
    context: str | None = None


def check_submission(text: str, email: str, context: str) -> tuple[Submission, list[FieldError]]:
    """The cleaned submission and what is wrong with it (empty when nothing is)."""
    submission = Submission(
        text=text.replace("\x00", "").strip(),
        email=email.strip().lower() or None,
        context=" ".join(context.split())[:MAX_CONTEXT] or None,
    )
    errors = []
    if not submission.text:
        errors.append(FieldError("text", "please write your feedback"))
    elif len(submission.text) > MAX_TEXT:
        errors.append(FieldError("text", f"please keep it under {MAX_TEXT:,} characters"))
    if submission.email and (len(submission.email) > MAX_EMAIL or not valid_email(submission.email)):
        errors.append(FieldError("email", "this does not look like an e-mail address"))
    return submission, errors


def submit(session: Session, form: FeedbackForm, nonce: str, submission: Submission) -> tuple[Feedback, bool]:
    """Store a checked submission in the form's inbox; a second submission of the same token is ignored.

    Returns the item and whether it was created now.
    """
    ref = f"form:{nonce}"
    existing = session.scalar(
        select(Feedback).where(
            Feedback.workspace_id == form.workspace_id,
            Feedback.source == SOURCE,
            Feedback.external_ref == ref,
        )
    )
    if existing is not None:
        return existing, False
    meta: dict[str, object] = {"origin": "embedded_form"}
    if submission.email:
        meta.update(email=submission.email, email_verified=False)
    if submission.context:
        meta["context"] = submission.context
    item = Feedback(
        workspace_id=form.workspace_id, text=submission.text, source=SOURCE, external_ref=ref, meta=meta
    )
    session.add(item)
    session.flush()
    session.add(  # no user acted: the audit record names the form instead
        AuditEvent(
            workspace_id=form.workspace_id,
            user_id=None,
            action="create",
            object_type="feedback",
            object_id=item.id,
            summary=f"embedded form: {submission.text[:80]}",
        )
    )
    return item, True

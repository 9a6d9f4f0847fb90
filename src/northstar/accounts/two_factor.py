"""Use cases of two-factor login for password accounts: set up TOTP (RFC 6238, 30-second codes of 6 digits, as
every authenticator app reads them), confirm it with a first code, recovery codes shown once and stored hashed,
check a code at login, and turn it off with the password and a code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import RecoveryCode, TwoFactor, User
from northstar.accounts.schemas import TwoFactorEnrolment, TwoFactorStatus
from northstar.accounts.service import authenticate
from northstar.core.database import utcnow
from northstar.core.errors import AuthenticationRequired, Conflict, FieldError, ValidationFailed

ISSUER = "Northstar"
RECOVERY_CODES = 10
#: codes of the previous and the next 30-second step are accepted too (a phone's clock a little off)
DRIFT_STEPS = 1


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _row(session: Session, user_id: int) -> TwoFactor | None:
    return session.scalar(select(TwoFactor).where(TwoFactor.user_id == user_id))


def is_enabled(session: Session, user_id: int) -> bool:
    row = _row(session, user_id)
    return row is not None and row.enabled_at is not None


def status(session: Session, user: User) -> TwoFactorStatus:
    left = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return TwoFactorStatus(enabled=is_enabled(session, user.id), recovery_codes_left=int(left or 0))


def start_enrolment(session: Session, user: User, box: SecretBox) -> TwoFactorEnrolment:
    """A new secret for the user's authenticator app (replacing one not yet confirmed). Shown once."""
    row = _row(session, user.id)
    if row is not None and row.enabled_at is not None:
        raise Conflict("two-factor login is already on; turn it off first to set up a new authenticator")
    secret = pyotp.random_base32()
    if row is None:
        row = TwoFactor(user_id=user.id, secret_encrypted=box.encrypt(secret))
        session.add(row)
    else:
        row.secret_encrypted, row.last_step = box.encrypt(secret), 0
    session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return TwoFactorEnrolment(secret=secret, uri=uri)


def pending_enrolment(session: Session, user: User, box: SecretBox) -> TwoFactorEnrolment | None:
    """The secret being set up (not yet confirmed), to show the QR code again after a mistyped code."""
    row = _row(session, user.id)
    if row is None or row.enabled_at is not None:
        return None
    secret = box.decrypt(row.secret_encrypted)
    return TwoFactorEnrolment(
        secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    )


def _accept_totp(row: TwoFactor, secret: str, code: str, now: float | None = None) -> bool:
    """True when ``code`` is the TOTP of a step within the drift and later than the last one accepted."""
    digits = code.replace(" ", "").replace("-", "")
    if len(digits) != 6 or not digits.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > row.last_step and hmac.compare_digest(totp.at(step * totp.interval), digits):
            row.last_step = step
            return True
    return False


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits each, shown as xxxxx-xxxxx
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user_id, code_hash=_sha256(code)))
    return codes


def confirm_enrolment(
    session: Session, user: User, code: str, box: SecretBox, now: float | None = None
) -> list[str]:
    """Turn two-factor login on once the first code from the app is right; returns the recovery codes (once)."""
    row = _row(session, user.id)
    if row is None or row.enabled_at is not None:
        raise Conflict("there is no two-factor set-up in progress; start it again")
    if not _accept_totp(row, box.decrypt(row.secret_encrypted), code, now):
        raise ValidationFailed(
            "that code is not right; type the 6 digits your app shows now",
            [FieldError("code", "not the current code")],
        )
    row.enabled_at = utcnow()
    codes = _new_recovery_codes(session, user.id)
    session.flush()
    return codes


def check_code(session: Session, user_id: int, code: str, box: SecretBox, now: float | None = None) -> bool:
    """True when ``code`` is a current TOTP code (never the same one twice) or an unused recovery code (which
    is then used up)."""
    row = _row(session, user_id)
    if row is None or row.enabled_at is None:
        return False
    if _accept_totp(row, box.decrypt(row.secret_encrypted), code, now):
        return True
    typed = code.strip().lower()
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _sha256(typed),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True


def disable(session: Session, user: User, password: str, code: str, box: SecretBox) -> None:
    """Turn two-factor login off: the password and a current (or recovery) code are both needed."""
    try:
        authenticate(session, user.email, password)
    except AuthenticationRequired:
        raise ValidationFailed(
            "the password is not right", [FieldError("password", "not your password")]
        ) from None
    if not check_code(session, user.id, code, box):
        raise ValidationFailed(
            "that code is not right", [FieldError("code", "not a current or recovery code")]
        )
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    session.flush()

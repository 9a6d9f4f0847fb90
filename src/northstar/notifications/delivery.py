"""Delivery of the outbox: e-mail over SMTP and Slack incoming webhooks, with retries, backoff and a claim per
message so that nothing is lost while a server is down and nothing is sent twice.

Each message is claimed with one conditional UPDATE (``pending`` → ``sending``) committed before anything is
sent: of two workers that pick the same message, only the one whose UPDATE changed the row sends it. After the
attempt the outcome is committed (``sent``; or ``pending`` again with a later time; or ``failed`` after the last
attempt). A worker that dies between sending and recording leaves ``sending`` behind, retried after
``engine.STALE_CLAIM``; the e-mail keeps its ``Message-ID`` so the receiving side can tell a repeat.
"""

from __future__ import annotations

import contextlib
import email.policy
import email.utils
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.database import session_scope, utcnow
from northstar.core.settings import Settings
from northstar.notifications import engine, service
from northstar.notifications.models import OutboxMessage
from northstar.notifications.schemas import DeliveryReport

#: messages one run looks at, at most (the next run takes the rest)
BATCH = 200


class DeliveryFailed(Exception):
    """One attempt failed; ``permanent`` ones are not retried, ``retry_after`` is the server's wish in seconds."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Transport(Protocol):
    def send_email(self, message: EmailMessage) -> None: ...

    def post_slack(self, url: str, payload: dict[str, str]) -> None: ...

    def close(self) -> None: ...


class NetworkTransport:
    """SMTP (one connection per run, reopened after a failure) and HTTPS to Slack, as configured in settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._http = httpx.Client(timeout=settings.smtp_timeout, follow_redirects=False)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if not s.smtp_host:
            raise DeliveryFailed("no SMTP server configured: set NORTHSTAR_SMTP_HOST (the e-mail waits)")
        if s.smtp_tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password or "")
        return smtp

    def send_email(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            raise DeliveryFailed(f"the SMTP server refused the recipient: {error.recipients}", permanent=True)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise DeliveryFailed(f"SMTP {self.settings.smtp_host}:{self.settings.smtp_port}: {error}")
        if refused:
            raise DeliveryFailed(f"the SMTP server refused {', '.join(refused)}", permanent=True)

    def _drop(self) -> None:
        if self._smtp is not None:
            # closing a broken connection may fail too; it is gone anyway
            with contextlib.suppress(Exception):
                self._smtp.close()
            self._smtp = None

    def post_slack(self, url: str, payload: dict[str, str]) -> None:
        try:
            response = self._http.post(url, json=payload)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"Slack webhook: {type(error).__name__}: {error}")
        if response.status_code == 200:
            return
        text = response.text[:200]
        if response.status_code == 429:
            retry_after = engine.parse_retry_after(response.headers.get("retry-after"))
            raise DeliveryFailed(f"Slack webhook rate-limited (429) {text}", retry_after=retry_after)
        # Slack answers 4xx for a webhook that is gone or a payload it refuses (invalid_token, no_service, ...)
        permanent = 400 <= response.status_code < 500
        raise DeliveryFailed(f"Slack webhook answered {response.status_code} {text}", permanent=permanent)

    def close(self) -> None:
        if self._smtp is not None:
            # the server may have gone; the connection is closed anyway
            with contextlib.suppress(Exception):
                self._smtp.quit()
            self._smtp = None
        self._http.close()


@dataclass
class _Unit:
    """What one attempt sends: one message, or a day's digest messages to one address."""

    ids: list[int]
    channel: str
    recipient: str
    subject: str
    body: str
    link: str | None
    headers: dict[str, str] = field(default_factory=dict)
    workspace_id: int = 0


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _units(rows: list[OutboxMessage]) -> list[_Unit]:
    units: list[_Unit] = []
    digests: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        if row.digest:
            digests[(row.channel, row.recipient)].append(row)
        else:
            units.append(
                _Unit(
                    [row.id],
                    row.channel,
                    row.recipient,
                    row.subject,
                    row.body,
                    row.link,
                    {str(k): str(v) for k, v in row.headers.items()},
                    row.workspace_id,
                )
            )
    for (channel, recipient), group in digests.items():
        subject, body = engine.digest_text([engine.DigestItem(r.subject, r.body) for r in group])
        units.append(
            _Unit(
                [r.id for r in group],
                channel,
                recipient,
                subject,
                body,
                "/notifications",
                {},
                group[0].workspace_id,
            )
        )
    return units


def _claim(session: Session, ids: list[int], now: datetime) -> list[int]:
    """Claim each message still pending; returns the ids this worker got (committed before sending)."""
    claimed = []
    for message_id in ids:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(message_id)
    session.commit()
    return claimed


#: RFC 5322's line limit: a long List-Unsubscribe URL must stay one plain line, not an encoded word
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)


def _email(unit: _Unit, settings: Settings) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = settings.smtp_from
    message["To"] = unit.recipient
    message["Subject"] = unit.subject
    message["Date"] = email.utils.formatdate(usegmt=True)
    domain = email.utils.parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "northstar.localhost"
    message["Message-ID"] = f"<outbox-{'-'.join(map(str, unit.ids))}.ws{unit.workspace_id}@{domain}>"
    for name, value in unit.headers.items():
        message[name] = value
    body = unit.body
    if unit.link:
        body += f"\n\nOpen in Northstar: {settings.resolved_public_url()}{unit.link}\n"
    message.set_content(body)
    return message


def _send(unit: _Unit, transport: Transport, settings: Settings) -> None:
    if unit.channel == "email":
        transport.send_email(_email(unit, settings))
    elif unit.channel == "slack":
        link = f"{settings.resolved_public_url()}{unit.link}" if unit.link else None
        transport.post_slack(unit.recipient, engine.slack_payload(unit.subject, unit.body, link))
    else:
        raise DeliveryFailed(f"unknown channel {unit.channel!r}", permanent=True)


def _record(
    session: Session, ids: list[int], error: DeliveryFailed | None, now: datetime, report: DeliveryReport
) -> None:
    for message_id in ids:
        row = session.get(OutboxMessage, message_id, populate_existing=True)
        if row is None:
            continue
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
            report.sent += 1
        elif error.permanent or row.attempts >= engine.MAX_ATTEMPTS:
            row.status, row.last_error = "failed", str(error)[:1000]
            report.failed += 1
        else:
            row.status, row.last_error = "pending", str(error)[:1000]
            row.next_attempt_at = now + engine.retry_delay(row.attempts, error.retry_after)
            report.retrying += 1
        row.claimed_at = None
    session.commit()


def deliver_pending(
    factory: sessionmaker[Session],
    settings: Settings,
    workspace_id: int | None = None,
    now: datetime | None = None,
    transport: Transport | None = None,
    progress: object | None = None,
) -> DeliveryReport:
    """Send the outbox messages due at ``now`` (of one workspace, or all); returns what happened to them."""
    now = _aware(now or utcnow())
    report = DeliveryReport()
    own = transport is None
    sender: Transport = transport or NetworkTransport(settings)
    try:
        with session_scope(factory) as session:
            stale = update(OutboxMessage).where(
                OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - engine.STALE_CLAIM
            )
            if workspace_id is not None:
                stale = stale.where(OutboxMessage.workspace_id == workspace_id)
            session.execute(stale.values(status="pending", claimed_at=None))
        with factory() as session:
            query = select(OutboxMessage).where(
                OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
            )
            if workspace_id is not None:
                query = query.where(OutboxMessage.workspace_id == workspace_id)
            rows = list(session.scalars(query.order_by(OutboxMessage.id).limit(BATCH)))
            for unit in _units(rows):
                claimed = _claim(session, unit.ids, now)
                if not claimed:
                    report.skipped += len(unit.ids)
                    continue
                unit.ids = claimed
                if unit.channel == "email" and service.is_suppressed(
                    session, unit.workspace_id, unit.recipient
                ):
                    session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(claimed))
                        .values(status="suppressed", last_error="the address unsubscribed", claimed_at=None)
                    )
                    session.commit()
                    report.suppressed += len(claimed)
                    continue
                error: DeliveryFailed | None = None
                try:
                    _send(unit, sender, settings)
                except DeliveryFailed as failure:
                    error = failure
                _record(session, claimed, error, now, report)
                if callable(progress):
                    progress(report.sent + report.retrying + report.failed + report.suppressed, len(rows))
    finally:
        if own:
            sender.close()
    return report

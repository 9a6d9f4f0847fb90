"""Notifications on both databases, delivered to real local servers: an aiosmtpd SMTP server and an HTTP server
speaking Slack's incoming-webhook answers. The outbox row is written with the change; a stopped mail server loses
nothing and a later run sends each message exactly once; 429 Retry-After and 500 are retried; bad input is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.database import utcnow
from northstar.core.errors import ValidationFailed
from northstar.core.permissions import Role
from northstar.core.settings import Settings
from northstar.notifications import delivery, engine, service
from northstar.notifications.models import Notification, OutboxMessage
from northstar.notifications.schemas import PreferencesUpdate
from tests.factories import World, make_world
from tests.notifications.servers import SlackWebhook, SmtpServer


def _settings(smtp: SmtpServer | None = None) -> Settings:
    return Settings(
        smtp_host="127.0.0.1" if smtp else None,
        smtp_port=smtp.port if smtp else 587,
        smtp_tls="none",
        smtp_from="Northstar <notify@northstar.test>",
        smtp_timeout=5,
        public_url="http://northstar.test",
        secret_key="test-secret",
    )


def _tell(session: Session, world: World, n: int = 1, event: str = "assignment") -> None:
    for index in range(n):
        service.notify(
            session,
            world.workspace.id,
            event,
            [world.users[Role.PRODUCT_MANAGER].id],
            f"You own idea {index}",
            "Dana made you the owner.",
            f"/ideas/{index}",
        )
    session.commit()


def _only(session: Session) -> OutboxMessage:
    session.expire_all()
    return session.scalars(select(OutboxMessage)).one()


def _statuses(session: Session) -> list[str]:
    session.expire_all()
    return [row.status for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_notify_writes_in_app_and_outbox_rows_only_when_the_change_commits(session: Session) -> None:
    world = make_world(session)
    pm = world.actor(Role.PRODUCT_MANAGER)
    service.notify(session, world.workspace.id, "assignment", [pm.user_id], "You own Dark mode")
    session.rollback()  # the change that caused it was rolled back: so is its message
    assert _statuses(session) == [] and service.unread_count(session, pm) == 0
    _tell(session, world)
    assert _statuses(session) == ["pending"]
    listing = service.list_notifications(session, pm)
    assert listing.unread == 1 and listing.items[0].title == "You own idea 0"
    service.mark_read(session, pm, listing.items[0].id)
    assert service.unread_count(session, pm) == 0
    assert service.list_notifications(session, world.actor(Role.OWNER)).items == [], (
        "only the recipient sees it"
    )


def test_mail_server_down_mid_run_loses_nothing_and_sends_each_message_once(
    session: Session, session_factory: sessionmaker[Session], smtp: SmtpServer
) -> None:
    world = make_world(session)
    _tell(session, world, 3)
    settings = _settings(smtp)
    smtp.handler.refuse_next = 0
    first = delivery.deliver_pending(session_factory, settings, world.workspace.id)
    assert first.sent == 3 and len(smtp.messages) == 3
    _tell(session, world, 3)  # three more; the server goes away during the run
    smtp.handler.refuse_next = 1  # the first is answered "421 shutting down" ...
    now = utcnow()
    real_send = delivery._send
    calls = {"n": 0}

    def stop_after_first(unit: object, transport: object, settings: Settings) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            smtp.stop()  # ... and then the server is gone
        real_send(unit, transport, settings)  # type: ignore[arg-type]

    delivery._send = stop_after_first  # type: ignore[assignment]
    try:
        down = delivery.deliver_pending(session_factory, settings, world.workspace.id, now=now)
    finally:
        delivery._send = real_send  # type: ignore[assignment]
    assert (down.sent, down.retrying) == (0, 3)
    assert _statuses(session) == ["sent"] * 3 + ["pending"] * 3
    session.expire_all()
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")))
    assert all(r.attempts == 1 and r.last_error for r in rows)
    assert "421" in (rows[0].last_error or "")
    smtp.start()
    early = delivery.deliver_pending(session_factory, settings, world.workspace.id, now=now)
    assert early.sent == 0, "not before the backoff is over"
    later = delivery.deliver_pending(
        session_factory, settings, world.workspace.id, now=now + dt.timedelta(minutes=2)
    )
    assert later.sent == 3 and _statuses(session) == ["sent"] * 6
    again = delivery.deliver_pending(
        session_factory, settings, world.workspace.id, now=now + dt.timedelta(hours=3)
    )
    assert again.sent == 0
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 6 and len(set(ids)) == 6, "every message arrived exactly once"
    last = smtp.messages[-1]
    assert last["To"] == world.users[Role.PRODUCT_MANAGER].email
    assert last["Subject"].startswith("You own idea")
    assert "http://northstar.test/ideas/" in last.get_payload()


def test_a_claimed_message_is_not_sent_by_a_second_worker(
    session: Session, session_factory: sessionmaker[Session], smtp: SmtpServer
) -> None:
    world = make_world(session)
    _tell(session, world)
    message_id = session.scalars(select(OutboxMessage.id)).one()
    with session_factory() as other:
        assert delivery._claim(other, [message_id], utcnow()) == [message_id]
        assert delivery._claim(other, [message_id], utcnow()) == [], "a claim happens once"
    report = delivery.deliver_pending(session_factory, _settings(smtp), world.workspace.id)
    assert report.sent == 0 and smtp.messages == []
    # the claiming worker died: after the stale-claim time the message is retried, once
    later = utcnow() + engine.STALE_CLAIM + dt.timedelta(minutes=1)
    assert delivery.deliver_pending(session_factory, _settings(smtp), world.workspace.id, now=later).sent == 1
    assert len(smtp.messages) == 1


def test_slack_429_retry_after_and_500_are_retried_then_delivered(
    session: Session, session_factory: sessionmaker[Session], slack: SlackWebhook
) -> None:
    world = make_world(session)
    pm = world.actor(Role.PRODUCT_MANAGER)
    service.update_preferences(session, pm, PreferencesUpdate(email=False, slack_webhook_url=slack.url))
    _tell(session, world)
    slack.script = [(429, {"Retry-After": "120"}, "rate_limited"), (500, {}, "internal error")]
    now = utcnow()
    settings = _settings()
    assert delivery.deliver_pending(session_factory, settings, world.workspace.id, now=now).retrying == 1
    row = _only(session)
    wait = delivery._aware(row.next_attempt_at) - now
    assert dt.timedelta(seconds=119) < wait <= dt.timedelta(seconds=121), "Retry-After is honoured"
    assert (
        delivery.deliver_pending(
            session_factory, settings, world.workspace.id, now=now + dt.timedelta(seconds=60)
        ).retrying
        == 0
    )
    second = delivery.deliver_pending(
        session_factory, settings, world.workspace.id, now=now + dt.timedelta(seconds=121)
    )
    assert second.retrying == 1 and "500" in (_only(session).last_error or "x")
    third = delivery.deliver_pending(
        session_factory, settings, world.workspace.id, now=now + dt.timedelta(hours=1)
    )
    assert third.sent == 1 and _statuses(session) == ["sent"]
    assert len(slack.received) == 1
    text = slack.received[0]["text"]
    assert text.startswith("*You own idea 0*") and "<http://northstar.test/ideas/0|Open in Northstar>" in text


def test_slack_webhook_that_is_gone_fails_without_retrying(
    session: Session, session_factory: sessionmaker[Session], slack: SlackWebhook
) -> None:
    world = make_world(session)
    pm = world.actor(Role.PRODUCT_MANAGER)
    service.update_preferences(session, pm, PreferencesUpdate(email=False, slack_webhook_url=slack.url))
    _tell(session, world)
    slack.script = [(404, {}, "no_service")]
    report = delivery.deliver_pending(session_factory, _settings(), world.workspace.id)
    assert report.failed == 1 and _statuses(session) == ["failed"]
    assert "no_service" in (_only(session).last_error or "")


def test_daily_digest_waits_and_goes_out_as_one_mail(
    session: Session, session_factory: sessionmaker[Session], smtp: SmtpServer
) -> None:
    world = make_world(session)
    pm = world.actor(Role.PRODUCT_MANAGER)
    service.update_preferences(
        session, pm, PreferencesUpdate(events={"assignment": "daily", "mention": "off"})
    )
    _tell(session, world, 2)
    _tell(session, world, 1, event="mention")  # off: nothing at all
    assert service.unread_count(session, pm) == 2
    assert delivery.deliver_pending(session_factory, _settings(smtp), world.workspace.id).sent == 0
    at = engine.next_digest_time(utcnow()) + dt.timedelta(minutes=1)
    report = delivery.deliver_pending(session_factory, _settings(smtp), world.workspace.id, now=at)
    assert report.sent == 2 and len(smtp.messages) == 1
    digest = smtp.messages[0]
    assert "daily digest: 2 notifications" in digest["Subject"]
    assert "You own idea 0" in digest.get_payload() and "You own idea 1" in digest.get_payload()


def test_no_smtp_server_configured_keeps_mail_waiting(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(session)
    _tell(session, world)
    report = delivery.deliver_pending(session_factory, _settings(None), world.workspace.id)
    assert report.retrying == 1
    assert "NORTHSTAR_SMTP_HOST" in (_only(session).last_error or "")


def test_unknown_event_mode_and_malformed_webhook_are_refused_with_the_field(session: Session) -> None:
    world = make_world(session)
    pm = world.actor(Role.PRODUCT_MANAGER)
    with pytest.raises(ValidationFailed, match="unknown event 'birthday'"):
        service.notify(session, world.workspace.id, "birthday", [pm.user_id], "Happy birthday")
    for url, words in (
        ("hooks.slack.com/services/T/B/X", "not a webhook URL"),
        ("http://hooks.slack.com/services/T/B/X", "must use https"),
        ("https://", "not a webhook URL"),
        ("https://example.com:99999/x", "not a URL"),
    ):
        with pytest.raises(ValidationFailed, match=words) as caught:
            service.update_preferences(session, pm, PreferencesUpdate(slack_webhook_url=url))
        assert caught.value.errors[0].field == "slack_webhook_url"
    with pytest.raises(ValidationFailed) as caught:
        service.update_preferences(
            session, pm, PreferencesUpdate(events={"assignment": "hourly", "party": "off"})
        )
    assert {e.field for e in caught.value.errors} == {"events.assignment", "events.party"}
    assert service.get_preferences(session, pm).events[1].mode == "immediately", "nothing was saved"


def test_unsubscribe_token_suppresses_waiting_and_future_mail(session: Session) -> None:
    world = make_world(session)
    ws = world.workspace.id
    token = engine.sign_unsubscribe("test-secret", ws, "Ana@Customer.example")
    assert engine.read_unsubscribe("other-secret", token) is None
    assert engine.read_unsubscribe("test-secret", token[:-2] + "xx") is None
    queued = service.queue_email(
        session, ws, "changelog_shipped", "ana@customer.example", "Shipped", "Hi", "k1"
    )
    assert queued is not None
    service.unsubscribe(session, "test-secret", token)
    service.unsubscribe(session, "test-secret", token)  # twice is fine
    session.commit()
    assert _statuses(session) == ["suppressed"]
    assert (
        service.queue_email(session, ws, "changelog_shipped", "ana@customer.example", "Again", "Hi", "k2")
        is None
    )
    with pytest.raises(ValidationFailed, match="not valid"):
        service.unsubscribe(session, "test-secret", "garbage.token")


def test_idea_status_change_and_budget_overrun_notify_the_leaders(session: Session) -> None:
    from northstar.budget import service as budget
    from northstar.budget.schemas import BudgetLineCreate
    from northstar.ideas import service as ideas
    from northstar.ideas.schemas import IdeaUpdate
    from northstar.teams.models import Team
    from tests.factories import make_idea

    world = make_world(session)
    idea = make_idea(session, world, "Dark mode")
    ideas.update_idea(session, world.actor(Role.OWNER), idea.id, IdeaUpdate(status="planned"))
    session.commit()
    hop = world.actor(Role.HEAD_OF_PRODUCT)
    titles = [n.title for n in service.list_notifications(session, hop).items]
    assert titles == ["Dark mode: new → planned"]
    assert service.unread_count(session, world.actor(Role.OWNER)) == 0, "not the person who moved it"
    team = Team(workspace_id=world.workspace.id, name="Growth")
    session.add(team)
    session.flush()
    today = dt.date.today()
    budget.create_line(
        session,
        world.actor(),
        BudgetLineCreate(team_id=team.id, period=f"{today:%Y-%m}", category="tools", amount="100"),
    )
    csv_text = f"date,amount,team,category,row_key\n{today.isoformat()},5000,Growth,tools,r1\n"
    budget.import_actuals_csv(session, world.actor(), csv_text.encode())
    session.commit()
    alerts = [n for n in service.list_notifications(session, hop).items if n.event == "budget_overrun"]
    assert alerts and any("Growth tools" in n.title and "over plan" in n.title for n in alerts)
    count = len(alerts)
    budget.import_actuals_csv(
        session,
        world.actor(),
        f"date,amount,team,category,row_key\n{today.isoformat()},10,Growth,tools,r2\n".encode(),
    )
    session.commit()
    again = [n for n in service.list_notifications(session, hop).items if n.event == "budget_overrun"]
    assert len(again) == count, "one alert per quarter, team and category"
    assert (
        session.scalars(select(Notification).where(Notification.event == "budget_overrun")).first()
        is not None
    )

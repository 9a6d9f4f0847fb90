from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notifications.servers import SlackWebhook, SmtpServer, slack_webhook, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[SlackWebhook]:
    with slack_webhook() as hook:
        yield hook

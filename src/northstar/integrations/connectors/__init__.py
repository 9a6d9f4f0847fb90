"""One connector per service behind one interface (``base.Connector``); ``build`` picks it by service name."""

from __future__ import annotations

from northstar.integrations.connectors.base import Connector, ServiceSpec
from northstar.integrations.connectors.github import GITHUB, GitHubConnector
from northstar.integrations.connectors.jira import JIRA, JiraConnector
from northstar.integrations.connectors.zendesk import ZENDESK, ZendeskConnector

SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (ZENDESK, GITHUB, JIRA)}
_CLASSES: dict[str, type[Connector]] = {
    "zendesk": ZendeskConnector,
    "github": GitHubConnector,
    "jira": JiraConnector,
}


def build(service: str, config: dict[str, str], credentials: dict[str, str]) -> Connector:
    """The connector of ``service`` for one connection's settings and (decrypted) credentials."""
    return _CLASSES[service](config, credentials)


__all__ = ["SERVICES", "Connector", "ServiceSpec", "build"]

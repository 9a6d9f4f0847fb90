"""GitHub Issues: issues carrying chosen labels → feedback; linked issues' state → ideas.

``GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc&since=…`` pages by the ``Link`` header's
``rel="next"`` address (followed only on the configured API host, so the token never goes elsewhere). Pull
requests, which the issues API lists too, are skipped. Webhooks are signed ``X-Hub-Signature-256`` =
``sha256=<hex HMAC-SHA256(body)>``; GitHub sends no timestamp, so a replay is caught by its ``X-GitHub-Delivery``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from northstar.core.errors import ValidationFailed
from northstar.integrations.connectors.base import (
    Connector,
    Page,
    ServiceSpec,
    SettingField,
    WebhookCall,
    WebhookWork,
    dump_cursor,
    load_cursor,
)
from northstar.integrations.connectors.http import ServiceClient, ServiceError
from northstar.integrations.engine.records import IssueState, RecordError, github_record, github_state
from northstar.integrations.engine.signatures import SignatureRefused, verify_hub

PER_PAGE = 100

GITHUB = ServiceSpec(
    name="github",
    label="GitHub Issues",
    settings=(
        SettingField("repository", "Repository", "owner/name, e.g. acme/app"),
        SettingField("labels", "Labels", "comma-separated; issues with any of them become feedback", False),
        SettingField(
            "base_url",
            "API address",
            "GitHub Enterprise: https://host/api/v3",
            False,
            "https://api.github.com",
        ),
    ),
    credentials=(
        SettingField("token", "Access token", "a fine-grained token with Issues: read (write for nothing)"),
        SettingField(
            "webhook_secret", "Webhook secret", "the secret typed into the repository's webhook", False
        ),
    ),
    brings="issues with chosen labels → feedback; linked issues' state → ideas",
    write_back=True,
    webhook_headers="X-Hub-Signature-256 + X-GitHub-Delivery",
)


class GitHubConnector(Connector):
    spec = GITHUB

    def make_client(self) -> ServiceClient:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self.credentials.get('token', '')}",
        }
        return ServiceClient("GitHub", self.config["base_url"], headers)

    @property
    def repository(self) -> str:
        return self.config["repository"].strip("/")

    @property
    def labels(self) -> list[str]:
        return [label.strip() for label in self.config.get("labels", "").split(",") if label.strip()]

    def test(self) -> str:
        repo = self.client.json("GET", f"/repos/{self.repository}")
        return f"GitHub repository {repo.get('full_name', self.repository)} ({repo.get('open_issues_count', 0)} open)"

    def _same_host(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.config["base_url"]).netloc

    def fetch_page(self, cursor: str | None) -> Page:
        state = load_cursor(cursor)
        since, seen = state.get("since"), state.get("seen") or state.get("since")
        if state.get("next"):
            if not self._same_host(str(state["next"])):
                raise ServiceError(
                    "GitHub's next-page address is on another host; refusing to send the token there"
                )
            response = self.client.request("GET", str(state["next"]))
        else:
            params: dict[str, Any] = {
                "state": "all",
                "sort": "updated",
                "direction": "asc",
                "per_page": PER_PAGE,
            }
            if since:
                params["since"] = since
            response = self.client.request("GET", f"/repos/{self.repository}/issues", params=params)
        issues = response.json()
        if not isinstance(issues, list):
            raise RecordError("GitHub issues page: not a JSON list")
        page = Page(fetched=len(issues))
        for issue in issues:
            if not isinstance(issue, Mapping) or "pull_request" in issue:
                continue
            record = github_record(issue, self.repository, self.labels)
            if record is not None:
                page.records.append(record)
            page.states.append(github_state(issue, self.repository))
            updated = issue.get("updated_at")
            if isinstance(updated, str) and (seen is None or updated > seen):
                seen = updated
        following = response.links.get("next", {}).get("url")
        if following:
            page.cursor, page.done = dump_cursor({"next": following, "since": since, "seen": seen}), False
        else:
            page.cursor, page.done = dump_cursor({"since": seen}), True
        return page

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookCall:
        verify_hub(self.webhook_secret(), dict(headers), body, "x-hub-signature-256")
        delivery = headers.get("x-github-delivery", "")
        if not delivery:
            raise SignatureRefused(
                "no X-GitHub-Delivery id: a delivery without one cannot be checked for replay"
            )
        return WebhookCall(delivery_id=delivery[:200], event=headers.get("x-github-event", "")[:100])

    def webhook_work(self, event: str, payload: Mapping[str, Any]) -> WebhookWork:
        work = WebhookWork()
        issue = payload.get("issue")
        if event != "issues" or not isinstance(issue, Mapping):
            return work
        record = github_record(issue, self.repository, self.labels)
        if record is not None:
            work.records.append(record)
        work.states.append(github_state(issue, self.repository))
        return work

    def issue_number(self, key: str) -> int:
        text = key.strip().rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if not text.isdigit():
            raise ValidationFailed(f"issue: {key!r} is not an issue number like 42 or {self.repository}#42")
        return int(text)

    def get_issue(self, key: str) -> IssueState:
        number = self.issue_number(key)
        return github_state(
            self.client.json("GET", f"/repos/{self.repository}/issues/{number}"), self.repository
        )

"""Local fake Zendesk, GitHub and Jira servers that speak the documented shapes, for the integration tests.

One FastAPI app serves the three services at their real paths (``/api/v2/…`` Zendesk, ``/repos/…`` GitHub,
``/rest/api/3/…`` Jira) on 127.0.0.1 through uvicorn in a thread. Each service checks its credentials the way the
real one does, pages the way its documentation says (Zendesk's ``after_cursor``/``end_of_stream``, GitHub's
``Link`` header, Jira's ``nextPageToken``/``isLast``), and can be told to answer a given request with a 429 and a
``Retry-After`` or with a 500. Webhook bodies are signed here with hmac directly, not with Northstar's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

ZENDESK_EMAIL, ZENDESK_TOKEN = "agent@acme.test", "zd-token-3f9a1c77"
GITHUB_TOKEN = "ghp_fake_token_91b2c3d4"
JIRA_EMAIL, JIRA_TOKEN = "pm@acme.test", "jira-token-5e6f7a8b"
BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Faults:
    """Per service: request number (1-based, counted on the listing endpoint) → (status, Retry-After)."""

    plan: dict[int, tuple[int, str | None]] = field(default_factory=dict)
    count: int = 0

    def next(self) -> Response | None:
        self.count += 1
        planned = self.plan.get(self.count)
        if planned is None:
            return None
        status, retry_after = planned
        headers = {"Retry-After": retry_after} if retry_after else {}
        return JSONResponse({"error": "fault injected"}, status_code=status, headers=headers)


@dataclass
class State:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[int, dict[str, Any]] = field(default_factory=dict)
    zendesk_page: int = 2
    zendesk_faults: Faults = field(default_factory=Faults)
    zendesk_requests: list[dict[str, str]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    github_page: int = 2
    github_faults: Faults = field(default_factory=Faults)
    github_requests: list[str] = field(default_factory=list)
    jira: dict[str, dict[str, Any]] = field(default_factory=dict)
    jira_page: int = 2
    jira_faults: Faults = field(default_factory=Faults)
    jira_searches: list[dict[str, Any]] = field(default_factory=list)
    jira_created: list[dict[str, Any]] = field(default_factory=list)
    clock: datetime = BASE_TIME

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=3)
        return self.clock

    # ---- Zendesk data ----
    def add_ticket(
        self,
        subject: str,
        description: str,
        org: str | None = None,
        score: str | None = None,
        comment: str = "",
    ) -> dict[str, Any]:
        ticket_id = len(self.tickets) + 1
        org_id = None
        if org is not None:
            org_id = next((o["id"] for o in self.organizations.values() if o["name"] == org), None)
            if org_id is None:
                org_id = 360000 + len(self.organizations) + 1
                domain = org.lower().replace(" ", "") + ".example"
                self.organizations[org_id] = {
                    "id": org_id,
                    "name": org,
                    "domain_names": [domain],
                    "external_id": None,
                }
        user_id = 9000 + ticket_id
        email = f"requester{ticket_id}@{(org or 'solo').lower().replace(' ', '')}.example"
        self.users[user_id] = {
            "id": user_id,
            "email": email,
            "name": f"Requester {ticket_id}",
            "organization_id": org_id,
        }
        now = self.tick()
        rating = (
            {"id": 77000 + ticket_id, "score": score, "comment": comment} if score else {"score": "unoffered"}
        )
        ticket = {
            "id": ticket_id,
            "subject": subject,
            "description": description,
            "status": "open",
            "requester_id": user_id,
            "organization_id": org_id,
            "tags": ["feedback"],
            "created_at": iso(now),
            "updated_at": iso(now),
            "generated_timestamp": int(now.timestamp()),
            "satisfaction_rating": rating,
        }
        self.tickets.append(ticket)
        return ticket

    # ---- GitHub data ----
    def add_issue(
        self, title: str, body: str, labels: list[str], pull_request: bool = False
    ) -> dict[str, Any]:
        number = len(self.issues) + 1
        now = self.tick()
        issue: dict[str, Any] = {
            "id": 500000 + number,
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "labels": [{"id": i, "name": name} for i, name in enumerate(labels)],
            "user": {"login": f"user{number}"},
            "created_at": iso(now),
            "updated_at": iso(now),
            "html_url": f"https://github.com/acme/app/issues/{number}",
        }
        if pull_request:
            issue["pull_request"] = {"url": f"https://api.github.com/repos/acme/app/pulls/{number}"}
        self.issues.append(issue)
        return issue

    def close_issue(self, number: int, reason: str = "completed") -> dict[str, Any]:
        issue = self.issues[number - 1]
        issue.update(state="closed", state_reason=reason, updated_at=iso(self.tick()))
        return issue

    # ---- Jira data ----
    def add_jira(self, summary: str) -> dict[str, Any]:
        number = len(self.jira) + 1
        key = f"PROD-{number}"
        self.jira[key] = {
            "id": str(10000 + number),
            "key": key,
            "self": f"https://acme.atlassian.net/rest/api/3/issue/{10000 + number}",
            "fields": {
                "summary": summary,
                "status": {"name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}},
                "resolution": None,
                "fixVersions": [],
                "updated": self.tick().strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            },
        }
        return self.jira[key]

    def move_jira(self, key: str, status: str, category: str, version: str | None = None) -> dict[str, Any]:
        fields = self.jira[key]["fields"]
        fields["status"] = {"name": status, "statusCategory": {"key": category, "name": status}}
        if version:
            fields["fixVersions"] = [{"id": "1", "name": version, "released": True}]
        fields["updated"] = self.tick().strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        return self.jira[key]


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


def _encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _decode(value: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(value.encode()))


def build_app(holder: dict[str, State]) -> FastAPI:
    app = FastAPI()

    def state() -> State:
        return holder["state"]

    # ---------------- Zendesk ----------------
    def zendesk_denied(request: Request) -> Response | None:
        if _basic(request) != (f"{ZENDESK_EMAIL}/token", ZENDESK_TOKEN):
            return JSONResponse({"error": "Couldn't authenticate you"}, status_code=401)
        return None

    @app.get("/api/v2/users/me.json")
    def zendesk_me(request: Request) -> Response:
        return zendesk_denied(request) or JSONResponse(
            {"user": {"id": 1, "name": "Ada Agent", "email": ZENDESK_EMAIL, "role": "admin"}}
        )

    @app.get("/api/v2/incremental/tickets/cursor.json")
    def zendesk_export(request: Request) -> Response:
        denied = zendesk_denied(request)
        if denied:
            return denied
        s = state()
        s.zendesk_requests.append(dict(request.query_params))
        fault = s.zendesk_faults.next()
        if fault:
            return fault
        ordered = sorted(s.tickets, key=lambda t: (t["generated_timestamp"], t["id"]))
        cursor = request.query_params.get("cursor")
        if cursor:
            after = tuple(_decode(cursor))
            remaining = [t for t in ordered if (t["generated_timestamp"], t["id"]) > after]
        elif "start_time" in request.query_params:
            start = int(request.query_params["start_time"])
            remaining = [t for t in ordered if t["generated_timestamp"] >= start]
            after = None
        else:
            return JSONResponse(
                {"error": "InvalidValue", "description": "start_time or cursor required"}, 400
            )
        page = remaining[: s.zendesk_page]
        if page:
            last = page[-1]
            after_cursor = _encode([last["generated_timestamp"], last["id"]])
        else:
            after_cursor = cursor or _encode([int(request.query_params.get("start_time", 0)) - 1, 0])
        include = request.query_params.get("include", "").split(",")
        body: dict[str, Any] = {
            "tickets": page,
            "after_cursor": after_cursor,
            "after_url": f"{request.base_url}api/v2/incremental/tickets/cursor.json?cursor={after_cursor}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": len(remaining) <= s.zendesk_page,
        }
        if "users" in include:
            body["users"] = [s.users[t["requester_id"]] for t in page]
        if "organizations" in include:
            org_ids = {s.users[t["requester_id"]]["organization_id"] for t in page} | {
                t["organization_id"] for t in page
            }
            body["organizations"] = [s.organizations[i] for i in org_ids if i is not None]
        return JSONResponse(body)

    # ---------------- GitHub ----------------
    def github_denied(request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
            return JSONResponse({"message": "Bad credentials", "status": "401"}, status_code=401)
        return None

    @app.get("/repos/{owner}/{repo}")
    def github_repo(owner: str, repo: str, request: Request) -> Response:
        denied = github_denied(request)
        if denied:
            return denied
        if f"{owner}/{repo}" != "acme/app":
            return JSONResponse({"message": "Not Found"}, status_code=404)
        open_count = sum(1 for i in state().issues if i["state"] == "open")
        return JSONResponse({"full_name": "acme/app", "open_issues_count": open_count})

    @app.get("/repos/{owner}/{repo}/issues")
    def github_issues(owner: str, repo: str, request: Request) -> Response:
        denied = github_denied(request)
        if denied:
            return denied
        s = state()
        s.github_requests.append(str(request.url))
        fault = s.github_faults.next()
        if fault:
            return fault
        q = request.query_params
        issues = sorted(s.issues, key=lambda i: (i["updated_at"], i["number"]))
        if q.get("since"):
            issues = [i for i in issues if i["updated_at"] >= q["since"]]
        per_page = min(int(q.get("per_page", 30)), s.github_page)
        page = int(q.get("page", 1))
        chunk = issues[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(issues):
            following = request.url.include_query_params(page=page + 1)
            last = request.url.include_query_params(page=(len(issues) + per_page - 1) // per_page)
            headers["Link"] = f'<{following}>; rel="next", <{last}>; rel="last"'
        return JSONResponse(chunk, headers=headers)

    @app.get("/repos/{owner}/{repo}/issues/{number}")
    def github_issue(owner: str, repo: str, number: int, request: Request) -> Response:
        denied = github_denied(request)
        if denied:
            return denied
        issues = state().issues
        if not 1 <= number <= len(issues):
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return JSONResponse(issues[number - 1])

    # ---------------- Jira ----------------
    def jira_denied(request: Request) -> Response | None:
        if _basic(request) != (JIRA_EMAIL, JIRA_TOKEN):
            return JSONResponse({"errorMessages": ["Client must be authenticated"]}, status_code=401)
        return None

    @app.get("/rest/api/3/myself")
    def jira_me(request: Request) -> Response:
        return jira_denied(request) or JSONResponse(
            {"accountId": "5b10a2844c20165700ede21g", "displayName": "Pat PM", "emailAddress": JIRA_EMAIL}
        )

    @app.post("/rest/api/3/search/jql")
    async def jira_search(request: Request) -> Response:
        denied = jira_denied(request)
        if denied:
            return denied
        s = state()
        fault = s.jira_faults.next()
        if fault:
            return fault
        body = await request.json()
        s.jira_searches.append(body)
        jql = body.get("jql", "")
        project = re.search(r'project = "?(\w+)"?', jql)
        since = re.search(r'updated >= "([^"]+)"', jql)
        issues = [i for i in s.jira.values() if project and i["key"].startswith(project.group(1) + "-")]
        if since:
            floor = datetime.strptime(since.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
            issues = [i for i in issues if datetime.fromisoformat(i["fields"]["updated"]) >= floor]
        issues.sort(key=lambda i: i["fields"]["updated"])
        start = _decode(body["nextPageToken"]) if body.get("nextPageToken") else 0
        size = min(int(body.get("maxResults", 50)), s.jira_page)
        chunk = issues[start : start + size]
        answer: dict[str, Any] = {"issues": chunk, "isLast": start + size >= len(issues)}
        if not answer["isLast"]:
            answer["nextPageToken"] = _encode(start + size)
        return JSONResponse(answer)

    @app.post("/rest/api/3/issue")
    async def jira_create(request: Request) -> Response:
        denied = jira_denied(request)
        if denied:
            return denied
        body = await request.json()
        fields = body.get("fields") or {}
        errors = {}
        if not (fields.get("project") or {}).get("key"):
            errors["project"] = "Specify a valid project ID or key"
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        if not (fields.get("issuetype") or {}).get("name"):
            errors["issuetype"] = "Specify an issue type"
        if errors:
            return JSONResponse({"errorMessages": [], "errors": errors}, status_code=400)
        s = state()
        s.jira_created.append(body)
        issue = s.add_jira(fields["summary"])
        return JSONResponse({"id": issue["id"], "key": issue["key"], "self": issue["self"]}, status_code=201)

    @app.get("/rest/api/3/issue/{key}")
    def jira_issue(key: str, request: Request) -> Response:
        denied = jira_denied(request)
        if denied:
            return denied
        issue = state().jira.get(key)
        if issue is None:
            return JSONResponse(
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}, 404
            )
        return JSONResponse(issue)

    return app


class FakeServices:
    """The running fake; ``state`` is replaced by a fresh one for every test."""

    def __init__(self) -> None:
        self.holder: dict[str, State] = {"state": State()}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(build_app(self.holder), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def state(self) -> State:
        return self.holder["state"]

    def reset(self) -> State:
        self.holder["state"] = State()
        return self.state

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake services did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def running_fakes() -> Iterator[FakeServices]:
    fakes = FakeServices()
    fakes.start()
    try:
        yield fakes
    finally:
        fakes.stop()


# ---- webhook signing, written from the services' documentation (independent of Northstar's code) ----


def zendesk_headers(secret: str, body: bytes, timestamp: str, invocation: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "X-Zendesk-Webhook-Invocation-Id": invocation,
        "Content-Type": "application/json",
    }


def github_headers(secret: str, body: bytes, delivery: str, event: str = "issues") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature-256": f"sha256={digest}",
        "X-GitHub-Delivery": delivery,
        "X-GitHub-Event": event,
        "Content-Type": "application/json",
    }


def jira_headers(secret: str, body: bytes, identifier: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature": f"sha256={digest}",
        "X-Atlassian-Webhook-Identifier": identifier,
        "Content-Type": "application/json",
    }

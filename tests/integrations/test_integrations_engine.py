"""The pure parts, checked against the services' published examples: Zendesk's and GitHub's documented webhook
signature test vectors, Retry-After in both of its forms, and idea moves along the idea workflow."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from northstar.ideas.models import TRANSITIONS
from northstar.integrations.engine import signatures
from northstar.integrations.engine.records import RecordError, github_record, jira_state, parse_time
from northstar.integrations.engine.workflow import MAX_RETRY_WAIT, idea_moves, retry_wait, status_path
from tests.integrations.fakes import zendesk_headers


def test_zendesk_signature_is_base64_hmac_of_timestamp_then_body() -> None:
    # developer.zendesk.com/documentation/webhooks/verifying: base64(HMACSHA256(TIMESTAMP + BODY)). (The page of
    # Zendesk's event connectors signs BODY + TIMESTAMP; its example vector checks that order, not this one.)
    secret = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
    body, timestamp = b'{"say": "hello"}', "2021-07-25T10:00:00Z"
    expected = zendesk_headers(secret, body, timestamp, "1")["X-Zendesk-Webhook-Signature"]
    assert signatures.zendesk_signature(secret, timestamp, body) == expected
    event_connector_order = base64.b64encode(
        hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).digest()
    )
    assert (
        event_connector_order.decode() == "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
    )  # the published vector
    assert expected != event_connector_order.decode()
    headers = {"x-zendesk-webhook-signature": expected, "x-zendesk-webhook-signature-timestamp": timestamp}
    signatures.verify_zendesk(secret, headers, body, datetime(2021, 7, 25, 10, 2, tzinfo=UTC))
    with pytest.raises(signatures.SignatureRefused, match="old"):
        signatures.verify_zendesk(secret, headers, body, datetime(2021, 7, 25, 10, 6, tzinfo=UTC))
    with pytest.raises(signatures.SignatureRefused, match="does not match"):
        signatures.verify_zendesk(
            secret, headers, b'{"say": "bye"}', datetime(2021, 7, 25, 10, 0, tzinfo=UTC)
        )


def test_github_signature_matches_the_example_in_githubs_documentation() -> None:
    # docs.github.com "Validating webhook deliveries": the documented secret, payload and signature
    body = b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signatures.hub_signature("It's a Secret to Everybody", body) == expected
    signatures.verify_hub(
        "It's a Secret to Everybody", {"x-hub-signature-256": expected}, body, "x-hub-signature-256"
    )
    with pytest.raises(signatures.SignatureRefused, match="missing"):
        signatures.verify_hub("It's a Secret to Everybody", {}, body, "x-hub-signature-256")


def test_northstar_signature_round_trips_and_refuses_a_replay_after_five_minutes() -> None:
    header = signatures.northstar_signature("s3cret", 1_700_000_000, b"{}")
    signatures.verify_northstar("s3cret", header, b"{}", datetime.fromtimestamp(1_700_000_100, UTC))
    with pytest.raises(signatures.SignatureRefused):
        signatures.verify_northstar("s3cret", header, b"{}", datetime.fromtimestamp(1_700_000_400, UTC))


def test_retry_after_in_seconds_or_as_a_date_and_backoff_without_it_all_capped() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert retry_wait(1, "7", now) == 7.0
    assert retry_wait(1, "Mon, 02 Mar 2026 09:00:30 GMT", now) == 30.0
    assert [retry_wait(n, None, now) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert retry_wait(1, "3600", now) == MAX_RETRY_WAIT
    assert retry_wait(1, "soon", now) == 1.0


def test_a_done_issue_walks_the_idea_through_the_workflow_to_shipped() -> None:
    assert status_path("planned", "shipped", TRANSITIONS) == ["in_progress", "shipped"]
    assert idea_moves("new", "done", TRANSITIONS) == ["planned", "in_progress", "shipped"]
    assert idea_moves("shipped", "in_progress", TRANSITIONS) == []  # a reopened issue does not un-ship
    assert idea_moves("planned", "todo", TRANSITIONS) == []
    assert idea_moves("in_progress", "wont_do", TRANSITIONS) == ["wont_do"]


def test_records_keep_labelled_issues_only_and_read_jira_categories() -> None:
    issue = {
        "number": 3,
        "title": "Bulk edit",
        "labels": [{"name": "Feedback"}],
        "created_at": "2026-03-02T09:00:00Z",
    }
    record = github_record(issue, "acme/app", ["feedback"])
    assert record is not None and record.external_ref == "github:acme/app#3" and record.text == "Bulk edit"
    assert github_record({**issue, "labels": [{"name": "bug"}]}, "acme/app", ["feedback"]) is None
    assert github_record({**issue, "pull_request": {}}, "acme/app", []) is None
    done = {
        "key": "P-1",
        "fields": {
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "resolution": {"name": "Won't Do"},
            "updated": "2026-03-02T09:00:00.000+0000",
        },
    }
    assert jira_state(done).category == "wont_do"
    assert parse_time("2026-03-02T09:00:00.000+0000", "x") == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(RecordError, match="no 'fields'"):
        jira_state({"key": "P-2"})

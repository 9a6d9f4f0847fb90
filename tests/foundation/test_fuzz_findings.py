"""Fuzz findings stay fixed: a JSON ``null`` body and empty names get a 4xx problem detail, never a 500.

The two cases schemathesis found (issue 18), then the same class of input swept over every JSON-body operation of
the API: the body ``null``, and each required string field of the documented body set to "".
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.factories import make_customer, make_feedback, make_idea, make_world

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.analytics import runtime
from northstar.core.permissions import TokenScope


@pytest.fixture
def headers(session: Session) -> dict[str, str]:
    world = make_world(session)
    customer = make_customer(session, world, "Acme", external_id="A-1")
    make_feedback(session, world, "Please add exports", customer)
    make_idea(session, world, "CSV export")
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="fuzz", scope=TokenScope.WRITE)
    )
    session.commit()
    yield {"Authorization": f"Bearer {secret}"}
    runtime.close_all()


def _problem(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == response.status_code


def test_alert_evaluation_with_a_null_body_is_a_problem_detail(
    client: TestClient, headers: dict[str, str]
) -> None:
    for path in ("/api/v1/analytics/alerts/evaluate", "/api/v1/analytics/alerts/jobs"):
        response = client.post(path, content=b"null", headers={**headers, "content-type": "application/json"})
        assert response.status_code < 500, (path, response.text[:300])


def test_insight_with_an_empty_step_name_and_a_numeric_date_is_a_problem_detail(
    client: TestClient, headers: dict[str, str]
) -> None:
    for spec in (
        {"kind": "funnel", "steps": ["", "signed_up"], "date_from": 0},
        {"kind": "trends", "event": "", "date_from": 0},
        {"kind": "funnel", "steps": ["signed_up", "activated"], "date_from": 0},
        {"kind": "funnel", "steps": ["", "signed_up"], "date_from": 0, "date_to": 0},
        {"kind": "funnel", "steps": ["signed_up"], "exclusions": [""]},
    ):
        response = client.post("/api/v1/analytics/insights/run", json=spec, headers=headers)
        _problem(response)


def test_a_blank_breakdown_or_property_means_none(client: TestClient, headers: dict[str, str]) -> None:
    """A form's empty choice: the funnel answered 500 on breakdown "" (a property named '')."""
    for spec in (
        {"kind": "funnel", "steps": ["signed_up", "activated"], "breakdown": ""},
        {"kind": "trends", "event": "signed_up", "breakdown": " "},
    ):
        response = client.post("/api/v1/analytics/insights/run", json=spec, headers=headers)
        assert response.status_code == 200, response.text[:300]
        assert {row[0] for row in response.json()["rows"]} <= {"all", "signed_up"}
    no_property = {"kind": "trends", "event": "signed_up", "math": "sum", "math_property": ""}
    _problem(client.post("/api/v1/analytics/insights/run", json=no_property, headers=headers))


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _blank_body(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The documented body with every required field at its emptiest: "" for strings (names), 0, [], {}."""
    schema = _resolve(schema, components)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return _blank_body(schema[union][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: _blank_body(properties[name], components) for name in schema.get("required", [])}
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}.get(str(kind))


@pytest.mark.slow
def test_every_json_body_refuses_null_and_blank_names_with_a_problem_detail(
    client: TestClient, headers: dict[str, str]
) -> None:
    document = client.get("/api/v1/openapi.json", headers=headers).json()
    components = document.get("components", {}).get("schemas", {})
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content or path == "/api/v1/tokens/{token_id}":
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            blank = _blank_body(content["application/json"]["schema"], components)
            for body in (b"null", json.dumps(blank).encode()):
                response = client.request(
                    method.upper(), url, content=body, headers={**headers, "content-type": "application/json"}
                )
                assert response.status_code < 500, (method, path, body, response.text[:300])
                if response.status_code >= 400:
                    assert response.headers["content-type"].startswith("application/problem+json"), (
                        method,
                        path,
                    )
            checked += 1
    assert checked > 40

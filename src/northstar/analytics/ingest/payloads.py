"""Parse PostHog and Segment capture payloads into normalised :class:`EventRecord` values (pure functions).

Everything a request carries is validated before anything is written: one bad event rejects the request with the
status the SDKs expect (reference §1.4–1.6), so a batch is stored whole or not at all.
"""

from __future__ import annotations

import json
import re
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from northstar.analytics.ingest.errors import IngestError, bad_request, too_large, unauthorized
from northstar.analytics.ingest.timestamps import WARNING_PROPERTY, parse_timestamp, resolve_timestamp
from northstar.analytics.store.records import EventRecord

MAX_DISTINCT_ID = 200
MAX_EVENT_NAME = 400
POSTHOG_MAX_EVENT_BYTES = 1024 * 1024
SEGMENT_MAX_MESSAGE_BYTES = 32 * 1024
SEGMENT_MAX_BATCH_EVENTS = 2500
SEGMENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")
TOKEN_KEYS = ("token", "$token", "api_key")


@dataclass(frozen=True)
class ParsedBatch:
    """The key a request authenticated with and its events, ready for a durable write."""

    key: str
    records: list[EventRecord]


def _stringify_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float):
        text = json.dumps(value)
    else:
        text = json.dumps(value, separators=(",", ":"))
    return text[:MAX_DISTINCT_ID] if text.strip() else None


_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _valid_uuid(value: Any) -> str:
    if value is None or value == "":
        return str(uuid_module.uuid4())
    if isinstance(value, str) and _UUID_TEXT.fullmatch(value):
        return value  # already the canonical lower-case form the SDKs send
    try:
        return str(uuid_module.UUID(str(value)))
    except ValueError as error:
        raise bad_request("invalid_uuid", f"event uuid {str(value)[:64]!r} is not a UUID") from error


def _event_name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise bad_request("missing_event_name", "every event needs a non-empty 'event' name")
    return value[:MAX_EVENT_NAME]


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request("invalid_payload", f"'{field}' must be an object")
    return value


def posthog_events(payload: Any) -> tuple[list[Any], dict[str, Any]]:
    """The list of raw events and the batch envelope (``{}`` for arrays and single events)."""
    if isinstance(payload, list):
        return payload, {}
    if isinstance(payload, dict):
        if "batch" in payload:
            if not isinstance(payload["batch"], list):
                raise bad_request("invalid_payload", "'batch' must be a list of events")
            return payload["batch"], payload
        if "data" in payload and isinstance(payload["data"], list | dict):
            return posthog_events(payload["data"])
        return [payload], payload
    raise bad_request("invalid_payload", "body must be a JSON object or array")


def _posthog_token(envelope: dict[str, Any], events: list[Any], header_token: str | None) -> str:
    if header_token:
        return header_token
    for key in TOKEN_KEYS:
        if isinstance(envelope.get(key), str) and envelope[key]:
            return str(envelope[key])
    tokens = set()
    for event in events:
        if not isinstance(event, dict):
            continue
        properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
        found = next((event[k] for k in TOKEN_KEYS if isinstance(event.get(k), str) and event[k]), None)
        found = found or (properties or {}).get("token")
        if found:
            tokens.add(str(found))
    if len(tokens) > 1:
        raise unauthorized("inconsistent api_key: all events of a request must share one project key")
    if not tokens:
        raise unauthorized("missing project API key (api_key / token)")
    return tokens.pop()


def parse_posthog(
    payload: Any,
    received_at: datetime,
    header_token: str | None = None,
    query_sent_at: datetime | None = None,
    body_bytes: int | None = None,
) -> ParsedBatch:
    """Parse a PostHog capture body (``/batch/``, ``/e/``, ``/capture/``, ``/i/v0/e/``, ``/track/``).

    ``body_bytes`` (the decoded body size) lets small bodies skip the per-event size check: no event of a body
    under the per-event limit can exceed it."""
    events, envelope = posthog_events(payload)
    if not events:
        raise bad_request("empty_batch", "the request contains no events")
    token = _posthog_token(envelope, events, header_token)
    if token.startswith("phx_"):
        raise unauthorized("personal API keys cannot be used to capture events; use the project key")
    sent_at = parse_timestamp(envelope.get("sent_at")) or query_sent_at
    check_size = body_bytes is None or body_bytes > POSTHOG_MAX_EVENT_BYTES
    times: dict[Any, tuple[datetime, str | None]] = {}
    records = [_posthog_record(event, sent_at, received_at, check_size, times) for event in events]
    return ParsedBatch(key=token, records=records)


def _posthog_record(
    event: Any,
    sent_at: datetime | None,
    received_at: datetime,
    check_size: bool,
    times: dict[Any, tuple[datetime, str | None]] | None = None,
) -> EventRecord:
    if not isinstance(event, dict):
        raise bad_request("invalid_payload", "every event must be a JSON object")
    if check_size and len(json.dumps(event, separators=(",", ":"), default=str)) > POSTHOG_MAX_EVENT_BYTES:
        raise too_large(f"an event exceeds {POSTHOG_MAX_EVENT_BYTES} bytes")
    raw_properties = event.get("properties")
    if type(raw_properties) is dict:  # the common case, without a helper call per event
        properties = raw_properties.copy()
    else:
        properties = dict(_object(raw_properties, "properties"))
    if "distinct_id" in event:
        raw_id = event["distinct_id"]
    elif "$distinct_id" in event:
        raw_id = event["$distinct_id"]
    else:
        raw_id = properties.get("distinct_id")
    distinct_id = (
        raw_id[:MAX_DISTINCT_ID] if type(raw_id) is str and raw_id.strip() else _stringify_id(raw_id)
    )
    if distinct_id is None:
        raise bad_request("missing_distinct_id", "every event needs a non-empty distinct_id")
    options = event.get("options")
    skew = not properties.get("$ignore_sent_at") and not (
        isinstance(options, dict) and options.get("disable_skew_correction")
    )
    raw_time = event.get("timestamp")
    if raw_time is None and isinstance(event.get("offset"), int | float):
        raw_time = (received_at.timestamp() - float(event["offset"]) / 1000.0) * 1000.0
        skew = False
    cache_key = (raw_time, skew) if isinstance(raw_time, str) else None
    if times is not None and cache_key in times:
        timestamp, warning = times[cache_key]
    else:
        timestamp, warning = resolve_timestamp(raw_time, sent_at, received_at, skew_correction=skew)
        if times is not None and cache_key is not None:
            times[cache_key] = (timestamp, warning)
    if warning:
        properties[WARNING_PROPERTY] = warning
    # $set / $set_once may come inside properties (v1, posthog-js) and at the top level (v0); the top level wins
    set_values = dict(_object(properties.pop("$set"), "$set")) if "$set" in properties else {}
    if "$set" in event:
        set_values.update(_object(event["$set"], "$set"))
    set_once = dict(_object(properties.pop("$set_once"), "$set_once")) if "$set_once" in properties else {}
    if "$set_once" in event:
        set_once.update(_object(event["$set_once"], "$set_once"))
    properties.pop("token", None)
    raw_uuid = event.get("uuid")
    name = event.get("event")
    return EventRecord(
        event=name[:MAX_EVENT_NAME] if type(name) is str and name else _event_name(name),
        distinct_id=distinct_id,
        timestamp=timestamp,
        uuid=raw_uuid if type(raw_uuid) is str and _UUID_TEXT.fullmatch(raw_uuid) else _valid_uuid(raw_uuid),
        properties=properties,
        set_properties=set_values,
        set_once_properties=set_once,
    )


def segment_messages(payload: Any, path_type: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The messages of a Segment body (``/v1/batch`` or a single-call endpoint) and the envelope."""
    if not isinstance(payload, dict):
        raise bad_request("invalid_payload", "body must be a JSON object")
    if path_type is None:
        batch = payload.get("batch")
        if not isinstance(batch, list):
            raise bad_request("invalid_payload", "'batch' must be a list of messages")
        if len(batch) > SEGMENT_MAX_BATCH_EVENTS:
            raise bad_request("batch_too_large", f"a batch holds at most {SEGMENT_MAX_BATCH_EVENTS} messages")
        messages = []
        for message in batch:
            if not isinstance(message, dict):
                raise bad_request("invalid_payload", "every message must be a JSON object")
            merged = {**payload.get("context", {})} if isinstance(payload.get("context"), dict) else {}
            if merged:
                message = {**message, "context": {**merged, **(message.get("context") or {})}}
            messages.append(message)
        return messages, payload
    return [{**payload, "type": path_type}], payload


def segment_write_key(envelope: dict[str, Any], basic_user: str | None, bearer: str | None) -> str:
    """The write key: Basic auth user, then the body ``writeKey`` (a Bearer token needs the body key too)."""
    if basic_user:
        return basic_user
    body_key = envelope.get("writeKey")
    if isinstance(body_key, str) and body_key:
        return body_key
    raise unauthorized("missing write key (HTTP Basic user or body writeKey)")


def parse_segment(
    payload: Any,
    received_at: datetime,
    path_type: str | None = None,
    basic_user: str | None = None,
    bearer: str | None = None,
    body_bytes: int | None = None,
) -> ParsedBatch:
    """Parse a Segment HTTP API body into records (``track``/``page``/``screen``/``identify``/``group``/``alias``)."""
    messages, envelope = segment_messages(payload, path_type)
    key = segment_write_key(envelope, basic_user, bearer)
    sent_at = parse_timestamp(envelope.get("sentAt"))
    check_size = body_bytes is None or body_bytes > SEGMENT_MAX_MESSAGE_BYTES
    records = [_segment_record(message, sent_at, received_at, check_size) for message in messages]
    return ParsedBatch(key=key, records=records)


def _segment_record(
    message: dict[str, Any], sent_at: datetime | None, received_at: datetime, check_size: bool = True
) -> EventRecord:
    if (
        check_size
        and len(json.dumps(message, separators=(",", ":"), default=str)) > SEGMENT_MAX_MESSAGE_BYTES
    ):
        raise bad_request("message_too_large", f"a message exceeds {SEGMENT_MAX_MESSAGE_BYTES} bytes")
    kind = message.get("type")
    if kind not in SEGMENT_TYPES:
        raise bad_request("invalid_type", f"unknown message type {str(kind)[:32]!r}")
    user_id, anonymous_id = _stringify_id(message.get("userId")), _stringify_id(message.get("anonymousId"))
    distinct_id = user_id or anonymous_id
    if distinct_id is None:
        raise bad_request("no_user_anon_id", "every message needs a userId or an anonymousId")
    local_sent_at = parse_timestamp(message.get("sentAt")) or sent_at
    raw_time = message.get("timestamp", message.get("originalTimestamp"))
    timestamp, warning = resolve_timestamp(raw_time, local_sent_at, received_at)
    properties = dict(_object(message.get("properties"), "properties"))
    traits = dict(_object(message.get("traits"), "traits"))
    context = _object(message.get("context"), "context")
    library = context.get("library") if isinstance(context.get("library"), dict) else None
    if library:
        properties.setdefault("$lib", library.get("name"))
        properties.setdefault("$lib_version", library.get("version"))
    if warning:
        properties[WARNING_PROPERTY] = warning
    set_values: dict[str, Any] = {}
    if kind == "track":
        event = _event_name(message.get("event"))
    elif kind == "page":
        event = "$pageview"
        for source, target in (("name", "$page_name"), ("category", "$page_category")):
            if message.get(source) is not None:
                properties[target] = message[source]
        if "url" in properties:
            properties.setdefault("$current_url", properties["url"])
    elif kind == "screen":
        event = "$screen"
        if message.get("name") is not None:
            properties["$screen_name"] = message["name"]
    elif kind == "identify":
        event = "$identify"
        set_values = traits
        if user_id and anonymous_id and user_id != anonymous_id:
            properties["$anon_distinct_id"] = anonymous_id
    elif kind == "alias":
        event = "$create_alias"
        previous = _stringify_id(message.get("previousId"))
        if previous is None or user_id is None:
            raise bad_request("invalid_alias", "alias needs previousId and userId")
        properties["alias"] = previous
    else:
        event = "$groupidentify"
        group_id = _stringify_id(message.get("groupId"))
        if group_id is None:
            raise bad_request("invalid_group", "group needs a groupId")
        properties.update(
            {
                "$group_type": str(traits.pop("group_type", "company")),
                "$group_key": group_id,
                "$group_set": traits,
            }
        )
    message_id = message.get("messageId")
    dedupe_id = str(message_id)[:200] if message_id not in (None, "") else str(uuid_module.uuid4())
    return EventRecord(
        event=event,
        distinct_id=distinct_id,
        timestamp=timestamp,
        uuid=dedupe_id,
        properties=properties,
        set_properties=set_values,
    )


def ensure_key(key: str, known: bool) -> None:
    """Raise 401 unless the key belongs to a workspace."""
    if not known:
        raise IngestError(401, "invalid_api_key", "unknown project key / write key")

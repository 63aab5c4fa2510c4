"""Workato Event Streams: the public API (consume, publish, batch publish), its legacy paths, the Developer API
topic endpoints, and the emulator's OpenAPI document. Topics and messages live in the ``Store`` (SQLite).

The Developer API keeps Workato's limits: names unique, at most 20 topics (made through the API: the topics the
emulator starts with do not count), retention from 60 seconds to 90 days, schemas checked as field lists. A topic's
schema applies to what is published after it is set; the messages already in the topic stay as they were."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import parse_fieldlist
from inspector.core.schema import fieldlist_to_jsonschema
from inspector.core.services.workato import (
    MAX_RETENTION_SECS,
    MAX_TOPIC_NAME_CHARS,
    MAX_TOPICS,
    MIN_RETENTION_SECS,
)
from inspector.core.timeparse import parse_time
from inspector.core.validation import MAX_BATCH_ITEMS, MAX_CONSUME_BATCH, MAX_WAIT_SECS
from inspector.emulator.context import Context, LongPolls
from inspector.emulator.openapi import openapi_document
from inspector.emulator.problems import NO_BODY, ApiProblem, read_json, workato_error
from inspector.emulator.routing import Endpoint, ServiceMount
from inspector.emulator.store import DEFAULT_RETENTION_SECS, Store, TopicRow

INDEX = {
    "name": "Workato Event Streams",
    "base_paths": ["/api/v1/topics", "/api/v1/batch/topics", "/api/pubsub/topics", "/api/event_streams/topics"],
}


@dataclass
class Topics:
    """What the handlers work on: the store, the long polls waiting on it, and when it was last pruned."""

    store: Store
    polls: LongPolls
    max_wait_secs: float
    last_prune: float = 0.0

    def prune(self) -> None:
        """Drop expired messages, at most every 5 seconds."""
        now = time.monotonic()
        if now - self.last_prune > 5:
            self.last_prune = now
            self.store.prune()


# ----- helpers ----------------------------------------------------------------------------------------------
def _topic(request: Request, topics: Topics) -> TopicRow:
    raw = request.path_params["topic_id"]
    topic = topics.store.get_topic(int(raw)) if raw.isdigit() and raw.isascii() and len(raw) < 19 else None
    if topic is None:
        raise ApiProblem(404, f"Topic {raw} not found", "not_found")
    return topic


async def _body(request: Request, *, required: bool) -> Any:
    body = await read_json(request, too_large=400)
    if body is NO_BODY:
        if required:
            raise ApiProblem(400, "Request body is required", "invalid_request")
        return {}
    return body


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _as_int(value: Any) -> int | None:
    """A JSON integer; 5.0 counts, as in JSON Schema. Booleans do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _int_field(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = _as_int(body.get(name, default))
    if value is None or not low <= value <= high:
        raise ApiProblem(400, f"{name} must be an integer from {low} to {high}", "invalid_request")
    return value


def _check_payload(topic: TopicRow, topics: Topics, payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "Payload must be a JSON object"
    problems = topics.store.schema_problems(topic, payload)
    if problems:
        return "Payload does not match the topic schema: " + "; ".join(problems[:5])
    return None


# ----- public API -------------------------------------------------------------------------------------------
async def openapi(request: Request, topics: Topics) -> Response:
    return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))


async def consume(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    body = await _body(request, required=False)
    if not isinstance(body, dict):
        raise ApiProblem(400, "Request body must be a JSON object", "invalid_request")
    batch_size = _int_field(body, "batch_size", MAX_CONSUME_BATCH, 1, MAX_CONSUME_BATCH)
    wait = _int_field(body, "timeout_secs", 0, 0, MAX_WAIT_SECS)
    after, since = body.get("after_message_id"), body.get("since_time")
    for name in ("after_message_id", "since_time"):
        if name in body and body[name] is None:  # the document says string: null is not "absent"
            raise ApiProblem(400, f"{name} must be a string", "invalid_request")
    if after is not None and since is not None:
        raise ApiProblem(400, "after_message_id and since_time cannot be used together", "invalid_request")
    after_seq = since_us = None
    if after is not None:
        if not isinstance(after, str):
            raise ApiProblem(400, "after_message_id must be a string", "invalid_request")
        after_seq = topics.store.seq_of(topic.id, after)
        if after_seq is None:
            raise ApiProblem(400, f"Message {after} not found in topic {topic.id}", "message_not_found")
    if since is not None:
        try:
            moment = parse_time(since, where="since_time") if isinstance(since, str) else None
        except ValidationError:
            moment = None
        if moment is None:
            raise ApiProblem(400, "since_time must be an RFC 3339 timestamp", "invalid_request")
        since_us = min(int(moment.timestamp() * 1_000_000), topics.store.now_us())
    topics.prune()
    deadline = time.monotonic() + min(wait, topics.max_wait_secs)
    while True:
        rows = topics.store.read(topic, after_seq=after_seq, since_us=since_us, limit=batch_size)
        left = deadline - time.monotonic()
        if rows or left <= 0 or topics.polls.closing:
            break
        await topics.polls.wait(topic.id, left)
    text = '{"messages":[' + ",".join(row.to_json_text() for row in rows) + "]}"
    return Response(text, media_type="application/json")


async def publish(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    payload = await _body(request, required=True)
    problem = _check_payload(topic, topics, payload)
    if problem:
        raise ApiProblem(400, problem, "invalid_payload")
    [(message_id, _)] = topics.store.publish(topic.id, [_compact(payload)])
    topics.polls.notify(topic.id)
    return JSONResponse({"message_id": message_id})


async def publish_batch(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    body = await _body(request, required=True)
    payloads = body.get("payloads") if isinstance(body, dict) else None
    if not isinstance(payloads, list):
        raise ApiProblem(400, "Request body must be an object with a 'payloads' array", "invalid_request")
    if not 1 <= len(payloads) <= MAX_BATCH_ITEMS:
        raise ApiProblem(
            400, f"payloads must have 1 to {MAX_BATCH_ITEMS} items, got {len(payloads)}", "invalid_request"
        )
    results: dict[str, dict[str, str]] = {}
    good: list[tuple[int, str]] = []
    for index, payload in enumerate(payloads):
        problem = _check_payload(topic, topics, payload)
        if problem:
            results[str(index)] = {"result": "error", "error": problem}
        else:
            good.append((index, _compact(payload)))
    published = topics.store.publish(topic.id, [text for _, text in good]) if good else []
    for (index, _), (message_id, _) in zip(good, published, strict=True):
        results[str(index)] = {"message_id": message_id, "result": "success"}
    if good:
        topics.polls.notify(topic.id)
    ordered = {str(i): results[str(i)] for i in range(len(payloads))}
    return JSONResponse({"is_partial_error": len(good) < len(payloads), "message_ids": ordered})


# ----- Developer API topics ---------------------------------------------------------------------------------
def _topic_fields(body: Any, topics: Topics, *, creating: bool, topic_id: int | None = None) -> dict[str, Any]:
    """The fields of a create or update, checked as Workato checks them (the same limits, one error at a time)."""
    if not isinstance(body, dict):
        raise ApiProblem(400, "Request body must be a JSON object", "invalid_request")
    fields: dict[str, Any] = {}
    if "name" in body or creating:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_TOPIC_NAME_CHARS:
            raise ApiProblem(
                400, f"name is required: a string of 1 to {MAX_TOPIC_NAME_CHARS} characters", "invalid_request"
            )
        taken = topics.store.topic_named(name.strip())
        if taken is not None and taken.id != topic_id:
            raise ApiProblem(400, f"Name has already been taken (by topic {taken.id})", "name_taken")
        fields["name"] = name.strip()
    if "schema" in body or creating:
        schema = body.get("schema")
        try:
            parse_fieldlist(schema, where="schema")
            fieldlist_to_jsonschema(schema)
        except ValidationError as exc:
            raise ApiProblem(400, f"schema is not a valid Workato schema: {exc.reason}", "invalid_schema") from None
        fields["schema"] = schema
    if "retention" in body:
        fields["retention"] = _int_field(body, "retention", 0, MIN_RETENTION_SECS, MAX_RETENTION_SECS)
    if "description" in body:
        if not isinstance(body["description"], str):
            raise ApiProblem(400, "description must be a string", "invalid_request")
        fields["description"] = body["description"]
    return fields


async def list_topics(request: Request, topics: Topics) -> Response:
    sort = request.query_params.get("sort", "id")
    if sort not in ("id", "name", "activity"):
        raise ApiProblem(400, "sort must be one of activity, name, id", "invalid_request")
    flag = request.query_params.get("include_schema", "false").lower()
    if flag not in ("true", "false", "1", "0"):
        raise ApiProblem(400, "include_schema must be true or false", "invalid_request")
    found = topics.store.list_topics(name=request.query_params.get("name") or None, sort=sort)
    rows = [t.to_json(include_schema=flag in ("true", "1")) for t in found]
    return JSONResponse({"data": rows, "count": len(rows)})


async def create_topic(request: Request, topics: Topics) -> Response:
    fields = _topic_fields(await _body(request, required=True), topics, creating=True)
    if topics.store.counted_topics() >= MAX_TOPICS:
        raise ApiProblem(
            400,
            f"Topic limit reached: a workspace has at most {MAX_TOPICS} topics; delete one to create another",
            "topic_limit_reached",
        )
    topic = topics.store.create_topic(
        fields["name"],
        schema=fields["schema"],
        retention=fields.get("retention", DEFAULT_RETENTION_SECS),
        description=fields.get("description", ""),
        counted=True,
    )
    return JSONResponse({"data": topic.to_json(include_schema=True)})


async def get_topic(request: Request, topics: Topics) -> Response:
    return JSONResponse({"data": _topic(request, topics).to_json(include_schema=True)})


async def update_topic(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    fields = _topic_fields(await _body(request, required=True), topics, creating=False, topic_id=topic.id)
    updated = topics.store.update_topic(topic.id, **fields) if fields else topic
    if updated is None:
        raise ApiProblem(404, f"Topic {topic.id} not found", "not_found")
    return JSONResponse({"data": updated.to_json(include_schema=True)})


async def delete_topic(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    topics.store.delete_topic(topic.id)
    return JSONResponse({"data": {"success": True}})


async def purge_topic(request: Request, topics: Topics) -> Response:
    topic = _topic(request, topics)
    topics.store.purge_topic(topic.id)
    return JSONResponse({"data": {"success": True}})


# ----- routes -----------------------------------------------------------------------------------------------
PUBLIC = [Endpoint("GET", "/openapi.json", openapi)]
EVENTS = [  # the public API and its legacy paths: one token, one rate window
    Endpoint("POST", "/api/v1/topics/{topic_id}/consume", consume),
    Endpoint("POST", "/api/v1/topics/{topic_id}/publish", publish),
    Endpoint("POST", "/api/v1/batch/topics/{topic_id}/publish", publish_batch),
    Endpoint("POST", "/api/pubsub/topics/{topic_id}/consume", consume),
    Endpoint("POST", "/api/pubsub/topics/{topic_id}/publish", publish),
]
DEVELOPER = [  # the Developer API: a rate window and limit of its own
    Endpoint("GET", "/api/event_streams/topics", list_topics, frozenset({"name", "sort", "include_schema"})),
    Endpoint("POST", "/api/event_streams/topics", create_topic),
    Endpoint("GET", "/api/event_streams/topics/{topic_id}", get_topic),
    Endpoint("PUT", "/api/event_streams/topics/{topic_id}", update_topic),
    Endpoint("DELETE", "/api/event_streams/topics/{topic_id}", delete_topic),
    Endpoint("PUT", "/api/event_streams/topics/{topic_id}/purge", purge_topic),
]


def mounts(context: Context) -> list[ServiceMount[Topics]]:
    topics = Topics(context.store, context.polls, context.settings.max_wait_secs)
    developer = context.access("developer", rpm=context.settings.developer_rate_limit_rpm)
    return [
        ServiceMount(topics, PUBLIC, gate=context.gate, access=None, shape=workato_error),
        ServiceMount(topics, EVENTS, gate=context.gate, access=context.access("events"), shape=workato_error),
        ServiceMount(topics, DEVELOPER, gate=context.gate, access=developer, shape=workato_error),
    ]

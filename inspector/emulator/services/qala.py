"""The Qala Publishing API: publish events to a topic by name or routed by type, and subscriber-group session
tokens; and emulator-only routes to declare a topic and read back what was published. State lives in memory;
errors are RFC 7807 problem details."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from inspector.core.services.qala import GUID, MAX_EVENTS, TYPE_PATTERN
from inspector.emulator.context import Context
from inspector.emulator.problems import NO_BODY, ApiProblem, read_body, read_json, reason_phrase
from inspector.emulator.routing import Endpoint, ServiceMount

SEEDED_ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SEEDED_TOPICS = ("transactions", "customers")
INDEX = {"name": "Qala Publishing API", "base_paths": ["/v1"]}


@dataclass
class Qala:
    # environment id (lower case) -> its topic names, in creation order
    topics: dict[str, list[str]] = field(default_factory=lambda: {SEEDED_ENVIRONMENT: list(SEEDED_TOPICS)})
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    trace_prefix: str = field(default_factory=lambda: "0HN" + secrets.token_hex(5).upper())
    traces: int = 0

    def trace_id(self) -> str:
        self.traces += 1
        return f"{self.trace_prefix}:{self.traces:08X}"


def problem_details(request: Request, problem: ApiProblem, qala: Qala) -> Response:
    """Qala's error shape: RFC 7807 problem details, one entry per field at fault."""
    detail = "A valid bearer token is required." if problem.code == "unauthorized" else problem.message
    errors = [{**item, "severity": None} for item in problem.details or []]
    body = {
        "title": reason_phrase(problem.status),
        "status": problem.status,
        "instance": request.url.path,
        "traceId": qala.trace_id(),
        "detail": detail,
        "errors": errors,
    }
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type="application/problem+json"
    )


# ----- checks -----------------------------------------------------------------------------------------------
def _invalid(errors: list[dict[str, Any]]) -> ApiProblem:
    return ApiProblem(400, "One or more validation errors occurred.", "validation_failed", details=errors)


def _error_item(name: str, reason: str, code: str) -> dict[str, Any]:
    return {"name": name, "reason": reason, "code": code}


def _guid(value: str, name: str) -> str:
    if not GUID.fullmatch(value):
        raise _invalid([_error_item(name, f"'{value}' is not a valid GUID.", "INVALID_FORMAT")])
    return value.lower()


def _environment(request: Request) -> str:
    value = request.headers.get("x-environment-id")
    if value is None:
        raise _invalid(
            [_error_item("x-environment-id", "The x-environment-id header is required.", "INVALID_MANDATORY_PROPERTY")]
        )
    return _guid(value, "x-environment-id")


def _event_errors(index: int, event: Any) -> list[dict[str, Any]]:
    where = f"events[{index}]"
    if not isinstance(event, dict):
        return [_error_item(where, "The event must be an object.", "INVALID_TYPE")]
    errors = []
    kind = event.get("type")
    if kind is None or kind == "":
        errors.append(_error_item(f"{where}.type", "The type field is required.", "INVALID_MANDATORY_PROPERTY"))
    elif not isinstance(kind, str) or not TYPE_PATTERN.fullmatch(kind):
        errors.append(
            _error_item(f"{where}.type", f"The type field must match {TYPE_PATTERN.pattern}.", "INVALID_FORMAT")
        )
    if event.get("id") is not None and not isinstance(event["id"], str):
        errors.append(_error_item(f"{where}.id", "The id field must be a string or null.", "INVALID_TYPE"))
    audiences = event.get("audiences")
    if audiences is not None and (not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences)):
        errors.append(
            _error_item(
                f"{where}.audiences", "The audiences field must be an array of strings or null.", "INVALID_TYPE"
            )
        )
    data = event.get("data")
    # The seed says string, its example sends an object: both are accepted.
    if isinstance(data, bool | int | float):
        errors.append(
            _error_item(f"{where}.data", "The data field must be a string, an object or an array.", "INVALID_TYPE")
        )
    elif data is None or data in ("", {}, []):
        errors.append(_error_item(f"{where}.data", "The data field is required.", "INVALID_MANDATORY_PROPERTY"))
    return errors


async def _events(request: Request) -> list[dict[str, Any]]:
    try:
        body = await read_json(request, too_large=413)
    except ApiProblem as problem:
        if problem.status != 400:
            raise
        raise _invalid([_error_item("events", problem.message, "INVALID_FORMAT")]) from None
    if body is NO_BODY or body is None or body == []:
        raise _invalid([_error_item("events", "The Events field is required.", "INVALID_MANDATORY_PROPERTY")])
    if not isinstance(body, list):
        raise _invalid([_error_item("events", "The Events field must be an array.", "INVALID_TYPE")])
    if len(body) > MAX_EVENTS:  # (not in the seed: our choice)
        raise _invalid(
            [_error_item("events", f"At most {MAX_EVENTS} Events can be published at once.", "INVALID_LENGTH")]
        )
    errors = [error for index, event in enumerate(body) for error in _event_errors(index, event)]
    if errors:
        raise _invalid(errors)
    return body


def _store(qala: Qala, environment: str, topics: list[str | None], events: list[dict[str, Any]]) -> Response:
    stored = qala.events.setdefault(environment, [])
    accepted = []
    for index, event in enumerate(events):
        event_id = event.get("id") if event.get("id") is not None else str(uuid.uuid4())
        for topic in topics:
            stored.append(
                {
                    "topic": topic,
                    "type": event["type"],
                    "id": event_id,
                    "audiences": event.get("audiences"),
                    "data": event["data"],
                }
            )
        accepted.append({"index": index, "id": event_id, "type": event["type"]})
    # The success body is not in the seed: our choice.
    return JSONResponse({"accepted": len(events), "events": accepted}, status_code=202)


# ----- handlers ---------------------------------------------------------------------------------------------
async def publish_topic(request: Request, qala: Qala) -> Response:
    environment = _environment(request)
    events = await _events(request)
    name = request.path_params["topicName"]
    if name not in qala.topics.get(environment, []):
        raise ApiProblem(
            404, f"Topic '{name}' was not found in environment {request.headers['x-environment-id']}.", "not_found"
        )
    return _store(qala, environment, [name], events)


async def publish(request: Request, qala: Qala) -> Response:
    environment = _environment(request)
    events = await _events(request)
    topics: list[str | None] = list(qala.topics.get(environment, [])) or [None]
    return _store(qala, environment, topics, events)


async def session_token(request: Request, qala: Qala) -> Response:
    # The path is not in the seed: our choice.
    _environment(request)
    _guid(request.path_params["subscriberGroupId"], "subscriberGroupId")
    await read_body(request, too_large=413)  # no body is needed; only the size limit applies
    return JSONResponse({"sessionToken": secrets.token_urlsafe(64)})


async def create_topic(request: Request, qala: Qala) -> Response:
    # An emulator-only route (not in the seed: our choice).
    environment = _guid(request.path_params["envId"], "envId")
    topics = qala.topics.setdefault(environment, [])
    name = request.path_params["topicName"]
    if name not in topics:
        topics.append(name)
    return Response(status_code=204)


async def read_events(request: Request, qala: Qala) -> Response:
    environment = _guid(request.path_params["envId"], "envId")
    return JSONResponse({"events": qala.events.get(environment, [])})


ENDPOINTS = [
    Endpoint("POST", "/v1/topics/{topicName}/events/publish", publish_topic),
    Endpoint("POST", "/v1/events/publish", publish),
    Endpoint("POST", "/v1/subscriber-groups/{subscriberGroupId}/session-tokens", session_token),
    Endpoint("PUT", "/_emulator/qala/environments/{envId}/topics/{topicName}", create_topic),
    Endpoint("GET", "/_emulator/qala/environments/{envId}/events", read_events),
]


def mounts(context: Context) -> list[ServiceMount[Qala]]:
    return [ServiceMount(Qala(), ENDPOINTS, gate=context.gate, access=context.access("qala"), shape=problem_details)]

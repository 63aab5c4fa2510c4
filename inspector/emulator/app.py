"""The emulator's HTTP API (Starlette): the Event Streams public API, the legacy paths, the Developer API topics;
and the further services of ``inspector.emulator.services`` (Qala, Boomi subscriptions, Messaging)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from inspector.core.errors import ValidationError
from inspector.core.regions import is_loopback_host
from inspector.core.schema import fieldlist_to_jsonschema
from inspector.core.timeparse import parse_time
from inspector.emulator import services as svc
from inspector.emulator.openapi import openapi_document
from inspector.emulator.problems import NO_BODY, ApiProblem, bearer, read_json
from inspector.emulator.store import DEFAULT_RETENTION_SECS, Store, TopicRow

MAX_BATCH = 100
MAX_CONSUME = 50
MAX_WAIT = 60
DEFAULT_TOKEN = "emulator-token"  # noqa: S105 - the documented local default, not a real secret
DEFAULT_CONTAINER_TOKEN = "container-token"  # noqa: S105 - what a Messaging workflow container sends by default


@dataclass
class EmulatorSettings:
    token: str = DEFAULT_TOKEN
    rate_limit_rpm: int = 60  # 0 = off
    developer_rate_limit_rpm: int = 60
    max_wait_secs: float = MAX_WAIT  # the longest a long poll really waits (fuzzing keeps it short)
    container_token: str = DEFAULT_CONTAINER_TOKEN
    loopback_only: bool = True  # answer only requests addressed to a loopback name (see ``LoopbackHostOnly``)


@dataclass
class _State:
    store: Store
    settings: EmulatorSettings
    waiters: dict[int, asyncio.Event] = field(default_factory=dict)
    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    closing: bool = False
    requests: int = 0
    last_prune: float = 0.0
    services: svc.Services = field(default_factory=svc.Services)


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "code": code}, status_code=status, headers=headers)


Handler = Callable[[Request, _State], Awaitable[Response]]


def create_app(store: Store, settings: EmulatorSettings | None = None) -> Starlette:
    """The ASGI app over ``store``. ``app.state.emulator.close()`` wakes every long poll (for shutdown)."""
    state = _State(store, settings or EmulatorSettings())

    def endpoint(methods: Mapping[str, tuple[Handler, str]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            state.requests += 1
            handler, family = methods["GET" if request.method == "HEAD" else request.method]
            try:
                if family != "public":
                    _authorize(request, state, family, container=handler in svc.CONTAINER_ONLY)
                allowed = QUERY_PARAMS.get(handler) or svc.QUERY_PARAMS.get(handler, set())
                unknown = set(request.query_params) - allowed
                if unknown:
                    known = ", ".join(sorted(allowed)) or "none"
                    raise ApiProblem(
                        400, f"unknown query parameter {sorted(unknown)[0]!r} (known: {known})", "invalid_request"
                    )
                return await handler(request, state)
            except ApiProblem as problem:
                shape = svc.ERROR_SHAPES.get(family)
                if shape is not None:
                    return shape(request, problem, state.services)
                return _error(problem.status, problem.message, problem.code, problem.headers)
            except ClientDisconnect:
                return Response(status_code=499)  # nobody is listening; nothing to say

        return run

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return _error(
                405,
                f"{request.method} is not allowed on {request.url.path}",
                "method_not_allowed",
                {"Allow": (exc.headers or {}).get("Allow", "")},
            )
        return _error(
            exc.status_code,
            "no such endpoint" if exc.status_code == 404 else str(exc.detail),
            "not_found" if exc.status_code == 404 else "error",
        )

    table: dict[str, Mapping[str, tuple[Handler, str]]] = {
        "/": {"GET": (_index, "public")},
        "/openapi.json": {"GET": (_openapi, "public")},
        "/api/v1/topics/{topic_id}/consume": {"POST": (_consume, "events")},
        "/api/v1/topics/{topic_id}/publish": {"POST": (_publish, "events")},
        "/api/v1/batch/topics/{topic_id}/publish": {"POST": (_publish_batch, "events")},
        "/api/pubsub/topics/{topic_id}/consume": {"POST": (_consume, "legacy")},
        "/api/pubsub/topics/{topic_id}/publish": {"POST": (_publish, "legacy")},
        "/api/event_streams/topics": {"GET": (_list_topics, "developer"), "POST": (_create_topic, "developer")},
        "/api/event_streams/topics/{topic_id}": {
            "GET": (_get_topic, "developer"),
            "PUT": (_update_topic, "developer"),
            "DELETE": (_delete_topic, "developer"),
        },
        "/api/event_streams/topics/{topic_id}/purge": {"PUT": (_purge_topic, "developer")},
        **svc.ROUTES,
    }
    routes = [Route(path, endpoint(methods), methods=list(methods)) for path, methods in table.items()]
    middleware = [Middleware(LoopbackHostOnly)] if state.settings.loopback_only else []
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found}, middleware=middleware)
    app.state.emulator = EmulatorHandle(state)
    return app


def is_loopback_host_header(value: str | None) -> bool:
    """A ``Host`` header naming this machine: ``localhost``, ``127.x.x.x`` or ``[::1]``, with any port."""
    if not value:
        return False
    if value.startswith("["):  # an IPv6 address
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return False
        port = rest[1:]
    else:
        name, _, port = value.partition(":")
    return (not port or (port.isascii() and port.isdigit())) and is_loopback_host(name)


class LoopbackHostOnly:
    """Answers only requests whose ``Host`` is a loopback name. The emulator listens on 127.0.0.1 with a public
    token, and a web page can rebind its own name to 127.0.0.1 (DNS rebinding): the browser then sends that
    name as ``Host``, and is refused here. Every service (every path) goes through it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = Headers(scope=scope).get("host")
            if not is_loopback_host_header(host):
                said = "no Host header" if host is None else f"the Host {host[:200]!r}"
                refusal = _error(
                    421,
                    "this emulator answers only requests addressed to localhost, 127.0.0.1 or [::1] (so that no "
                    f"web page can reach it by DNS rebinding), and this request has {said}; use "
                    "http://127.0.0.1:PORT, or start the emulator with --host ADDRESS --token SECRET to serve "
                    "other machines",
                    "misdirected_request",
                )
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class EmulatorHandle:
    """What the server runner (and tests) may do to a running app."""

    def __init__(self, state: _State) -> None:
        self._state = state

    @property
    def store(self) -> Store:
        return self._state.store

    @property
    def settings(self) -> EmulatorSettings:
        return self._state.settings

    @property
    def requests(self) -> int:
        return self._state.requests

    def close(self) -> None:
        """Wake every waiting long poll so the server can stop at once."""
        self._state.closing = True
        for event in self._state.waiters.values():
            event.set()
        self._state.waiters.clear()

    def notify(self, topic_id: int) -> None:
        _notify(self._state, topic_id)


# ----- helpers ----------------------------------------------------------------------------------------------
def _authorize(request: Request, state: _State, family: str, *, container: bool = False) -> None:
    """The token check, then the rate limit. ``container``: the route also takes the container token."""
    token = bearer(request)
    accepted = {state.settings.token, state.settings.container_token} if container else {state.settings.token}
    if not token or token not in accepted:
        raise ApiProblem(401, "Unauthorized: missing or invalid API token", "unauthorized")
    rpm = state.settings.developer_rate_limit_rpm if family == "developer" else state.settings.rate_limit_rpm
    if rpm <= 0:
        return
    # Each further service has a window of its own; the Event Streams paths share one.
    bucket = family if family in svc.FAMILIES else "developer" if family == "developer" else "events"
    window = state.windows.setdefault((token, bucket), deque())
    now = time.monotonic()
    while window and window[0] <= now - 60:
        window.popleft()
    if len(window) >= rpm:
        retry = max(1, math.ceil(window[0] + 60 - now))
        raise ApiProblem(
            429, f"Rate limit of {rpm} requests per minute exceeded", "rate_limit_exceeded", {"Retry-After": str(retry)}
        )
    window.append(now)


def _topic(request: Request, state: _State) -> TopicRow:
    raw = request.path_params["topic_id"]
    topic = state.store.get_topic(int(raw)) if raw.isdigit() and raw.isascii() and len(raw) < 19 else None
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


def _prune(state: _State) -> None:
    now = time.monotonic()
    if now - state.last_prune > 5:
        state.last_prune = now
        state.store.prune()


# ----- public API -------------------------------------------------------------------------------------------
async def _index(request: Request, state: _State) -> Response:
    return JSONResponse(
        {
            "service": "Topic Inspector emulator of the Workato Event Streams API",
            "openapi": "/openapi.json",
            "services": svc.INDEX,
        }
    )


async def _openapi(request: Request, state: _State) -> Response:
    return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))


async def _consume(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    body = await _body(request, required=False)
    if not isinstance(body, dict):
        raise ApiProblem(400, "Request body must be a JSON object", "invalid_request")
    batch_size = _int_field(body, "batch_size", MAX_CONSUME, 1, MAX_CONSUME)
    wait = _int_field(body, "timeout_secs", 0, 0, MAX_WAIT)
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
        after_seq = state.store.seq_of(topic.id, after)
        if after_seq is None:
            raise ApiProblem(400, f"Message {after} not found in topic {topic.id}", "message_not_found")
    if since is not None:
        try:
            moment = parse_time(since, where="since_time") if isinstance(since, str) else None
        except ValidationError:
            moment = None
        if moment is None:
            raise ApiProblem(400, "since_time must be an RFC 3339 timestamp", "invalid_request")
        since_us = min(int(moment.timestamp() * 1_000_000), state.store.now_us())
    _prune(state)
    deadline = time.monotonic() + min(wait, state.settings.max_wait_secs)
    while True:
        rows = state.store.read(topic, after_seq=after_seq, since_us=since_us, limit=batch_size)
        left = deadline - time.monotonic()
        if rows or left <= 0 or state.closing:
            break
        event = state.waiters.setdefault(topic.id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), left)
    text = '{"messages":[' + ",".join(row.to_json_text() for row in rows) + "]}"
    return Response(text, media_type="application/json")


def _check_payload(topic: TopicRow, state: _State, payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "Payload must be a JSON object"
    problems = state.store.schema_problems(topic, payload)
    if problems:
        return "Payload does not match the topic schema: " + "; ".join(problems[:5])
    return None


def _notify(state: _State, topic_id: int) -> None:
    event = state.waiters.pop(topic_id, None)
    if event is not None:
        event.set()


async def _publish(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    payload = await _body(request, required=True)
    problem = _check_payload(topic, state, payload)
    if problem:
        raise ApiProblem(400, problem, "invalid_payload")
    [(message_id, _)] = state.store.publish(topic.id, [_compact(payload)])
    _notify(state, topic.id)
    return JSONResponse({"message_id": message_id})


async def _publish_batch(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    body = await _body(request, required=True)
    payloads = body.get("payloads") if isinstance(body, dict) else None
    if not isinstance(payloads, list):
        raise ApiProblem(400, "Request body must be an object with a 'payloads' array", "invalid_request")
    if not 1 <= len(payloads) <= MAX_BATCH:
        raise ApiProblem(400, f"payloads must have 1 to {MAX_BATCH} items, got {len(payloads)}", "invalid_request")
    results: dict[str, dict[str, str]] = {}
    good: list[tuple[int, str]] = []
    for index, payload in enumerate(payloads):
        problem = _check_payload(topic, state, payload)
        if problem:
            results[str(index)] = {"result": "error", "error": problem}
        else:
            good.append((index, _compact(payload)))
    published = state.store.publish(topic.id, [text for _, text in good]) if good else []
    for (index, _), (message_id, _) in zip(good, published, strict=True):
        results[str(index)] = {"message_id": message_id, "result": "success"}
    if good:
        _notify(state, topic.id)
    ordered = {str(i): results[str(i)] for i in range(len(payloads))}
    return JSONResponse({"is_partial_error": len(good) < len(payloads), "message_ids": ordered})


# ----- Developer API topics ---------------------------------------------------------------------------------
def _topic_fields(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiProblem(400, "Request body must be a JSON object", "invalid_request")
    fields: dict[str, Any] = {}
    if "name" in body or creating:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise ApiProblem(400, "name is required: a string of 1 to 255 characters", "invalid_request")
        fields["name"] = name.strip()
    if "schema" in body or creating:
        schema = body.get("schema")
        try:
            fieldlist_to_jsonschema(schema)
        except ValidationError as exc:
            raise ApiProblem(400, f"schema is not a valid Workato schema: {exc.message}", "invalid_schema") from None
        fields["schema"] = schema
    if "retention" in body:
        fields["retention"] = _int_field(body, "retention", 0, 60, 31_536_000)
    if "description" in body:
        if not isinstance(body["description"], str):
            raise ApiProblem(400, "description must be a string", "invalid_request")
        fields["description"] = body["description"]
    return fields


async def _list_topics(request: Request, state: _State) -> Response:
    sort = request.query_params.get("sort", "id")
    if sort not in ("id", "name", "activity"):
        raise ApiProblem(400, "sort must be one of activity, name, id", "invalid_request")
    flag = request.query_params.get("include_schema", "false").lower()
    if flag not in ("true", "false", "1", "0"):
        raise ApiProblem(400, "include_schema must be true or false", "invalid_request")
    topics = state.store.list_topics(name=request.query_params.get("name") or None, sort=sort)
    rows = [t.to_json(include_schema=flag in ("true", "1")) for t in topics]
    return JSONResponse({"data": rows, "count": len(rows)})


async def _create_topic(request: Request, state: _State) -> Response:
    fields = _topic_fields(await _body(request, required=True), creating=True)
    topic = state.store.create_topic(
        fields["name"],
        schema=fields["schema"],
        retention=fields.get("retention", DEFAULT_RETENTION_SECS),
        description=fields.get("description", ""),
    )
    return JSONResponse({"data": topic.to_json(include_schema=True)})


async def _get_topic(request: Request, state: _State) -> Response:
    return JSONResponse({"data": _topic(request, state).to_json(include_schema=True)})


async def _update_topic(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    fields = _topic_fields(await _body(request, required=True), creating=False)
    updated = state.store.update_topic(topic.id, **fields) if fields else topic
    if updated is None:
        raise ApiProblem(404, f"Topic {topic.id} not found", "not_found")
    return JSONResponse({"data": updated.to_json(include_schema=True)})


async def _delete_topic(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    state.store.delete_topic(topic.id)
    return JSONResponse({"data": {"success": True}})


async def _purge_topic(request: Request, state: _State) -> Response:
    topic = _topic(request, state)
    state.store.purge_topic(topic.id)
    return JSONResponse({"data": {"success": True}})


QUERY_PARAMS: dict[Handler, set[str]] = {_list_topics: {"name", "sort", "include_schema"}}

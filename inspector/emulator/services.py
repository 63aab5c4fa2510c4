"""The emulator's further services: Qala publishing, Boomi Event Notifications subscriptions and the Messaging
Resource API. Their state lives in memory only; each answers errors in its own shape."""

from __future__ import annotations

import json
import math
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from inspector.emulator.problems import NO_BODY, ApiProblem, bearer, read_body, read_json

FAMILIES = ("qala", "boomi", "messaging")

QALA_ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
QALA_TOPICS = ("transactions", "customers")
QALA_MAX_EVENTS = 100  # (not in the seed: our choice)
QALA_TYPE = r"^(?:[A-Za-z0-9.,_\-&()\[\]<>]{1,100})$"
_QALA_TYPE = re.compile(QALA_TYPE)
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

BOOMI_MAX_ITEMS = 100
BOOMI_USER = "emulator-user"
BOOMI_LOG_LEVELS = ("ERROR", "WARN", "INFO", "DEBUG")
BOOMI_EMAIL_REFUSED = "destinationType EMAIL is not supported in the current release; only EVENT_STREAMS is available"
BOOMI_FIELDS = (
    "subscriptionId",
    "eventName",
    "destinationType",
    "logLevel",
    "accountId",
    "eventStreamsEnvironment",
    "eventStreamsEnvironmentName",
    "eventStreamsTopic",
    "destinationEmail",
    "enabled",
    "createdDate",
    "lastUpdatedDate",
    "createdBy",
    "lastUpdatedUserId",
)
_BOOMI_SERVER_FIELDS = frozenset(
    {"subscriptionId", "accountId", "createdDate", "lastUpdatedDate", "createdBy", "lastUpdatedUserId"}
)
_BOOMI_ACCOUNT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")

_SELECTOR = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
_MESSAGE_FIELDS = ("appId", "transactionId", "workflowId", "label")
_MS_THRESHOLD = 10**11  # an excludeUntil above this is in milliseconds

INDEX = [
    {
        "name": "Workato Event Streams",
        "base_paths": ["/api/v1/topics", "/api/v1/batch/topics", "/api/pubsub/topics", "/api/event_streams/topics"],
    },
    {"name": "Qala Publishing API", "base_paths": ["/v1"]},
    {"name": "Boomi Event Notifications subscriptions", "base_paths": ["/rest/v1/accounts/{accountId}/subscriptions"]},
    {"name": "Messaging Resource API", "base_paths": ["/api/v1/apps", "/api/v1/messages"]},
]


@dataclass
class Message:
    app_id: str
    transaction_id: str
    workflow_id: str
    label: str
    selector: str
    created: float  # seconds since the epoch; kept by the emulator, not part of the API's object

    def to_json(self) -> dict[str, str]:
        return {
            "appId": self.app_id,
            "transactionId": self.transaction_id,
            "workflowId": self.workflow_id,
            "label": self.label,
            "selector": self.selector,
        }


@dataclass
class Services:
    """The in-memory state of the three services."""

    # environment id (lower case) -> its topic names, in creation order
    qala_topics: dict[str, list[str]] = field(default_factory=lambda: {QALA_ENVIRONMENT: list(QALA_TOPICS)})
    qala_events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # account id -> subscription id -> subscription, in creation order
    boomi: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    trace_prefix: str = field(default_factory=lambda: "0HN" + secrets.token_hex(5).upper())
    traces: int = 0

    def trace_id(self) -> str:
        self.traces += 1
        return f"{self.trace_prefix}:{self.traces:08X}"


class ServiceSettings(Protocol):
    @property
    def token(self) -> str: ...

    @property
    def container_token(self) -> str: ...


class Context(Protocol):
    """What the handlers need of the app's state."""

    @property
    def settings(self) -> ServiceSettings: ...

    @property
    def services(self) -> Services: ...


ServiceHandler = Callable[[Request, Context], Awaitable[Response]]


# ----- error shapes -----------------------------------------------------------------------------------------
def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _qala_error(request: Request, problem: ApiProblem, services: Services) -> Response:
    detail = "A valid bearer token is required." if problem.code == "unauthorized" else problem.message
    errors = [{**item, "severity": None} for item in problem.details or []]
    body = {
        "title": _reason(problem.status),
        "status": problem.status,
        "instance": request.url.path,
        "traceId": services.trace_id(),
        "detail": detail,
        "errors": errors,
    }
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type="application/problem+json"
    )


def _boomi_error(request: Request, problem: ApiProblem, services: Services) -> Response:
    messages = [str(m) for m in problem.details] if problem.details else [problem.message]
    body = {"error": _reason(problem.status), "messages": messages, "path": request.url.path}
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


def _messaging_error(request: Request, problem: ApiProblem, services: Services) -> Response:
    # The shape is not in the seed: our choice.
    body = {"error": _reason(problem.status), "message": problem.message}
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


ERROR_SHAPES: dict[str, Callable[[Request, ApiProblem, Services], Response]] = {
    "qala": _qala_error,
    "boomi": _boomi_error,
    "messaging": _messaging_error,
}


# ----- shared helpers ---------------------------------------------------------------------------------------
# ----- Qala Publishing API ----------------------------------------------------------------------------------
def _qala_invalid(errors: list[dict[str, Any]]) -> ApiProblem:
    return ApiProblem(400, "One or more validation errors occurred.", "validation_failed", details=errors)


def _qala_error_item(name: str, reason: str, code: str) -> dict[str, Any]:
    return {"name": name, "reason": reason, "code": code}


def _guid(value: str, name: str) -> str:
    if not _GUID.fullmatch(value):
        raise _qala_invalid([_qala_error_item(name, f"'{value}' is not a valid GUID.", "INVALID_FORMAT")])
    return value.lower()


def _environment(request: Request) -> str:
    value = request.headers.get("x-environment-id")
    if value is None:
        raise _qala_invalid(
            [
                _qala_error_item(
                    "x-environment-id", "The x-environment-id header is required.", "INVALID_MANDATORY_PROPERTY"
                )
            ]
        )
    return _guid(value, "x-environment-id")


def _qala_event_errors(index: int, event: Any) -> list[dict[str, Any]]:
    where = f"events[{index}]"
    if not isinstance(event, dict):
        return [_qala_error_item(where, "The event must be an object.", "INVALID_TYPE")]
    errors = []
    kind = event.get("type")
    if kind is None or kind == "":
        errors.append(_qala_error_item(f"{where}.type", "The type field is required.", "INVALID_MANDATORY_PROPERTY"))
    elif not isinstance(kind, str) or not _QALA_TYPE.fullmatch(kind):
        errors.append(_qala_error_item(f"{where}.type", f"The type field must match {QALA_TYPE}.", "INVALID_FORMAT"))
    if event.get("id") is not None and not isinstance(event["id"], str):
        errors.append(_qala_error_item(f"{where}.id", "The id field must be a string or null.", "INVALID_TYPE"))
    audiences = event.get("audiences")
    if audiences is not None and (not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences)):
        errors.append(
            _qala_error_item(
                f"{where}.audiences", "The audiences field must be an array of strings or null.", "INVALID_TYPE"
            )
        )
    data = event.get("data")
    # The seed says string, its example sends an object: both are accepted.
    if isinstance(data, bool | int | float):
        errors.append(
            _qala_error_item(f"{where}.data", "The data field must be a string, an object or an array.", "INVALID_TYPE")
        )
    elif data is None or data in ("", {}, []):
        errors.append(_qala_error_item(f"{where}.data", "The data field is required.", "INVALID_MANDATORY_PROPERTY"))
    return errors


async def _qala_events(request: Request) -> list[dict[str, Any]]:
    try:
        body = await read_json(request, too_large=413)
    except ApiProblem as problem:
        if problem.status != 400:
            raise
        raise _qala_invalid([_qala_error_item("events", problem.message, "INVALID_FORMAT")]) from None
    if body is NO_BODY or body is None or body == []:
        raise _qala_invalid([_qala_error_item("events", "The Events field is required.", "INVALID_MANDATORY_PROPERTY")])
    if not isinstance(body, list):
        raise _qala_invalid([_qala_error_item("events", "The Events field must be an array.", "INVALID_TYPE")])
    if len(body) > QALA_MAX_EVENTS:
        raise _qala_invalid(
            [
                _qala_error_item(
                    "events", f"At most {QALA_MAX_EVENTS} Events can be published at once.", "INVALID_LENGTH"
                )
            ]
        )
    errors = [error for index, event in enumerate(body) for error in _qala_event_errors(index, event)]
    if errors:
        raise _qala_invalid(errors)
    return body


def _qala_store(
    services: Services, environment: str, topics: list[str | None], events: list[dict[str, Any]]
) -> Response:
    stored = services.qala_events.setdefault(environment, [])
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


async def qala_publish_topic(request: Request, state: Context) -> Response:
    environment = _environment(request)
    events = await _qala_events(request)
    name = request.path_params["topicName"]
    if name not in state.services.qala_topics.get(environment, []):
        raise ApiProblem(
            404, f"Topic '{name}' was not found in environment {request.headers['x-environment-id']}.", "not_found"
        )
    return _qala_store(state.services, environment, [name], events)


async def qala_publish(request: Request, state: Context) -> Response:
    environment = _environment(request)
    events = await _qala_events(request)
    topics: list[str | None] = list(state.services.qala_topics.get(environment, [])) or [None]
    return _qala_store(state.services, environment, topics, events)


async def qala_session_token(request: Request, state: Context) -> Response:
    # The path is not in the seed: our choice.
    _environment(request)
    _guid(request.path_params["subscriberGroupId"], "subscriberGroupId")
    await read_body(request, too_large=413)  # no body is needed; only the size limit applies
    return JSONResponse({"sessionToken": secrets.token_urlsafe(64)})


async def qala_create_topic(request: Request, state: Context) -> Response:
    # An emulator-only route (not in the seed: our choice).
    environment = _guid(request.path_params["envId"], "envId")
    topics = state.services.qala_topics.setdefault(environment, [])
    name = request.path_params["topicName"]
    if name not in topics:
        topics.append(name)
    return Response(status_code=204)


async def qala_read_events(request: Request, state: Context) -> Response:
    environment = _guid(request.path_params["envId"], "envId")
    return JSONResponse({"events": state.services.qala_events.get(environment, [])})


# ----- Boomi Event Notifications subscriptions --------------------------------------------------------------
def _boomi_invalid(messages: list[str]) -> ApiProblem:
    unique = list(dict.fromkeys(messages))
    return ApiProblem(400, unique[0], "invalid_request", details=unique)


def _account(request: Request, state: Context) -> dict[str, dict[str, Any]]:
    # Accounts are created on first use (not in the seed: our choice).
    account = request.path_params["accountId"]
    if not _BOOMI_ACCOUNT.fullmatch(account):
        raise _boomi_invalid(["accountId must be 1 to 64 letters, digits, '_' or '-'"])
    return state.services.boomi.setdefault(account, {})


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


def _subscription_id(request: Request) -> str:
    value = request.path_params["subscriptionId"]
    if not _is_uuid(value):
        raise _boomi_invalid([f"subscriptionId '{value}' is not a valid UUID"])
    return str(value).lower()


def _check_subscription(item: Any, where: str) -> list[str]:
    """Every problem of one subscription's input fields (server fields are ignored)."""
    if not isinstance(item, dict):
        return [f"{where} must be an object"]
    problems = []
    unknown = sorted(set(item) - set(BOOMI_FIELDS))
    # Unknown fields are refused, so that a misspelt field is not lost (not in the seed: our choice).
    problems += [f"{where}.{name} is not a field of a subscription" for name in unknown]
    name = item.get("eventName")
    if name is None or name == "":
        problems.append(f"{where}.eventName is required")
    elif not isinstance(name, str):
        problems.append(f"{where}.eventName must be a string")
    destination = item.get("destinationType")
    if destination is None:
        problems.append(f"{where}.destinationType is required")
    elif destination == "EMAIL":
        problems.append(BOOMI_EMAIL_REFUSED)
    elif destination != "EVENT_STREAMS":
        problems.append(f"{where}.destinationType must be one of EVENT_STREAMS, EMAIL")
    level = item.get("logLevel")
    if level is not None and level not in BOOMI_LOG_LEVELS:
        problems.append(f"{where}.logLevel must be one of {', '.join(BOOMI_LOG_LEVELS)}")
    for text in ("eventStreamsEnvironment", "eventStreamsEnvironmentName"):
        if item.get(text) is not None and not isinstance(item[text], str):
            problems.append(f"{where}.{text} must be a string")
    if destination == "EVENT_STREAMS":
        topic = item.get("eventStreamsTopic")
        if topic is None or topic == "":
            problems.append(f"{where}.eventStreamsTopic is required for destinationType EVENT_STREAMS")
        elif not isinstance(topic, str):
            problems.append(f"{where}.eventStreamsTopic must be a string")
        if item.get("destinationEmail") is not None:
            problems.append(f"{where}.destinationEmail is only for destinationType EMAIL")
    enabled = item.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        problems.append(f"{where}.enabled must be a boolean")
    return problems


def _input_fields(subscription: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in subscription.items() if k not in _BOOMI_SERVER_FIELDS}


def _build(
    item: dict[str, Any], account: str, subscription_id: str, created: int | None, created_by: str | None
) -> dict[str, Any]:
    now = int(time.time() * 1000)
    built: dict[str, Any] = {
        "subscriptionId": subscription_id,
        "eventName": item["eventName"],
        "destinationType": item["destinationType"],
        "logLevel": item.get("logLevel") or "ERROR",
        "accountId": account,
    }
    for optional in ("eventStreamsEnvironment", "eventStreamsEnvironmentName", "eventStreamsTopic"):
        if item.get(optional) is not None:
            built[optional] = item[optional]
    built["enabled"] = item.get("enabled") if item.get("enabled") is not None else True
    built["createdDate"] = created if created is not None else now
    built["lastUpdatedDate"] = now
    built["createdBy"] = created_by or BOOMI_USER
    built["lastUpdatedUserId"] = BOOMI_USER
    return built


def _merged(existing: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {**_input_fields(existing), **_input_fields(changes)}


def _updated(existing: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    return _build(
        merged, existing["accountId"], existing["subscriptionId"], existing["createdDate"], existing["createdBy"]
    )


async def _subscriptions_body(request: Request, *, least: int) -> list[Any]:
    body = await read_json(request, too_large=413)
    items = body.get("subscriptions") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise _boomi_invalid(["request body must be a JSON object with a 'subscriptions' array"])
    if not least <= len(items) <= BOOMI_MAX_ITEMS:
        raise _boomi_invalid([f"subscriptions must have {least} to {BOOMI_MAX_ITEMS} items, got {len(items)}"])
    problems = [p for index, item in enumerate(items) for p in _check_subscription(item, f"subscriptions[{index}]")]
    if problems:
        raise _boomi_invalid(problems)
    return items


def _query_int(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = int(raw) if _INTEGER.fullmatch(raw) else None
    if value is None or value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise _boomi_invalid([f"{name} must be an integer {limit}"])
    return value


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(subscription: dict[str, Any]) -> tuple[int, Any]:
        value = subscription.get(name)
        return (1, "") if value is None else (0, value)

    return key


async def boomi_list(request: Request, state: Context) -> Response:
    subscriptions = list(_account(request, state).values())
    page = _query_int(request, "pageNumber", 0, 0, None)
    size = _query_int(request, "pageSize", 20, 1, 100)
    sort_by = request.query_params.get("sortBy", "createdDate")
    if sort_by not in BOOMI_FIELDS:
        raise _boomi_invalid([f"sortBy must be one of {', '.join(BOOMI_FIELDS)}"])
    direction = request.query_params.get("sortDirection", "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise _boomi_invalid(["sortDirection must be ASC or DESC"])
    subscriptions.sort(key=_sort_key(sort_by), reverse=direction == "DESC")
    chunk = subscriptions[page * size : (page + 1) * size]
    pages = math.ceil(len(subscriptions) / size)
    metadata = {
        "pageNumber": page,
        "pageSize": size,
        "totalPages": pages,
        "totalElements": len(subscriptions),
        "numberOfElements": len(chunk),
        "first": page == 0,
        "last": page >= pages - 1,
    }
    return JSONResponse({"subscriptions": chunk, "paginationMetadata": metadata})


async def boomi_create(request: Request, state: Context) -> Response:
    account = _account(request, state)
    items = await _subscriptions_body(request, least=1)
    created = []
    for item in items:
        subscription = _build(item, request.path_params["accountId"], str(uuid.uuid4()), None, None)
        account[subscription["subscriptionId"]] = subscription
        created.append(subscription)
    return JSONResponse({"subscriptions": created}, status_code=201)


async def boomi_replace(request: Request, state: Context) -> Response:
    account = _account(request, state)
    # An empty list empties the account (not in the seed: our choice).
    items = await _subscriptions_body(request, least=0)
    ids = [str(item["subscriptionId"]).lower() for item in items if _is_uuid(item.get("subscriptionId"))]
    twice = sorted({i for i in ids if ids.count(i) > 1 and i in account})
    if twice:
        raise _boomi_invalid([f"subscriptionId {i} appears more than once" for i in twice])
    had_any = bool(account)
    result = []
    for item in items:
        known = str(item.get("subscriptionId", "")).lower()
        existing = account.get(known) if _is_uuid(item.get("subscriptionId")) else None
        if existing is not None:
            result.append(_build(item, existing["accountId"], known, existing["createdDate"], existing["createdBy"]))
        else:
            result.append(_build(item, request.path_params["accountId"], str(uuid.uuid4()), None, None))
    account.clear()
    account.update((s["subscriptionId"], s) for s in result)
    return JSONResponse({"subscriptions": result}, status_code=200 if had_any else 201)


async def boomi_delete_all(request: Request, state: Context) -> Response:
    _account(request, state).clear()
    return Response(status_code=204)


def _existing(request: Request, state: Context) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    account = _account(request, state)
    subscription_id = _subscription_id(request)
    subscription = account.get(subscription_id)
    if subscription is None:
        raise ApiProblem(
            404,
            f"Subscription {request.path_params['subscriptionId']} not found",
            "not_found",
        )
    return account, subscription


async def boomi_get(request: Request, state: Context) -> Response:
    _, subscription = _existing(request, state)
    return JSONResponse(subscription)


async def boomi_update(request: Request, state: Context) -> Response:
    account, existing = _existing(request, state)
    body = await read_json(request, too_large=413)
    changes = body.get("subscription") if isinstance(body, dict) else None
    if not isinstance(changes, dict):
        raise _boomi_invalid(["request body must be a JSON object with a 'subscription' object"])
    merged = _merged(existing, changes)
    problems = _check_subscription(merged, "subscription")
    if problems:
        raise _boomi_invalid(problems)
    updated = _updated(existing, merged)
    account[updated["subscriptionId"]] = updated
    return JSONResponse({"subscription": updated})


async def boomi_delete(request: Request, state: Context) -> Response:
    account, existing = _existing(request, state)
    del account[existing["subscriptionId"]]
    return Response(status_code=204)


def _status(subscription_id: Any, code: int, message: str) -> dict[str, Any]:
    return {
        "subscriptionId": subscription_id if isinstance(subscription_id, str) else None,
        "httpEquivalentCode": code,
        "message": message,
    }


async def boomi_bulk(request: Request, state: Context) -> Response:
    # The path is not in the seed: our choice.
    account = _account(request, state)
    body = await read_json(request, too_large=413)
    if not isinstance(body, dict):
        raise _boomi_invalid(["request body must be a JSON object with an 'operation'"])
    operation = body.get("operation")
    if operation not in ("DELETE", "UPDATE"):
        raise _boomi_invalid(["operation must be DELETE or UPDATE"])
    listed = "subscriptionIds" if operation == "DELETE" else "subscriptions"
    items = body.get(listed)
    if not isinstance(items, list) or not 1 <= len(items) <= BOOMI_MAX_ITEMS:
        raise _boomi_invalid([f"{listed} must be an array of 1 to {BOOMI_MAX_ITEMS} items for operation {operation}"])
    statuses = []
    for index, item in enumerate(items):
        if operation == "DELETE":
            statuses.append(_bulk_delete(account, item))
        else:
            statuses.append(_bulk_update(account, index, item))
    return JSONResponse({"operationStatuses": statuses}, status_code=207)


def _bulk_delete(account: dict[str, dict[str, Any]], item: Any) -> dict[str, Any]:
    if not _is_uuid(item):
        return _status(item, 400, "subscriptionId is not a valid UUID")
    if account.pop(str(item).lower(), None) is None:
        return _status(item, 404, "Subscription not found")
    return _status(item, 200, "Deleted successfully")


def _bulk_update(account: dict[str, dict[str, Any]], index: int, item: Any) -> dict[str, Any]:
    where = f"subscriptions[{index}]"
    if not isinstance(item, dict):
        return _status(None, 400, f"{where} must be an object")
    subscription_id = item.get("subscriptionId")
    if subscription_id is None:
        return _status(None, 400, f"{where}.subscriptionId is required")
    if not _is_uuid(subscription_id):
        return _status(subscription_id, 400, f"{where}.subscriptionId is not a valid UUID")
    existing = account.get(str(subscription_id).lower())
    if existing is None:
        return _status(subscription_id, 404, "Subscription not found")
    merged = _merged(existing, item)
    problems = _check_subscription(merged, where)
    if problems:
        return _status(subscription_id, 400, "; ".join(dict.fromkeys(problems)))
    updated = _updated(existing, merged)
    account[updated["subscriptionId"]] = updated
    return _status(subscription_id, 200, "Updated successfully")


# ----- Messaging Resource API -------------------------------------------------------------------------------
def _bad(message: str) -> ApiProblem:
    return ApiProblem(400, message, "invalid_request")


def _make_messages(state: Context, fields: dict[str, Any], selectors: Any) -> Response:
    missing = [name for name in _MESSAGE_FIELDS if not isinstance(fields.get(name), str) or not fields[name]]
    if missing:
        raise _bad(f"missing or invalid fields: {', '.join(missing)} (each a non-empty string)")
    if not isinstance(selectors, list) or not selectors:
        bad = "none given" if selectors is None or selectors == [] else json.dumps(selectors)
        raise _bad(f"invalid selectors: {bad}")
    wrong = [s for s in selectors if not isinstance(s, str) or not _SELECTOR.fullmatch(s)]
    if wrong:
        raise _bad(f"invalid selectors: {', '.join(json.dumps(s) for s in wrong)}")
    now = time.time()
    made = [
        Message(fields["appId"], fields["transactionId"], fields["workflowId"], fields["label"], selector, now)
        for selector in selectors
    ]
    state.services.messages.extend(made)
    return JSONResponse([m.to_json() for m in made], status_code=201)


async def _object_body(request: Request) -> dict[str, Any]:
    body = await read_json(request, too_large=413)
    if not isinstance(body, dict):
        raise _bad("request body must be a JSON object")
    return body


async def messaging_list(request: Request, state: Context) -> Response:
    app_id = request.path_params["appId"]
    raw = request.query_params.get("excludeUntil")
    cutoff = -math.inf
    if raw is not None:
        # A value over 10^11 is in milliseconds (not in the seed: our choice).
        if not _INTEGER.fullmatch(raw):
            raise _bad("excludeUntil must be an integer: seconds (or milliseconds) since the epoch")
        value = int(raw)
        cutoff = value / 1000 if value > _MS_THRESHOLD else value
    messages = [m.to_json() for m in state.services.messages if m.app_id == app_id and m.created >= cutoff]
    return JSONResponse(messages)


async def messaging_post(request: Request, state: Context) -> Response:
    # Only workflow containers post: the emulator knows one by its token. The request body is not in the seed:
    # our choice.
    if bearer(request) != state.settings.container_token:
        raise ApiProblem(403, "only workflow containers of an app can post messages", "forbidden")
    body = await _object_body(request)
    return _make_messages(state, body, body.get("selectors"))


async def messaging_emulator_post(request: Request, state: Context) -> Response:
    body = await _object_body(request)
    fields = {**body, "appId": request.path_params["appId"], "transactionId": request.path_params["transactionId"]}
    return _make_messages(state, fields, body.get("selectors"))


async def messaging_end(request: Request, state: Context) -> Response:
    app_id, transaction = request.path_params["appId"], request.path_params["transactionId"]
    services = state.services
    kept = [m for m in services.messages if not (m.app_id == app_id and m.transaction_id == transaction)]
    deleted = len(services.messages) - len(kept)
    services.messages = kept
    return JSONResponse({"deleted": deleted})


# Handlers that take the container token besides the ordinary one: a workflow container of the app reads its
# messages and posts them (not in the seed: our choice for reading).
CONTAINER_ONLY: frozenset[Callable[..., Awaitable[Response]]] = frozenset({messaging_post, messaging_list})

QUERY_PARAMS: dict[Callable[..., Awaitable[Response]], set[str]] = {
    boomi_list: {"pageNumber", "pageSize", "sortBy", "sortDirection"},
    messaging_list: {"excludeUntil"},
}

BOOMI = "/rest/v1/accounts/{accountId}/subscriptions"
ROUTES: dict[str, dict[str, tuple[ServiceHandler, str]]] = {
    "/v1/topics/{topicName}/events/publish": {"POST": (qala_publish_topic, "qala")},
    "/v1/events/publish": {"POST": (qala_publish, "qala")},
    "/v1/subscriber-groups/{subscriberGroupId}/session-tokens": {"POST": (qala_session_token, "qala")},
    "/_emulator/qala/environments/{envId}/topics/{topicName}": {"PUT": (qala_create_topic, "qala")},
    "/_emulator/qala/environments/{envId}/events": {"GET": (qala_read_events, "qala")},
    BOOMI: {
        "GET": (boomi_list, "boomi"),
        "POST": (boomi_create, "boomi"),
        "PUT": (boomi_replace, "boomi"),
        "DELETE": (boomi_delete_all, "boomi"),
    },
    BOOMI + "/bulk": {"POST": (boomi_bulk, "boomi")},
    BOOMI + "/{subscriptionId}": {
        "GET": (boomi_get, "boomi"),
        "PUT": (boomi_update, "boomi"),
        "DELETE": (boomi_delete, "boomi"),
    },
    "/api/v1/apps/{appId}/messages": {"GET": (messaging_list, "messaging")},
    "/api/v1/messages": {"POST": (messaging_post, "messaging")},
    "/_emulator/apps/{appId}/transactions/{transactionId}/end": {"POST": (messaging_end, "messaging")},
    "/_emulator/apps/{appId}/transactions/{transactionId}/messages": {"POST": (messaging_emulator_post, "messaging")},
}

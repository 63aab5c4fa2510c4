"""Boomi Event Notifications: an account's subscriptions (list with paging and sorting, view, create, update
one or all, delete one or all, bulk delete and bulk update with a status per subscription). Accounts live in
memory; errors come as ``{"error", "messages": [...], "path"}``."""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from inspector.core.services.boomi import DESTINATION_TYPES, LOG_LEVELS, MAX_PAGE_SIZE
from inspector.emulator.context import Context
from inspector.emulator.problems import ApiProblem, integer, read_json, reason_phrase
from inspector.emulator.routing import Endpoint, ServiceMount

PATH = "/rest/v1/accounts/{accountId}/subscriptions"
INDEX = {"name": "Boomi Event Notifications subscriptions", "base_paths": [PATH]}
MAX_ITEMS = 100
USER = "emulator-user"
EMAIL_REFUSED = "destinationType EMAIL is not supported in the current release; only EVENT_STREAMS is available"
FIELDS = (
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
_SERVER_FIELDS = frozenset(
    {"subscriptionId", "accountId", "createdDate", "lastUpdatedDate", "createdBy", "lastUpdatedUserId"}
)
_ACCOUNT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

Subscription = dict[str, Any]
Account = dict[str, Subscription]  # subscription id -> subscription, in creation order


@dataclass
class Accounts:
    by_id: dict[str, Account] = field(default_factory=dict)


def error_shape(request: Request, problem: ApiProblem, accounts: Accounts) -> Response:
    messages = [str(m) for m in problem.details] if problem.details else [problem.message]
    body = {"error": reason_phrase(problem.status), "messages": messages, "path": request.url.path}
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


# ----- checks -----------------------------------------------------------------------------------------------
def _invalid(messages: list[str]) -> ApiProblem:
    unique = list(dict.fromkeys(messages))
    return ApiProblem(400, unique[0], "invalid_request", details=unique)


def _account(request: Request, accounts: Accounts) -> Account:
    # Accounts are created on first use (not in the seed: our choice).
    account = request.path_params["accountId"]
    if not _ACCOUNT.fullmatch(account):
        raise _invalid(["accountId must be 1 to 64 letters, digits, '_' or '-'"])
    return accounts.by_id.setdefault(account, {})


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _subscription_id(request: Request) -> str:
    value = request.path_params["subscriptionId"]
    if not _is_uuid(value):
        raise _invalid([f"subscriptionId '{value}' is not a valid UUID"])
    return str(value).lower()


def _check_subscription(item: Any, where: str) -> list[str]:
    """Every problem of one subscription's input fields (server fields are ignored)."""
    if not isinstance(item, dict):
        return [f"{where} must be an object"]
    problems = []
    unknown = sorted(set(item) - set(FIELDS))
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
        problems.append(EMAIL_REFUSED)
    elif destination != "EVENT_STREAMS":
        problems.append(f"{where}.destinationType must be one of {', '.join(DESTINATION_TYPES)}")
    level = item.get("logLevel")
    if level is not None and level not in LOG_LEVELS:
        problems.append(f"{where}.logLevel must be one of {', '.join(LOG_LEVELS)}")
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
    return {k: v for k, v in subscription.items() if k not in _SERVER_FIELDS}


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
    built["createdBy"] = created_by or USER
    built["lastUpdatedUserId"] = USER
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
        raise _invalid(["request body must be a JSON object with a 'subscriptions' array"])
    if not least <= len(items) <= MAX_ITEMS:
        raise _invalid([f"subscriptions must have {least} to {MAX_ITEMS} items, got {len(items)}"])
    problems = [p for index, item in enumerate(items) for p in _check_subscription(item, f"subscriptions[{index}]")]
    if problems:
        raise _invalid(problems)
    return items


def _query_int(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = integer(raw)
    if value is None or value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise _invalid([f"{name} must be an integer {limit}"])
    return value


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(subscription: dict[str, Any]) -> tuple[int, Any]:
        value = subscription.get(name)
        return (1, "") if value is None else (0, value)

    return key


# ----- handlers ---------------------------------------------------------------------------------------------
async def list_subscriptions(request: Request, accounts: Accounts) -> Response:
    subscriptions = list(_account(request, accounts).values())
    page = _query_int(request, "pageNumber", 0, 0, None)
    size = _query_int(request, "pageSize", 20, 1, MAX_PAGE_SIZE)
    sort_by = request.query_params.get("sortBy", "createdDate")
    if sort_by not in FIELDS:
        raise _invalid([f"sortBy must be one of {', '.join(FIELDS)}"])
    direction = request.query_params.get("sortDirection", "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise _invalid(["sortDirection must be ASC or DESC"])
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


async def create(request: Request, accounts: Accounts) -> Response:
    account = _account(request, accounts)
    items = await _subscriptions_body(request, least=1)
    created = []
    for item in items:
        subscription = _build(item, request.path_params["accountId"], str(uuid.uuid4()), None, None)
        account[subscription["subscriptionId"]] = subscription
        created.append(subscription)
    return JSONResponse({"subscriptions": created}, status_code=201)


async def replace_all(request: Request, accounts: Accounts) -> Response:
    account = _account(request, accounts)
    # An empty list empties the account (not in the seed: our choice).
    items = await _subscriptions_body(request, least=0)
    ids = [str(item["subscriptionId"]).lower() for item in items if _is_uuid(item.get("subscriptionId"))]
    twice = sorted({i for i in ids if ids.count(i) > 1 and i in account})
    if twice:
        raise _invalid([f"subscriptionId {i} appears more than once" for i in twice])
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


async def delete_all(request: Request, accounts: Accounts) -> Response:
    _account(request, accounts).clear()
    return Response(status_code=204)


def _existing(request: Request, accounts: Accounts) -> tuple[Account, Subscription]:
    account = _account(request, accounts)
    subscription_id = _subscription_id(request)
    subscription = account.get(subscription_id)
    if subscription is None:
        raise ApiProblem(
            404,
            f"Subscription {request.path_params['subscriptionId']} not found",
            "not_found",
        )
    return account, subscription


async def get(request: Request, accounts: Accounts) -> Response:
    _, subscription = _existing(request, accounts)
    return JSONResponse(subscription)


async def update(request: Request, accounts: Accounts) -> Response:
    account, existing = _existing(request, accounts)
    body = await read_json(request, too_large=413)
    changes = body.get("subscription") if isinstance(body, dict) else None
    if not isinstance(changes, dict):
        raise _invalid(["request body must be a JSON object with a 'subscription' object"])
    merged = _merged(existing, changes)
    problems = _check_subscription(merged, "subscription")
    if problems:
        raise _invalid(problems)
    updated = _updated(existing, merged)
    account[updated["subscriptionId"]] = updated
    return JSONResponse({"subscription": updated})


async def delete(request: Request, accounts: Accounts) -> Response:
    account, existing = _existing(request, accounts)
    del account[existing["subscriptionId"]]
    return Response(status_code=204)


def _status(subscription_id: Any, code: int, message: str) -> dict[str, Any]:
    return {
        "subscriptionId": subscription_id if isinstance(subscription_id, str) else None,
        "httpEquivalentCode": code,
        "message": message,
    }


async def bulk(request: Request, accounts: Accounts) -> Response:
    # The path is not in the seed: our choice.
    account = _account(request, accounts)
    body = await read_json(request, too_large=413)
    if not isinstance(body, dict):
        raise _invalid(["request body must be a JSON object with an 'operation'"])
    operation = body.get("operation")
    if operation not in ("DELETE", "UPDATE"):
        raise _invalid(["operation must be DELETE or UPDATE"])
    listed = "subscriptionIds" if operation == "DELETE" else "subscriptions"
    items = body.get(listed)
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise _invalid([f"{listed} must be an array of 1 to {MAX_ITEMS} items for operation {operation}"])
    statuses = []
    for index, item in enumerate(items):
        if operation == "DELETE":
            statuses.append(_bulk_delete(account, item))
        else:
            statuses.append(_bulk_update(account, index, item))
    return JSONResponse({"operationStatuses": statuses}, status_code=207)


def _bulk_delete(account: Account, item: Any) -> dict[str, Any]:
    if not _is_uuid(item):
        return _status(item, 400, "subscriptionId is not a valid UUID")
    if account.pop(str(item).lower(), None) is None:
        return _status(item, 404, "Subscription not found")
    return _status(item, 200, "Deleted successfully")


def _bulk_update(account: Account, index: int, item: Any) -> dict[str, Any]:
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


ENDPOINTS = [
    Endpoint("GET", PATH, list_subscriptions, frozenset({"pageNumber", "pageSize", "sortBy", "sortDirection"})),
    Endpoint("POST", PATH, create),
    Endpoint("PUT", PATH, replace_all),
    Endpoint("DELETE", PATH, delete_all),
    Endpoint("POST", PATH + "/bulk", bulk),  # before "/{subscriptionId}", which "/bulk" also matches
    Endpoint("GET", PATH + "/{subscriptionId}", get),
    Endpoint("PUT", PATH + "/{subscriptionId}", update),
    Endpoint("DELETE", PATH + "/{subscriptionId}", delete),
]


def mounts(context: Context) -> list[ServiceMount[Accounts]]:
    return [ServiceMount(Accounts(), ENDPOINTS, gate=context.gate, access=context.access("boomi"), shape=error_shape)]

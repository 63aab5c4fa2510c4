"""The Messaging Resource API: an app's messages, which live (in memory) only while their transaction runs; and
emulator-only routes that play an app's workflows, posting a transaction's messages and ending it."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from inspector.core.services.messaging import SELECTOR, AppMessage
from inspector.emulator.context import Context
from inspector.emulator.problems import ApiProblem, bearer, integer, read_json, reason_phrase
from inspector.emulator.routing import Endpoint, ServiceMount

INDEX = {"name": "Messaging Resource API", "base_paths": ["/api/v1/apps", "/api/v1/messages"]}
_FIELDS = ("appId", "transactionId", "workflowId", "label")
_MS_THRESHOLD = 10**11  # an excludeUntil above this is in milliseconds


@dataclass(frozen=True, slots=True)
class Posted:
    message: AppMessage
    created: float  # seconds since the epoch; kept by the emulator, not part of the API's object


@dataclass
class Messages:
    container_token: str  # a workflow container is known by its token
    posted: list[Posted] = field(default_factory=list)


def error_shape(request: Request, problem: ApiProblem, messages: Messages) -> Response:
    # The shape is not in the seed: our choice.
    body = {"error": reason_phrase(problem.status), "message": problem.message}
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


def _bad(message: str) -> ApiProblem:
    return ApiProblem(400, message, "invalid_request")


def _make_messages(messages: Messages, fields: dict[str, Any], selectors: Any) -> Response:
    missing = [name for name in _FIELDS if not isinstance(fields.get(name), str) or not fields[name]]
    if missing:
        raise _bad(f"missing or invalid fields: {', '.join(missing)} (each a non-empty string)")
    if not isinstance(selectors, list) or not selectors:
        bad = "none given" if selectors is None or selectors == [] else json.dumps(selectors)
        raise _bad(f"invalid selectors: {bad}")
    wrong = [s for s in selectors if not isinstance(s, str) or not SELECTOR.fullmatch(s)]
    if wrong:
        raise _bad(f"invalid selectors: {', '.join(json.dumps(s) for s in wrong)}")
    now = time.time()
    made = [
        AppMessage(fields["appId"], fields["transactionId"], fields["workflowId"], fields["label"], selector)
        for selector in selectors
    ]
    messages.posted.extend(Posted(message, now) for message in made)
    return JSONResponse([m.to_json() for m in made], status_code=201)


async def _object_body(request: Request) -> dict[str, Any]:
    body = await read_json(request, too_large=413)
    if not isinstance(body, dict):
        raise _bad("request body must be a JSON object")
    return body


# ----- handlers ---------------------------------------------------------------------------------------------
async def list_messages(request: Request, messages: Messages) -> Response:
    app_id = request.path_params["appId"]
    raw = request.query_params.get("excludeUntil")
    cutoff = -math.inf
    if raw is not None:
        # A value over 10^11 is in milliseconds (not in the seed: our choice).
        value = integer(raw)
        if value is None:
            raise _bad("excludeUntil must be an integer: seconds (or milliseconds) since the epoch")
        cutoff = value / 1000 if value > _MS_THRESHOLD else value
    listed = [p.message.to_json() for p in messages.posted if p.message.app_id == app_id and p.created >= cutoff]
    return JSONResponse(listed)


async def post_messages(request: Request, messages: Messages) -> Response:
    # Only workflow containers post: the emulator knows one by its token. The request body is not in the seed:
    # our choice.
    if bearer(request) != messages.container_token:
        raise ApiProblem(403, "only workflow containers of an app can post messages", "forbidden")
    body = await _object_body(request)
    return _make_messages(messages, body, body.get("selectors"))


async def emulator_post(request: Request, messages: Messages) -> Response:
    body = await _object_body(request)
    fields = {**body, "appId": request.path_params["appId"], "transactionId": request.path_params["transactionId"]}
    return _make_messages(messages, fields, body.get("selectors"))


async def end_transaction(request: Request, messages: Messages) -> Response:
    app_id, transaction = request.path_params["appId"], request.path_params["transactionId"]
    kept = [p for p in messages.posted if not (p.message.app_id == app_id and p.message.transaction_id == transaction)]
    deleted = len(messages.posted) - len(kept)
    messages.posted = kept
    return JSONResponse({"deleted": deleted})


# A workflow container of the app (known by its token) reads its messages and posts them (not in the seed: our
# choice for reading); the emulator-only routes take the ordinary token alone.
API = [
    Endpoint("GET", "/api/v1/apps/{appId}/messages", list_messages, frozenset({"excludeUntil"})),
    Endpoint("POST", "/api/v1/messages", post_messages),
]
EMULATOR_ONLY = [
    Endpoint("POST", "/_emulator/apps/{appId}/transactions/{transactionId}/end", end_transaction),
    Endpoint("POST", "/_emulator/apps/{appId}/transactions/{transactionId}/messages", emulator_post),
]


def mounts(context: Context) -> list[ServiceMount[Messages]]:
    messages = Messages(context.settings.container_token)
    api = context.access("messaging", container=True)
    return [
        ServiceMount(messages, API, gate=context.gate, access=api, shape=error_shape),
        ServiceMount(messages, EMULATOR_ONLY, gate=context.gate, access=context.access("messaging"), shape=error_shape),
    ]

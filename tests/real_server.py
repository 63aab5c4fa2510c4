"""A server that answers as a real Qala or Boomi server may, where the seeds (002–004) are silent and the
emulator made its own choice: Qala's publish answers whatever body a test sets (an empty ``202``, a bare list of
ids...), and Boomi's ``PUT`` of one subscription *replaces* it, so a field left out of the request is blanked.
It records what it was asked. Served on 127.0.0.1 from a background thread, as the emulator is."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers import AppServer

TOKEN = "real-server-token"  # a test server's token
ACCOUNT = "acct_real"
SERVER_FIELDS = ("subscriptionId", "accountId", "createdDate", "createdBy")  # kept by a replacement


@dataclass
class QalaAnswer:
    status: int = 202
    body: bytes = b""
    content_type: str | None = None

    @classmethod
    def of_json(cls, data: object, status: int = 202) -> QalaAnswer:
        return cls(status, json.dumps(data).encode(), "application/json")


@dataclass
class RealAnswers:
    qala_answer: QalaAnswer = field(default_factory=QalaAnswer)
    qala_published: list[list[dict[str, Any]]] = field(default_factory=list)  # each request's events
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)  # of ACCOUNT, by id
    puts: list[dict[str, Any]] = field(default_factory=list)  # each PUT's body
    page_sizes: list[str] = field(default_factory=list)  # the pageSize of each list request


def _refused(request: Request) -> Response | None:
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return JSONResponse({"error": "Unauthorized", "messages": ["bad token"]}, status_code=401)
    return None


def create_app(state: RealAnswers) -> Starlette:
    async def qala_publish(request: Request) -> Response:
        refused = _refused(request)
        if refused is not None:
            return refused
        state.qala_published.append(json.loads(await request.body()))
        answer = state.qala_answer
        headers = {"content-type": answer.content_type} if answer.content_type else None
        return Response(answer.body, status_code=answer.status, headers=headers)

    async def boomi_list(request: Request) -> Response:
        refused = _refused(request)
        if refused is not None:
            return refused
        number, size = int(request.query_params["pageNumber"]), int(request.query_params["pageSize"])
        state.page_sizes.append(request.query_params["pageSize"])
        rows = list(state.subscriptions.values())
        pages = -(-len(rows) // size)
        meta = {"pageNumber": number, "pageSize": size, "totalPages": pages, "totalElements": len(rows)}
        meta |= {"first": number == 0, "last": number >= pages - 1}
        return JSONResponse({"subscriptions": rows[number * size : (number + 1) * size], "paginationMetadata": meta})

    async def boomi_one(request: Request) -> Response:
        refused = _refused(request)
        if refused is not None:
            return refused
        existing = state.subscriptions.get(request.path_params["sid"])
        if existing is None:
            return JSONResponse({"error": "Not Found", "messages": ["Subscription not found"]}, status_code=404)
        if request.method == "GET":
            return JSONResponse(existing)
        body = json.loads(await request.body())
        state.puts.append(body)
        sent = body["subscription"]
        # A replacement: what the request leaves out is gone; only the server's own fields stay.
        replaced = {**{k: existing[k] for k in SERVER_FIELDS if k in existing}, **sent}
        replaced["subscriptionId"] = existing["subscriptionId"]
        state.subscriptions[existing["subscriptionId"]] = replaced
        return JSONResponse({"subscription": replaced})

    base = f"/rest/v1/accounts/{ACCOUNT}/subscriptions"
    return Starlette(
        routes=[
            Route("/v1/events/publish", qala_publish, methods=["POST"]),
            Route("/v1/topics/{topic}/events/publish", qala_publish, methods=["POST"]),
            Route(base, boomi_list, methods=["GET"]),
            Route(base + "/{sid}", boomi_one, methods=["GET", "PUT"]),
        ]
    )


class RealServer:
    """``start()`` returns once it accepts connections on a free loopback port; ``stop()`` ends it."""

    def __init__(self) -> None:
        self.state = RealAnswers()
        self.url = ""
        self.token = TOKEN
        self._server = AppServer(create_app(self.state), "test server")

    def reset(self) -> RealAnswers:
        """Forget what earlier tests set and sent (the app keeps the same state object)."""
        vars(self.state).update(vars(RealAnswers()))
        return self.state

    def start(self) -> None:
        self.url = self._server.start()

    def stop(self) -> None:
        self._server.stop()

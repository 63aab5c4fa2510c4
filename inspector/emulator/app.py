"""The emulator's HTTP app (Starlette): one ``ServiceMount`` per service and access rule (``services/``), each
with its own token check, rate window and error shape; the index; and the ``Host`` check in front of them all."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from inspector.core.regions import is_loopback_host
from inspector.emulator.context import DEFAULT_CONTAINER_TOKEN, DEFAULT_TOKEN, Context, EmulatorSettings
from inspector.emulator.problems import json_error, workato_error
from inspector.emulator.routing import Endpoint, ServiceMount
from inspector.emulator.store import Store
from inspector.services import emulator_routes, load

__all__ = [
    "DEFAULT_CONTAINER_TOKEN",
    "DEFAULT_TOKEN",
    "EmulatorHandle",
    "EmulatorSettings",
    "LoopbackHostOnly",
    "create_app",
    "is_loopback_host_header",
]


def _indexes() -> list[Any]:
    """Each service's entry of the index at ``/`` (its module's ``INDEX``), in the registry's order."""
    return [load(path.partition(":")[0] + ":INDEX") for path in emulator_routes()]


def create_app(store: Store, settings: EmulatorSettings | None = None) -> Starlette:
    """The ASGI app over ``store``. ``app.state.emulator.close()`` wakes every long poll (for shutdown)."""
    context = Context(store, settings or EmulatorSettings())
    index = ServiceMount(context, [Endpoint("GET", "/", _index)], gate=context.gate, access=None, shape=workato_error)
    routes: list[BaseRoute] = [
        index,
        *(mount for path in emulator_routes() for mount in load(path)(context)),  # each service's, from the registry
    ]
    middleware = [Middleware(LoopbackHostOnly)] if context.settings.loopback_only else []
    app = Starlette(routes=routes, exception_handlers={HTTPException: _not_found}, middleware=middleware)
    app.state.emulator = EmulatorHandle(context)
    return app


async def _index(request: Request, context: Context) -> Response:
    return JSONResponse(
        {
            "service": "Topic Inspector emulator of the Workato Event Streams API",
            "openapi": "/openapi.json",
            "services": _indexes(),
        }
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    """What no route answers (404), or answers with another method (405), in the emulator's own shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return json_error(
            405,
            f"{request.method} is not allowed on {request.url.path}",
            "method_not_allowed",
            {"Allow": (exc.headers or {}).get("Allow", "")},
        )
    return json_error(
        exc.status_code,
        "no such endpoint" if exc.status_code == 404 else str(exc.detail),
        "not_found" if exc.status_code == 404 else "error",
    )


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
                refusal = json_error(
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

    def __init__(self, context: Context) -> None:
        self._context = context

    @property
    def store(self) -> Store:
        return self._context.store

    @property
    def settings(self) -> EmulatorSettings:
        return self._context.settings

    @property
    def requests(self) -> int:
        return self._context.gate.requests

    def close(self) -> None:
        """Wake every waiting long poll so the server can stop at once."""
        self._context.polls.close()

    def notify(self, topic_id: int) -> None:
        self._context.polls.notify(topic_id)

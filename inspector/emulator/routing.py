"""How a service plugs into the app: a table of ``Endpoint`` rows, mounted as one ``ServiceMount`` (a Starlette
Router) that applies one access rule and one error shape to all of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.datastructures import URLPath
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

from inspector.emulator.context import Access, Gate
from inspector.emulator.problems import ApiProblem

S = TypeVar("S")
Handler = Callable[[Request, S], Awaitable[Response]]
ErrorShape = Callable[[Request, ApiProblem, S], Response]  # how a service answers an ``ApiProblem``


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[S]):
    """One method on one path; ``query``: the query parameters it takes (any other is refused with a 400)."""

    method: str
    path: str
    handler: Handler[S]
    query: frozenset[str] = frozenset()


class ServiceMount(BaseRoute, Generic[S]):
    """A service's endpoints as one Starlette Router over the service's ``state``. Every request it answers is
    counted and let in by ``access`` (None: anyone); a refusal (``ApiProblem``) is answered in ``shape``.

    Unlike Starlette's ``Mount`` it has no path prefix: it claims a request only when one of its routes matches
    the path, so services may share a prefix (Workato and Messaging both serve ``/api/v1/...``), and a path no
    route knows goes on to the app's 404 (or its trailing-slash redirect), as with one flat table of routes.
    A known path with another method is a 405, with no token needed."""

    def __init__(
        self,
        state: S,
        endpoints: Sequence[Endpoint[S]],
        *,
        gate: Gate,
        access: Access | None,
        shape: ErrorShape[S],
    ) -> None:
        self.state, self.gate, self.access, self.shape = state, gate, access, shape
        by_path: dict[str, dict[str, Endpoint[S]]] = {}
        for endpoint in endpoints:
            by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint
        self.router = Router(
            [Route(path, self._endpoint(methods), methods=list(methods)) for path, methods in by_path.items()]
        )

    def _endpoint(self, methods: dict[str, Endpoint[S]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            self.gate.requests += 1
            endpoint = methods["GET" if request.method == "HEAD" else request.method]
            try:
                if self.access is not None:
                    self.gate.admit(request, self.access)
                unknown = set(request.query_params) - endpoint.query
                if unknown:
                    known = ", ".join(sorted(endpoint.query)) or "none"
                    raise ApiProblem(
                        400, f"unknown query parameter {sorted(unknown)[0]!r} (known: {known})", "invalid_request"
                    )
                return await endpoint.handler(request, self.state)
            except ApiProblem as problem:
                return self.shape(request, problem, self.state)
            except ClientDisconnect:
                return Response(status_code=499)  # nobody is listening; nothing to say

        return run

    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """The best match of its routes: a full one, else the first partial one (the path, another method)."""
        partial: tuple[Match, Scope] = (Match.NONE, {})
        for route in self.router.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return match, child_scope
            if match is Match.PARTIAL and partial[0] is Match.NONE:
                partial = (match, child_scope)
        return partial

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        return self.router.url_path_for(name, **path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.router(scope, receive, send)

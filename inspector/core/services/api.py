"""What every service client has: a base URL, a connection pool (shared or its own), a rate limiter shared per
(base URL, service, token), and the transport that words the service's errors its way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import httpx

from inspector.core.http import ApiTransport, ErrorWords, TokenSource, new_http_client
from inspector.core.ratelimit import RateLimiter, shared_limiter
from inspector.core.regions import REGIONAL_RPM, normalize_base_url


class ServiceClient:
    """Pass ``http`` to share a connection pool (one per base URL); otherwise the client owns its own and closes
    it in ``aclose``. Subclasses set ``SERVICE`` (keys the limiter), ``ERROR_WORDS`` and ``HINTS``."""

    SERVICE = ""
    ERROR_WORDS: ErrorWords | None = None
    HINTS: Mapping[int, str] = {}

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | None = None,
        rate_limit_rpm: int = REGIONAL_RPM,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self._owns_http = http is None
        self._http = http or new_http_client(self.base_url)
        self.limiter = limiter or shared_limiter(f"{self.base_url}#{self.SERVICE}", token, rate_limit_rpm)
        self._api = ApiTransport(self._http, token, self.limiter, error_words=self.ERROR_WORDS, hints=self.HINTS)

    @property
    def host(self) -> str:
        return self._api.host

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

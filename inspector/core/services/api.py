"""What every service client has, and the capabilities a caller can ask a client for.

``ServiceClient``: a base URL, a connection pool (shared or its own), a rate limiter (given, or the app's
``Limiters`` one per (base URL, service, token), or its own), and the transport that words the service's errors
its way.

The ``Supports*`` protocols type a capability (``inspector.core.services.CONSUME`` ...): ``TopicTail`` takes any
``SupportsConsume``, ``publish_all`` any ``SupportsPublish``, so the core's machinery is typed to what it uses,
not to a vendor's client. ``can_publish_batch`` reads a client's capabilities and narrows its type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, Self, TypeGuard, runtime_checkable

import httpx

from inspector.core.http import ApiTransport, ErrorWords, TokenSource, new_http_client
from inspector.core.models import BatchResult, JsonObject, Message, Topic
from inspector.core.ratelimit import Limiters, RateLimiter, limiter_for
from inspector.core.regions import REGIONAL_RPM, normalize_base_url
from inspector.core.services import PUBLISH_BATCH
from inspector.core.validation import MAX_CONSUME_BATCH


class ServiceClient:
    """Pass ``http`` to share a connection pool (one per base URL); otherwise the client owns its own and closes
    it in ``aclose``. Pass ``limiter``: a ``RateLimiter``, or the app's ``Limiters`` to share one budget per
    (base URL, service, token) with every other client given it; without one the client has a budget of its own.
    Subclasses set ``SERVICE`` (keys the budget), ``ERROR_WORDS`` and ``HINTS``."""

    SERVICE = ""
    ERROR_WORDS: ErrorWords | None = None
    HINTS: Mapping[int, str] = {}

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int = REGIONAL_RPM,
        read_timeout: float | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self._owns_http = http is None
        self._http = http or new_http_client(self.base_url)
        self.limiter = limiter_for(limiter, f"{self.base_url}#{self.SERVICE}", token, rate_limit_rpm)
        self._api = ApiTransport(
            self._http, token, self.limiter, read_timeout=read_timeout, error_words=self.ERROR_WORDS, hints=self.HINTS
        )

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


# ----- capabilities ---------------------------------------------------------------------------------------------
@runtime_checkable
class HasCapabilities(Protocol):
    """A client: what it can do, and the request budget every call of it goes through."""

    @property
    def capabilities(self) -> frozenset[str]: ...

    @property
    def limiter(self) -> RateLimiter: ...


@runtime_checkable
class SupportsConsume(HasCapabilities, Protocol):
    """Read a topic from a cursor, long-polling (CONSUME)."""

    async def consume(
        self,
        topic_id: int,
        *,
        after_message_id: str | None = None,
        since_time: datetime | str | None = None,
        batch_size: int = MAX_CONSUME_BATCH,
        timeout_secs: int = 0,
        on_sent: Callable[[], None] | None = None,
    ) -> list[Message]: ...


@runtime_checkable
class SupportsPublish(HasCapabilities, Protocol):
    """Publish one message to a topic (PUBLISH); ``publish_encoded`` takes a payload already checked and encoded."""

    async def publish(self, topic_id: int, payload: JsonObject) -> str: ...

    async def publish_encoded(
        self, topic_id: int, body: bytes, *, on_sent: Callable[[], None] | None = None
    ) -> str: ...


@runtime_checkable
class SupportsPublishBatch(SupportsPublish, Protocol):
    """Publish up to 100 messages in one request, one result per item (PUBLISH_BATCH)."""

    async def publish_batch(self, topic_id: int, payloads: Sequence[JsonObject]) -> BatchResult: ...

    async def publish_encoded_batch(
        self, topic_id: int, encoded: Sequence[bytes], *, on_sent: Callable[[], None] | None = None
    ) -> BatchResult: ...


@runtime_checkable
class SupportsTopics(Protocol):
    """List and manage a deployment's topics (LIST_TOPICS)."""

    async def list_topics(
        self, *, name: str | None = None, sort: str | None = None, include_schema: bool = False
    ) -> list[Topic]: ...

    async def get_topic(self, topic_id: int) -> Topic: ...

    async def create_topic(
        self, name: str, schema: list[JsonObject], *, retention_secs: int | None = None, description: str = ""
    ) -> Topic: ...

    async def update_topic(
        self,
        topic_id: int,
        *,
        name: str | None = None,
        schema: list[JsonObject] | None = None,
        retention_secs: int | None = None,
        description: str | None = None,
    ) -> Topic: ...

    async def delete_topic(self, topic_id: int) -> None: ...

    async def purge_topic(self, topic_id: int) -> None: ...


def can_publish_batch(client: SupportsPublish) -> TypeGuard[SupportsPublishBatch]:
    """Whether the client publishes batches here (the legacy domain has no batch publish), by its capabilities."""
    return PUBLISH_BATCH in client.capabilities

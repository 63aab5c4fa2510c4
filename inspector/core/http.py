"""The one place that sends HTTP: security rules, rate limiting, and mapping of answers to typed errors."""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from inspector import __version__
from inspector.core import connection, network
from inspector.core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    InspectorError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from inspector.core.network import NetworkSettings
from inspector.core.ratelimit import RateLimiter
from inspector.core.redact import redact
from inspector.core.regions import normalize_base_url
from inspector.core.scrub import scrub_tokens
from inspector.core.secrets import token_problem
from inspector.core.timeparse import now_utc

# The token itself, or something to ask for it once per request (``KeyringToken``: read from the keyring and
# dropped after the request, so a long-running client does not hold it).
TokenSource = str | Callable[[], str] | Callable[[], Awaitable[str]]
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
LONG_POLL_GRACE = 15.0  # read timeout beyond the long-poll wait
# The most of an answer that is read: a consume answer holds at most 50 messages of at most 1 MB each, as JSON
# (escapes can nearly double a payload's size in the worst case), so no answer of these APIs comes near it.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
MAX_ERROR_BYTES = 1024 * 1024  # of an error answer (an HTML page from a proxy): enough for its words


def new_http_client(base_url: str, settings: NetworkSettings | None = None) -> httpx.AsyncClient:
    """An httpx client for one base URL: never follows redirects (the token must not travel elsewhere).

    Its proxy and trusted CAs come from ``settings`` (a profile's), else from the command's (``network.configured``),
    and the environment; ``inspector.core.connection`` decides them per base URL, so httpx's own reading of the
    environment stays off: a plain-http (loopback) base URL never goes through a proxy."""
    url = normalize_base_url(base_url)
    found = connection.route(url, network.configured() if settings is None else settings)
    client = httpx.AsyncClient(
        base_url=url,
        follow_redirects=False,
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        headers={"User-Agent": f"topic-inspector/{__version__}", "Accept": "application/json"},
        trust_env=False,
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm holds the body until
        # the server's delayed ACK (~40 ms a request).
        transport=httpx.AsyncHTTPTransport(
            verify=found.tls or True,  # no TLS context for plain http: httpx's default, never used
            proxy=found.transport_proxy,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        ),
    )
    connection.remember_route(client, found)
    return client


class HttpPool:
    """One shared ``httpx.AsyncClient`` per base URL and network settings; ``aclose`` closes them all."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, NetworkSettings | None], httpx.AsyncClient] = {}

    def get(self, base_url: str, settings: NetworkSettings | None = None) -> httpx.AsyncClient:
        key = (normalize_base_url(base_url), settings)
        client = self._clients.get(key)
        if client is None or client.is_closed:
            client = self._clients[key] = new_http_client(key[0], settings)
        return client

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (seconds or an HTTP date), within 0..MAX_RETRY_AFTER: a
    server asking for days (or "inf") is waited out an hour at a time, with the state shown, not forever."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(seconds):
            return DEFAULT_RETRY_AFTER
        return min(max(seconds, 0.0), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max((when - now_utc()).total_seconds(), 0.0), MAX_RETRY_AFTER)


_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def body_excerpt(response: httpx.Response, limit: int = 120) -> str:
    """A short, single-line, tag-free excerpt of a body that is not the API's JSON."""
    text = _SPACE.sub(" ", _TAGS.sub(" ", response.text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_body(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if "html" in kind:
        return "an HTML page"
    if not response.content:
        return "an empty body"
    if not kind:
        return "a body without a content type"
    return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind} body"  # "an application/json body"


class ApiTransport:
    """Sends one API request at a time through the limiter and turns every failure into an ``InspectorError``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: TokenSource,
        limiter: RateLimiter,
        *,
        read_timeout: float | None = None,
        error_words: ErrorWords | None = None,
        hints: Mapping[int, str] | None = None,
    ) -> None:
        self._http = http
        self._token = token
        self.limiter = limiter
        # (the server's message, its code) from an error answer's JSON; each service words its errors its way
        self._error_words = error_words or workato_error_words
        self._hints = {**WORKATO_HINTS, **(hints or {})}  # by status: how to fix a 401 or a 404 of this service
        self.host = urlsplit(str(http.base_url)).netloc
        # None: READ_TIMEOUT for a request, LONG_POLL_GRACE beyond a long poll's wait; a number replaces both.
        self.read_timeout = read_timeout

    def _scrub(self, text: str, token: str) -> str:
        """What a server, a proxy or the network library said, fit to show and keep: one that echoes the token
        (an error page listing the request's headers; h11's "Illegal header value b'Bearer …'") must not put it
        in errors, logs or saved publish results, in any encoding."""
        return redact(scrub_tokens(text, (token,) if token else ()))

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: dict[str, str] | None = None,
        read_timeout: float | None = None,
        not_found: str = "",
        on_sent: Callable[[], None] | None = None,
        headers: Mapping[str, str] | None = None,
        empty_ok: bool = False,
    ) -> Any:
        """Send and return the decoded JSON of a 2xx answer. ``not_found`` words a 404. With ``empty_ok``, a
        204 (No Content) answer is expected and returns None.

        ``read_timeout`` defaults to the transport's own (``READ_TIMEOUT`` unless one was given).

        ``on_sent`` is called once the whole request is on the wire, while the answer is awaited.
        """
        if read_timeout is None:
            read_timeout = READ_TIMEOUT if self.read_timeout is None else self.read_timeout
        await self.limiter.acquire()
        token = await token_of(self._token)
        problem = token_problem(token)
        if problem is not None:  # never sent: an empty or broken Authorization header is refused or echoed
            token = ""
            raise AuthError(
                f"the token for {self.host} {problem.words}; nothing was sent",
                hint="store the token again: paste the API client token alone",
            )
        sent_headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        if body is not None:
            sent_headers["Content-Type"] = "application/json"
        try:
            return self._decode(
                await self._send(method, path, body, params, sent_headers, read_timeout, on_sent, token),
                not_found,
                token,
                empty_ok,
            )
        except InspectorError as exc:
            # Errors are kept (a tab's status, publish results): the frames of their traceback keep their
            # lines for a report but not their variables, the token among them.
            traceback.clear_frames(exc.__traceback__)
            raise
        finally:
            sent_headers.clear()
            token = ""  # this frame, which an error's traceback holds, keeps no token either

    async def _send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        params: dict[str, str] | None,
        headers: dict[str, str],
        read_timeout: float,
        on_sent: Callable[[], None] | None,
        token: str,
    ) -> httpx.Response:
        """Send and read the answer, streamed and cut at ``MAX_ANSWER_BYTES`` (``MAX_ERROR_BYTES`` for an error):
        a broken or hostile server cannot make the app read hundreds of megabytes. Every failure's words are
        scrubbed of the token."""
        error: InspectorError
        try:
            request = self._http.build_request(
                method,
                path,
                content=body,
                params=params,
                headers=headers,
                timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT),
                extensions={"trace": _sent_tracer(on_sent)} if on_sent is not None else None,
            )
            response = await self._http.send(request, stream=True)
            try:
                await self._read_bounded(response)
            finally:
                await response.aclose()
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
            # A proxy's refusal of the tunnel (ProxyError) comes before the request too: it was not sent.
            failure = await connection.connect_failure(exc, self.host, connection.route_of(self._http))
            if failure is None:
                failure = connection.ConnectFailure(
                    f"cannot connect to {self.host}: {_reason(exc)}",
                    "check the network, the base URL, and that the service is running",
                    lasting=False,
                )
            error = TransportError(self._scrub(failure.message, token), maybe_sent=False, hint=failure.hint)
            error.retryable = not failure.lasting  # an untrusted certificate stays so until a setting changes
        except httpx.TimeoutException as exc:
            error = TransportError(
                f"{self.host} did not answer in time ({type(exc).__name__})",
                maybe_sent=True,
                hint="the request may have been processed; check before sending it again",
            )
        except httpx.HTTPError as exc:
            error = TransportError(
                f"the connection to {self.host} failed: {self._scrub(_reason(exc), token)}",
                maybe_sent=True,
                hint="the request may have been processed; check before sending it again",
            )
        # Raised here, not inside ``except``: the error must not carry httpx's exception as its context, whose
        # traceback holds the request and so the Authorization header.
        raise error

    async def _read_bounded(self, response: httpx.Response) -> None:
        """Read the body into ``response`` (as ``read()`` would), refusing an answer over ``MAX_ANSWER_BYTES``
        before or while it comes; an error answer is cut at ``MAX_ERROR_BYTES`` (its start says enough)."""
        status = response.status_code
        limit = MAX_ANSWER_BYTES if 200 <= status < 300 else MAX_ERROR_BYTES
        declared = response.headers.get("content-length", "").strip()
        if limit == MAX_ANSWER_BYTES and declared.isdigit() and int(declared) > limit:
            raise _too_large(self.host, status, f"says it is {_size(int(declared))} long")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: a compressed answer is bounded as it unpacks
            size += len(chunk)
            if size > limit:
                if limit == MAX_ANSWER_BYTES:
                    raise _too_large(self.host, status, f"went past {_size(limit)}")
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            chunks.append(chunk)
        response._content = b"".join(chunks)

    def _decode(self, response: httpx.Response, not_found: str, token: str, empty_ok: bool = False) -> Any:
        status = response.status_code
        if status == 204 and empty_ok:
            return None
        if 200 <= status < 300:
            try:
                return json.loads(response.content)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
                raise UnexpectedResponseError(
                    f"{self.host} answered {status} with {_describe_body(response)} that is not valid JSON"
                    " (truncated?)",
                    status=status,
                    hint="a proxy or the service failed; retrying is safe for reads",
                ) from None
        server_message, code = "", ""
        try:
            data = json.loads(response.content)
            if isinstance(data, dict):
                data = json.loads(self._scrub(json.dumps(data), token))
                words, code = self._error_words(data)
                server_message = self._scrub(words, token)
            else:
                data = None
        except (ValueError, RecursionError):
            data = None
        said = f": {server_message}" if server_message else ""
        where = f"{self.host} answered {status}"
        if 300 <= status < 400:
            target = self._scrub(response.headers.get("location", "?"), token)
            raise UnexpectedResponseError(
                f"{where}, a redirect to {target}; not followed, so the token stays with {self.host}",
                status=status,
                hint="check the base URL (a redirect usually means a wrong host or path)",
            )
        if data is None and status not in (401, 404, 429):
            server_message = self._scrub(body_excerpt(response), token)
            raise (ServerError if status >= 500 else UnexpectedResponseError)(
                f"{where} with {_describe_body(response)} instead of the API's JSON",
                status=status,
                server_message=server_message,
                hint="a proxy or the service failed; try again shortly",
            )
        error = self._status_error(response, status, where, said, not_found, server_message, code)
        error.body = data
        raise error

    def _status_error(
        self,
        response: httpx.Response,
        status: int,
        where: str,
        said: str,
        not_found: str,
        server_message: str,
        code: str,
    ) -> ApiError:
        kwargs: dict[str, Any] = {"status": status, "server_message": server_message, "code": code}
        if status in (401, 403):
            return AuthError(f"token rejected by {self.host} ({status}){said}", hint=self._hints[status], **kwargs)
        if status == 404:
            return NotFoundError(
                f"{not_found or 'not found'} ({where}){said}",
                hint=self._hints[404],
                **kwargs,
            )
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            self.limiter.pause(DEFAULT_RETRY_AFTER if retry_after is None else retry_after)
            wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
            return RateLimitedError(
                f"rate limit reached at {self.host}{wait}",
                retry_after=retry_after,
                hint="requests are paused until the limit resets",
                **kwargs,
            )
        if status in (400, 409, 413, 422):
            return BadRequestError(
                f"{self.host} refused the request ({status}){said}", hint="fix the request as the server says", **kwargs
            )
        if status >= 500:
            return ServerError(f"{where}: service error{said}", hint="the service failed; try again shortly", **kwargs)
        return ApiError(f"{where}{said}", **kwargs)


ErrorWords = Callable[[dict[str, Any]], tuple[str, str]]
WORKATO_HINTS = {
    401: "check the token: it must be an API client token allowed to use this topic",
    403: "check the token: it must be an API client token allowed to use this topic",
    404: "check the topic id and that the region matches the topic's workspace",
}


def workato_error_words(data: dict[str, Any]) -> tuple[str, str]:
    """Workato's errors: ``{"message": ..., "code": ...}`` (or ``error``)."""
    return str(data.get("message") or data.get("error") or ""), str(data.get("code") or "")


T = TypeVar("T")


async def token_of(source: TokenSource) -> str:
    """The token for one request."""
    if isinstance(source, str):
        return source
    value = source()
    return value if isinstance(value, str) else await value


async def send_ahead(start: Callable[[Callable[[], None]], Coroutine[Any, Any, T]]) -> asyncio.Task[T]:
    """Start a request as a task (``start(on_sent)``) and return the task once the request is on the wire (or
    already over, failed before it went out included: that shows when the task is awaited). The caller works
    while the answer is awaited; cancelled meanwhile, the request is cancelled too."""
    sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def mark_sent(*_: object) -> None:
        if not sent.done():
            sent.set_result(None)

    task = asyncio.ensure_future(start(mark_sent))
    task.add_done_callback(mark_sent)
    try:
        await sent
    except BaseException:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise
    return task


def _sent_tracer(on_sent: Callable[[], None]) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore trace hook that calls ``on_sent`` when the request body has been written."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            on_sent()

    return trace


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _too_large(host: str, status: int, how: str) -> UnexpectedResponseError:
    error = UnexpectedResponseError(
        f"{host} answered {status} with a body that {how}; stopped reading it (no answer of this API is larger"
        f" than {_size(MAX_ANSWER_BYTES)}: 50 messages of 1 MB at most)",
        status=status,
        hint="a proxy or the service is misbehaving; a publish that got this may have been stored",
    )
    error.retryable = False  # the same request would bring the same flood: not read again on its own
    return error


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def shape_error(host: str, what: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"{host} answered with JSON of the wrong shape: {what}",
        status=200,
        hint="the service or a proxy is misbehaving; retrying is safe for reads",
    )

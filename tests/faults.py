"""A fault-injecting HTTP/1.1 proxy for tests and benchmarks, and the two scenarios that run through it.

``FaultProxy`` listens on 127.0.0.1 (a free port) in a background thread and forwards each request to an upstream
base URL (the emulator). At ``rate``, a request gets one ``Fault`` instead of (or after) being forwarded; which one
follows from ``random.Random(f"{seed}:{n}")`` for the n-th request, so a seed gives the same sequence every time.
``force`` serves chosen faults to the next requests whatever the rate. Every exchange is recorded (``exchanges``:
number, request, fault, whether the upstream got it) and faults are counted by kind (``faults``).

``tail_through_faults`` and ``publish_through_faults`` are the reliability scenarios; ``fault_scenarios`` (async)
and ``run_fault_scenarios`` (sync) run both and return the figures a benchmark prints. The tests assert on the
reports of the same two functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import itertools
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from inspector.core.backoff import Backoff
from inspector.core.models import ItemResult, Message, Outcome
from inspector.core.publisher import publish_all
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TopicTail
from inspector.emulator.server import EmulatorServer


class Fault(StrEnum):
    HTTP_500 = "http_500"  # a JSON error body
    HTTP_502_HTML = "http_502_html"  # a proxy's HTML error page
    HTTP_503 = "http_503"  # an empty body
    HTTP_429_RETRY_AFTER = "http_429_retry_after"
    HTTP_429 = "http_429"  # no Retry-After
    DROP_BEFORE = "drop_before"  # the connection closes before the request is forwarded
    DROP_AFTER = "drop_after"  # forwarded (the upstream did the work), then the connection closes unanswered
    STALL = "stall"  # forwarded, then nothing for ``stall_secs`` (longer than the client waits), then closed
    TRUNCATED = "truncated"  # forwarded; the answer's body is cut short (its Content-Length matches the cut)
    WRONG_SHAPE = "wrong_shape"  # forwarded; the answer's body is valid JSON of the wrong shape


# Faults served after the request reached the upstream.
FORWARDED_FAULTS = frozenset({Fault.DROP_AFTER, Fault.STALL, Fault.TRUNCATED, Fault.WRONG_SHAPE})
# Faults after which a client cannot know whether the upstream processed the request: all but the 429s. A 5xx and
# a connection dropped before the answer look the same to it whether or not the request was forwarded.
OUTCOME_HIDING_FAULTS = frozenset(Fault) - {Fault.HTTP_429, Fault.HTTP_429_RETRY_AFTER}

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
    b"\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_WRONG_SHAPES = (b'{"unexpected":true}', b'[{"unexpected":true}]')


def choose_fault(seed: int, rate: float, number: int, kinds: Sequence[Fault] = tuple(Fault)) -> Fault | None:
    """The fault of request ``number`` (0-based) for a seed and a rate: a pure function of the three."""
    return _plan(seed, rate, number, kinds)[0]


def _plan(seed: int, rate: float, number: int, kinds: Sequence[Fault]) -> tuple[Fault | None, random.Random]:
    rng = random.Random(f"{seed}:{number}")
    if not kinds or rng.random() >= rate:
        return None, rng
    return rng.choice(list(kinds)), rng


@dataclass(slots=True)
class Exchange:
    """One request through the proxy."""

    number: int
    method: str
    path: str
    body: bytes
    fault: Fault | None
    forwarded: bool = False  # the upstream answered it: it did the work
    status: int | None = None  # what the client was answered; None when it got no answer
    error: str = ""  # the upstream could not be reached (not an injected fault)


@dataclass(slots=True)
class _Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool


class _Unsupported(Exception):
    """A request this small proxy does not handle (chunked bodies); answered 501 and the connection closed."""


class FaultProxy:
    """An HTTP/1.1 proxy in a background thread that injects ``Fault``s; ``start()``/``stop()`` or ``with``."""

    def __init__(
        self,
        upstream: str,
        *,
        rate: float = 0.0,
        seed: int = 0,
        kinds: Sequence[Fault] = tuple(Fault),
        stall_secs: float = 2.0,
        retry_after: str = "1",
        host: str = "127.0.0.1",
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.stall_secs = stall_secs
        self.retry_after = retry_after
        self.host = host
        self.url = ""
        self.faults: Counter[Fault] = Counter()
        self.exchanges: list[Exchange] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._forced: list[Fault] = []
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._upstream: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ----- control, from any thread ------------------------------------------------------------------------
    def force(self, kind: Fault, times: int = 1) -> None:
        """Serve ``kind`` to the next ``times`` requests (before the seeded faults resume)."""
        with self._lock:
            self._forced += [kind] * times

    @property
    def requests(self) -> int:
        with self._lock:
            return len(self.exchanges)

    @property
    def forwarded(self) -> list[int]:
        """The numbers of the requests the upstream answered."""
        with self._lock:
            return [e.number for e in self.exchanges if e.forwarded]

    def fault_counts(self) -> Counter[Fault]:
        with self._lock:
            return Counter(self.faults)

    def start(self) -> str:
        if self._thread is not None:
            raise RuntimeError("already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        self.url = f"http://{self.host}:{sock.getsockname()[1]}"
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(self._main(sock, started))
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
            finally:
                started.set()
                sock.close()

        self._thread = threading.Thread(target=serve, name="fault-proxy", daemon=True)
        self._thread.start()
        started.wait(30)
        if failure or self._stop is None:
            self.stop()
            raise RuntimeError(f"the fault proxy did not start: {failure[0] if failure else 'timeout'}")
        return self.url

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(30)
        self._thread, self._loop, self._stop = None, None, None

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- the proxy loop ----------------------------------------------------------------------------------
    async def _main(self, sock: socket.socket, started: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        transport = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )
        async with httpx.AsyncClient(
            base_url=self.upstream,
            timeout=httpx.Timeout(120.0),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        ) as upstream:
            self._upstream = upstream
            server = await asyncio.start_server(self._connection, sock=sock)
            self._stop = stop
            started.set()
            try:
                await stop.wait()
            finally:
                server.close()
                tasks = list(self._tasks)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            self.connections += 1
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except _Unsupported as exc:
                    await _write(writer, 501, [("content-type", "text/plain")], str(exc).encode(), keep_alive=False)
                    return
                if request is None or not await self._exchange(request, writer):
                    return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return  # the client went away or spoke something else than HTTP/1.1
        except asyncio.CancelledError:
            # stop(): end quietly (asyncio.streams reports a cancelled connection task as an error in 3.11)
            return
        finally:
            self._tasks.discard(task)
            writer.close()

    def _next(self, request: _Request) -> tuple[Exchange, random.Random]:
        with self._lock:
            number = next(self._numbers)
            fault, rng = _plan(self.seed, self.rate, number, self.kinds)
            if self._forced:
                fault = self._forced.pop(0)
            exchange = Exchange(number, request.method, request.target, request.body, fault)
            self.exchanges.append(exchange)
            if fault is not None:
                self.faults[fault] += 1
        return exchange, rng

    async def _exchange(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request (or not); returns whether the connection stays open for the next one."""
        exchange, rng = self._next(request)
        fault, keep = exchange.fault, request.keep_alive

        async def answer(status: int, headers: list[tuple[str, str]], body: bytes) -> bool:
            await _write(writer, status, headers, body, keep_alive=keep)
            exchange.status = status
            return keep

        json_type = [("content-type", "application/json")]
        if fault is Fault.DROP_BEFORE:
            return False
        if fault is Fault.HTTP_500:
            problem = {"message": "Internal server error (injected by the fault proxy)", "code": "internal_error"}
            return await answer(500, json_type, json.dumps(problem).encode())
        if fault is Fault.HTTP_502_HTML:
            return await answer(502, [("content-type", "text/html")], _HTML_502)
        if fault is Fault.HTTP_503:
            return await answer(503, [], b"")
        if fault in (Fault.HTTP_429, Fault.HTTP_429_RETRY_AFTER):
            problem = {"message": "Too many requests (injected by the fault proxy)", "code": "rate_limit_exceeded"}
            extra = [("retry-after", self.retry_after)] if fault is Fault.HTTP_429_RETRY_AFTER else []
            return await answer(429, json_type + extra, json.dumps(problem).encode())

        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP | {"content-length"}]
        headers = [(k, v) for k, v in headers if k.lower() != "accept-encoding"] + [("accept-encoding", "identity")]
        assert self._upstream is not None
        try:
            response = await self._upstream.request(
                request.method, request.target, headers=headers, content=request.body
            )
        except httpx.HTTPError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            return await answer(502, [("content-type", "text/plain")], b"the fault proxy cannot reach the upstream")
        exchange.forwarded = True
        if fault is Fault.DROP_AFTER:
            return False
        if fault is Fault.STALL:
            await asyncio.sleep(self.stall_secs)
            return False
        body = response.content
        answer_headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in _HOP_BY_HOP | {"content-length", "content-encoding"}
        ]
        if fault is Fault.TRUNCATED:
            body = body[: rng.randint(1, len(body) - 1)] if len(body) > 1 else b""
        elif fault is Fault.WRONG_SHAPE:
            body = rng.choice(_WRONG_SHAPES)
            answer_headers = [(k, v) for k, v in answer_headers if k.lower() != "content-type"] + json_type
        return await answer(response.status_code, answer_headers, body)


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """One HTTP/1.1 request with a Content-Length body (or none); None at the end of the connection."""
    line = await reader.readline()
    while line in (b"\r\n", b"\n"):
        line = await reader.readline()
    if not line:
        return None
    method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    headers: list[tuple[str, str]] = []
    while True:
        line = await reader.readline()
        if not line:
            raise asyncio.IncompleteReadError(line, None)
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    fields = {k.lower(): v for k, v in headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        raise _Unsupported("chunked request bodies are not supported by the fault proxy")
    length = int(fields.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    connection = fields.get("connection", "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    return _Request(method, target, headers, body, keep_alive)


async def _write(
    writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]], body: bytes, *, keep_alive: bool
) -> None:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers), f"content-length: {len(body)}"]
    if not keep_alive:
        lines.append("connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


class ScaledLimiter(RateLimiter):
    """No request budget; a 429's pause is recorded in ``pauses`` as asked and waited ``scale`` times as long.

    The client still waits out every 429 before its next request, in compressed time: a 429 without
    Retry-After pauses for 5 s, which would make a run with a few dozen of them take minutes."""

    def __init__(self, scale: float = 0.1) -> None:
        super().__init__(0)
        self.scale = scale
        self.pauses: list[float] = []

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        super().pause(seconds * self.scale)


# ----- the scenarios ----------------------------------------------------------------------------------------
_names = itertools.count(1)


def _new_topic(emulator: EmulatorServer, what: str) -> int:
    assert emulator.store is not None, "the emulator is not running"
    return emulator.store.create_topic(f"faults-{what}-{next(_names)}-{time.monotonic_ns()}").id


def _stored(emulator: EmulatorServer, topic_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(message id, payload) of every message of the topic, in the store's order, read from the store itself."""
    store = emulator.store
    assert store is not None
    row = store.get_topic(topic_id)
    assert row is not None
    out: list[tuple[str, dict[str, Any]]] = []
    after: int | None = None
    while batch := store.read(row, after_seq=after, limit=5_000):
        out += [(m.message_id, json.loads(m.payload)) for m in batch]
        after = batch[-1].seq
    return out


def _fast_backoff(seed: int) -> Backoff:
    return Backoff(base=0.01, cap=0.1, rng=random.Random(seed))


@dataclass
class TailReport:
    published: list[str]  # message ids, in publish order
    received: list[str]  # message ids, in the order the tail handed them over
    faults: Counter[Fault]
    requests: int  # through the proxy
    seconds: float
    duplicates_dropped: int  # by the tail's de-duplication

    @property
    def lost(self) -> int:
        return len(set(self.published) - set(self.received))

    @property
    def duplicated(self) -> int:
        return len(self.received) - len(set(self.received))

    @property
    def in_order(self) -> bool:
        """The received ids, first deliveries only, are the published ids in publish order (less any lost)."""
        first = list(dict.fromkeys(self.received))
        got = set(first)
        return first == [m for m in self.published if m in got] and got <= set(self.published)

    def figures(self) -> dict[str, Any]:
        return {
            "published": len(self.published),
            "received": len(set(self.received)),
            "lost": self.lost,
            "duplicated": self.duplicated,
            "in_order": self.in_order,
            "requests": self.requests,
            "faults_injected": sum(self.faults.values()),
            "faults_by_kind": {str(k): v for k, v in sorted(self.faults.items())},
            "seconds": round(self.seconds, 2),
        }


async def tail_through_faults(
    emulator: EmulatorServer,
    *,
    messages: int = 10_000,
    rate: float = 0.2,
    seed: int = 1,
    wait_secs: int = 1,
    read_timeout: float = 0.5,
    stall_secs: float = 2.0,
    pause_scale: float = 0.1,
    within: float = 90.0,
) -> TailReport:
    """A following ``TopicTail`` through a ``FaultProxy`` while ``messages`` are published straight to the
    emulator in batches of 100; stopped once it has handed over as many messages as were published (or after
    ``within`` seconds). A consume through the proxy times out after ``wait_secs + read_timeout``."""
    topic = _new_topic(emulator, "tail")
    direct = custom_endpoint(emulator.url, rate_limit_rpm=0)
    published: list[str] = []
    received: list[str] = []
    began = time.monotonic()
    with FaultProxy(emulator.url, rate=rate, seed=seed, stall_secs=stall_secs) as proxy:
        async with (
            EventStreamsClient(direct, emulator.token, limiter=RateLimiter(0)) as publisher,
            EventStreamsClient(
                custom_endpoint(proxy.url, rate_limit_rpm=0),
                emulator.token,
                limiter=ScaledLimiter(pause_scale),
                read_timeout=read_timeout,
            ) as client,
        ):
            everything = asyncio.Event()

            def on_batch(batch: list[Message]) -> None:
                received.extend(m.message_id for m in batch)
                if len(received) >= messages:
                    everything.set()

            tail = TopicTail(
                client,
                topic,
                on_batch,
                follow=True,
                wait_secs=wait_secs,
                backoff=_fast_backoff(seed),
            )

            async def publish() -> None:
                for start in range(0, messages, 100):
                    payloads = [{"n": n} for n in range(start, min(start + 100, messages))]
                    result = await publisher.publish_batch(topic, payloads)
                    assert all(item.ok for item in result.items), result
                    published.extend(str(item.message_id) for item in result.items)

            tail_task = asyncio.create_task(tail.run())
            done = asyncio.create_task(everything.wait())
            try:
                await publish()
                await asyncio.wait([tail_task, done], timeout=within, return_when=asyncio.FIRST_COMPLETED)
            finally:
                done.cancel()
                await asyncio.gather(done, return_exceptions=True)
                tail.stop()
                await tail_task  # an error that ended the tail escapes here
        requests, faults = proxy.requests, proxy.fault_counts()
    return TailReport(published, received, faults, requests, time.monotonic() - began, tail.duplicates)


@dataclass
class PublishReport:
    results: list[ItemResult]
    stored: list[tuple[str, dict[str, Any]]]  # (message id, payload) read back from the emulator's store
    exchanges: list[Exchange]  # every request through the proxy
    seconds: float
    items: int
    by_index: dict[int, list[str]] = field(init=False)  # item index -> message ids the topic holds for it

    def __post_init__(self) -> None:
        self.by_index = {}
        for message_id, payload in self.stored:
            self.by_index.setdefault(int(payload["index"]), []).append(message_id)

    def outcome(self, kind: Outcome) -> list[ItemResult]:
        return [r for r in self.results if r.outcome is kind]

    @property
    def faults(self) -> Counter[Fault]:
        return Counter(e.fault for e in self.exchanges if e.fault is not None)

    @property
    def lost(self) -> list[int]:
        """SUCCESS items the topic does not hold under the reported message id."""
        return [r.index for r in self.outcome(Outcome.SUCCESS) if self.by_index.get(r.index) != [r.message_id]]

    @property
    def phantom(self) -> list[int]:
        """FAILED items the topic holds all the same."""
        return [r.index for r in self.outcome(Outcome.FAILED) if r.index in self.by_index]

    @property
    def duplicated(self) -> int:
        """Extra copies: items the topic holds more than once count once per copy beyond the first."""
        return sum(len(ids) - 1 for ids in self.by_index.values())

    def _publishes(self) -> list[tuple[Exchange, list[int]]]:
        """Every publish request through the proxy with the indices of the items it carried."""
        out = []
        for exchange in self.exchanges:
            if exchange.path.endswith("/publish"):
                body = json.loads(exchange.body)
                payloads = body["payloads"] if "/batch/" in exchange.path else [body]
                out.append((exchange, [int(p["index"]) for p in payloads]))
        return out

    def _carried(self) -> dict[int, list[Exchange]]:
        """Item index -> the publish requests that carried it, in order."""
        out: dict[int, list[Exchange]] = {}
        for exchange, indices in self._publishes():
            for index in indices:
                out.setdefault(index, []).append(exchange)
        return out

    @property
    def unknown_bound(self) -> int:
        """Items in publish requests that got a fault hiding the outcome from the client: the most UNKNOWNs a
        faithful publisher may report."""
        return sum(len(indices) for e, indices in self._publishes() if e.fault in OUTCOME_HIDING_FAULTS)

    @property
    def unexplained_unknown(self) -> list[int]:
        """UNKNOWN items whose last request got no outcome-hiding fault, or whose presence in the topic disagrees
        with whether a request carrying them reached the emulator."""
        carried = self._carried()
        bad = []
        for r in self.outcome(Outcome.UNKNOWN):
            exchanges = carried.get(r.index, [])
            hidden = bool(exchanges) and exchanges[-1].fault in OUTCOME_HIDING_FAULTS
            reached = any(e.forwarded for e in exchanges)
            if not hidden or reached != (r.index in self.by_index):
                bad.append(r.index)
        return bad

    def figures(self) -> dict[str, Any]:
        faults = self.faults
        return {
            "items": self.items,
            "success": len(self.outcome(Outcome.SUCCESS)),
            "failed": len(self.outcome(Outcome.FAILED)),
            "unknown_outcomes": len(self.outcome(Outcome.UNKNOWN)),
            "unknown_stored": sum(1 for r in self.outcome(Outcome.UNKNOWN) if r.index in self.by_index),
            "unknown_bound": self.unknown_bound,
            "stored": len(self.stored),
            "lost": len(self.lost),
            "phantom": len(self.phantom),
            "duplicated": self.duplicated,
            "requests": len(self.exchanges),
            "faults_injected": sum(faults.values()),
            "faults_by_kind": {str(k): v for k, v in sorted(faults.items())},
            "seconds": round(self.seconds, 2),
        }


async def publish_through_faults(
    emulator: EmulatorServer,
    *,
    items: int = 5_000,
    rate: float = 0.2,
    seed: int = 2,
    read_timeout: float = 3.0,
    stall_secs: float = 3.5,
    pause_scale: float = 0.1,
) -> PublishReport:
    """``publish_all`` of ``items`` payloads (each carries its index) through a ``FaultProxy``; the topic is then
    read back from the emulator's store. A publish through the proxy times out after ``read_timeout``."""
    topic = _new_topic(emulator, "publish")
    payloads = [{"index": i, "text": f"item {i}"} for i in range(items)]
    began = time.monotonic()
    with FaultProxy(emulator.url, rate=rate, seed=seed, stall_secs=stall_secs) as proxy:
        async with EventStreamsClient(
            custom_endpoint(proxy.url, rate_limit_rpm=0),
            emulator.token,
            limiter=ScaledLimiter(pause_scale),
            read_timeout=read_timeout,
        ) as client:
            results = await publish_all(client, topic, payloads, backoff=_fast_backoff(seed))
    seconds = time.monotonic() - began
    return PublishReport(results, _stored(emulator, topic), list(proxy.exchanges), seconds, items)


async def fault_scenarios(
    emulator: EmulatorServer,
    *,
    rate: float = 0.2,
    seed: int = 1,
    tail_messages: int = 10_000,
    publish_items: int = 5_000,
) -> dict[str, Any]:
    """Both scenarios against ``emulator``; the figures of each under "tail" and "publish", and in sum:

    * ``published``: messages confirmed published (all the tail scenario's, publish_all's SUCCESS items);
    * ``received``: distinct messages the tail handed over; ``lost``: confirmed messages the tail never handed
      over, plus SUCCESS items the topic does not hold under their id; ``duplicated``: messages handed over
      again, plus extra copies in the topic; ``unknown_outcomes``: publish_all's UNKNOWN items.
    """
    tail = await tail_through_faults(emulator, messages=tail_messages, rate=rate, seed=seed)
    publish = await publish_through_faults(emulator, items=publish_items, rate=rate, seed=seed + 1)
    tail_figures, publish_figures = tail.figures(), publish.figures()
    by_kind = Counter(tail.faults) + publish.faults
    return {
        "faults_injected": sum(by_kind.values()),
        "faults_by_kind": {str(k): v for k, v in sorted(by_kind.items())},
        "published": tail_figures["published"] + publish_figures["success"],
        "received": tail_figures["received"],
        "lost": tail_figures["lost"] + publish_figures["lost"],
        "duplicated": tail_figures["duplicated"] + publish_figures["duplicated"],
        "unknown_outcomes": publish_figures["unknown_outcomes"],
        "tail": tail_figures,
        "publish": publish_figures,
    }


def run_fault_scenarios(emulator: EmulatorServer, **options: Any) -> dict[str, Any]:
    """``fault_scenarios`` from synchronous code (a benchmark): runs its own event loop."""
    return asyncio.run(fault_scenarios(emulator, **options))

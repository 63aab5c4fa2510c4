"""TopicTail against a scripted server (httpx.MockTransport): cursor, backoff, de-duplication, stop."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime

import httpx
import pytest

from inspector.core.backoff import Backoff
from inspector.core.errors import AuthError, NotFoundError
from inspector.core.models import Message
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import StartPosition, TailState, TailStatus, TopicTail

BASE = "https://event-streams.example.test"


class ScriptedServer:
    """Holds messages M0..Mn; answers consume by cursor; ``faults`` are served first, one per request."""

    def __init__(self, count: int) -> None:
        self.ids = [f"M{i}" for i in range(count)]
        self.faults: list[httpx.Response | Exception] = []
        self.bodies: list[dict[str, object]] = []
        self.repeat_last = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.bodies.append(body)
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        start = 0
        if "after_message_id" in body:
            start = self.ids.index(str(body["after_message_id"])) + 1
        if self.repeat_last and start > 0:
            start -= 1  # a server that re-sends the cursor message (duplicates must be dropped)
        chunk = self.ids[start : start + int(body.get("batch_size", 50))]
        messages = [{"message_id": i, "time": "2024-05-01T10:00:00.000+00:00", "payload": {"id": i}} for i in chunk]
        return httpx.Response(200, json={"messages": messages})


def make(server: ScriptedServer) -> EventStreamsClient:
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(server.handler))
    return EventStreamsClient(custom_endpoint(BASE), "tok", http=http, limiter=RateLimiter(0))


def fast_backoff() -> Backoff:
    return Backoff(base=0.001, cap=0.004, rng=random.Random(1))


async def test_drain_delivers_everything_in_order_once() -> None:
    server = ScriptedServer(120)
    got: list[Message] = []
    tail = TopicTail(make(server), 1, got.extend, follow=False, batch_size=50)
    await tail.run()
    assert [m.message_id for m in got] == server.ids
    assert tail.cursor == "M119"
    assert "since_time" not in server.bodies[0]
    assert [b.get("after_message_id") for b in server.bodies[1:]] == ["M49", "M99", "M119"]
    assert all(b["timeout_secs"] == 0 for b in server.bodies)


async def test_next_request_is_out_before_a_batch_is_handed_over() -> None:
    server = ScriptedServer(120)
    requests_seen: list[int] = []

    def on_batch(batch: list[Message]) -> None:
        requests_seen.append(len(server.bodies))

    await TopicTail(make(server), 1, on_batch, follow=False, batch_size=50).run()
    # batch k (from request k) is handed over once request k+1 has been made
    assert requests_seen == [2, 3, 4]
    assert [b.get("after_message_id") for b in server.bodies] == [None, "M49", "M99", "M119"]


async def test_stopping_with_a_request_ahead_leaves_nothing_running() -> None:
    server = ScriptedServer(500)
    tail: TopicTail

    def on_batch(batch: list[Message]) -> None:
        if batch[0].message_id == "M100":
            tail.stop()

    tail = TopicTail(make(server), 1, on_batch, follow=False, batch_size=50)
    await tail.run()
    assert tail.received == 150
    await asyncio.sleep(0)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


def test_max_messages_sends_no_request_beyond_it() -> None:
    server = ScriptedServer(500)
    got: list[Message] = []
    asyncio.run(TopicTail(make(server), 1, got.extend, follow=False, batch_size=50, max_messages=100).run())
    assert len(got) == 100
    assert len(server.bodies) == 2


async def test_transient_faults_resume_from_the_same_cursor_without_gap_or_duplicate() -> None:
    server = ScriptedServer(100)
    request = httpx.Request("POST", BASE)
    server.faults = [
        httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
        httpx.ConnectError("refused", request=request),
        httpx.Response(200, text='{"messages": [{"mess'),
        httpx.Response(503, json={"message": "busy"}),
    ]
    statuses: list[TailStatus] = []
    got: list[Message] = []
    tail = TopicTail(
        make(server), 1, got.extend, follow=False, batch_size=30, on_status=statuses.append, backoff=fast_backoff()
    )
    await tail.run()
    assert [m.message_id for m in got] == server.ids
    backing = [s for s in statuses if s.state is TailState.BACKING_OFF]
    assert len(backing) == 4
    assert all("reconnecting in" in s.detail for s in backing)


async def test_fault_in_the_middle_keeps_cursor() -> None:
    server = ScriptedServer(60)
    got: list[Message] = []
    client = make(server)
    tail = TopicTail(client, 1, got.extend, follow=False, batch_size=20, backoff=fast_backoff())
    original = server.handler
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise httpx.ReadError("connection reset", request=request)
        return original(request)

    client._http._transport = httpx.MockTransport(flaky)
    await tail.run()
    assert [m.message_id for m in got] == server.ids
    assert server.bodies[1].get("after_message_id") == "M19"


async def test_duplicates_are_dropped() -> None:
    server = ScriptedServer(10)
    server.repeat_last = True
    got: list[Message] = []
    tail = TopicTail(make(server), 1, got.extend, follow=False, batch_size=4, max_messages=10)
    await tail.run()
    assert [m.message_id for m in got] == server.ids
    assert tail.duplicates >= 2


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (404, NotFoundError)])
async def test_fatal_errors_end_the_tail(status: int, error: type[Exception]) -> None:
    server = ScriptedServer(5)
    server.faults = [httpx.Response(status, json={"message": "no"})]
    statuses: list[TailStatus] = []
    tail = TopicTail(make(server), 1, lambda b: None, on_status=statuses.append)
    with pytest.raises(error):
        await tail.run()
    assert statuses[-1].state is TailState.ERROR
    assert len(server.bodies) == 1


async def test_since_time_only_on_first_request() -> None:
    server = ScriptedServer(60)
    moment = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    tail = TopicTail(make(server), 1, lambda b: None, follow=False, start=StartPosition.since_time(moment))
    await tail.run()
    assert server.bodies[0]["since_time"] == moment.isoformat()
    assert all("since_time" not in b for b in server.bodies[1:])


async def test_after_start_uses_the_id() -> None:
    server = ScriptedServer(10)
    got: list[Message] = []
    tail = TopicTail(make(server), 1, got.extend, follow=False, start=StartPosition.after_id("M4"))
    await tail.run()
    assert [m.message_id for m in got] == server.ids[5:]


async def test_refused_cursor_falls_back_to_its_time() -> None:
    server = ScriptedServer(10)
    got: list[Message] = []
    tail = TopicTail(make(server), 1, got.extend, follow=False, batch_size=5, backoff=fast_backoff())
    calls = 0
    original = server.handler

    def purge_cursor(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            return httpx.Response(400, json={"message": "Message M4 not found", "code": "message_not_found"})
        return original(request)

    tail.client._http._transport = httpx.MockTransport(purge_cursor)
    await tail.run()
    assert "since_time" in server.bodies[1]  # the request after the refusal starts from the cursor's time
    assert [m.message_id for m in got] == server.ids  # re-sent messages were de-duplicated


async def test_give_up_after_consecutive_failures() -> None:
    server = ScriptedServer(1)
    server.faults = [httpx.Response(503, json={"message": "down"}) for _ in range(10)]
    tail = TopicTail(make(server), 1, lambda b: None, follow=False, give_up_after=3, backoff=fast_backoff())
    with pytest.raises(Exception, match="503"):
        await tail.run()
    assert len(server.bodies) == 4


async def test_stop_ends_a_long_poll_at_once() -> None:
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(30)
        return httpx.Response(200, json={"messages": []})

    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(slow))
    client = EventStreamsClient(custom_endpoint(BASE), "tok", http=http, limiter=RateLimiter(0))
    tail = TopicTail(client, 1, lambda b: None, wait_secs=30)
    task = asyncio.create_task(tail.run())
    await asyncio.wait_for(started.wait(), 2)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    tail.stop()
    await asyncio.wait_for(task, 1)
    assert loop.time() - begin < 0.5
    assert tail.status.state is TailState.STOPPED


async def test_async_callback_is_awaited() -> None:
    server = ScriptedServer(3)
    seen: list[str] = []

    async def slow_sink(batch: list[Message]) -> None:
        await asyncio.sleep(0)
        seen.extend(m.message_id for m in batch)

    await TopicTail(make(server), 1, slow_sink, follow=False).run()
    assert seen == server.ids

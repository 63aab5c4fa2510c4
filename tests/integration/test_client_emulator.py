"""The core client, tail and publisher against a real emulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from inspector.core.errors import AuthError, NotFoundError, RateLimitedError
from inspector.core.models import Message, Outcome
from inspector.core.publisher import publish_all
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient
from inspector.core.tail import StartPosition, TailState, TailStatus, TopicTail
from inspector.emulator.samples import ORDER_SCHEMA
from inspector.emulator.server import EmulatorConfig, EmulatorServer


async def test_every_public_endpoint(client: EventStreamsClient, topic: int) -> None:
    first = await client.publish(topic, {"n": 0})
    batch = await client.publish_batch(topic, [{"n": 1}, {"n": 2}])
    assert not batch.is_partial_error
    assert batch.succeeded == 2
    messages = await client.consume(topic)
    assert [m.payload["n"] for m in messages] == [0, 1, 2]
    assert messages[0].message_id == first
    assert [m.message_id for m in messages[1:]] == [i.message_id for i in batch.items]
    later = await client.consume(topic, after_message_id=first, batch_size=1)
    assert [m.payload["n"] for m in later] == [1]
    since = await client.consume(topic, since_time=messages[0].time.replace(year=2000))
    assert len(since) == 3


async def test_errors_in_words(endpoint: object, emulator: EmulatorServer, topic: int) -> None:
    async with EventStreamsClient(custom_endpoint(emulator.url), "wrong-token", limiter=RateLimiter(0)) as bad:
        with pytest.raises(AuthError, match="token rejected"):
            await bad.consume(topic)
    async with EventStreamsClient(custom_endpoint(emulator.url), emulator.token, limiter=RateLimiter(0)) as good:
        with pytest.raises(NotFoundError, match="topic 987654 not found"):
            await good.consume(987654)


async def test_partial_batch_against_schema_topic(client: EventStreamsClient, emulator: EmulatorServer) -> None:
    assert emulator.store is not None
    tid = emulator.store.create_topic("schema-partial", schema=ORDER_SCHEMA).id
    good = {"order_id": 1, "status": "paid", "placed_at": "2024-05-01T10:00:00Z", "total": 2, "customer": {"name": "A"}}
    results = await publish_all(client, tid, [good, {**good, "total": "lots"}, good])
    assert [r.outcome for r in results] == [Outcome.SUCCESS, Outcome.FAILED, Outcome.SUCCESS]
    assert "payload.total" in (results[1].error or "")
    assert emulator.store.count(tid) == 2


async def test_on_sent_is_called_once_the_request_is_on_the_wire(client: EventStreamsClient, topic: int) -> None:
    await client.publish(topic, {"n": 1})
    calls: list[bool] = []
    answered = False

    def on_sent() -> None:
        calls.append(answered)

    batch = await client.consume(topic, on_sent=on_sent)
    answered = True
    assert len(batch) == 1
    assert calls == [False]  # once, before the answer was in


async def test_long_poll_tail_wakes_on_publish(client: EventStreamsClient, topic: int) -> None:
    got: list[Message] = []
    arrived = asyncio.Event()

    def on_batch(batch: list[Message]) -> None:
        got.extend(batch)
        arrived.set()

    tail = TopicTail(client, topic, on_batch, wait_secs=30, start=StartPosition.now())
    task = asyncio.create_task(tail.run())
    await asyncio.sleep(0.3)
    sent = time.perf_counter()
    message_id = await client.publish(topic, {"hello": "world"})
    await asyncio.wait_for(arrived.wait(), 5)
    assert time.perf_counter() - sent < 15  # woken by the publish, not at the poll's 30 s end
    assert [m.message_id for m in got] == [message_id]
    tail.stop()
    await task


async def test_tail_survives_emulator_restart_without_loss_or_duplicates(tmp_path: Path) -> None:
    server = EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, data=str(tmp_path / "emu.sqlite")))
    server.start()
    try:
        endpoint = custom_endpoint(server.url, rate_limit_rpm=0)
        async with EventStreamsClient(endpoint, server.token, limiter=RateLimiter(0)) as client:
            got: list[str] = []
            states: list[TailStatus] = []
            total = 120
            all_in = asyncio.Event()

            def on_batch(batch: list[Message]) -> None:
                got.extend(m.message_id for m in batch)
                if len(got) >= total:
                    all_in.set()

            tail = TopicTail(client, 2, on_batch, wait_secs=2, on_status=states.append)
            tail.backoff.base, tail.backoff.cap = 0.05, 0.2
            task = asyncio.create_task(tail.run())
            published: list[str] = []
            for round_ in range(3):
                for n in range(total // 3):
                    published.append(await client.publish(2, {"round": round_, "n": n}))
                    if n == 20:
                        await asyncio.to_thread(server.restart)  # mid-stream, same port and database
                        await asyncio.sleep(0.1)
            await asyncio.wait_for(all_in.wait(), 20)
            tail.stop()
            await task
        assert got == published  # every message, once, in order
        assert any(s.state is TailState.BACKING_OFF for s in states)
    finally:
        server.stop()


async def test_client_limiter_keeps_clear_of_429_and_honours_retry_after() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=4)) as server:
        endpoint = custom_endpoint(server.url, rate_limit_rpm=4)
        async with EventStreamsClient(endpoint, server.token, limiter=RateLimiter(4)) as client:
            for _ in range(4):
                await client.consume(1)
            assert client.limiter.usage().used == 4
            assert client.limiter.delay() > 50  # the fifth request would wait for the window
        # A second client with its own (unaware) limiter gets the 429 and the pause from Retry-After.
        async with EventStreamsClient(endpoint, server.token, limiter=RateLimiter(0)) as other:
            with pytest.raises(RateLimitedError) as caught:
                await other.consume(1)
            assert caught.value.retry_after is not None
            assert caught.value.retry_after > 0
            assert other.limiter.usage().paused_for > 0


async def test_developer_api_client(emulator: EmulatorServer) -> None:
    endpoint = custom_endpoint(emulator.url)
    async with DeveloperApiClient(endpoint, emulator.token, limiter=RateLimiter(0)) as dev:
        created = await dev.create_topic("dev-client", ORDER_SCHEMA, retention_secs=7200, description="from test")
        assert created.retention_secs == 7200
        assert created.schema == ORDER_SCHEMA
        listed = await dev.list_topics(name="dev-client", include_schema=True)
        assert [t.id for t in listed] == [created.id]
        assert listed[0].schema == ORDER_SCHEMA
        assert (await dev.get_topic(created.id)).description == "from test"
        updated = await dev.update_topic(created.id, name="dev-client-2")
        assert updated.name == "dev-client-2"
        await dev.purge_topic(created.id)
        await dev.delete_topic(created.id)
        with pytest.raises(NotFoundError):
            await dev.get_topic(created.id)

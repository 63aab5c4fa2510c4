"""Publish -> TopicTail callback latency over loopback while the tail long-polls.

Each sample publishes one message (from a separate client) and waits for the tail's callback. Beside it, in
the same run, the floor: the round trip of a single publish request alone. Goal: p50 < 20 ms.
"""

from __future__ import annotations

import asyncio
import json
import time

from _common import emulator_process, percentile

from inspector.core.models import Message
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import StartPosition, TopicTail

SAMPLES = 300


async def measure(url: str, token: str, topic: int) -> tuple[list[float], list[float]]:
    endpoint = custom_endpoint(url)
    arrived = asyncio.Event()

    def on_batch(batch: list[Message]) -> None:
        arrived.set()

    async with (
        EventStreamsClient(endpoint, token, limiter=RateLimiter(0)) as tail_client,
        EventStreamsClient(endpoint, token, limiter=RateLimiter(0)) as publisher,
    ):
        tail = TopicTail(tail_client, topic, on_batch, wait_secs=30, start=StartPosition.now())
        task = asyncio.create_task(tail.run())
        await publisher.publish(topic, {"warm": True})  # connections up, tail live
        await asyncio.wait_for(arrived.wait(), 10)
        latencies, round_trips = [], []
        for n in range(SAMPLES):
            arrived.clear()
            await asyncio.sleep(0.005)  # let the tail settle into its next long poll
            begin = time.perf_counter()
            await publisher.publish(topic, {"n": n})
            sent = time.perf_counter()
            await asyncio.wait_for(arrived.wait(), 10)
            done = time.perf_counter()
            latencies.append((done - begin) * 1000)
            round_trips.append((sent - begin) * 1000)
        tail.stop()
        await task
    return latencies, round_trips


def main() -> None:
    with emulator_process(0) as (url, token, topic):
        latencies, round_trips = asyncio.run(measure(url, token, topic))
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    floor = percentile(round_trips, 0.5)
    print(f"{SAMPLES} messages, one at a time, tail long-polling (wait 30 s)")
    print(f"publish -> callback: p50 {p50:.2f} ms, p99 {p99:.2f} ms  (goal p50 < 20 ms)")
    print(f"publish round trip alone (baseline floor): p50 {floor:.2f} ms")
    print(json.dumps({"p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "publish_rtt_p50_ms": round(floor, 2)}))


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: an emulator with a seeded backlog, in its own process, and figures."""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector.core.models import Message
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TopicTail
from inspector.emulator.store import Store

TOKEN = "bench-token"
NAMES = ["Jane Doe", "John Roe", "Ana Silva", "Kenji Sato"]


def seed(path: str, messages: int, payload_bytes: int) -> int:
    """Create a database with one topic holding ``messages`` messages of about ``payload_bytes``."""
    store = Store(path)
    topic = store.create_topic("bench", topic_id=77).id
    filler = "x" * max(payload_bytes - 60, 0)
    for start in range(0, messages, 1000):
        count = min(1000, messages - start)
        rows = [
            json.dumps({"n": start + i, "name": NAMES[(start + i) % 4], "fill": filler}, separators=(",", ":"))
            for i in range(count)
        ]
        store.publish(topic, rows)
    store.close()
    return topic


@contextlib.contextmanager
def emulator_process(
    messages: int, *, payload_bytes: int = 200, rate_limit: int = 0, extra_topics: Sequence[int] = ()
) -> Iterator[tuple[str, str, int]]:
    """An emulator in its own process over a seeded database: yields (url, token, topic).

    ``rate_limit`` is the emulator's limit in requests per minute per token (0 = off); ``extra_topics`` declares
    more (empty) topics by id, named ``bench-<id>``.
    """
    with tempfile.TemporaryDirectory(prefix="topic-inspector-bench-") as folder:
        path = f"{folder}/bench.sqlite"
        topic = seed(path, messages, payload_bytes)
        args = [
            sys.executable,
            "-m",
            "inspector",
            "emulator",
            "--port",
            "0",
            "--rate-limit",
            str(rate_limit),
            "--token",
            TOKEN,
            "--data",
            path,
            "--topic",
            f"{topic}:bench",
            *(arg for extra in extra_topics for arg in ("--topic", f"{extra}:bench-{extra}")),
        ]
        with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as proc:
            try:
                assert proc.stdout is not None
                first = proc.stdout.readline()
                url = first.rsplit(" ", 1)[-1].strip()
                assert url.startswith("http://"), first
                yield url, TOKEN, topic
            finally:
                proc.terminate()
                proc.wait(10)


async def tail_drain(url: str, token: str, topic: int, expected: int) -> float:
    """Drain the topic headless with TopicTail (rate limit off); returns messages per second."""
    received = 0

    def count(batch: list[Message]) -> None:
        nonlocal received
        received += len(batch)

    async with EventStreamsClient(custom_endpoint(url), token, limiter=RateLimiter(0)) as client:
        begin = time.perf_counter()
        await TopicTail(client, topic, count, follow=False).run()
        elapsed = time.perf_counter() - begin
    assert received == expected, received
    return received / elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)

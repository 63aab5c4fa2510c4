"""publish_all against a scripted server: order, chunking, safe retries, unknown outcomes, cancel."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest

from inspector.core.backoff import Backoff
from inspector.core.models import ItemResult, Outcome
from inspector.core.publisher import Progress, PublishInputError, publish_all
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint, region
from inspector.core.services.workato import EventStreamsClient

BASE = "https://event-streams.example.test"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, object]] = []
        self.faults: list[httpx.Response | Exception] = []
        self.counter = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append((request.url.path, body))
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        if request.url.path.startswith("/api/v1/batch/"):
            ids = {}
            for index, _ in enumerate(body["payloads"]):
                self.counter += 1
                ids[str(index)] = {"message_id": f"M{self.counter}", "result": "success"}
            return httpx.Response(200, json={"is_partial_error": False, "message_ids": ids})
        self.counter += 1
        return httpx.Response(200, json={"message_id": f"M{self.counter}"})


def make(recorder: Recorder, *, legacy: bool = False) -> EventStreamsClient:
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(recorder.handler))
    endpoint = region("legacy") if legacy else custom_endpoint(BASE)
    return EventStreamsClient(endpoint, "tok", http=http, limiter=RateLimiter(0))


def fast() -> Backoff:
    return Backoff(base=0.001, cap=0.002, rng=random.Random(2))


async def test_250_items_go_in_three_ordered_chunks() -> None:
    recorder = Recorder()
    progress: list[Progress] = []
    payloads = [{"n": i} for i in range(250)]
    results = await publish_all(make(recorder), 9, payloads, on_progress=lambda p, _: progress.append(p))
    assert [len(body["payloads"]) for _, body in recorder.requests] == [100, 100, 50]  # type: ignore[index]
    sent = [item["n"] for _, body in recorder.requests for item in body["payloads"]]  # type: ignore[index]
    assert sent == list(range(250))
    assert [r.index for r in results] == list(range(250))
    assert all(r.outcome is Outcome.SUCCESS for r in results)
    assert [r.message_id for r in results] == [f"M{i}" for i in range(1, 251)]
    assert [(p.done, p.chunk, p.chunks) for p in progress] == [(100, 1, 3), (200, 2, 3), (250, 3, 3)]


async def test_bad_items_refused_before_anything_is_sent() -> None:
    recorder = Recorder()
    with pytest.raises(PublishInputError) as caught:
        await publish_all(make(recorder), 1, [{"ok": 1}, [1, 2], {"big": "x" * (1024 * 1024)}, "s"])
    assert recorder.requests == []
    wheres = [p.where for p in caught.value.problems]
    assert wheres == ["item 1", "item 2", "item 3"]
    assert "over the 1 MB limit" in caught.value.problems[1].message
    assert "nothing was sent" in caught.value.message


async def test_429_and_refused_connections_are_retried_safely() -> None:
    recorder = Recorder()
    request = httpx.Request("POST", BASE)
    recorder.faults = [
        httpx.Response(429, json={"message": "slow"}, headers={"Retry-After": "0"}),
        httpx.ConnectError("refused", request=request),
    ]
    results = await publish_all(make(recorder), 1, [{"n": i} for i in range(3)], backoff=fast())
    assert all(r.ok for r in results)
    assert len(recorder.requests) == 3  # two failed tries of the same chunk, then success


async def test_timeout_after_sending_is_unknown_and_not_retried() -> None:
    recorder = Recorder()
    request = httpx.Request("POST", BASE)
    recorder.faults = [httpx.ReadTimeout("slow", request=request)]
    results = await publish_all(make(recorder), 1, [{"n": i} for i in range(150)], backoff=fast())
    assert len(recorder.requests) == 2  # the unknown chunk is not sent again; the next chunk is
    assert {r.outcome for r in results[:100]} == {Outcome.UNKNOWN}
    assert all("may have been published" in (r.error_words or "") for r in results[:100])
    assert all(r.ok for r in results[100:])


async def test_5xx_marks_chunk_unknown() -> None:
    recorder = Recorder()
    recorder.faults = [httpx.Response(500, json={"message": "boom"})]
    results = await publish_all(make(recorder), 1, [{"n": 1}])
    assert results[0].outcome is Outcome.UNKNOWN


async def test_401_stops_and_marks_every_item_not_sent() -> None:
    recorder = Recorder()
    recorder.faults = [httpx.Response(401, json={"message": "bad token"})]
    results = await publish_all(make(recorder), 1, [{"n": i} for i in range(230)])
    assert len(recorder.requests) == 1
    assert len(results) == 230
    assert all(
        r.outcome is Outcome.FAILED and (r.error_words or "").startswith("not sent: token rejected") for r in results
    )


async def test_400_for_a_whole_batch_fails_its_items_with_the_server_text() -> None:
    recorder = Recorder()
    recorder.faults = [httpx.Response(400, json={"message": "payloads must have 1 to 100 items"})]
    results = await publish_all(make(recorder), 1, [{"n": 1}, {"n": 2}])
    assert [r.error for r in results] == ["payloads must have 1 to 100 items"] * 2


async def test_cancel_stops_after_the_current_chunk() -> None:
    recorder = Recorder()
    cancel = asyncio.Event()

    def on_progress(progress: Progress, chunk: list[ItemResult]) -> None:
        if progress.chunk == 1:
            cancel.set()

    results = await publish_all(
        make(recorder), 1, [{"n": i} for i in range(300)], on_progress=on_progress, cancel=cancel
    )
    assert len(recorder.requests) == 1
    assert sum(r.ok for r in results) == 100
    assert all(r.error_words == "not sent: cancelled" for r in results[100:])


async def test_indices_keep_the_callers_numbering() -> None:
    recorder = Recorder()
    results = await publish_all(make(recorder), 1, [{"n": 7}, {"n": 9}], indices=[7, 9])
    assert [r.index for r in results] == [7, 9]


async def test_legacy_endpoint_publishes_one_by_one() -> None:
    recorder = Recorder()
    results = await publish_all(make(recorder, legacy=True), 4, [{"n": i} for i in range(3)])
    assert [path for path, _ in recorder.requests] == ["/api/pubsub/topics/4/publish"] * 3
    assert all(r.ok for r in results)

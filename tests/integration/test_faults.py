"""The client, the tail and the publisher through a fault-injecting proxy (tests/faults.py) in front of the emulator:
each fault alone becomes the right error in words; at 20 % faults a tail loses and repeats nothing, and publish_all
reports every item's true outcome."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from inspector.core.errors import (
    InspectorError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    is_retryable,
    outcome_unknown,
)
from inspector.core.http import DEFAULT_RETRY_AFTER
from inspector.core.models import Outcome
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer
from tests.faults import (
    FORWARDED_FAULTS,
    OUTCOME_HIDING_FAULTS,
    Fault,
    FaultProxy,
    ScaledLimiter,
    choose_fault,
    publish_through_faults,
    tail_through_faults,
)

SEED = 1  # the tail's seed; publish_all runs with SEED + 1, as fault_scenarios does


# ----- each fault alone -------------------------------------------------------------------------------------
async def _consume(client: EventStreamsClient, topic: int) -> int:
    await client.consume(topic)
    return 0


async def _publish(client: EventStreamsClient, topic: int) -> int:
    await client.publish(topic, {"n": 1})
    return 1


async def _publish_batch(client: EventStreamsClient, topic: int) -> int:
    result = await client.publish_batch(topic, [{"n": 1}, {"n": 2}])
    assert all(item.ok for item in result.items)
    return 2


OPERATIONS: dict[str, tuple[Callable[[EventStreamsClient, int], Awaitable[int]], int, str]] = {
    # operation, messages it stores, what a wrong-shape answer is said to lack
    "consume": (_consume, 0, "a consume answer without a 'messages' list"),
    "publish": (_publish, 1, "a publish answer without a 'message_id' string"),
    "publish_batch": (_publish_batch, 2, "a batch answer without a 'message_ids' object"),
}

DISCONNECTED = "failed: Server disconnected without sending a response"
EXPECTED: dict[Fault, tuple[type[InspectorError], list[str]]] = {
    Fault.HTTP_500: (ServerError, ["answered 500: service error: Internal server error"]),
    Fault.HTTP_502_HTML: (ServerError, ["answered 502 with an HTML page instead of the API's JSON"]),
    Fault.HTTP_503: (ServerError, ["answered 503 with an empty body instead of the API's JSON"]),
    Fault.HTTP_429_RETRY_AFTER: (RateLimitedError, ["rate limit reached at", "; retry after 1 s"]),
    Fault.HTTP_429: (RateLimitedError, ["rate limit reached at"]),
    Fault.DROP_BEFORE: (TransportError, [DISCONNECTED]),
    Fault.DROP_AFTER: (TransportError, [DISCONNECTED]),
    Fault.STALL: (TransportError, ["did not answer in time"]),
    Fault.TRUNCATED: (UnexpectedResponseError, ["answered 200 with an application/json body that is not valid JSON"]),
    Fault.WRONG_SHAPE: (UnexpectedResponseError, ["answered with JSON of the wrong shape: "]),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("kind", list(Fault))
async def test_each_fault_alone_is_the_right_error_in_words(
    emulator: EmulatorServer, topic: int, kind: Fault, operation: str
) -> None:
    run, stores, shape = OPERATIONS[operation]
    assert emulator.store is not None
    limiter = ScaledLimiter(scale=0.0)  # record a 429's pause, do not wait it out
    # the client waits 1 s for an answer (a stall is longer); a loaded machine still answers a clean one in time
    with FaultProxy(emulator.url, stall_secs=1.5) as proxy:
        async with EventStreamsClient(
            custom_endpoint(proxy.url, rate_limit_rpm=0), emulator.token, limiter=limiter, read_timeout=1.0
        ) as client:
            proxy.force(kind)
            with pytest.raises(InspectorError) as caught:
                await run(client, topic)
            await run(client, topic)  # the next request is clean and goes through
    error = caught.value
    cls, words = EXPECTED[kind]
    assert type(error) is cls, error.describe()
    for phrase in [*words, shape] if kind is Fault.WRONG_SHAPE else words:
        assert phrase in error.message, error.message
    assert proxy.url.removeprefix("http://") in error.message  # names the host
    assert "<" not in error.message, "no HTML in the message"
    assert error.hint
    assert "\n" not in error.message
    assert is_retryable(error)
    assert outcome_unknown(error) is (kind in OUTCOME_HIDING_FAULTS)
    if isinstance(error, TransportError):
        assert error.maybe_sent
    if kind is Fault.HTTP_429_RETRY_AFTER:
        assert isinstance(error, RateLimitedError)
        assert error.retry_after == 1.0
        assert limiter.pauses == [1.0]
    elif kind is Fault.HTTP_429:
        assert isinstance(error, RateLimitedError)
        assert error.retry_after is None
        assert limiter.pauses == [DEFAULT_RETRY_AFTER]
    else:
        assert limiter.pauses == []
    assert proxy.fault_counts() == Counter({kind: 1})
    assert [(e.fault, e.forwarded) for e in proxy.exchanges] == [(kind, kind in FORWARDED_FAULTS), (None, True)]
    # a forwarded publish was stored although the client got no usable answer
    assert emulator.store.count(topic) == stores * (1 + (kind in FORWARDED_FAULTS))


# ----- the proxy itself -------------------------------------------------------------------------------------
def test_a_seed_and_a_request_number_fix_the_fault() -> None:
    plan = [choose_fault(7, 0.3, n) for n in range(2_000)]
    assert plan == [choose_fault(7, 0.3, n) for n in range(2_000)]
    assert plan != [choose_fault(8, 0.3, n) for n in range(2_000)]
    faults = Counter(kind for kind in plan if kind is not None)
    assert 0.25 < sum(faults.values()) / len(plan) < 0.35
    assert set(faults) == set(Fault)  # every kind is drawn
    assert all(choose_fault(7, 0.0, n) is None for n in range(500))
    assert all(choose_fault(7, 1.0, n) is not None for n in range(500))
    assert {choose_fault(7, 1.0, n, [Fault.STALL]) for n in range(50)} == {Fault.STALL}


STATUS = {
    Fault.HTTP_500: 500,
    Fault.HTTP_502_HTML: 502,
    Fault.HTTP_503: 503,
    Fault.HTTP_429: 429,
    Fault.HTTP_429_RETRY_AFTER: 429,
}


async def _through_proxy(emulator: EmulatorServer, topic: int, seed: int, requests: int) -> tuple[FaultProxy, int]:
    """``requests`` raw consumes through a proxy at 50 % faults; checks what the client saw against each fault."""
    handle = emulator.handle
    assert handle is not None
    before = handle.requests
    headers = {"Authorization": f"Bearer {emulator.token}"}
    body = json.dumps({"timeout_secs": 0}).encode()
    with FaultProxy(emulator.url, rate=0.5, seed=seed, stall_secs=0.5) as proxy:
        async with httpx.AsyncClient(base_url=proxy.url, headers=headers) as http:
            for number in range(requests):
                kind = choose_fault(seed, 0.5, number)
                # the plan is known: wait long for an answer, except where the proxy stalls
                timeout = 0.2 if kind is Fault.STALL else 10.0
                try:
                    response = await http.post(f"/api/v1/topics/{topic}/consume", content=body, timeout=timeout)
                except httpx.RemoteProtocolError:
                    assert kind in (Fault.DROP_BEFORE, Fault.DROP_AFTER)
                    continue
                except httpx.ReadTimeout:
                    assert kind is Fault.STALL
                    continue
                assert response.status_code == (STATUS.get(kind, 200) if kind else 200), kind
                assert (response.headers.get("retry-after") == "1") is (kind is Fault.HTTP_429_RETRY_AFTER)
                clean = b'{"messages":[]}'
                if kind is None:
                    assert response.content == clean
                elif kind is Fault.TRUNCATED:
                    assert 0 < len(response.content) < len(clean)
                    assert clean.startswith(response.content)
                elif kind is Fault.WRONG_SHAPE:
                    assert "messages" not in json.loads(response.content)
                elif kind is Fault.HTTP_502_HTML:
                    assert response.headers["content-type"] == "text/html"
                elif kind is Fault.HTTP_503:
                    assert response.content == b""
    return proxy, handle.requests - before


async def test_the_proxy_serves_the_seeded_faults_and_counts_them(emulator: EmulatorServer, topic: int) -> None:
    runs = [await _through_proxy(emulator, topic, seed=5, requests=60) for _ in range(2)]
    (first, reached), (second, _) = runs
    sequence = [e.fault for e in first.exchanges]
    assert sequence == [e.fault for e in second.exchanges] == [choose_fault(5, 0.5, n) for n in range(60)]
    assert [e.number for e in first.exchanges] == list(range(60))
    counts = first.fault_counts()
    assert counts == Counter(kind for kind in sequence if kind is not None)
    assert sum(counts.values()) + sequence.count(None) == first.requests == 60
    assert len(counts) >= 8  # most kinds were served
    # forwarded: clean requests and the faults served after forwarding; nothing else reached the emulator
    assert first.forwarded == [e.number for e in first.exchanges if e.fault is None or e.fault in FORWARDED_FAULTS]
    assert reached == len(first.forwarded)
    # keep-alive: a new connection only follows one that was closed unanswered
    closing = {Fault.DROP_BEFORE, Fault.DROP_AFTER, Fault.STALL}
    assert first.connections == 1 + sum(1 for e in first.exchanges[:-1] if e.fault in closing)


async def test_forced_faults_come_first_then_the_seeded_ones(emulator: EmulatorServer, topic: int) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    with FaultProxy(emulator.url) as proxy:
        proxy.force(Fault.HTTP_503, times=2)
        proxy.force(Fault.WRONG_SHAPE)
        async with httpx.AsyncClient(base_url=proxy.url, headers=headers) as http:
            statuses = [(await http.post(f"/api/v1/topics/{topic}/consume", json={})).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert [e.fault for e in proxy.exchanges] == [Fault.HTTP_503, Fault.HTTP_503, Fault.WRONG_SHAPE, None]
    assert proxy.fault_counts() == Counter({Fault.HTTP_503: 2, Fault.WRONG_SHAPE: 1})


# ----- the tail and the publisher at 20 % faults ------------------------------------------------------------
@pytest.mark.slow
async def test_a_tail_through_faults_gets_every_message_once_in_order(emulator: EmulatorServer) -> None:
    report = await tail_through_faults(emulator, messages=10_000, rate=0.2, seed=SEED)
    figures = report.figures()
    assert len(report.published) == 10_000
    assert report.lost == 0, figures
    assert report.duplicated == 0, figures
    assert report.received == report.published, figures  # exactly once, in publish order
    assert figures["faults_injected"] >= 0.1 * figures["requests"], figures
    assert len(report.faults) >= 8, figures  # most kinds of fault were met


@pytest.mark.slow
async def test_publish_all_through_faults_reports_each_items_true_outcome(emulator: EmulatorServer) -> None:
    report = await publish_through_faults(emulator, items=5_000, rate=0.2, seed=SEED + 1)
    figures = report.figures()
    assert [r.index for r in report.results] == list(range(5_000))
    # SUCCESS: held exactly once, under the reported id; FAILED: not held; nothing held twice
    assert report.lost == [], figures
    assert report.phantom == [], figures
    assert report.duplicated == 0, figures
    # UNKNOWN only where a fault hid the answer, and held exactly when the request reached the emulator
    assert report.unexplained_unknown == [], figures
    assert figures["unknown_outcomes"] <= figures["unknown_bound"], figures
    assert figures["success"] + figures["failed"] + figures["unknown_outcomes"] == 5_000
    # the seed exercises both sides of UNKNOWN: stored (fault after forwarding) and not stored
    assert 0 < figures["unknown_stored"] < figures["unknown_outcomes"], figures
    assert figures["faults_injected"] > 0
    assert all(r.message_id for r in report.outcome(Outcome.SUCCESS))

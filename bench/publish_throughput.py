"""Publish 10,000 messages with ``publish_all`` to an emulator limited to 600 requests/min, against the ceiling.

The emulator and the client's limiter are both at R = 600 requests per minute. ``publish_all`` sends the 10,000
orders (about 300 bytes each) as 100 batch requests of 100 items, one at a time and in order.

The ceiling is the fastest any client could have sent those 100 requests, given two limits:

* the server's speed: a request takes ``s`` seconds, measured in the same run by the baseline, a bare httpx loop
  that posts the same batches one after another, each body made by one ``json.dumps`` (no per-item checks, no
  chunk sizing, no limiter, no per-item results). A loop posting bodies encoded before the clock starts is also
  shown, as the server's speed alone, but is not the ceiling: any client has to encode its payloads;
* the server's rate limit: at most R requests start in any 60 s (a sliding window), counting the requests already
  in the window when the publish starts (the send time of every request of the run is recorded).

    T* = finish of request 100, where request i starts at max(finish of request i-1, the time the window has a
         free slot for it) and takes s.      ceiling = 10,000 / T* msg/s;    ratio = publisher msg/s / ceiling.

A sliding window lets R requests go at once, then one each time an old one leaves it. So there are two phases:

* burst: 9 rounds, each a fresh emulator (empty window) where the three contenders run in turn, order rotating,
  each into its own topic; ~500 requests in all, within the 600 allowed at once, so the limit does not bind and
  T* = 100 * s: the publisher against that round's hand loop. The burst ratio is the median of the rounds'.
* paced: the client first keeps the window full with a steady R/min of consume requests for 60 s, through the same
  limiter (as a tail sharing it would), then publishes: each request waits for a slot, one each 60/R = 0.1 s, so
  T* ~= 10 s, the textbook 100 * R / 60 = 1000 msg/s. This is where zero 429s means something, and it measures
  what the limiter's pacing loses.

``ratio`` is the lower of the two (goal >= 0.9); ``http_429`` counts the 429 answers to every request of the run,
on the client side (goal 0). Each publish is read back with TopicTail and must be exactly the 10,000 messages, in
input order, under the ids ``publish_all`` returned; anything else exits non-zero. Takes about 2 minutes.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import statistics
import time
import timeit
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import NoReturn

import httpx
from _common import emulator_process

from inspector.core.http import new_http_client
from inspector.core.models import Message
from inspector.core.publisher import Progress, encode_all, publish_all
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TopicTail

MESSAGES = 10_000
BATCH = 100
RPM = 600
WINDOW = 60.0
ROUNDS = 9  # the machine is shared: the median of several short rounds
PUBLISH_TOPIC, SPARE_TOPIC = 78, 79  # the seeded topic 77 stays unused
LOOP_TOPICS = {"server": 80, "loop": 81}
CONTENDERS = ("server", "loop", "publisher")
GOAL = 0.9


def orders(count: int, seed: int = 7) -> list[dict[str, object]]:
    """Realistic order events of about 300 bytes each; ``seq`` numbers them for the read-back check."""
    rng = random.Random(seed)
    names = ["Jane Doe", "John Roe", "Ana Silva", "Kenji Sato", "Amara Okafor", "Lars Berg"]
    skus = ["SKU-1001", "SKU-2040", "SKU-3177", "SKU-4410", "SKU-5002", "SKU-6930"]
    result: list[dict[str, object]] = []
    for seq in range(count):
        name = rng.choice(names)
        items = [
            {"sku": rng.choice(skus), "qty": rng.randint(1, 5), "unit_price": round(rng.uniform(2, 200), 2)}
            for _ in range(rng.randint(1, 3))
        ]
        total = round(sum(float(str(i["unit_price"])) * int(str(i["qty"])) for i in items), 2)
        result.append(
            {
                "seq": seq,
                "order_id": f"ORD-{2024000000 + seq}",
                "status": rng.choice(["created", "paid", "shipped"]),
                "customer": {
                    "id": rng.randint(10_000, 99_999),
                    "name": name,
                    "email": f"{name.split()[0].lower()}@x.io",
                },
                "items": items,
                "total": total,
                "currency": "EUR",
                "created_at": f"2024-06-{1 + seq % 28:02d}T{seq % 24:02d}:{seq % 60:02d}:{(seq * 7) % 60:02d}Z",
            }
        )
    return result


@dataclass
class Traffic:
    """Every request sent to one emulator (send times, for the window) and every answer's status."""

    sent: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    async def on_request(self, request: httpx.Request) -> None:
        self.sent.append(time.monotonic())  # before it leaves: never later than the server's own stamp

    async def on_response(self, response: httpx.Response) -> None:
        self.statuses[response.status_code] += 1

    def hook(self, http: httpx.AsyncClient) -> httpx.AsyncClient:
        http.event_hooks = {"request": [self.on_request], "response": [self.on_response]}
        return http


def ceiling_secs(requests: int, service: float, already: list[float], start: float) -> float:
    """T*: the earliest the last of ``requests`` back-to-back requests can finish, each taking ``service`` s, when
    the server admits at most RPM in any WINDOW s and ``already`` holds the send times of earlier requests."""
    window = deque(sorted(t for t in already if t > start - WINDOW))
    now = start
    for _ in range(requests):
        while window and window[0] <= now - WINDOW:
            window.popleft()
        if len(window) >= RPM:
            now = max(now, window[len(window) - RPM] + WINDOW)
            while window and window[0] <= now - WINDOW:
                window.popleft()
        window.append(now)
        now += service
    return now - start


def fail(message: str) -> NoReturn:
    raise SystemExit(f"FAIL: {message}")


async def bare_loop(
    url: str, token: str, payloads: list[dict[str, object]], traffic: Traffic, *, topic: int, encode: bool
) -> float:
    """The baseline: batch requests posted one after another by a bare httpx client; returns elapsed seconds.

    ``encode=True`` is the hand-written loop (one ``json.dumps`` per batch body, inside the timing);
    ``encode=False`` posts bodies encoded before the timing starts: the server's speed alone.
    """
    chunks = [payloads[i : i + BATCH] for i in range(0, len(payloads), BATCH)]
    bodies: list[bytes] = [] if encode else [batch_json(chunk) for chunk in chunks]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    transport = httpx.AsyncHTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    async with traffic.hook(httpx.AsyncClient(base_url=url, headers=headers, transport=transport)) as http:
        await warm_up(http, token)
        begin = time.monotonic()
        for index, chunk in enumerate(chunks):
            body = batch_json(chunk) if encode else bodies[index]
            response = await http.post(f"/api/v1/batch/topics/{topic}/publish", content=body)
            if response.status_code != 200 or response.json()["is_partial_error"]:
                fail(f"baseline request answered {response.status_code}: {response.text[:200]}")
        return time.monotonic() - begin


def batch_json(chunk: list[dict[str, object]]) -> bytes:
    return json.dumps({"payloads": chunk}, separators=(",", ":")).encode()


async def warm_up(http: httpx.AsyncClient, token: str) -> None:
    """One request to another topic first, so the fresh server's code paths and the connection are warm."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = await http.post(f"/api/v1/topics/{SPARE_TOPIC}/publish", content=b'{"warm":true}', headers=headers)
    if response.status_code != 200:
        fail(f"warm-up answered {response.status_code}")


async def publish(client: EventStreamsClient, payloads: list[dict[str, object]]) -> tuple[float, list[str]]:
    """``publish_all`` as the app calls it (with a progress callback); returns elapsed seconds and message ids."""
    chunks = 0

    def on_progress(progress: Progress, _results: object) -> None:
        nonlocal chunks
        chunks = progress.chunk

    begin = time.monotonic()
    results = await publish_all(client, PUBLISH_TOPIC, payloads, on_progress=on_progress)
    elapsed = time.monotonic() - begin
    bad = [r for r in results if not r.ok]
    if bad or len(results) != len(payloads) or chunks != MESSAGES // BATCH:
        fail(f"publish_all: {len(bad)} items not published, {chunks} chunks; first: {bad[:1]}")
    if [r.index for r in results] != list(range(len(payloads))):
        fail("publish_all returned results out of input order")
    return elapsed, [str(r.message_id) for r in results]


async def read_back(client: EventStreamsClient, payloads: list[dict[str, object]], ids: list[str]) -> None:
    """The topic must hold exactly the published messages, in input order, under the ids the publisher got."""
    got: list[Message] = []
    await TopicTail(client, PUBLISH_TOPIC, got.extend, follow=False).run()
    if len(got) != len(payloads):
        fail(f"the topic holds {len(got)} messages, expected {len(payloads)}")
    if [m.message_id for m in got] != ids:
        fail("the topic's message ids are not the ids publish_all returned, in input order")
    if [m.payload for m in got] != payloads:
        fail("the topic's payloads differ from the published ones (or are out of order)")


def limited_client(url: str, token: str, traffic: Traffic) -> tuple[EventStreamsClient, httpx.AsyncClient]:
    http = traffic.hook(new_http_client(url))
    client = EventStreamsClient(custom_endpoint(url, rate_limit_rpm=RPM), token, http=http, limiter=RateLimiter(RPM))
    return client, http


@dataclass
class Run:
    elapsed: float
    already: list[float]  # send times of the requests before this publish
    start: float
    traffic: Traffic


async def burst_round(
    url: str, token: str, payloads: list[dict[str, object]], number: int
) -> tuple[dict[str, float], Run]:
    """One fresh emulator, all three contenders one after another (order rotating), each into its own topic.

    About 500 requests in all, so the publisher starts with at most ~200 of the 600 in the window: not binding.
    """
    traffic = Traffic()
    times: dict[str, float] = {}
    run: Run | None = None
    for name in CONTENDERS[number % 3 :] + CONTENDERS[: number % 3]:
        if name != "publisher":
            times[name] = await bare_loop(url, token, payloads, traffic, topic=LOOP_TOPICS[name], encode=name == "loop")
            continue
        client, http = limited_client(url, token, traffic)
        try:
            await warm_up(http, token)
            already, start = list(traffic.sent), time.monotonic()
            elapsed, ids = await publish(client, payloads)
            await read_back(client, payloads, ids)
        finally:
            await http.aclose()
        times[name] = elapsed
        run = Run(elapsed, already, start, traffic)
    assert run is not None
    return times, run


async def paced(url: str, token: str, payloads: list[dict[str, object]]) -> Run:
    """Spend the window with a steady RPM of consumes for WINDOW s through the same client, then publish."""
    traffic = Traffic()
    client, http = limited_client(url, token, traffic)
    try:
        step = WINDOW / RPM
        origin = time.monotonic()
        for k in range(RPM):
            await asyncio.sleep(max(origin + k * step - time.monotonic(), 0))
            await client.consume(SPARE_TOPIC, batch_size=1)
        await asyncio.sleep(max(origin + WINDOW - time.monotonic(), 0))
        already, start = list(traffic.sent), time.monotonic()
        elapsed, ids = await publish(client, payloads)
        await read_back(client, payloads, ids)
    finally:
        await http.aclose()
    return Run(elapsed, already, start, traffic)


def main() -> None:
    payloads = orders(MESSAGES)
    size = statistics.mean(len(json.dumps(p, separators=(",", ":"))) for p in payloads)
    requests = MESSAGES // BATCH
    topics = (PUBLISH_TOPIC, SPARE_TOPIC, *LOOP_TOPICS.values())
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    burst_ratios: list[float] = []
    traffics: list[Traffic] = []
    for number in range(ROUNDS):
        with emulator_process(0, rate_limit=RPM, extra_topics=topics) as (url, token, _):
            got, run = asyncio.run(burst_round(url, token, payloads, number))
        for name, seconds in got.items():
            times[name].append(seconds)
        traffics.append(run.traffic)
        # T* for this round: the hand loop's time per request, the window as the publisher found it.
        burst_ratios.append(ceiling_secs(requests, got["loop"] / requests, run.already, run.start) / run.elapsed)
    median = {name: statistics.median(values) for name, values in times.items()}
    with emulator_process(0, rate_limit=RPM, extra_topics=topics) as (url, token, _):
        pace = asyncio.run(paced(url, token, payloads))
    traffics.append(pace.traffic)

    ratio_burst = statistics.median(burst_ratios)
    server_ratio = statistics.median(a / b for a, b in zip(times["server"], times["publisher"], strict=True))
    pace_ceiling = ceiling_secs(requests, median["loop"] / requests, pace.already, pace.start)
    ratio_paced = pace_ceiling / pace.elapsed
    ratio = min(ratio_burst, ratio_paced)
    statuses = sum((traffic.statuses for traffic in traffics), Counter[int]())
    http_429 = statuses[429]
    encoding = min(timeit.repeat(lambda: encode_all(payloads), number=1, repeat=3))

    def rate(name: str) -> str:
        low, high = (min(times[name]) / requests * 1000, max(times[name]) / requests * 1000)
        per = median[name] / requests * 1000
        return f"{MESSAGES / median[name]:6.0f} msg/s  ({per:5.2f} ms/request; runs {low:5.2f} to {high:5.2f})"

    print(f"publish {MESSAGES} messages (~{size:.0f} B each) as {requests} batch requests of {BATCH}, one at a time")
    print(f"emulator and client limiter at {RPM} requests/min (sliding {WINDOW:.0f} s window)")
    print("ceiling = 10,000 / T*; T* = earliest finish of the 100 requests, each taking the hand loop's time per")
    print("          request and waiting for a free slot in the server's window (requests already in it counted)")
    print(f"burst: {ROUNDS} rounds, each a fresh emulator running the three in turn; {RPM} requests allowed at once")
    print(f"  bare loop, bodies encoded beforehand: {rate('server')}  the server alone")
    print(f"  bare loop, json.dumps per batch:      {rate('loop')}  = ceiling (limit not binding)")
    print(f"  publish_all:                          {rate('publisher')}")
    print(
        f"    of which checking + encoding the {MESSAGES} payloads up front: {encoding * 1000:.0f} ms"
        " (measured alone, best of 3)"
    )
    print(
        f"  ratio, median of the rounds': {ratio_burst:.3f}"
        f"   (against the server alone, for information: {server_ratio:.3f})"
    )
    print(f"paced: window kept full by {RPM}/min of consumes for {WINDOW:.0f} s through the same limiter, then publish")
    print(
        f"  ceiling:     {MESSAGES / pace_ceiling:7.0f} msg/s  (T* = {pace_ceiling:5.2f} s;"
        f" 100 x R / 60 = {BATCH * RPM // 60})"
    )
    print(f"  publish_all: {MESSAGES / pace.elapsed:7.0f} msg/s  (     {pace.elapsed:5.2f} s)")
    print(f"  ratio: {ratio_paced:.3f}")
    answered = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"HTTP answers, all requests of the run: {answered}; 429s: {http_429}")
    print(f"read back with TopicTail: {ROUNDS + 1} x {MESSAGES} messages, all there, in order, ids as returned")
    print(f"ratio: {ratio:.3f}  (lower of burst and paced; goal >= {GOAL}, zero 429s)")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "http_429": http_429,
                "ratio_burst": round(ratio_burst, 3),
                "ratio_paced": round(ratio_paced, 3),
                "publisher_msgs_per_s": round(MESSAGES / median["publisher"]),
                "loop_msgs_per_s": round(MESSAGES / median["loop"]),
                "server_msgs_per_s": round(MESSAGES / median["server"]),
                "paced_msgs_per_s": round(MESSAGES / pace.elapsed),
                "paced_ceiling_msgs_per_s": round(MESSAGES / pace_ceiling),
            }
        )
    )


if __name__ == "__main__":
    main()

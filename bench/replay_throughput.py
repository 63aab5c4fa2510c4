"""Replay 10,000 messages from one emulator to another with ``run_job`` at 600 requests/min, against the ceiling.

This is the app's replay path, as a support engineer runs it:

1. read: the SOURCE emulator's topic (10,000 orders of about 300 bytes, published to it when it starts) is read
   with ``TopicTail(follow=False)`` into ``ReplayItem``s (payload, source message id). Its time is reported on its
   own: it is another server's topic, another token's budget, and is not part of the ratio;
2. journal: ``Journal.create`` writes the job and its 10,000 items to the SQLite journal (reported on its own too);
3. send: ``run_job`` sends the pending items in order to the DESTINATION emulator, in batches of 100 through the
   client's shared limiter, committing to the journal (WAL, synchronous=FULL: an fsync per commit) before each
   batch and after each answer. ``ratio`` is about this phase only, journaling included: that is what the
   comparison with the bare loop measures. The journal lives in a temporary folder on the same disk as the
   app's data folder, so its fsyncs cost what they cost there.

The destination emulator and the replay client's limiter are both at R = 600 requests per minute. The ceiling is
defined as in ``publish_throughput.py``: the fastest any client could have sent the 100 batch requests, given

* the server's speed: a request takes ``s`` seconds, measured in the same run by a bare httpx loop posting the
  same payloads (held in memory, like the items read from the source) in batches of 100, each body made by one
  ``json.dumps``: no journal, no limiter, no per-item checks or results. A loop posting bodies encoded before the
  clock starts is also shown, as the server's speed alone;
* the server's rate limit: at most R requests start in any 60 s (sliding window), counting the requests already
  in the window when the replay starts.

    T* = finish of request 100, where request i starts at max(finish of request i-1, the time the window has a
         free slot for it) and takes s.      ceiling = 10,000 / T* msg/s;    ratio = replay msg/s / ceiling.

Two phases, as for the publisher:

* burst: 7 rounds, each a fresh destination (empty window) where the bare loops and the replay run in turn, order
  rotating, each into its own topic; ~500 requests in all, within the 600 allowed at once, so T* = 100 * s. Each
  round replays the items read once from the source as a new job of the same journal. This is where the journal's
  cost shows: a batch request takes about 10 ms here, the two commits around it more than 2 ms. The burst ratio is
  the median of the rounds'.
* paced: the replay client first keeps the window full with a steady R/min of consume requests for 60 s through
  the same limiter, then replays: each batch waits for a slot, one each 60/R = 0.1 s, so T* ~= 10 s (100 x R / 60
  = 1000 msg/s). Zero 429s means something here.

``ratio`` is the lower of the two (goal >= 0.9); ``http_429`` counts the 429 answers to every request of the run
(both emulators), on the client side (goal 0). After each replay the destination is read back with TopicTail and
must hold exactly the 10,000 payloads, in order, under the message ids the journal recorded, and the job must be
done; anything else exits non-zero. The time spent inside the journal's calls is measured during each replay, and
the same commits and a bare write + fsync in the journal's folder alone, to show where the loss against the ceiling
goes. Takes about 2.5 minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
import timeit
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _common import emulator_process
from publish_throughput import (
    BATCH,
    LOOP_TOPICS,
    RPM,
    SPARE_TOPIC,
    WINDOW,
    Traffic,
    bare_loop,
    batch_json,
    ceiling_secs,
    fail,
    orders,
    warm_up,
)

from inspector.core.http import new_http_client
from inspector.core.models import ItemResult, Message, Outcome
from inspector.core.ratelimit import SAFETY_SECS, RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.replay import JobState, Journal, ReplayItem, run_job
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TopicTail

MESSAGES = 10_000
ROUNDS = 7  # the machine is shared: the median of several short rounds
REPLAY_TOPIC = 78  # on the destination; the seeded topic 77 stays unused there
CONTENDERS = ("server", "loop", "replay")
GOAL = 0.9
JOURNAL_CALLS = ("begin_batch", "record", "set_state", "pending", "job")
WRITES = ("begin_batch", "record")  # the commits around each batch


def _timed(name: str) -> Callable[..., Any]:
    method = getattr(Journal, name)

    def timed(self: TimedJournal, *args: Any, **kwargs: Any) -> Any:
        begin = time.perf_counter()
        try:
            return method(self, *args, **kwargs)
        finally:
            self.spent[name] += time.perf_counter() - begin
            self.calls[name] += 1

    return timed


class TimedJournal(Journal):
    """The app's journal, unchanged, with the time spent in each of the calls ``run_job`` makes added up."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def reset(self) -> None:
        self.spent.clear()
        self.calls.clear()

    begin_batch = _timed("begin_batch")
    record = _timed("record")
    set_state = _timed("set_state")
    pending = _timed("pending")
    job = _timed("job")


@dataclass
class Replay:
    elapsed: float
    already: list[float]  # send times of the requests before this replay
    start: float
    traffic: Traffic
    create: float  # Journal.create, before the replay (not in the ratio)
    spent: dict[str, float]  # seconds inside each journal call during run_job
    calls: dict[str, int]


@dataclass
class Read:
    elapsed: float
    requests: int


def limited_client(url: str, token: str, traffic: Traffic) -> tuple[EventStreamsClient, httpx.AsyncClient]:
    http = traffic.hook(new_http_client(url))
    client = EventStreamsClient(custom_endpoint(url, rate_limit_rpm=RPM), token, http=http, limiter=RateLimiter(RPM))
    return client, http


async def prepare_source(
    url: str, token: str, topic: int, payloads: list[dict[str, object]], traffic: Traffic
) -> tuple[list[ReplayItem], Read]:
    """Publish the orders to the source (setup), then read them with TopicTail into the replay's items."""
    await bare_loop(url, token, payloads, traffic, topic=topic, encode=False)
    client, http = limited_client(url, token, traffic)
    items: list[ReplayItem] = []

    def on_batch(batch: list[Message]) -> None:
        items.extend(ReplayItem(m.payload, m.message_id) for m in batch)

    try:
        before, begin = len(traffic.sent), time.monotonic()
        await TopicTail(client, topic, on_batch, follow=False).run()
        elapsed = time.monotonic() - begin
    finally:
        await http.aclose()
    if [item.payload for item in items] != payloads:
        fail(f"the source holds {len(items)} messages, not the {len(payloads)} orders in order")
    return items, Read(elapsed, len(traffic.sent) - before)


def new_job(journal: TimedJournal, url: str, items: Sequence[ReplayItem], source: str) -> tuple[str, float]:
    begin = time.monotonic()
    job_id = journal.create(
        source, {"topic": REPLAY_TOPIC, "events_url": url, "label": f"topic {REPLAY_TOPIC} at {url}"}, items
    )
    return job_id, time.monotonic() - begin


async def replay(client: EventStreamsClient, journal: TimedJournal, job_id: str) -> float:
    """``run_job`` as the app calls it (with a progress callback); returns elapsed seconds."""
    batches = 0

    def on_progress(_progress: object, _results: object) -> None:
        nonlocal batches
        batches += 1

    journal.reset()
    begin = time.monotonic()
    info = await run_job(client, journal, job_id, on_progress=on_progress)
    elapsed = time.monotonic() - begin
    if info.state is not JobState.DONE or info.published != MESSAGES or batches != MESSAGES // BATCH:
        fail(f"run_job ended {info.describe()} after {batches} batches")
    return elapsed


async def read_back(client: EventStreamsClient, journal: Journal, job_id: str, items: Sequence[ReplayItem]) -> None:
    """The destination must hold exactly the items' payloads, in order, under the ids the journal recorded."""
    got: list[Message] = []
    await TopicTail(client, REPLAY_TOPIC, got.extend, follow=False).run()
    if len(got) != len(items):
        fail(f"the destination holds {len(got)} messages, expected {len(items)}")
    if [m.payload for m in got] != [item.payload for item in items]:
        fail("the destination's payloads differ from the source's (or are out of order)")
    if [m.message_id for m in got] != [r["message_id"] for r in journal.results(job_id)]:
        fail("the destination's message ids are not the ids the journal recorded, in order")


async def replay_round(
    url: str, token: str, items: list[ReplayItem], journal: TimedJournal, number: int
) -> tuple[dict[str, float], Replay]:
    """One fresh destination, the two bare loops and the replay one after another (order rotating).

    About 500 requests in all, so the replay starts with at most ~200 of the 600 in the window: not binding.
    """
    payloads = [item.payload for item in items]
    traffic = Traffic()
    times: dict[str, float] = {}
    run: Replay | None = None
    for name in CONTENDERS[number % 3 :] + CONTENDERS[: number % 3]:
        if name != "replay":
            times[name] = await bare_loop(url, token, payloads, traffic, topic=LOOP_TOPICS[name], encode=name == "loop")
            continue
        job_id, create = new_job(journal, url, items, f"burst round {number + 1}")
        client, http = limited_client(url, token, traffic)
        try:
            await warm_up(http, token)
            run = await measured_replay(client, journal, job_id, items, traffic, create)
        finally:
            await http.aclose()
        times[name] = run.elapsed
    assert run is not None
    return times, run


async def measured_replay(
    client: EventStreamsClient,
    journal: TimedJournal,
    job_id: str,
    items: list[ReplayItem],
    traffic: Traffic,
    create: float,
) -> Replay:
    """Replay the job and time it, keep the journal's timings of that run, then check the destination."""
    already, start = list(traffic.sent), time.monotonic()
    elapsed = await replay(client, journal, job_id)
    spent, calls = dict(journal.spent), dict(journal.calls)
    await read_back(client, journal, job_id, items)
    return Replay(elapsed, already, start, traffic, create, spent, calls)


async def paced(url: str, token: str, items: list[ReplayItem], journal: TimedJournal) -> Replay:
    """Spend the window with a steady RPM of consumes for WINDOW s through the same client, then replay."""
    traffic = Traffic()
    job_id, create = new_job(journal, url, items, "paced")
    client, http = limited_client(url, token, traffic)
    try:
        step = WINDOW / RPM
        origin = time.monotonic()
        for k in range(RPM):
            await asyncio.sleep(max(origin + k * step - time.monotonic(), 0))
            await client.consume(SPARE_TOPIC, batch_size=1)
        await asyncio.sleep(max(origin + WINDOW - time.monotonic(), 0))
        return await measured_replay(client, journal, job_id, items, traffic, create)
    finally:
        await http.aclose()


def fsync_secs(folder: str, count: int = 200) -> float:
    """Median time of one small write + fsync in ``folder``: what each journal commit pays at least."""
    path = os.path.join(folder, "fsync-probe")
    times = []
    with open(path, "wb") as handle:
        for _ in range(count):
            begin = time.perf_counter()
            handle.write(b"x" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
            times.append(time.perf_counter() - begin)
    os.remove(path)
    return statistics.median(times)


def journal_alone(folder: str, items: Sequence[ReplayItem], synchronous: str, repeat: int = 3) -> float:
    """The commits ``run_job`` makes around 100 batches (each begin_batch carries the previous batch's answers; the
    last are recorded alone), with no network, in a fresh
    journal in ``folder`` at PRAGMA synchronous FULL (the app's) or OFF (no fsync); seconds, best of ``repeat``."""
    journal = Journal(Path(folder) / f"alone-{synchronous}.sqlite")
    journal._db.execute(f"PRAGMA synchronous={synchronous}")  # the one reach inside: what the fsyncs cost
    best = float("inf")
    try:
        for _ in range(repeat):
            job_id = journal.create("alone", {"topic": REPLAY_TOPIC}, items)
            begin = time.perf_counter()
            answered: list[ItemResult] = []
            for start in range(0, len(items), BATCH):
                indices = range(start, min(start + BATCH, len(items)))
                journal.begin_batch(job_id, indices, answered=answered)
                answered = [ItemResult(i, Outcome.SUCCESS, message_id=items[i].source_id) for i in indices]
            journal.record(job_id, answered)
            best = min(best, time.perf_counter() - begin)
    finally:
        journal.close()
    return best


def main() -> None:
    payloads = orders(MESSAGES)
    size = statistics.mean(len(json.dumps(p, separators=(",", ":"))) for p in payloads)
    requests = MESSAGES // BATCH
    traffics: list[Traffic] = []

    source_traffic = Traffic()
    with emulator_process(0, rate_limit=RPM, extra_topics=(SPARE_TOPIC,)) as (url, token, topic):
        items, read = asyncio.run(prepare_source(url, token, topic, payloads, source_traffic))
    traffics.append(source_traffic)

    topics = (REPLAY_TOPIC, SPARE_TOPIC, *LOOP_TOPICS.values())
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    runs: list[Replay] = []
    burst_ratios: list[float] = []
    with tempfile.TemporaryDirectory(prefix="topic-inspector-replay-") as folder:
        journal = TimedJournal(Path(folder) / "replay.sqlite")
        try:
            for number in range(ROUNDS):
                with emulator_process(0, rate_limit=RPM, extra_topics=topics) as (url, token, _):
                    got, run = asyncio.run(replay_round(url, token, items, journal, number))
                for name, seconds in got.items():
                    times[name].append(seconds)
                runs.append(run)
                traffics.append(run.traffic)
                # T* for this round: the hand loop's time per request, the window as the replay found it.
                ceiling = ceiling_secs(requests, got["loop"] / requests, run.already, run.start)
                burst_ratios.append(ceiling / run.elapsed)
            with emulator_process(0, rate_limit=RPM, extra_topics=topics) as (url, token, _):
                pace = asyncio.run(paced(url, token, items, journal))
            traffics.append(pace.traffic)
        finally:
            journal.close()
        alone = {sync: journal_alone(folder, items, sync) for sync in ("FULL", "OFF")}
        fsync = fsync_secs(folder)

    median = {name: statistics.median(values) for name, values in times.items()}
    ratio_burst = statistics.median(burst_ratios)
    server_ratio = statistics.median(a / b for a, b in zip(times["server"], times["replay"], strict=True))
    pace_ceiling = ceiling_secs(requests, median["loop"] / requests, pace.already, pace.start)
    ratio_paced = pace_ceiling / pace.elapsed
    ratio = min(ratio_burst, ratio_paced)
    statuses = sum((traffic.statuses for traffic in traffics), Counter[int]())
    http_429 = statuses[429]

    # Where the burst replay's time goes beyond the hand loop's: medians over the rounds, and costs measured alone.
    loss = statistics.median(run.elapsed - loop for run, loop in zip(runs, times["loop"], strict=True))
    spent = {name: statistics.median(run.spent.get(name, 0.0) for run in runs) for name in JOURNAL_CALLS}
    writes = statistics.median(sum(run.spent.get(name, 0.0) for name in WRITES) for run in runs)
    reads = statistics.median(
        sum(run.spent.get(name, 0.0) for name in JOURNAL_CALLS if name not in WRITES) for run in runs
    )
    calls = runs[0].calls
    commits = calls.get("begin_batch", 0) + calls.get("record", 0)
    chunks = [payloads[i : i + BATCH] for i in range(0, MESSAGES, BATCH)]
    # run_job sends the journal's checked bytes as they are; the hand loop pays a json.dumps per batch instead
    dumps = min(timeit.repeat(lambda: [batch_json(chunk) for chunk in chunks], number=1, repeat=3))
    codec = -dumps
    rest = loss - writes - reads - codec
    create = statistics.median(run.create for run in runs)

    def rate(name: str) -> str:
        low, high = (min(times[name]) / requests * 1000, max(times[name]) / requests * 1000)
        per = median[name] / requests * 1000
        return f"{MESSAGES / median[name]:6.0f} msg/s  ({per:5.2f} ms/request; runs {low:5.2f} to {high:5.2f})"

    ms = 1000
    print(f"replay {MESSAGES} messages (~{size:.0f} B each) from a source emulator to a destination emulator")
    print(
        f"read:    TopicTail over the source into ReplayItems: {read.elapsed:5.2f} s = {MESSAGES / read.elapsed:.0f}"
        f" msg/s ({read.requests} consume requests; not in the ratio)"
    )
    print(f"journal: Journal.create of the {MESSAGES} items: {create * ms:.0f} ms (median; not in the ratio)")
    print(
        f"send:    run_job, {requests} batch requests of {BATCH}; destination and client limiter at {RPM} requests/min"
    )
    print("ceiling = 10,000 / T*; T* = earliest finish of the 100 requests, each taking the hand loop's time per")
    print("          request and waiting for a free slot in the server's window (requests already in it counted)")
    print(f"burst: {ROUNDS} rounds, each a fresh destination running the three in turn; {RPM} requests allowed at once")
    print(f"  bare loop, bodies encoded beforehand: {rate('server')}  the server alone")
    print(f"  bare loop, json.dumps per batch:      {rate('loop')}  = ceiling (limit not binding)")
    print(f"  run_job (journaled):                  {rate('replay')}")
    print(f"  ratio, median of the rounds': {ratio_burst:.3f}   (against the server alone: {server_ratio:.3f})")
    print(f"  run_job's time beyond the hand loop's: {loss * ms:5.0f} ms a replay (median of the rounds'), of which")
    print(
        f"    journal commits (the next batch's mark is written while a request is out, so most overlap it): "
        f"{writes * ms:.0f} ms  ({commits} that write, "
        f"{writes / max(commits, 1) * ms:.2f} ms each: begin_batch {spent['begin_batch'] * ms:.0f},"
        f" record {spent['record'] * ms:.0f})"
    )
    print(
        f"      the same 100 batches alone, no network: {alone['FULL'] * ms:.0f} ms at synchronous=FULL,"
        f" {alone['OFF'] * ms:.0f} ms at OFF: fsyncs ~{(alone['FULL'] - alone['OFF']) * ms:.0f} ms,"
        f" row updates + WAL writes ~{alone['OFF'] * ms:.0f} ms"
    )
    print(f"      a bare 4 KB write + fsync in the journal's folder: {fsync * ms:.2f} ms (median of 200)")
    print(
        f"    other journal calls:                {reads * ms:4.0f} ms  (pending {spent['pending'] * ms:.0f},"
        f" job {spent['job'] * ms:.0f}, set_state {spent['set_state'] * ms:.0f})"
    )
    print(
        f"    encoding, against the loop's:       {codec * ms:4.0f} ms  (run_job sends the journaled bytes as they"
        f" are; the loop's json.dumps per batch costs {dumps * ms:.0f} ms; alone, best of 3)"
    )
    print(f"    the rest:                           {rest * ms:4.0f} ms  (limiter, publish_all, results, noise)")
    print(f"paced: window kept full by {RPM}/min of consumes for {WINDOW:.0f} s through the same limiter, then replay")
    pace_writes = sum(pace.spent.get(name, 0.0) for name in WRITES)
    print(
        f"  ceiling: {MESSAGES / pace_ceiling:7.0f} msg/s  (T* = {pace_ceiling:5.2f} s;"
        f" 100 x R / 60 = {BATCH * RPM // 60})"
    )
    print(f"  run_job: {MESSAGES / pace.elapsed:7.0f} msg/s  (     {pace.elapsed:5.2f} s)")
    print(
        f"  ratio: {ratio_paced:.3f}  ({pace.elapsed - pace_ceiling:.2f} s over T*, of which {SAFETY_SECS} s is the"
        f" limiter's safety margin; the journal's commits, {pace_writes * ms:.0f} ms in all, overlap the waits)"
    )
    answered = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"HTTP answers, all requests of the run (both emulators): {answered}; 429s: {http_429}")
    print(f"read back with TopicTail: {ROUNDS + 1} x {MESSAGES} payloads, all there, in order, ids as journaled")
    print(f"ratio: {ratio:.3f}  (lower of burst and paced; goal >= {GOAL}, zero 429s)")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "http_429": http_429,
                "ratio_burst": round(ratio_burst, 3),
                "ratio_paced": round(ratio_paced, 3),
                "replay_msgs_per_s": round(MESSAGES / median["replay"]),
                "loop_msgs_per_s": round(MESSAGES / median["loop"]),
                "server_msgs_per_s": round(MESSAGES / median["server"]),
                "paced_msgs_per_s": round(MESSAGES / pace.elapsed),
                "paced_ceiling_msgs_per_s": round(MESSAGES / pace_ceiling),
                "read_msgs_per_s": round(MESSAGES / read.elapsed),
                "journal_commits_ms": round(writes * ms),
                "journal_fsyncs_ms": round((alone["FULL"] - alone["OFF"]) * ms),
                "codec_ms": round(codec * ms),
            }
        )
    )


if __name__ == "__main__":
    main()

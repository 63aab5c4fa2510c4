"""The window tailing a topic through the fault proxy (tests/faults.py) at 20 % faults: every message arrives once
and in order, and while a fault lasts the topic's state is shown in words (tree tooltip, status bar)."""

from __future__ import annotations

import asyncio
import functools
import random
import re
import time
from typing import Any

import httpx
import pytest
import qasync

from inspector.core import tail
from inspector.core.backoff import Backoff
from inspector.core.profiles import Profile
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.status import SessionStatus
from inspector.ui.topic.model import COL_ID
from tests.faults import FaultProxy, ScaledLimiter
from tests.helpers import wait_until

RATE = 0.2
SEED = 6  # its first 25 requests draw 8 faults: stalls, drops, a 429 with Retry-After, a truncated body, a 502
MESSAGES = 1_000
BACKOFF_WORDS = re.compile(r"^reconnecting in \d+ s — \S.*$")
RATELIMIT_WORDS = re.compile(r"^rate limit reached: paused \d+ s$")


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch, ctx: AppContext) -> None:
    """The session's tail backs off 0.05..0.5 s (not 0.5..30 s), and its client waits 0.5 s beyond a long poll
    and a 429's pause a tenth as long (the pause asked for is still the one shown)."""
    monkeypatch.setattr(tail, "Backoff", functools.partial(Backoff, base=0.05, cap=0.5, rng=random.Random(SEED)))

    def client(profile: Profile, token: str) -> EventStreamsClient:
        endpoint = profile.endpoint()
        return EventStreamsClient(
            endpoint,
            token,
            http=ctx.pool.get(endpoint.events_url),
            limiter=ScaledLimiter(0.1),
            read_timeout=0.5,
        )

    monkeypatch.setattr(ctx, "client", client)


async def publish_directly(server: EmulatorServer, topic: int, count: int) -> list[str]:
    """``count`` messages straight to the emulator (not through the proxy), 100 a request, a little apart."""
    headers = {"Authorization": f"Bearer {server.token}"}
    sent: list[str] = []
    async with httpx.AsyncClient(base_url=server.url, headers=headers, trust_env=False) as http:
        for start in range(0, count, 100):
            payloads = [{"n": n} for n in range(start, min(start + 100, count))]
            answer = await http.post(f"/api/v1/batch/topics/{topic}/publish", json={"payloads": payloads})
            assert answer.status_code == 200, answer.text
            results = answer.json()["message_ids"]  # index -> {"message_id", "result"}
            assert all(results[str(i)]["result"] == "success" for i in range(len(payloads))), results
            sent += [results[str(i)]["message_id"] for i in range(len(payloads))]
            await asyncio.sleep(0.1)
    return sent


def test_tail_through_faults_arrives_once_in_order_and_says_the_state_in_words(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, short_waits: None
) -> None:
    seen: list[dict[str, Any]] = []

    async def scenario() -> None:
        with FaultProxy(emulator.url, rate=RATE, seed=SEED, stall_secs=1.0, retry_after="1") as proxy:
            profile = ctx.profile_store.upsert(Profile("Faulty", "custom", proxy.url, rate_limit_rpm=0))
            await ctx.set_token(profile, emulator.token)
            ctx.workspace.add_topic("Faulty", topic, "through faults")
            window = MainWindow(ctx)
            window.show()
            view = await window.open_topic("Faulty", topic)
            assert view is not None

            def record(status: SessionStatus) -> None:
                # connected after the window's own slot: the tree and the status bar show this status already
                now = time.monotonic()
                item = window._topic_item(("Faulty", topic))
                seen.append(
                    {
                        "status": status,
                        "words": status.describe(now),
                        "tooltip": item.toolTip() if item is not None else None,
                        "status_bar": window.state_label.text(),
                    }
                )

            view.session.statusChanged.connect(record)
            sent = await publish_directly(emulator, topic, MESSAGES)
            await wait_until(lambda: view.model.rowCount() >= MESSAGES, within=20, what="every message")
            await wait_until(lambda: view.session.status.kind == "live", within=5, what="live at the end")
            await asyncio.sleep(0.3)  # nothing more comes in
            rows = [view.model.data(view.model.index(r, COL_ID)) for r in range(view.model.rowCount())]
            assert rows == sent  # every message once, in publish order
            assert proxy.fault_counts().total() >= 3, proxy.fault_counts()
            window.close()
            await window.shutdown()
            await ctx.aclose()

    qloop.run_until_complete(scenario())

    waits = [s for s in seen if s["status"].kind in ("backoff", "ratelimited")]
    assert waits, [s["status"] for s in seen]
    for s in waits:
        status: SessionStatus = s["status"]
        pattern = BACKOFF_WORDS if status.kind == "backoff" else RATELIMIT_WORDS
        assert pattern.match(s["words"]), s["words"]
        assert s["tooltip"] is not None
        assert pattern.match(s["tooltip"]), s  # the tree item says it too, with the wait's seconds
        assert "through faults" in s["status_bar"], s  # the status bar names the topic and says it
        if status.kind == "backoff":
            assert "reconnecting in" in s["status_bar"], s
            assert status.text in s["status_bar"], s  # the reason, in words
            assert status.text, s
            assert "<" not in status.text, status.text  # no HTML page
            assert "\n" not in status.text, status.text
        else:
            assert "rate limit reached: paused" in s["status_bar"], s
    assert any(s["status"].kind == "live" for s in seen[seen.index(waits[-1]) :]), "live again after the last fault"

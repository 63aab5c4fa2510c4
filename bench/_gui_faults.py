"""The window offscreen tailing a topic through the fault proxy (tests/faults.py) while messages are published
straight to the emulator: what arrives, the longest UI-loop stall (lateness of a 5 ms timer, as gui_ingest.py
measures it) and the states shown in words.

The emulator, the proxy and the publisher run in a child process (``python bench/_gui_faults.py --serve``), as a
service runs on another machine: the window's process does the window's work only, as it does for a user.

``gui_under_faults`` is for bench scripts: ``from bench._gui_faults import gui_under_faults`` from the repo root,
or ``from _gui_faults import gui_under_faults`` with bench/ on sys.path. Run alone, it prints the figures at rate 0
and at 0.2.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the fault proxy lives in tests/
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WITHIN = 120.0  # seconds for every message to arrive


async def _publish(url: str, token: str, topic: int, messages: int) -> list[str]:
    """``messages`` straight to the emulator, 100 a request, a little apart (the tail follows them live)."""
    import httpx

    sent: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, trust_env=False) as http:
        for start in range(0, messages, 100):
            payloads = [{"n": n} for n in range(start, min(start + 100, messages))]
            answer = await http.post(f"/api/v1/batch/topics/{topic}/publish", json={"payloads": payloads})
            answer.raise_for_status()
            results = answer.json()["message_ids"]
            sent += [results[str(i)]["message_id"] for i in range(len(payloads))]
            await asyncio.sleep(0.02)
    return sent


class _Service:
    """The child process that serves: ``ask(command)`` sends one line and returns its one-line JSON answer."""

    def __init__(self, rate: float, seed: int) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(rate), str(seed)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ready = self._answer()  # {"proxy", "emulator", "token", "topic"}

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the service process ended ({self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


async def _scenario(service: _Service, messages: int) -> dict[str, Any]:
    from keyring.backends import fail

    from bench._stall import StallMeter
    from inspector.core.profiles import Profile
    from inspector.core.secrets import KeyringStore
    from inspector.core.services.workato import EventStreamsClient
    from inspector.ui.app import freeze_startup_objects
    from inspector.ui.context import AppContext
    from inspector.ui.main_window import MainWindow
    from inspector.ui.status import SessionStatus
    from inspector.ui.topic.model import COL_ID
    from tests.faults import ScaledLimiter

    url, token, topic = service.ready["proxy"], service.ready["token"], service.ready["topic"]
    ctx = AppContext(keyring_store=KeyringStore(fail.Keyring()))  # tokens for this run only
    ctx.workspace.row_cap = max(ctx.workspace.row_cap, messages)

    def client(profile: Profile, token: str) -> EventStreamsClient:
        # a short wait beyond the long poll, and 429 pauses a tenth as long, as the fault scenarios use
        endpoint = profile.endpoint()
        http = ctx.pool.get(endpoint.events_url)
        return EventStreamsClient(endpoint, token, http=http, limiter=ScaledLimiter(0.1), read_timeout=0.5)

    ctx.client = client  # type: ignore[method-assign]
    profile = ctx.profile_store.upsert(Profile("Faults", "custom", url, rate_limit_rpm=0))
    await ctx.set_token(profile, token)
    ctx.workspace.add_topic("Faults", topic, "faults")
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    freeze_startup_objects()  # as the app does once its window is up
    await asyncio.sleep(0.2)
    words: list[str] = []
    view = await window.open_topic("Faults", topic)
    assert view is not None

    def record(status: SessionStatus) -> None:
        text = status.describe()
        if text not in words:
            words.append(text)

    view.session.statusChanged.connect(record)
    record(view.session.status)
    # opening the tab (built and painted once, the first request) is not the stall under faults: as gui_ingest.py
    # does, the meter starts once the tab is open; the tail is then live on an empty topic
    deadline = time.monotonic() + WITHIN
    while view.session.status.kind not in ("live", "error") and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    meter = StallMeter()
    meter.start()
    began = time.perf_counter()
    sent = (await asyncio.to_thread(service.ask, f"publish {messages}"))["sent"]
    deadline = time.monotonic() + WITHIN
    while view.model.rowCount() < messages and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - began
    while view.session.status.kind != "live" and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # anything late or repeated shows up
    stall = meter.worst
    meter.timer.stop()
    rows = [view.model.data(view.model.index(r, COL_ID)) for r in range(view.model.rowCount())]
    final = view.session.status.describe()
    window.close()
    await window.shutdown()
    await ctx.aclose()
    return {
        "sent": sent,
        "rows": rows,
        "max_stall_ms": stall,
        "states_in_words": words,
        "final_state": final,
        "seconds": seconds,
    }


def gui_under_faults(rate: float = 0.2, seed: int = 1, messages: int = 5000) -> dict[str, Any]:
    """The window tails a new topic through a ``FaultProxy`` at ``rate`` (``seed``) while ``messages`` are
    published straight to the emulator (both in a child process); returns what arrived, the faults, the longest
    UI stall (ms) and the distinct states shown in words."""
    from PySide6.QtWidgets import QApplication

    from inspector.core import tail as tail_module
    from inspector.core.backoff import Backoff
    from inspector.ui.eventloop import EventLoop

    os.environ.setdefault("TOPIC_INSPECTOR_HOME", tempfile.mkdtemp(prefix="topic-inspector-bench-"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
    original_backoff = tail_module.Backoff
    # the session's tail backs off 0.01..0.1 s, as the fault scenarios' tail does (not 0.5..30 s)
    tail_module.Backoff = functools.partial(Backoff, base=0.01, cap=0.1, rng=random.Random(seed))  # type: ignore[misc]
    service = _Service(rate, seed)
    try:
        loop = EventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                run = loop.run_until_complete(_scenario(service, messages))
        finally:
            asyncio.set_event_loop(None)
        proxy = service.ask("stop")
    finally:
        tail_module.Backoff = original_backoff  # type: ignore[misc]
        service.close()
    faults: dict[str, int] = proxy["faults"]
    sent, rows = run["sent"], run["rows"]
    return {
        "messages": messages,
        "received": len(set(rows) & set(sent)),
        "lost": len(set(sent) - set(rows)),
        "duplicated": len(rows) - len(set(rows)),
        "in_order": rows == sent,
        "faults_injected": sum(faults.values()),
        "faults_by_kind": dict(sorted(faults.items())),
        "requests": proxy["requests"],
        "max_stall_ms": round(run["max_stall_ms"], 1),
        "states_in_words": run["states_in_words"],
        "final_state": run["final_state"],
        "seconds": round(run["seconds"], 2),
    }


def _serve(rate: float, seed: int) -> None:
    """The child: an emulator and a ``FaultProxy`` in front of it; answers ``publish N`` and ``stop`` on stdin."""
    from inspector.emulator.server import EmulatorConfig, EmulatorServer
    from tests.faults import FaultProxy

    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0)) as emulator:
        assert emulator.store is not None
        topic = emulator.store.create_topic(f"gui-faults-{time.monotonic_ns()}").id
        with FaultProxy(emulator.url, rate=rate, seed=seed, stall_secs=2.0) as proxy:
            ready = {"proxy": proxy.url, "emulator": emulator.url, "token": emulator.token, "topic": topic}
            print(json.dumps(ready), flush=True)
            for line in sys.stdin:
                command, _, argument = line.strip().partition(" ")
                if command == "publish":
                    sent = asyncio.run(_publish(emulator.url, emulator.token, topic, int(argument)))
                    print(json.dumps({"sent": sent}), flush=True)
                elif command == "stop":
                    counts = {str(kind): n for kind, n in proxy.fault_counts().items()}
                    print(json.dumps({"faults": counts, "requests": proxy.requests}), flush=True)
                    return


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve(float(sys.argv[2]), int(sys.argv[3]))
    else:
        for fault_rate in (0.0, 0.2):
            print(json.dumps({"rate": fault_rate, **gui_under_faults(rate=fault_rate)}, ensure_ascii=False))

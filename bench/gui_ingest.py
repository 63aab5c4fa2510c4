"""The window offscreen ingesting a 100,000-message backlog (1 KB payloads), beside a headless TopicTail drain.

Figures: messages/s into the table against the headless drain (goal ratio >= 0.8), the longest stall of the UI
loop (lateness of a 5 ms timer; goal < 50 ms), a text filter over the full table (goal < 200 ms), and memory
per row (RSS growth over the ingest / rows; goal < 2 KB for 1 KB payloads).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TOPIC_INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="topic-inspector-bench-")

from _common import emulator_process, tail_drain
from _stall import StallMeter
from keyring.backends import fail
from PySide6.QtWidgets import QApplication

from inspector.core.profiles import Profile
from inspector.core.secrets import KeyringStore
from inspector.ui.app import freeze_startup_objects
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow

MESSAGES = 100_000
ROUNDS = 5
PAYLOAD_BYTES = 1024


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


async def gui(url: str, token: str, topic: int, *, archive: bool = False) -> dict[str, float]:
    """One round (``archive``: with the message archive on, a new one each round; bench/archive.py compares)."""
    ctx = AppContext(keyring_store=KeyringStore(fail.Keyring()))  # tokens for this run only, never the user's keyring
    ctx.workspace.archive.enabled = archive
    folder = Path(tempfile.mkdtemp(prefix="topic-inspector-bench-archive-"))
    ctx.archive_path = folder / "archive.sqlite"
    profile = ctx.profile_store.upsert(Profile("Bench", "custom", url, rate_limit_rpm=0))
    await ctx.set_token(profile, token)
    ctx.workspace.add_topic("Bench", topic, "bench")
    ctx.workspace.row_cap = MESSAGES
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    freeze_startup_objects()  # as the app does once its window is up
    await asyncio.sleep(0.2)
    gc.collect()
    before = rss_bytes()
    meter = StallMeter()
    begin = time.perf_counter()
    view = await window.open_topic("Bench", topic)
    assert view is not None
    while view.model.total < 1000:  # the tab is built and painted once: that is opening it, not ingesting
        await asyncio.sleep(0.005)
    meter.start()
    while view.model.total < MESSAGES:
        await asyncio.sleep(0.01)
    ingest = time.perf_counter() - begin
    ingest_stall = meter.worst
    view.session.pause()
    begin = time.perf_counter()  # the archive's writer catching up with the table (it commits as messages come)
    writer = ctx.archive_writer
    lag = time.perf_counter() - begin if writer is not None and await asyncio.to_thread(writer.flush) else 0.0
    gc.collect()
    per_row = (rss_bytes() - before) / MESSAGES

    meter.start()
    view.filter_edit.blockSignals(True)  # apply it once, now, rather than after the typing pause as well
    view.filter_edit.setText("jane")
    view.filter_edit.blockSignals(False)
    begin = time.perf_counter()
    view.apply_filter()
    while not view.filter_done():
        await asyncio.sleep(0)
    filter_ms = (time.perf_counter() - begin) * 1000
    matched = view.model.rowCount()
    worst = max(ingest_stall, meter.worst)
    meter.timer.stop()
    window.close()
    await window.shutdown()
    await ctx.aclose()
    shutil.rmtree(folder)
    return {
        "rate": MESSAGES / ingest,
        "stall": worst,
        "filter_ms": filter_ms,
        "per_row": per_row,
        "matched": matched,
        "filter_stall": meter.worst,
        "archive_lag_s": lag,
        "archived": float(writer.written) if writer is not None else 0.0,
    }


def main() -> None:
    runs: list[dict[str, float]] = []
    ratios: list[float] = []
    with emulator_process(MESSAGES, payload_bytes=PAYLOAD_BYTES) as (url, token, topic):
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        drains = [asyncio.run(tail_drain(url, token, topic, MESSAGES))]
        # A first window round warms Qt up (fonts, styles, caches) and is not counted; then each window round
        # runs between two headless drains, so both see the same machine.
        for round_number in range(ROUNDS + 1):
            loop = EventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                run = loop.run_until_complete(gui(url, token, topic))
            asyncio.set_event_loop(None)
            drains.append(asyncio.run(tail_drain(url, token, topic, MESSAGES)))
            if round_number > 0:
                runs.append(run)
                ratios.append(run["rate"] / statistics.mean(drains[-2:]))
        drains = drains[1:]
    base = statistics.median(drains)
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    ratio = statistics.median(ratios)
    print(
        f"backlog {MESSAGES:,} messages of ~{PAYLOAD_BYTES} B, rate limit off, window offscreen, "
        f"{ROUNDS} rounds after a warm-up (medians)"
    )
    print(f"headless TopicTail drain: {base:9.0f} msg/s")
    print(
        f"into the table:           {figures['rate']:9.0f} msg/s   ratio {ratio:.3f} (goal >= 0.8; "
        f"rounds {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(
        f"longest UI stall:         {figures['stall']:9.1f} ms      (goal < 50 ms; during the filter "
        f"{figures['filter_stall']:.1f} ms)"
    )
    print(
        f"text filter, full table:  {figures['filter_ms']:9.1f} ms      (goal < 200 ms; "
        f"{figures['matched']:,.0f} matches)"
    )
    print(f"memory per row:           {figures['per_row']:9.0f} B       (goal < 2048 B)")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "max_stall_ms": round(figures["stall"], 1),
                "filter_ms": round(figures["filter_ms"], 1),
                "bytes_per_row": round(figures["per_row"]),
            }
        )
    )


if __name__ == "__main__":
    main()

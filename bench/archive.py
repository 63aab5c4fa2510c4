"""The message archive with 1,000,000 messages of about 1 KB: its size, word searches and JMESPath conditions.

The archive is built in a temporary folder by ``Archive.write`` in batches of the writer's size (1,000), from
payloads made with ``random.Random(1234)``: orders, payments, shipments, customers and tickets with names, cities,
amounts, line items and notes of words drawn from a vocabulary of 8,000 with a Zipf-like spread (so some words
are in most messages and most words in few). A thread makes the payloads while SQLite indexes the previous batch
(SQLite lets go of Python's lock while it works). No HTTP: publishing a million messages through the emulator
would take the benchmark's whole budget.

Figures (goals from issue 18):
- ``search_p50_ms`` / ``search_p95_ms``: 50 varied word queries (single words common and rare, two words,
  "phrases", prefix*, order ids, e-mail addresses), each the newest 500 hits (p50 < 50 ms, p95 < 200 ms);
- ``jmespath_1m_s``: the slowest of four JMESPath conditions over all 1M, each with every hit and progress (< 10 s
  each), also given alone: ``jmespath_sql_1m_s``, ``payload.amount > `4999.9``` (SQL decides every message);
  ``jmespath_length_1m_s``, ``length(payload.items) > `5``` (SQL too, since issue 18's second part);
  ``jmespath_unchecked_1m_s``, ``length(payload.items[?qty > `8`]) > `2``` (a filter: Python decides every
  message, in worker processes); ``jmespath_mixed_1m_s``, ``payload.currency == 'JPY' &&
  max(payload.items[*].price) > `495``` (the word index and SQL narrow to a quarter, Python decides those);
  ``jmespath_stall_ms``: the longest lateness of a 5 ms tick in the searching process while they run (the window
  runs a search on a thread: its loop must never stall > 50 ms); ``jmespath_literal_ms``: an equality with a
  string, which the word index narrows first;
- ``bytes_per_msg`` (the file with its word index, per message), ``payload_bytes_per_msg`` and their ratio
  ``size_ratio`` (< 2);
- the window's, each in a child process (this script again, ``--window``): ``ingest_ratio``, bench/gui_ingest.py's
  100,000-message ingest into the window with the archive on against off, in the same run (>= 0.9), with
  ``ingest_stall_ms``, the UI's longest stall with it on (< 50 ms), and ``archive_lag_s``, how long the writer
  took to commit the rest once the table had every message (a tab holds a backlog's batches back from the writer
  while it pours in: see inspector/ui/topic/history.py); ``open_ms``, opening a topic of the 1M archived
  messages until its newest 1,000 rows are painted (< 300 ms; the median of 3 processes, each of which opened
  another topic's tab first), and ``open_first_tab_ms``, the same as the first tab of the process, opened 0.3 s
  after the window's start (``start_background``, which loads the tab's modules and opens the archive);
  ``rss_mb``, the window's memory once the tab holds its row limit (100,000) of them (< 400 MB).

``--messages N`` builds a smaller archive (for a quick look); ``--keep DIR`` builds it there and keeps it (the
window's figures open it). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import queue
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson
from _common import median, percentile

from inspector.core.archive import Archive, Row
from inspector.core.archive.convert import now_us
from inspector.core.timeparse import format_time

MESSAGES = 1_000_000
BATCH = 1000  # the writer's batch size (inspector.core.archive.writer.BATCH_SIZE)
PROFILE = "https://event-streams.example.com"
TOPIC = 77
LIMIT = 500
SEED = 1234
START = datetime(2026, 1, 1, tzinfo=UTC)
_SYLLABLES = (
    "ka ro mi ta ne lo su vi de pa gri tor ban qui zel mor fen lax dor pim shu wen cal bro tes nix dap hul ver jun"
)
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Payloads:
    """Realistic, varied payloads of about 1 KB, the same on every run."""

    first = ("Jane", "John", "Ana", "Kenji", "Priya", "Lars", "Fatima", "Wei", "Olga", "Tomás", "Zoë", "Mateo")
    last = ("Doe", "Roe", "Silva", "Sato", "Patel", "Berg", "Haddad", "Chen", "Ivanova", "García", "Müller", "Rossi")
    cities = ("Lisbon", "Osaka", "Berlin", "Austin", "Nairobi", "Lyon", "Pune", "Oslo", "Quito", "Perth")
    statuses = ("created", "paid", "shipped", "delivered", "failed", "refunded", "cancelled", "pending")
    kinds = ("order", "payment", "shipment", "customer", "ticket")
    codes = ("E_TIMEOUT", "E_DECLINED", "E_STOCK", "E_ADDRESS")

    def __init__(self, seed: int = SEED) -> None:
        rng = self.rng = random.Random(seed)
        syllables = _SYLLABLES.split()
        words: set[str] = set()
        while len(words) < 8000:
            words.add("".join(rng.choice(syllables) for _ in range(rng.choice((2, 2, 3, 3, 4)))))
        self.words = sorted(words)
        rng.shuffle(self.words)  # the most frequent words: the first of this order
        self.weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.words))))
        self.notes = [self.text(rng.randrange(5, 30)) for _ in range(40_000)]
        self.names = [self.text(rng.randrange(2, 5)) for _ in range(10_000)]
        self.streets = [self.text(2).title() + " Street" for _ in range(5_000)]

    def text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.weights, k=count))

    def payload(self, n: int) -> dict[str, Any]:
        rnd = self.rng.random
        kind = self.kinds[n % 5]
        first, last = self.first[int(rnd() * 12)], self.last[int(rnd() * 12)]
        payload: dict[str, Any] = {
            "event": f"{kind}.{self.statuses[int(rnd() * 8)]}",
            "id": f"{kind[:3].upper()}-{int(rnd() * 10**7):07d}",
            "sequence": n,
            "occurred_at": f"2026-0{1 + n % 9}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}Z",
            "customer": {
                "id": int(rnd() * 10**6),
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}@example.com",
                "address": {
                    "city": self.cities[int(rnd() * 10)],
                    "zip": f"{int(rnd() * 10**5):05d}",
                    "line1": f"{int(rnd() * 998) + 1} {self.streets[int(rnd() * 5000)]}",
                },
            },
            "status": self.statuses[int(rnd() * 8)],
            "amount": round(rnd() * 5000, 2),
            "currency": ("EUR", "USD", "JPY", "GBP")[int(rnd() * 4)],
            "tags": [self.words[int(rnd() * 300)] for _ in range(int(rnd() * 5))],
            "items": [
                {
                    "sku": f"SKU-{int(rnd() * 10**5):05d}",
                    "name": self.names[int(rnd() * 10_000)],
                    "qty": int(rnd() * 9) + 1,
                    "price": round(rnd() * 500, 2),
                }
                for _ in range(int(rnd() * 5) + 1)
            ],
            "note": self.notes[int(rnd() * 40_000)] + " " + self.notes[int(rnd() * 40_000)],
        }
        if rnd() < 0.2:
            payload["error"] = {
                "code": self.codes[int(rnd() * 4)],
                "message": self.notes[int(rnd() * 40_000)] + "\nretry later",
            }
        return payload

    def message_id(self, n: int) -> str:
        digits = ""
        while True:
            n, rest = divmod(n, 62)
            digits = _ALPHABET[rest] + digits
            if not n:
                break
        return "A" + digits + "".join(self.rng.choice(_ALPHABET) for _ in range(3))


# ----- building ---------------------------------------------------------------------------------------------------
def build(path: Path, count: int) -> dict[str, float]:
    """An archive of ``count`` messages at ``path``; its build time and the payloads' bytes."""
    made = Payloads()
    batches: queue.Queue[list[Row] | None] = queue.Queue(maxsize=4)
    payload_bytes = [0]

    def produce() -> None:
        for start in range(0, count, BATCH):
            rows: list[Row] = []
            for n in range(start, min(count, start + BATCH)):
                text = orjson.dumps(made.payload(n)).decode()
                payload_bytes[0] += len(text.encode())
                when = START + timedelta(seconds=2.6 * n)
                rows.append((made.message_id(n), format_time(when), int(when.timestamp()) * 1_000_000, text))
            batches.put(rows)
        batches.put(None)

    producer = threading.Thread(target=produce, name="payloads")
    begin = time.perf_counter()
    producer.start()
    received = now_us() - count * 1000  # received over the last few minutes: no age cap prunes them
    with Archive(path) as archive:
        while (rows := batches.get()) is not None:
            archive.write([(PROFILE, TOPIC, rows)], received_us=received)
            received += len(rows) * 1000
        archive._db().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    producer.join()
    return {"build_s": time.perf_counter() - begin, "payload_bytes": float(payload_bytes[0])}


# ----- the queries ------------------------------------------------------------------------------------------------
def queries(seed: int = SEED) -> list[str]:
    """50 word queries as support staff would type them: the same on every run."""
    made = Payloads()  # the same vocabulary and pools as the archive's
    rng = random.Random(seed + 1)
    common, middle, rare = made.words[:20], made.words[20:600], made.words[600:8000]
    found = [rng.choice(common) for _ in range(4)]
    found += [rng.choice(middle) for _ in range(6)]
    found += [rng.choice(rare) for _ in range(6)]
    found += [f"{rng.choice(middle)} {rng.choice(made.cities).lower()}" for _ in range(4)]
    found += [f"{rng.choice(made.statuses)} {rng.choice(made.codes)}" for _ in range(3)]
    for _ in range(8):  # phrases from the notes
        words = rng.choice(made.notes).split()
        at = rng.randrange(max(1, len(words) - 2))
        found.append('"' + " ".join(words[at : at + rng.choice((2, 3))]) + '"')
    found += [rng.choice(middle)[:5] + "*" for _ in range(4)]
    found += [rng.choice(rare)[:6] + "*" for _ in range(2)]
    found += [f"{kind[:3].upper()}-{rng.randrange(10**7):07d}" for kind in made.kinds[:3]]  # order ids
    found += [f"SKU-{rng.randrange(10**5):05d}" for _ in range(2)]
    found += [f"{f.lower()}.{s.lower()}@example.com" for f, s in zip(made.first[:3], made.last[3:6], strict=True)]
    found += ['"Kenji Sato" osaka', "Zoë Müller refunded", '"retry later" E_STOCK', "Tomás lisbon"]
    found.append("jpy failed")
    assert len(found) == 50, len(found)
    return found


def search_times(archive: Archive, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        begin = time.perf_counter()
        hits = list(archive.search(text, limit=LIMIT))
        times.append((time.perf_counter() - begin) * 1000)
        assert len(hits) <= LIMIT
    return times


def condition_seconds(archive: Archive, expression: str) -> tuple[float, int, int]:
    """Seconds for a JMESPath condition over the whole archive (limit: every hit), its hits and progress calls."""
    seconds, hits, reports, _ = condition_run(archive, expression)
    return seconds, hits, reports


def condition_run(archive: Archive, expression: str) -> tuple[float, int, int, float]:
    """``condition_seconds`` with the search on a thread, as the window runs it, while this thread ticks every
    5 ms: also the longest lateness of a tick (ms), what the window's loop would stall."""
    shares: list[float] = []
    outcome: list[Any] = []

    def run() -> None:
        begin = time.perf_counter()
        search = archive.search(jmespath=expression, limit=10**7, progress=shares.append)
        hits = sum(1 for _ in search)
        outcome.extend((time.perf_counter() - begin, hits, search))

    searching = threading.Thread(target=run, name="search")
    worst, last = 0.0, time.perf_counter()
    searching.start()
    while searching.is_alive():
        time.sleep(0.005)
        now = time.perf_counter()
        worst, last = max(worst, (now - last) * 1000 - 5), now
    searching.join()
    elapsed, hits, search = outcome
    assert search.complete, "the condition did not read the whole archive"
    assert shares[-1] == 1.0, shares[-1:]
    return elapsed, hits, len(shares), worst


CONDITIONS = {  # figure -> a representative condition (see the module's words)
    "jmespath_sql_1m_s": "payload.amount > `4999.9`",
    "jmespath_length_1m_s": "length(payload.items) > `5`",
    "jmespath_unchecked_1m_s": "length(payload.items[?qty > `8`]) > `2`",
    "jmespath_mixed_1m_s": "payload.currency == 'JPY' && max(payload.items[*].price) > `495`",
}


def jmespath_figures(archive: Archive) -> dict[str, float]:
    """Each of ``CONDITIONS`` over the whole archive, the slowest as ``jmespath_1m_s``, the longest stall, and
    ``jmespath_literal_ms``."""
    figures: dict[str, float] = {}
    stalls = []
    for figure, expression in CONDITIONS.items():
        seconds, hits, reports, stall = condition_run(archive, expression)
        print(f"{expression}: {hits:,} hits in {seconds:.2f} s ({reports} progress reports, stall {stall:.0f} ms)")
        figures[figure] = round(seconds, 2)
        stalls.append(stall)
    literal = condition_seconds(archive, "payload.customer.email == 'nobody@example.com'")
    print(f"payload.customer.email == 'nobody@example.com': {literal[1]} hits in {literal[0] * 1000:.0f} ms")
    return {
        "jmespath_1m_s": max(figures.values()),
        **figures,
        "jmespath_stall_ms": round(max(stalls), 1),
        "jmespath_literal_ms": round(literal[0] * 1000, 1),
    }


# ----- the window's figures, each in a child process ---------------------------------------------------------------
INGEST_PAIRS = 6  # rounds of bench/gui_ingest.py's ingest with the archive off and on, after a warm-up
OPENS = 3  # processes that open the 1M-message topic


def window_child(*args: str) -> dict[str, float]:
    """This script again, in a child process, for one of the window's figures: its last line is JSON."""
    done = subprocess.run(
        [sys.executable, __file__, "--window", *args], capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode:
        raise RuntimeError(f"the window's figures ({' '.join(args)}) failed:\n{done.stderr[-3000:]}")
    *said, last = done.stdout.strip().splitlines()
    print("\n".join(said))  # the child's own lines (each pair's rates, each opening)
    figures: dict[str, float] = json.loads(last)
    return figures


def ingest_ratio() -> dict[str, float]:
    """bench/gui_ingest.py's 100,000-message ingest into the window with the archive on, against it off, in the
    same run: the median of the pairs' ratios (goal >= 0.9), the UI's longest stall with it on (goal < 50 ms), and
    how long the writer took to commit the rest after the table had every message."""
    return window_child("ingest")


def ingest_rounds() -> dict[str, float]:
    """In the child: a warm-up, then ``INGEST_PAIRS`` pairs of rounds, off then on and on then off in turn."""
    import asyncio

    import gui_ingest
    from PySide6.QtWidgets import QApplication

    from inspector.ui.eventloop import EventLoop

    with gui_ingest.emulator_process(gui_ingest.MESSAGES, payload_bytes=gui_ingest.PAYLOAD_BYTES) as server:
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)

        def round_with(archive: bool) -> dict[str, float]:
            loop = EventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                run = loop.run_until_complete(gui_ingest.gui(*server, archive=archive))
            asyncio.set_event_loop(None)
            return run

        round_with(False)  # warm-up: fonts, styles, caches
        ratios, on_runs = [], []
        for pair in range(INGEST_PAIRS):
            order = (False, True) if pair % 2 == 0 else (True, False)
            runs = {archive: round_with(archive) for archive in order}
            ratios.append(runs[True]["rate"] / runs[False]["rate"])
            on_runs.append(runs[True])
            print(f"pair {pair + 1}: off {runs[False]['rate']:.0f} msg/s, on {runs[True]['rate']:.0f} msg/s")
    return {
        "ingest_ratio": round(statistics.median(ratios), 3),
        "ingest_stall_ms": round(statistics.median(run["stall"] for run in on_runs), 1),
        "archive_lag_s": round(statistics.median(run["archive_lag_s"] for run in on_runs), 2),
        "ingest_archived": min(run["archived"] for run in on_runs),
    }


def open_figures(path: Path) -> dict[str, float]:
    """``open_ms``, ``open_first_tab_ms`` and ``rss_mb``: the medians of ``OPENS`` processes that open the topic
    of ``path``'s archive after another topic's tab, and of as many that open it first."""
    warm = [window_child("open", str(path)) for _ in range(OPENS)]
    cold = [window_child("open", str(path), "first") for _ in range(OPENS)]
    return {
        "open_ms": round(statistics.median(run["open_ms"] for run in warm), 1),
        "open_first_tab_ms": round(statistics.median(run["open_ms"] for run in cold), 1),
        "rss_mb": round(statistics.median(run["rss_mb"] for run in warm + cold), 1),
        "fill_stall_ms": round(statistics.median(run["fill_stall_ms"] for run in warm + cold), 1),
    }


def open_topic(path: Path, *, first: bool) -> dict[str, float]:
    """In the child: the window offscreen, a profile at the archive's address without a token (nothing is sent:
    the tab shows the archive offline), the topic opened until its newest 1,000 rows are painted (``first``: as the
    process's first tab; else after another topic's tab was opened and closed); then, once the tab holds its row
    limit of them, the process's memory."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["TOPIC_INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="topic-inspector-bench-")
    import asyncio
    import gc

    from inspector.ui.qt import import_qt

    import_qt()  # as the app starts: PySide6 first, without its __feature__ hook (inspector/ui/qt.py)
    from _stall import StallMeter
    from keyring.backends import fail
    from PySide6.QtWidgets import QApplication

    from inspector.core.profiles import Profile
    from inspector.core.secrets import KeyringStore
    from inspector.ui.app import freeze_startup_objects
    from inspector.ui.context import AppContext
    from inspector.ui.eventloop import EventLoop
    from inspector.ui.main_window import MainWindow

    async def scenario() -> dict[str, float]:
        ctx = AppContext(keyring_store=KeyringStore(fail.Keyring()))
        ctx.archive_path = path
        ctx.profile_store.upsert(Profile("Bench", "custom", PROFILE, rate_limit_rpm=0))
        ctx.workspace.add_topic("Bench", TOPIC, "bench")
        ctx.workspace.add_topic("Bench", TOPIC + 1, "other")
        window = MainWindow(ctx)
        window.resize(1280, 800)
        window.show()
        await window.start_background(settle=freeze_startup_objects)  # as the app does once it is shown
        await asyncio.sleep(0.3)
        if not first:  # the topic tab's modules loaded, the archive open: what opening a tab costs from then on
            other = await window.open_topic("Bench", TOPIC + 1)
            assert other is not None
            await asyncio.sleep(0.3)
            await window.close_topic(("Bench", TOPIC + 1))
            await asyncio.sleep(0.3)
        begin = time.perf_counter()
        view = await window.open_topic("Bench", TOPIC)
        assert view is not None
        while view.model.rowCount() < 1000:
            await asyncio.sleep(0.001)
        view.table.viewport().repaint()  # painted
        opened = (time.perf_counter() - begin) * 1000
        meter = StallMeter()  # while the rest, up to the row limit, is read and goes in above
        meter.start()
        cap = ctx.workspace.row_cap
        while view.model.rowCount() < cap:
            await asyncio.sleep(0.01)
        meter.timer.stop()
        await asyncio.sleep(0.5)
        gc.collect()
        rss = rss_bytes() / 1e6
        number = view.model.data(view.model.index(0, 0))
        print(f"opened in {opened:.0f} ms; {view.model.rowCount():,} rows (#{number:,} on) in {rss:.0f} MB")
        window.close()
        await window.shutdown()
        await ctx.aclose()
        return {"open_ms": round(opened, 1), "rss_mb": round(rss, 1), "fill_stall_ms": round(meter.worst, 1)}

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(scenario())


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


# ----- main -------------------------------------------------------------------------------------------------------
def measure(folder: Path, count: int) -> dict[str, Any]:
    path = folder / "archive.sqlite"
    built = build(path, count)
    file_bytes = sum(os.path.getsize(f"{path}{suffix}") for suffix in ("", "-wal") if os.path.exists(f"{path}{suffix}"))
    print(f"built {count:,} messages in {built['build_s']:.1f} s: {file_bytes / 1e6:,.0f} MB")
    with Archive(path) as archive:
        search_times(archive, ["warm", "up", "the", "cache"])
        texts = queries()
        times = search_times(archive, texts)
        slowest = sorted(zip(times, texts, strict=True), reverse=True)[:3]
        print("slowest word queries: " + ", ".join(f"{text} {ms:.0f} ms" for ms, text in slowest))
        conditions = jmespath_figures(archive)
    return {
        "messages": count,
        "build_s": round(built["build_s"], 1),
        "search_p50_ms": round(median(times), 1),
        "search_p95_ms": round(percentile(times, 0.95), 1),
        **conditions,
        "bytes_per_msg": round(file_bytes / count),
        "payload_bytes_per_msg": round(built["payload_bytes"] / count),
        "size_ratio": round(file_bytes / built["payload_bytes"], 2),
        **open_figures(path),
        **ingest_ratio(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=MESSAGES, help=f"default {MESSAGES:,}")
    parser.add_argument("--keep", metavar="DIR", help="build the archive in DIR and keep it")
    parser.add_argument("--window", nargs="+", metavar="FIGURE", help=argparse.SUPPRESS)  # in the child process
    args = parser.parse_args()
    if args.window:
        if args.window[0] == "ingest":
            figures = ingest_rounds()
        else:
            figures = open_topic(Path(args.window[1]), first=args.window[-1] == "first")
        print(json.dumps(figures))
        return
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        figures = measure(folder, args.messages)
    else:
        with tempfile.TemporaryDirectory(prefix="topic-inspector-bench-") as temporary:
            figures = measure(Path(temporary), args.messages)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

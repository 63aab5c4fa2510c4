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
- ``jmespath_1m_s``: ``payload.amount > `4999.9``` over all 1M, with progress (SQL checks the comparison; < 10 s);
  ``jmespath_literal_ms``: an equality with a string, which the word index narrows first; and
  ``jmespath_unchecked_1m_s``: a condition SQL cannot check (``length(payload.items) > `5```), evaluated in
  Python over every message;
- ``bytes_per_msg`` (the file with its word index, per message), ``payload_bytes_per_msg`` and their ratio
  ``size_ratio`` (< 2);
- ``ingest_ratio``, ``open_ms`` and ``rss_mb`` are the window's: printed as null until the window's part of the
  issue measures them (the functions marked below).

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
    shares: list[float] = []
    begin = time.perf_counter()
    search = archive.search(jmespath=expression, limit=10**7, progress=shares.append)
    hits = sum(1 for _ in search)
    elapsed = time.perf_counter() - begin
    assert search.complete, "the condition did not read the whole archive"
    assert shares[-1] == 1.0, shares[-1:]
    return elapsed, hits, len(shares)


# ----- the window's figures: measured by the window's part of issue 18 --------------------------------------------
def ingest_ratio() -> float | None:
    """bench/gui_ingest.py's 100,000-message ingest with the archive on, against it off, in the same run (goal
    >= 0.9, the UI's longest stall < 50 ms). Not measured yet."""
    return None


def open_ms(path: Path) -> float | None:
    """Opening a topic of ``path``'s 1M archived messages until its newest 1,000 rows show (goal < 300 ms). Not
    measured yet."""
    return None


def rss_mb(path: Path) -> float | None:
    """The window's memory with that topic open (goal < 400 MB). Not measured yet."""
    return None


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
        scan = condition_seconds(archive, "payload.amount > `4999.9`")
        print(f"payload.amount > `4999.9`: {scan[1]:,} hits in {scan[0]:.2f} s ({scan[2]} progress reports)")
        literal = condition_seconds(archive, "payload.customer.email == 'nobody@example.com'")
        print(f"payload.customer.email == 'nobody@example.com': {literal[1]} hits in {literal[0] * 1000:.0f} ms")
        unchecked = condition_seconds(archive, "length(payload.items) > `5`")
        print(f"length(payload.items) > `5`: {unchecked[1]} hits in {unchecked[0]:.1f} s (evaluated in Python)")
    return {
        "messages": count,
        "build_s": round(built["build_s"], 1),
        "search_p50_ms": round(median(times), 1),
        "search_p95_ms": round(percentile(times, 0.95), 1),
        "jmespath_1m_s": round(scan[0], 2),
        "jmespath_literal_ms": round(literal[0] * 1000, 1),
        "jmespath_unchecked_1m_s": round(unchecked[0], 1),
        "bytes_per_msg": round(file_bytes / count),
        "payload_bytes_per_msg": round(built["payload_bytes"] / count),
        "size_ratio": round(file_bytes / built["payload_bytes"], 2),
        "ingest_ratio": ingest_ratio(),
        "open_ms": open_ms(path),
        "rss_mb": rss_mb(path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=MESSAGES, help=f"default {MESSAGES:,}")
    parser.add_argument("--keep", metavar="DIR", help="build the archive in DIR and keep it")
    args = parser.parse_args()
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

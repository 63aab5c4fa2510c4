"""The message archive's store (inspector.core.archive): one row per (profile address, topic, message id), WAL,
private files, words and phrases, JMESPath, time ranges, topics, pages of a topic, pruning, forgetting, imports,
damaged files set aside, the schema's version, and the writer's thread.

Data is deterministic: payloads from ``random.Random(1234)``, times from a fixed start."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.core.archive import (
    IMPORT_TOPIC,
    SCHEMA_VERSION,
    Archive,
    ArchiveDamagedError,
    ArchivedMessage,
    ArchiveWriter,
    TopicRef,
    message_rows,
    profile_address,
)
from inspector.core.archive import parallel as archive_parallel
from inspector.core.archive import search as archive_search
from inspector.core.errors import ValidationError
from inspector.core.export import export_messages
from inspector.core.filtering import JmesPathFilter
from inspector.core.models import Message
from inspector.core.paths import AppPaths
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.rows import make_row
from inspector.core.workspace import ArchiveSettings, WorkspaceStore, saved_archive_settings

HOST = "https://event-streams.example.com"
OTHER = "https://event-streams.eu.example.com"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WORDS = ["order", "payment", "declined", "shipped", "refund", "osaka", "lisbon", "zoë", "müller", "retry", "later"]
STATUSES = ["paid", "failed", "shipped", "refunded"]


def payloads(count: int, seed: int = 1234) -> list[dict[str, Any]]:
    """Varied, realistic payloads, the same on every run."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        payload: dict[str, Any] = {
            "order": 1000 + n,
            "status": STATUSES[n % 4],
            "total": round(rng.uniform(1, 500), 2),
            "customer": {"name": rng.choice(["Jane Doe", "Zoë Müller", "Kenji Sato"]), "vip": n % 5 == 0},
            "items": [{"sku": f"SKU-{rng.randrange(100):03d}", "qty": rng.randrange(1, 4)} for _ in range(n % 3 + 1)],
            "note": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))),
        }
        if n % 7 == 0:
            payload["error"] = {"code": "E_DECLINED", "message": "payment declined\nretry later"}
        out.append(payload)
    return out


def messages(count: int, *, start: int = 0, prefix: str = "m", seed: int = 1234) -> list[Message]:
    return [
        Message(f"{prefix}{start + n}", START + timedelta(minutes=start + n), payload)
        for n, payload in enumerate(payloads(count, seed), start=0)
    ]


@pytest.fixture
def archive(app_home: Path) -> Iterator[Archive]:
    found = Archive()
    yield found
    found.close()


def ids(hits: Any) -> list[str]:
    return [hit.message_id for hit in hits]


# ----- the file -------------------------------------------------------------------------------------------------
def test_the_file_is_in_the_data_folder_in_wal_mode_and_stamped(archive: Archive) -> None:
    assert archive.path == AppPaths.current().data / "archive.sqlite"
    archive.write([(HOST, 7, message_rows(messages(3)))])
    with sqlite3.connect(archive.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_files_are_private_whatever_the_umask(app_home: Path) -> None:
    previous = os.umask(0o022)
    try:
        archive = Archive()
        archive.write([(HOST, 7, message_rows(messages(3)))])
        names = [archive.path, Path(f"{archive.path}-wal"), Path(f"{archive.path}-shm")]
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in names}
        folder = stat.S_IMODE(archive.path.parent.stat().st_mode)
        archive.close()
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(modes, 0o600)
    assert folder == 0o700


def test_a_message_seen_twice_is_kept_once(archive: Archive) -> None:
    batch = message_rows(messages(5))
    assert archive.write([(HOST, 7, batch)]) == 5
    assert archive.write([(HOST, 7, batch), (HOST, 7, batch[:2])]) == 0
    assert archive.count(HOST, 7) == 5
    # The same ids of another topic, or of another address, are other messages.
    assert archive.write([(HOST, 8, batch), (OTHER, 7, batch)]) == 10
    assert archive.stats().messages == 15


def test_profiles_are_filed_by_address_not_name() -> None:
    one, renamed = Profile("Prod", "eu"), Profile("Production", "eu")
    assert profile_address(one) == profile_address(renamed) == "https://event-streams.eu.workato.com"
    local = Profile("Local", "custom", "http://127.0.0.1:9300")
    assert profile_address(local) == "http://127.0.0.1:9300"


# ----- reading a topic ------------------------------------------------------------------------------------------
def test_newest_older_than_and_newest_id_page_through_a_topic(archive: Archive) -> None:
    archive.write([(HOST, 7, message_rows(messages(25)))])
    archive.write([(HOST, 8, message_rows(messages(3, prefix="x")))])
    newest = archive.newest(HOST, 7, 10)
    assert ids(newest) == [f"m{n}" for n in range(15, 25)]  # oldest first, as the table shows them
    older = archive.older_than(HOST, 7, newest[0].key, 10)
    assert ids(older) == [f"m{n}" for n in range(5, 15)]
    assert ids(archive.older_than(HOST, 7, older[0].key, 10)) == [f"m{n}" for n in range(5)]
    assert archive.older_than(HOST, 7, archive.newest(HOST, 7, 25)[0].key, 10) == []
    assert archive.newest_id(HOST, 7) == "m24"
    assert archive.newest_id(HOST, 9) is None
    assert archive.newest(OTHER, 7) == []


def test_an_archived_message_is_the_message_again(archive: Archive) -> None:
    original = Message("m1", START, {"a": "é\n", "n": 1.5}, "2024-05-01T09:00:00.000000Z")
    archive.write([(HOST, 7, message_rows([original]))])
    (kept,) = archive.newest(HOST, 7)
    assert kept.message() == original
    assert kept.message().time_rfc3339 == "2024-05-01T09:00:00.000000Z"
    assert export_messages([kept.message()], "jsonl") == export_messages([original], "jsonl")
    assert kept.raw_row(3) == make_row(3, original)


# ----- words ----------------------------------------------------------------------------------------------------
@pytest.fixture
def filled(archive: Archive) -> Archive:
    archive.write([(HOST, 7, message_rows(messages(60)))])
    archive.write([(OTHER, 9, message_rows(messages(20, start=60, seed=99)))])
    return archive


def brute(archive: Archive, keep: Any) -> list[str]:
    """The ids, newest first, of every archived message for which ``keep(message)`` is true."""
    everything = archive.newest(HOST, 7, 10**6) + archive.newest(OTHER, 9, 10**6)
    return [m.message_id for m in sorted(everything, key=lambda m: -m.key) if keep(m)]


def words_of(m: ArchivedMessage) -> str:
    return json.dumps(m.payload, ensure_ascii=False).lower()


def test_words_are_all_required_and_newest_first(filled: Archive) -> None:
    found = ids(filled.search("declined osaka", limit=1000))
    expected = brute(filled, lambda m: "declined" in words_of(m) and "osaka" in words_of(m))
    assert found == expected
    assert found


def test_prefix_phrase_case_and_accents(filled: Archive) -> None:
    assert ids(filled.search("DECL*", limit=1000)) == brute(filled, lambda m: "declined" in words_of(m))
    phrase = ids(filled.search('"payment declined"', limit=1000))
    assert phrase == brute(filled, lambda m: "payment declined" in m.text.replace("\\n", " ").lower())
    assert set(phrase) < set(ids(filled.search("payment declined", limit=1000)))
    assert ids(filled.search('"zoe muller"', limit=1000)) == brute(filled, lambda m: "zoë müller" in m.text.lower())


def test_a_word_after_a_line_break_is_a_word(filled: Archive) -> None:
    """ "payment declined\\nretry later": the JSON escape is not glued to "retry"."""
    assert ids(filled.search('"declined retry later"', limit=1000)) == brute(filled, lambda m: "error" in m.payload)


def test_the_limit_keeps_the_newest(filled: Archive) -> None:
    assert ids(filled.search("order", limit=5)) == brute(filled, lambda m: True)[:5]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        '"*',
        "*",
        "**",
        "-",
        "AND",
        "OR NOT",
        "NEAR(order payment)",
        "body: order",
        "{body}: x",
        "^order",
        "order)",
        "(order",
        "a\x00b",
        "\x1b[31m",
        "'; DROP TABLE messages; --",
        "o'brien",
        "😀 order",
        "x" * 5000,
        '"unclosed phrase',
        "ord* *der",
        "a AND OR b",
    ],
)
def test_hostile_words_never_reach_sqlite_as_syntax(filled: Archive, text: str) -> None:
    try:
        list(filled.search(text))
    except ValidationError as exc:
        refused = exc.message
    else:
        refused = ""
    assert refused == "" or refused.startswith("search words: ")
    assert filled.count(HOST, 7) == 60  # nothing dropped


def test_words_without_a_letter_are_refused_in_words(filled: Archive) -> None:
    with pytest.raises(ValidationError, match="has no letter or digit") as caught:
        filled.search("-- ** ()")
    assert "quoted phrase" in caught.value.hint


# ----- JMESPath -------------------------------------------------------------------------------------------------
EXPRESSIONS = [
    "payload.status == 'failed'",
    "'failed' == payload.status",
    "payload.total > `400`",
    "payload.total <= `10.5`",
    "`250` < payload.total",
    "payload.customer.name == 'Zoë Müller'",
    "payload.customer.vip == `true`",
    "payload.customer.vip",
    "payload.error.code == 'E_DECLINED' && payload.total > `100`",
    "payload.status == 'paid' || payload.status == 'shipped'",
    "payload.status == 'paid' || length(payload.items) > `2`",
    "!(payload.status == 'paid')",
    "payload.status != 'paid'",
    "contains(payload.note, 'osaka')",
    "starts_with(payload.customer.name, 'Ken')",
    "ends_with(payload.note, 'later')",
    "payload.items[0].qty == `3`",
    "payload.items[?qty > `2`]",
    "length(payload.items) == `3`",
    "payload.error == `null`",
    "payload.missing == `null`",
    "message_id == 'm7'",
    "message_id > 'm70'",
    "payload.status > 'paid'",
    "payload.total == '12'",
    "payload.error.message == 'payment declined\nretry later'",
    "time > '2024-05-01T09:30'",
    "payload",
    "`true`",
    "length(payload.note) > `30`",
    "length(payload.items) > `2` || length(payload.customer) == `2`",
    "type(payload.total) == 'number' && type(payload.error) == 'object'",
    "not_null(payload.error.code, payload.status) == 'paid'",
    "payload.total > payload.order",
    "payload.items[0].qty == payload.items[-1].qty",
    "starts_with(message_id, 'm1') && !(payload.customer.vip)",
    "contains(payload.items[*].sku, 'SKU-001') || ends_with(payload.customer.name, 'Sato')",
    "length(payload.items[?qty > `1`]) > `1`",
    "payload.status == 'paid' && max(payload.items[*].qty) == `3`",
    "payload.total < `0` || payload.customer.vip",
    "length(payload.total)",
    "payload.status > `1`",
    "payload.order || payload.missing",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_jmespath_finds_what_the_window_filter_finds(filled: Archive, expression: str) -> None:
    """What SQL and the word index skip is never a match: the hits equal a plain evaluation of every message."""
    condition = JmesPathFilter(expression)

    def keep(m: ArchivedMessage) -> bool:
        return condition(make_row(0, m.message()))

    search = filled.search(jmespath=expression, limit=1000)
    assert ids(search) == brute(filled, keep)
    assert search.complete


ODD_PAYLOADS: list[dict[str, Any]] = [
    {"v": True},
    {"v": 1},
    {"v": "1"},
    {"v": 1.0},
    {"v": None},
    {"v": [1, "1"]},
    {"v": {"1": 1}},
    {"v": "a\u0001b"},
    {"v": 'say "hi"\\'},
    {"v": 2**70},
    {"v": float("nan")},
    {"a.b": {"c d": "x"}},
    {"v": "\ud800"},
    {"v": ""},
    {"v": "ünïcödé"},
    {},
    {"v": float("nan"), "w": 2**70},  # json writes NaN: not JSON to SQLite, which must not fail the search
    {"v": "a\u0000b"},
    {"v": [1, "a\u0000b"]},
    {"v": 0},
    {"v": -0.0},
    {"v": []},
    {"v": {}},
]
ODD_EXPRESSIONS = [
    "payload.v == `1`",
    "payload.v == `true`",
    "payload.v == '1'",
    "payload.v > `0`",
    "payload.v < `2`",
    "payload.v == 'a\u0001b'",
    "payload.v == 'say \"hi\"\\\\'",
    "contains(payload.v, '1')",
    "contains(payload.v, 'say')",
    "payload.v == `1180591620717411303424`",
    'payload."a.b"."c d" == \'x\'',
    "payload.v == 'ünïcödé'",
    "payload.v",
    "payload.v == ''",
    "payload.v == `null`",
    "payload.v >= 'a'",
    "length(payload.v) == `3`",
    "contains(payload.v, 'a')",
    "starts_with(payload.v, 'a')",
    "payload.v || payload.w",
    "!(payload.v)",
    "type(payload.v) == 'number'",
]


@pytest.mark.parametrize("expression", ODD_EXPRESSIONS)
def test_jmespath_on_odd_values_matches_the_filter(archive: Archive, expression: str) -> None:
    rows = [Message(f"o{n}", START, payload) for n, payload in enumerate(ODD_PAYLOADS)]
    archive.write([(HOST, 7, message_rows(rows))])
    condition = JmesPathFilter(expression)
    expected = [m.message_id for m in reversed(archive.newest(HOST, 7, 100)) if condition(make_row(0, m.message()))]
    assert ids(archive.search(jmespath=expression, limit=100)) == expected


def test_a_bad_condition_is_refused_in_the_filters_words(filled: Archive) -> None:
    with pytest.raises(ValidationError, match=r"JMESPath: unknown function nope\(\)"):
        filled.search(jmespath="nope(payload)")
    with pytest.raises(ValidationError, match="JMESPath: unexpected 100 at column 17") as caught:
        filled.search(jmespath="payload.total > 100")
    assert caught.value.hint == "numbers need backticks: payload.total > `100`"


def test_words_and_a_condition_together(filled: Archive) -> None:
    found = ids(filled.search("osaka", "payload.total > `200`", limit=1000))
    assert found == brute(filled, lambda m: "osaka" in words_of(m) and m.payload["total"] > 200)


# ----- topics and times -----------------------------------------------------------------------------------------
def test_topics_of_a_profile_a_topic_anywhere_or_several(filled: Archive) -> None:
    only = ids(filled.search("order", topics=[TopicRef(OTHER, 9)], limit=1000))
    assert only == [f"m{n}" for n in range(79, 59, -1)]
    assert ids(filled.search("order", topics=[TopicRef(None, 9)], limit=1000)) == only
    assert ids(filled.search("order", topics=[TopicRef(HOST, None)], limit=1000)) == [
        f"m{n}" for n in range(59, -1, -1)
    ]
    both = ids(filled.search("order", topics=[TopicRef(HOST, 7), TopicRef(OTHER, 9)], limit=1000))
    assert len(both) == 80
    assert ids(filled.search("order", topics=[TopicRef(HOST, 9)])) == []
    assert ids(filled.search("order", topics=[])) == []


def test_a_time_range_from_since_to_before_until(filled: Archive) -> None:
    since, until = START + timedelta(minutes=10), START + timedelta(minutes=20)
    expected = [f"m{n}" for n in range(19, 9, -1)]
    assert ids(filled.search("order", since=since, until=until, limit=1000)) == expected
    assert ids(filled.search(since=since, until=until, limit=1000)) == expected  # no words: read in slices
    assert ids(filled.search(jmespath="payload.order > `0`", since=since, until=until)) == expected
    later = START + timedelta(minutes=75)
    assert ids(filled.search(since=later, limit=1000)) == ["m79", "m78", "m77", "m76", "m75"]


# ----- progress and cancel --------------------------------------------------------------------------------------
def test_progress_reaches_one_and_a_cancel_stops_between_hits(filled: Archive) -> None:
    shares: list[float] = []
    search = filled.search(jmespath="payload.order > `0`", limit=1000, progress=shares.append)
    assert len(list(search)) == 80
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    assert search.complete

    cancel = threading.Event()
    search = filled.search(jmespath="payload.order > `0`", limit=1000, cancel=cancel)
    taken = []
    for hit in search:
        taken.append(hit)
        if len(taken) == 3:
            cancel.set()
    assert len(taken) == 3
    assert search.cancelled
    assert not search.complete


# ----- worker processes -----------------------------------------------------------------------------------------
@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every condition goes to two worker processes at once, a few keys per range (a long search's way)."""
    monkeypatch.setattr(archive_search, "PARALLEL_AFTER_S", 0.0)
    monkeypatch.setattr(archive_search, "PARALLEL_WORTH_S", 0.0)
    monkeypatch.setattr(archive_search, "PARALLEL_MIN_KEYS", 0)
    monkeypatch.setattr(archive_search, "WORKER_KEYS", 7)
    monkeypatch.setattr(archive_search, "_FETCH", 5)
    monkeypatch.setattr(archive_parallel, "WORKERS", 2)


def gone(pid: int) -> bool:
    """Whether the process has ended (one ended but not yet reaped by its new parent counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state in ("Z", "X")


def filter_hits(archive: Archive, expression: str, keep: Any = None) -> list[str]:
    condition = JmesPathFilter(expression)
    return brute(archive, lambda m: condition(make_row(0, m.message())) and (keep is None or keep(m)))


@pytest.mark.parametrize(
    ("words", "expression"),
    [
        (None, "payload.total > `250`"),  # SQL decides every message
        (None, "length(payload.items[?qty > `1`]) > `1`"),  # Python decides every message
        (None, "payload.status == 'paid' || max(payload.items[*].qty) == `3`"),  # SQL, then Python for the rest
        ("order", "payload.customer.name == 'Kenji Sato'"),  # the word index leads, then workers
    ],
)
def test_workers_find_what_the_search_finds_here(
    filled: Archive, in_workers: None, words: str, expression: str
) -> None:
    shares: list[float] = []
    search = filled.search(words, expression, limit=1000, progress=shares.append)
    found = ids(search)
    assert found == filter_hits(filled, expression, None if words is None else lambda m: words in words_of(m))
    assert found
    assert search.complete
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    assert search.workers, "the search did not go to worker processes"
    assert all(gone(pid) for pid in search.workers)


def test_a_cancel_stops_the_workers_and_leaves_none_behind(filled: Archive, in_workers: None) -> None:
    cancel = threading.Event()
    search = filled.search(jmespath="payload.order > `0`", limit=1000, cancel=cancel)
    taken = []
    for hit in search:
        taken.append(hit.message_id)
        if len(taken) == 3:
            cancel.set()
    assert taken == brute(filled, lambda m: True)[:3]
    assert search.cancelled
    assert not search.complete
    assert search.workers
    assert all(gone(pid) for pid in search.workers)
    assert not [child for child in multiprocessing.active_children() if child.pid in search.workers]


def test_the_limit_stops_the_workers(filled: Archive, in_workers: None) -> None:
    search = filled.search(jmespath="payload.order > `0`", limit=4)
    assert ids(search) == brute(filled, lambda m: True)[:4]
    assert not search.complete
    assert search.workers
    assert all(gone(pid) for pid in search.workers)


def test_a_worker_killed_mid_search_loses_no_hit(filled: Archive, in_workers: None) -> None:
    """Its ranges are read by the app's own process instead."""
    expression = "length(payload.items[?qty > `1`]) > `0`"
    search = filled.search(jmespath=expression, limit=1000)
    found: list[str] = []
    for hit in search:
        if not found:
            os.kill(search.workers[0], signal.SIGKILL)
        found.append(hit.message_id)
    assert found == filter_hits(filled, expression)
    assert search.complete
    assert all(gone(pid) for pid in search.workers)


_SEARCH_AND_HANG = """
import sys, threading
from pathlib import Path
from inspector.core.archive import Archive, parallel, search
search.PARALLEL_AFTER_S = search.PARALLEL_WORTH_S = 0.0
search.PARALLEL_MIN_KEYS, search.WORKER_KEYS, parallel.WORKERS = 0, 1, 2
found = Archive(Path(sys.argv[1])).search(jmespath="payload.order > `0`", limit=1000)
for hit in found:
    print(" ".join(map(str, found.workers)), flush=True)
    threading.Event().wait()
"""


def test_workers_leave_when_the_app_is_killed(filled: Archive) -> None:
    """A worker whose app was killed (SIGKILL: nothing of it runs) sees its stop pipe closed, and leaves."""
    with subprocess.Popen(
        [sys.executable, "-c", _SEARCH_AND_HANG, str(filled.path)], stdout=subprocess.PIPE, text=True
    ) as app:
        try:
            assert app.stdout is not None
            workers = [int(pid) for pid in app.stdout.readline().split()]
            assert len(workers) == 2
            assert not any(gone(pid) for pid in workers)
        finally:
            app.kill()
            app.wait()
    deadline = time.monotonic() + 30
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in workers), "a worker outlived the app"


def test_a_frozen_app_searches_in_its_own_process(
    filled: Archive, in_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen build's executable would start the app again rather than a worker."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    search = filled.search(jmespath="payload.total > `250`", limit=1000)
    assert ids(search) == filter_hits(filled, "payload.total > `250`")
    assert search.workers == []


# ----- message ids ----------------------------------------------------------------------------------------------
def test_a_message_id_finds_its_message(filled: Archive) -> None:
    """Ids are not in the word index: words that may be an id also match the id exactly."""
    assert ids(filled.search("m7")) == ["m7"]
    assert ids(filled.search("  m65 ", topics=[TopicRef(OTHER, 9)])) == ["m65"]
    assert ids(filled.search("m7", topics=[TopicRef(OTHER, 9)])) == []
    assert ids(filled.search("m7", "payload.order == `1007`")) == ["m7"]
    assert ids(filled.search("m7", "payload.order == `1`")) == []
    assert ids(filled.search("m7", since=START + timedelta(minutes=8))) == []
    assert ids(filled.search("M7")) == []  # an id is matched exactly: ids are opaque


def test_an_id_and_the_same_words_in_payloads_are_found_once_newest_first(archive: Archive) -> None:
    rows = [
        Message("zeta-1", START, {"note": "about zeta-1"}),
        Message("m2", START, {"note": "unrelated"}),
        Message("m3", START, {"note": "see zeta-1 again"}),
    ]
    archive.write([(HOST, 7, message_rows(rows))])
    assert ids(archive.search("zeta-1")) == ["m3", "zeta-1"]
    assert ids(archive.search("zeta-1", limit=1)) == ["m3"]


# ----- prune and forget -----------------------------------------------------------------------------------------
def test_prune_by_age_removes_what_was_received_long_ago(archive: Archive) -> None:
    day = 86_400_000_000
    now = 1_714_550_400_000_000
    archive.write([(HOST, 7, message_rows(messages(10)))], received_us=now - 40 * day)
    archive.write([(HOST, 7, message_rows(messages(10, start=10)))], received_us=now - 5 * day)
    result = archive.prune(max_bytes=10**12, max_age_days=30, now_us_=now)
    assert (result.removed_by_age, result.removed_by_size) == (10, 0)
    assert ids(archive.newest(HOST, 7)) == [f"m{n}" for n in range(10, 20)]
    assert ids(archive.search("order", limit=100)) == [f"m{n}" for n in range(19, 9, -1)]
    assert archive.prune(max_bytes=10**12, max_age_days=30, now_us_=now).removed == 0


def test_prune_by_size_removes_the_oldest_until_under_the_cap(archive: Archive) -> None:
    filler = "lorem ipsum dolor sit amet " * 40  # about 1 KB each
    rows = [Message(f"m{n}", START, {"n": n, "text": filler + str(n)}) for n in range(3000)]
    for start in range(0, 3000, 500):
        archive.write([(HOST, 7, message_rows(rows[start : start + 500]))])
    before = archive.stats().used_bytes
    cap = before // 2
    result = archive.prune(max_bytes=cap, max_age_days=10**6)
    assert result.removed_by_size > 0
    assert result.removed_by_age == 0
    assert result.used_bytes_after <= cap
    kept = archive.newest(HOST, 7, 10**6)
    assert ids(kept) == [f"m{n}" for n in range(3000 - len(kept), 3000)]  # the oldest went first
    assert archive.newest_id(HOST, 7) == "m2999"
    with sqlite3.connect(archive.path) as db:
        db.execute("INSERT INTO words (words) VALUES ('integrity-check')")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The word index holds the kept messages' words only.
        assert db.execute("SELECT count(*) FROM words WHERE words MATCH 'lorem'").fetchone()[0] == len(kept)


def test_forget_a_topic_at_one_profile_or_all_and_forget_everything(filled: Archive) -> None:
    filled.write([(OTHER, 7, message_rows(messages(4)))])
    assert filled.forget_topic(OTHER, 7) == 4
    assert filled.count(HOST, 7) == 60
    assert filled.count(OTHER, 7) == 0
    filled.write([(OTHER, 7, message_rows(messages(4)))])
    assert filled.forget_topic(None, 7) == 64
    assert ids(filled.search("order", limit=1000)) == [f"m{n}" for n in range(79, 59, -1)]
    assert filled.forget_all() == 20
    assert filled.stats().messages == 0
    assert list(filled.search("order")) == []
    # Kept again after being forgotten: the same ids are new.
    assert filled.write([(HOST, 7, message_rows(messages(2)))]) == 2
    assert ids(filled.search("order")) == ["m1", "m0"]
    with sqlite3.connect(filled.path) as db:
        assert db.execute("SELECT count(*) FROM words WHERE words MATCH 'order'").fetchone()[0] == 2


# ----- import ---------------------------------------------------------------------------------------------------
def test_import_an_export_consume_output_and_bare_payloads(archive: Archive, tmp_path: Path) -> None:
    exported = tmp_path / "export.jsonl"
    exported.write_bytes(export_messages(messages(5), "jsonl"))
    result = archive.import_file(exported, "from-window")
    assert (result.profile, result.added, result.duplicates) == ("import:from-window", 5, 0)
    kept = archive.newest("import:from-window", IMPORT_TOPIC)
    assert [m.message() for m in kept] == messages(5)
    assert archive.import_file(exported, "from-window").duplicates == 5

    array = tmp_path / "customer.json"
    array.write_text(json.dumps([{"order": 1}, {"order": 2}, {"order": 1}]), encoding="utf-8")
    first = archive.import_file(array, "customer")
    assert (first.added, first.duplicates) == (3, 0)  # the same payload twice in a file is two messages
    assert archive.import_file(array, "customer").added == 0  # the same file again: nothing new
    assert ids(archive.search("order", topics=[TopicRef("import:customer", None)])) == [
        m.message_id for m in reversed(archive.newest("import:customer", IMPORT_TOPIC))
    ]


def test_a_bad_import_is_refused_in_words_and_keeps_nothing(archive: Archive, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken\.jsonl"):
        archive.import_file(broken, "x")
    late = tmp_path / "late.jsonl"
    late.write_text('{"message_id": "a", "time": "yesterday", "payload": {}}\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"late.jsonl: item 1 time"):
        archive.import_file(late, "x")
    with pytest.raises(ValidationError, match="import name: must be 1 to 64 printable"):
        archive.import_file(broken, "\x1b[2J")
    assert archive.stats().messages == 0


# ----- damaged files --------------------------------------------------------------------------------------------
def aside_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm")))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not a database at all\n" * 100, "file is not a database"),
        (b"", None),  # an empty file is a new archive
    ],
)
def test_a_file_that_is_not_a_database_is_set_aside(app_home: Path, content: bytes, reason: str | None) -> None:
    path = AppPaths.current().data / "archive.sqlite"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(content)
    archive = Archive()
    archive.write([(HOST, 7, message_rows(messages(2)))])
    assert archive.count(HOST, 7) == 2
    archive.close()
    if reason is None:
        assert archive.notices == []
        assert aside_files(path.parent) == []
        return
    (aside,) = aside_files(path.parent)
    assert aside.read_bytes() == content  # kept as it was
    (notice,) = archive.notices
    assert str(path) in notice
    assert str(aside) in notice
    assert reason in notice
    assert "a new, empty archive was started" in notice


def test_a_newer_archive_or_another_programs_database_is_set_aside(app_home: Path) -> None:
    path = AppPaths.current().data / "archive.sqlite"
    path.parent.mkdir(parents=True, mode=0o700)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (x)")
    archive = Archive()
    assert "another program's database (tables: notes)" in archive.notice
    archive.close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    archive = Archive()
    assert f"archive of version {SCHEMA_VERSION + 1}, written by a newer Topic Inspector" in archive.notice
    archive.close()
    assert len(aside_files(path.parent)) == 2


def test_a_version_0_file_with_the_tables_opens_and_is_stamped(app_home: Path) -> None:
    archive = Archive()
    archive.write([(HOST, 7, message_rows(messages(2)))])
    archive.close()
    with sqlite3.connect(archive.path) as db:
        db.execute("PRAGMA user_version = 0")
    again = Archive()
    assert again.notices == []
    assert again.count(HOST, 7) == 2
    again.close()
    with sqlite3.connect(archive.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def damage(path: Path) -> None:
    """Overwrite the file's pages past the first two (its schema stays readable) with junk."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(2 * 16384)
        handle.write(b"\xde\xad" * ((size - 2 * 16384) // 2))


def test_damage_found_while_writing_sets_the_file_aside_and_keeps_the_new_messages(app_home: Path) -> None:
    archive = Archive()
    archive.write([(HOST, 7, message_rows(messages(2000)))])
    archive.close()
    with sqlite3.connect(archive.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened = Archive()  # opens: the pages it reads at open are sound
    damage(opened.path)
    notices: list[str] = []
    writer = ArchiveWriter(archive=opened, on_notice=notices.append, prune_every=None)
    # Ids between the kept ones: the write reads the damaged middle of the index.
    fresh = [Message(f"m1000-{n}", START, {"fresh": n}) for n in range(5)]
    writer.add(HOST, 7, fresh)
    assert writer.flush(30)
    writer.close()
    assert any("could not be read (database disk image is malformed)" in n for n in notices), notices
    assert ids(opened.newest(HOST, 7)) == [m.message_id for m in fresh]
    assert writer.written == 5
    assert writer.dropped == 0
    assert len(aside_files(opened.path.parent)) == 1
    opened.close()


def test_damage_found_while_reading_is_said_and_the_archive_goes_on(app_home: Path) -> None:
    archive = Archive()
    archive.write([(HOST, 7, message_rows(messages(2000)))])
    archive.close()
    with sqlite3.connect(archive.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened = Archive()
    damage(opened.path)
    with pytest.raises(ArchiveDamagedError) as caught:
        list(opened.search(jmespath="payload.order > `0`", limit=10**6))
    assert "could not be read" in caught.value.message
    assert str(opened.path) in caught.value.message
    opened.write([(HOST, 7, message_rows(messages(1, prefix="new")))])
    assert ids(opened.newest(HOST, 7)) == ["new0"]
    opened.close()


# ----- the writer -----------------------------------------------------------------------------------------------
def test_the_writer_takes_messages_from_any_thread_and_flush_commits_them(app_home: Path) -> None:
    writer = ArchiveWriter(prune_every=None)
    threads = [
        threading.Thread(target=writer.add, args=(HOST, topic, messages(200, prefix=f"t{topic}-")))
        for topic in (1, 2, 3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.add_rows(HOST, 4, [make_row(n, m) for n, m in enumerate(messages(50))])
    writer.add(HOST, 1, messages(200, prefix="t1-"))  # seen again
    assert writer.flush(30)
    assert (writer.written, writer.duplicates, writer.dropped) == (650, 200, 0)
    writer.close()
    with Archive() as archive:
        assert [archive.count(HOST, topic) for topic in (1, 2, 3, 4)] == [200, 200, 200, 50]
        assert ids(archive.newest(HOST, 4, 2)) == ["m48", "m49"]


def test_a_writer_that_cannot_open_the_archive_says_so_and_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    notices: list[str] = []
    writer = ArchiveWriter(folder, on_notice=notices.append)
    writer.add(HOST, 7, messages(3))
    assert writer.flush(30)
    writer.close()
    assert writer.dropped == 3
    assert writer.written == 0
    (notice,) = notices
    assert notice.startswith(f"cannot open the message archive {folder}")
    assert notice.endswith("messages are not archived in this session")


# ----- settings -------------------------------------------------------------------------------------------------
def test_archive_settings_default_on_and_old_files_load(app_home: Path) -> None:
    store = WorkspaceStore()
    store.path.parent.mkdir(parents=True, mode=0o700)
    store.path.write_text(json.dumps({"version": 1, "topics": {}, "row_cap": 5000}), encoding="utf-8")
    loaded = store.load()
    assert loaded.archive == ArchiveSettings(True, 2_000_000_000, 30, False)
    assert loaded.notice == ""
    loaded.archive = ArchiveSettings(enabled=False, max_bytes=500_000_000, max_age_days=7, notice_shown=True)
    store.save(loaded)
    assert store.load().archive == loaded.archive
    assert saved_archive_settings() == loaded.archive


@pytest.mark.parametrize(
    "saved",
    [
        {"max_bytes": "big", "max_age_days": -1},
        {"max_bytes": 10, "max_age_days": True},
        {"max_bytes": 1.5e9, "max_age_days": 2.5},
        "on",
        None,
    ],
)
def test_bad_archive_settings_fall_back_to_defaults_not_the_whole_workspace(app_home: Path, saved: object) -> None:
    store = WorkspaceStore()
    store.path.parent.mkdir(parents=True, mode=0o700)
    store.path.write_text(json.dumps({"version": 1, "row_cap": 5000, "archive": saved}), encoding="utf-8")
    loaded = store.load()
    assert loaded.notice == ""
    assert loaded.row_cap == 5000
    assert (loaded.archive.max_bytes, loaded.archive.max_age_days) == (2_000_000_000, 30)


def test_a_profile_archives_unless_turned_off_and_old_files_load(app_home: Path) -> None:
    store = ProfileStore()
    store.path.parent.mkdir(parents=True, mode=0o700)
    store.path.write_text(json.dumps({"version": 2, "profiles": [{"name": "Old", "region": "eu"}]}), encoding="utf-8")
    (old,) = store.load()
    assert old.archive is True
    store.upsert(replace(old, name="Quiet", archive=False))
    rows = json.loads(store.path.read_text(encoding="utf-8"))["profiles"]
    assert [row.get("archive") for row in rows] == [None, False]  # saved only when off
    assert [p.archive for p in store.load()] == [True, False]

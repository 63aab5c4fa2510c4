"""The replay journal's schema version (SQLite ``PRAGMA user_version``): a new journal is stamped, a journal of
before the stamp (version 0, today's tables) opens as it is and is stamped, one of a newer version is refused in
words and left untouched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from inspector.core.models import Outcome
from inspector.core.replay import SCHEMA_VERSION, JobState, Journal, JournalVersionError, ReplayItem

# The journal as the app wrote it before the version was stamped: these tables, user_version 0.
UNSTAMPED_TABLES = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
    state TEXT NOT NULL, total INTEGER NOT NULL
);
CREATE TABLE items (
    job_id TEXT NOT NULL, idx INTEGER NOT NULL, payload TEXT NOT NULL, source_id TEXT,
    outcome TEXT, message_id TEXT, error TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE answers (job_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE inflight (job_id TEXT NOT NULL, first_idx INTEGER NOT NULL, last_idx INTEGER NOT NULL);
"""
DESTINATION = {"profile": "P", "topic": 7, "label": "P / topic 7", "events_url": "https://h.example"}


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def unstamped_journal(path: Path) -> None:
    """A job of four items killed while sending: one published (folded), one answered (not folded yet), a batch
    of two in flight."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(UNSTAMPED_TABLES)
    db.execute(
        "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?)",
        ("job1", "2024-05-01T10:00:00+00:00", "orders.jsonl", json.dumps(DESTINATION), "running", 4),
    )
    db.executemany(
        "INSERT INTO items (job_id, idx, payload, source_id) VALUES (?, ?, ?, ?)",
        [("job1", n, json.dumps({"n": n}), f"m{n}") for n in range(4)],
    )
    db.execute("UPDATE items SET outcome = 'success', message_id = 'id-0' WHERE idx = 0")
    db.execute("INSERT INTO answers VALUES (?, ?)", ("job1", json.dumps([[1, "success", "id-1", None]])))
    db.execute("INSERT INTO inflight VALUES (?, ?, ?)", ("job1", 2, 3))
    db.close()
    assert user_version(path) == 0


def test_a_new_journal_is_stamped_with_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite"
    Journal(path).close()
    assert SCHEMA_VERSION == 1
    assert user_version(path) == SCHEMA_VERSION


def test_a_journal_from_before_the_stamp_opens_as_it_is_and_is_stamped(tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite"
    unstamped_journal(path)
    journal = Journal(path)
    try:
        assert user_version(path) == SCHEMA_VERSION
        [recovered] = journal.recover()  # the run that was killed: its batch in flight is unknown now
        assert recovered.state is JobState.INTERRUPTED
        assert (recovered.total, recovered.published, recovered.unknown) == (4, 2, 2)
        assert [row["outcome"] for row in journal.results("job1")] == ["success", "success", "unknown", "unknown"]
        assert journal.published_ids("job1") == {"id-0", "id-1"}
        assert journal.requeue("job1", outcomes=(Outcome.UNKNOWN,)) == 2
        assert journal.pending("job1") == [(2, b'{"n": 2}'), (3, b'{"n": 3}')]
        journal.create("more.jsonl", DESTINATION, [ReplayItem({"n": 9})])
    finally:
        journal.close()
    again = Journal(path)  # opened a second time: already stamped, nothing to do
    try:
        assert [job.source for job in again.jobs()] == ["orders.jsonl", "more.jsonl"]
    finally:
        again.close()


def test_a_journal_of_a_newer_version_is_refused_in_words_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite"
    unstamped_journal(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(JournalVersionError) as caught:
        Journal(path)
    assert caught.value.version == SCHEMA_VERSION + 1
    assert f"version {SCHEMA_VERSION + 1}" in caught.value.message
    assert "newer Topic Inspector" in caught.value.message
    assert "move the file aside" in caught.value.hint
    assert path.read_bytes() == before
    assert user_version(path) == SCHEMA_VERSION + 1

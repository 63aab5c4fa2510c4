"""The archive killed while it writes (SIGKILL, as a crash or the OOM killer would end it): afterwards the file
passes SQLite's integrity check and the word index's, holds every message of every batch committed before the
kill, opens without being set aside, and takes new messages.

A child process adds batches through ``ArchiveWriter``, five at a time, each committed on its own; once the first
of the five is committed it prints how many messages its last ``flush`` committed. The test kills it after reading
the Nth such line, while the writer's thread commits the other four."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.core.archive import Archive, ArchiveWriter
from tests.unit.test_archive import messages

ROOT = Path(__file__).resolve().parents[2]
HOST = "https://event-streams.example.com"
CHILD = """
import sys
import time
from pathlib import Path
from inspector.core.archive import ArchiveWriter
from tests.unit.test_archive import messages

path, first = Path(sys.argv[1]), int(sys.argv[2])
writer = ArchiveWriter(path, prune_every=None, batch_size=200)
batch, committed = 0, first
while True:
    for _ in range(5):
        writer.add(sys.argv[3], 7, messages(200, start=first + batch * 200))
        batch += 1
    while writer.written < committed - first + 200:
        time.sleep(0.001)  # the first of the five committed: the writer is at work on the other four
    print(committed, flush=True)  # what the last flush committed
    writer.flush()
    committed = first + batch * 200
"""


def write_until_killed(path: Path, first: int, lines: int) -> int:
    """Run the child from message ``first``; SIGKILL it after its ``lines``-th line. The last count it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    committed = first
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(first), HOST], stdout=subprocess.PIPE, text=True, env=env
    ) as child:
        try:
            assert child.stdout is not None
            for _ in range(lines):
                line = child.stdout.readline()
                assert line, f"the writer ended (status {child.poll()}) before its {lines}th batch"
                committed = int(line)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return committed


@pytest.mark.slow
def test_killed_while_writing_keeps_every_committed_batch(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    first = 0
    for lines in (3, 6, 4):  # three kills, each at another point, the archive reopened after each
        committed = write_until_killed(path, first, lines)
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            db.execute("INSERT INTO words (words) VALUES ('integrity-check')")  # raises when the index is torn
            kept = {row[0] for row in db.execute("SELECT message_id FROM messages")}
            keys = [row[0] for row in db.execute("SELECT key FROM messages ORDER BY key")]
            indexed = db.execute("SELECT count(*) FROM words WHERE words MATCH 'order'").fetchone()[0]
        missing = {f"m{n}" for n in range(committed)} - kept
        assert not missing, f"{len(missing)} committed messages are missing, such as {sorted(missing)[:3]}"
        assert indexed == len(kept) == len(keys)  # every kept message in the word index, none else
        with Archive(path) as archive:
            assert archive.notices == []  # opened as it is, not set aside
            assert archive.newest_id(HOST, 7) == f"m{len(kept) - 1}"  # where a tail resumes: the newest kept
            assert len(list(archive.search("declined", limit=10**6))) > 0
        first = len(kept)  # the next run goes on after the newest kept message, as a tail would

    writer = ArchiveWriter(path, prune_every=None)
    writer.add(HOST, 7, messages(5, start=first))
    assert writer.flush(30)
    writer.close()
    assert writer.written == 5

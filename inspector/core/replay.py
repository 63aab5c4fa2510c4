"""Replay jobs: payloads published in order to a destination topic, journaled so that nothing is sent twice.

The journal is a SQLite file (WAL, synchronous FULL). Before a batch is sent its index range is marked as in
flight, durably. While a request is out, the next batch is marked ahead (when the budget lets it follow at
once) together with the answers known so far, each batch's answers as one row (folded into the items' rows when
the job is read): one commit per batch, its fsync overlapping the server's work rather than delaying the next
request.

A run that is killed leaves the job "running": opening the journal again (``recover``) marks it interrupted and
turns the items of the marked batches without an answer into ``unknown`` — they may have been published — which are
shown for the user to decide (``requeue``), never re-sent on their own. Resuming sends only the items with no
outcome yet.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from inspector.core.errors import InspectorError, ValidationError
from inspector.core.http import send_ahead
from inspector.core.models import Delivery, ItemResult, Message, Outcome, outcome_counts
from inspector.core.paths import SQLITE_COMPANIONS, AppPaths, private_file
from inspector.core.publisher import publish_encoded_all
from inspector.core.services.api import SupportsConsume, SupportsPublish
from inspector.core.tail import StartPosition, TopicTail
from inspector.core.validation import MAX_BATCH_ITEMS, check_topic_id, chunk_encoded, encode_payload

STOPPED_ERROR = "stopped while sending: may have been published; check the destination, then requeue or skip"
INTERRUPTED_ERROR = "interrupted while sending: may have been published; check the destination, then requeue or skip"
FOUND_NOTE = "found in the destination topic when the unknown items were checked"
MISSING_ERROR = "not in the destination topic (checked): safe to send again with 'retry failed'"
CHECK_MARGIN = timedelta(minutes=5)  # the topic is read from this long before the job was created (clock skew)


class JobState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"  # finished with items failed or unknown
    INTERRUPTED = "interrupted"  # the process ended while it ran


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: str
    created: str
    source: str
    destination: dict[str, Any]
    state: JobState
    total: int
    published: int
    failed: int
    unknown: int

    @property
    def pending(self) -> int:
        return self.total - self.published - self.failed - self.unknown

    def describe(self) -> str:
        parts = [f"{self.published}/{self.total} published"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.unknown:
            parts.append(f"{self.unknown} unknown")
        if self.pending and self.state is not JobState.RUNNING:
            parts.append(f"{self.pending} not sent yet")
        return f"job {self.id} ({self.state}): " + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ReplayItem:
    payload: dict[str, Any]
    source_id: str | None = None


SCHEMA_VERSION = 1  # the file's PRAGMA user_version; 0: a journal from before it was stamped, tables as version 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
    state TEXT NOT NULL, total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    job_id TEXT NOT NULL, idx INTEGER NOT NULL, payload TEXT NOT NULL, source_id TEXT,
    outcome TEXT, message_id TEXT, error TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE IF NOT EXISTS answers (job_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inflight (job_id TEXT NOT NULL, first_idx INTEGER NOT NULL, last_idx INTEGER NOT NULL);
"""


class JournalVersionError(InspectorError):
    """The journal was written by a newer version of the app: it is left as it is, unread."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"{path} is a replay journal of version {version}, written by a newer Topic Inspector "
            f"(this one reads up to version {SCHEMA_VERSION}); it was left untouched",
            hint="use the newer Topic Inspector, or move the file aside to start an empty journal",
        )
        self.version = version


class Journal:
    """Replay jobs on disk (default: ``replay.sqlite`` in the app's data folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or AppPaths.current().data / "replay.sqlite"
        private_file(self.path, companions=SQLITE_COMPANIONS)  # payloads: 0600, and so its -wal and -shm
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise JournalVersionError(self.path, version)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        if version < SCHEMA_VERSION:  # a new file, or one of version 0: the same tables, stamped now
            self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        self._db.close()

    def create(self, source: str, destination: dict[str, Any], items: Sequence[ReplayItem]) -> str:
        """Journal a new job (every payload checked first); returns its id."""
        if not items:
            raise ValidationError("has nothing to replay", where=source)
        encoded = [encode_payload(item.payload, where=f"item {n + 1}") for n, item in enumerate(items)]
        job_id = uuid.uuid4().hex[:12]
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    source,
                    json.dumps(destination),
                    JobState.PAUSED.value,
                    len(items),
                ),
            )
            self._db.executemany(
                "INSERT INTO items (job_id, idx, payload, source_id) VALUES (?, ?, ?, ?)",
                [
                    (job_id, n, body.decode(), item.source_id)
                    for n, (item, body) in enumerate(zip(items, encoded, strict=True))
                ],
            )
        return job_id

    def job(self, job_id: str) -> JobInfo:
        self._fold(job_id)
        row = self._db.execute(
            "SELECT id, created, source, destination, state, total FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        if row is None:
            raise ValidationError(f"no replay job {job_id!r} in {self.path}", where="job", hint="list them with --list")
        counts = dict(
            self._db.execute(
                "SELECT outcome, COUNT(*) FROM items WHERE job_id = ? AND outcome IS NOT NULL GROUP BY outcome",
                (job_id,),
            ).fetchall()
        )
        return JobInfo(
            row[0],
            row[1],
            row[2],
            json.loads(row[3]),
            JobState(row[4]),
            row[5],
            counts.get(Outcome.SUCCESS.value, 0),
            counts.get(Outcome.FAILED.value, 0),
            counts.get(Outcome.UNKNOWN.value, 0),
        )

    def jobs(self) -> list[JobInfo]:
        return [self.job(row[0]) for row in self._db.execute("SELECT id FROM jobs ORDER BY created, rowid")]

    def set_state(self, job_id: str, state: JobState) -> None:
        self._db.execute("UPDATE jobs SET state = ? WHERE id = ?", (state.value, job_id))

    def recover(self) -> list[JobInfo]:
        """Jobs left running by a process that ended: mark them interrupted, the batch in flight unknown."""
        found = []
        for (job_id,) in self._db.execute("SELECT id FROM jobs WHERE state = ?", (JobState.RUNNING.value,)).fetchall():
            self._fold(job_id)
            with self._db:
                self._db.execute("BEGIN")
                spans = self._db.execute("SELECT first_idx, last_idx FROM inflight WHERE job_id = ?", (job_id,))
                for first, last in spans.fetchall():
                    self._db.execute(
                        "UPDATE items SET outcome = ?, error = ?"
                        " WHERE job_id = ? AND idx BETWEEN ? AND ? AND outcome IS NULL",
                        (Outcome.UNKNOWN.value, INTERRUPTED_ERROR, job_id, first, last),
                    )
                self._db.execute("DELETE FROM inflight WHERE job_id = ?", (job_id,))
                self._db.execute("UPDATE jobs SET state = ? WHERE id = ?", (JobState.INTERRUPTED.value, job_id))
            found.append(self.job(job_id))
        return found

    def pending(self, job_id: str) -> list[tuple[int, bytes]]:
        """Items with no outcome yet, in order, as the bytes to send."""
        self._fold(job_id)
        rows = self._db.execute(
            "SELECT idx, payload FROM items WHERE job_id = ? AND outcome IS NULL ORDER BY idx", (job_id,)
        ).fetchall()
        return [(idx, payload.encode()) for idx, payload in rows]

    def begin_batch(
        self, job_id: str, indices: Sequence[int], *, answered: Sequence[ItemResult] = (), released: Sequence[int] = ()
    ) -> None:
        """Written before the batch is sent: after a crash these items are known to have been in flight.

        ``indices`` are consecutive among the job's pending items. ``answered`` (the previous batch's results)
        are recorded in the same transaction."""
        with self._db:
            self._db.execute("BEGIN")
            self._write_answers(job_id, answered, released)
            if indices:  # one row for the batch: its items are the job's pending ones in this range
                self._db.execute("INSERT INTO inflight VALUES (?, ?, ?)", (job_id, min(indices), max(indices)))

    def record(self, job_id: str, results: Sequence[ItemResult], released: Sequence[int] = ()) -> None:
        """Record a batch's answers (``released``: items certainly not sent, pending again)."""
        with self._db:
            self._db.execute("BEGIN")
            self._write_answers(job_id, results, released)

    def _write_answers(self, job_id: str, results: Sequence[ItemResult], released: Sequence[int]) -> None:
        """The batch in flight is over: its answers are kept, its ``released`` items (not sent) stay pending."""
        if results:
            body = json.dumps([[r.index, r.outcome.value, r.message_id, r.error_words] for r in results])
            self._db.execute("INSERT INTO answers (job_id, body) VALUES (?, ?)", (job_id, body))
        over = {r.index for r in results} | set(released)
        if over:  # the marks of the batches these items were in (at most two batches are marked at a time)
            marks = self._db.execute("SELECT rowid, first_idx, last_idx FROM inflight WHERE job_id = ?", (job_id,))
            for rowid, first, last in marks.fetchall():
                if any(first <= index <= last for index in over):
                    self._db.execute("DELETE FROM inflight WHERE rowid = ?", (rowid,))

    def _fold(self, job_id: str) -> None:
        """Move recorded answers into the items' rows."""
        rows = self._db.execute("SELECT rowid, body FROM answers WHERE job_id = ?", (job_id,)).fetchall()
        if not rows:
            return
        with self._db:
            self._db.execute("BEGIN")
            for rowid, body in rows:
                self._db.executemany(
                    "UPDATE items SET outcome = ?, message_id = ?, error = ? WHERE job_id = ? AND idx = ?",
                    [(outcome, mid, error, job_id, idx) for idx, outcome, mid, error in json.loads(body)],
                )
                self._db.execute("DELETE FROM answers WHERE rowid = ?", (rowid,))

    def requeue(self, job_id: str, *, outcomes: Sequence[Outcome] = (Outcome.FAILED,)) -> int:
        """Clear the outcome of the items that ended so (failed; unknown only when the user says so): the next
        run sends them again. Returns how many."""
        self.job(job_id)  # checks it exists, folds its answers
        count = 0
        for outcome in outcomes:
            cursor = self._db.execute(
                "UPDATE items SET outcome = NULL, message_id = NULL, error = NULL WHERE job_id = ? AND outcome = ?",
                (job_id, outcome.value),
            )
            count += cursor.rowcount
        return count

    def unknown_items(self, job_id: str) -> list[tuple[int, bytes]]:
        """The items whose outcome is unknown, as the bytes that were sent."""
        self._fold(job_id)
        rows = self._db.execute(
            "SELECT idx, payload FROM items WHERE job_id = ? AND outcome = ? ORDER BY idx",
            (job_id, Outcome.UNKNOWN.value),
        ).fetchall()
        return [(idx, payload.encode()) for idx, payload in rows]

    def failed_items(self, job_id: str) -> list[tuple[int, bytes]]:
        """The items that failed, as the bytes that were sent (to fix and send again)."""
        self._fold(job_id)
        rows = self._db.execute(
            "SELECT idx, payload FROM items WHERE job_id = ? AND outcome = ? ORDER BY idx",
            (job_id, Outcome.FAILED.value),
        ).fetchall()
        return [(idx, payload.encode()) for idx, payload in rows]

    def published_ids(self, job_id: str) -> set[str]:
        self._fold(job_id)
        rows = self._db.execute(
            "SELECT message_id FROM items WHERE job_id = ? AND outcome = ? AND message_id IS NOT NULL",
            (job_id, Outcome.SUCCESS.value),
        ).fetchall()
        return {row[0] for row in rows}

    def results(self, job_id: str) -> list[dict[str, Any]]:
        self._fold(job_id)
        rows = self._db.execute(
            "SELECT idx, source_id, outcome, message_id, error FROM items WHERE job_id = ? ORDER BY idx", (job_id,)
        ).fetchall()
        return [
            {"index": idx, "source_id": source_id, "outcome": outcome or "not sent", "message_id": mid, "error": error}
            for idx, source_id, outcome, mid, error in rows
        ]

    def report(self, job_id: str) -> dict[str, Any]:
        """The job as JSON: source, destination, state, counts and each item's result."""
        info = self.job(job_id)
        return {
            "job": info.id,
            "created": info.created,
            "state": info.state.value,
            "source": info.source,
            "destination": info.destination,
            "total": info.total,
            "published": info.published,
            "failed": info.failed,
            "unknown": info.unknown,
            "not_sent": info.pending,
            "items": self.results(job_id),
        }


@dataclass(frozen=True, slots=True)
class ReplayProgress:
    done: int  # items with an outcome in this run
    total: int  # items this run set out to send
    published: int


async def run_job(
    client: SupportsPublish,
    journal: Journal,
    job_id: str,
    *,
    on_progress: Callable[[ReplayProgress, list[ItemResult]], None] | None = None,
    cancel: asyncio.Event | None = None,
    resume_gate: asyncio.Event | None = None,
) -> JobInfo:
    """Send the job's pending items in order, in batches of <= 100 through the client's shared rate limiter.

    ``cancel`` stops after the batch in flight (the job is left paused, resumable). While ``resume_gate`` is
    cleared the job waits between batches (paused); setting it continues.
    """
    info = journal.job(job_id)
    topic_id = check_topic_id(info.destination.get("topic"))
    pending = journal.pending(job_id)
    spans = list(chunk_encoded([body for _, body in pending], max_items=MAX_BATCH_ITEMS))
    done = published = 0
    answered: list[ItemResult] = []  # answers not written yet: they go with the next mark
    released: list[int] = []
    marked: list[int] = []  # a batch marked in flight ahead of its turn
    in_flight: list[int] = []
    sent: list[ItemResult] = []  # this run's answers

    def flush(unmark: Sequence[int] = ()) -> None:
        nonlocal answered, released
        journal.record(job_id, answered, [*released, *unmark])
        answered, released = [], []

    journal.set_state(job_id, JobState.RUNNING)
    try:
        for number, span in enumerate(spans):
            indices = [pending[i][0] for i in span]
            if (resume_gate is not None and not resume_gate.is_set()) or (cancel is not None and cancel.is_set()):
                flush(marked)  # a batch marked ahead was not sent: it is pending again
                marked = []
                if cancel is not None and cancel.is_set():
                    journal.set_state(job_id, JobState.PAUSED)
                    return journal.job(job_id)
                journal.set_state(job_id, JobState.PAUSED)
                assert resume_gate is not None
                await resume_gate.wait()
                journal.set_state(job_id, JobState.RUNNING)
                if cancel is not None and cancel.is_set():
                    journal.set_state(job_id, JobState.PAUSED)
                    return journal.job(job_id)
            if client.limiter.delay() > 0:  # the budget makes this batch wait: write what is known now
                flush(marked)
                marked = []
                # Marked as in flight only once the budget lets it go at once: a run killed while it waits for
                # the budget leaves its next batch pending, not unknown.
                await client.limiter.ready()
            if marked != indices:
                journal.begin_batch(job_id, indices, answered=answered, released=released)
                answered, released = [], []
            marked = []
            in_flight = indices
            bodies = [pending[i][1] for i in span]

            def send(
                on_sent: Callable[[], None], bodies: list[bytes] = bodies, indices: list[int] = indices
            ) -> Coroutine[Any, Any, list[ItemResult]]:
                return publish_encoded_all(client, topic_id, bodies, indices=indices, on_sent=on_sent)

            request: asyncio.Task[list[ItemResult]] = await send_ahead(send)
            if number + 1 < len(spans) and not request.done() and client.limiter.delay() == 0:
                # While this request is out, the next batch is marked (and the answers known so far written):
                # the commit's fsync overlaps the server's work instead of delaying the next request.
                marked = [pending[i][0] for i in spans[number + 1]]
                journal.begin_batch(job_id, marked, answered=answered, released=released)
                answered, released = [], []
            results = await request
            in_flight = []
            # Items certainly not processed (401, 404, no connection) stay pending: a later run sends them.
            unsent = [r for r in results if r.delivery is Delivery.NOT_SENT]
            answered += [r for r in results if r not in unsent]
            released += [r.index for r in unsent]
            sent += [r for r in results if r not in unsent]
            done += len(results) - len(unsent)
            published += sum(1 for r in results if r.ok)
            if on_progress is not None:
                on_progress(ReplayProgress(done, len(pending), published), results)
            if unsent:
                flush(marked)
                journal.set_state(job_id, JobState.PAUSED)
                return journal.job(job_id)
        flush()
    except BaseException:
        lost = [ItemResult(i, Outcome.UNKNOWN, error=STOPPED_ERROR) for i in in_flight]
        answered += lost  # stopped while a batch was out: it may have been published
        flush(marked)
        journal.set_state(job_id, JobState.PAUSED)
        raise
    # The outcome from the counts in hand: reading the job back would fold every answer now, on the clock.
    counts = outcome_counts(sent)
    final = replace(
        info,
        published=info.published + counts[Outcome.SUCCESS],
        failed=info.failed + counts[Outcome.FAILED],
        unknown=info.unknown + counts[Outcome.UNKNOWN],
    )
    state = JobState.DONE if final.published == final.total else JobState.FAILED
    if final.pending:
        state = JobState.PAUSED
    journal.set_state(job_id, state)
    return replace(final, state=state)


@dataclass(frozen=True, slots=True)
class UnknownCheck:
    found: int  # unknown items found in the topic: now published, with the message's id
    missing: int  # not found: now failed, so "retry failed" sends exactly these
    read: int  # messages of the topic read


def canonical(payload: Any) -> str:
    """A payload as comparable text: the same JSON object, however its keys are ordered or spaced."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


async def check_unknown(
    client: SupportsConsume, journal: Journal, job_id: str, *, max_messages: int = 500_000
) -> UnknownCheck:
    """Settle a job's unknown items by looking for them in the destination topic.

    The topic is read from a little before the job was created. An unknown item whose payload matches a message
    that is not already one of the job's published messages is recorded as published, with that message's id
    (each message matches one item). An item with no match is recorded as failed, saying it is not in the topic,
    so "retry failed" sends exactly those: nothing is sent twice. A payload identical to one that someone else
    published in that time would match too; payloads a replay edited (``set replayed = true``) rarely are.
    """
    unknown = journal.unknown_items(job_id)
    if not unknown:
        return UnknownCheck(0, 0, 0)
    info = journal.job(job_id)
    topic = check_topic_id(info.destination.get("topic"), where="the job's destination topic")
    known = journal.published_ids(job_id)
    pool: dict[str, list[str]] = {}
    read = 0

    def collect(batch: list[Message]) -> None:
        nonlocal read
        read += len(batch)
        for message in batch:
            if message.message_id not in known:
                pool.setdefault(canonical(message.payload), []).append(message.message_id)

    since = datetime.fromisoformat(info.created) - CHECK_MARGIN
    tail = TopicTail(
        client, topic, collect, start=StartPosition.since_time(since), follow=False, max_messages=max_messages
    )
    await tail.run()
    results = []
    for index, body in unknown:
        matches = pool.get(canonical(json.loads(body)))
        if matches:
            results.append(ItemResult(index, Outcome.SUCCESS, matches.pop(0), FOUND_NOTE))
        else:
            results.append(ItemResult(index, Outcome.FAILED, None, MISSING_ERROR))
    journal.record(job_id, results)
    found = sum(1 for r in results if r.ok)
    return UnknownCheck(found, len(results) - found, read)

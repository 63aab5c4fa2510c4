"""A long search of the archive spread over worker processes: Python evaluates about 150,000 messages a second
on one core here (decoding the JSON is half of it), and a JMESPath condition over a million messages would hold
the app's own process, and its interpreter lock, for many seconds.

``Scan`` starts the workers (the ``spawn`` context: a clean interpreter, safe beside the window's threads; like
any spawned process it imports the program's main module again, so a script that searches the archive keeps its
work under ``if __name__ == "__main__":``, as the app's entry points do) and hands each a range of keys at a time,
newest first. A worker opens the archive read-only, runs the search's SQL on its range (the topics, times and the
condition's verdict, see ``verdict``), evaluates the condition in Python where SQL could not tell, and sends back
only the keys that match. ``results`` gives each range's keys in the order the ranges were made, however the
workers finish them, so the search still shows the newest hits first. Workers run at a slightly lower priority
(``NICE``) than the window.

Stopping: ``close`` (after a cancel, the limit, or the end) closes each worker's stop pipe; a worker sees it in
SQLite's progress handler and between messages, and leaves within milliseconds; one that does not is
terminated. A worker whose app process went away sees its stop pipe closed the same way, so none is left behind.
A range whose worker failed (killed, or an SQLite error) comes back as None: the caller scans it itself, and so
meets the error, if any, where it is said in words.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from threading import Event
from typing import Any
from urllib.parse import quote

import jmespath

from inspector.core.archive.evaluate import Condition

WORKERS = max(1, min(os.cpu_count() or 1, 4))
AHEAD = 2  # ranges handed to a worker before it reports: it never waits for the next one
_CHECK_EVERY = 2_000  # messages evaluated between two looks at the stop pipe
_PROGRESS_STEPS = 10_000  # SQLite instructions between two looks at the stop pipe
_JOIN_S = 2.0
NICE = 2  # workers yield the cores to the window (its loop must never stall) and to what the user runs


@dataclass(frozen=True, slots=True)
class Job:
    """What every worker runs: ``sql``, its values ``head``, a range's lowest and highest key, then ``tail``;
    its rows are ``(key, message_id, ts, payload, verdict)``. ``expression``: the JMESPath condition Python
    evaluates where the verdict is NULL."""

    path: str
    sql: str
    head: tuple[Any, ...]
    tail: tuple[Any, ...]
    expression: str


def available() -> bool:
    """Whether workers can be started here: more than one core, and not a frozen build (whose executable would
    start the app again rather than a worker)."""
    return WORKERS > 1 and not getattr(sys, "frozen", False)


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    tasks: Connection  # ranges down, keys up
    stop: Connection  # closed (or written) to stop it
    given: deque[int] = field(default_factory=deque)


class Scan:
    """``ranges`` (lowest, highest key), newest first, scanned by ``workers`` processes running ``job``."""

    def __init__(self, job: Job, ranges: list[tuple[int, int]], workers: int = WORKERS) -> None:
        self.ranges = ranges
        self._job = job
        self._next = 0
        self._workers: list[_Worker] = []
        self.pids: list[int] = []  # the workers' process ids
        self._closed = False
        context = multiprocessing.get_context("spawn")
        try:
            for number in range(max(1, min(workers, len(ranges)))):
                tasks, their_tasks = context.Pipe()
                their_stop, stop = context.Pipe(duplex=False)
                process = context.Process(
                    target=work,
                    args=(job, their_tasks, their_stop, os.getpid()),
                    name=f"archive-search-{number + 1}",
                    daemon=True,
                )
                process.start()
                their_tasks.close()
                their_stop.close()
                worker = _Worker(process, tasks, stop)
                self._workers.append(worker)
            self.pids = [pid for w in self._workers if (pid := w.process.pid) is not None]
            for worker in self._workers:
                for _ in range(AHEAD):
                    self._give(worker)
        except BaseException:
            self.close()
            raise

    def _give(self, worker: _Worker) -> None:
        if self._next >= len(self.ranges):
            return
        low, high = self.ranges[self._next]
        worker.tasks.send((self._next, low, high))
        worker.given.append(self._next)
        self._next += 1

    def results(self, cancel: Event) -> Iterator[tuple[tuple[int, int], list[int] | None]]:
        """Each range with the keys that match in it (None: its worker failed), in the order of ``ranges``.
        Stops early when ``cancel`` is set."""
        done: dict[int, list[int] | None] = {}
        shown = 0
        live = list(self._workers)
        while shown < len(self.ranges):
            if cancel.is_set():
                return
            if not live:
                done.update((index, None) for index in range(shown, len(self.ranges)) if index not in done)
            else:
                ready = wait([w.tasks for w in live] + [w.process.sentinel for w in live], timeout=0.05)
                for worker in list(live):
                    if not self._hear(worker, ready, done):
                        live.remove(worker)
                        done.update((index, None) for index in worker.given)  # scanned by the caller instead
                        worker.given.clear()
                if not live:
                    done.update((index, None) for index in range(self._next, len(self.ranges)))
                    self._next = len(self.ranges)
            while shown in done:
                yield self.ranges[shown], done.pop(shown)
                shown += 1

    def _hear(self, worker: _Worker, ready: list[Any], done: dict[int, list[int] | None]) -> bool:
        """Take what the worker sent; False when it is gone (exited, killed, or its pipe broken)."""
        try:
            while worker.tasks.poll():
                index, keys = worker.tasks.recv()
                done[index] = keys
                with contextlib.suppress(ValueError):
                    worker.given.remove(index)
                self._give(worker)
        except (EOFError, OSError):
            return False
        return not (worker.process.sentinel in ready and not worker.process.is_alive())

    def close(self) -> None:
        """Stop every worker and wait for it (terminated when it does not stop at once). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            for connection in (worker.stop, worker.tasks):
                with contextlib.suppress(OSError):
                    connection.close()
        for worker in self._workers:
            worker.process.join(_JOIN_S)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(_JOIN_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            with contextlib.suppress(ValueError):
                worker.process.close()

    def __enter__(self) -> Scan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----- in the worker --------------------------------------------------------------------------------------------
def work(job: Job, tasks: Connection, stop: Connection, parent: int) -> None:
    """A worker's life: ranges from ``tasks`` until it closes, the matching keys of each sent back."""

    def stopped() -> bool:
        return stop.poll() or os.getppid() != parent

    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICE)

    uri = f"file:{quote(str(Path(job.path).resolve()))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        db.set_progress_handler(lambda: 1 if stopped() else 0, _PROGRESS_STEPS)
        condition = Condition(jmespath.compile(job.expression).parsed)
        while True:
            try:
                task = tasks.recv()
            except (EOFError, OSError):
                return
            index, low, high = task
            try:
                keys = _scan(db, job, condition, low, high, stopped)
            except sqlite3.Error:
                keys = None  # the caller scans this range itself, and says what went wrong
            if stopped():
                return
            try:
                tasks.send((index, keys))
            except OSError:
                return
    finally:
        db.close()


def _scan(
    db: sqlite3.Connection, job: Job, condition: Condition, low: int, high: int, stopped: Any
) -> list[int] | None:
    keys: list[int] = []
    cursor = db.execute(job.sql, (*job.head, low, high, *job.tail))
    try:
        while rows := cursor.fetchmany(_CHECK_EVERY):
            keys += condition.matching(rows)
            if stopped():
                return None
    finally:
        cursor.close()
    return keys

"""The emulator dies (SIGKILL) and comes back on the same port and data file: a tail and a replay carry on.

The emulator runs as a real process (``python -m inspector emulator``) with a SQLite ``--data`` file, so what it
stored before the kill is there after the restart, as with a real service that goes down and comes back.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inspector.core.backoff import Backoff
from inspector.core.models import Message, Outcome
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TailState, TailStatus, TopicTail
from inspector.emulator.store import Store
from tests.helpers import EmulatorProcess, free_port, wait_until

TOKEN = "emulator-token"
TOPIC = 7


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[EmulatorProcess]:
    server = EmulatorProcess(
        free_port(),
        tmp_path / "emulator.sqlite",
        tmp_path / "emulator.log",
        args=["--rate-limit", "0", "--topic", f"{TOPIC}:restart-test"],
    )
    server.start()
    try:
        yield server
    finally:
        server.kill()


def stored(data: Path) -> list[dict[str, Any]]:
    """The destination topic's payloads, read from the data file (the emulator may be down)."""
    store = Store(str(data))
    try:
        row = store.get_topic(TOPIC)
        assert row is not None
        return [json.loads(m.payload) for m in store.read(row, limit=100_000)]
    finally:
        store.close()


# ----- tail ---------------------------------------------------------------------------------------------------
async def publish(http: httpx.AsyncClient, url: str, payloads: list[dict[str, Any]]) -> None:
    answer = await http.post(
        f"{url}/api/v1/batch/topics/{TOPIC}/publish",
        json={"payloads": payloads},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.slow
async def test_a_tail_follows_the_topic_across_an_emulator_kill_and_restart(
    emulator_process: EmulatorProcess,
) -> None:
    received: list[Message] = []
    statuses: list[TailStatus] = []
    endpoint = custom_endpoint(emulator_process.url, rate_limit_rpm=0)
    batches = [[{"n": n, "text": f"message {n}"} for n in range(start, start + 25)] for start in range(0, 300, 25)]
    expected = [p for batch in batches for p in batch]
    async with EventStreamsClient(endpoint, TOKEN) as client, httpx.AsyncClient(timeout=10) as http:
        tail = TopicTail(
            client,
            TOPIC,
            received.extend,
            follow=True,
            wait_secs=5,
            on_status=statuses.append,
            backoff=Backoff(base=0.05, cap=0.3),
        )
        runner = asyncio.create_task(tail.run())
        try:
            await wait_until(lambda: tail.status.state is TailState.LIVE, what="the tail to go live")
            for batch in batches[:6]:
                await publish(http, emulator_process.url, batch)
                await asyncio.sleep(0.05)
            # The last batch before the kill is published and the emulator killed at once: the tail may not have
            # read it yet; it must come after the restart, from the data file.
            await publish(http, emulator_process.url, batches[6])
            await asyncio.to_thread(emulator_process.kill)
            before_restart = len(received)
            down_since = len(statuses)

            def backing_off() -> bool:
                return any(s.state is TailState.BACKING_OFF for s in statuses[down_since:])

            await wait_until(backing_off, what="the tail to report backing off")
            await asyncio.sleep(0.5)  # several reconnection attempts against a closed port
            assert runner.done() is False, "the tail ended while the emulator was down"
            down = [s for s in statuses[down_since:] if s.state is TailState.BACKING_OFF]
            assert len(down) >= 2, down  # it keeps trying
            assert all(s.retry_in is not None and 0 < s.retry_in <= 0.3 for s in down)
            # In words a user understands: what failed, where, and when the next attempt is.
            refused = [s.detail for s in down if s.detail.startswith("cannot connect to 127.0.0.1")]
            assert refused, [s.detail for s in down]
            assert re.search(r"; reconnecting in \d+\.\d s$", refused[-1]), refused[-1]
            assert "Traceback" not in refused[-1]
            assert "Errno" not in refused[-1]
            assert tail.status.state is TailState.BACKING_OFF

            await asyncio.to_thread(emulator_process.start)  # same port, same data file
            await wait_until(lambda: tail.status.state is TailState.LIVE, what="the tail to reconnect")
            for batch in batches[7:]:
                await publish(http, emulator_process.url, batch)
                await asyncio.sleep(0.05)
            await wait_until(lambda: len(received) >= len(expected), what="every message")
            await asyncio.sleep(0.3)  # a duplicate would arrive now
        finally:
            tail.stop()
            await asyncio.wait_for(runner, 10)

    assert tail.status.state is TailState.STOPPED
    assert [m.payload for m in received] == expected  # every message, once, in order
    assert len({m.message_id for m in received}) == len(expected)
    assert tail.duplicates == 0  # the tail resumed after its cursor: the server sent nothing again
    assert tail.received == len(expected)
    assert tail.cursor == received[-1].message_id
    assert before_restart <= 7 * 25
    assert [m.payload for m in received] == stored(emulator_process.data)


# ----- replay -------------------------------------------------------------------------------------------------
class Cli:
    """``topic-inspector ARGS`` in a child process whose standard error is read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inspector", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def wait(self, timeout: float = 60) -> int:
        try:
            code = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            self._reader.join(10)
            assert self.process.stdout is not None
            assert self.process.stderr is not None
            self.process.stdout.close()
            self.process.stderr.close()
        return code

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


def replay_env(home: Path) -> dict[str, str]:
    return {**os.environ, "TOPIC_INSPECTOR_TOKEN": TOKEN, "TOPIC_INSPECTOR_HOME": str(home)}


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "inspector", *args], env=env, capture_output=True, text=True, timeout=90, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_a_replay_cut_off_by_an_emulator_kill_resumes_without_sending_anything_twice(
    emulator_process: EmulatorProcess, tmp_path: Path
) -> None:
    # ~4 KB per item: 100 to a batch, so a request takes long enough to be caught by the kill now and then.
    payloads = [{"n": n, "pad": "x" * 4000, "note": 'a "quoted", multi\nline ü'} for n in range(1000)]
    messages = tmp_path / "messages.jsonl"
    messages.write_text("".join(json.dumps(p) + "\n" for p in payloads), encoding="utf-8")
    journal = tmp_path / "journal.sqlite"
    env = replay_env(tmp_path / "home")
    connection = ["--base-url", emulator_process.url, "--rate-limit", "0", "--journal", str(journal)]

    cli = Cli(["replay", str(messages), "--to", str(TOPIC), *connection], env)
    try:
        deadline = time.monotonic() + 30
        progress = re.compile(r"^job (\w+): (\d+)/1000 sent, (\d+) published$")
        while time.monotonic() < deadline:
            sent = [int(m.group(2)) for line in cli.lines if (m := progress.match(line.strip()))]
            if sent and sent[-1] >= 300:
                break
            assert cli.process.poll() is None, cli.stderr
            time.sleep(0.002)
        else:
            raise AssertionError(f"no progress: {cli.stderr}")
        emulator_process.kill()  # batch 4 (or 5) is on its way, or about to be
        code = cli.wait(60)
    finally:
        if cli.process.poll() is None:
            cli.wait(0)
    first_run = cli.stderr
    assert code == 1, first_run  # the run ended, not all published
    job = re.search(r"job (\w+): 1000 to send", first_run)
    assert job is not None, first_run
    job_id = job.group(1)

    code, out, err = run(["replay", "--report", job_id, "--journal", str(journal)], env)
    assert code == 0, err
    report = json.loads(out)
    items = report["items"]
    assert [item["index"] for item in items] == list(range(1000))  # nothing lost from the journal
    assert report["state"] == "paused"
    assert report["failed"] == 0  # what never left is not "failed": it is still to send
    published, unknown = report["published"], report["unknown"]
    assert published >= 300
    # At most two batches: the one out when the emulator died, and the one marked to follow it at once.
    assert unknown in (0, 100, 200)
    assert published + unknown + report["not_sent"] == 1000
    assert published + unknown < 1000  # the kill cut the run short
    outcomes = [item["outcome"] for item in items]
    assert outcomes == ["success"] * published + ["unknown"] * unknown + ["not sent"] * (1000 - published - unknown)
    unknown_items = items[published : published + unknown]
    for item in unknown_items:
        assert item["message_id"] is None
        assert item["error"].startswith("unknown — may have been published: "), item
    for item in items[published + unknown :]:
        assert item["error"] is None
        assert item["message_id"] is None
    if unknown:
        assert f"{unknown} unknown (may have been published)" in first_run
        assert f"'replay resume {job_id} --check-unknown --retry-failed'" in first_run
    assert f"continue with 'replay resume {job_id}'" in first_run

    # The emulator got the published items; of the unknown batches, a first part made it (committed before the
    # kill) or none did.
    after_kill = stored(emulator_process.data)
    arrived = len(after_kill) - published
    assert arrived in range(0, unknown + 1, 100), len(after_kill)
    assert after_kill == payloads[: published + arrived]

    emulator_process.start()
    code, _, err = run(["replay", "--resume", job_id, *connection], env)
    assert code == (1 if unknown else 0), err
    assert ("1000/1000 published" in err) is (unknown == 0), err
    if unknown:
        assert f"{unknown} unknown (may have been published)" in err
    # Without --resend-unknown nothing is stored twice: the unknown batch stays as it was.
    expected = payloads[: published + arrived] + payloads[published + unknown :]
    assert stored(emulator_process.data) == expected

    code, out, _ = run(["replay", "--report", job_id, "--journal", str(journal)], env)
    report = json.loads(out)
    assert (report["published"], report["unknown"], report["not_sent"]) == (1000 - unknown, unknown, 0)
    still_unknown = [item["index"] for item in report["items"] if item["outcome"] == Outcome.UNKNOWN.value]
    assert still_unknown == [item["index"] for item in unknown_items]  # the report lists the unknown ones

    if unknown and not arrived:
        # The user checked the destination: the unknown batches are not there, so they send them again.
        code, _, err = run(["replay", "--resume", job_id, "--resend-unknown", *connection], env)
        assert code == 0, err
        assert "1000/1000 published" in err
        final = stored(emulator_process.data)
        assert (
            final == payloads[:published] + payloads[published + unknown :] + payloads[published : published + unknown]
        )
    if unknown and arrived:
        # Part (or all) of the unknown items arrived: the check finds them in the topic, and only the rest is sent.
        code, _, err = run(["replay", "--resume", job_id, "--check-unknown", "--retry-failed", *connection], env)
        assert code == 0, err
        assert f"{arrived} found (published), {unknown - arrived} not there (failed)" in err
    final = stored(emulator_process.data)
    assert sorted(p["n"] for p in final) == list(range(1000))  # every item, none twice

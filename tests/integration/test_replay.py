"""Replay between two emulators (source and destination): in order, journaled, and exactly once across a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inspector.core.models import ItemResult, Outcome
from inspector.core.regions import custom_endpoint
from inspector.core.replay import (
    INTERRUPTED_ERROR,
    MISSING_ERROR,
    JobState,
    Journal,
    ReplayItem,
    UnknownCheck,
    check_unknown,
    run_job,
)
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def destination() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token="dest-token")) as server:
        yield server


def new_topic(server: EmulatorServer, name: str) -> int:
    assert server.store is not None
    return server.store.create_topic(name).id


def contents(server: EmulatorServer, topic: int) -> list[dict[str, Any]]:
    assert server.store is not None
    row = server.store.get_topic(topic)
    assert row is not None
    return [json.loads(m.payload) for m in server.store.read(row, limit=100_000)]


def fill(server: EmulatorServer, topic: int, count: int) -> list[dict[str, Any]]:
    payloads = [{"n": n, "name": f"Jane {n}", "note": 'a "quoted", multi\nline ü'} for n in range(count)]
    headers = {"Authorization": f"Bearer {server.token}"}
    for start in range(0, count, 100):
        answer = httpx.post(
            f"{server.url}/api/v1/batch/topics/{topic}/publish",
            json={"payloads": payloads[start : start + 100]},
            headers=headers,
        )
        assert answer.status_code == 200
    return payloads


def test_consume_then_replay_1000_messages_in_order(
    emulator: EmulatorServer, destination: EmulatorServer, tmp_path: Path
) -> None:
    source_topic = new_topic(emulator, "replay-source")
    target = new_topic(destination, "replay-target")
    payloads = fill(emulator, source_topic, 1000)
    consumed = run_cli(["consume", str(source_topic), "--base-url", emulator.url], token=emulator.token)
    assert consumed.returncode == 0, consumed.stderr
    messages = tmp_path / "messages.jsonl"
    messages.write_text(consumed.stdout, encoding="utf-8")

    home = tmp_path / "home"
    replayed = run_cli(
        ["replay", str(messages), "--to", str(target), "--base-url", destination.url, "--rate-limit", "0"],
        token=destination.token,
        home=home,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert contents(destination, target) == payloads

    listing = run_cli(["replay", "--list"], home=home)
    assert "(done): 1000/1000 published" in listing.stdout
    job = listing.stdout.split()[1]
    report = json.loads(run_cli(["replay", "--report", job], home=home).stdout)
    assert report["published"] == 1000
    assert report["items"][0]["source_id"] == json.loads(consumed.stdout.splitlines()[0])["message_id"]
    assert destination.token not in json.dumps(report)


def test_a_killed_replay_resumes_and_every_message_arrives_exactly_once(
    emulator: EmulatorServer, destination: EmulatorServer, tmp_path: Path
) -> None:
    source_topic = new_topic(emulator, "kill-source")
    target = new_topic(destination, "kill-target")
    payloads = fill(emulator, source_topic, 1000)
    messages = tmp_path / "messages.jsonl"
    messages.write_text("".join(json.dumps(p) + "\n" for p in payloads), encoding="utf-8")
    home = tmp_path / "home"
    env = {**os.environ, "TOPIC_INSPECTOR_TOKEN": destination.token, "TOPIC_INSPECTOR_HOME": str(home)}
    # 3 requests a minute: three batches go at once, then the run waits for the budget — and is killed there.
    args = ["replay", str(messages), "--to", str(target), "--base-url", destination.url, "--rate-limit", "3"]
    process = subprocess.Popen(
        [sys.executable, "-m", "inspector", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        journal_path = home / "data" / "replay.sqlite"
        deadline = time.monotonic() + 30
        published = 0
        while published < 300 and time.monotonic() < deadline:
            time.sleep(0.1)
            if journal_path.exists():
                journal = Journal(journal_path)
                jobs = journal.jobs()
                published = jobs[0].published if jobs else 0
                journal.close()
        assert published == 300
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        process.stderr.close()
    assert len(contents(destination, target)) == 300

    listing = run_cli(["replay", "--list"], home=home)
    assert "(interrupted): 300/1000 published" in listing.stdout
    job = listing.stdout.split()[1]
    resumed = run_cli(
        ["replay", "--resume", job, "--base-url", destination.url, "--rate-limit", "0"],
        token=destination.token,
        home=home,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert contents(destination, target) == payloads  # all 1,000, once each, in order


async def test_a_batch_in_flight_at_a_crash_is_reported_unknown_and_not_sent_again(
    destination: EmulatorServer, tmp_path: Path
) -> None:
    target = new_topic(destination, "unknown-target")
    journal = Journal(tmp_path / "replay.sqlite")
    items = [ReplayItem({"n": n}, f"src-{n}") for n in range(250)]
    job = journal.create("test", {"topic": target, "events_url": destination.url, "label": "dest"}, items)
    journal.set_state(job, JobState.RUNNING)
    journal.begin_batch(job, range(100))  # the process "dies" here, before any answer was recorded
    journal.close()

    journal = Journal(tmp_path / "replay.sqlite")
    [interrupted] = journal.recover()
    assert interrupted.state is JobState.INTERRUPTED
    assert interrupted.unknown == 100
    async with EventStreamsClient(custom_endpoint(destination.url, rate_limit_rpm=0), destination.token) as client:
        info = await run_job(client, journal, job)
        assert info.state is JobState.FAILED
        assert (info.published, info.unknown) == (150, 100)
        assert contents(destination, target) == [{"n": n} for n in range(100, 250)]
        report = journal.report(job)
        assert report["items"][0] == {
            "index": 0,
            "source_id": "src-0",
            "outcome": Outcome.UNKNOWN.value,
            "message_id": None,
            "error": INTERRUPTED_ERROR,
        }
        # the user checked the destination: they were not published; send them now
        assert journal.requeue(job, outcomes=(Outcome.UNKNOWN,)) == 100
        info = await run_job(client, journal, job)
    assert info.state is JobState.DONE
    assert sorted(p["n"] for p in contents(destination, target)) == list(range(250))
    journal.close()


def test_replay_refuses_bad_input_naming_it(destination: EmulatorServer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"n": 1}\n[2]\n', encoding="utf-8")
    result = run_cli(
        ["replay", str(bad), "--to", "5", "--base-url", destination.url], token=destination.token, home=tmp_path
    )
    assert result.returncode == 2
    assert str(bad) in result.stderr
    missing = run_cli(["replay", "--report", "nope"], home=tmp_path)
    assert missing.returncode == 2
    assert "no replay job 'nope'" in missing.stderr


def test_replay_says_what_it_needs(tmp_path: Path) -> None:
    nothing = run_cli(["replay", "--region", "us"], home=tmp_path)
    assert nothing.returncode == 2
    assert "give FILE and --to TOPIC, or --resume JOB" in nothing.stderr
    empty = run_cli(["replay", "--list"], home=tmp_path)
    assert empty.returncode == 0
    assert "no replay jobs" in empty.stderr


def test_marks_ahead_are_unknown_after_a_crash_and_answers_clear_only_their_own_mark(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "replay.sqlite")
    job = journal.create(
        "t", {"topic": 1, "events_url": "http://127.0.0.1", "label": "x"}, [ReplayItem({"n": n}) for n in range(300)]
    )
    journal.set_state(job, JobState.RUNNING)
    journal.begin_batch(job, range(100))  # batch 0 goes out
    journal.begin_batch(job, range(100, 200))  # batch 1 marked while batch 0 is out
    answers = [ItemResult(i, Outcome.SUCCESS, message_id=f"m{i}") for i in range(100)]
    journal.begin_batch(job, range(200, 300), answered=answers)  # batch 2 marked while 1 is out, with 0's answers
    journal.close()  # the process dies here

    journal = Journal(tmp_path / "replay.sqlite")
    [info] = journal.recover()
    assert (info.published, info.unknown, info.pending) == (100, 200, 0)  # 1 and 2 may have gone: never re-sent
    journal.close()


# ----- unknown items checked against the destination ------------------------------------------------------------
def interrupted_job(journal: Journal, destination: EmulatorServer, topic: int, payloads: list[dict[str, Any]]) -> str:
    """A job killed with two batches marked in flight (items 0-199), as ``recover`` finds it."""
    where = {"topic": topic, "events_url": destination.url, "label": f"topic {topic}"}
    job = journal.create("a killed run", where, [ReplayItem(p) for p in payloads])
    journal.set_state(job, JobState.RUNNING)
    journal.begin_batch(job, range(100))
    journal.begin_batch(job, range(100, 200))
    [info] = journal.recover()
    assert info.unknown == 200
    return job


async def test_unknown_items_found_in_the_topic_count_as_published_and_the_rest_are_sent_once(
    destination: EmulatorServer, tmp_path: Path
) -> None:
    topic = new_topic(destination, "check-unknown")
    payloads = [{"n": n, "replayed": True} for n in range(300)]
    journal = Journal(tmp_path / "journal.sqlite")
    try:
        job = interrupted_job(journal, destination, topic, payloads)
        endpoint = custom_endpoint(destination.url, rate_limit_rpm=0)
        async with EventStreamsClient(endpoint, destination.token) as client:
            # The first batch reached the service before the kill (with its keys in another order); the second not.
            stored = await client.publish_batch(topic, [dict(reversed(p.items())) for p in payloads[:100]])
            await client.publish(topic, {"n": 150, "replayed": False})  # similar, not the same: no match
            checked = await check_unknown(client, journal, job)
            assert (checked.found, checked.missing, checked.read) == (100, 100, 101)
            results = journal.results(job)
            assert [r["message_id"] for r in results[:100]] == [item.message_id for item in stored.items]
            assert {r["outcome"] for r in results[:100]} == {"success"}
            assert {r["outcome"] for r in results[100:200]} == {"failed"}
            assert results[150]["error"] == MISSING_ERROR
            assert {r["outcome"] for r in results[200:]} == {"not sent"}
            assert await check_unknown(client, journal, job) == UnknownCheck(0, 0, 0)  # nothing left to check

            assert journal.requeue(job, outcomes=(Outcome.FAILED,)) == 100
            info = await run_job(client, journal, job)
        assert (info.published, info.failed, info.unknown, info.pending) == (300, 0, 0, 0)
        topic_payloads = [p for p in contents(destination, topic) if p.get("replayed") is True]
        assert sorted(p["n"] for p in topic_payloads) == list(range(300))  # every item once
    finally:
        journal.close()


async def test_a_published_message_of_the_job_is_not_taken_for_an_unknown_twin(
    destination: EmulatorServer, tmp_path: Path
) -> None:
    """Two items with the same payload: one published (its id is known), one unknown. The topic holds the
    payload once: the unknown twin is not there."""
    topic = new_topic(destination, "check-unknown-twins")
    journal = Journal(tmp_path / "journal.sqlite")
    try:
        where = {"topic": topic, "events_url": destination.url, "label": f"topic {topic}"}
        job = journal.create("twins", where, [ReplayItem({"same": 1}), ReplayItem({"same": 1})])
        endpoint = custom_endpoint(destination.url, rate_limit_rpm=0)
        async with EventStreamsClient(endpoint, destination.token) as client:
            first = await client.publish(topic, {"same": 1})
            journal.record(job, [ItemResult(0, Outcome.SUCCESS, first)])
            journal.set_state(job, JobState.RUNNING)
            journal.begin_batch(job, [1])
            journal.recover()
            checked = await check_unknown(client, journal, job)
        assert (checked.found, checked.missing) == (0, 1)
    finally:
        journal.close()


def test_cli_check_unknown_with_retry_failed_sends_only_what_is_missing(
    destination: EmulatorServer, tmp_path: Path
) -> None:
    topic = new_topic(destination, "check-unknown-cli")
    payloads = [{"n": n, "cli": True} for n in range(250)]
    journal_path = tmp_path / "journal.sqlite"
    journal = Journal(journal_path)
    try:
        job = interrupted_job(journal, destination, topic, payloads)
    finally:
        journal.close()
    headers = {"Authorization": f"Bearer {destination.token}"}
    answer = httpx.post(
        f"{destination.url}/api/v1/batch/topics/{topic}/publish", json={"payloads": payloads[:100]}, headers=headers
    )
    assert answer.status_code == 200
    connect = ["--base-url", destination.url, "--rate-limit", "0", "--journal", str(journal_path)]
    refused = run_cli(["replay", "--resume", job, "--check-unknown", "--resend-unknown", *connect], home=tmp_path)
    assert refused.returncode == 2
    assert "choose --check-unknown" in refused.stderr
    done = run_cli(
        ["replay", "--resume", job, "--check-unknown", "--retry-failed", *connect],
        token=destination.token,
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "100 found (published), 100 not there (failed)" in done.stderr
    assert sorted(p["n"] for p in contents(destination, topic)) == list(range(250))

"""The app and the CLI killed at a bad moment (SIGKILL, as a crash, the OOM killer or a power cut would end them).

What must hold afterwards: every file in the app folder still parses (the writes are atomic), the window starts
again and resumes a topic after its saved cursor, and a publish cut short has stored a prefix of its items in
order, none twice. Each program runs as a real subprocess against the session's emulator.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.core.drafts import PublishStore
from inspector.core.workspace import Workspace, WorkspaceStore
from inspector.emulator.server import EmulatorServer

PROFILE = "Local"
TEMP_FILE = re.compile(r"^\..+\.tmp$")  # what atomic_write's mkstemp names look like


# ----- helpers -----------------------------------------------------------------------------------------------
def child_env(home: Path, token: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TOPIC_INSPECTOR_TOKEN")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TOPIC_INSPECTOR_HOME=str(home),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONUNBUFFERED="1",
    )
    if token:
        env["TOPIC_INSPECTOR_TOKEN"] = token
    return env


def saved_home(home: Path, base_url: str, topic: int, *, pad: int = 0) -> None:
    """A profile for the emulator and one open topic, saved as bench/startup.py's saved_home() does (``pad``: a
    splitter entry of that many numbers, which the window keeps, so each of its saves takes a while)."""
    code = (
        "import sys\n"
        "from inspector.core.profiles import Profile, ProfileStore\n"
        "from inspector.core.workspace import WorkspaceStore\n"
        f"ProfileStore().upsert(Profile({PROFILE!r}, 'custom', sys.argv[1], rate_limit_rpm=0))\n"
        "store = WorkspaceStore()\n"
        "workspace = store.load()\n"
        "workspace.add_topic(sys.argv[2], int(sys.argv[3]), 'killed')\n"
        "workspace.open_topics = [(sys.argv[2], int(sys.argv[3]))]\n"
        "workspace.splitters['pad'] = list(range(int(sys.argv[4])))\n"
        "store.save(workspace)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, base_url, PROFILE, str(topic), str(pad)], env=child_env(home), check=True
    )


def start_app(home: Path, token: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "inspector"],
            env=child_env(home, token),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def kill(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    return proc.wait(timeout=15)


def workspace_file(home: Path) -> Path:
    return home / "data" / "workspace.json"


def saved_cursor(home: Path, topic: int) -> str | None:
    """The topic's cursor in workspace.json; a file that does not parse fails the test (a torn write)."""
    path = workspace_file(home)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    data = json.loads(raw)
    for row in data["topics"].get(PROFILE, []):
        if row["id"] == topic:
            return row.get("cursor")
    return None


def wait_for(
    predicate: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen[Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the app ended (status {proc.returncode}) while waiting for {what}")
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def check_app_folder(home: Path) -> list[Path]:
    """Every file the app keeps parses; returns the temp files left behind (which must not be real files)."""
    leftovers = []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        if TEMP_FILE.match(path.name):
            leftovers.append(path)
        elif path.suffix == ".json":
            data = json.loads(path.read_bytes())  # raises on a torn or empty file
            assert isinstance(data, dict | list), path
        elif path.suffix in (".sqlite", ".db", ".sqlite3"):
            db = sqlite3.connect(path)
            try:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), path
            finally:
                db.close()
        assert not path.name.endswith(".broken"), f"{path} was set aside as unreadable"
    workspace = WorkspaceStore(workspace_file(home)).load()
    assert workspace.notice == "", workspace.notice
    drafts = PublishStore(home / "data")
    assert drafts.notice == "", drafts.notice
    return leftovers


def http_publish(emulator: EmulatorServer, topic: int, payload: dict[str, Any]) -> str:
    """Publish one message over HTTP, as any producer does (this also wakes the emulator's long polls)."""
    request = urllib.request.Request(  # noqa: S310 (the emulator's http:// address)
        f"{emulator.url.rstrip('/')}/api/v1/topics/{topic}/publish",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {emulator.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return str(json.loads(response.read())["message_id"])


class Publisher:
    """Publishes a message to the topic every ``interval`` seconds over HTTP, from a thread."""

    def __init__(self, emulator: EmulatorServer, topic: int, interval: float = 0.05) -> None:
        self.emulator = emulator
        self.topic = topic
        self.interval = interval
        self.ids: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.ids.append(http_publish(self.emulator, self.topic, {"n": len(self.ids)}))
            self._stop.wait(self.interval)

    def __enter__(self) -> Publisher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


# ----- 1. the window killed while tailing ---------------------------------------------------------------------
@pytest.fixture
def read_calls(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int | None]]:
    """(topic id, after_seq) of every read the emulator serves: shows where a tail started."""
    store = emulator.store
    assert store is not None
    calls: list[tuple[int, int | None]] = []
    original = store.read

    def read(topic: Any, **kwargs: Any) -> Any:
        calls.append((topic.id, kwargs.get("after_seq")))
        return original(topic, **kwargs)

    monkeypatch.setattr(store, "read", read)
    return calls


@pytest.mark.slow
def test_window_killed_while_tailing_resumes_after_saved_cursor(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path, read_calls: list[tuple[int, int | None]]
) -> None:
    store = emulator.store
    assert store is not None
    saved_home(app_home, emulator.url, topic, pad=300_000)  # a ~2.5 MB workspace.json: slow saves
    log = tmp_path / "app.log"

    # Run 1: messages arrive while the window tails; SIGKILL as soon as a cursor is on disk.
    app = start_app(app_home, emulator.token, log)
    try:
        with Publisher(emulator, topic):
            wait_for(lambda: saved_cursor(app_home, topic) is not None, 25, "a saved cursor", app)
            assert kill(app) == -signal.SIGKILL
    finally:
        kill(app)
    leftovers_1 = check_app_folder(app_home)
    first = saved_cursor(app_home, topic)
    assert first is not None
    first_seq = store.seq_of(topic, first)
    assert first_seq is not None, f"the saved cursor {first!r} is no message of the topic"
    total_before = store.count(topic)

    # Run 2: restart, publish more; the tail must start after the saved cursor, not from the beginning.
    read_calls.clear()
    app = start_app(app_home, emulator.token, log)
    killed_mid_save = False
    try:
        with Publisher(emulator, topic, interval=0.03) as publisher:
            wait_for(lambda: len(publisher.ids) >= 20, 10, "20 more messages")
            newest_seen = publisher.ids[19]
            wait_for(
                lambda: (
                    (c := saved_cursor(app_home, topic)) is not None
                    and (store.seq_of(topic, c) or 0) >= (store.seq_of(topic, newest_seen) or 0)
                ),
                25,
                "the cursor to reach the new messages",
                app,
            )
            # Try to land the kill inside a save: watch for atomic_write's temp file (saves come every ~2 s).
            data = app_home / "data"
            deadline = time.monotonic() + 4.5
            while time.monotonic() < deadline and not killed_mid_save:
                killed_mid_save = any(TEMP_FILE.match(name) for name in os.listdir(data))
                time.sleep(0.0005)
            assert kill(app) == -signal.SIGKILL
    finally:
        kill(app)
    leftovers_2 = check_app_folder(app_home)
    second = saved_cursor(app_home, topic)
    assert second is not None
    second_seq = store.seq_of(topic, second)
    assert second_seq is not None
    assert second_seq > first_seq, "the cursor did not move past the one saved before the kill"
    assert store.count(topic) > total_before

    # Where the restarted tail read from. A long poll of the killed window may still be answered after the
    # restart (after its own, later cursor), and the restarted tab goes on after the newest message its archive
    # holds (at or after the saved cursor): so reads at or after the saved cursor, never from the beginning.
    reads = [after for tid, after in read_calls if tid == topic]
    assert reads, "the restarted window never read the topic"
    assert None not in reads, "the restarted window read the topic from the beginning"
    assert min(reads) >= first_seq, f"the restarted window read after seq {min(reads)}, before its saved cursor"

    # Run 3: after the kill inside a save, start again; publish a last few, then nothing: the window's next
    # save must hold the newest message as the cursor, and it read on after cursor 2.
    read_calls.clear()
    app = start_app(app_home, emulator.token, log)
    try:
        last = [http_publish(emulator, topic, {"last": i}) for i in range(5)][-1]
        wait_for(lambda: saved_cursor(app_home, topic) == last, 15, "the newest message as the cursor", app)
        assert kill(app) == -signal.SIGKILL
    finally:
        kill(app)
    leftovers_3 = check_app_folder(app_home)
    reads = [after for tid, after in read_calls if tid == topic]
    assert reads  # after the saved cursor or the newest archived message, whichever is later
    assert None not in reads
    assert min(reads) >= second_seq
    print(
        f"\ncursor 1 seq {first_seq}, cursor 2 seq {second_seq}, killed mid-save: {killed_mid_save}, "
        f"temp files left after each run: {[[p.name for p in run] for run in (leftovers_1, leftovers_2, leftovers_3)]}"
    )


@pytest.mark.slow
def test_window_sigterm_keeps_the_latest_cursor(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path
) -> None:
    """SIGTERM (logout, systemd, `kill`) should close the window as Quit does: the cursor as it is then."""
    store = emulator.store
    assert store is not None
    saved_home(app_home, emulator.url, topic)
    app = start_app(app_home, emulator.token, tmp_path / "app.log")
    try:
        first = http_publish(emulator, topic, {"n": 0})
        wait_for(lambda: saved_cursor(app_home, topic) == first, 25, "the first cursor", app)
        time.sleep(0.2)  # just after a save: the next is ~2 s away
        last = http_publish(emulator, topic, {"n": 1})
        time.sleep(0.5)  # the tail's long poll hands it over at once
        status = kill(app, signal.SIGTERM)
    finally:
        kill(app)
    check_app_folder(app_home)
    assert saved_cursor(app_home, topic) == last, f"SIGTERM lost the cursor (exit status {status})"


# ----- 2. atomic writes under SIGKILL -----------------------------------------------------------------------
PAD = "x" * 300_000  # big enough that a write takes a while, so kills land inside one

DRAFT_WRITER = f"""
import sys
from inspector.core.drafts import PublishStore
store = PublishStore()
print("ready", flush=True)
i = 0
while True:
    store.set_draft("p", 7, "draft %d " % i + "x" * {len(PAD)})
    store.save_drafts()
    print(i, flush=True)
    i += 1
"""

WORKSPACE_WRITER = f"""
from inspector.core.workspace import WorkspaceStore
store = WorkspaceStore()
workspace = store.load()
entry = workspace.add_topic("p", 7)
print("ready", flush=True)
i = 0
while True:
    entry.cursor = "c%d" % i
    workspace.geometry = "g" * {len(PAD)}
    store.save(workspace)
    print(i, flush=True)
    i += 1
"""


def kill_writer(code: str, home: Path, delay: float) -> int | None:
    """Start a writer, SIGKILL it ``delay`` s after it is ready; the last counter it reported written."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=child_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else b""
    time.sleep(delay)
    kill(proc)
    lines = proc.stdout.read().split()
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    return int(lines[-1]) if lines else None


def written(last: int | None, previous: int | None) -> set[int | None]:
    """What the file may hold: the last write reported, the one in flight, or (none reported) what was before."""
    if last is None:
        return {previous, 0}
    return {last, last + 1}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["drafts", "workspace"])
def test_atomic_writes_survive_sigkill(kind: str, app_home: Path) -> None:
    rng = random.Random(20261126)
    code = DRAFT_WRITER if kind == "drafts" else WORKSPACE_WRITER
    held: int | None = None
    temps = 0
    for _ in range(20):
        last = kill_writer(code, app_home, rng.uniform(0, 0.15))
        if kind == "drafts":
            publishing = PublishStore(app_home / "data")
            assert publishing.notice == "", publishing.notice
            text = publishing.draft("p", 7)
            match = re.fullmatch(r"draft (\d+) (x*)", text)
            assert match is not None, f"draft is {text[:40]!r}… ({len(text)} chars)"
            assert len(match.group(2)) == len(PAD), "a torn draft"
            value: int | None = int(match.group(1))
        else:
            workspace: Workspace = WorkspaceStore(app_home / "data" / "workspace.json").load()
            assert workspace.notice == "", workspace.notice
            entry = workspace.topic("p", 7)
            assert entry is not None
            assert entry.cursor is not None
            assert workspace.geometry == "g" * len(PAD), "a torn workspace"
            value = int(entry.cursor.removeprefix("c"))
        assert value in written(last, held), f"file holds {value}, the writer reported {last} (before: {held})"
        held = value
        temps = len([p for p in (app_home / "data").iterdir() if TEMP_FILE.match(p.name)])
    check_app_folder(app_home)
    print(f"\n{kind}: temp files left behind by 20 kills: {temps}")


# ----- 3. a CLI publish killed mid-way -----------------------------------------------------------------------
ITEMS = 1000


@pytest.mark.slow
def test_cli_publish_killed_midway_stores_a_prefix(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path
) -> None:
    store = emulator.store
    assert store is not None
    source = tmp_path / "items.jsonl"
    # ~5 KB items: 100 to a request (~500 KB), ten requests, so a kill can land between two.
    source.write_text("".join(json.dumps({"n": i, "pad": "p" * 5000}) + "\n" for i in range(ITEMS)), "utf-8")
    command = [sys.executable, "-m", "inspector", "publish", str(topic), str(source), "--base-url", emulator.url]
    env = child_env(app_home, emulator.token)

    def stored() -> list[int]:
        topic_row = store.get_topic(topic)
        assert topic_row is not None
        return [json.loads(m.payload)["n"] for m in store.read(topic_row, limit=10 * ITEMS)]

    out = tmp_path / "results.jsonl"
    with out.open("wb") as sink:
        proc = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.PIPE)
        try:  # each chunk's result lines are printed as soon as it is answered: kill after the first chunk's
            wait_for(lambda: out.stat().st_size > 0 or proc.poll() is not None, 30, "the first chunk's lines")
            kill(proc)
        finally:
            kill(proc)
    assert proc.stderr is not None
    proc.stderr.close()
    time.sleep(0.3)  # a request already in the emulator's hands finishes there
    first = stored()
    told = [json.loads(line) for line in out.read_text().splitlines() if line.endswith("}")]
    assert told, "no result line before the kill: the user would not know what was stored"
    assert [r["index"] for r in told] == list(range(len(told)))
    assert all(r["result"] == "success" for r in told)
    assert len(told) <= len(first)  # what it said was published is in the topic
    assert first == list(range(len(first))), "not a prefix in order (or an item twice)"
    assert len(first) % 100 == 0, f"{len(first)} items: a chunk was stored in part"

    # What a user does next: publish the same file again. Everything is sent again, in order, after the prefix.
    done = subprocess.run(command, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert len(lines) == ITEMS
    results = [json.loads(line) for line in lines]
    assert [r["index"] for r in results] == list(range(ITEMS))
    assert all(r["result"] == "success" for r in results), [r for r in results if r["result"] != "success"][:3]
    assert stored() == list(range(len(first))) + list(range(ITEMS))
    print(f"\nstored before the kill: {len(first)} of {ITEMS}")


# ----- 4. a replay killed mid-way: the CLI's, and the window's with a draft typed --------------------------------
REPLAY_ITEMS = 2000


def topic_numbers(emulator: EmulatorServer, topic: int) -> list[int]:
    store = emulator.store
    assert store is not None
    row = store.get_topic(topic)
    assert row is not None
    return [json.loads(m.payload)["n"] for m in store.read(row, limit=10 * REPLAY_ITEMS)]


def check_replayed(numbers: list[int], unknown: set[int]) -> None:
    """Every item is in the topic once; an item whose batch was in flight at the kill (unknown) may be missing."""
    assert len(numbers) == len(set(numbers)), "an item was published twice"
    missing = set(range(REPLAY_ITEMS)) - set(numbers)
    assert missing <= unknown, f"{len(missing - unknown)} items lost that were not reported unknown"


@pytest.mark.slow
def test_cli_replay_killed_midway_resumes_without_sending_twice(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "replay.jsonl"
    source.write_text("".join(json.dumps({"n": i, "pad": "p" * 5000}) + "\n" for i in range(REPLAY_ITEMS)), "utf-8")
    connect = ["--base-url", emulator.url]
    env = child_env(app_home, emulator.token)
    base = [sys.executable, "-m", "inspector", "replay"]
    errors = tmp_path / "replay.err"
    with errors.open("wb") as sink:
        proc = subprocess.Popen([*base, str(source), "--to", str(topic), *connect], env=env, stderr=sink)
        try:  # killed once a batch is published and while the next ones are going out
            wait_for(lambda: b" sent, " in errors.read_bytes(), 30, "the first progress line", proc)
            assert kill(proc) == -signal.SIGKILL
        finally:
            kill(proc)
    said = errors.read_text()
    job = re.search(r"job (\S+): ", said)
    assert job is not None, said
    job_id = job.group(1)
    check_app_folder(app_home)  # the journal (SQLite, WAL) passes integrity_check
    before = topic_numbers(emulator, topic)
    assert 0 < len(before) < REPLAY_ITEMS, f"{len(before)} published before the kill"

    resumed = subprocess.run([*base, "--resume", job_id, *connect], env=env, capture_output=True, timeout=120)
    told = resumed.stderr.decode()
    assert "the last run ended while it was sending" in told or f"job {job_id}: " in told, told
    report = subprocess.run([*base, "--report", job_id], env=env, capture_output=True, timeout=60, check=True)
    items = json.loads(report.stdout)["items"]
    unknown = {i["index"] for i in items if i["outcome"] == "unknown"}
    assert {i["outcome"] for i in items} <= {"success", "unknown"}
    assert resumed.returncode == (1 if unknown else 0), told
    numbers = topic_numbers(emulator, topic)
    check_replayed(numbers, unknown)
    assert numbers[: len(before)] == before  # the resumed run sent after what was there, nothing again
    assert len(unknown) <= 200  # the batch in flight and the one marked to follow it at once
    assert set(numbers) | unknown == set(range(REPLAY_ITEMS))

    # What the user does next: look for the unknown items in the topic and send only those not there.
    settled = subprocess.run(
        [*base, "--resume", job_id, "--check-unknown", "--retry-failed", *connect],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert settled.returncode == 0, settled.stderr.decode()
    final = topic_numbers(emulator, topic)
    assert sorted(final) == list(range(REPLAY_ITEMS))  # every item, exactly once
    print(f"\nCLI replay: {len(before)} published before the kill, {len(unknown)} unknown, then settled")


DRAFT = '{"draft": "typed before the kill", "n": 42}'

# A window as the app makes it, in a child process, running main() (below) on its loop.
WINDOW_SCRIPT = """
import asyncio, json, sys, time
from PySide6.QtWidgets import QApplication
from inspector.core.replay import ReplayItem
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)
ctx = AppContext()
window = MainWindow(ctx)
window.show()
{main}
loop = EventLoop(app)
asyncio.set_event_loop(loop)
with loop:
    loop.run_until_complete(main())
"""

REPLAYING_WINDOW = WINDOW_SCRIPT.format(
    main="""
profile_name, topic, items, draft = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

async def main():
    await window.start_background()  # reopens the saved topic
    view = window.views[(profile_name, topic)]
    view.publisher.set_text(draft)  # typed: saved once the typing pauses
    await asyncio.sleep(1.0)
    profile = ctx.profile(profile_name)
    destination = {"topic": topic, "profile": profile_name, "events_url": profile.endpoint().events_url,
                   "label": "the killed window's replay"}
    payloads = [ReplayItem({"n": n, "pad": "p" * 5000}) for n in range(items)]
    job = ctx.journal.create("killed window", destination, payloads)
    window.jobs.start(job)
    print(json.dumps({"job": job}), flush=True)
    while True:
        print(json.dumps({"published": ctx.journal.job(job).published}), flush=True)
        await asyncio.sleep(0.01)
"""
)

RESTARTED_WINDOW = WINDOW_SCRIPT.format(
    main="""
profile_name, topic, job = sys.argv[1], int(sys.argv[2]), sys.argv[3]

async def main():
    await window.start_background()
    view = window.views.get((profile_name, topic))
    seen = {
        "notice": window.jobs.notice.text(),
        "selected": window.jobs.selected(),
        "state": ctx.journal.job(job).state.value,
        "draft": view.publisher.editor.toPlainText() if view is not None else None,
    }
    window.jobs.resume_button.click()
    deadline = time.monotonic() + 60
    while ctx.journal.job(job).pending and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    info = ctx.journal.job(job)
    seen.update(published=info.published, unknown=info.unknown, failed=info.failed, pending=info.pending)
    seen["unknown_items"] = [r["index"] for r in ctx.journal.results(job) if r["outcome"] == "unknown"]
    window.close()
    await window.shutdown()
    await ctx.aclose()
    print(json.dumps(seen), flush=True)
"""
)


@pytest.mark.slow
def test_window_killed_during_a_replay_offers_the_job_and_its_draft_is_back(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path
) -> None:
    saved_home(app_home, emulator.url, topic)
    env = child_env(app_home, emulator.token)
    run = [sys.executable, "-c", REPLAYING_WINDOW, PROFILE, str(topic), str(REPLAY_ITEMS), DRAFT]
    with (tmp_path / "window.err").open("wb") as errors:
        proc = subprocess.Popen(run, env=env, stdout=subprocess.PIPE, stderr=errors)
    job_id = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # killed once a batch is published and while the next ones are going out
            said = json.loads(line)
            job_id = said.get("job", job_id)
            if said.get("published", 0) >= 100:
                break
        assert kill(proc) == -signal.SIGKILL, (tmp_path / "window.err").read_text()
    finally:
        kill(proc)
        if proc.stdout is not None:
            proc.stdout.close()
    assert job_id, (tmp_path / "window.err").read_text()
    check_app_folder(app_home)  # workspace, drafts, the journal (integrity_check)
    before = topic_numbers(emulator, topic)
    assert 0 < len(before) < REPLAY_ITEMS, f"{len(before)} published before the kill"

    again = subprocess.run(
        [sys.executable, "-c", RESTARTED_WINDOW, PROFILE, str(topic), job_id],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr.decode()
    seen = json.loads(again.stdout.decode().splitlines()[-1])
    assert "1 replay job was interrupted when the app ended" in seen["notice"]
    assert seen["selected"] == job_id
    assert seen["state"] == "interrupted"
    assert seen["draft"] == DRAFT
    assert (seen["failed"], seen["pending"]) == (0, 0)
    assert seen["published"] + seen["unknown"] == REPLAY_ITEMS
    assert seen["unknown"] <= 200  # the batch in flight and the one marked to follow it at once
    numbers = topic_numbers(emulator, topic)
    check_replayed(numbers, set(seen["unknown_items"]))
    assert numbers[: len(before)] == before
    check_app_folder(app_home)
    print(f"\nwindow replay: {len(before)} published before the kill, {seen['unknown']} unknown")

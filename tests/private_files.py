"""A scripted session of the app under umask 022, and what it left readable to other users.

``scripted_session(home, scratch)`` runs, each in its own process as a user would, with ``TOPIC_INSPECTOR_HOME``
set to ``home``: the emulator with ``--data`` in ``home`` (killed at the end, so its ``-wal``/``-shm`` stay);
``profile add``, ``token set``, ``publish``, ``consume``, ``replay`` (its journal in the app's data folder) and
``replay --list``; a command that crashes (a keyring that raises what nobody expects) and so writes a crash
report; and the window as ``inspector.ui.app.run`` makes it (with its fatal log), which opens the topic,
publishes from its publish panel and closes, saving its state. ``scratch`` holds what the user keeps elsewhere
(the consumed file, the emulator's output).

``modes(home)`` is every path under ``home`` (itself included) with its permission bits: the test wants folders
0700 and files 0600; bench/_hardening_files.py counts those other users may use. Run as
``python -m tests.private_files window TOPIC`` it is the window's part (the session runs it so).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "Local"
TOPIC = 7
UMASK = 0o022  # the usual one: what the app creates would be 0644/0755 if it relied on it


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _env(home: Path, token: str | None, keyring: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TOPIC_INSPECTOR_TOKEN")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TOPIC_INSPECTOR_HOME=str(home),
        PYTHON_KEYRING_BACKEND=keyring,
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    if token is not None:
        env["TOPIC_INSPECTOR_TOKEN"] = token
    return env


def _run(
    args: list[str],
    home: Path,
    *,
    token: str | None = None,
    stdin: str = "",
    keyring: str = "tests.helpers.InMemoryKeyring",
    module: str = "inspector",
    expect: int = 0,
) -> str:
    """``python -m MODULE ARGS``; its standard output. Another exit status than ``expect`` is an error."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(home, token, keyring),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if done.returncode != expect:
        raise AssertionError(f"{module} {' '.join(args)} ended {done.returncode}, not {expect}:\n{done.stderr}")
    return done.stdout


def scripted_session(home: Path, scratch: Path) -> None:
    """The session described above, under umask 022 (``home`` need not exist; ``scratch`` must)."""
    from tests.helpers import EmulatorProcess, free_port

    emulator = EmulatorProcess(
        free_port(),
        home / "emulator" / "data.sqlite",
        scratch / "emulator.log",
        args=["--rate-limit", "0", "--topic", f"{TOPIC}:private"],
    )
    with umask(UMASK):
        emulator.start()
        try:
            token = "emulator-token"  # the emulator's default on loopback
            connection = ["--profile", PROFILE]
            _run(["profile", "add", PROFILE, "--base-url", emulator.url, "--rate-limit", "0"], home)
            _run(["token", "set", *connection], home, stdin=token + "\n")
            _run(["publish", str(TOPIC), *connection], home, token=token, stdin='[{"n": 1}, {"n": 2}]')
            consumed = scratch / "consumed.jsonl"
            consumed.write_text(_run(["consume", str(TOPIC), *connection], home, token=token), encoding="utf-8")
            _run(["replay", str(consumed), "--to", str(TOPIC), *connection], home, token=token)
            _run(["replay", "--list"], home)
            _run(["token", "status", *connection], home, keyring="tests.broken_keyring.BrokenKeyring", expect=1)
            _run(["window", str(TOPIC)], home, token=token, module="tests.private_files")
        finally:
            emulator.kill()  # SIGKILL: the database's -wal and -shm stay beside it


def modes(home: Path) -> dict[str, int]:
    """Each path under ``home`` (relative; folders end in ``/``; ``./`` is ``home``) and its permission bits."""
    found = {"./": stat.S_IMODE(home.stat().st_mode)}
    for folder, folders, files in os.walk(home):
        for name in folders:
            path = Path(folder, name)
            found[f"{path.relative_to(home)}/"] = stat.S_IMODE(path.lstat().st_mode)
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def too_open(home: Path) -> dict[str, str]:
    """The paths under ``home`` that other users (its group or anyone) may read, write or enter, with their modes."""
    return {path: oct(mode) for path, mode in modes(home).items() if mode & 0o077}


def _window(topic: int) -> None:
    """The window's part, made as ``inspector.ui.app.run`` makes it (crash hooks and fatal log included): it
    adds the topic to the profile ``Local``, opens it, publishes one message from its publish panel and closes,
    which saves its workspace."""
    import asyncio
    import time

    from PySide6.QtWidgets import QApplication

    from inspector.core.models import Outcome
    from inspector.ui.app import report_crashes, show_window
    from inspector.ui.eventloop import EventLoop

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    ctx, window = show_window(app, demo=False, started=time.perf_counter())
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    report_crashes(window, loop)

    async def session() -> None:
        try:
            ctx.workspace.add_topic(PROFILE, topic, "private")  # as "Add topic" does
            view = await window.open_topic(PROFILE, topic)
            assert view is not None, "the topic did not open"
            assert view.publisher is not None, "the topic has no publish panel"
            view.publisher.set_text(json.dumps({"from": "the window"}))
            results = await view.publisher.publish_now(confirm=False)
            assert results is not None, "nothing was published"
            assert [r.outcome for r in results] == [Outcome.SUCCESS], results
        finally:
            window.close()
            await window.shutdown()
            await ctx.aclose()

    with loop:
        loop.run_until_complete(session())


if __name__ == "__main__":
    if sys.argv[1:2] == ["window"]:
        _window(int(sys.argv[2]))
    else:
        sys.exit("usage: python -m tests.private_files window TOPIC")

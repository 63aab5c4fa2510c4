"""What keeps the window quick to appear (bench/startup.py measures it): it is painted before asyncio, the HTTP
client, the keyring and the Qt namespace's enums are loaded (each named in a start-up table: inspector/ui/later.py,
inspector/core/later.py), and it still works the same once they are."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from inspector.core.profiles import Profile, ProfileStore
from inspector.core.secrets import KeyringStore
from inspector.core.workspace import WorkspaceStore
from inspector.ui import context, sidebar
from inspector.ui.eventloop import EventLoop
from tests.helpers import InMemoryKeyring

# Run in a fresh interpreter: show the window as the app does, and report what was loaded by then.
PROBE = r"""
import enum, json, sys
created = []
make = enum.EnumType._create_
def record(cls, name, *args, **kwargs):
    created.append(name)
    return make(cls, name, *args, **kwargs)
enum.EnumType._create_ = record
from PySide6.QtWidgets import QApplication
from inspector.ui import app as ui_app
qapp = QApplication([])
ctx, window = ui_app.show_window(qapp, demo=False, started=0.0)
report = {
    "visible": window.isVisible(),
    "topics_in_tree": window.tree_model.item(0).rowCount() if window.tree_model.rowCount() else 0,
    "qt_namespace_enums": "GlobalColor" in created,
    "loaded": sorted(m for m in ("asyncio", "qasync", "httpx", "keyring", "jsonschema", "sqlite3", "uvicorn",
                                 "hashlib", "html", "ssl", "inspector.core.terminal",
                                 "inspector.cli.consume") if m in sys.modules),
    # nothing of the start-up tables (inspector/ui/later.py, inspector/core/later.py) is loaded yet
    "from_tables": sorted(
        name
        for table in (sys.modules["inspector.ui.later"], sys.modules["inspector.core.later"])
        for name, path in table.MODULES.items()
        if name in vars(table) or (":" not in path and path in sys.modules)
    ),
}
print(json.dumps(report))
"""


def saved_topics() -> None:
    ProfileStore().upsert(Profile("Production", "custom", "http://127.0.0.1:9", rate_limit_rpm=60))
    store = WorkspaceStore()
    workspace = store.load()
    for topic, name in ((1, "orders"), (2, "audit-events"), (3, "payments")):
        workspace.add_topic("Production", topic, name)
    workspace.open_topics = [("Production", 1)]
    store.save(workspace)


def test_the_window_is_shown_before_the_heavy_parts_load(app_home: Path) -> None:
    saved_topics()
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["visible"]
    assert report["topics_in_tree"] == 3  # the saved topics are in the sidebar from the first frame
    assert report["loaded"] == []
    assert report["from_tables"] == []
    # PySide makes the Qt namespace's ~90 enums on its first use: 25-45 ms, kept until after the first frame
    assert not report["qt_namespace_enums"]


def test_user_role_spelled_out_is_qts() -> None:
    assert Qt.ItemDataRole.UserRole.value == sidebar.USER_ROLE


def test_state_dots_are_drawn(qapp: object) -> None:
    icon = sidebar.dot("#2e9d45")
    image = icon.pixmap(12, 12).toImage()
    assert not icon.isNull()
    assert image.pixelColor(6, 6) == QColor("#2e9d45")
    assert image.pixelColor(0, 0).alpha() == 0


def test_the_keyring_is_looked_up_off_the_loop_once(qloop: EventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window starts before the keyring is known; its answer then decides where tokens go."""
    lookups: list[str] = []
    memory = InMemoryKeyring()

    def store() -> KeyringStore:
        lookups.append(threading.current_thread().name)
        return KeyringStore(memory)

    monkeypatch.setattr(context, "KeyringStore", store)
    ctx = context.AppContext()
    profile = Profile("Later", "custom", "http://127.0.0.1:9")
    assert ctx.keyring is None
    assert ctx.token_note(profile) == "the OS keyring is being checked"

    async def scenario() -> None:
        first, second = await asyncio.gather(ctx.open_keyring(), ctx.open_keyring())
        assert first is second is ctx.keyring
        assert await ctx.set_token(profile, "t-123") == f"stored in {memory.name}"
        assert ctx.token_note(profile).startswith("stored in")
        await ctx.aclose()

    qloop.run_until_complete(scenario())
    assert len(lookups) == 1
    assert lookups[0] != threading.main_thread().name


def test_without_a_usable_keyring_tokens_stay_in_memory_and_it_says_so(qloop: EventLoop) -> None:
    ctx = context.AppContext(keyring_store=KeyringStore(importlib.import_module("keyring.backends.null").Keyring()))
    profile = Profile("Here", "custom", "http://127.0.0.1:9")
    assert ctx.keyring is None
    assert "No OS keyring" in ctx.keyring_warning
    assert ctx.token_note(profile) == "no token stored"

    async def scenario() -> None:
        assert await ctx.open_keyring() is None
        assert await ctx.set_token(profile, "t-123") == "kept in memory for this session only"
        await ctx.aclose()

    qloop.run_until_complete(scenario())


# Run in a fresh interpreter: the app's start (show, then start_background with its settle step), then say what the
# first topic tab will find loaded, in which thread the transport was imported, and when settle ran.
WARM_PROBE = r"""
import asyncio, json, sys, threading
from keyring.backends import fail
from PySide6.QtWidgets import QApplication
from inspector.core import connection, later
from inspector.core.secrets import KeyringStore
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow

threads = []
load = connection.load_transport
def traced():
    threads.append(threading.current_thread() is threading.main_thread())
    load()
connection.load_transport = traced
app = QApplication([])
app.setQuitOnLastWindowClosed(False)
loop = EventLoop(app)
asyncio.set_event_loop(loop)
ctx = AppContext(keyring_store=KeyringStore(fail.Keyring()))
window = MainWindow(ctx)
window.show()
settled = []
def loaded():
    return sorted(m for m in ("httpcore", "inspector.ui.topic.view") if m in sys.modules)
async def start():
    before = loaded()
    await window.start_background(settle=lambda: settled.append(loaded()))
    window.close()
    await window.shutdown()
    await ctx.aclose()
    return before
with loop:
    before = loop.run_until_complete(start())
print(json.dumps({"before": before, "settled": settled, "on_main_thread": threads}))
"""


def test_once_shown_the_window_loads_what_the_first_tab_needs_then_settles(app_home: Path) -> None:
    """The first topic tab opens as fast as the next ones (bench/archive.py's ``open_first_tab_ms``): the HTTP
    transport is imported on a thread and the tab's modules on the loop before the app freezes what start-up made
    (``settle``), and before the saved tabs reopen."""
    run = subprocess.run([sys.executable, "-c", WARM_PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {
        "before": [],
        "settled": [["httpcore", "inspector.ui.topic.view"]],
        "on_main_thread": [False],
    }, run.stderr

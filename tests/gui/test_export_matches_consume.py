"""The window's Export and ``topic-inspector consume --format`` write the same bytes for the same messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from inspector.core.export import FORMATS
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, local_profile, publish
from tests.helpers import wait_until

# What could be written two ways: controls a terminal or a spreadsheet would act on, text beyond ASCII, numbers
# JSON can spell differently, a payload's own "time", nesting and emptiness.
PAYLOADS: list[dict[str, object]] = [
    {"n": 0, "name": "Jane", "total": 120.5},
    {"n": 1, "formula": '=HYPERLINK("x")', "minus": "-5", "at": "@sum", "tab": "\tx"},
    {"n": 2, "escape": "\x1b[31mred\x1b[0m", "c1": "\u0085 \u009b", "bidi": "\u202eevil\u202c", "del": "\x7f"},
    {"n": 3, "text": "Ωmega ✓ 😀 日本", "lines": "a\nb\r\nc"},
    {"n": 4, "big": 2**70, "small": -(2**63), "float": 1e16, "tiny": 5e-324, "zero": -0.0, "one": 1.0},
    {"n": 5, "time": "not the message's", "message_id": "nor this", "nested": {"a": [1, {"b": None}], "c": []}},
    {"n": 6, "flag": True, "none": None, "empty": {}, "list": [[], [1, "2"], {"k": "v"}]},
    {},
]


def export_from_the_window(view: TopicView, path: Path) -> None:
    """As a user does: the table's Export… action, then a file name in its dialog."""
    [action] = [a for a in view.table.actions() if a.text() == "Export…"]
    action.trigger()
    dialogs = [d for d in view.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].selectFile(str(path))
    dialogs[0].accept()
    assert view.notice.text() == f"Exported {len(PAYLOADS)} messages to {path}."


def consume(emulator: EmulatorServer, topic: int, fmt: str) -> bytes:
    """``topic-inspector consume TOPIC --format FMT`` in a real process: its standard output, as bytes."""
    env = {**os.environ, "TOPIC_INSPECTOR_TOKEN": emulator.token}
    args = ["consume", str(topic), "--base-url", emulator.url, "--format", fmt]
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", *args], capture_output=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


@pytest.mark.slow
def test_export_from_the_window_is_what_consume_writes(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    publish(emulator, topic, *PAYLOADS)

    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == len(PAYLOADS), what="the messages in the table")
        for fmt in FORMATS:
            export_from_the_window(view, tmp_path / f"window.{fmt}")
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    for fmt in FORMATS:
        written = (tmp_path / f"window.{fmt}").read_bytes()
        assert written == consume(emulator, topic, fmt), fmt
    assert b"+00:00" in written  # the server's spelling of the time, not one the window made up

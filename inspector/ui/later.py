"""The window's start-up table: every module (or Qt class) the window uses only after its first frame, imported
when first used and then kept (``later.asyncio.get_running_loop()``, ``later.replay.Journal()``).

The window is painted before asyncio, the HTTP client, the keyring, SQLite, the emulator and the Qt namespace's
enums load (tests/gui/test_startup.py; bench/startup.py measures it). One of the start-up tables, beside the
registry (``inspector.services``), the CLI's command table and the core's (``inspector.core.later``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> "module" or "module:attr"
MODULES: dict[str, str] = {
    "asyncio": "asyncio",
    "signal": "signal",  # SIGTERM and Ctrl+C close the window: set once it is shown
    # Qt: PySide makes a class (and the Qt namespace its ~90 enums) on first use
    "Qt": "PySide6.QtCore:Qt",
    "QDockWidget": "PySide6.QtWidgets:QDockWidget",
    "QFileDialog": "PySide6.QtWidgets:QFileDialog",
    "QInputDialog": "PySide6.QtWidgets:QInputDialog",
    "QMessageBox": "PySide6.QtWidgets:QMessageBox",
    "QPalette": "PySide6.QtGui:QPalette",  # the light or dark scheme, when the platform gives no hint
    "QSizePolicy": "PySide6.QtWidgets:QSizePolicy",  # a banner folded to one line
    "QStyle": "PySide6.QtWidgets:QStyle",  # 10 ms: its ~70 standard icons and other enums (the actions' icons)
    "QTabBar": "PySide6.QtWidgets:QTabBar",  # the tabs' close buttons
    "ThreadPoolExecutor": "concurrent.futures:ThreadPoolExecutor",  # the message archive's reader thread
    # the core: the HTTP client, SQLite, the journal
    "archive": "inspector.core.archive",  # the message archive (SQLite), opened when a topic tab first opens
    "connection": "inspector.core.connection",  # a profile's route and TLS context, before its first connection
    "crash": "inspector.core.crash",
    "drafts": "inspector.core.drafts",
    "export": "inspector.core.export",
    "http": "inspector.core.http",
    "ratelimit": "inspector.core.ratelimit",
    "replay": "inspector.core.replay",
    "tail": "inspector.core.tail",
    "workato": "inspector.core.services.workato",  # the window's topics are Workato's
    # the demo's emulator
    "server": "inspector.emulator.server",
    "traffic": "inspector.emulator.traffic",
    # the window's own parts (typed Any here: their modules import the window's, so no TYPE_CHECKING import)
    "archive_manage": "inspector.ui.archive.manage",  # Import, Archive settings, Forget, prune (and SQLite)
    "archive_search": "inspector.ui.archive.search",  # the archive's Search tab
    "dialogs": "inspector.ui.dialogs",
    "eventloop": "inspector.ui.eventloop",
    "palette": "inspector.ui.palette",  # the command palette (Ctrl+K)
    "shortcuts": "inspector.ui.shortcuts",  # Help → Keyboard shortcuts
    "topic_model": "inspector.ui.topic.model",
    "topic_replay": "inspector.ui.topic.replay",
    "topic_view": "inspector.ui.topic.view",
    "topic_admin": "inspector.ui.topics.admin",  # New/Edit topic, Purge, Delete (inspector.ui.topics.actions)
}

if TYPE_CHECKING:
    import asyncio as asyncio
    import signal as signal
    from concurrent.futures import ThreadPoolExecutor as ThreadPoolExecutor

    from PySide6.QtCore import Qt as Qt
    from PySide6.QtGui import QPalette as QPalette
    from PySide6.QtWidgets import QDockWidget as QDockWidget
    from PySide6.QtWidgets import QFileDialog as QFileDialog
    from PySide6.QtWidgets import QInputDialog as QInputDialog
    from PySide6.QtWidgets import QMessageBox as QMessageBox
    from PySide6.QtWidgets import QSizePolicy as QSizePolicy
    from PySide6.QtWidgets import QStyle as QStyle
    from PySide6.QtWidgets import QTabBar as QTabBar

    from inspector.core import archive as archive
    from inspector.core import connection as connection
    from inspector.core import crash as crash
    from inspector.core import drafts as drafts
    from inspector.core import export as export
    from inspector.core import http as http
    from inspector.core import ratelimit as ratelimit
    from inspector.core import replay as replay
    from inspector.core import tail as tail
    from inspector.core.services import workato as workato
    from inspector.emulator import server as server
    from inspector.emulator import traffic as traffic
    from inspector.ui import eventloop as eventloop
    from inspector.ui import palette as palette
    from inspector.ui import shortcuts as shortcuts


def __getattr__(name: str) -> Any:
    try:
        module, _, attr = MODULES[name].partition(":")
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    found = importlib.import_module(module)
    if attr:
        found = getattr(found, attr)
    globals()[name] = found
    return found

"""Bootstrap: QApplication, then the app coroutine on a qasync loop; cleanup runs before the loop ends."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from inspector import APP_ID, __version__
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow

STARTUP_ENV = "TOPIC_INSPECTOR_STARTUP_PROBE"  # print the time to the shown window, then quit


def freeze_startup_objects() -> None:
    """Move everything made at start-up (Qt's and the libraries' classes, functions, modules) out of the
    garbage collector's sight: full collections then scan only what the session makes, which keeps their
    pauses short while a table grows (measured: ~100 ms pauses without this, during a 100,000-row ingest)."""
    gc.collect()
    gc.freeze()


async def run_window(app: QApplication, *, demo: bool, started: float) -> int:
    ctx = AppContext(demo=demo)
    window = MainWindow(ctx)
    app.aboutToQuit.connect(window.closed.set)
    try:
        if demo:
            profile = await ctx.start_demo()
            window.show_demo_banner(profile.base_url or "")
            window.refresh_tree()
        window.restore()
        window.show()
        freeze_startup_objects()
        if os.environ.get(STARTUP_ENV):
            QTimer.singleShot(0, lambda: _report_startup(window, started))
        await window.open_saved_topics()
        await window.closed.wait()
    finally:
        await window.shutdown()
        await ctx.aclose()
        window.deleteLater()
    return 0


def _report_startup(window: MainWindow, started: float) -> None:
    print(f"startup_ms={(time.perf_counter() - started) * 1000:.1f}", flush=True)
    window.close()


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# Said by platforms without a window manager (offscreen, some kiosks); nothing is wrong with the app.
_HARMLESS = ("This plugin does not support propagateSizeHints",)


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if not message.startswith(_HARMLESS):
        logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def app_icon() -> QIcon:
    """The installed theme icon; else the SVG shipped beside the code (a source checkout, a packaged folder)."""
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    source = bundle / "resources" / "icons" / "topic-inspector.svg"
    fallback = QIcon(str(source)) if source.is_file() else QIcon()
    return QIcon.fromTheme(APP_ID, fallback)


def install_qt_message_handler() -> None:
    """Qt's own messages go through logging (redacted, at their level) instead of straight to stderr."""
    qInstallMessageHandler(_qt_message)


def run(*, demo: bool = False, started: float | None = None) -> int:
    started = time.perf_counter() if started is None else started
    install_qt_message_handler()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Topic Inspector")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("topic-inspector")
    app.setDesktopFileName(APP_ID)  # desktops match the window to the installed launcher and its icon
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the app coroutine ends the loop after its cleanup
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result: int = loop.run_until_complete(run_window(app, demo=demo, started=started))
            return result
    finally:
        asyncio.set_event_loop(None)

"""Bootstrap: QApplication and the main window, shown at once; then asyncio and the app coroutine on a qasync
loop, which looks up the keyring, reopens the saved topics and cleans up before the loop ends.

The window is shown before asyncio, qasync, the HTTP client, the keyring and the emulator are even imported
(each module loads them where it needs them), so it appears about as fast as an empty PySide6 window
(bench/startup.py)."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from inspector import APP_ID, __version__
from inspector.ui import later
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

STARTUP_ENV = "TOPIC_INSPECTOR_STARTUP_PROBE"  # print the time to the shown window, then quit


def freeze_startup_objects() -> None:
    """Move everything made at start-up (Qt's and the libraries' classes, functions, modules) out of the
    garbage collector's sight: full collections then scan only what the session makes, which keeps their
    pauses short while a table grows (measured: ~100 ms pauses without this, during a 100,000-row ingest).
    The collector, off while the window was made (``inspector.cli._run_gui``), is back on from here."""
    gc.collect()
    gc.freeze()
    gc.enable()


def show_window(app: QApplication, *, demo: bool, started: float) -> tuple[AppContext, MainWindow]:
    """The main window, restored to its saved place and size and painted, before anything else starts."""
    ctx = AppContext(demo=demo)
    window = MainWindow(ctx)
    window.restore()
    window.show()
    app.processEvents()  # map and paint it now
    if os.environ.get(STARTUP_ENV):
        print(f"startup_ms={(time.perf_counter() - started) * 1000:.1f}", flush=True)
        QTimer.singleShot(0, window.close)  # and quit through the usual path once the loop runs
    return ctx, window


async def run_window(app: QApplication, ctx: AppContext, window: MainWindow, *, demo: bool) -> int:
    app.aboutToQuit.connect(window.closed.set)
    try:
        if demo:
            profile = await ctx.start_demo()
            window.show_demo_banner(profile.base_url or "")
            window.refresh_tree()
        await window.start_background(settle=freeze_startup_objects)
        await window.closed.wait()
    finally:
        await window.shutdown()
        await ctx.aclose()
        window.deleteLater()
    return 0


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


def close_on_signals(window: MainWindow) -> None:
    """SIGTERM (logout, a service manager, ``kill``) and Ctrl+C close the window the usual way: its tails stop
    and the workspace, cursors and drafts are saved, instead of the process ending mid-way. Python runs the
    handler between the loop's steps (its timers tick at least twice a second), and Qt then closes the window."""
    for signum in (later.signal.SIGTERM, later.signal.SIGINT):
        later.signal.signal(signum, lambda *_: QTimer.singleShot(0, window.close))


def report_crashes(
    window: MainWindow, loop: asyncio.AbstractEventLoop | None = None, *, fatal_log: bool = True
) -> Callable[[], None]:
    """Errors nothing expected — in a Qt slot (``sys.excepthook``), a thread, or an asyncio callback — become
    crash reports (``MainWindow.report_unexpected``) and the window carries on; a fatal one is written to
    ``fatal.log``. Returns a function that puts the previous hooks back."""
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, error, tb)
            return
        try:
            window.report_unexpected(error.with_traceback(tb), "the window")
        except Exception:  # noqa: BLE001 - the report itself failed: Python's own hook prints the original
            previous_hook(kind, error, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            previous_thread_hook(args)
            return
        name = args.thread.name if args.thread is not None else "?"
        error = args.exc_value
        # on the window's thread: a timer with the window as its context is queued there
        QTimer.singleShot(0, window, lambda: window.report_unexpected(error, f"the thread {name!r}"))

    def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, Exception):
            window.report_unexpected(error, f"the event loop ({context.get('message', 'a callback')})")
        else:
            loop.default_exception_handler(context)

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    if loop is not None:
        loop.set_exception_handler(loop_handler)
    if fatal_log:
        later.crash.enable_fatal_log()

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook
        if loop is not None:
            loop.set_exception_handler(None)

    return restore


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
    app.setQuitOnLastWindowClosed(False)  # the app coroutine ends the loop after its cleanup
    ctx, window = show_window(app, demo=demo, started=started)
    app.setWindowIcon(app_icon())  # after the first frame: the icon theme's lookup takes a few ms
    close_on_signals(window)

    loop = later.eventloop.EventLoop(app)
    later.asyncio.set_event_loop(loop)
    report_crashes(window, loop)
    try:
        with loop:
            result: int = loop.run_until_complete(run_window(app, ctx, window, demo=demo))
            return result
    finally:
        later.asyncio.set_event_loop(None)

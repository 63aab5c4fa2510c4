"""Bootstrap: QApplication, then the app coroutine on a qasync loop; cleanup runs before the loop ends."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inspector import __version__
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow

log = logging.getLogger("inspector.ui")
STARTUP_ENV = "TOPIC_INSPECTOR_STARTUP_PROBE"  # print the time to the shown window, then quit


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


def run(*, demo: bool = False, started: float | None = None) -> int:
    started = time.perf_counter() if started is None else started
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Topic Inspector")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("topic-inspector")
    app.setQuitOnLastWindowClosed(False)  # the app coroutine ends the loop after its cleanup
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result: int = loop.run_until_complete(run_window(app, demo=demo, started=started))
            return result
    finally:
        asyncio.set_event_loop(None)

"""An error nothing expected, in the window: a crash report is written without the token, the status bar says
where it is, and the window carries on. From a Qt slot, a background task, a thread and an asyncio callback."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from PySide6.QtCore import QTimer

from inspector.core.profiles import Profile
from inspector.ui.app import report_crashes
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from tests.helpers import token_leaks, wait_until


def test_unexpected_errors_become_reports_and_the_window_carries_on(
    qloop: EventLoop, ctx: AppContext, app_home: Path
) -> None:
    token = "ti-Cr4sh7Lm9Xb4Ts8Vn1Pz5Yc3."  # fixed (ending in ".", a token shape that once leaked)

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Crash", "custom", "https://example.test"))
        ctx.session_tokens.set(profile.account, token)  # a session token: held in memory, so it can leak
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        restore = report_crashes(window, qloop, fatal_log=False)
        try:

            def slot() -> None:
                raise ValueError(f"a slot failed holding {token}")

            QTimer.singleShot(0, slot)
            await wait_until(lambda: len(window.crash_reports) == 1, what="the slot's report")
            assert "Something went wrong in the window (ValueError)" in window.statusBar().currentMessage()
            assert "(it holds no token). The app carries on." in window.statusBar().currentMessage()

            async def task() -> None:
                raise RuntimeError(f"a task failed with Bearer {token}")

            window.spawn(task())
            await wait_until(lambda: len(window.crash_reports) == 2, what="the task's report")
            assert "a background task" in window.statusBar().currentMessage()

            def work() -> None:
                raise OSError(f"a thread failed: {token}")

            thread = threading.Thread(target=work, name="worker")
            thread.start()
            thread.join()
            await wait_until(lambda: len(window.crash_reports) == 3, what="the thread's report")
            assert "the thread 'worker'" in window.statusBar().currentMessage()

            def callback() -> None:
                raise LookupError(f"a callback failed: {token}")

            asyncio.get_running_loop().call_soon(callback)
            await wait_until(lambda: len(window.crash_reports) == 4, what="the callback's report")
            assert "the event loop" in window.statusBar().currentMessage()

            window.refresh_tree()  # still working
            assert window.isVisible()
        finally:
            restore()
            window.close()
            await window.shutdown()
            await ctx.aclose()

    qloop.run_until_complete(scenario())
    reports = sorted((app_home / "log").glob("crash-*.txt"))
    assert len(reports) == 4
    texts = [p.read_text() for p in reports]
    for text, error in zip(texts, ("ValueError", "RuntimeError", "OSError", "LookupError"), strict=True):
        assert f"{error}: a " in text
        assert token_leaks(text, token) == [], text
    assert "in slot" in texts[0]
    assert "in task" in texts[1]
    assert "in work" in texts[2]

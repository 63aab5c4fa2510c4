"""Make the README's screenshot: the window in demo mode, offscreen, after a few seconds of live traffic.

Usage: .venv/bin/python scripts/screenshot.py [docs/main-window.png]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOPIC_INSPECTOR_HOME", tempfile.mkdtemp(prefix="topic-inspector-shot-"))

from PySide6.QtWidgets import QApplication

from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow


async def shoot(target: Path) -> None:
    ctx = AppContext(demo=True)
    window = MainWindow(ctx)
    profile = await ctx.start_demo()
    window.show_demo_banner(profile.base_url or "")
    window.refresh_tree()
    window.resize(1400, 860)
    window.show()
    await window.start_background()  # as the app does once the window is shown
    await asyncio.sleep(4)
    view = window.views[("Demo (local)", 1)]
    window.tabs.setCurrentWidget(view)
    await asyncio.sleep(0.5)
    if view.model.rowCount() > 2:
        view.table.selectRow(view.model.rowCount() - 3)
    window.update_status_bar()
    await asyncio.sleep(0.3)
    target.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(target))
    window.close()
    await window.shutdown()
    await ctx.aclose()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/main-window.png")
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(target))
    print(f"saved {target}")


if __name__ == "__main__":
    main()

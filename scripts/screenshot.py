"""Make the README's screenshots, offscreen, in demo mode: the window after a few seconds of live traffic, or the
schema editor (Topics → Edit topic… on the demo's orders topic, a change to its schema tested first).

Usage: .venv/bin/python scripts/screenshot.py [docs/main-window.png]
       .venv/bin/python scripts/screenshot.py schema-editor [docs/schema-editor.png]
       .venv/bin/python scripts/screenshot.py messages|publish PATH --size 1024x700
       .venv/bin/python scripts/screenshot.py all        # every picture the README shows
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOPIC_INSPECTOR_HOME", tempfile.mkdtemp(prefix="topic-inspector-shot-"))

from PySide6.QtWidgets import QApplication

from inspector.ui import later
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.topics.schema_model import COL_NAME


async def shoot(target: Path, size: tuple[int, int] = (1400, 860), page: str = "messages") -> None:
    ctx = AppContext(demo=True)
    window = MainWindow(ctx)
    profile = await ctx.start_demo()
    window.show_demo_banner(profile.base_url or "")
    window.refresh_tree()
    window.resize(*size)
    window.show()
    await window.start_background()  # as the app does once the window is shown
    await asyncio.sleep(4)
    view = window.views[("Demo (local)", 1)]
    window.tabs.setCurrentWidget(view)
    await asyncio.sleep(0.5)
    if view.model.rowCount() > 2:
        view.table.selectRow(view.model.rowCount() - 3)
    if page == "publish":
        view.edit_and_resend()  # the selected message's payload in the Publish page's editor
        await asyncio.sleep(0.2)
    window.update_status_bar()
    await asyncio.sleep(0.3)
    target.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(target))
    window.close()
    await window.shutdown()
    await ctx.aclose()


async def shoot_schema_editor(target: Path) -> None:
    """Edit topic… on the demo's orders: a required field added, and Save's test of that change."""
    ctx = AppContext(demo=True)
    window = MainWindow(ctx)
    profile = await ctx.start_demo()
    window.refresh_tree()
    window.resize(1280, 800)
    window.show()
    await window.start_background()
    await asyncio.sleep(4)  # some traffic to test the change against
    dialog = await later.topic_admin.edit_topic(window, ctx, profile, 1)
    editor = dialog.editor
    model = editor.model
    added = model.add_sibling(model.index(3, COL_NAME))  # after total: a required currency
    model.rename(added, "currency")
    model.setData(model.index(added.row(), 3), "ISO 4217 code")
    editor.tree.setCurrentIndex(model.index(added.row(), COL_NAME))
    dialog.save_button.click()
    for _ in range(100):  # the test reads the topic's retained messages
        await asyncio.sleep(0.1)
        if dialog.tested is not None:
            break
    await asyncio.sleep(0.3)
    target.parent.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(target))
    dialog.reject()
    window.close()
    await window.shutdown()
    await ctx.aclose()


SHOTS = {  # what `all` makes: the README's pictures
    "docs/main-window.png": ("messages", (1400, 860)),
    "docs/window-1024.png": ("messages", (1024, 700)),
    "docs/publish-1024.png": ("publish", (1024, 700)),
    "docs/schema-editor.png": ("schema-editor", (1280, 800)),
}


def run(kind: str, target: Path, size: tuple[int, int]) -> None:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        if kind == "schema-editor":
            loop.run_until_complete(shoot_schema_editor(target))
        else:
            loop.run_until_complete(shoot(target, size, kind))
    print(f"saved {target}")


def main() -> None:
    args = sys.argv[1:]
    size = (1400, 860)
    if "--size" in args:
        at = args.index("--size")
        width, height = args[at + 1].lower().split("x")
        size = (int(width), int(height))
        del args[at : at + 2]
    kind = args.pop(0) if args and args[0] in ("messages", "publish", "schema-editor", "all") else "messages"
    if kind == "all":  # each in a process of its own, as a user would run them
        for path, (shot, (width, height)) in SHOTS.items():
            subprocess.run([sys.executable, __file__, shot, path, "--size", f"{width}x{height}"], check=True)  # noqa: S603
        return
    default = "docs/schema-editor.png" if kind == "schema-editor" else "docs/main-window.png"
    run(kind, Path(args[0] if args else default), size)


if __name__ == "__main__":
    main()

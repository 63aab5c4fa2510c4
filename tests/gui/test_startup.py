"""What keeps the window quick to appear (bench/startup.py measures it): it is painted before asyncio, the HTTP
client, the keyring and the Qt namespace's enums are loaded, and it still works the same once they are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from inspector.core.profiles import Profile, ProfileStore
from inspector.core.workspace import WorkspaceStore
from inspector.ui import main_window

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
    "loaded": sorted(m for m in ("asyncio", "qasync", "httpx", "keyring", "jsonschema", "sqlite3", "uvicorn")
                     if m in sys.modules),
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
    # PySide makes the Qt namespace's ~90 enums on its first use: 25-45 ms, kept until after the first frame
    assert not report["qt_namespace_enums"]


def test_user_role_spelled_out_is_qts() -> None:
    assert Qt.ItemDataRole.UserRole.value == main_window.USER_ROLE


def test_state_dots_are_drawn(qapp: object) -> None:
    icon = main_window.dot("#2e9d45")
    image = icon.pixmap(12, 12).toImage()
    assert not icon.isNull()
    assert image.pixelColor(6, 6) == QColor("#2e9d45")
    assert image.pixelColor(0, 0).alpha() == 0

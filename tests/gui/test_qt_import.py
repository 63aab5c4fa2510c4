"""The window imports PySide6 first and takes out the import hook of PySide's ``__feature__`` (inspector/ui/qt.py):
that hook reads the whole source of every module imported after it, which the app, selecting no feature, does
not need."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import inspector

# The window's start as ``topic-inspector`` runs it (inspector.cli.main), up to where the window module would load:
# then report whether PySide's hook is still in ``__import__`` and whether it saw a module imported after it.
PROBE = r"""
import builtins, json, sys
import inspector.cli as cli

def window(demo):
    from inspector.ui.sidebar import Sidebar
    seen = sys.modules["PySide6.support.feature"].pyside_feature_dict
    hooked = builtins.__import__ is builtins.__feature_import__
    print(json.dumps({"hooked": hooked, "seen": "inspector.ui.sidebar" in seen, "sidebar": Sidebar.__name__}))
    return 0

cli.STARTS["window"] = "__main__:window"
raise SystemExit(cli.main([]))
"""

# The same import with PySide's hook left in: it reads the module's source to see whether it uses PySide6.
HOOKED = r"""
import builtins, json, sys
import PySide6.QtCore
from inspector.ui.sidebar import Sidebar
seen = sys.modules["PySide6.support.feature"].pyside_feature_dict
hooked = builtins.__import__ is builtins.__feature_import__
print(json.dumps({"hooked": hooked, "seen": "inspector.ui.sidebar" in seen, "sidebar": Sidebar.__name__}))
"""


def _run(code: str) -> dict[str, object]:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    report: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return report


def test_the_window_imports_its_modules_without_pysides_feature_hook() -> None:
    assert _run(PROBE) == {"hooked": False, "seen": False, "sidebar": "Sidebar"}


def test_pyside_would_otherwise_read_each_module_imported_after_it() -> None:
    """What the window avoids, shown on the PySide6 the app is pinned to: if this fails, PySide no longer hooks
    ``__import__`` and inspector/ui/qt.py can go."""
    assert _run(HOOKED) == {"hooked": True, "seen": True, "sidebar": "Sidebar"}


def test_pyside_works_the_same_without_the_hook() -> None:
    """A star import and the types PySide makes on first use (its own lazy import stays in place)."""
    code = (
        "import builtins\n"
        "from inspector.ui.qt import import_qt\n"
        "import_qt()\n"
        "from PySide6.QtCore import *\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel('x')\n"
        "label.setAlignment(Qt.AlignmentFlag.AlignRight)\n"
        "assert label.alignment() == Qt.AlignmentFlag.AlignRight\n"
        "assert QPoint(1, 2).x() == 1\n"
        "assert builtins.__import__ is builtins.__orig_import__\n"
        "print('{\"ok\": true}')\n"
    )
    assert _run(code) == {"ok": True}


def test_no_module_of_the_app_selects_a_pyside_feature() -> None:
    """``from __feature__ import snake_case`` would need the hook the window takes out."""
    root = Path(inspector.__file__).parent
    selecting = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "__feature__"
    ]
    assert selecting == []

"""The core and the emulator run without Qt: importing every module of theirs loads no PySide6 or qasync."""

from __future__ import annotations

import subprocess
import sys

SNIPPET = """
import pkgutil, importlib, sys
import inspector.core, inspector.emulator
for package in (inspector.core, inspector.emulator):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "qasync"))
print(",".join(loaded) or "none")
"""


def test_core_and_emulator_import_no_qt() -> None:
    proc = subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == "none", proc.stdout

"""The pinned PySide6 must not corrupt None's refcount under many model updates (6.12.0 on 3.11 does)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("pyside_none_refcount.py")


def test_model_updates_keep_none_refcount_stable() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "20000"], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, f"the interpreter died (status {proc.returncode}): {proc.stderr[-2000:]}"
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 40000
    # Each update makes several None round trips through Qt; a leak of one reference per call shows as
    # tens of thousands. A sound build stays within a handful (interned objects made on the way).
    assert abs(figures["drift"]) < 500, figures

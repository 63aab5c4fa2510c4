"""The Qt layer: windows, widgets, table models and the qasync bootstrap. Only this layer imports PySide6."""

import os
import sys


def has_screen() -> bool:
    """Whether a window can be shown: a Qt platform chosen, Windows or macOS, or an X11 or Wayland display."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

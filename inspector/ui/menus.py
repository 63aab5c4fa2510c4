"""The window's actions and menus. Every action sits in a menu of the menu bar; the toolbar and the sidebar's
right-click menu only repeat some.

Keyboard shortcuts are set once the window is shown (``set_shortcuts``): ``QAction.setShortcut`` makes PySide
create the Qt namespace's enums, which would delay the first frame (see ``inspector.ui.sidebar``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenu

    Shortcut = str | QKeySequence.StandardKey


class Menus:
    """Makes the actions and the menus of ``window``."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self._shortcuts: list[tuple[QAction, Shortcut]] = []

    def action(self, text: str, slot: Callable[[], object], shortcut: Shortcut | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))
        action.triggered.connect(slot)
        return action

    def menu(self, title: str, *actions: QAction) -> QMenu:
        menu = self.window.menuBar().addMenu(title)
        for action in actions:
            menu.addAction(action)
        return menu

    def set_shortcuts(self) -> None:
        """The actions' keyboard shortcuts, once the window is shown."""
        for action, shortcut in self._shortcuts:
            if isinstance(shortcut, str):
                action.setShortcut(QKeySequence.fromString(shortcut))
            else:
                action.setShortcuts(shortcut)
        self._shortcuts.clear()

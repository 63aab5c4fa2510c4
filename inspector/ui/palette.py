"""The command palette (Ctrl+K): a search field over every action of the window by name, each with its menu and
its shortcut (``inspector.ui.shortcuts.window_entries``). Typing filters (a part of the name, or the starts of its
words: "ed pro" or "ep" finds "Edit profile…"; case does not matter); Up and Down choose, Enter runs, Esc closes.
An action that cannot act now is shown greyed and cannot be chosen. The palette lies over the window's top (a
child of the window, not a window of its own: no keyboard grab) and closes when focus leaves it. Loaded when first
opened (``inspector.ui.later``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.ui.shortcuts import Entry

# Nothing of the window's own modules but inspector.ui.shortcuts is imported here: see there.

Index = QModelIndex | QPersistentModelIndex
_WORD = re.compile(r"[^\W_]+")


def _word_starts(query: str, words: list[str], first: int = 0) -> bool:
    """Whether ``query`` (no spaces) is made of starts of ``words``, in order: "edpro" and "ep" of "edit
    profile"."""
    if not query:
        return True
    for at in range(first, len(words)):
        word = words[at]
        for size in range(min(len(query), len(word)), 0, -1):
            if word.startswith(query[:size]) and _word_starts(query[size:], words, at + 1):
                return True
    return False


def match(query: str, name: str, menu: str = "") -> int | None:
    """How well ``query`` matches an action named ``name`` in ``menu``, case aside: 0 (the name starts with it)
    to 4 (the starts of the menu's and the name's words); None when it does not."""
    query = " ".join(query.lower().split())
    if not query:
        return 0
    name, full = name.lower(), f"{menu} {name}".lower()
    squeezed = query.replace(" ", "")
    if name.startswith(query):
        return 0
    if query in name:
        return 1
    if _word_starts(squeezed, _WORD.findall(name)):
        return 2
    if query in full:
        return 3
    if _word_starts(squeezed, _WORD.findall(full)):
        return 4
    return None


class PaletteModel(QAbstractTableModel):
    """The actions that match the query: name, menu and keys; a disabled action's row is disabled (greyed)."""

    COLUMNS = ("Action", "Menu", "Keys")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        self.shown: list[Entry] = []

    def set_entries(self, entries: list[Entry]) -> None:
        self.entries = entries

    def set_query(self, query: str) -> None:
        scored = [(match(query, e.name, e.menu), n, e) for n, e in enumerate(self.entries)]
        self.beginResetModel()
        self.shown = [e for score, _, e in sorted((s, n, e) for s, n, e in scored if s is not None)]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.COLUMNS)

    def entry(self, row: int) -> Entry | None:
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (entry.name, entry.menu, entry.keys)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = entry.action.statusTip()  # our own words
            return tip if tip and tip != entry.name else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemNeverHasChildren
        if entry.action.isEnabled():
            flags |= Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return None


class CommandPalette(QFrame):
    """Over the window's top: the search field, the list of actions, and a line that says what went wrong."""

    def __init__(self, window: QMainWindow, entries: Callable[[], list[Entry]]) -> None:
        super().__init__(window)
        self.main_window = window
        self._entries = entries  # every action of the window now (``inspector.ui.shortcuts.window_entries``)
        self._came_from: QWidget | None = None  # focus before the palette opened: back there on Esc
        self.setObjectName("command-palette")
        self.setAccessibleName("Command palette")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.hide()
        self.field = QLineEdit()
        self.field.setPlaceholderText("Search actions by name (Enter runs, Esc closes)")
        self.field.setAccessibleName("Search actions")
        self.field.setClearButtonEnabled(True)
        self.model = PaletteModel(self)
        self.list = QTreeView()
        self.list.setAccessibleName("Actions")
        self.list.setModel(self.model)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setHeaderHidden(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field; Up and Down move here
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.note = QLabel("")  # our words (and the query typed, shown as typed): plain text
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.field)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        self.field.textChanged.connect(self.filter)
        self.field.returnPressed.connect(self.run_current)
        self.field.installEventFilter(self)
        self.list.clicked.connect(self._clicked)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def popup(self) -> None:
        """Show the palette over the window with every action it has now, the field empty and focused."""
        focus = QApplication.focusWidget()
        if not self.isVisible():
            self._came_from = focus if focus is not None and not self.isAncestorOf(focus) else None
        self.model.set_entries(self._entries())
        self.field.clear()
        self.filter("")
        window = self.main_window
        width = max(min(640, window.width() - 40), 320)
        height = max(min(420, window.height() - 120), 200)
        self.setGeometry((window.width() - width) // 2, window.menuBar().height() + 8, width, height)
        self.show()
        self.raise_()  # over the tabs (a child widget: its place among its siblings)
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)

    def close_palette(self) -> None:
        """Esc: hide it, focus back where it was."""
        self.hide()
        if self._came_from is not None and self._came_from.isVisible():
            self._came_from.setFocus(Qt.FocusReason.PopupFocusReason)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self.isVisible() and new is not None and new is not self and not self.isAncestorOf(new):
            self.hide()  # focus went elsewhere in the window (a click, a key)

    def names(self) -> list[str]:
        """The names listed now, in order."""
        return [entry.name for entry in self.model.shown]

    def filter(self, query: str) -> None:
        self.model.set_query(query)
        self.note.hide()
        if not self.model.shown:
            self._say(f"No action's name matches {query.strip()!r}.")
        self._move_to(0, 1)

    def _say(self, words: str) -> None:
        self.note.setText(words)
        self.note.show()

    def _move_to(self, row: int, step: int) -> None:
        """Make the first enabled row from ``row`` on (going by ``step``) the current one."""
        while 0 <= row < self.model.rowCount():
            entry = self.model.entry(row)
            if entry is not None and entry.action.isEnabled():
                self.list.setCurrentIndex(self.model.index(row, 0))
                self.list.scrollTo(self.model.index(row, 0))
                return
            row += step

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            current = self.list.currentIndex().row()
            page = max(self.list.viewport().height() // max(self.list.sizeHintForRow(0), 1), 1)
            moves = {
                Qt.Key.Key_Down: (current + 1, 1),
                Qt.Key.Key_Up: (current - 1, -1),
                Qt.Key.Key_PageDown: (min(current + page, self.model.rowCount() - 1), 1),
                Qt.Key.Key_PageUp: (max(current - page, 0), -1),
            }
            if event.key() == Qt.Key.Key_Escape:
                self.close_palette()
                return True
            move = moves.get(Qt.Key(event.key()))
            if move is not None:
                self._move_to(*move)
                return True
        return super().eventFilter(watched, event)

    def _clicked(self, index: QModelIndex) -> None:
        self.list.setCurrentIndex(index)
        self.run_current()

    def run_current(self) -> None:
        """Enter: close the palette and run the chosen action. A greyed one cannot be chosen: when only such
        match, the palette says that the first cannot act now."""
        entry = self.model.entry(self.list.currentIndex().row())
        if entry is None or not entry.action.isEnabled():
            greyed = self.model.entry(0)
            if greyed is not None:
                self._say(f"{greyed.name} cannot act now.")
            return
        self.close_palette()
        # after the palette's focus went back: the action may move focus itself (Ctrl+F's filter field)
        QTimer.singleShot(0, self.main_window, entry.action.trigger)

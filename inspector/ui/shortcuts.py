"""Every action of the window by name, with its shortcut, read off the actions themselves (never a list kept by
hand): what the command palette (``inspector.ui.palette``) lists and Help → Keyboard shortcuts shows.

The actions are the menu bar's, walked with their submenus (the Message and Publish menus hold the current topic
tab's), then any of the current tab's that no menu holds. Loaded when first used (``inspector.ui.later``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Nothing of the window's own modules is imported here, not even for types: this module is in the window's
# start-up table (inspector.ui.later), which they all import. What it needs of them is named by these protocols.


class PublishPart(Protocol):
    def panel_actions(self) -> list[QAction]: ...


class TabPart(Protocol):
    """A topic's tab (``inspector.ui.topic.view.TopicView``)."""

    find_action: QAction

    @property
    def publisher(self) -> PublishPart | None: ...

    def message_actions(self) -> list[QAction | None]: ...

    def tab_actions(self) -> list[QAction]: ...


class Refresh(Protocol):
    def refresh(self) -> None: ...


class Window(Protocol):
    """The main window (``inspector.ui.main_window.MainWindow``)."""

    @property
    def tab_menus(self) -> Refresh: ...

    def current_view(self) -> TabPart | None: ...

    def menuBar(self) -> QMenuBar: ...


def action_words(action: QAction) -> str:
    """An action's text as a person reads it: no mnemonic "&", and "&&" as "&"."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_words(action: QAction) -> str:
    """An action's keyboard shortcuts as the platform writes them ("Ctrl+Shift+P"), several joined by ", "."""
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(keys.toString(native) for keys in action.shortcuts() if not keys.isEmpty())


def walk(menu: QMenu, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], QAction]]:
    """Every action of ``menu`` and its submenus, with the titles of the menus it is in; no separators."""
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            yield from walk(submenu, (*path, action_words(action)))
        else:
            yield path, action


ANYWHERE = "anywhere in the window"
PARTS = {"TopicView": "the topic's tab", "PublishPanel": "the Publish page"}  # the parts that have no accessible name


@dataclass(frozen=True)
class Entry:
    """One action: the menus it is in (``("Profiles",)``), its words and its keys."""

    action: QAction
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return action_words(self.action)

    @property
    def menu(self) -> str:
        return " › ".join(self.path)

    @property
    def keys(self) -> str:
        return shortcut_words(self.action)

    @property
    def where(self) -> str:
        """Where focus must be for the keys to work: anywhere, or in the widgets the action belongs to."""
        context = self.action.shortcutContext()
        if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
            return ANYWHERE
        names = []
        for owner in self.action.associatedObjects():
            # menus and the buttons that repeat the action are not where its keys work
            if isinstance(owner, QWidget) and not isinstance(owner, QMenu | QMenuBar | QAbstractButton):
                name = owner.accessibleName() or PARTS.get(type(owner).__name__, type(owner).__name__)
                if name not in names:
                    names.append(name)
        return "focus in " + " or ".join(names) if names else ANYWHERE


def window_entries(window: Window) -> list[Entry]:
    """Every action of ``window`` once, in menu order: the menu bar's, then the current topic tab's that are in
    no menu (its Publish page's too)."""
    window.tab_menus.refresh()
    entries: list[Entry] = []
    seen: set[QAction] = set()

    def add(action: QAction | None, path: tuple[str, ...]) -> None:
        if action is not None and action not in seen and not action.isSeparator() and action.isVisible():
            seen.add(action)
            entries.append(Entry(action, path))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            for path, action in walk(menu, (action_words(top),)):
                add(action, path)
    view = window.current_view()
    if view is not None:
        for tab_action in [*view.message_actions(), *view.tab_actions()]:
            if tab_action is not view.find_action:  # the window's Ctrl+F stands for it
                add(tab_action, ("Message",))
        if view.publisher is not None:
            for panel_action in view.publisher.panel_actions():
                add(panel_action, ("Publish",))
    return entries


def shortcut_entries(window: Window) -> list[Entry]:
    """The entries that have keys."""
    return [entry for entry in window_entries(window) if entry.keys]


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every shortcut of the window in a table (keys, action, menu, where it works);
    plain text; Esc closes it."""

    COLUMNS = ("Keys", "Action", "Menu", "Where it works")

    def __init__(self, parent: QWidget, entries: list[Entry], note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTableWidget(len(entries), len(self.COLUMNS))
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table
        for row, entry in enumerate(entries):
            for column, text in enumerate((entry.keys, entry.name, entry.menu, entry.where)):
                self.table.setItem(row, column, QTableWidgetItem(text))  # items are plain text
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.note = QLabel(note)  # our words: plain text
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(min(860, parent.width()), min(560, parent.height()))

    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row."""
        rows = []
        for r in range(self.table.rowCount()):
            items = [self.table.item(r, c) for c in range(self.table.columnCount())]
            rows.append(tuple(item.text() if item is not None else "" for item in items))
        return rows

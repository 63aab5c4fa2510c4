"""Showing a JSON payload: indented, highlighted text, and a collapsible tree whose nodes copy their value, their
JMESPath path, or a filter that matches their value (``JsonTree.filterRequested``)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTreeView, QWidget

from inspector.core.rows import compact_json
from inspector.core.validation import json_kind

MAX_TREE_NODES = 5000
NODE_ROLE = Qt.ItemDataRole.UserRole + 1  # on each cell of a node's row: its index in JsonTree's node list

PathPart = str | int  # a key of an object, or an index of an array
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # JMESPath's unquoted identifier (ASCII only)


# ----- JMESPath text for a node ------------------------------------------------------------------------------------
def _escape_unprintable(text: str) -> str:
    """JSON text with every character that does not print (controls, bidi and format marks, odd spaces) and every
    backtick written as a ``\\uXXXX`` escape: it reads the same in JSON and shows no hidden characters, and a
    backtick would end a JMESPath literal. Only for JSON text whose such characters are all inside strings."""
    if text.isprintable() and "`" not in text:
        return text
    return "".join(
        "\\u0060" if ch == "`" else ch if ch.isprintable() else json.dumps(ch)[1:-1]  # ASCII escapes
        for ch in text
    )


def jmespath_path(parts: tuple[PathPart, ...] | list[PathPart], root: str = "payload") -> str:
    """The JMESPath of a node from ``root``: ``payload.customer.email``, ``payload.items[0].sku``, and a key that is
    not an identifier quoted, ``payload."first name"``."""
    text = [root]
    for part in parts:
        if isinstance(part, int):
            text.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            text.append(f".{part}")
        else:
            text.append("." + _escape_unprintable(json.dumps(part, ensure_ascii=False)))
    return "".join(text)


def jmespath_literal(value: Any) -> str | None:
    """``value`` as a JMESPath literal that equals it: ``'text'`` (a quote as ``\\'``), `` `42` ``, `` `true` ``,
    `` `null` ``, and JSON in backticks for objects, arrays and text with a backslash or a character that does not
    print. None for what no literal equals (NaN, infinity)."""
    if isinstance(value, str) and value.isprintable() and "\\" not in value:
        return "'" + value.replace("'", "\\'") + "'"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None
    return f"`{_escape_unprintable(text)}`"


def filter_expression(parts: tuple[PathPart, ...] | list[PathPart], value: Any, root: str = "payload") -> str | None:
    """A JMESPath condition true for a message whose node at ``parts`` equals ``value``, e.g.
    ``payload.customer.email == 'a@b.c'``; None when no literal can equal the value (NaN)."""
    literal = jmespath_literal(value)
    return None if literal is None else f"{jmespath_path(parts, root)} == {literal}"


def value_text(value: Any) -> str:
    """What *Copy value* copies: text as it is, other scalars as JSON (``42``, ``true``, ``null``), objects and
    arrays as indented JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        try:
            return json.dumps(value, indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):  # nested too deeply to indent: compact JSON says so in words
            return compact_json(value)
    return json.dumps(value, ensure_ascii=False)


def _format(color: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


# Keys, text, numbers, and true/false/null: darker shades on a light background, lighter ones on a dark one.
# Each reads at a contrast of 4.5 or more on its background, and on the compare dialog's tints over it.
LIGHT_COLORS = ("#174a85", "#1b5e20", "#8a3c12", "#74206f")
DARK_COLORS = ("#a8c7fa", "#a6dcb0", "#f8c29a", "#e2c4fc")
_PATTERNS = (
    re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)'),  # keys
    re.compile(r':\s*("(?:[^"\\]|\\.)*")'),  # string values
    re.compile(r"\b-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"),
    re.compile(r"\b(?:true|false|null)\b"),
)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` shows text on a dark background (its base is darker than its text)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < palette.color(QPalette.ColorRole.Text).lightness()


class JsonHighlighter(QSyntaxHighlighter):
    """JSON's keys, text, numbers and keywords in colour, in shades for the application's palette (light or dark);
    ``set_dark`` changes them, as ``JsonText`` does when its palette changes."""

    def __init__(self, document: QTextDocument, dark: bool | None = None) -> None:
        super().__init__(document)
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = []
        self.dark = False
        self.set_dark(is_dark(QGuiApplication.palette()) if dark is None else dark)

    def set_dark(self, dark: bool) -> None:
        if self._rules and dark == self.dark:
            return
        self.dark = dark
        colors = DARK_COLORS if dark else LIGHT_COLORS
        bold = (True, False, False, True)
        self._rules = [
            (pattern, _format(color, weight)) for pattern, color, weight in zip(_PATTERNS, colors, bold, strict=True)
        ]
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                self.setFormat(match.start(group), match.end(group) - match.start(group), fmt)


def _count(value: dict[str, Any] | list[Any]) -> str:
    n = len(value)
    if isinstance(value, dict):
        return f"{{{n} key{'s' if n != 1 else ''}}}"
    return f"[{n} item{'s' if n != 1 else ''}]"


class JsonText(QPlainTextEdit):
    """Read-only JSON, indented and highlighted. ``name`` is what a screen reader calls it ("Payload", "Schema")."""

    def __init__(self, parent: QWidget | None = None, name: str = "JSON text") -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setReadOnly(True)
        self.setFont(QFont("monospace"))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._highlighter = JsonHighlighter(self.document(), is_dark(self.palette()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the system went dark or light: shades that read on it
            self._highlighter.set_dark(is_dark(self.palette()))

    def show_value(self, value: Any) -> None:
        self.setPlainText(json.dumps(value, indent=2, ensure_ascii=False) if value is not None else "")


class JsonTree(QTreeView):
    """A collapsible tree of the payload: key, value, type.

    Each node's right-click menu (also the Menu key and Shift+F10) copies its value or its JMESPath path, or asks
    for a filter on its value: ``filterRequested`` carries the JMESPath condition (``payload.status == 'paid'``).
    Ctrl+C copies the current node's value while the tree has the focus.
    """

    filterRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, root: str = "payload") -> None:
        super().__init__(parent)
        self.root = root
        self._nodes: list[tuple[tuple[PathPart, ...], Any]] = []
        self.setAccessibleName("Payload tree")
        self.setAccessibleDescription(
            "The payload's keys and values. The Menu key or Shift+F10 opens the actions on the selected key: "
            "Copy value (Ctrl+C), Copy path and Filter by this value."
        )

        self.copy_value_action = QAction("Copy value", self)
        self.copy_value_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_value_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # Ctrl+C: see event()
        self.copy_value_action.triggered.connect(self.copy_value)
        self.copy_path_action = QAction("Copy path", self)
        self.copy_path_action.triggered.connect(self.copy_path)
        self.filter_action = QAction("Filter by this value", self)
        self.filter_action.triggered.connect(self.filter_by_value)
        self.menu = QMenu(self)
        self.menu.setAccessibleName("Payload tree actions")
        for action in (self.copy_value_action, self.copy_path_action, self.filter_action):
            self.menu.addAction(action)
        self.menu.installEventFilter(self)  # Ctrl+C with the menu open: see eventFilter()
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(["Key", "Value", "Type"])
        self.setModel(self.tree_model)
        self.setUniformRowHeights(True)
        self._update_actions()

    # ----- content ----------------------------------------------------------------------------------------
    def show_value(self, value: Any) -> None:
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        self._nodes = []
        if value is not None:
            budget = [MAX_TREE_NODES]
            root = self.tree_model.invisibleRootItem()
            if isinstance(value, dict | list):
                self._fill(root, (), value, budget)
            self.expandToDepth(1)
            self.resizeColumnToContents(0)
        self._update_actions()

    def _fill(
        self, parent: QStandardItem, path: tuple[PathPart, ...], value: dict[str, Any] | list[Any], budget: list[int]
    ) -> None:
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in pairs:
            if budget[0] <= 0:
                parent.appendRow([_item("…"), _item("(more not shown)"), _item("")])
                return
            budget[0] -= 1
            key_item = _item(f"[{key}]" if isinstance(key, int) else str(key))
            child_path = (*path, key if isinstance(key, int) else str(key))
            if isinstance(child, dict | list):
                row = [key_item, _item(_count(child)), _item("object" if isinstance(child, dict) else "array")]
            else:
                row = [key_item, _item(json.dumps(child, ensure_ascii=False)), _item(json_kind(child))]
            for item in row:
                item.setData(len(self._nodes), NODE_ROLE)
            self._nodes.append((child_path, child))
            parent.appendRow(row)
            if isinstance(child, dict | list):
                self._fill(key_item, child_path, child, budget)

    # ----- the current node and its actions ---------------------------------------------------------------
    def node_at(self, index: QModelIndex | QPersistentModelIndex) -> tuple[tuple[PathPart, ...], Any] | None:
        """The path and value of the node at ``index`` (any column); None for none or the "more not shown" row."""
        number = index.data(NODE_ROLE) if index.isValid() else None
        return self._nodes[number] if isinstance(number, int) and 0 <= number < len(self._nodes) else None

    def current_node(self) -> tuple[tuple[PathPart, ...], Any] | None:
        return self.node_at(self.currentIndex())

    def current_path(self) -> str | None:
        """The current node's JMESPath path (``payload.items[0].sku``), or None."""
        node = self.current_node()
        return None if node is None else jmespath_path(node[0], self.root)

    def current_filter(self) -> str | None:
        """The JMESPath condition that matches the current node's value, or None."""
        node = self.current_node()
        return None if node is None else filter_expression(node[0], node[1], self.root)

    def copy_value(self) -> None:
        node = self.current_node()
        if node is not None:
            QGuiApplication.clipboard().setText(value_text(node[1]))

    def copy_path(self) -> None:
        path = self.current_path()
        if path is not None:
            QGuiApplication.clipboard().setText(path)

    def filter_by_value(self) -> None:
        expression = self.current_filter()
        if expression is not None:
            self.filterRequested.emit(expression)

    def open_menu(self) -> None:
        """Open the actions' menu under the current node (by keyboard), or at the top of the tree."""
        index = self.currentIndex()
        rect = self.visualRect(index) if index.isValid() else None
        where = QPoint(rect.left(), rect.bottom()) if rect is not None and rect.isValid() else QPoint(0, 0)
        self._popup(self.viewport().mapToGlobal(where))

    def _popup(self, global_pos: QPoint) -> None:
        self._update_actions()
        self.menu.popup(global_pos)  # not exec(): a nested event loop would stall the asyncio loop the tails run on

    def _update_actions(self) -> None:
        node = self.current_node()
        self.copy_value_action.setEnabled(node is not None)
        self.copy_path_action.setEnabled(node is not None)
        expression = None if node is None else filter_expression(node[0], node[1], self.root)
        self.filter_action.setEnabled(expression is not None)
        if node is not None and expression is None:
            self.filter_action.setStatusTip("No filter can match this value (NaN or infinity).")
        else:
            self.filter_action.setStatusTip(expression or "")

    # ----- QWidget ----------------------------------------------------------------------------------------
    def currentChanged(
        self, current: QModelIndex | QPersistentModelIndex, previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().currentChanged(current, previous)
        self._update_actions()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self.open_menu()
            return
        index = self.indexAt(event.pos())  # a mouse's menu event comes through the viewport, in its coordinates
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        self._popup(event.globalPos())

    def event(self, event: QEvent) -> bool:
        # Keys the tree uses itself win over a shortcut of the window or the tab (the table's Ctrl+C copies the
        # whole payload; here it copies the node's value), as a text field keeps Ctrl+C for its selection.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._own_key(event):
            event.accept()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # With the menu open, Ctrl+C is its Copy value, not a shortcut of the tab (the menu is the tree's child).
        if watched is self.menu and isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Copy):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.menu.hide()
                self.copy_value()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_value()
            event.accept()
        elif self._menu_key(event):
            self.open_menu()
            event.accept()
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _menu_key(event: QKeyEvent) -> bool:
        key, modifiers = event.key(), event.modifiers()
        plain = modifiers & ~Qt.KeyboardModifier.KeypadModifier
        return (key == Qt.Key.Key_Menu and plain == Qt.KeyboardModifier.NoModifier) or (
            key == Qt.Key.Key_F10 and plain == Qt.KeyboardModifier.ShiftModifier
        )

    def _own_key(self, event: QKeyEvent) -> bool:
        return self._menu_key(event) or (
            event.matches(QKeySequence.StandardKey.Copy) and self.current_node() is not None
        )


def _item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item

"""Showing a JSON payload: indented, highlighted text, and a collapsible tree."""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit, QTreeView, QWidget

from inspector.core.validation import json_kind

MAX_TREE_NODES = 5000


def _item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


def _format(color: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    _rules = (
        (re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)'), _format("#1f5fa8", bold=True)),  # keys
        (re.compile(r':\s*("(?:[^"\\]|\\.)*")'), _format("#2b7a2b")),  # string values
        (re.compile(r"\b-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"), _format("#a0522d")),
        (re.compile(r"\b(?:true|false|null)\b"), _format("#8b2f8b", bold=True)),
    )

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
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(QFont("monospace"))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._highlighter = JsonHighlighter(self.document())

    def show_value(self, value: Any) -> None:
        self.setPlainText(json.dumps(value, indent=2, ensure_ascii=False) if value is not None else "")


class JsonTree(QTreeView):
    """A collapsible tree of the payload: key, value, type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(["Key", "Value", "Type"])
        self.setModel(self.tree_model)
        self.setUniformRowHeights(True)

    def show_value(self, value: Any) -> None:
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        if value is None:
            return
        budget = [MAX_TREE_NODES]
        root = self.tree_model.invisibleRootItem()
        if isinstance(value, dict | list):
            self._fill(root, value, budget)
        self.expandToDepth(1)
        self.resizeColumnToContents(0)

    def _fill(self, parent: QStandardItem, value: dict[str, Any] | list[Any], budget: list[int]) -> None:
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in pairs:
            if budget[0] <= 0:
                parent.appendRow([_item("…"), _item("(more not shown)"), _item("")])
                return
            budget[0] -= 1
            key_item = _item(f"[{key}]" if isinstance(key, int) else str(key))
            if isinstance(child, dict | list):
                summary = _count(child)
                row = [key_item, _item(summary), _item("object" if isinstance(child, dict) else "array")]
                parent.appendRow(row)
                self._fill(key_item, child, budget)
            else:
                text = json.dumps(child, ensure_ascii=False)
                kind = json_kind(child)
                parent.appendRow([key_item, _item(text), _item(kind)])

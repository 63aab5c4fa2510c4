"""Two messages side by side, with the payload keys added, removed and changed listed between them."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.core.diff import Change, diff_payloads
from inspector.core.rows import Row
from inspector.ui.json_view import JsonText
from inspector.ui.topic.model import format_utc
from inspector.ui.widgets import elide_middle, plain_label, plain_tooltip

_COLORS = {"added": "#2e7d32", "removed": "#c62828", "changed": "#9a6700"}


class DiffDialog(QDialog):
    def __init__(self, left: Row, right: Row, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare two messages")
        self.resize(1000, 600)
        self.changes: list[Change] = diff_payloads(left.payload, right.payload)
        self.summary = plain_label(self._summary())
        self.list = QListWidget()
        for change in self.changes:
            item = QListWidgetItem(change.describe())
            item.setForeground(QColor(_COLORS.get(change.kind, "#000000")))
            self.list.addItem(item)
        panes = QSplitter(Qt.Orientation.Horizontal)
        for row in (left, right):
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            header = plain_label(f"{elide_middle(row.message_id)} · {format_utc(row.timestamp)}")
            header.setToolTip(plain_tooltip(row.message_id))
            layout.addWidget(header)
            text = JsonText()
            text.setPlainText(json.dumps(row.payload, indent=2, ensure_ascii=False))
            layout.addWidget(text)
            panes.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(panes, 3)
        layout.addWidget(buttons)

    def _summary(self) -> str:
        if not self.changes:
            return "The payloads are the same."
        counts = {kind: sum(c.kind == kind for c in self.changes) for kind in ("added", "removed", "changed")}
        parts = [f"{n} {kind}" for kind, n in counts.items() if n]
        return "From the left to the right: " + ", ".join(parts)

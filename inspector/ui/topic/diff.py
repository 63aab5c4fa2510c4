"""Two messages side by side, with the payload keys added, removed and changed listed between them and tinted in
both panes: changed in both, added in the right one, removed in the left one.

The tints are translucent, laid over the pane's own background: they read in light and dark palettes alike, and
the text keeps the palette's colour. The words in the list say the same as the colours (the colour is never the
only sign). The payloads stay plain text: a server's text is data.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.core.diff import Change, ChangeKind, diff_payloads
from inspector.core.diff import _key_path as key_path  # the diff's own spelling of a key's path
from inspector.core.rows import Row
from inspector.ui.json_view import JsonText
from inspector.ui.topic.model import format_utc
from inspector.ui.widgets import elide_middle, plain_label, plain_tooltip

# Amber, green and red at about a quarter of their strength over the pane's background: on white, black and
# grey-black alike, the text and the highlighter's shades keep a contrast of 4.5 or more (tests/gui/test_compare.py).
TINTS: dict[ChangeKind, QColor] = {
    "changed": QColor(240, 160, 0, 64),
    "added": QColor(46, 160, 67, 72),
    "removed": QColor(229, 57, 53, 64),
}
LEGEND: dict[ChangeKind, tuple[str, str]] = {  # the words, and the tint's name for a screen reader
    "changed": ("Changed", "amber"),
    "added": ("Added (only in the right)", "green"),
    "removed": ("Removed (only in the left)", "red"),
}

Spans = dict[str, tuple[int, int]]


def json_lines(value: Any) -> tuple[str, Spans]:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, and for each path in it (spelled as ``diff_payloads``
    spells it: ``""`` for the whole value, ``customer.email``, ``lines[0]``, ``["first name"]``) the first and last
    line of its value, counted from 0. Built with its own stack: deep nesting does not raise RecursionError."""
    lines: list[str] = []
    spans: Spans = {}
    # A task is ("value", path, prefix, value, depth, comma) or ("close", path, first line, closing text).
    tasks: list[tuple[Any, ...]] = [("value", "", "", value, 0, "")]
    while tasks:
        task = tasks.pop()
        if task[0] == "close":
            _, path, first, closing = task
            lines.append(closing)
            spans[path] = (first, len(lines) - 1)
            continue
        _, path, prefix, item, depth, comma = task
        if not isinstance(item, dict | list) or not item:
            spans[path] = (len(lines), len(lines))
            lines.append(f"{prefix}{json.dumps(item, ensure_ascii=False)}{comma}")
            continue
        is_object = isinstance(item, dict)
        spans_from = len(lines)
        lines.append(prefix + ("{" if is_object else "["))
        inner = "  " * (depth + 1)
        tasks.append(("close", path, spans_from, "  " * depth + ("}" if is_object else "]") + comma))
        pairs = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
        last = len(pairs) - 1
        for n, (key, child) in reversed(list(enumerate(pairs))):
            if is_object:
                child_path = key_path(path, key)
                child_prefix = f"{inner}{json.dumps(str(key), ensure_ascii=False)}: "
            else:
                child_path, child_prefix = f"{path}[{key}]", inner
            tasks.append(("value", child_path, child_prefix, child, depth + 1, "" if n == last else ","))
    return "\n".join(lines), spans


def composite(tint: QColor, under: QColor) -> QColor:
    """The colour a translucent ``tint`` shows over an opaque ``under``."""
    alpha = tint.alphaF()
    return QColor.fromRgbF(
        tint.redF() * alpha + under.redF() * (1 - alpha),
        tint.greenF() * alpha + under.greenF() * (1 - alpha),
        tint.blueF() * alpha + under.blueF() * (1 - alpha),
    )


class DiffDialog(QDialog):
    def __init__(self, left: Row, right: Row, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare two messages")
        self.setAccessibleName("Compare two messages")
        self.resize(1000, 600)
        self.changes: list[Change] = diff_payloads(left.payload, right.payload)
        self.summary = plain_label(self._summary())
        self.summary.setAccessibleName(self.summary.text())

        legend = QHBoxLayout()
        legend.addWidget(plain_label("Colours:"))
        self.legend: dict[ChangeKind, QLabel] = {}
        for kind, (words, colour) in LEGEND.items():
            swatch = plain_label(words)
            swatch.setAccessibleName(f"{words}: tinted {colour}")
            swatch.setContentsMargins(6, 1, 6, 1)
            swatch.setAutoFillBackground(True)
            palette = swatch.palette()
            palette.setColor(QPalette.ColorRole.Window, TINTS[kind])
            swatch.setPalette(palette)
            self.legend[kind] = swatch
            legend.addWidget(swatch)
        legend.addStretch(1)

        self.list = QListWidget()
        self.list.setAccessibleName("Differences")
        self.list.setAccessibleDescription(
            "Each changed, added or removed key; choosing one shows it in both payloads."
        )
        for change in self.changes:
            item = QListWidgetItem(change.describe())
            item.setBackground(TINTS[change.kind])
            item.setToolTip(plain_tooltip(change.describe()))
            self.list.addItem(item)

        self.panes: list[JsonText] = []
        self.spans: list[Spans] = []
        panes = QSplitter(Qt.Orientation.Horizontal)
        for side, row in (("Left", left), ("Right", right)):
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            header = plain_label(f"{side}: {elide_middle(row.message_id)} · {format_utc(row.timestamp)}")
            header.setToolTip(plain_tooltip(row.message_id))
            layout.addWidget(header)
            text = JsonText(name=f"{side} payload")
            text.setAccessibleDescription(f"The payload of message {row.message_id}, sent {format_utc(row.timestamp)}")
            shown, spans = json_lines(row.payload)
            text.setPlainText(shown)
            layout.addWidget(text)
            panes.addWidget(box)
            self.panes.append(text)
            self.spans.append(spans)
        self._tint_panes()
        self.list.currentRowChanged.connect(self.show_change)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(legend)
        layout.addWidget(self.list, 1)
        layout.addWidget(panes, 3)
        layout.addWidget(buttons)

    def line_tint(self, pane: int, line: int) -> QColor | None:
        """The tint of a line (from 0) of the left (0) or right (1) pane, or None."""
        fmt = self.panes[pane].document().findBlockByNumber(line).blockFormat()
        return fmt.background().color() if fmt.background().style() != Qt.BrushStyle.NoBrush else None

    def show_change(self, number: int) -> None:
        """Bring the lines of change ``number`` (from 0) into view in each pane that has them."""
        if not 0 <= number < len(self.changes):
            return
        path = self.changes[number].path
        for text, spans in zip(self.panes, self.spans, strict=True):
            if path in spans:
                cursor = QTextCursor(text.document().findBlockByNumber(spans[path][0]))
                text.setTextCursor(cursor)
                text.centerCursor()

    def _tint_panes(self) -> None:
        # Changed keys are tinted in both panes, removed ones in the left (where they are), added ones in the right.
        for pane, (text, spans) in enumerate(zip(self.panes, self.spans, strict=True)):
            document = text.document()
            document.setUndoRedoEnabled(False)
            cursor = QTextCursor(document)
            for change in self.changes:
                if (change.kind == "removed" and pane == 1) or (change.kind == "added" and pane == 0):
                    continue
                if change.path not in spans:
                    continue
                first, last = spans[change.path]
                cursor.setPosition(document.findBlockByNumber(first).position())
                cursor.setPosition(document.findBlockByNumber(last).position(), QTextCursor.MoveMode.KeepAnchor)
                fmt = QTextBlockFormat()
                fmt.setBackground(TINTS[change.kind])
                cursor.mergeBlockFormat(fmt)

    def _summary(self) -> str:
        if not self.changes:
            return "The payloads are the same."
        counts = {kind: sum(c.kind == kind for c in self.changes) for kind in ("added", "removed", "changed")}
        parts = [f"{n} {kind}" for kind, n in counts.items() if n]
        return "From the left to the right: " + ", ".join(parts)

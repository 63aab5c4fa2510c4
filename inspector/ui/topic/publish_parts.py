"""Parts of the publish panel: the results table's model, a status line that never squashes, the words it uses.

Human words count from 1: the model keeps each result's 0-based ``index`` (the CLI's JSON and the history keep
it so) and shows ``index + 1`` as "item N".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.drafts import HistoryEntry
from inspector.core.errors import ValidationError
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import Delivery, ItemResult, Outcome
from inspector.core.validation import counted as count_words
from inspector.ui.status import ERROR_TEXT, SUCCESS_TEXT, WARNING_TEXT, palette_is_dark, tone
from inspector.ui.widgets import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
_OUTCOME_WORDS = {
    Outcome.SUCCESS: "success",
    Outcome.FAILED: "failed",
    Outcome.UNKNOWN: "unknown — may have been published",
}
_OUTCOME_COLORS = {Outcome.SUCCESS: SUCCESS_TEXT, Outcome.FAILED: ERROR_TEXT, Outcome.UNKNOWN: WARNING_TEXT}


def with_hint(message: str, hint: str) -> str:
    """A refusal with how to fix it."""
    return f"{message} — {hint}" if hint else message


def describe_text(text: str) -> str:
    """What a text to publish holds, in words: "1 message", "3 messages" (or "the new text")."""
    try:
        return count_words(len(parse_publish_input(text).items), "message")
    except ValidationError:
        return "the new text"


def history_line(entry: HistoryEntry) -> str:
    """A history entry as the list shows it: when, what form, how many items (or "retry of N items"), outcome."""
    what = f"retry of {count_words(entry.retry_of, 'item')}" if entry.retry_of else count_words(entry.items, "item")
    return f"{local_moment(entry)} · {entry.form} · {what} · {entry.summary}"


def local_moment(entry: HistoryEntry) -> str:
    """When a history entry was published, in local time."""
    return datetime.fromisoformat(entry.time).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def panel_action(panel: QWidget, text: str, slot: Callable[[], object], tip: str, *keys: str) -> QAction:
    """An action of ``panel``: its shortcut works wherever focus is in the panel, and menus show it."""
    action = QAction(text, panel)
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setShortcutVisibleInContextMenu(True)
    shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    panel.addAction(action)
    return action


def action_button(action: QAction) -> QToolButton:
    """A button that repeats ``action``: its words (also its accessible name), tooltip and enabled state."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAccessibleName(button.text())
    return button


class ResultsModel(QAbstractTableModel):
    """One row per input item: its number (from 1), the outcome, and the message id or the server's error."""

    HEADERS = ("Item", "Result", "Message ID / error")

    def __init__(self) -> None:
        super().__init__()
        self.results: list[ItemResult] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result = self.results[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return result.index + 1
            if column == 1:
                return _OUTCOME_WORDS[result.outcome]
            if column == 2:
                return result.message_id or "" if result.ok else self.reason(result)
        elif role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QColor(tone(_OUTCOME_COLORS[result.outcome]))  # for the scheme shown (the view repaints)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == 2 and result.ok:
                return f"Item {result.index + 1}: double-click to show this message in the live table"
            if column == 2:
                return plain_tooltip(f"Item {result.index + 1}: {self.reason(result)}")  # the server's words
            return f"Item {result.index + 1}: {_OUTCOME_WORDS[result.outcome]}"
        return None

    @staticmethod
    def reason(result: ItemResult) -> str:
        # "unknown — may have been published" is the Result column's: the reason alone here
        text = result.error if result.delivery is Delivery.MAYBE else result.error_words
        return text or ""

    def set_results(self, results: list[ItemResult]) -> None:
        self.beginResetModel()
        self.results = sorted(results, key=lambda r: r.index)
        self.endResetModel()

    def merge(self, results: list[ItemResult]) -> None:
        """Replace the rows of the items in ``results`` (a retry), keeping the others."""
        fresh = {r.index: r for r in results}
        kept = [fresh.pop(r.index, r) for r in self.results]
        if kept:
            self.results = kept
            self.dataChanged.emit(self.index(0, 0), self.index(len(kept) - 1, 2))
        if fresh:  # items the table did not hold: new rows at the end
            self.beginInsertRows(QModelIndex(), len(kept), len(kept) + len(fresh) - 1)
            self.results = kept + sorted(fresh.values(), key=lambda r: r.index)
            self.endInsertRows()


class ResultsTabs(QTabWidget):
    """The Results tab (a summary line, the panel's buttons for failed items, a row per item) and the History tab."""

    def __init__(self, *buttons: QWidget) -> None:
        super().__init__()
        self.results = ResultsModel()
        self.results_view = QTableView()
        self.results_view.setAccessibleName("Publish results")
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setTabKeyNavigation(False)  # Tab leaves the table
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.results_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.results_view.setMinimumHeight(3 * self.results_view.verticalHeader().defaultSectionSize())
        self.summary_label = StatusLabel()
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        for button in buttons:
            summary_row.addWidget(button)
        results_box = QWidget()
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addLayout(summary_row)
        results_layout.addWidget(self.results_view, 1)
        self.history = QListWidget()
        self.history.setAccessibleName("Publish history")
        self.history.setToolTip("Double-click or press Enter to load a past publish into the editor with its results")
        self.addTab(results_box, "Results")
        self.addTab(self.history, "History")

    def fill_history(self, entries: list[HistoryEntry]) -> None:
        self.history.clear()
        for entry in entries:
            item = QListWidgetItem(history_line(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.history.addItem(item)


class StatusLabel(QLabel):
    """Plain text on at most ``lines`` lines, wrapped at words; what does not fit ends in "…", with the whole
    text in the tooltip and in ``text()`` (a screen reader reads all of it). Its height is always ``lines``
    lines, so a longer message never pushes the editor, and it never narrows to a word per line."""

    def __init__(self, lines: int = 1, *, min_chars: int = 16) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.lines = lines
        self.min_chars = min_chars
        self.error = False
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy text", self)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self.text()))
        self.addAction(copy)
        self._fit_height()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tooltip()
        self.updateGeometry()
        self.update()

    def set_error(self, error: bool) -> None:
        if error != self.error:
            self.error = error
            self.update()

    def _fit_height(self) -> None:
        margins = self.contentsMargins()
        self.setFixedHeight(self.lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:
        widest = max((self.fontMetrics().horizontalAdvance(p) for p in self.text().split("\n")), default=0)
        margins = self.contentsMargins()
        return QSize(max(widest + 2, self.minimumSizeHint().width()) + margins.left() + margins.right(), self.height())

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().averageCharWidth() * self.min_chars + margins.left() + margins.right()
        return QSize(width, self.height())

    def shown_lines(self) -> list[str]:
        """The lines drawn at the current width (the last one elided when the text does not fit)."""
        return self.lines_for(self.contentsRect().width())

    def lines_for(self, width: int) -> list[str]:
        text = self.text()
        if not text or width <= 0:
            return []
        shown: list[str] = []
        paragraphs = text.split("\n")
        for number, paragraph in enumerate(paragraphs):
            spans = _wrap(paragraph, self, width)
            for start, length in spans:
                if len(shown) == self.lines - 1:  # the last line: all that is left, elided when it does not fit
                    rest = " ".join([paragraph[start:], *paragraphs[number + 1 :]]).strip()
                    shown.append(self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, width))
                    return shown
                shown.append(paragraph[start : start + length].rstrip())
        return shown

    def is_elided(self) -> bool:
        return " ".join(self.shown_lines()) != " ".join(p.strip() for p in self.text().split("\n"))

    def _update_tooltip(self) -> None:
        self.setToolTip(plain_tooltip(self.text()) if self.text() and self.is_elided() else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()

    def text_color(self) -> QColor:
        """The colour of its words: the palette's, or an error's red (a lighter red on a dark palette)."""
        palette = self.palette()
        if self.error:
            return QColor(tone(ERROR_TEXT, palette_is_dark(palette)))
        return palette.color(self.foregroundRole())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        painter.setPen(self.text_color())
        metrics = self.fontMetrics()
        y = rect.top() + metrics.ascent()
        for line in self.shown_lines():
            painter.drawText(rect.left(), y, line)
            y += metrics.lineSpacing()
        painter.end()


def _wrap(paragraph: str, widget: QWidget, width: int) -> list[tuple[int, int]]:
    """Where ``paragraph`` breaks into lines of ``width`` pixels in the widget's font: (start, length) each."""
    if not paragraph:
        return [(0, 0)]
    layout = QTextLayout(paragraph, widget.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    return spans

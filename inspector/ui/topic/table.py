"""The topic tab's message table: Tab leaves it, a "N new ↓" button floats over it while the user reads older
rows, scrolling above its first row asks for older messages (from the archive), and a text filter's matches are
marked in the cells that show them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from inspector.ui.topic.model import COL_NUMBER, COL_SIZE

Spans = Callable[[str], list[tuple[int, int]]]
NEW_MARGIN = 8  # the "N new ↓" button's distance from the table's lower right corner
_UP_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Home)


class MatchDelegate(QStyledItemDelegate):
    """Paints a cell as usual, then marks the parts ``spans`` finds in its text (a text filter's matches).

    Set on a column only while a text filter is on: with none, the table paints without a Python call per cell.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spans: Spans | None = None

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        text = index.data()
        if self.spans is None or not isinstance(text, str):
            return
        found = self.spans(text)
        if not found:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        area = area.adjusted(margin, 0, -margin, 0)
        metrics = opt.fontMetrics
        shown = metrics.elidedText(text, opt.textElideMode, area.width())
        kept = len(text) if shown == text else max(len(shown) - 1, 0)  # the characters before the "…"
        dark = opt.palette.base().color().lightness() < 128
        painter.save()
        painter.setClipRect(area)
        if dark:
            colour = QColor(255, 193, 7, 110)
        else:  # multiplied: the text stays as dark as it was, on yellow
            colour = QColor(255, 224, 102)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        for start, end in found:
            if start >= kept:
                break
            left = area.left() + metrics.horizontalAdvance(text[:start])
            width = metrics.horizontalAdvance(text[start : min(end, kept)])
            painter.fillRect(QRectF(left, area.top() + 1, width, area.height() - 2), colour)
        painter.restore()


class MessageTable(QTableView):
    """Rows of messages, whole rows selected; Tab moves on to the next control instead of the next cell.

    ``olderWanted`` says the user scrolled (wheel, scroll bar, Up, Page Up, Home) to the top and on.
    """

    olderWanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setAccessibleName("Messages")
        self.new_button = QPushButton("", self)
        self.new_button.setAccessibleName("New messages below")
        self.new_button.setToolTip("Show the latest message and follow new ones")
        self.new_button.setAccessibleDescription("Scrolls to the latest message and follows new ones")
        self.new_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.new_button.hide()
        self.match_delegate = MatchDelegate(self)
        self.verticalScrollBar().actionTriggered.connect(self._scroll_action)

    # ----- above the first row: older messages ------------------------------------------------------------------
    def _has_rows(self) -> bool:
        return self.model() is not None and self.model().rowCount() > 0

    def _at_top(self) -> bool:
        return self.verticalScrollBar().value() <= 0 and self._has_rows()

    def _scroll_action(self, _action: int) -> None:
        bar = self.verticalScrollBar()  # its new position; its value follows after this signal
        if bar.sliderPosition() <= bar.minimum() and self._has_rows():
            self.olderWanted.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        top = self._at_top()
        super().wheelEvent(event)
        if top and event.angleDelta().y() > 0:
            self.olderWanted.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        top = self.currentIndex().row() <= 0 and self._at_top()
        super().keyPressEvent(event)
        if top and event.key() in _UP_KEYS:
            self.olderWanted.emit()

    def keep_place(self, value: int, added: int, *, follow: bool = False) -> None:
        """``added`` rows went in above: the rows on screen stay where they were (the scroll bar was at
        ``value``); ``follow``: the latest row stays in view."""
        self.updateGeometries()  # the scroll bar's new range now, not at the next layout
        if follow:
            self.scrollToBottom()
            return
        step = (
            added
            if self.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem
            else added * (self.verticalHeader().defaultSectionSize())
        )
        self.verticalScrollBar().setValue(value + step)

    def set_columns(self, widths: dict[int, int]) -> None:
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in widths.items():
            self.setColumnWidth(column, width)

    # ----- "N new ↓" -------------------------------------------------------------------------------------------
    def show_new(self, count: int) -> None:
        """Show how many rows arrived below while the user reads older ones (0 hides the button)."""
        if count <= 0:
            self.new_button.hide()
            return
        text = f"{count:,} new ↓"
        if self.new_button.text() != text:
            self.new_button.setText(text)
            self.new_button.setAccessibleName(text)
            self.new_button.adjustSize()
            self._place_new_button()
        if self.new_button.isHidden():
            self._place_new_button()
            self.new_button.show()
            self.new_button.raise_()

    def _place_new_button(self) -> None:
        port = self.viewport().geometry()
        size = self.new_button.sizeHint()
        self.new_button.resize(size)
        self.new_button.move(port.right() - size.width() - NEW_MARGIN, port.bottom() - size.height() - NEW_MARGIN)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.new_button.isHidden():
            self._place_new_button()

    # ----- text filter marks -----------------------------------------------------------------------------------
    def mark_matches(self, spans: Spans | None, columns: tuple[int, ...]) -> None:
        """Mark ``spans`` in ``columns`` (None: mark nothing, and paint the plain way)."""
        self.match_delegate.spans = spans
        for column in columns:
            if column in (COL_NUMBER, COL_SIZE):
                continue
            self.setItemDelegateForColumn(column, self.match_delegate if spans is not None else None)  # type: ignore[arg-type]
        self.viewport().update()

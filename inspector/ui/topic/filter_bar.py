"""The topic tab's filter: its mode, its text and the count of matches, matched over the table in slices so the
window never freezes, and a text filter's matches marked in the table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit

from inspector.core.errors import InspectorError
from inspector.core.filtering import RowFilter, TextFilter, make_filter
from inspector.core.rows import Row
from inspector.ui.tasks import Tasks
from inspector.ui.topic.model import COL_ID, COL_PREVIEW, MessageTableModel
from inspector.ui.topic.table import MessageTable
from inspector.ui.widgets import counter_label, plain_label, plain_tooltip, set_text

FILTER_SLICE_SECS = 0.03
PLACEHOLDERS = {
    "text": "Text in the payload or the message id, e.g. Jane (lowercase ignores case)",
    "jmespath": "A JMESPath expression, e.g. payload.Name == 'Jane' && payload.total > `100`",
}


def plural(count: int, word: str) -> str:
    """``1 message``, ``2 messages``, ``1,000 messages``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class FilterBar(QObject):
    """The filter's controls (``row()`` lays them out; ``error`` goes on a line of its own) and its work.

    ``current`` and ``select`` keep the selected message selected across a change of filter.
    """

    def __init__(
        self,
        model: MessageTableModel,
        table: MessageTable,
        *,
        current: Callable[[], Row | None],
        select: Callable[[str], bool],
    ) -> None:
        super().__init__(table)
        self.model, self.table = model, table
        self._current, self._select = current, select
        self._tasks = Tasks()
        self._task: asyncio.Task[None] | None = None
        self.mode = QComboBox()
        self.mode.setAccessibleName("Filter mode")
        self.mode.addItem("Text", "text")
        self.mode.addItem("JMESPath", "jmespath")
        self.edit = QLineEdit()
        self.edit.setAccessibleName("Filter")
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip("Ctrl+F comes here; Esc clears the filter")
        self.match_label = counter_label("9,999,999 of 9,999,999 match")
        self.error = plain_label(wrap=True)
        self.error.setAccessibleName("Filter problem")
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()
        # The count is redrawn at most 4 times a second: a label that changes width relays the whole row out.
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(250)
        self._label_timer.timeout.connect(self.update_count)
        self._typing = QTimer(self)  # the filter is applied after a pause in the typing
        self._typing.setSingleShot(True)
        self._typing.setInterval(200)
        self._typing.timeout.connect(self.apply)
        self.edit.textChanged.connect(lambda _text: self._typing.start())
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._show_placeholder()
        self.update_count()

    def row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.mode)
        row.addWidget(self.edit, 1)
        row.addWidget(self.match_label)
        return row

    def _show_placeholder(self) -> None:
        self.edit.setPlaceholderText(PLACEHOLDERS.get(str(self.mode.currentData()), PLACEHOLDERS["text"]))

    def _mode_changed(self, _index: int) -> None:
        self._show_placeholder()
        self._typing.start()

    def count_soon(self) -> None:
        """Rows came: the count follows within a quarter of a second."""
        if not self._label_timer.isActive():
            self._label_timer.start()

    def clear(self) -> None:
        """No filter, every message shown."""
        if self.edit.text():
            self.edit.clear()
        self.apply()

    def set_expression(self, expression: str) -> None:
        """Filter with a JMESPath expression, now."""
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData("jmespath"))
        self.mode.blockSignals(False)
        self._show_placeholder()
        self.edit.blockSignals(True)
        self.edit.setText(expression)
        self.edit.blockSignals(False)
        self.apply()

    def apply(self) -> None:
        """Build the filter and match it in slices. One that cannot be read is not applied: every message is
        shown, and the words say why and how to fix it."""
        self._typing.stop()
        if self._task is not None:
            self._task.cancel()
        try:
            predicate = make_filter(str(self.mode.currentData()), self.edit.text())
        except InspectorError as exc:
            hint = f"\nHint: {exc.hint}" if exc.hint else ""
            self.error.setText(f"Filter not applied, all messages are shown. {exc.message}{hint}")
            self.error.setToolTip(plain_tooltip(exc.hint))
            self.error.show()
            self._set(None, None, 0)
            return
        self.error.hide()
        self.error.setText("")
        if predicate is None:
            self._set(None, None, 0)
            return
        self._task = self._tasks.spawn(self._match_in_slices(predicate))

    async def _match_in_slices(self, predicate: RowFilter) -> None:
        rows = list(self.model.all_rows())
        scanned_until = self.model.next_seq()
        matches: list[int] = []
        index, clock = 0, time.perf_counter
        while index < len(rows):
            deadline = clock() + FILTER_SLICE_SECS  # match for a slice of time, then let the window breathe
            while index < len(rows) and clock() < deadline:
                chunk = rows[index : index + 1000]
                matches.extend(predicate.matching(chunk))
                index += len(chunk)
            if index < len(rows):
                self.match_label.setText(f"filtering… {index * 100 // len(rows)}%")
                await asyncio.sleep(0)
        self._set(predicate, matches, scanned_until)

    def _set(self, predicate: RowFilter | None, matches: list[int] | None, scanned_until: int) -> None:
        current = self._current()
        self.model.set_filter(predicate, matches, scanned_until)
        # A text filter's matches are marked where they show; a JMESPath filter's rows are its matches.
        self.table.mark_matches(predicate.spans if isinstance(predicate, TextFilter) else None, (COL_ID, COL_PREVIEW))
        if current is not None:
            self._select(current.message_id)
        self.update_count()

    def done(self) -> bool:
        return self._task is None or self._task.done()

    def update_count(self, *args: object) -> None:
        if self.model.filtered:
            text = f"{self.model.rowCount():,} of {self.model.total:,} match"
        else:
            text = plural(self.model.total, "message")
        set_text(self.match_label, text)

"""The topic tab's filter: its mode, its text, "Schema violations only" and the count of matches, matched over the
table in slices so the window never freezes, and a text filter's matches marked in the table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QToolButton

from inspector.core.errors import InspectorError
from inspector.core.filtering import RowFilter, SchemaFilter, TextFilter, make_filter
from inspector.core.rows import Row
from inspector.core.validation import counted as plural
from inspector.ui.tasks import Tasks
from inspector.ui.topic.model import COL_ID, COL_PREVIEW, MessageTableModel
from inspector.ui.topic.table import MessageTable
from inspector.ui.widgets import counter_label, plain_label, plain_tooltip, set_text

FILTER_SLICE_SECS = 0.03
PLACEHOLDERS = {
    "text": "Text in the payload or the message id, e.g. Jane (lowercase ignores case)",
    "jmespath": "A JMESPath expression, e.g. payload.Name == 'Jane' && payload.total > `100`",
}
SCHEMA_ONLY = "Schema violations only"
SCHEMA_ONLY_TIP = "Show only the messages that do not match the topic's current schema (with the filter's text, if any)"
NO_SCHEMA_TIP = "No schema is known for this topic: there is nothing to check its messages against"
OLDER = "shown (older in the archive)"  # the count when scrolling up loads older messages from the archive


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
        # "Schema violations only": an action (the Message menu lists it) shown as a toggle button in the filter row
        self.schema_action = QAction(SCHEMA_ONLY, self)
        self.schema_action.setCheckable(True)
        self.schema_action.setEnabled(False)  # until the topic's schema is known (``schema_changed``)
        self.schema_action.setToolTip(NO_SCHEMA_TIP)
        self.schema_button = QToolButton()
        self.schema_button.setDefaultAction(self.schema_action)
        self.schema_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.schema_button.setAccessibleName(SCHEMA_ONLY)
        self.schema_button.setAccessibleDescription(NO_SCHEMA_TIP)
        self._schema_only = False  # the filter shown keeps schema violations only
        self._with_filter = False  # ... among the rows a text or JMESPath filter matches
        self._older = False  # the count says older messages are in the archive
        self.match_label = counter_label("9,999,999 of 9,999,999 match")
        self._plain_width = self.match_label.width()
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
        self.schema_action.toggled.connect(lambda _on: self.apply())
        self._show_placeholder()
        self.update_count()

    def row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.mode)
        row.addWidget(self.edit, 1)
        row.addWidget(self.schema_button)
        row.addWidget(self.match_label)
        return row

    def schema_changed(self, known: bool, why: str = "") -> None:
        """The topic's schema changed (``known``: rows can be checked; ``why``: the words when they cannot). A
        "Schema violations only" filter is matched again, or taken off when there is no schema any more."""
        tip = SCHEMA_ONLY_TIP if known else why or NO_SCHEMA_TIP
        self.schema_action.setToolTip(tip)
        self.schema_button.setAccessibleDescription(tip)
        self.schema_action.setEnabled(known)
        if not self.schema_action.isChecked():
            return
        if known:
            self.apply()
        else:
            self.schema_action.setChecked(False)  # toggled: applied without it

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
        """No filter, every message shown (schema violations or not)."""
        if self.edit.text():
            self.edit.clear()
        self.schema_action.blockSignals(True)
        self.schema_action.setChecked(False)
        self.schema_action.blockSignals(False)
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
        fields = self.model.schema
        if self.schema_action.isChecked() and fields is not None:
            predicate = SchemaFilter(fields, predicate)
        if predicate is None:
            self._set(None, None, 0)
            return
        self._task = self._tasks.spawn(self._match_in_slices(predicate))

    async def _match_in_slices(self, predicate: RowFilter) -> None:
        rows = list(self.model.all_rows())
        scanned_from, scanned_until = self.model.first_seq(), self.model.next_seq()
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
        self._set(predicate, matches, scanned_until, scanned_from)

    def _set(
        self,
        predicate: RowFilter | None,
        matches: list[int] | None,
        scanned_until: int,
        scanned_from: int | None = None,
    ) -> None:
        current = self._current()
        self.model.set_filter(predicate, matches, scanned_until, scanned_from)
        self._schema_only = isinstance(predicate, SchemaFilter)
        within = predicate.within if isinstance(predicate, SchemaFilter) else predicate
        self._with_filter = within is not None
        self._size_label()
        # A text filter's matches are marked where they show; a JMESPath filter's rows are its matches.
        self.table.mark_matches(within.spans if isinstance(within, TextFilter) else None, (COL_ID, COL_PREVIEW))
        if current is not None:
            self._select(current.message_id)
        self.update_count()

    def done(self) -> bool:
        return self._task is None or self._task.done()

    def update_count(self, *args: object) -> None:
        if self._older != self.model.older_in_archive:
            self._older = self.model.older_in_archive
            self._size_label()
        if self.model.filtered:
            text = self._count_words(self.model.rowCount(), self.model.total)
        elif self._older:
            text = f"{self.model.total:,} {OLDER}"  # "N shown (older in the archive)"
        else:
            text = plural(self.model.total, "message")
        set_text(self.match_label, text)

    def _count_words(self, shown: int, total: int) -> str:
        """``10 of 30 match``; with schema violations only: ``1 of 30 violates the schema``, ``2 of 30 match and
        violate the schema``."""
        if not self._schema_only:
            return f"{shown:,} of {total:,} match"
        one = shown == 1
        verb = (
            ("matches and violates" if one else "match and violate")
            if self._with_filter
            else ("violates" if one else "violate")
        )
        return f"{shown:,} of {total:,} {verb} the schema"

    def _size_label(self) -> None:
        """The count's label as wide as its widest words in this mode (sized once: see ``counter_label``)."""
        if not self._schema_only:
            width = self._plain_width
            if self._older:
                older = self.match_label.fontMetrics().horizontalAdvance(
                    f"{max(self.model.row_cap * 10, 9_999):,} {OLDER}"
                )
                width = max(width, older + 12)
        else:
            most = max(self.model.row_cap, 9_999)
            widest = self._count_words(most, most)
            width = max(self._plain_width, self.match_label.fontMetrics().horizontalAdvance(widest) + 12)
        if self.match_label.width() != width:
            self.match_label.setFixedWidth(width)

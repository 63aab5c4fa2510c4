"""One open topic: the live table with its toolbar and filter, and the detail of the selected message."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError
from inspector.core.export import export_to_file
from inspector.core.filtering import RowFilter, make_filter
from inspector.core.rows import Row
from inspector.core.timeparse import parse_time
from inspector.core.workspace import TopicEntry
from inspector.ui.json_view import JsonText, JsonTree
from inspector.ui.rate_chart import RateChart
from inspector.ui.status import SessionStatus
from inspector.ui.tasks import Tasks
from inspector.ui.topic.diff import DiffDialog
from inspector.ui.topic.model import (
    COL_NUMBER,
    COL_SIZE,
    MessageRole,
    MessageTableModel,
    format_local,
    format_utc,
    human_size,
)
from inspector.ui.topic.publish import PublishPanel
from inspector.ui.topic.session import TopicSession, parse_window
from inspector.ui.widgets import counter_label, elide_middle, escape_html, plain_label, plain_tooltip, set_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext

FILTER_SLICE_SECS = 0.03
START_CHOICES = (
    ("beginning", "From the start of retention"),
    ("now", "From now"),
    ("since", "Since a date-time"),
    ("after", "After a message id"),
    ("resume", "Resume where it stopped"),
    ("window", "A time window (not live)"),
)


def new_topic_view(ctx: AppContext, profile: Profile, entry: TopicEntry, token: TokenSource | None) -> TopicView:
    """A topic's tab as the window opens it, not started yet: its table, its session and Publish panel on the
    profile's client, and the detail splitter as it was last left."""
    model = MessageTableModel(row_cap=ctx.workspace.row_cap, utc=ctx.workspace.utc_times)
    client = ctx.client(profile, token or "")
    session = TopicSession(client, entry, model, region_label=profile.endpoint().label)
    schema = json.dumps(entry.schema, indent=2) if entry.schema else ""
    publisher = PublishPanel(client, profile.name, entry, ctx.publishing)
    view = TopicView(session, schema_text=schema, publisher=publisher)
    view.setObjectName(f"topic-{profile.name}-{entry.id}")
    sizes = ctx.workspace.splitters.get("detail")
    if sizes:
        view.splitter.setSizes(sizes)
    return view


class TopicView(QWidget):
    """Everything about one topic. Emits ``updateTokenRequested`` when the token was rejected."""

    updateTokenRequested = Signal()
    replayRequested = Signal(object)  # list[Row]
    selectionShown = Signal(str)

    def __init__(self, session: TopicSession, *, schema_text: str = "", publisher: PublishPanel | None = None) -> None:
        super().__init__()
        self.session = session
        self.publisher = publisher
        self._reveal: str | None = None  # a published message to show once it arrives
        self.model = session.model
        # Qt owns them with the view, so the table never outlives its model (or the reverse).
        session.setParent(self)
        self.model.setParent(self)
        self.entry: TopicEntry = session.entry
        self._tasks = Tasks()
        self._filter_task: asyncio.Task[None] | None = None
        self._follow = True

        # toolbar
        self.start_choice = QComboBox()
        for key, label in START_CHOICES:
            self.start_choice.addItem(label, key)
        self.start_choice.setCurrentIndex(max(self.start_choice.findData(self.entry.start), 0))
        self.start_value = QLineEdit(self.entry.start_value)
        self.start_value.setPlaceholderText("2024-05-01T09:00:00Z or a message id")
        self.restart_button = QPushButton("Start")
        self.restart_button.setToolTip("Start reading again from the chosen position")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.clear_button = QPushButton("Clear")
        self.filter_mode = QComboBox()
        self.filter_mode.addItem("Text", "text")
        self.filter_mode.addItem("JMESPath", "jmespath")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: text in the payload (smart case), or payload.Name == 'Jane'")
        self.filter_edit.setClearButtonEnabled(True)
        self.match_label = counter_label("9,999,999 of 9,999,999 match")
        self.filter_error = plain_label()
        self.filter_error.setStyleSheet("color: #c62828")

        top = QHBoxLayout()
        for widget in (self.start_choice, self.start_value, self.restart_button, self.pause_button, self.clear_button):
            top.addWidget(widget)
        top.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_mode)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.match_label)
        filters.addWidget(self.filter_error)

        # status line and notices
        self.status_label = QLabel("")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)  # a coloured dot; the words are escaped
        self.token_button = QPushButton("Update token…")
        self.token_button.hide()
        self.notice = plain_label()
        self.notice.setStyleSheet("color: #9a6700")
        self.notice.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.token_button)

        # the table
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((COL_NUMBER, 70), (1, 150), (2, 230), (COL_SIZE, 80)):
            self.table.setColumnWidth(column, width)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        # the detail
        self.detail_header = QLabel("Select a message to see it here.")
        self.detail_header.setTextFormat(Qt.TextFormat.RichText)  # the id in bold, escaped
        self.detail_header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long id is cut in the middle, and the header takes the room left, never more: it cannot widen the window.
        self.detail_header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.copy_id = QPushButton("Copy id")
        self.copy_payload = QPushButton("Copy payload")
        self.copy_message = QPushButton("Copy message")
        detail_top = QHBoxLayout()
        detail_top.addWidget(self.detail_header, 1)
        for button in (self.copy_id, self.copy_payload, self.copy_message):
            detail_top.addWidget(button)
        self.payload_text = JsonText()
        self.payload_tree = JsonTree()
        self.detail_tabs = QTabWidget()
        payload_split = QSplitter(Qt.Orientation.Horizontal)
        payload_split.addWidget(self.payload_text)
        payload_split.addWidget(self.payload_tree)
        self.detail_tabs.addTab(payload_split, "Payload")
        self.schema_text = JsonText()
        self.schema_text.setPlainText(schema_text or "No schema is known for this topic.")
        self.detail_tabs.addTab(self.schema_text, "Schema")
        self.rate_chart = RateChart(session.rates)
        self.detail_tabs.addTab(self.rate_chart, "Rate")
        if publisher is not None:
            self.detail_tabs.addTab(publisher, "Publish")
            publisher.revealRequested.connect(self.reveal_message)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(detail_top)
        detail_layout.addWidget(self.detail_tabs)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(status_row)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

        # The count is redrawn at most 4 times a second: a label that changes width relays the whole row out.
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(250)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._add_actions()
        self._connect()
        self._start_choice_changed()
        self._update_match_label()

    # ----- wiring -----------------------------------------------------------------------------------------
    def _add_actions(self) -> None:
        def action(text: str, keys: QKeySequence | QKeySequence.StandardKey | str, slot: object) -> None:
            act = QAction(text, self.table)
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.table.addAction(act)

        action("Copy payload", QKeySequence.StandardKey.Copy, self.copy_selected_payload)
        action("Copy message id", "Ctrl+Shift+I", self.copy_selected_id)
        action("Copy whole message", "Ctrl+Shift+C", self.copy_selected_message)
        if self.publisher is not None:
            action("Edit && resend", "Ctrl+E", self.edit_and_resend)
        action("Replay to…", "Ctrl+R", lambda: self.replayRequested.emit(self.rows_for_action()))
        action("Export…", "Ctrl+Shift+S", self.ask_export_path)
        action("Compare two messages", "Ctrl+D", self.compare_selected)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _connect(self) -> None:
        self.session.statusChanged.connect(self.show_status)
        self.restart_button.clicked.connect(self.restart)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.clear_button.clicked.connect(self.clear)
        self.start_choice.currentIndexChanged.connect(self._start_choice_changed)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_mode.currentIndexChanged.connect(lambda _index: self._filter_timer.start())
        self._filter_timer.timeout.connect(self.apply_filter)
        self.token_button.clicked.connect(self.updateTokenRequested)
        self.copy_id.clicked.connect(self.copy_selected_id)
        self.copy_payload.clicked.connect(self.copy_selected_payload)
        self.copy_message.clicked.connect(self.copy_selected_message)
        self.model.rowsAboutToBeInserted.connect(self._before_insert)
        self.model.rowsInserted.connect(self._after_insert)
        self._label_timer.timeout.connect(self._update_match_label)
        self.model.rowsDropped.connect(self._rows_dropped)
        self.model.modelReset.connect(self._update_match_label)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    # ----- start, pause, clear ----------------------------------------------------------------------------
    def _start_choice_changed(self) -> None:
        kind = self.start_choice.currentData()
        self.start_value.setVisible(kind in ("since", "after", "window"))
        self.start_value.setPlaceholderText(
            {
                "since": "2024-05-01T09:00:00Z",
                "window": "2024-05-01T09:00Z .. 2024-05-01T10:00Z",
            }.get(str(kind), "the message id to continue after")
        )

    def restart(self) -> None:
        """Clear the table and read again from the chosen start position."""
        kind = str(self.start_choice.currentData())
        value = self.start_value.text().strip()
        try:
            if kind == "since":
                parse_time(value, where="start time")
            elif kind == "window":
                parse_window(value)
            elif kind == "after" and not value:
                raise InspectorError("give the message id to continue after", hint="copy one from the table")
        except InspectorError as exc:
            self.show_status(SessionStatus("error", exc.describe()))
            return
        self.entry.start, self.entry.start_value = kind, value
        self.pause_button.setChecked(False)
        self.model.clear()
        self.session.start()

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused:
            self.session.pause()
        else:
            self.session.resume()

    def clear(self) -> None:
        self.model.clear()
        self.notice.hide()
        self._show_row(None)

    # ----- status -----------------------------------------------------------------------------------------
    def show_status(self, status: SessionStatus) -> None:
        set_text(self.status_label, status.rich_text())
        self.token_button.setVisible(status.problem == "auth")

    # ----- auto-scroll and a steady view ---------------------------------------------------------------------
    def _before_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        bar = self.table.verticalScrollBar()
        self._follow = bar.value() >= bar.maximum() - 2

    def _after_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        if self._reveal is not None and self.select_message(self._reveal):
            self._reveal = None
            self._follow = False  # the revealed message stays in view
        if self._follow:
            self.table.scrollToBottom()
        if not self._label_timer.isActive():
            self._label_timer.start()

    def _rows_dropped(self, shown: int) -> None:
        bar = self.table.verticalScrollBar()
        if shown and bar.value() < bar.maximum() - 2:
            bar.setValue(max(bar.value() - shown, 0))  # keep the rows under the pointer where they are
        self.notice.setText(
            f"The row limit ({self.model.row_cap:,}) is reached: {self.model.dropped_total:,} oldest messages were "
            "dropped from the table. Raise it under View → Row limit."
        )
        self.notice.show()

    # ----- filter -----------------------------------------------------------------------------------------
    def apply_filter(self) -> None:
        """Build the filter; match it over the table in slices so the window never freezes."""
        if self._filter_task is not None:
            self._filter_task.cancel()
        try:
            predicate = make_filter(str(self.filter_mode.currentData()), self.filter_edit.text())
        except InspectorError as exc:
            self.filter_error.setText(exc.message)
            self.filter_error.setToolTip(plain_tooltip(exc.hint))
            return
        self.filter_error.setText("")
        if predicate is None:
            self._set_filter(None, None, 0)
            return
        self._filter_task = self._tasks.spawn(self._filter_in_slices(predicate))

    async def _filter_in_slices(self, predicate: RowFilter) -> None:
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
        self._set_filter(predicate, matches, scanned_until)

    def _set_filter(self, predicate: RowFilter | None, matches: list[int] | None, scanned_until: int) -> None:
        current = self.current_row()
        self.model.set_filter(predicate, matches, scanned_until)
        if current is not None:
            self.select_message(current.message_id)
        self._update_match_label()

    def filter_done(self) -> bool:
        return self._filter_task is None or self._filter_task.done()

    def _update_match_label(self, *args: object) -> None:
        if self.model.filtered:
            text = f"{self.model.rowCount():,} of {self.model.total:,} match"
        else:
            text = f"{self.model.total:,} messages"
        set_text(self.match_label, text)

    # ----- selection and detail ---------------------------------------------------------------------------
    def current_row(self) -> Row | None:
        index = self.table.currentIndex()
        row = self.model.data(index, MessageRole) if index.isValid() else None
        return row if isinstance(row, Row) else None

    def edit_and_resend(self) -> None:
        """Copy the selected message's payload into the publish editor and show it."""
        row = self.current_row()
        if row is None or self.publisher is None:
            return
        self.publisher.set_text(json.dumps(row.payload, indent=2, ensure_ascii=False))
        self.detail_tabs.setCurrentWidget(self.publisher)

    def reveal_message(self, message_id: str) -> None:
        """Select and scroll to a message; one not received yet is selected when it arrives."""
        if self.select_message(message_id):
            self._reveal = None
            self.table.setFocus()
        else:
            self._reveal = message_id

    def select_message(self, message_id: str) -> bool:
        number = self.model.row_of_message(message_id)
        if number is None:
            return False
        index = self.model.index(number, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        row = self.model.data(current, MessageRole) if current.isValid() else None
        self._show_row(row if isinstance(row, Row) else None)

    def _show_row(self, row: Row | None) -> None:
        if row is None:
            self.detail_header.setText("Select a message to see it here.")
            self.detail_header.setToolTip("")
            self.payload_text.show_value(None)
            self.payload_tree.show_value(None)
            return
        self.detail_header.setText(
            f"<b>{escape_html(elide_middle(row.message_id))}</b> · #{row.seq + 1} · "
            f"{human_size(row.size)}<br>UTC {format_utc(row.timestamp)} · local {format_local(row.timestamp)}"
        )
        self.detail_header.setToolTip(plain_tooltip(row.message_id))
        payload = row.payload
        self.payload_text.show_value(payload)
        self.payload_tree.show_value(payload)
        self.selectionShown.emit(row.message_id)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def copy_selected_id(self) -> None:
        rows = self.selected_rows()
        if rows:
            self._copy("\n".join(row.message_id for row in rows))

    def copy_selected_payload(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self._copy(json.dumps(rows[0].payload, indent=2, ensure_ascii=False))
        elif rows:
            self._copy("\n".join(row.text for row in rows))

    def copy_selected_message(self) -> None:
        rows = self.selected_rows()
        if rows:
            self._copy("\n".join(json.dumps(row.message().to_json(), ensure_ascii=False) for row in rows))

    def rows_for_action(self) -> list[Row]:
        """The selected messages; with none selected, every message shown (all that match the filter)."""
        numbers = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not numbers:
            numbers = list(range(self.model.rowCount()))
        rows = [self.model.row_at(n) for n in numbers]
        return [row for row in rows if row is not None]

    def export_rows(self, path: Path, rows: list[Row] | None = None) -> int:
        """Write the messages (default: ``rows_for_action``) to ``path``; the format follows its suffix."""
        chosen = self.rows_for_action() if rows is None else rows
        return export_to_file([row.message() for row in chosen], path)

    def ask_export_path(self) -> None:
        dialog = QFileDialog(self, "Export messages")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["JSON Lines (*.jsonl)", "JSON (*.json)", "CSV (*.csv)"])
        dialog.setDefaultSuffix("jsonl")
        dialog.selectFile(f"topic-{self.entry.id}.jsonl")

        def chosen(name: str) -> None:
            try:
                count = self.export_rows(Path(name))
            except InspectorError as exc:
                self.notice.setText(exc.describe())
            else:
                self.notice.setText(f"Exported {count:,} messages to {name}.")
            self.notice.show()

        dialog.fileSelected.connect(chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def compare_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 2:
            self.notice.setText("Select exactly two messages to compare them (Ctrl+click the second).")
            self.notice.show()
            return
        dialog = DiffDialog(rows[0], rows[1], self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def selected_rows(self) -> list[Row]:
        numbers = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        rows = [self.model.row_at(n) for n in numbers]
        found = [row for row in rows if row is not None]
        current = self.current_row()
        return found or ([current] if current else [])

    def set_utc(self, utc: bool) -> None:
        self.model.set_utc(utc)
        self._show_row(self.current_row())

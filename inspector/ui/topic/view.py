"""One open topic in two pages: "Messages" (the live table with its toolbar and filter, and the detail of the
selected message) and "Publish" (the Publish panel, full height)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError
from inspector.core.export import export_to_file
from inspector.core.rows import Row
from inspector.core.timeparse import parse_time
from inspector.core.validation import counted as plural
from inspector.core.workspace import TopicEntry
from inspector.ui.status import SessionStatus
from inspector.ui.topic.detail import MessageDetail, SchemaGiven, named_button, read_schema, token_bar
from inspector.ui.topic.diff import DiffDialog
from inspector.ui.topic.filter_bar import FilterBar
from inspector.ui.topic.history import TopicArchive
from inspector.ui.topic.model import COL_ID, COL_NUMBER, COL_SIZE, COL_TIME, MessageRole, MessageTableModel
from inspector.ui.topic.publish import PublishPanel
from inspector.ui.topic.session import TopicSession, parse_window
from inspector.ui.topic.table import MessageTable
from inspector.ui.widgets import plain_label, plain_tooltip, set_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.core.services.workato import EventStreamsClient
    from inspector.ui.context import AppContext

    ClientFor = Callable[[TokenSource], tuple[EventStreamsClient, str]]

START_CHOICES = (
    ("beginning", "From the start of retention"),
    ("now", "From now"),
    ("since", "Since a date-time"),
    ("after", "After a message id"),
    ("resume", "Resume where it stopped"),
    ("window", "A time window (not live)"),
)
START_VALUES = {  # the start value's placeholder and accessible name, by start choice
    "since": ("2024-05-01T09:00:00Z", "Start time"),
    "after": ("the message id to continue after", "Message id to continue after"),
    "window": ("2024-05-01T09:00Z .. 2024-05-01T10:00Z", "Time window"),
}
SCHEMA_PROBLEMS = 20  # the most ways one message breaks the schema that its detail looks for
WidgetShortcut = Qt.ShortcutContext.WidgetShortcut
TabShortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut


def new_topic_view(ctx: AppContext, profile: Profile, entry: TopicEntry, token: TokenSource | None) -> TopicView:
    """A topic's tab as the window opens it, not started yet: its table, its session and Publish panel on the
    profile's client, and the detail splitter as it was last left. Without a token the tab sends nothing: it says
    so and waits for ``TopicView.token_arrived``. With the archive on, it opens on the topic's archived messages."""
    model = MessageTableModel(row_cap=ctx.workspace.row_cap, utc=ctx.workspace.utc_times)
    client = ctx.client(profile, token or "")
    session = TopicSession(
        client,
        entry,
        model,
        region_label=profile.endpoint().label,
        profile_name=profile.name,
        has_token=bool(token),
    )
    archive = TopicArchive(ctx, profile, entry.id, model, enabled=ctx.archive_on(profile))
    archive.setParent(session)
    session.archive = archive
    schema = json.dumps(entry.schema, indent=2) if entry.schema else ""
    publisher = PublishPanel(client, profile.name, entry, ctx.publishing)

    def client_for(new_token: TokenSource) -> tuple[EventStreamsClient, str]:
        current = ctx.profile(session.profile_name) or profile  # as it is now (its address may have changed)
        archive.retarget(current, ctx.archive_on(current))
        return ctx.client(current, new_token), current.endpoint().label

    view = TopicView(session, schema_text=schema, publisher=publisher, client_for=client_for)
    view.setObjectName(f"topic-{profile.name}-{entry.id}")
    sizes = ctx.workspace.splitters.get("detail")
    if sizes:
        view.splitter.setSizes(sizes)
    return view


class TopicView(QWidget):
    """Everything about one topic. Emits ``updateTokenRequested`` when the token is missing or was rejected."""

    updateTokenRequested = Signal()
    replayRequested = Signal(object)  # list[Row]
    selectionShown = Signal(str)

    def __init__(
        self,
        session: TopicSession,
        *,
        schema_text: str = "",
        publisher: PublishPanel | None = None,
        client_for: ClientFor | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.publisher = publisher
        self._client_for = client_for
        self._reveal: str | None = None  # a published message to show once it arrives
        self.model = session.model
        # Qt owns them with the view, so the table never outlives its model (or the reverse).
        session.setParent(self)
        self.model.setParent(self)
        self.entry: TopicEntry = session.entry
        self._follow = True
        self._unseen = 0  # rows that arrived below while the user reads older ones ("N new ↓")

        self.table = MessageTable()
        self.table.setModel(self.model)
        self.table.set_columns({COL_NUMBER: 70, COL_ID: 150, COL_TIME: 230, COL_SIZE: 80})
        self.filter_bar = FilterBar(self.model, self.table, current=self.current_row, select=self.select_message)
        bar = self.filter_bar
        self.filter_mode, self.filter_edit, self.match_label, self.filter_error = (
            bar.mode,
            bar.edit,
            bar.match_label,
            bar.error,
        )
        self.apply_filter, self.filter_done, self.clear_filter = bar.apply, bar.done, bar.clear
        self.detail = MessageDetail(session.rates, schema_text)
        detail = self.detail
        self.detail_header, self.detail_tabs, self.payload_text, self.payload_tree = (
            detail.header,
            detail.tabs,
            detail.payload_text,
            detail.payload_tree,
        )
        self.schema_text, self.rate_chart = detail.schema_text, detail.rate_chart
        self.copy_id, self.copy_payload, self.copy_message = detail.copy_id, detail.copy_payload, detail.copy_message
        self.notice = plain_label(wrap=True)
        self.notice.setStyleSheet("color: #9a6700")
        self.notice.hide()

        self.messages_page = QWidget()
        self.messages_page.setAccessibleName("Messages")
        page = QVBoxLayout(self.messages_page)
        page.setContentsMargins(0, 4, 0, 0)
        page.setSpacing(4)
        page.addLayout(self._build_toolbar())
        page.addLayout(bar.row())
        page.addWidget(self.filter_error)
        page.addWidget(self._build_token_bar())
        page.addWidget(self.notice)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setCollapsible(0, False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        page.addWidget(self.splitter, 1)

        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.setAccessibleName("Messages and Publish")
        self.pages.addTab(self.messages_page, "Messages")
        self.pages.setTabToolTip(0, "The messages of this topic (Ctrl+1)")
        if publisher is not None:
            self.pages.addTab(publisher, "Publish")
            self.pages.setTabToolTip(1, "Publish messages to this topic (Ctrl+2)")
            publisher.revealRequested.connect(self.reveal_message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.addWidget(self.pages)

        self._add_actions()
        self._connect()
        self._start_choice_changed()
        self._update_actions()
        self.show_status(session.status)
        self._schema_notice = ""  # the notice's words while the topic's schema cannot be read
        self.set_schema(schema_text)

    # ----- building ---------------------------------------------------------------------------------------
    def _build_toolbar(self) -> QHBoxLayout:
        """One row: where to start, Start, Pause, Clear, and the state of the tail."""
        self.start_choice = QComboBox()
        self.start_choice.setAccessibleName("Start reading")
        self.start_choice.setToolTip("Where reading starts when you press Start")
        for key, label in START_CHOICES:
            self.start_choice.addItem(label, key)
        self.start_choice.setCurrentIndex(max(self.start_choice.findData(self.entry.start), 0))
        self.start_value = QLineEdit(self.entry.start_value)
        self.start_value.setMinimumWidth(180)
        self.restart_button = named_button("Start", "Start reading again from the chosen position")
        self.pause_button = named_button("Pause", "Pause or resume reading (Space in the table)")
        self.pause_button.setCheckable(True)
        self.clear_button = named_button("Clear", "Empty the table (reading goes on)")
        self.status_label = QLabel("")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)  # a coloured dot; the words are escaped
        # Long words are cut, never widen the window; the tooltip and the sidebar hold them whole.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.token_button = named_button("Update token…", "Paste a new token for this profile")
        self.token_button.hide()
        row = QHBoxLayout()
        for widget in (self.start_choice, self.start_value, self.restart_button, self.pause_button):
            row.addWidget(widget)
        row.addWidget(self.clear_button)
        row.addWidget(self.status_label, 1)
        row.addWidget(self.token_button)
        return row

    def _build_token_bar(self) -> QFrame:
        """The bar a tab without a token shows: it sends nothing and waits."""
        self.token_bar, self.token_bar_label, self.set_token_button = token_bar()
        self._set_token_bar_words()
        return self.token_bar

    def _action(
        self,
        text: str,
        keys: QKeySequence | QKeySequence.StandardKey | str,
        slot: Callable[[], object],
        *owners: QWidget,
        context: Qt.ShortcutContext = TabShortcut,
    ) -> QAction:
        act = QAction(text, self)
        if keys:
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(context)
        act.triggered.connect(lambda _checked=False: slot())
        for owner in owners:
            owner.addAction(act)
        return act

    def _add_actions(self) -> None:
        """The table's actions, owned by the view: their shortcuts work wherever focus is on the Messages page
        (not on the Publish page, whose panel has its own). Ctrl+C copies the payload from the table only: in the
        text, the tree and the filter it copies what is selected there."""
        page, table = self.messages_page, self.table
        self.copy_payload_action = self._action(
            "Copy payload", QKeySequence.StandardKey.Copy, self.copy_selected_payload, table, context=WidgetShortcut
        )
        self.copy_id_action = self._action("Copy message id", "Ctrl+Shift+I", self.copy_selected_id, page)
        self.copy_message_action = self._action("Copy whole message", "Ctrl+Shift+C", self.copy_selected_message, page)
        self.edit_resend_action: QAction | None = None
        self.new_from_schema_action: QAction | None = None
        if self.publisher is not None:
            self.edit_resend_action = self._action("Edit && resend", "Ctrl+E", self.edit_and_resend, page)
            self.new_from_schema_action = self._action("New from schema", "", self.new_from_schema)
        self.replay_action = self._action(
            "Replay to…", "Ctrl+R", lambda: self.replayRequested.emit(self.rows_for_action()), page
        )
        self.export_action = self._action("Export…", "Ctrl+Shift+S", self.ask_export_path, page)
        self.compare_action = self._action("Compare two messages", "Ctrl+D", self.compare_selected, page)
        self.context_menu = QMenu(self)  # the same actions, in the same order
        self.context_menu.setAccessibleName("Message actions")
        for act in self.message_actions():
            if act is None:
                self.context_menu.addSeparator()
            else:
                self.context_menu.addAction(act)
                table.addAction(act)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(
            lambda point: self.context_menu.popup(table.viewport().mapToGlobal(point))
        )

        # the tab's own keys
        self.find_action = self._action("Filter messages", "Ctrl+F", self.focus_filter, self)
        self.pause_action = self._action("Pause", "Space", self.pause_button.toggle, table, context=WidgetShortcut)
        self.clear_filter_action = self._action(
            "Clear filter", "Esc", self.clear_filter, table, self.filter_edit, context=WidgetShortcut
        )
        self.messages_page_action = self._action("Show messages", "Ctrl+1", self.show_messages, self)
        self.publish_page_action: QAction | None = None
        if self.publisher is not None:
            self.publish_page_action = self._action("Show Publish", "Ctrl+2", self.show_publish, self)

    def message_actions(self) -> list[QAction | None]:
        """The table's actions in menu order, None where a separator goes: for the window's Message menu and its
        command palette. Each is enabled while it can act on the selection."""
        edit = [a for a in (self.edit_resend_action, self.new_from_schema_action) if a is not None]
        return [
            self.copy_payload_action,
            self.copy_id_action,
            self.copy_message_action,
            None,
            *edit,
            *([None] if edit else []),
            self.replay_action,
            self.export_action,
            self.compare_action,
        ]

    def tab_actions(self) -> list[QAction]:
        """The tab's other keys (filter, pause, clear the filter, schema violations only, the two pages), for the
        command palette."""
        pages = [a for a in (self.messages_page_action, self.publish_page_action) if a is not None]
        schema_only = self.filter_bar.schema_action
        return [self.find_action, self.pause_action, self.clear_filter_action, schema_only, *pages]

    def _connect(self) -> None:
        self.session.statusChanged.connect(self.show_status)
        self.restart_button.clicked.connect(self.restart)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.clear_button.clicked.connect(self.clear)
        self.start_choice.currentIndexChanged.connect(self._start_choice_changed)
        self.token_button.clicked.connect(self.updateTokenRequested)
        self.set_token_button.clicked.connect(self.updateTokenRequested)
        self.copy_id.clicked.connect(self.copy_selected_id)
        self.copy_payload.clicked.connect(self.copy_selected_payload)
        self.copy_message.clicked.connect(self.copy_selected_message)
        self.model.rowsAboutToBeInserted.connect(self._before_insert)
        self.model.rowsInserted.connect(self._after_insert)
        self.model.rowsRemoved.connect(self._update_actions)
        self.model.rowsDropped.connect(self._rows_dropped)
        self.model.modelReset.connect(self._model_reset)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        selection.selectionChanged.connect(self._update_actions)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.table.new_button.clicked.connect(self.follow_latest)
        if self.session.archive is not None:  # older messages from the archive, as the user scrolls up
            self.table.olderWanted.connect(self.session.archive.load_older)
            self.session.archive.changed.connect(self.filter_bar.update_count)
            self.session.archive.notice.connect(self._say)
        requested = getattr(self.payload_tree, "filterRequested", None)  # "Filter by this value" in the tree
        if requested is not None:
            requested.connect(self.filter_by)

    # ----- pages --------------------------------------------------------------------------------------------
    def show_messages(self) -> None:
        """The Messages page, focus in the table."""
        self.pages.setCurrentWidget(self.messages_page)
        self.table.setFocus()

    def show_publish(self) -> None:
        """The Publish page, focus in its editor."""
        if self.publisher is None:
            return
        self.pages.setCurrentWidget(self.publisher)
        editor = getattr(self.publisher, "editor", None)
        (editor if isinstance(editor, QWidget) else self.publisher).setFocus()

    def publish_shown(self) -> bool:
        return self.publisher is not None and self.pages.currentWidget() is self.publisher

    def title(self, *, with_profile: bool = False) -> str:
        """The tab's title: the topic's label, and its profile's name when asked (two tabs alike)."""
        return f"{self.entry.label} · {self.session.profile_name}" if with_profile else self.entry.label

    # ----- the topic's schema ---------------------------------------------------------------------------------
    def set_schema(self, schema: SchemaGiven) -> bool:
        """The topic's current schema is ``schema`` (Edit topic… saved it, the topics were listed again; see
        ``read_schema``): the Schema tab shows it, and every row is checked against it again (the marks, the detail's
        line, "Schema violations only"). One that cannot be read checks nothing and the tab says why. Returns whether
        rows are checked."""
        fields, text, why = read_schema(schema)
        self.model.set_schema(fields)
        self.detail.set_schema_text(text)
        if why:
            self.notice.setText(why)
            self.notice.show()
        elif self._schema_notice and self.notice.text() == self._schema_notice:
            self.notice.hide()  # the schema's words, not someone else's
        self._schema_notice = why
        self.filter_bar.schema_changed(fields is not None, why)
        self._show_row(self.current_row())
        return fields is not None

    # ----- the token ------------------------------------------------------------------------------------------
    def token_arrived(self, token: TokenSource) -> bool:
        """A token for this tab's profile was set: the table and the Publish panel use it, and a tab that waited
        for one starts reading (a tail that was running carries on with it). False when the view cannot make a
        client itself (made without ``client_for``): call ``use_client``."""
        if self._client_for is None:
            return False
        client, region = self._client_for(token)
        self.use_client(client, region_label=region)
        return True

    def use_client(self, client: EventStreamsClient, *, region_label: str | None = None) -> None:
        """Read and publish with ``client`` (one made with a token) from now on; see ``token_arrived``."""
        waiting = self.session.waiting_for_token
        self.session.client = client
        if region_label is not None:
            self.session.region_label = region_label
        if self.publisher is not None:
            self.publisher.client = client
        self.token_bar.hide()
        if self.pause_button.isChecked():
            return  # paused: Resume reads with the new token
        if waiting or self.session.running or self.session.status.kind == "error":
            self.session.resume()  # a stopped tab (a time window loaded) stays as it is

    def set_profile_name(self, name: str) -> None:
        """The profile was renamed: the words that name it follow."""
        self.session.profile_name = name
        self._set_token_bar_words()

    def _set_token_bar_words(self) -> None:
        name = self.session.profile_name
        who = f"'{name}'" if name else "this profile"
        text = f"No token for {who} — nothing is sent; the tab starts reading once a token is set."
        self.token_bar_label.setText(text)
        self.token_bar_label.setAccessibleName(text)

    # ----- start, pause, clear ----------------------------------------------------------------------------
    def _start_choice_changed(self) -> None:
        kind = str(self.start_choice.currentData())
        self.start_value.setVisible(kind in START_VALUES)
        placeholder, name = START_VALUES.get(kind, START_VALUES["after"])
        self.start_value.setPlaceholderText(placeholder)
        self.start_value.setAccessibleName(name)

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
        self.pause_button.blockSignals(True)  # not paused any more, without resuming the old tail first
        self.pause_button.setChecked(False)
        self.pause_button.blockSignals(False)
        self._show_paused(False)
        self.model.clear()
        self.session.start(chosen=True)

    def _pause_toggled(self, paused: bool) -> None:
        self._show_paused(paused)
        if paused:
            self.session.pause()
        else:
            self.session.resume()

    def _show_paused(self, paused: bool) -> None:
        words = "Resume" if paused else "Pause"
        self.pause_button.setText(words)
        self.pause_button.setAccessibleName(words)
        self.pause_action.setText(words)

    def clear(self) -> None:
        self.model.clear()
        self.notice.hide()
        self._show_row(None)

    # ----- status -----------------------------------------------------------------------------------------
    def show_status(self, status: SessionStatus) -> None:
        set_text(self.status_label, status.rich_text())
        words = status.describe()
        if self.status_label.toolTip() != words:
            self.status_label.setToolTip(plain_tooltip(words))
            self.status_label.setAccessibleName(f"Status: {words}")
        waiting = self.session.waiting_for_token
        self.token_bar.setVisible(waiting)
        self.token_button.setVisible(status.problem == "auth" and not waiting)

    # ----- auto-scroll, "N new ↓" and a steady view ------------------------------------------------------------
    def _before_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        bar = self.table.verticalScrollBar()  # "N new ↓" shown: the user reads older rows, even in an emptied table
        self._follow = not self._unseen and bar.value() >= bar.maximum() - 2
        self._value = bar.value()

    def _after_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.model.prepending:  # older rows above (the archive's): the rows on screen stay on screen
            self.table.keep_place(self._value, last - first + 1, follow=self._follow)
            return
        if self._reveal is not None and self.select_message(self._reveal):
            self._reveal = None
            self._follow = False  # the revealed message stays in view
        if self._follow:
            self.table.scrollToBottom()
        else:  # rows the cap dropped are not counted: never more than the table holds
            self._unseen = min(self._unseen + last - first + 1, self.model.rowCount())
            self.table.show_new(self._unseen)
        if first == 0:
            self._update_actions()  # the first rows: Replay and Export have something to act on
        self.filter_bar.count_soon()

    def _scrolled(self, value: int) -> None:
        if self._unseen and value >= self.table.verticalScrollBar().maximum() - 2:
            self._unseen = 0
            self.table.show_new(0)

    def follow_latest(self) -> None:
        """Scroll to the latest message and follow new ones again (the "N new ↓" button)."""
        self._unseen = 0
        self.table.show_new(0)
        self._follow = True
        self.table.scrollToBottom()
        self.table.setFocus()

    def _model_reset(self) -> None:
        self._unseen = 0
        self.table.show_new(0)
        if not self.table.currentIndex().isValid():
            self._show_row(None)  # cleared, or filtered out: the detail shows no message the table does not
        self.filter_bar.update_count()
        self._update_actions()

    def _rows_dropped(self, shown: int) -> None:
        bar = self.table.verticalScrollBar()
        if shown and bar.value() < bar.maximum() - 2:
            bar.setValue(max(bar.value() - shown, 0))  # keep the rows under the pointer where they are
        dropped = self.model.dropped_total
        archive = self.session.archive
        back = " (scroll up to load them from the archive)" if archive is not None and archive.enabled else ""
        self._say(
            f"The row limit ({self.model.row_cap:,}) is reached: {plural(dropped, 'oldest message')} "
            f"{'was' if dropped == 1 else 'were'} dropped from the table{back}. Raise it under View → Row limit."
        )

    def _say(self, words: str) -> None:
        self.notice.setText(words)
        self.notice.show()

    # ----- filter -----------------------------------------------------------------------------------------
    def focus_filter(self) -> None:
        """Ctrl+F: the filter field on the Messages page, its text selected."""
        self.pages.setCurrentWidget(self.messages_page)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def filter_by(self, expression: str) -> None:
        """Filter with a JMESPath expression (the detail tree's "Filter by this value")."""
        self.filter_bar.set_expression(expression)

    # ----- selection and detail ---------------------------------------------------------------------------
    def current_row(self) -> Row | None:
        index = self.table.currentIndex()
        row = self.model.data(index, MessageRole) if index.isValid() else None
        return row if isinstance(row, Row) else None

    def _selected_count(self) -> int:
        """How many messages the copy and compare actions act on (the current one when none is selected)."""
        selection = self.table.selectionModel().selection()
        ranges = [selection.at(i) for i in range(selection.count())]
        count = sum(r.height() for r in ranges)
        if 0 < count <= 3:  # ranges may overlap: count the rows themselves when it matters (Compare: two)
            count = len({row for r in ranges for row in range(r.top(), r.bottom() + 1)})
        return count or (1 if self.table.currentIndex().isValid() else 0)

    def _update_actions(self, *args: object) -> None:
        count = self._selected_count()
        for act in (self.copy_payload_action, self.copy_id_action, self.copy_message_action):
            act.setEnabled(count > 0)
        for button in (self.copy_id, self.copy_payload, self.copy_message):
            button.setEnabled(count > 0)
        if self.edit_resend_action is not None:
            self.edit_resend_action.setEnabled(self.table.currentIndex().isValid())
        has_rows = self.model.rowCount() > 0  # with no selection they act on every message shown
        self.replay_action.setEnabled(has_rows)
        self.export_action.setEnabled(has_rows)
        self.compare_action.setEnabled(count == 2)

    def edit_and_resend(self) -> None:
        """Copy the selected message's payload into the publish editor and show the Publish page."""
        row = self.current_row()
        if row is None or self.publisher is None:
            return
        self.publisher.set_text(json.dumps(row.payload, indent=2, ensure_ascii=False))
        self.show_publish()

    def new_from_schema(self) -> None:
        """An example message from the topic's schema in the publish editor, on the Publish page."""
        if self.publisher is None:
            return
        self.publisher.new_from_schema()
        self.show_publish()

    def reveal_message(self, message_id: str) -> None:
        """Select and scroll to a message on the Messages page; one not received yet is selected when it
        arrives."""
        if self.select_message(message_id):
            self._reveal = None
            self.show_messages()
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
        self._update_actions()

    def _show_row(self, row: Row | None) -> None:
        problems = self.model.schema_problems(row, limit=SCHEMA_PROBLEMS) if row is not None else []
        self.detail.show_row(row, problems, limit=SCHEMA_PROBLEMS)
        if row is not None:
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
                self.notice.setText(f"Exported {plural(count, 'message')} to {name}.")
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

"""The Search tab: the question (``inspector.ui.archive.form``), the hits as they are found (``ResultsModel``), and
the selected message's detail with the topic tab's actions: copy, Edit & resend (the topic's Publish page), Replay
to…, Export… and Compare.

The tab sits in the window's tab area beside the topics' tabs, kept with the service panels (``service_views``,
under ``SEARCH_KEY``): it closes, and stops its search, as they do. The search runs in a worker thread
(``inspector.ui.archive.running``); Cancel or Esc stops it, and a new search stops the one before."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.archive import IMPORT_PREFIX, ArchivedMessage, ArchiveError, StreamStats
from inspector.core.errors import InspectorError
from inspector.core.export import export_to_file
from inspector.ui.archive.form import SearchForm, TopicKey
from inspector.ui.archive.results import COL_ID, COL_PREVIEW, COL_SIZE, COL_TIME, COL_TOPIC, ResultsModel
from inspector.ui.archive.running import Outcome, Query, SearchRun
from inspector.ui.archive.shared import (
    OFF_AND_EMPTY,
    count_words,
    kept_archive,
    off_thread,
    reading_profile,
    topic_words,
)
from inspector.ui.rate_chart import RateCounter
from inspector.ui.services._common import ServicePanel
from inspector.ui.status import WARNING_TEXT, set_tone
from inspector.ui.topic.detail import MessageDetail, named_button
from inspector.ui.topic.diff import DiffDialog
from inspector.ui.topic.replay import SourceMessage
from inspector.ui.widgets import plain_label

if TYPE_CHECKING:
    from inspector.core.rows import Row
    from inspector.ui.archive.base import ArchiveWindow
    from inspector.ui.context import AppContext
    from inspector.ui.topic.replay import ReplayDialog
    from inspector.ui.topic.view import TopicView

SEARCH_KEY = ("", "archive search")  # the tab's key among the window's panels (no profile is named "")
TAB_TITLE = "Archive search"
TabShortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut


def open_search(window: ArchiveWindow, ctx: AppContext, topics: list[TopicKey] | None = None) -> SearchPanel:
    """Show the Search tab (made on first use), its words field focused; ``topics``: check these only."""
    panel = window.service_views.get(SEARCH_KEY)
    if not isinstance(panel, SearchPanel):
        panel = SearchPanel(window, ctx)
        panel.setObjectName("archive-search")
        window.service_views[SEARCH_KEY] = panel
        window.tabs.addTab(panel, TAB_TITLE)
        window.tabs.setTabToolTip(window.tabs.indexOf(panel), "Search the archive of every message received")
        window._update_tab_titles()
        window._update_empty_hint()
    window.tabs.setCurrentWidget(panel)
    if topics is not None:
        panel.choose_topics(topics)
    panel.form.words.setFocus(Qt.FocusReason.ShortcutFocusReason)
    panel.form.words.selectAll()
    return panel


class SearchPanel(ServicePanel):
    """Words, JMESPath, time and topics; the hits as they come; the selected one's detail and actions."""

    def __init__(self, window: ArchiveWindow, ctx: AppContext) -> None:
        super().__init__()
        self.main = window  # the main window (``QWidget.window`` is Qt's)
        self.ctx = ctx
        self.run: SearchRun | None = None
        self._generation = 0  # of the latest search: what an older one hands over is dropped
        self.outcome: Outcome | None = None
        self.form = SearchForm()
        self.model = ResultsModel(lambda address, topic: topic_words(ctx, address, topic), utc=ctx.workspace.utc_times)
        self.model.setParent(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Found messages")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 6)  # as a topic's table
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((COL_TIME, 180), (COL_TOPIC, 160), (COL_ID, 130), (COL_SIZE, 60), (COL_PREVIEW, 200)):
            self.table.setColumnWidth(column, width)
        self.detail = MessageDetail(RateCounter(), "")
        for page in (self.detail.rate_chart, self.detail.schema_text):  # a topic's tabs, not a search's
            index = self.detail.tabs.indexOf(page)
            if index >= 0:
                self.detail.tabs.removeTab(index)
                page.deleteLater()
        self.notice = plain_label(wrap=True)
        set_tone(self.notice, WARNING_TEXT)
        self.notice.hide()
        self._build_actions()

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for button in self.buttons:
            buttons.addWidget(button)
        buttons.addStretch(1)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.detail, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setCollapsible(0, False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.form)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)

        self.form.search_button.clicked.connect(self.search)
        self.form.cancel_button.clicked.connect(self.cancel)
        for field in self.form.fields():
            field.returnPressed.connect(self.search)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.model.rowsInserted.connect(self._update_actions)
        window.utc_action.toggled.connect(self.set_utc)
        self.detail.copy_id.clicked.connect(self.copy_ids)
        self.detail.copy_payload.clicked.connect(self.copy_payloads)
        self.detail.copy_message.clicked.connect(self.copy_messages)
        self._update_actions()
        self.form.say("Type words, a JMESPath condition or a time range, then press Enter.")
        self.tasks.spawn(self.refresh_topics())

    # ----- actions ----------------------------------------------------------------------------------------
    def _action(self, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(TabShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.cancel_action = self._action("Cancel search", "Esc", self.cancel)
        self.copy_payload_action = self._action("Copy payload", "", self.copy_payloads)
        self.copy_payload_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_payload_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.removeAction(self.copy_payload_action)
        self.table.addAction(self.copy_payload_action)  # Ctrl+C in the table; in a field it copies the field's
        self.copy_id_action = self._action("Copy message id", "Ctrl+Shift+I", self.copy_ids)
        self.copy_message_action = self._action("Copy whole message", "Ctrl+Shift+C", self.copy_messages)
        self.edit_action = self._action("Edit && resend", "Ctrl+E", self.edit_and_resend)
        self.replay_action = self._action("Replay to…", "Ctrl+R", self.replay)
        self.export_action = self._action("Export…", "Ctrl+Shift+S", self.ask_export_path)
        self.compare_action = self._action("Compare two messages", "Ctrl+D", self.compare_selected)
        tips = (
            (self.edit_action, "Edit & resend", "Open the message's topic on its Publish page, with this payload"),
            (self.replay_action, "Replay to…", "Publish the selected messages (or all found) to a topic"),
            (self.export_action, "Export…", "Write the selected messages (or all found) to a file"),
            (self.compare_action, "Compare", "Show two selected messages side by side"),
        )
        self.buttons = []
        for action, words, tip in tips:
            action.setToolTip(tip)
            button = named_button(words.replace("&", "&&"), f"{tip} ({action.shortcut().toString()})")
            button.setAccessibleName(words)
            button.clicked.connect(action.trigger)
            self.buttons.append(button)
        self.context_menu = QMenu(self)
        self.context_menu.setAccessibleName("Message actions")
        for entry in self.message_actions():
            if entry is None:
                self.context_menu.addSeparator()
            else:
                self.context_menu.addAction(entry)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda point: self.context_menu.popup(self.table.viewport().mapToGlobal(point))
        )

    def message_actions(self) -> list[QAction | None]:
        """The results' actions in menu order (None: a separator)."""
        return [
            self.copy_payload_action,
            self.copy_id_action,
            self.copy_message_action,
            None,
            self.edit_action,
            None,
            self.replay_action,
            self.export_action,
            self.compare_action,
        ]

    def _update_actions(self, *args: object) -> None:
        selected = len(self.selected_hits())
        for action in (self.copy_payload_action, self.copy_id_action, self.copy_message_action):
            action.setEnabled(selected > 0)
        for button in (self.detail.copy_id, self.detail.copy_payload, self.detail.copy_message):
            button.setEnabled(selected > 0)
        self.edit_action.setEnabled(self.current_hit() is not None)
        has_rows = self.model.rowCount() > 0
        self.replay_action.setEnabled(has_rows)
        self.export_action.setEnabled(has_rows)
        self.compare_action.setEnabled(selected == 2)
        for button, action in zip(
            self.buttons, (self.edit_action, self.replay_action, self.export_action, self.compare_action), strict=True
        ):
            button.setEnabled(action.isEnabled())
        self.cancel_action.setEnabled(self.run is not None)

    # ----- searching --------------------------------------------------------------------------------------
    def choose_topics(self, keys: list[TopicKey]) -> None:
        self.form.topics.choose(keys)

    async def refresh_topics(self) -> None:
        """The topics list: every archived topic, with its messages (read off the UI thread)."""
        try:
            archive = await kept_archive(self.ctx)
            stats = None if archive is None else await off_thread(archive, lambda a: a.stats())
        except ArchiveError as exc:
            self.form.show_error(exc.describe())
            return
        self.fill_topics([] if stats is None else stats.topics)

    def fill_topics(self, topics: list[StreamStats]) -> None:
        found = [((s.profile, s.topic), topic_words(self.ctx, s.profile, s.topic), s.messages) for s in topics]
        self.form.topics.fill(sorted(found, key=lambda item: item[1].casefold()))

    def search(self) -> None:
        """Search with the fields as they are (a search running is stopped first)."""
        self.form.show_error("")
        try:
            query = self.form.query()
        except InspectorError as exc:
            self.form.show_error(exc.describe())
            return
        if self.run is not None:
            self.run.cancel()
        self._generation += 1
        self.outcome = None
        self.model.clear()
        self._show_hit(None)
        self.notice.hide()
        self.tasks.spawn(self._search(query, self._generation))

    async def _search(self, query: Query, generation: int) -> None:
        self.form.running(True, scan=query.jmespath is not None)
        self.form.say("Searching…")
        try:
            archive = await kept_archive(self.ctx)
            if generation != self._generation:
                return  # a newer search began meanwhile
            if archive is None:
                self.form.say(OFF_AND_EMPTY)
                return
            run = SearchRun(archive, query, self._hits_of(generation), self._progress_of(generation))
            self.run = run
            self._update_actions()
            outcome = await run.run()
        except InspectorError as exc:
            if generation == self._generation:
                self.form.show_error(exc.describe())
                self.form.say("Not searched: see below.")
            return
        finally:
            if generation == self._generation:
                self.run = None
                self.form.running(False)
                self._update_actions()
        if generation == self._generation:
            self.outcome = outcome
            self.form.say(self.outcome_words(outcome))

    def _hits_of(self, generation: int) -> Callable[[list[ArchivedMessage]], None]:
        def found(hits: list[ArchivedMessage]) -> None:
            if generation == self._generation:
                self.model.append(hits)
                self.form.say(f"Searching… {count_words(self.model.rowCount(), 'message')} found so far")

        return found

    def _progress_of(self, generation: int) -> Callable[[float], None]:
        def progress(share: float) -> None:
            if generation == self._generation:
                self.form.set_progress(share)

        return progress

    def outcome_words(self, outcome: Outcome) -> str:
        """How the search went, in words."""
        found = count_words(outcome.found, "message")
        if outcome.cancelled:
            return f"Cancelled: {found} found before it stopped."
        if outcome.found == 0:
            return "No archived message matches."
        topics = len({(hit.profile, hit.topic) for hit in self.model.hits()})
        where = f" in {count_words(topics, 'topic')}" if topics > 1 else ""
        if outcome.limited:
            return (
                f"{found} found{where}, newest first: the most asked for (At most {outcome.limit:,}); there may be "
                "more — narrow the search or raise At most."
            )
        return f"{found} found{where}, newest first."

    def cancel(self) -> None:
        """Stop the search running (Cancel, Esc): the hits found so far stay."""
        if self.run is not None:
            self.run.cancel()
            self.form.say("Cancelling…")

    async def stop(self) -> None:
        if self.run is not None:
            self.run.cancel()
        await super().stop()

    def set_utc(self, utc: bool) -> None:
        self.model.set_utc(utc)

    # ----- the selection and its detail -------------------------------------------------------------------
    def current_hit(self) -> ArchivedMessage | None:
        index = self.table.currentIndex()
        return self.model.hit_at(index.row()) if index.isValid() else None

    def _numbers(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    def selected_hits(self) -> list[ArchivedMessage]:
        """The selected messages (the current one when none is selected)."""
        found = [hit for hit in map(self.model.hit_at, self._numbers()) if hit is not None]
        current = self.current_hit()
        return found or ([current] if current is not None else [])

    def hits_for_action(self) -> list[ArchivedMessage]:
        """The selected messages; with none selected, every message found."""
        numbers = self._numbers() or list(range(self.model.rowCount()))
        return [hit for hit in map(self.model.hit_at, numbers) if hit is not None]

    def select(self, number: int, *, add: bool = False) -> None:
        """Select the found message ``number`` (from 0), or add it to the selection."""
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select if add else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.table.selectionModel().setCurrentIndex(self.model.index(number, 0), flags)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._show_hit(self.model.row_at(current.row()) if current.isValid() else None)
        self._update_actions()

    def _show_hit(self, row: Row | None) -> None:
        self.detail.show_row(row)

    def say(self, words: str) -> None:
        """A line above the results: what an action did, or why it could not."""
        self.notice.setText(words)
        self.notice.setAccessibleName(words)
        self.notice.show()

    # ----- copy -------------------------------------------------------------------------------------------
    def copy_ids(self) -> None:
        hits = self.selected_hits()
        if hits:
            QGuiApplication.clipboard().setText("\n".join(hit.message_id for hit in hits))

    def copy_payloads(self) -> None:
        hits = self.selected_hits()
        if len(hits) == 1:
            QGuiApplication.clipboard().setText(json.dumps(hits[0].payload, indent=2, ensure_ascii=False))
        elif hits:
            QGuiApplication.clipboard().setText("\n".join(hit.text for hit in hits))

    def copy_messages(self) -> None:
        hits = self.selected_hits()
        if hits:
            lines = (json.dumps(hit.message().to_json(), ensure_ascii=False) for hit in hits)
            QGuiApplication.clipboard().setText("\n".join(lines))

    # ----- Edit & resend, Replay to…, Export…, Compare ----------------------------------------------------
    def edit_and_resend(self) -> None:
        """The current message's topic, opened on its Publish page with the payload in the editor."""
        hit = self.current_hit()
        if hit is None:
            return
        if hit.profile.startswith(IMPORT_PREFIX):
            self.say("An imported message has no topic of its own: use Replay to… to publish it to a topic.")
            return
        profile = reading_profile(self.ctx, hit.profile)
        if profile is None:
            self.say(
                f"No profile here reads {hit.profile}: add a profile with that address to publish to topic "
                f"{hit.topic} again, or use Replay to… to choose another topic."
            )
            return
        text = json.dumps(hit.payload, indent=2, ensure_ascii=False)
        self.tasks.spawn(self.edit_in(profile.name, hit.topic, text))

    async def edit_in(self, profile: str, topic: int, text: str) -> TopicView | None:
        """Open the topic's tab (the topic saved under the profile first, if it was not) on its Publish page, with
        ``text`` in the editor (the draft it had stays one Undo away)."""
        if self.ctx.workspace.topic(profile, topic) is None:
            self.ctx.workspace.add_topic(profile, topic)
            self.main._mark_dirty()
            self.main.refresh_tree()
        view = await self.main.open_topic(profile, topic)
        if view is None or view.publisher is None:
            self.say(f"Topic {topic} of {profile} cannot be opened to publish to.")
            return view
        view.publisher.set_text(text)
        view.show_publish()
        return view

    def replay(self) -> ReplayDialog | None:
        """Ask where to publish the selected messages (or all found) again, and start the job."""
        hits = self.hits_for_action()
        if not hits:
            self.say("No messages to replay: search first.")
            return None
        messages = [SourceMessage(hit.payload, hit.message_id, hit.time_text) for hit in hits]
        topics = {(hit.profile, hit.topic) for hit in hits}
        origin = None
        source = f"archive search ({count_words(len(topics), 'topic')})"
        if len(topics) == 1:
            address, topic = next(iter(topics))
            source = f"archive · {topic_words(self.ctx, address, topic)}"
            profile = reading_profile(self.ctx, address)
            origin = (profile.name, topic) if profile is not None else None
        dialog: ReplayDialog = self.main.replays.open_dialog(messages, source, origin=origin)
        return dialog

    def export_hits(self, path: Path, hits: list[ArchivedMessage] | None = None) -> int:
        """Write the messages (default: the selected ones, or all found) to ``path``; its suffix says the format."""
        chosen = self.hits_for_action() if hits is None else hits
        return export_to_file([hit.message() for hit in chosen], path)

    def ask_export_path(self) -> None:
        dialog = QFileDialog(self, "Export messages")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["JSON Lines (*.jsonl)", "JSON (*.json)", "CSV (*.csv)"])
        dialog.setDefaultSuffix("jsonl")
        dialog.selectFile("archive-search.jsonl")

        def chosen(name: str) -> None:
            try:
                count = self.export_hits(Path(name))
            except InspectorError as exc:
                self.say(exc.describe())
            else:
                self.say(f"Exported {count_words(count, 'message')} to {name}.")

        dialog.fileSelected.connect(chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def compare_selected(self) -> DiffDialog | None:
        numbers = self._numbers()
        rows = [row for row in map(self.model.row_at, numbers) if row is not None]
        if len(rows) != 2:
            self.say("Select exactly two messages to compare them (Ctrl+click the second).")
            return None
        dialog = DiffDialog(rows[0], rows[1], self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

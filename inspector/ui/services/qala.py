"""Qala's panel: publish typed events to a topic (or routed by type) with a result per event and the event id
the server gave, and create a subscriber group's session token (shown once, never kept).

Qala's API lists no topics: the topic box offers the ones published to before in the environment
(``KnownTopics``, kept in the app's data folder)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QGuiApplication, QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.drafts import summarize_results
from inspector.core.errors import ApiError, InspectorError, PublishInputError, ValidationError
from inspector.core.jsoninput import JsonSyntaxError, parse_publish_input
from inspector.core.models import ItemResult, Outcome
from inspector.core.services.qala import (
    NO_ID_WORDS,
    KnownTopics,
    QalaClient,
    check_events,
    check_guid,
    check_topic_name,
    problem_of,
)
from inspector.core.validation import counted
from inspector.ui.editor import JsonEditor
from inspector.ui.services._common import (
    DISPLAY,
    FOREGROUND,
    TOOLTIP,
    Index,
    ServicePanel,
    connection,
    header,
    muted,
    name_buttons,
    named,
    outcome_color,
    say,
    words_label,
    wrapped_tooltip,
)
from inspector.ui.tasks import Tasks
from inspector.ui.widgets import plain_label, set_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.services import PanelHost

CHECK_DELAY_MS = 200  # the events are checked this long after the last keystroke
SHOWN_PROBLEMS = 8
_OUTCOME_WORDS = {
    Outcome.SUCCESS: "published",
    Outcome.FAILED: "failed",
    Outcome.UNKNOWN: "unknown — may have been published",
}
_WHERE_EVENT = re.compile(r"^event (\d+)(?:\.(.+))?$")
_FONT = Qt.ItemDataRole.FontRole
EVENT_ID_WIDTH = 300  # pixels of the event id column at most at the start (an id is elided beyond; resizable)
SAVE_TIMEOUT = 5.0  # seconds a write of the known topics may take before the panel stops waiting


def open_panel(host: PanelHost, profile: Profile, token: TokenSource) -> QalaPanel:
    """The panel of a Qala profile (the window's table of panels points here). The topics published to before
    are kept in the app's data folder; the demo's only for the session."""
    base, http, rpm = connection(host.ctx, profile)
    client = QalaClient(
        base, token, profile.environment_id or "", http=http, limiter=host.ctx.limiters, rate_limit_rpm=rpm
    )
    known = KnownTopics(None) if host.ctx.is_demo(profile) else KnownTopics.default()
    return QalaPanel(client, profile.name, known)


def qala_error_words(error: InspectorError) -> str:
    """A Qala error in words: the problem's title, status, detail, each entry and the trace id."""
    if isinstance(error, ApiError):
        problem = problem_of(error)
        if problem is not None and (problem.title or problem.detail or problem.errors):
            text = problem.describe().replace("\n  ", "\n")
            return text + (f"\nhint: {error.hint}" if error.hint else "")
    return error.describe()


def describe_event_problem(problem: ValidationError) -> str:
    """``event 2, field type: 'a b' is not a valid event type`` from a check's error: events counted from 1, as
    the user reads them (the check names them by their 0-based index)."""
    match = _WHERE_EVENT.match(problem.where)
    if match is None:
        return problem.message
    place = f"event {int(match.group(1)) + 1}" + (f", field {match.group(2)}" if match.group(2) else "")
    return f"{place}: {problem.reason}" + (f" ({problem.hint})" if problem.hint else "")


@dataclass(frozen=True, slots=True)
class EventResult:
    result: ItemResult
    event_type: str

    @property
    def number(self) -> int:
        """The event's place in the input, counted from 1."""
        return self.result.index + 1

    @property
    def event_id(self) -> str:
        """The id the server gave (or the one the event had), "" when there is none."""
        return self.result.message_id or ""

    def words(self) -> str:
        """The event's result in full: ``Event 2 (order.paid): published`` and its id, or the server's words."""
        kind = f" ({self.event_type})" if self.event_type else ""
        head = f"Event {self.number}{kind}: {_OUTCOME_WORDS[self.result.outcome]}"
        if self.result.ok:
            return f"{head}\nEvent id: {self.event_id}" if self.event_id else f"{head}\n{NO_ID_WORDS}"
        return f"{head}\n{self.result.error_words or ''}"


EventResultRole = Qt.ItemDataRole.UserRole + 1  # the EventResult of a row
FullTextRole = Qt.ItemDataRole.UserRole + 5  # a cell's whole text, line breaks kept (its tooltip, not escaped)
COL_INDEX, COL_TYPE, COL_RESULT, COL_EVENT_ID, COL_ERROR = range(5)
COL_DETAIL = COL_EVENT_ID  # the event id column's earlier name (it held the id or the error)


class EventResultsModel(QAbstractTableModel):
    """One row per event of the last publish: its number (from 1), type, result, the event id the server gave,
    and the server's words when it failed. A published event without an id says so, greyed, in the id column."""

    HEADERS = ("Event", "Type", "Result", "Event id", "Error")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EventResult] = []
        self._italic = QFont()
        self._italic.setItalic(True)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        return header(self.HEADERS, section, orientation, role)

    def _text(self, row: EventResult, column: int) -> str:
        """The cell's whole text ("" where there is none)."""
        result = row.result
        if column == COL_INDEX:
            return str(row.number)
        if column == COL_TYPE:
            return row.event_type
        if column == COL_RESULT:
            return _OUTCOME_WORDS[result.outcome]
        if column == COL_EVENT_ID:
            return row.event_id
        if column == COL_ERROR:
            return "" if result.ok else result.error_words or ""
        return ""

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        no_id = column == COL_EVENT_ID and row.result.ok and not row.event_id
        if role == EventResultRole:
            return row
        if role == FullTextRole:
            return self._text(row, column)
        if role == DISPLAY:
            return NO_ID_WORDS if no_id else self._text(row, column).replace("\n", " ")
        if role == TOOLTIP:
            if column == COL_INDEX:
                return f"event {row.number}"
            return wrapped_tooltip(NO_ID_WORDS if no_id else self._text(row, column)) or None
        if role == FOREGROUND:
            if column == COL_RESULT:
                return outcome_color(row.result.outcome)
            return muted() if no_id else None
        if role == _FONT and no_id:
            return self._italic
        return None

    def set_results(self, results: Iterable[ItemResult], events: Sequence[object]) -> None:
        self.beginResetModel()
        self.rows = []
        for result in sorted(results, key=lambda r: r.index):
            event = events[result.index] if 0 <= result.index < len(events) else None
            kind = event.get("type") if isinstance(event, dict) else None
            self.rows.append(EventResult(result, kind if isinstance(kind, str) else ""))
        self.endResetModel()

    @property
    def results(self) -> list[ItemResult]:
        return [row.result for row in self.rows]


class QalaPanel(ServicePanel):
    """Publish events to a Qala topic (or routed by type), with a result and an event id per event; create
    session tokens. The topic box offers the topics published to before in this environment."""

    finished = Signal(object)  # list[ItemResult], after each publish

    def __init__(
        self,
        client: QalaClient,
        profile_name: str,
        known_topics: KnownTopics | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name
        self.known_topics = known_topics if known_topics is not None else KnownTopics(None)
        self._saves = Tasks()  # writes of the known topics, apart from the panel's requests

        self.topic_box = named(QComboBox(), "Topic")
        self.topic = named(QLineEdit(), "Topic")  # the box's field: what is typed, or the topic chosen
        self.topic_box.setLineEdit(self.topic)
        self.topic_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.topic_box.setMaxVisibleItems(15)
        self.topic_box.setToolTip(
            "The topic's name. The list offers the topics published to before in this environment: "
            "Qala's API does not list an environment's topics."
        )
        self.topic.setPlaceholderText("Topic name — leave empty to publish without a topic (routed by event type)")
        completer = QCompleter(self.topic_box.model(), self.topic_box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.topic_box.setCompleter(completer)
        self.editor = named(JsonEditor(), "Events to publish")
        self.editor.setPlaceholderText(
            'A JSON array of events, one event, or JSON Lines: {"type": "order.created", "data": {...}}'
        )
        self.check = words_label()
        self.publish_button = QPushButton("Publish")
        self.results = EventResultsModel()
        self.results_view = named(QTableView(), "Publish results")
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setTabKeyNavigation(False)
        self.results_view.setWordWrap(False)
        columns = self.results_view.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        columns.setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.ResizeToContents)
        columns.resizeSection(COL_TYPE, 120)
        columns.resizeSection(COL_RESULT, 90)
        columns.resizeSection(COL_EVENT_ID, EVENT_ID_WIDTH)
        self.summary = plain_label()
        self.copy_ids_button = QPushButton("Copy event ids")
        self.copy_ids_button.setToolTip("Copy the event ids of the selected results, one a line (Ctrl+C)")
        self.copy_ids_button.setEnabled(False)
        self.copy_ids_action = QAction("Copy event ids", self.results_view)
        self.copy_ids_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_ids_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_ids_action.setEnabled(False)
        self.results_view.addAction(self.copy_ids_action)
        self.results_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.result_detail = words_label()  # the selected event's result in full

        self.group_id = named(QLineEdit(), "Subscriber group id")
        self.group_id.setPlaceholderText("Subscriber group id (a GUID, 8-4-4-4-12 hexadecimal digits)")
        self.session_button = QPushButton("Create session token")
        self.session_token = named(QLineEdit(), "Session token")
        self.session_token.setReadOnly(True)
        self.session_token.setPlaceholderText("The token is shown here once; it is not kept")
        self.copy_button = QPushButton("Copy token")
        self.copy_button.setEnabled(False)
        self.session_note = words_label()

        top = QHBoxLayout()
        top.addWidget(plain_label("Topic"))
        top.addWidget(self.topic_box, 1)
        top.addWidget(self.publish_button)
        top.addWidget(plain_label(f"Environment {client.environment_id}"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.check)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        results_top = QHBoxLayout()
        results_top.addWidget(self.summary, 1)
        results_top.addWidget(self.copy_ids_button)
        right_layout.addLayout(results_top)
        right_layout.addWidget(self.results_view, 1)
        right_layout.addWidget(self.result_detail)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([500, 500])  # halves: the results need the room of their event ids

        session_box = QGroupBox("Session token for a subscriber group")
        session_layout = QVBoxLayout(session_box)
        row1 = QHBoxLayout()
        row1.addWidget(self.group_id, 1)
        row1.addWidget(self.session_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.session_token, 1)
        row2.addWidget(self.copy_button)
        session_layout.addLayout(row1)
        session_layout.addWidget(self.session_note)
        session_layout.addLayout(row2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(session_box)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check_now)
        self.editor.textChanged.connect(self._check_timer.start)
        self.publish_button.clicked.connect(self.publish)
        self.session_button.clicked.connect(self._session_clicked)
        self.group_id.returnPressed.connect(self._session_clicked)
        self.copy_button.clicked.connect(self.copy_token)
        self.copy_ids_button.clicked.connect(self.copy_event_ids)
        self.copy_ids_action.triggered.connect(self.copy_event_ids)
        selection = self.results_view.selectionModel()
        selection.currentRowChanged.connect(self._show_detail)
        selection.selectionChanged.connect(self._selection_changed)
        self.results.modelReset.connect(self._selection_changed)
        self._offer_topics()
        if self.known_topics.notice:
            say(self.check, self.known_topics.notice, error=True)
        name_buttons(self)

    # ----- topics published to before --------------------------------------------------------------------------
    def offered_topics(self) -> list[str]:
        return [self.topic_box.itemText(i) for i in range(self.topic_box.count())]

    def _offer_topics(self) -> None:
        """The topic box lists the topics published to before; what is typed in it stays."""
        typed = self.topic.text()
        names = self.known_topics.names(self.client.base_url, self.client.environment_id)
        if names != self.offered_topics():
            self.topic_box.clear()
            self.topic_box.addItems(names)
        self.topic_box.setCurrentIndex(-1)
        self.topic.setText(typed)

    def _remember_topic(self, name: str) -> None:
        if self.known_topics.remember(self.client.base_url, self.client.environment_id, name):
            self._offer_topics()
            self._saves.spawn(self._save_topics())

    async def _save_topics(self) -> None:
        try:
            await asyncio.wait_for(asyncio.to_thread(self.known_topics.save), SAVE_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            say(self.check, f"The topics published to could not be kept: {exc}", error=True)

    # ----- checking ---------------------------------------------------------------------------------------------
    def check_now(self) -> list[dict[str, Any]] | None:
        """Check the editor's text now and say what it is, or each bad event by index and field."""
        self._check_timer.stop()
        text = self.editor.toPlainText()
        if not text.strip():
            self.editor.mark_error(None)
            say(self.check, "")
            return None
        try:
            parsed = parse_publish_input(text, source="events")
            events = check_events(parsed.items)
        except JsonSyntaxError as exc:
            self.editor.mark_error(exc.line, exc.column, exc.reason)
            say(self.check, exc.message, error=True)
            return None
        except PublishInputError as exc:
            self.editor.mark_error(None)
            lines = [describe_event_problem(p) for p in exc.problems[:SHOWN_PROBLEMS]]
            more = len(exc.problems) - len(lines)
            count = len(exc.problems)
            head = f"{count} bad event{'s' if count != 1 else ''}; nothing will be sent:"
            tail = [f"and {more} more"] if more > 0 else []
            say(self.check, "\n".join([head, *(f"• {line}" for line in lines), *tail]), error=True)
            return None
        except ValidationError as exc:
            self.editor.mark_error(None)
            say(self.check, exc.describe(), error=True)
            return None
        self.editor.mark_error(None)
        what = "one event" if len(events) == 1 else f"{len(events):,} events ({parsed.form})"
        say(self.check, f"Ready to publish {what} {self._destination()}")
        return events

    def _destination(self) -> str:
        name = self.topic.text().strip()
        return f"to topic {name!r}" if name else "without a topic (routed by event type)"

    # ----- publishing -------------------------------------------------------------------------------------------
    def publish(self) -> None:
        if not self.tasks.busy:
            self.tasks.spawn(self.publish_now())

    async def publish_now(self) -> list[ItemResult] | None:
        """Check and publish the editor's events; None when the input is bad (nothing is sent)."""
        events = self.check_now()
        if events is None:
            if not self.editor.toPlainText().strip():
                say(self.check, "Nothing to publish: write a JSON array of events.", error=True)
            return None
        name = self.topic.text().strip()
        topic: str | None = None
        if name:
            try:
                topic = check_topic_name(name)
            except ValidationError as exc:
                say(self.check, f"Not sent — {exc.describe()}", error=True)
                return None
        self.publish_button.setEnabled(False)
        say(self.check, f"Publishing {counted(len(events), 'event')} {self._destination()}…")
        try:
            results = await self.client.publish_events(events, topic)
        except InspectorError as exc:
            say(self.check, f"Not sent — {exc.describe()}", error=True)
            return None
        finally:
            self.publish_button.setEnabled(True)
        self.results.set_results(results, events)
        for col, widest in ((COL_TYPE, 240), (COL_RESULT, 240), (COL_EVENT_ID, EVENT_ID_WIDTH)):
            self.results_view.resizeColumnToContents(col)  # a column is resizable; its start fits what it holds
            columns = self.results_view.horizontalHeader()
            columns.resizeSection(col, min(columns.sectionSize(col), widest))
        summary = summarize_results(results)
        set_text(self.summary, summary)
        failed = [row for row in self.results.rows if not row.result.ok]
        say(self.check, f"Sent: {summary}", error=bool(failed))
        set_text(self.result_detail, failed[0].words() if failed else "")
        if topic is not None and any(r.ok for r in results):
            self._remember_topic(topic)
        self.finished.emit(results)
        return results

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.results.data(current, EventResultRole) if current.isValid() else None
        set_text(self.result_detail, row.words() if isinstance(row, EventResult) else "")

    # ----- event ids --------------------------------------------------------------------------------------------
    def selected_event_ids(self) -> list[str]:
        """The event ids of the selected results, in the events' order (those without an id left out)."""
        rows = sorted({index.row() for index in self.results_view.selectionModel().selectedRows()})
        return [self.results.rows[r].event_id for r in rows if self.results.rows[r].event_id]

    def _selection_changed(self, *_: object) -> None:
        count = len(self.selected_event_ids())
        words = "Copy event id" if count == 1 else "Copy event ids"
        for control in (self.copy_ids_button, self.copy_ids_action):
            control.setEnabled(count > 0)
            control.setText(words)
        self.copy_ids_button.setAccessibleName(words)

    def copy_event_ids(self) -> list[str]:
        """Copy the selected results' event ids to the clipboard, one a line, as plain text."""
        ids = self.selected_event_ids()
        if ids:
            QGuiApplication.clipboard().setText("\n".join(ids))
            say(self.check, f"Copied {counted(len(ids), 'event id')} to the clipboard.")
        return ids

    # ----- session tokens -----------------------------------------------------------------------------------
    def _session_clicked(self) -> None:
        if not self.tasks.busy:
            self.tasks.spawn(self.create_session_token())

    async def create_session_token(self) -> str | None:
        """A new session token for the group: shown once in the field, never kept."""
        self.clear_token()
        try:
            group = check_guid(self.group_id.text(), where="subscriber group id")
        except ValidationError as exc:
            say(self.session_note, exc.describe(), error=True)
            return None
        self.session_button.setEnabled(False)
        say(self.session_note, "Creating a session token…")
        try:
            token = await self.client.create_session_token(group)
        except InspectorError as exc:
            say(self.session_note, f"No token: {qala_error_words(exc)}", error=True)
            return None
        finally:
            self.session_button.setEnabled(True)
        self.session_token.setText(token)
        self.copy_button.setEnabled(True)
        say(self.session_note, "A new session token: copy it now — it is not kept and is cleared when you leave.")
        return token

    def copy_token(self) -> None:
        token = self.session_token.text()
        if token:
            QGuiApplication.clipboard().setText(token)
            say(self.session_note, "Copied to the clipboard.")

    def clear_token(self) -> None:
        """The session token leaves the screen, and the clipboard too if it still holds it."""
        shown = self.session_token.text()
        if shown:
            clipboard = QGuiApplication.clipboard()
            if clipboard.text() == shown:
                clipboard.clear()
        self.session_token.clear()
        self.copy_button.setEnabled(False)

    def hideEvent(self, event: QHideEvent) -> None:
        self.clear_token()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.clear_token()
        super().closeEvent(event)

    async def stop(self) -> None:
        self._check_timer.stop()
        self.clear_token()
        await self._saves.join()  # a write of the known topics ends (it is short, and bounded by SAVE_TIMEOUT)
        await self.tasks.cancel_all()

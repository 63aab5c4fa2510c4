"""The panels of the further services: Qala publishing and session tokens, Boomi event-notification
subscriptions, and an app's transient messages (Messaging Resource API).

Each panel calls its core client and shows what happened in words; it never builds a request or reads the
service's JSON itself. Every task a panel starts is kept until it ends and cancelled by ``stop()``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QFont, QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.drafts import summarize_results
from inspector.core.errors import ApiError, InspectorError, PublishInputError, ValidationError
from inspector.core.jsoninput import JsonSyntaxError, parse_publish_input
from inspector.core.models import ItemResult, Outcome
from inspector.core.publisher import UNKNOWN_PREFIX
from inspector.core.services import POST_MESSAGES
from inspector.core.services.boomi import (
    DESTINATION_TYPES,
    LOG_LEVELS,
    MAX_PAGE_SIZE,
    BoomiClient,
    OperationStatus,
    Subscription,
    check_subscription,
    error_messages,
)
from inspector.core.services.messaging import (
    AppMessage,
    AppMessageWatch,
    MessagingClient,
    WatchUpdate,
    check_app_id,
)
from inspector.core.services.qala import (
    NO_ID_WORDS,
    QalaClient,
    check_events,
    check_guid,
    check_topic_name,
    problem_of,
)
from inspector.ui.editor import JsonEditor
from inspector.ui.widgets import plain_label, plain_message_box, plain_tooltip, set_text

Index = QModelIndex | QPersistentModelIndex
CHECK_DELAY_MS = 200  # the events are checked this long after the last keystroke
PAGE_SIZE_DELAY_MS = 300  # the page is read again this long after the page size last changed
SHOWN_PROBLEMS = 8
ERROR_STYLE = "color: #c62828"
GREY = QColor("#8a8a8a")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_CHECK = Qt.ItemDataRole.CheckStateRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_OUTCOME_WORDS = {
    Outcome.SUCCESS: "published",
    Outcome.FAILED: "failed",
    Outcome.UNKNOWN: "unknown — may have been published",
}
_OUTCOME_COLORS = {Outcome.SUCCESS: "#2e7d32", Outcome.FAILED: "#c62828", Outcome.UNKNOWN: "#9a6700"}
_WHERE_EVENT = re.compile(r"^event (\d+)(?:\.(.+))?$")


def _header(headers: Sequence[str], section: int, orientation: Qt.Orientation, role: int) -> Any:
    if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(headers):
        return headers[section]
    return None


def _say(label: QLabel, text: str, *, error: bool = False) -> None:
    set_text(label, text)
    label.setStyleSheet(ERROR_STYLE if error else "")


def _words_label() -> QLabel:
    label = plain_label(wrap=True)  # a service's words, shown as it sent them
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _Tasks:
    """Strong references to the tasks a panel started, cancelled together."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:  # a bug, not a service's refusal (those are said in words by the task itself)
            task.get_loop().call_exception_handler(
                {"message": "a panel's task failed", "exception": error, "task": task}
            )

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    async def cancel_all(self) -> None:
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


# ================================================================================================================
# Qala
# ================================================================================================================
def qala_error_words(error: InspectorError) -> str:
    """A Qala error in words: the problem's title, status, detail, each entry and the trace id."""
    if isinstance(error, ApiError):
        problem = problem_of(error)
        if problem is not None and (problem.title or problem.detail or problem.errors):
            text = problem.describe().replace("\n  ", "\n")
            return text + (f"\nhint: {error.hint}" if error.hint else "")
    return error.describe()


def describe_event_problem(problem: ValidationError) -> str:
    """``event 2, field type: 'a b' is not a valid event type`` from a check's error."""
    match = _WHERE_EVENT.match(problem.where)
    if match is None:
        return problem.message
    place = f"event {match.group(1)}" + (f", field {match.group(2)}" if match.group(2) else "")
    return f"{place}: {problem.reason}" + (f" ({problem.hint})" if problem.hint else "")


@dataclass(frozen=True, slots=True)
class EventResult:
    result: ItemResult
    event_type: str


EventResultRole = Qt.ItemDataRole.UserRole + 1  # the EventResult of a row
FullTextRole = Qt.ItemDataRole.UserRole + 5  # a cell's whole text, line breaks kept (its tooltip, not escaped)
COL_INDEX, COL_TYPE, COL_RESULT, COL_DETAIL = range(4)


class EventResultsModel(QAbstractTableModel):
    """One row per event of the last publish: its index, type, result, and the id or the server's words."""

    HEADERS = ("Event", "Type", "Result", "Event ID / error")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EventResult] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return _header(self.HEADERS, section, orientation, role)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        result, column = row.result, index.column()
        if role == EventResultRole:
            return row
        if role in (_DISPLAY, _TOOLTIP, FullTextRole):
            if column == COL_INDEX:
                return str(result.index)
            if column == COL_TYPE:
                return row.event_type
            if column == COL_RESULT:
                return _OUTCOME_WORDS[result.outcome]
            if column == COL_DETAIL:
                text = (result.message_id or NO_ID_WORDS if result.ok else result.error) or ""
                text = text.removeprefix(UNKNOWN_PREFIX) if result.outcome is not Outcome.UNKNOWN else text
                if role == _DISPLAY:
                    return text.replace("\n", " ")
                return plain_tooltip(text) if role == _TOOLTIP else text
        elif role == _FOREGROUND and column == COL_RESULT:
            return QColor(_OUTCOME_COLORS[result.outcome])
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


class QalaPanel(QWidget):
    """Publish events to a Qala topic (or routed by type), with a result per event; create session tokens."""

    finished = Signal(object)  # list[ItemResult], after each publish

    def __init__(self, client: QalaClient, profile_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name
        self.tasks = _Tasks()

        self.topic = QLineEdit()
        self.topic.setPlaceholderText("Topic name — leave empty to publish without a topic (routed by event type)")
        self.editor = JsonEditor()
        self.editor.setPlaceholderText(
            'A JSON array of events, one event, or JSON Lines: {"type": "order.created", "data": {...}}'
        )
        self.check = _words_label()
        self.publish_button = QPushButton("Publish")
        self.results = EventResultsModel()
        self.results_view = QTableView()
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setWordWrap(False)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.results_view.horizontalHeader().setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = plain_label()
        self.result_detail = _words_label()  # the selected event's result in full

        self.group_id = QLineEdit()
        self.group_id.setPlaceholderText("Subscriber group id (a GUID, 8-4-4-4-12 hexadecimal digits)")
        self.session_button = QPushButton("Create session token")
        self.session_token = QLineEdit()
        self.session_token.setReadOnly(True)
        self.session_token.setPlaceholderText("The token is shown here once; it is not kept")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setEnabled(False)
        self.session_note = _words_label()

        top = QHBoxLayout()
        top.addWidget(plain_label(f"Environment {client.environment_id}"))
        top.addWidget(self.topic, 1)
        top.addWidget(self.publish_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.check)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.results_view, 1)
        right_layout.addWidget(self.result_detail)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

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
        self.results_view.selectionModel().currentRowChanged.connect(self._show_detail)

    # ----- checking ---------------------------------------------------------------------------------------------
    def check_now(self) -> list[dict[str, Any]] | None:
        """Check the editor's text now and say what it is, or each bad event by index and field."""
        self._check_timer.stop()
        text = self.editor.toPlainText()
        if not text.strip():
            self.editor.mark_error(None)
            _say(self.check, "")
            return None
        try:
            parsed = parse_publish_input(text, source="events")
            events = check_events(parsed.items)
        except JsonSyntaxError as exc:
            self.editor.mark_error(exc.line, exc.column, exc.reason)
            _say(self.check, exc.message, error=True)
            return None
        except PublishInputError as exc:
            self.editor.mark_error(None)
            lines = [describe_event_problem(p) for p in exc.problems[:SHOWN_PROBLEMS]]
            more = len(exc.problems) - len(lines)
            count = len(exc.problems)
            head = f"{count} bad event{'s' if count != 1 else ''}; nothing will be sent:"
            tail = [f"and {more} more"] if more > 0 else []
            _say(self.check, "\n".join([head, *(f"• {line}" for line in lines), *tail]), error=True)
            return None
        except ValidationError as exc:
            self.editor.mark_error(None)
            _say(self.check, exc.describe(), error=True)
            return None
        self.editor.mark_error(None)
        what = "one event" if len(events) == 1 else f"{len(events):,} events ({parsed.form})"
        _say(self.check, f"Ready to publish {what} {self._destination()}")
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
                _say(self.check, "Nothing to publish: write a JSON array of events.", error=True)
            return None
        name = self.topic.text().strip()
        topic: str | None = None
        if name:
            try:
                topic = check_topic_name(name)
            except ValidationError as exc:
                _say(self.check, f"Not sent — {exc.describe()}", error=True)
                return None
        self.publish_button.setEnabled(False)
        _say(self.check, f"Publishing {len(events):,} event{'s' if len(events) != 1 else ''} {self._destination()}…")
        try:
            results = await self.client.publish_events(events, topic)
        except InspectorError as exc:
            _say(self.check, f"Not sent — {exc.describe()}", error=True)
            return None
        finally:
            self.publish_button.setEnabled(True)
        self.results.set_results(results, events)
        summary = summarize_results(results)
        set_text(self.summary, summary)
        failed = [r for r in results if not r.ok]
        _say(self.check, f"Sent: {summary}", error=bool(failed))
        set_text(self.result_detail, failed[0].error or "" if failed else "")
        self.finished.emit(results)
        return results

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        index = self.results.index(current.row(), COL_DETAIL)
        row = self.results.data(index, FullTextRole) if current.isValid() else ""
        set_text(self.result_detail, row or "")

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
            _say(self.session_note, exc.describe(), error=True)
            return None
        self.session_button.setEnabled(False)
        _say(self.session_note, "Creating a session token…")
        try:
            token = await self.client.create_session_token(group)
        except InspectorError as exc:
            _say(self.session_note, f"No token: {qala_error_words(exc)}", error=True)
            return None
        finally:
            self.session_button.setEnabled(True)
        self.session_token.setText(token)
        self.copy_button.setEnabled(True)
        _say(self.session_note, "A new session token: copy it now — it is not kept and is cleared when you leave.")
        return token

    def copy_token(self) -> None:
        token = self.session_token.text()
        if token:
            QGuiApplication.clipboard().setText(token)
            _say(self.session_note, "Copied to the clipboard.")

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
        await self.tasks.cancel_all()


# ================================================================================================================
# Boomi
# ================================================================================================================
def boomi_error_words(error: InspectorError) -> str:
    if isinstance(error, ApiError):
        status = f" ({error.status})" if error.status else ""
        return f"The service refused{status}: " + "; ".join(error_messages(error))
    return error.describe()


_CODE_WORDS = {400: "refused", 401: "not allowed", 403: "not allowed", 404: "not found", 0: "without a status"}


def summarize_statuses(statuses: Sequence[OperationStatus], verb: str) -> str:
    """``2 of 3 updated; 1 not found`` for a bulk operation's statuses."""
    done = sum(1 for s in statuses if s.ok)
    parts = [f"{done} of {len(statuses)} {verb}"]
    failed: dict[str, int] = {}
    for status in statuses:
        if not status.ok:
            words = _CODE_WORDS.get(status.code, f"failed with {status.code}")
            failed[words] = failed.get(words, 0) + 1
    parts += [f"{count} {words}" for words, count in failed.items()]
    return "; ".join(parts)


def local_time(millis: int | None) -> str:
    if millis is None:
        return ""
    return datetime.fromtimestamp(millis / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S")


SubscriptionRole = Qt.ItemDataRole.UserRole + 2  # the Subscription of a row
(
    COL_ENABLED,
    COL_EVENT,
    COL_DESTINATION,
    COL_TOPIC,
    COL_ENVIRONMENT,
    COL_LOG_LEVEL,
    COL_UPDATED,
    COL_ID,
) = range(8)
SORT_FIELD_OF = {
    COL_ENABLED: "enabled",
    COL_EVENT: "eventName",
    COL_DESTINATION: "destinationType",
    COL_TOPIC: "eventStreamsTopic",
    COL_ENVIRONMENT: "eventStreamsEnvironment",
    COL_LOG_LEVEL: "logLevel",
    COL_UPDATED: "lastUpdatedDate",
    COL_ID: "subscriptionId",
}


class SubscriptionsModel(QAbstractTableModel):
    """One page of an account's subscriptions. Checking "enabled" asks (``enabledToggled``) to change it in
    place: the new state shows at once, and ``settle`` or ``revert_enabled`` ends it."""

    HEADERS = (
        "Enabled",
        "Event name",
        "Destination",
        "Event Streams topic",
        "Environment",
        "Log level",
        "Last updated (local)",
        "Subscription ID",
    )
    enabledToggled = Signal(int, bool)  # row, the state asked for

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.subscriptions: list[Subscription] = []
        self.pending: dict[str, bool] = {}  # subscription id -> the enabled state being saved

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.subscriptions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return _header(self.HEADERS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_ENABLED:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def enabled_state(self, row: int) -> bool:
        sub = self.subscriptions[row]
        return self.pending.get(sub.subscription_id, sub.enabled)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.subscriptions):
            return None
        sub, column = self.subscriptions[index.row()], index.column()
        if role == SubscriptionRole:
            return sub
        if role == _CHECK and column == COL_ENABLED:
            return Qt.CheckState.Checked if self.enabled_state(index.row()) else Qt.CheckState.Unchecked
        if role == _DISPLAY:
            if column == COL_ENABLED:
                saving = " (saving…)" if sub.subscription_id in self.pending else ""
                return ("enabled" if self.enabled_state(index.row()) else "disabled") + saving
            if column == COL_EVENT:
                return sub.event_name
            if column == COL_DESTINATION:
                return sub.destination_type
            if column == COL_TOPIC:
                return sub.event_streams_topic
            if column == COL_ENVIRONMENT:
                return sub.event_streams_environment
            if column == COL_LOG_LEVEL:
                return sub.log_level
            if column == COL_UPDATED:
                return local_time(sub.last_updated_date)
            if column == COL_ID:
                return sub.subscription_id
        elif role == _TOOLTIP and column == COL_ENABLED:
            return "Check or uncheck to enable or disable this subscription now"
        elif role == _FOREGROUND and sub.subscription_id in self.pending:
            return GREY
        return None

    def setData(self, index: Index, value: Any, role: int = _DISPLAY) -> bool:
        if not index.isValid() or index.column() != COL_ENABLED or role != _CHECK:
            return False
        if not 0 <= index.row() < len(self.subscriptions):
            return False
        sub = self.subscriptions[index.row()]
        if sub.subscription_id in self.pending:
            return False  # one change at a time
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        if checked == sub.enabled:
            return False
        self.pending[sub.subscription_id] = checked
        self._row_changed(index.row())
        self.enabledToggled.emit(index.row(), checked)
        return True

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def row_of(self, subscription_id: str) -> int | None:
        for row, sub in enumerate(self.subscriptions):
            if sub.subscription_id == subscription_id:
                return row
        return None

    def settle(self, subscription: Subscription) -> None:
        """The server's copy of a subscription replaces the row's (its pending change is over)."""
        self.pending.pop(subscription.subscription_id, None)
        row = self.row_of(subscription.subscription_id)
        if row is not None:
            self.subscriptions[row] = subscription
            self._row_changed(row)

    def revert_enabled(self, subscription_id: str) -> None:
        self.pending.pop(subscription_id, None)
        row = self.row_of(subscription_id)
        if row is not None:
            self._row_changed(row)

    def set_subscriptions(self, subscriptions: Iterable[Subscription]) -> None:
        self.beginResetModel()
        self.subscriptions = list(subscriptions)
        self.pending.clear()
        self.endResetModel()


BulkStatusRole = Qt.ItemDataRole.UserRole + 3
COL_BULK_ID, COL_BULK_CODE, COL_BULK_MESSAGE = range(3)


class BulkResultsModel(QAbstractTableModel):
    """A bulk operation's status per subscription (the 207 answer), in input order."""

    HEADERS = ("Subscription ID", "Code", "Message")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.statuses: list[OperationStatus] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.statuses)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return _header(self.HEADERS, section, orientation, role)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.statuses):
            return None
        status, column = self.statuses[index.row()], index.column()
        if role == BulkStatusRole:
            return status
        if role == _DISPLAY:
            if column == COL_BULK_ID:
                return status.subscription_id
            if column == COL_BULK_CODE:
                return str(status.code) if status.code else "—"
            if column == COL_BULK_MESSAGE:
                return status.message
        elif role == _FOREGROUND and column == COL_BULK_CODE:
            return QColor(_OUTCOME_COLORS[Outcome.SUCCESS if status.ok else Outcome.FAILED])
        return None

    def set_statuses(self, statuses: Iterable[OperationStatus]) -> None:
        self.beginResetModel()
        self.statuses = list(statuses)
        self.endResetModel()


EMAIL_NOTE = "EMAIL is not supported by the service today: only EVENT_STREAMS"


class SubscriptionDialog(QDialog):
    """The fields of a new subscription, or of one to edit (``fields()`` gives what to send)."""

    def __init__(self, parent: QWidget | None = None, subscription: Subscription | None = None) -> None:
        super().__init__(parent)
        self.subscription = subscription
        self.setWindowTitle("Edit subscription" if subscription else "New subscription")
        self.event_name = QLineEdit()
        self.event_name.setPlaceholderText("e.g. Atom.Status")
        self.destination_type = QComboBox()
        self.destination_type.addItems(list(DESTINATION_TYPES))  # EVENT_STREAMS first
        self.destination_note = QLabel(EMAIL_NOTE)
        self.destination_note.setWordWrap(True)
        self.topic = QLineEdit()
        self.environment = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText("only for EMAIL")
        self.log_level = QComboBox()
        self.log_level.addItems(list(LOG_LEVELS))
        self.enabled = QCheckBox("Enabled")
        self.enabled.setChecked(True)
        form = QFormLayout(self)
        form.addRow("Event name", self.event_name)
        form.addRow("Destination", self.destination_type)
        form.addRow("", self.destination_note)
        form.addRow("Event Streams topic", self.topic)
        form.addRow("Event Streams environment", self.environment)
        form.addRow("Destination email", self.email)
        form.addRow("Log level", self.log_level)
        form.addRow("", self.enabled)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.destination_type.currentTextChanged.connect(self._destination_changed)
        if subscription is not None:
            raw = subscription.raw
            self.event_name.setText(subscription.event_name)
            self.destination_type.setCurrentText(subscription.destination_type or DESTINATION_TYPES[0])
            self.topic.setText(subscription.event_streams_topic)
            environment = raw.get("eventStreamsEnvironment")
            self.environment.setText(environment if isinstance(environment, str) else "")
            self.email.setText(subscription.destination_email)
            self.log_level.setCurrentText(subscription.log_level or LOG_LEVELS[0])
            self.enabled.setChecked(subscription.enabled)
        self._destination_changed(self.destination_type.currentText())

    def _destination_changed(self, kind: str) -> None:
        self.destination_note.setStyleSheet(ERROR_STYLE if kind == "EMAIL" else "")
        self.email.setEnabled(kind == "EMAIL")

    def fields(self) -> dict[str, Any]:
        kind = self.destination_type.currentText()
        fields: dict[str, Any] = {
            "eventName": self.event_name.text().strip(),
            "destinationType": kind,
            "logLevel": self.log_level.currentText(),
            "enabled": self.enabled.isChecked(),
        }
        for key, edit in (("eventStreamsTopic", self.topic), ("eventStreamsEnvironment", self.environment)):
            if edit.text().strip():
                fields[key] = edit.text().strip()
        if kind == "EMAIL" and self.email.text().strip():
            fields["destinationEmail"] = self.email.text().strip()
        return fields

    def changes(self) -> dict[str, Any]:
        """The fields that differ from the subscription being edited (all of them for a new one)."""
        fields = self.fields()
        if self.subscription is None:
            return fields
        before = self.subscription.editable()
        return {key: value for key, value in fields.items() if before.get(key) != value}


class TypedConfirmDialog(QDialog):
    """Asks the user to type ``expected``; OK is enabled only when the text matches it."""

    def __init__(self, expected: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.expected = expected
        self.setWindowTitle("Delete all subscriptions")
        self.label = plain_label(text)
        self.label.setWordWrap(True)
        self.line = QLineEdit()
        self.line.setPlaceholderText(expected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Delete all")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.line)
        layout.addWidget(self.buttons)
        self.line.textChanged.connect(lambda text: self.ok_button.setEnabled(text == self.expected))


class ReplaceAllDialog(QDialog):
    """The account's subscriptions as JSON, to edit and save at once (Boomi's "update all"): entries keep their
    subscriptionId, new entries have none, and a subscription left out is deleted."""

    def __init__(self, parent: QWidget | None, text: str, account_id: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Replace all subscriptions of {account_id}")
        self.items: list[dict[str, Any]] | None = None
        warning = QLabel(
            "The account's subscriptions become exactly this list: one left out is deleted, one without a "
            "subscriptionId is created."
        )
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #9a6700")
        self.editor = JsonEditor()
        self.editor.setPlainText(text)
        self.error = _words_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    def _save(self) -> None:
        try:
            value = json.loads(self.editor.toPlainText() or "[]")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ValidationError("must be a JSON list of subscription objects", where="subscriptions")
            for index, item in enumerate(value):
                check_subscription(item, where=f"subscription {index}")
        except json.JSONDecodeError as exc:
            _say(self.error, f"Not valid JSON: line {exc.lineno}, col {exc.colno}: {exc.msg}", error=True)
            return
        except ValidationError as exc:
            _say(self.error, exc.describe(), error=True)
            return
        self.items = value
        self.accept()


class BoomiPanel(QWidget):
    """An account's subscriptions: a page at a time, sorted by the server; create, edit, enable, delete."""

    openTopicRequested = Signal(str)  # an Event Streams topic name

    def __init__(
        self,
        client: BoomiClient,
        profile_name: str,
        can_open_topic: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name
        self.can_open_topic = can_open_topic
        self.tasks = _Tasks()
        self.page_number = 0
        self.total_pages = 0
        self.total_elements = 0
        self.sort_by = "createdDate"
        self.sort_direction = "ASC"
        self.form: SubscriptionDialog | None = None
        self.confirm: TypedConfirmDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._listed = False  # the first page is read when the panel is first shown
        self._refreshes = 0  # only the latest refresh's answer is shown

        self.model = SubscriptionsModel()
        self.table = QTableView()
        self.model.setParent(self.table)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(True)
        header.setToolTip("Click a column to sort by it (the service sorts); click again to reverse")

        self.refresh_button = QPushButton("Refresh")
        self.new_button = QPushButton("New…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.delete_all_button = QPushButton("Delete all…")
        self.replace_all_button = QPushButton("Replace all…")
        self.replace_all_button.setToolTip(
            "Edit the account's subscriptions as one JSON list; what is left out is deleted"
        )
        self.enable_button = QPushButton("Enable selected")
        self.disable_button = QPushButton("Disable selected")
        self.delete_selected_button = QPushButton("Delete selected")
        self.open_topic_button = QPushButton("Open topic")
        self.open_topic_button.setToolTip("Open the Event Streams topic this subscription sends to")
        buttons = QHBoxLayout()
        for button in (
            self.refresh_button,
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.delete_all_button,
            self.replace_all_button,
            self.enable_button,
            self.disable_button,
            self.delete_selected_button,
            self.open_topic_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.page_label = plain_label()
        self.page_size = QSpinBox()
        self.page_size.setRange(1, MAX_PAGE_SIZE)
        self.page_size.setValue(20)
        self.page_size.setPrefix("page size ")
        paging = QHBoxLayout()
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        paging.addStretch(1)
        paging.addWidget(self.page_size)

        self.notice = _words_label()
        self.bulk_results = QTableView()
        self.bulk_model = BulkResultsModel(self.bulk_results)
        self.bulk_results.setModel(self.bulk_model)
        self.bulk_results.verticalHeader().hide()
        self.bulk_results.horizontalHeader().setStretchLastSection(True)
        self.bulk_summary = plain_label()
        bulk_box = QGroupBox("Last bulk operation")
        bulk_layout = QVBoxLayout(bulk_box)
        bulk_layout.addWidget(self.bulk_summary)
        bulk_layout.addWidget(self.bulk_results)

        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a subscription to see it as the service has it now")
        detail_box = QGroupBox("Subscription")
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.addWidget(self.detail)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.table)
        top.addWidget(detail_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bulk_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.replace_dialog: ReplaceAllDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(f"Account {client.account_id}"))
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addLayout(paging)
        layout.addWidget(self.notice)

        self.refresh_button.clicked.connect(lambda: self.tasks.spawn(self.refresh()))
        self.prev_button.clicked.connect(lambda: self.go_to_page(self.page_number - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.page_number + 1))
        self._page_size_timer = QTimer(self)
        self._page_size_timer.setSingleShot(True)
        self._page_size_timer.setInterval(PAGE_SIZE_DELAY_MS)
        self._page_size_timer.timeout.connect(lambda: self.go_to_page(0))
        self.page_size.valueChanged.connect(self._page_size_timer.start)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.new_button.clicked.connect(lambda: self.open_form(None))
        self.edit_button.clicked.connect(self._edit_clicked)
        self.delete_button.clicked.connect(self._delete_clicked)
        self.delete_all_button.clicked.connect(self.ask_delete_all)
        self.replace_all_button.clicked.connect(lambda: self.tasks.spawn(self.ask_replace_all()))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.enable_button.clicked.connect(lambda: self.tasks.spawn(self.bulk_set_enabled(self.selected_ids(), True)))
        self.disable_button.clicked.connect(lambda: self.tasks.spawn(self.bulk_set_enabled(self.selected_ids(), False)))
        self.delete_selected_button.clicked.connect(lambda: self.tasks.spawn(self.delete_selected()))
        self.open_topic_button.clicked.connect(self.open_topic)
        self.model.enabledToggled.connect(self._enabled_toggled)
        self.model.modelReset.connect(self._update_buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda index: self.open_form(self._subscription_at(index.row())))
        self._update_paging()
        self._update_buttons()

    # ----- selection --------------------------------------------------------------------------------------------
    def _subscription_at(self, row: int) -> Subscription | None:
        return self.model.subscriptions[row] if 0 <= row < len(self.model.subscriptions) else None

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    def selected_ids(self) -> list[str]:
        return [self.model.subscriptions[row].subscription_id for row in self.selected_rows()]

    def selected(self) -> Subscription | None:
        rows = self.selected_rows()
        return self._subscription_at(rows[0]) if len(rows) == 1 else None

    def select_rows(self, rows: Iterable[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)

    def topic_to_open(self) -> str | None:
        sub = self.selected()
        if sub is None or sub.destination_type != "EVENT_STREAMS" or not sub.event_streams_topic:
            return None
        return sub.event_streams_topic if self.can_open_topic(sub.event_streams_topic) else None

    def _update_buttons(self, *_: object) -> None:
        count = len(self.selected_rows())
        self.edit_button.setEnabled(count == 1)
        self.delete_button.setEnabled(count == 1)
        for button in (self.enable_button, self.disable_button, self.delete_selected_button):
            button.setEnabled(count > 0)
        self.delete_all_button.setEnabled(self.total_elements > 0)
        self.open_topic_button.setEnabled(self.topic_to_open() is not None)

    def open_topic(self) -> None:
        topic = self.topic_to_open()
        if topic is not None:
            self.openTopicRequested.emit(topic)

    # ----- listing ----------------------------------------------------------------------------------------------
    def _update_paging(self) -> None:
        pages = max(self.total_pages, 1)
        things = "subscription" if self.total_elements == 1 else "subscriptions"
        set_text(self.page_label, f"page {self.page_number + 1} of {pages} · {self.total_elements} {things}")
        self.prev_button.setEnabled(self.page_number > 0)
        self.next_button.setEnabled(self.page_number + 1 < self.total_pages)

    def go_to_page(self, number: int) -> None:
        self.page_number = max(0, number)
        self.tasks.spawn(self.refresh())

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        field_name = SORT_FIELD_OF.get(section)
        if field_name is None:
            return
        self.sort_by = field_name
        self.sort_direction = "ASC" if order == Qt.SortOrder.AscendingOrder else "DESC"
        self.page_number = 0
        self.tasks.spawn(self.refresh())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._listed:
            self._listed = True
            self.tasks.spawn(self.refresh())

    async def refresh(self) -> bool:
        """Read the current page again (the last one, when it is beyond the end). When another refresh starts
        meanwhile, its answer is the one shown."""
        self._listed = True
        self._refreshes += 1
        mine = self._refreshes
        for _attempt in range(2):
            try:
                page = await self.client.list_page(
                    page_number=self.page_number,
                    page_size=self.page_size.value(),
                    sort_by=self.sort_by,
                    sort_direction=self.sort_direction,
                )
            except InspectorError as exc:
                if mine == self._refreshes:
                    _say(self.notice, f"Cannot list the subscriptions: {boomi_error_words(exc)}", error=True)
                return False
            if mine != self._refreshes:
                return True
            self.total_pages, self.total_elements = page.total_pages, page.total_elements
            if not page.subscriptions and self.page_number > 0 and page.total_pages > 0:
                self.page_number = page.total_pages - 1
                continue
            self.page_number = page.page_number
            break
        self.model.set_subscriptions(page.subscriptions)
        self._update_paging()
        self._update_buttons()
        return True

    # ----- one subscription -----------------------------------------------------------------------------------
    def _selection_changed(self, *_: object) -> None:
        sub = self.selected()
        if sub is None:
            self.detail.clear()
        else:
            self.tasks.spawn(self.view(sub.subscription_id))

    async def view(self, subscription_id: str) -> Subscription | None:
        """Read one subscription from the service and show all of its fields."""
        try:
            sub = await self.client.get(subscription_id)
        except InspectorError as exc:
            self.detail.setPlainText(f"Cannot read {subscription_id}: {boomi_error_words(exc)}")
            return None
        current = self.selected()
        if current is not None and current.subscription_id == subscription_id:
            self.detail.setPlainText(json.dumps(dict(sub.raw), indent=2, ensure_ascii=False))
        return sub

    # ----- all at once ------------------------------------------------------------------------------------------
    async def ask_replace_all(self) -> ReplaceAllDialog | None:
        """The account's subscriptions as one JSON list to edit; saving makes them exactly that list."""
        try:
            everything = await self.client.list_all()
        except InspectorError as exc:
            _say(self.notice, f"Cannot list the subscriptions: {boomi_error_words(exc)}", error=True)
            return None
        rows = [{"subscriptionId": s.subscription_id, **s.editable()} for s in everything]
        dialog = ReplaceAllDialog(self, json.dumps(rows, indent=2, ensure_ascii=False), self.client.account_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.replace_dialog = dialog

        def finished(code: int) -> None:
            self.replace_dialog = None
            if code == QDialog.DialogCode.Accepted and dialog.items is not None:
                self.tasks.spawn(self.replace_all(dialog.items))

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    async def replace_all(self, items: list[dict[str, Any]]) -> list[Subscription] | None:
        try:
            result = await self.client.update_all(items)
        except InspectorError as exc:
            _say(self.notice, f"Nothing was replaced: {boomi_error_words(exc)}", error=True)
            return None
        _say(self.notice, f"The account now has exactly {len(result)} subscription{'s' if len(result) != 1 else ''}.")
        await self.refresh()
        return result

    def open_form(self, subscription: Subscription | None) -> SubscriptionDialog:
        dialog = SubscriptionDialog(self, subscription)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form = dialog

        def finished(code: int) -> None:
            self.form = None
            if code != QDialog.DialogCode.Accepted:
                return
            if subscription is None:
                self.tasks.spawn(self.create_subscription(dialog.fields()))
            else:
                self.tasks.spawn(self.update_subscription(subscription.subscription_id, dialog.changes()))

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _edit_clicked(self) -> None:
        sub = self.selected()
        if sub is not None:
            self.open_form(sub)

    async def create_subscription(self, fields: dict[str, Any]) -> Subscription | None:
        try:
            created = await self.client.create([fields])
        except InspectorError as exc:
            _say(self.notice, f"Not created: {boomi_error_words(exc)}", error=True)
            return None
        sub = created[0] if created else None
        _say(self.notice, f"Created {sub.event_name} ({sub.subscription_id})." if sub else "Created.")
        await self.refresh()
        return sub

    async def update_subscription(self, subscription_id: str, changes: dict[str, Any]) -> Subscription | None:
        if not changes:
            _say(self.notice, "Nothing changed.")
            return None
        try:
            sub = await self.client.update(subscription_id, changes)
        except InspectorError as exc:
            _say(self.notice, f"Not updated: {boomi_error_words(exc)}", error=True)
            return None
        _say(self.notice, f"Updated {sub.event_name} ({sub.subscription_id}).")
        await self.refresh()
        return sub

    def _enabled_toggled(self, row: int, enabled: bool) -> None:
        sub = self._subscription_at(row)
        if sub is not None:
            self.tasks.spawn(self._save_enabled(sub, enabled))

    async def set_enabled(self, row: int, enabled: bool) -> Subscription | None:
        """Enable or disable the subscription of ``row`` in place, as checking its box does."""
        sub = self._subscription_at(row)
        if sub is None:
            return None
        if sub.enabled == enabled:
            return sub
        if sub.subscription_id in self.model.pending:
            _say(self.notice, "A change of this subscription is still being saved.", error=True)
            return None
        self.model.pending[sub.subscription_id] = enabled
        self.model._row_changed(row)
        return await self._save_enabled(sub, enabled)

    async def _save_enabled(self, sub: Subscription, enabled: bool) -> Subscription | None:
        try:
            fresh = await self.client.set_enabled(sub.subscription_id, enabled)
        except InspectorError as exc:
            self.model.revert_enabled(sub.subscription_id)
            words = "enabled" if enabled else "disabled"
            _say(self.notice, f"{sub.event_name} was not {words}: {boomi_error_words(exc)}", error=True)
            return None
        except asyncio.CancelledError:
            self.model.revert_enabled(sub.subscription_id)
            raise
        self.model.settle(fresh)
        _say(self.notice, f"{fresh.event_name} is now {'enabled' if fresh.enabled else 'disabled'}.")
        return fresh

    def _delete_clicked(self) -> None:
        sub = self.selected()
        if sub is None:
            return
        box = plain_message_box(  # the event name is the service's text
            QMessageBox.Icon.Warning,
            "Delete subscription",
            f"Delete the subscription {sub.event_name} ({sub.subscription_id})?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(code: int) -> None:
            self.confirm_box = None
            if code == QMessageBox.StandardButton.Yes:
                self.tasks.spawn(self.delete(sub.subscription_id))

        box.finished.connect(finished)
        self.confirm_box = box
        box.open()

    async def delete(self, subscription_id: str) -> bool:
        try:
            await self.client.delete(subscription_id)
        except InspectorError as exc:
            _say(self.notice, f"Not deleted: {boomi_error_words(exc)}", error=True)
            return False
        _say(self.notice, f"Deleted {subscription_id}.")
        await self.refresh()
        return True

    # ----- all, and bulk ----------------------------------------------------------------------------------------
    def ask_delete_all(self) -> TypedConfirmDialog:
        account = self.client.account_id
        dialog = TypedConfirmDialog(
            account,
            f"This deletes every subscription of account {account} ({self.total_elements} now). "
            f"Type the account id, {account}, to confirm.",
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm = dialog

        def finished(code: int) -> None:
            self.confirm = None
            if code == QDialog.DialogCode.Accepted:
                self.tasks.spawn(self.delete_all(dialog.line.text()))

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    async def delete_all(self, confirmation: str) -> bool:
        """Delete every subscription of the account, when ``confirmation`` is the account id exactly."""
        account = self.client.account_id
        if confirmation != account:
            _say(self.notice, f"Nothing deleted: type the account id {account!r} exactly to confirm.", error=True)
            return False
        try:
            await self.client.delete_all()
        except InspectorError as exc:
            _say(self.notice, f"Not deleted: {boomi_error_words(exc)}", error=True)
            return False
        _say(self.notice, f"Deleted every subscription of account {account}.")
        self.page_number = 0
        await self.refresh()
        return True

    def _show_bulk(self, statuses: list[OperationStatus], verb: str) -> None:
        self.bulk_model.set_statuses(statuses)
        summary = summarize_statuses(statuses, verb)
        set_text(self.bulk_summary, summary)
        _say(self.notice, summary.capitalize() + ".", error=not all(s.ok for s in statuses))

    async def delete_selected(self) -> list[OperationStatus] | None:
        return await self.bulk_delete(self.selected_ids())

    async def bulk_delete(self, ids: Sequence[str]) -> list[OperationStatus] | None:
        if not ids:
            _say(self.notice, "Select the subscriptions to delete first.", error=True)
            return None
        try:
            statuses = await self.client.bulk_delete(list(ids))
        except InspectorError as exc:
            _say(self.notice, f"Nothing deleted: {boomi_error_words(exc)}", error=True)
            return None
        self._show_bulk(statuses, "deleted")
        await self.refresh()
        return statuses

    async def bulk_set_enabled(self, ids: Sequence[str], enabled: bool) -> list[OperationStatus] | None:
        if not ids:
            _say(self.notice, "Select the subscriptions to change first.", error=True)
            return None
        try:
            statuses = await self.client.bulk_update([{"subscriptionId": i, "enabled": enabled} for i in ids])
        except InspectorError as exc:
            _say(self.notice, f"Nothing changed: {boomi_error_words(exc)}", error=True)
            return None
        self._show_bulk(statuses, "enabled" if enabled else "disabled")
        await self.refresh()
        return statuses

    async def stop(self) -> None:
        self._page_size_timer.stop()
        await self.tasks.cancel_all()


# ================================================================================================================
# Messaging
# ================================================================================================================
ENDED_WORDS = "ended — its messages were deleted by the API"
VANISHED_WORDS = "vanished (transaction ended)"
AppMessageRole = Qt.ItemDataRole.UserRole + 4  # the AppMessage of a message row (None for a transaction)
COL_ITEM, COL_WORKFLOW, COL_SELECTOR, COL_COUNT, COL_STATE = range(5)


@dataclass
class ShownMessage:
    message: AppMessage
    vanished: bool = False


@dataclass
class ShownTransaction:
    transaction_id: str
    messages: list[ShownMessage] = field(default_factory=list)
    ended: bool = False

    @property
    def present(self) -> int:
        return sum(1 for m in self.messages if not m.vanished)


class AppMessagesModel(QAbstractItemModel):
    """An app's messages grouped by transaction, in the order they were first seen. Messages that vanish (their
    transaction ended) stay, greyed and italic, and so does their transaction, marked ended."""

    HEADERS = ("Transaction / label", "Workflow", "Selector", "Messages", "State")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transactions: list[ShownTransaction] = []
        self._rows: dict[str, int] = {}
        self._italic = QFont()
        self._italic.setItalic(True)

    # Top-level indexes carry id 0; a message's index carries its transaction's row + 1.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        if parent.internalId() == 0:
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.transactions)
        if parent.internalId() == 0 and parent.column() == 0 and 0 <= parent.row() < len(self.transactions):
            return len(self.transactions[parent.row()].messages)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return _header(self.HEADERS, section, orientation, role)

    def _item(self, index: Index) -> tuple[ShownTransaction, ShownMessage | None] | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if 0 <= index.row() < len(self.transactions):
                return self.transactions[index.row()], None
            return None
        tx_row = index.internalId() - 1
        if not 0 <= tx_row < len(self.transactions):
            return None
        tx = self.transactions[tx_row]
        if not 0 <= index.row() < len(tx.messages):
            return None
        return tx, tx.messages[index.row()]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        item = self._item(index)
        if item is None:
            return None
        tx, shown = item
        column = index.column()
        if role == AppMessageRole:
            return shown.message if shown is not None else None
        gone = shown.vanished if shown is not None else tx.ended
        if role == _FOREGROUND:
            return GREY if gone else None
        if role == _FONT:
            return self._italic if gone else None
        if role == _TOOLTIP:
            return plain_tooltip(str(self.data(index, _DISPLAY) or ""))
        if role != _DISPLAY:
            return None
        if shown is None:
            if column == COL_ITEM:
                return tx.transaction_id
            if column == COL_COUNT:
                return str(len(tx.messages))
            if column == COL_STATE:
                return ENDED_WORDS if tx.ended else "running"
            return ""
        message = shown.message
        if column == COL_ITEM:
            return message.label
        if column == COL_WORKFLOW:
            return message.workflow_id
        if column == COL_SELECTOR:
            return message.selector
        if column == COL_STATE:
            return VANISHED_WORDS if shown.vanished else "present"
        return ""

    def _changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        self.dataChanged.emit(top, bottom)

    def _tx_changed(self, row: int) -> None:
        self._changed(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def _transaction(self, transaction_id: str) -> int:
        row = self._rows.get(transaction_id)
        if row is None:
            row = len(self.transactions)
            self.beginInsertRows(QModelIndex(), row, row)
            self.transactions.append(ShownTransaction(transaction_id))
            self._rows[transaction_id] = row
            self.endInsertRows()
        return row

    def apply(self, update: WatchUpdate) -> None:
        """Add the new messages, mark the vanished ones and the ended transactions (nothing is removed)."""
        by_tx: dict[str, list[AppMessage]] = {}
        for message in update.new:
            by_tx.setdefault(message.transaction_id, []).append(message)
        for tx_id, messages in by_tx.items():
            row = self._transaction(tx_id)
            tx = self.transactions[row]
            parent = self.index(row, 0)
            first = len(tx.messages)
            self.beginInsertRows(parent, first, first + len(messages) - 1)
            tx.messages += [ShownMessage(m) for m in messages]
            self.endInsertRows()
            if tx.ended:
                tx.ended = False  # a post to an ended transaction starts it again
            self._tx_changed(row)
        for message in update.vanished:
            found = self._rows.get(message.transaction_id)
            if found is None:
                continue
            row = found
            tx = self.transactions[row]
            for number, shown in enumerate(tx.messages):
                if not shown.vanished and shown.message.key == message.key:
                    shown.vanished = True
                    parent = self.index(row, 0)
                    self._changed(self.index(number, 0, parent), self.index(number, len(self.HEADERS) - 1, parent))
                    break
        for tx_id in update.ended_transactions:
            ended = self._rows.get(tx_id)
            if ended is not None and not self.transactions[ended].ended:
                self.transactions[ended].ended = True
                self._tx_changed(ended)

    def clear(self) -> None:
        self.beginResetModel()
        self.transactions = []
        self._rows = {}
        self.endResetModel()

    def messages(self, transaction_id: str) -> list[ShownMessage]:
        row = self._rows.get(transaction_id)
        return list(self.transactions[row].messages) if row is not None else []

    def transaction(self, transaction_id: str) -> ShownTransaction | None:
        row = self._rows.get(transaction_id)
        return self.transactions[row] if row is not None else None


def split_selectors(text: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", text) if part]


class MessagesPanel(QWidget):
    """Watch an app's messages, grouped by transaction; post messages when the profile is a workflow container."""

    def __init__(self, client: MessagingClient, profile_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name
        self.tasks = _Tasks()
        self.watch_interval = 2.0
        self.reconcile_every = 3
        self.watcher: AppMessageWatch | None = None
        self.watch_task: asyncio.Task[Any] | None = None

        self.app_id = QLineEdit()
        self.app_id.setPlaceholderText("App id, such as 123")
        self.watch_button = QPushButton("Watch")
        self.status = _words_label()
        self.model = AppMessagesModel()
        self.tree = QTreeView()
        self.model.setParent(self.tree)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.post_group = QGroupBox("Post a message (workflow container)")
        self.post_transaction = QLineEdit()
        self.post_workflow = QLineEdit()
        self.post_label = QLineEdit()
        self.post_selectors = QLineEdit()
        self.post_selectors.setPlaceholderText("recipients, separated by commas or spaces")
        self.post_button = QPushButton("Post")
        self.post_result = _words_label()
        post_form = QFormLayout(self.post_group)
        post_form.addRow("Transaction", self.post_transaction)
        post_form.addRow("Workflow", self.post_workflow)
        post_form.addRow("Label", self.post_label)
        post_form.addRow("Selectors", self.post_selectors)
        post_form.addRow(self.post_button)
        post_form.addRow(self.post_result)
        self.post_group.setVisible(POST_MESSAGES in client.capabilities)

        top = QHBoxLayout()
        top.addWidget(QLabel("App"))
        top.addWidget(self.app_id, 1)
        top.addWidget(self.watch_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.post_group)

        self.watch_button.clicked.connect(self._watch_clicked)
        self.app_id.returnPressed.connect(lambda: self.watch())
        self.post_button.clicked.connect(lambda: self.tasks.spawn(self.post_now()))
        self.model.rowsInserted.connect(self._expand)

    @property
    def watching(self) -> bool:
        return self.watch_task is not None and not self.watch_task.done()

    def _watch_clicked(self) -> None:
        if self.watching:
            self.tasks.spawn(self.stop_watch())
        else:
            self.watch()

    def _expand(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for row in range(first, last + 1):
                self.tree.expand(self.model.index(row, 0))

    def watch(self, app_id: str | None = None) -> None:
        """Start watching ``app_id`` (or the field's app), replacing a watch of another app."""
        if app_id is not None:
            self.app_id.setText(app_id)
        try:
            app = check_app_id(self.app_id.text())
        except ValidationError as exc:
            _say(self.status, exc.describe(), error=True)
            return
        if self.watcher is not None:
            if self.watching and self.watcher.app_id == app:
                return
            self.watcher.stop()
            if self.watcher.app_id != app:
                self.model.clear()
        self.watcher = watcher = AppMessageWatch(
            self.client,
            app,
            self.model.apply,
            interval=self.watch_interval,
            reconcile_every=self.reconcile_every,
            on_status=self._on_status,
        )
        self.watch_task = self.tasks.spawn(self._run(watcher))
        self.watch_button.setText("Stop")
        _say(self.status, f"Watching app {app}…")

    async def _run(self, watcher: AppMessageWatch) -> None:
        try:
            await watcher.run()
        except InspectorError:
            pass  # on_status said why it stopped
        finally:
            if watcher is self.watcher:
                self.watch_button.setText("Watch")

    def _on_status(self, text: str) -> None:
        _say(self.status, text, error=text.startswith(("stopped:", "retrying")))

    async def stop_watch(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        task = self.watch_task
        if task is not None and not task.done():
            await asyncio.gather(task, return_exceptions=True)
        self.watch_button.setText("Watch")

    async def post_now(self) -> list[AppMessage] | None:
        """Post the form's message to each selector; the local check or the server's refusal is said in words."""
        if POST_MESSAGES not in self.client.capabilities:
            _say(self.post_result, "Only the workflow containers of an app can post messages.", error=True)
            return None
        selectors = split_selectors(self.post_selectors.text())
        self.post_button.setEnabled(False)
        try:
            posted = await self.client.post(
                self.app_id.text(),
                self.post_transaction.text().strip(),
                self.post_workflow.text().strip(),
                self.post_label.text().strip(),
                selectors,
            )
        except ApiError as exc:
            words = exc.server_message or exc.message
            _say(self.post_result, f"Not posted — the service refused: {words}", error=True)
            return None
        except InspectorError as exc:
            _say(self.post_result, f"Not posted — {exc.describe()}", error=True)
            return None
        finally:
            self.post_button.setEnabled(True)
        count = len(posted)
        _say(self.post_result, f"Posted {count} message{'s' if count != 1 else ''}.")
        return posted

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        await self.tasks.cancel_all()
        self.watch_button.setText("Watch")

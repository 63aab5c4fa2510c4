"""Qala's panel: publish typed events to a topic (or routed by type) with a result per event, and create a
subscriber group's session token (shown once, never kept)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QGuiApplication, QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QalaClient,
    check_events,
    check_guid,
    check_topic_name,
    problem_of,
)
from inspector.ui.editor import JsonEditor
from inspector.ui.services._common import (
    DISPLAY,
    FOREGROUND,
    OUTCOME_COLORS,
    TOOLTIP,
    Index,
    ServicePanel,
    connection,
    header,
    say,
    words_label,
)
from inspector.ui.widgets import plain_label, plain_tooltip, set_text

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


def open_panel(host: PanelHost, profile: Profile, token: TokenSource) -> QalaPanel:
    """The panel of a Qala profile (the window's table of panels points here)."""
    base, http, rpm = connection(host.ctx, profile)
    client = QalaClient(
        base, token, profile.environment_id or "", http=http, limiter=host.ctx.limiters, rate_limit_rpm=rpm
    )
    return QalaPanel(client, profile.name)


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

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        return header(self.HEADERS, section, orientation, role)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        result, column = row.result, index.column()
        if role == EventResultRole:
            return row
        if role in (DISPLAY, TOOLTIP, FullTextRole):
            if column == COL_INDEX:
                return str(result.index)
            if column == COL_TYPE:
                return row.event_type
            if column == COL_RESULT:
                return _OUTCOME_WORDS[result.outcome]
            if column == COL_DETAIL:
                text = (result.message_id or NO_ID_WORDS if result.ok else result.error_words) or ""
                if role == DISPLAY:
                    return text.replace("\n", " ")
                return plain_tooltip(text) if role == TOOLTIP else text
        elif role == FOREGROUND and column == COL_RESULT:
            return QColor(OUTCOME_COLORS[result.outcome])
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
    """Publish events to a Qala topic (or routed by type), with a result per event; create session tokens."""

    finished = Signal(object)  # list[ItemResult], after each publish

    def __init__(self, client: QalaClient, profile_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name

        self.topic = QLineEdit()
        self.topic.setPlaceholderText("Topic name — leave empty to publish without a topic (routed by event type)")
        self.editor = JsonEditor()
        self.editor.setPlaceholderText(
            'A JSON array of events, one event, or JSON Lines: {"type": "order.created", "data": {...}}'
        )
        self.check = words_label()
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
        self.result_detail = words_label()  # the selected event's result in full

        self.group_id = QLineEdit()
        self.group_id.setPlaceholderText("Subscriber group id (a GUID, 8-4-4-4-12 hexadecimal digits)")
        self.session_button = QPushButton("Create session token")
        self.session_token = QLineEdit()
        self.session_token.setReadOnly(True)
        self.session_token.setPlaceholderText("The token is shown here once; it is not kept")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setEnabled(False)
        self.session_note = words_label()

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
        say(self.check, f"Publishing {len(events):,} event{'s' if len(events) != 1 else ''} {self._destination()}…")
        try:
            results = await self.client.publish_events(events, topic)
        except InspectorError as exc:
            say(self.check, f"Not sent — {exc.describe()}", error=True)
            return None
        finally:
            self.publish_button.setEnabled(True)
        self.results.set_results(results, events)
        summary = summarize_results(results)
        set_text(self.summary, summary)
        failed = [r for r in results if not r.ok]
        say(self.check, f"Sent: {summary}", error=bool(failed))
        set_text(self.result_detail, failed[0].error_words or "" if failed else "")
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
        await self.tasks.cancel_all()

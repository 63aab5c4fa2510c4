"""The Messaging Resource API's panel: watch an app's transient messages, grouped by transaction (those that
vanish stay, greyed), and post messages when the profile is a workflow container."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ApiError, InspectorError, ValidationError
from inspector.core.services import POST_MESSAGES
from inspector.core.services.messaging import (
    AppMessage,
    AppMessageWatch,
    MessagingClient,
    WatchUpdate,
    check_app_id,
)
from inspector.core.validation import counted
from inspector.emulator.traffic import DEMO_APP
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
    say,
    words_label,
    wrapped_tooltip,
)
from inspector.ui.widgets import plain_label, set_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.services import PanelHost

_FONT = Qt.ItemDataRole.FontRole


def open_panel(host: PanelHost, profile: Profile, token: TokenSource) -> MessagesPanel:
    """The panel of a Messaging Resource API profile (the window's table of panels points here); the demo's app
    is watched at once."""
    base, http, rpm = connection(host.ctx, profile)
    client = MessagingClient(
        base,
        token,
        workflow_container=profile.workflow_container,
        http=http,
        limiter=host.ctx.limiters,
        rate_limit_rpm=rpm,
    )
    panel = MessagesPanel(client, profile.name)
    if host.ctx.is_demo(profile):
        panel.watch(DEMO_APP)
    return panel


ENDED_WORDS = "ended — its messages were deleted by the API"
VANISHED_WORDS = "vanished (transaction ended)"
AppMessageRole = Qt.ItemDataRole.UserRole + 4  # the AppMessage of a message row (None for a transaction)
GoneRole = Qt.ItemDataRole.UserRole + 7  # True for an ended transaction or a vanished message
COL_ITEM, COL_WORKFLOW, COL_SELECTOR, COL_COUNT, COL_STATE = range(5)
LABEL_WIDTH = 320  # the first column's width at the start (pixels): a label is elided beyond it, whole in its tooltip


def one_line(text: str) -> str:
    """``text`` on one line for a table cell: each line break shown as ⏎ (the tooltip and the detail keep it)."""
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ⏎ ")


@dataclass(frozen=True, slots=True)
class Tally:
    """What the model holds: transactions (ended ones among them) and messages (vanished ones among them)."""

    transactions: int = 0
    ended: int = 0
    messages: int = 0
    vanished: int = 0


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

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        return header(self.HEADERS, section, orientation, role)

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

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        item = self._item(index)
        if item is None:
            return None
        tx, shown = item
        column = index.column()
        if role == AppMessageRole:
            return shown.message if shown is not None else None
        gone = shown.vanished if shown is not None else tx.ended
        if role == GoneRole:
            return gone
        if role == FOREGROUND:
            return muted() if gone else None
        if role == _FONT:
            return self._italic if gone else None
        if role == TOOLTIP:
            if shown is not None and column == COL_ITEM:
                return wrapped_tooltip(shown.message.label)  # the whole label, its lines kept
            return wrapped_tooltip(str(self.data(index, DISPLAY) or ""))
        if role != DISPLAY:
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
            return one_line(message.label)
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

    def tally(self) -> Tally:
        ended = sum(1 for tx in self.transactions if tx.ended)
        messages = sum(len(tx.messages) for tx in self.transactions)
        vanished = sum(1 for tx in self.transactions for m in tx.messages if m.vanished)
        return Tally(len(self.transactions), ended, messages, vanished)

    def messages(self, transaction_id: str) -> list[ShownMessage]:
        row = self._rows.get(transaction_id)
        return list(self.transactions[row].messages) if row is not None else []

    def transaction(self, transaction_id: str) -> ShownTransaction | None:
        row = self._rows.get(transaction_id)
        return self.transactions[row] if row is not None else None


def split_selectors(text: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", text) if part]


class MessagesPanel(ServicePanel):
    """Watch an app's messages, grouped by transaction; post messages when the profile is a workflow container."""

    def __init__(self, client: MessagingClient, profile_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.profile_name = profile_name
        self.watch_interval = 2.0
        self.reconcile_every = 3
        self.watcher: AppMessageWatch | None = None
        self.watch_task: asyncio.Task[Any] | None = None

        self.app_id = named(QLineEdit(), "App")
        self.app_id.setPlaceholderText("App id, such as 123")
        self.watch_button = QPushButton("Watch")
        self.status = words_label()
        self.model = AppMessagesModel()
        self.tree = named(QTreeView(), "App messages")
        self.model.setParent(self.tree)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole label: its tooltip and the detail
        columns = self.tree.header()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        columns.setMinimumSectionSize(48)
        columns.resizeSection(COL_ITEM, LABEL_WIDTH)
        self.hide_ended = named(QCheckBox("Hide ended transactions"), "Hide ended transactions")
        self.hide_ended.setToolTip("Hide the transactions that ended and the messages that vanished with them")
        self.counts = plain_label()
        self.detail = named(QPlainTextEdit(), "Selected message")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a message to read its whole label, or a transaction")
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)

        self.post_group = QGroupBox("Post a message (workflow container)")
        self.post_transaction = named(QLineEdit(), "Transaction")
        self.post_workflow = named(QLineEdit(), "Workflow")
        self.post_label = named(QLineEdit(), "Label")
        self.post_selectors = named(QLineEdit(), "Selectors")
        self.post_selectors.setPlaceholderText("recipients, separated by commas or spaces")
        self.post_button = QPushButton("Post")
        self.post_result = words_label()
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
        shown = QHBoxLayout()
        shown.addWidget(self.hide_ended)
        shown.addWidget(self.counts, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addLayout(shown)
        layout.addWidget(split, 1)
        layout.addWidget(self.post_group)

        self.watch_button.clicked.connect(self._watch_clicked)
        self.app_id.returnPressed.connect(lambda: self.watch())
        self.post_button.clicked.connect(lambda: self.tasks.spawn(self.post_now()))
        self.model.rowsInserted.connect(self._expand)
        self.model.rowsInserted.connect(self._rows_inserted)
        self.model.dataChanged.connect(self._data_changed)
        self.model.modelReset.connect(self._update_counts)
        self.hide_ended.toggled.connect(self._hide_toggled)
        self.tree.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_detail(current))
        self._update_counts()
        name_buttons(self)

    # ----- what is shown ----------------------------------------------------------------------------------------
    def _hidden(self, index: QModelIndex) -> bool:
        return self.hide_ended.isChecked() and bool(self.model.data(index, GoneRole))

    def _hide_rows(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self.tree.setRowHidden(row, parent, self._hidden(self.model.index(row, 0, parent)))

    def _hide_toggled(self, _checked: bool) -> None:
        root = QModelIndex()
        self._hide_rows(root, 0, self.model.rowCount(root) - 1)
        for row in range(self.model.rowCount(root)):
            parent = self.model.index(row, 0)
            self._hide_rows(parent, 0, self.model.rowCount(parent) - 1)
        self._update_counts()

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        self._hide_rows(parent, first, last)
        self._update_counts()

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        self._hide_rows(top.parent(), top.row(), bottom.row())
        self._update_counts()
        current = self.tree.currentIndex()
        if current.isValid() and current.parent() == top.parent() and top.row() <= current.row() <= bottom.row():
            self._show_detail(current)

    def counts_words(self) -> str:
        """How many transactions and messages the tree shows, and how many are hidden or gone."""
        tally = self.model.tally()
        if not tally.transactions:
            return "No messages yet"
        hiding = self.hide_ended.isChecked()
        shown_tx = tally.transactions - (tally.ended if hiding else 0)
        shown_messages = tally.messages - (tally.vanished if hiding else 0)
        words = f"{counted(shown_tx, 'transaction')}, {counted(shown_messages, 'message')} shown"
        gone = [counted(tally.ended, "ended transaction")] if tally.ended else []
        gone += [counted(tally.vanished, "vanished message")] if tally.vanished else []
        if hiding:
            return f"{words} · {' and '.join(gone)} hidden" if gone else f"{words} · none hidden"
        return f"{words}, among them {' and '.join(gone)}" if gone else words

    def _update_counts(self) -> None:
        set_text(self.counts, self.counts_words())

    def detail_words(self, index: QModelIndex) -> str:
        """The item at ``index`` in full: a message's whole label and fields, or a transaction's state."""
        if not index.isValid():
            return ""
        row = self.model.index(index.row(), COL_ITEM, index.parent())
        message = self.model.data(row, AppMessageRole)
        state = self.model.data(self.model.index(index.row(), COL_STATE, index.parent())) or ""
        if isinstance(message, AppMessage):
            return "\n".join(
                [
                    f"Label: {message.label}",
                    f"Transaction: {message.transaction_id}",
                    f"Workflow: {message.workflow_id}",
                    f"Selector: {message.selector}",
                    f"App: {message.app_id}",
                    f"State: {state}",
                ]
            )
        count = self.model.rowCount(row)
        return "\n".join([f"Transaction: {row.data()}", f"Messages: {count:,}", f"State: {state}"])

    def _show_detail(self, current: QModelIndex) -> None:
        text = self.detail_words(current)
        if self.detail.toPlainText() != text:
            self.detail.setPlainText(text)

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
            say(self.status, exc.describe(), error=True)
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
        say(self.status, f"Watching app {app}…")

    async def _run(self, watcher: AppMessageWatch) -> None:
        try:
            await watcher.run()
        except InspectorError:
            pass  # on_status said why it stopped
        finally:
            if watcher is self.watcher:
                self.watch_button.setText("Watch")

    def _on_status(self, text: str) -> None:
        say(self.status, text, error=text.startswith(("stopped:", "retrying")))

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
            say(self.post_result, "Only the workflow containers of an app can post messages.", error=True)
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
            say(self.post_result, f"Not posted — the service refused: {words}", error=True)
            return None
        except InspectorError as exc:
            say(self.post_result, f"Not posted — {exc.describe()}", error=True)
            return None
        finally:
            self.post_button.setEnabled(True)
        count = len(posted)
        say(self.post_result, f"Posted {count} message{'s' if count != 1 else ''}.")
        return posted

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        await self.tasks.cancel_all()
        self.watch_button.setText("Watch")

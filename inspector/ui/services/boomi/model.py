"""Boomi's tables: a page of an account's subscriptions (enabled toggled in place) and a bulk operation's
status per subscription; and the words for the service's refusals and a bulk operation's outcome."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QWidget

from inspector.core.errors import ApiError, InspectorError
from inspector.core.models import Outcome
from inspector.core.services.boomi import DATE_FIELDS, OperationStatus, Subscription, error_messages, local_time
from inspector.ui.services._common import DISPLAY, FOREGROUND, TOOLTIP, Index, header, muted, outcome_color
from inspector.ui.widgets import plain_tooltip

_CHECK = Qt.ItemDataRole.CheckStateRole


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


def readable_subscription(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A subscription's fields as the service has them, its dates as local date-times instead of epoch
    milliseconds (for the detail pane: a person reads it)."""
    return {key: local_time(value, zone=True) if key in DATE_FIELDS else value for key, value in raw.items()}


def dates_words(subscription: Subscription) -> str:
    """``Created 2021-07-01 02:00:00 UTC+02:00 by a@b.c; last updated 2021-07-02 09:30:00 UTC+02:00`` (local
    time), or "" when the subscription has no dates."""
    raw = subscription.raw
    parts = []
    for words, millis, who in (
        ("created", subscription.created_date, raw.get("createdBy")),
        ("last updated", subscription.last_updated_date, raw.get("lastUpdatedUserId")),
    ):
        if millis is not None:
            by = f" by {who}" if isinstance(who, str) and who else ""
            parts.append(f"{words} {local_time(millis, zone=True)}{by}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


SubscriptionRole = Qt.ItemDataRole.UserRole + 2  # the Subscription of a row
SortValueRole = Qt.ItemDataRole.UserRole + 6  # what a column sorts by: a date's milliseconds, else its text
(
    COL_ENABLED,
    COL_EVENT,
    COL_DESTINATION,
    COL_TOPIC,
    COL_ENVIRONMENT,
    COL_LOG_LEVEL,
    COL_UPDATED,
    COL_CREATED,
    COL_ID,
) = range(9)
SORT_FIELD_OF = {
    COL_ENABLED: "enabled",
    COL_EVENT: "eventName",
    COL_DESTINATION: "destinationType",
    COL_TOPIC: "eventStreamsTopic",
    COL_ENVIRONMENT: "eventStreamsEnvironment",
    COL_LOG_LEVEL: "logLevel",
    COL_UPDATED: "lastUpdatedDate",
    COL_CREATED: "createdDate",
    COL_ID: "subscriptionId",
}
_DATE_COLUMNS = {COL_UPDATED: "Last updated", COL_CREATED: "Created"}


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
        "Created (local)",
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

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        return header(self.HEADERS, section, orientation, role)

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

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.subscriptions):
            return None
        sub, column = self.subscriptions[index.row()], index.column()
        if role == SubscriptionRole:
            return sub
        if role == _CHECK and column == COL_ENABLED:
            return Qt.CheckState.Checked if self.enabled_state(index.row()) else Qt.CheckState.Unchecked
        if column in _DATE_COLUMNS and role in (TOOLTIP, SortValueRole):
            millis = sub.last_updated_date if column == COL_UPDATED else sub.created_date
            if role == SortValueRole:
                return millis
            shown = local_time(millis, zone=True)
            return plain_tooltip(f"{_DATE_COLUMNS[column]} {shown} (local time)") if shown else None
        if role == SortValueRole:
            return self.data(index, DISPLAY)
        if role == DISPLAY:
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
            if column == COL_CREATED:
                return local_time(sub.created_date)
            if column == COL_ID:
                return sub.subscription_id
        elif role == TOOLTIP and column == COL_ENABLED:
            return "Check or uncheck to enable or disable this subscription now"
        elif role == FOREGROUND and sub.subscription_id in self.pending:
            return muted()
        return None

    def setData(self, index: Index, value: Any, role: int = DISPLAY) -> bool:
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

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        return header(self.HEADERS, section, orientation, role)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.statuses):
            return None
        status, column = self.statuses[index.row()], index.column()
        if role == BulkStatusRole:
            return status
        if role == DISPLAY:
            if column == COL_BULK_ID:
                return status.subscription_id
            if column == COL_BULK_CODE:
                return str(status.code) if status.code else "—"
            if column == COL_BULK_MESSAGE:
                return status.message
        elif role == FOREGROUND and column == COL_BULK_CODE:
            return outcome_color(Outcome.SUCCESS if status.ok else Outcome.FAILED)
        return None

    def set_statuses(self, statuses: Iterable[OperationStatus]) -> None:
        self.beginResetModel()
        self.statuses = list(statuses)
        self.endResetModel()

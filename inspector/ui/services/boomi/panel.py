"""Boomi's panel: an account's event-notification subscriptions, a page at a time, sorted by the service;
create, edit, enable or disable, delete one, some or all, replace them all, and open the topic one sends to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError
from inspector.core.services.boomi import MAX_PAGE_SIZE, BoomiClient, OperationStatus, Subscription
from inspector.ui.services._common import ServicePanel, connection, name_buttons, named, say, words_label
from inspector.ui.services.boomi.dialogs import ReplaceAllDialog, SubscriptionDialog, TypedConfirmDialog
from inspector.ui.services.boomi.model import (
    SORT_FIELD_OF,
    BulkResultsModel,
    SubscriptionsModel,
    boomi_error_words,
    readable_subscription,
    summarize_statuses,
)
from inspector.ui.widgets import plain_label, plain_message_box, set_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.services import PanelHost

PAGE_SIZE_DELAY_MS = 300  # the page is read again this long after the page size last changed


def open_panel(host: PanelHost, profile: Profile, token: TokenSource) -> BoomiPanel:
    """The panel of a Boomi profile (the window's table of panels points here); a subscription's topic opens in
    the window."""
    base, http, rpm = connection(host.ctx, profile)
    client = BoomiClient(
        base, token, profile.account_id or "", http=http, limiter=host.ctx.limiters, rate_limit_rpm=rpm
    )
    panel = BoomiPanel(client, profile.name, host.can_open_topic_named)
    panel.openTopicRequested.connect(lambda name: host.spawn(host.open_topic_named(name)))
    return panel


class BoomiPanel(ServicePanel):
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
        self.table = named(QTableView(), "Subscriptions")
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

        self.prev_button = named(QPushButton("◀ Previous"), "Previous")
        self.next_button = named(QPushButton("Next ▶"), "Next")
        self.page_label = plain_label()
        self.page_size = named(QSpinBox(), "Page size")
        self.page_size.setRange(1, MAX_PAGE_SIZE)
        self.page_size.setValue(20)
        self.page_size.setPrefix("page size ")
        paging = QHBoxLayout()
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        paging.addStretch(1)
        paging.addWidget(self.page_size)

        self.notice = words_label()
        self.bulk_results = named(QTableView(), "Last bulk operation")
        self.bulk_model = BulkResultsModel(self.bulk_results)
        self.bulk_results.setModel(self.bulk_model)
        self.bulk_results.verticalHeader().hide()
        self.bulk_results.horizontalHeader().setStretchLastSection(True)
        self.bulk_summary = plain_label()
        bulk_box = QGroupBox("Last bulk operation")
        bulk_layout = QVBoxLayout(bulk_box)
        bulk_layout.addWidget(self.bulk_summary)
        bulk_layout.addWidget(self.bulk_results)

        self.detail = named(QPlainTextEdit(), "Subscription")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(
            "Select a subscription to see it as the service has it now (its dates in local time)"
        )
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
        name_buttons(self)

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
                    say(self.notice, f"Cannot list the subscriptions: {boomi_error_words(exc)}", error=True)
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
            self.detail.setPlainText(json.dumps(readable_subscription(sub.raw), indent=2, ensure_ascii=False))
        return sub

    # ----- all at once ------------------------------------------------------------------------------------------
    async def ask_replace_all(self) -> ReplaceAllDialog | None:
        """The account's subscriptions as one JSON list to edit; saving makes them exactly that list."""
        try:
            everything = await self.client.list_all()
        except InspectorError as exc:
            say(self.notice, f"Cannot list the subscriptions: {boomi_error_words(exc)}", error=True)
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
            say(self.notice, f"Nothing was replaced: {boomi_error_words(exc)}", error=True)
            return None
        say(self.notice, f"The account now has exactly {len(result)} subscription{'s' if len(result) != 1 else ''}.")
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
            say(self.notice, f"Not created: {boomi_error_words(exc)}", error=True)
            return None
        sub = created[0] if created else None
        say(self.notice, f"Created {sub.event_name} ({sub.subscription_id})." if sub else "Created.")
        await self.refresh()
        return sub

    async def update_subscription(self, subscription_id: str, changes: dict[str, Any]) -> Subscription | None:
        if not changes:
            say(self.notice, "Nothing changed.")
            return None
        try:
            sub = await self.client.update(subscription_id, changes)
        except InspectorError as exc:
            say(self.notice, f"Not updated: {boomi_error_words(exc)}", error=True)
            return None
        say(self.notice, f"Updated {sub.event_name} ({sub.subscription_id}).")
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
            say(self.notice, "A change of this subscription is still being saved.", error=True)
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
            say(self.notice, f"{sub.event_name} was not {words}: {boomi_error_words(exc)}", error=True)
            return None
        except asyncio.CancelledError:
            self.model.revert_enabled(sub.subscription_id)
            raise
        self.model.settle(fresh)
        say(self.notice, f"{fresh.event_name} is now {'enabled' if fresh.enabled else 'disabled'}.")
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
            say(self.notice, f"Not deleted: {boomi_error_words(exc)}", error=True)
            return False
        say(self.notice, f"Deleted {subscription_id}.")
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
            say(self.notice, f"Nothing deleted: type the account id {account!r} exactly to confirm.", error=True)
            return False
        try:
            await self.client.delete_all()
        except InspectorError as exc:
            say(self.notice, f"Not deleted: {boomi_error_words(exc)}", error=True)
            return False
        say(self.notice, f"Deleted every subscription of account {account}.")
        self.page_number = 0
        await self.refresh()
        return True

    def _show_bulk(self, statuses: list[OperationStatus], verb: str) -> None:
        self.bulk_model.set_statuses(statuses)
        summary = summarize_statuses(statuses, verb)
        set_text(self.bulk_summary, summary)
        say(self.notice, summary.capitalize() + ".", error=not all(s.ok for s in statuses))

    async def delete_selected(self) -> list[OperationStatus] | None:
        return await self.bulk_delete(self.selected_ids())

    async def bulk_delete(self, ids: Sequence[str]) -> list[OperationStatus] | None:
        if not ids:
            say(self.notice, "Select the subscriptions to delete first.", error=True)
            return None
        try:
            statuses = await self.client.bulk_delete(list(ids))
        except InspectorError as exc:
            say(self.notice, f"Nothing deleted: {boomi_error_words(exc)}", error=True)
            return None
        self._show_bulk(statuses, "deleted")
        await self.refresh()
        return statuses

    async def bulk_set_enabled(self, ids: Sequence[str], enabled: bool) -> list[OperationStatus] | None:
        if not ids:
            say(self.notice, "Select the subscriptions to change first.", error=True)
            return None
        try:
            statuses = await self.client.bulk_update([{"subscriptionId": i, "enabled": enabled} for i in ids])
        except InspectorError as exc:
            say(self.notice, f"Nothing changed: {boomi_error_words(exc)}", error=True)
            return None
        self._show_bulk(statuses, "enabled" if enabled else "disabled")
        await self.refresh()
        return statuses

    async def stop(self) -> None:
        self._page_size_timer.stop()
        await self.tasks.cancel_all()

"""The details of the other services' panels, against the emulator over loopback HTTP: Boomi's dates as local
date-times (table, tooltips, detail, edit dialog) still sorted by time; App messages that hide ended transactions
and show a label whole; Qala's topics published to before and the event ids the server gave; and an accessible
name on every control of the three panels."""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.modeltest import ModelTester

from inspector.core.paths import AppPaths
from inspector.core.services.boomi import BoomiClient, Subscription, local_time
from inspector.core.services.messaging import MessagingClient
from inspector.core.services.qala import TOPICS_FILE, KnownTopics, QalaClient
from inspector.emulator.server import EmulatorServer
from inspector.ui.eventloop import EventLoop
from inspector.ui.services.boomi import BoomiPanel
from inspector.ui.services.boomi.model import (
    COL_CREATED,
    COL_UPDATED,
    SortValueRole,
    SubscriptionsModel,
    dates_words,
)
from inspector.ui.services.messaging import COL_ITEM, AppMessagesModel, MessagesPanel
from inspector.ui.services.qala import COL_ERROR, COL_EVENT_ID, COL_INDEX, EventResultsModel, QalaPanel
from tests.helpers import next_uuid, wait_until

ENVIRONMENT = (
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301"  # the emulator's Qala environment (topics: transactions, customers)
)
CONTAINER_TOKEN = "container-token"
PARIS = "CET-1CEST,M3.5.0,M10.5.0/3"  # a POSIX rule: no time zone database needed
SEED_CREATED = 1625097600000  # the seed's createdDate: 2021-07-01 00:00:00 UTC
SEED_UPDATED = 1625184000000  # its lastUpdatedDate: 2021-07-02 00:00:00 UTC


@pytest.fixture
def paris() -> Iterator[None]:
    """Local time is Paris time (UTC+02:00 in summer) for the test, whatever the machine's zone."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = PARIS
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def tooltip_text(tip: object) -> str:
    """What a tooltip shows: Qt draws it as rich text when it might be some."""
    text = str(tip or "")
    if not QtGuiNamespace.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def column(model: Any, col: int, parent: QModelIndex | None = None) -> list[Any]:
    parent = parent or QModelIndex()
    return [model.index(row, col, parent).data() for row in range(model.rowCount(parent))]


CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit, QTextEdit)


def unnamed_controls(root: QWidget) -> list[str]:
    """The controls under ``root`` a user can reach (shown) that have no accessible name. A control's own parts
    (a table's header and corner, a spin box's field) are spoken as the control."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView) or not widget.isVisibleTo(root):
            continue
        parent = widget.parentWidget()
        inside = False
        while parent is not None and parent is not root:
            inside = inside or isinstance(parent, QAbstractItemView | QAbstractSpinBox)
            parent = parent.parentWidget()
        if not inside and not widget.accessibleName():
            text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
            found.append(f"{type(widget).__name__} {text!r}")
    return found


# ----- Boomi ----------------------------------------------------------------------------------------------------
def seed_subscription(**more: Any) -> Subscription:
    row = {
        "subscriptionId": "223e4567-e89b-12d3-a456-426614174001",
        "eventName": "Atom.Status",
        "destinationType": "EVENT_STREAMS",
        "logLevel": "WARN",
        "accountId": "acct_12345",
        "eventStreamsTopic": "notifications-topic",
        "enabled": True,
        "createdDate": SEED_CREATED,
        "lastUpdatedDate": SEED_UPDATED,
        "createdBy": "user@example.com",
        **more,
    }
    return Subscription.from_json(row, "boomi.example.com")


def test_boomi_dates_read_as_local_date_times(paris: None, qtmodeltester: ModelTester) -> None:
    assert local_time(SEED_CREATED) == "2021-07-01 02:00:00"
    assert local_time(SEED_CREATED, zone=True) == "2021-07-01 02:00:00 UTC+02:00"
    assert local_time(1611446400000, zone=True) == "2021-01-24 01:00:00 UTC+01:00"  # winter time
    assert local_time(None) == ""
    assert local_time(10**20) == "100000000000000000000 (not a date)"  # out of range: said, not a crash
    model = SubscriptionsModel()
    model.set_subscriptions([seed_subscription(), seed_subscription(createdDate=10**20, lastUpdatedDate=None)])
    qtmodeltester.check(model)
    assert model.headerData(COL_UPDATED, Qt.Orientation.Horizontal) == "Last updated (local)"
    assert model.headerData(COL_CREATED, Qt.Orientation.Horizontal) == "Created (local)"
    assert column(model, COL_UPDATED) == ["2021-07-02 02:00:00", ""]
    assert column(model, COL_CREATED) == ["2021-07-01 02:00:00", "100000000000000000000 (not a date)"]
    tip = model.index(0, COL_CREATED).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Created 2021-07-01 02:00:00 UTC+02:00 (local time)"
    assert model.index(1, COL_UPDATED).data(Qt.ItemDataRole.ToolTipRole) is None
    # What a sort by the column compares: the time itself, not its text.
    assert model.index(0, COL_CREATED).data(SortValueRole) == SEED_CREATED
    assert dates_words(seed_subscription()) == (
        "Created 2021-07-01 02:00:00 UTC+02:00 by user@example.com; last updated 2021-07-02 02:00:00 UTC+02:00"
    )


def test_boomi_panel_shows_no_epoch_milliseconds_and_sorts_by_time(
    paris: None, qloop: EventLoop, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        client = BoomiClient(emulator.url, emulator.token, next_uuid(), rate_limit_rpm=0)
        panel = BoomiPanel(client, "Boomi local", lambda _topic: False)
        panel.resize(1400, 700)
        panel.show()
        row = {"destinationType": "EVENT_STREAMS", "eventStreamsTopic": "orders"}
        made = await client.create([{"eventName": f"Event.{n}", **row} for n in range(3)])
        assert await panel.refresh()
        subs = panel.model.subscriptions
        epochs = {str(s.created_date) for s in subs} | {str(s.last_updated_date) for s in subs}
        for col in range(panel.model.columnCount()):
            for r in range(panel.model.rowCount()):
                index = panel.model.index(r, col)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    assert not any(e in str(index.data(role) or "") for e in epochs), (r, col, index.data(role))
        # The dates shown are the server's times, in local time.
        for r, sub in enumerate(subs):
            assert sub.created_date is not None
            shown = datetime.strptime(panel.model.index(r, COL_CREATED).data(), "%Y-%m-%d %H:%M:%S")
            assert int(shown.timestamp()) == sub.created_date // 1000

        # A click on "Created (local)" asks the service to sort by the time; again, the other way.
        header = panel.table.horizontalHeader()

        def click_created() -> None:
            x = header.sectionViewportPosition(COL_CREATED) + header.sectionSize(COL_CREATED) // 2
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

        click_created()
        await wait_until(lambda: (panel.sort_by, panel.sort_direction) == ("createdDate", "ASC"), what="sorted")
        await wait_until(lambda: not panel.tasks.busy, what="the sorted page")
        times = column(panel.model, COL_CREATED)
        millis = [panel.model.index(r, COL_CREATED).data(SortValueRole) for r in range(panel.model.rowCount())]
        assert millis == sorted(millis)
        assert len(times) == 3
        click_created()
        await wait_until(lambda: panel.sort_direction == "DESC", what="sorted the other way")
        await wait_until(lambda: not panel.tasks.busy, what="the page sorted the other way")
        millis = [panel.model.index(r, COL_CREATED).data(SortValueRole) for r in range(panel.model.rowCount())]
        assert millis == sorted(millis, reverse=True)

        # The detail: every field as the service has it, its dates as local date-times.
        target = made[0]
        row_of = panel.model.row_of(target.subscription_id)
        assert row_of is not None
        panel.select_rows([row_of])
        await wait_until(lambda: target.subscription_id in panel.detail.toPlainText(), what="the detail")
        shown_fields = json.loads(panel.detail.toPlainText())
        fresh = await client.get(target.subscription_id)
        assert shown_fields["createdDate"] == local_time(fresh.created_date, zone=True)
        assert shown_fields["lastUpdatedDate"] == local_time(fresh.last_updated_date, zone=True)
        assert re.search(r" UTC\+0[12]:00$", shown_fields["createdDate"])  # Paris: winter or summer time
        assert shown_fields["createdBy"] == "emulator-user"
        assert str(fresh.created_date) not in panel.detail.toPlainText()

        # The edit dialog says when it was made and changed, and by whom.
        form = panel.open_form(panel.model.subscriptions[row_of])
        assert form.dates.text() == dates_words(panel.model.subscriptions[row_of])
        assert form.dates.text().startswith(f"Created {local_time(fresh.created_date, zone=True)} by emulator-user")
        assert form.dates.textFormat() == Qt.TextFormat.PlainText
        assert unnamed_controls(form) == []
        form.reject()
        assert panel.open_form(None).dates.isHidden()  # a new one has no dates
        assert unnamed_controls(panel) == []
        assert panel.table.accessibleName() == "Subscriptions"
        assert panel.page_size.accessibleName() == "Page size"
        dialog = panel.ask_delete_all()
        assert unnamed_controls(dialog) == []
        dialog.reject()
        await wait_until(lambda: not panel.tasks.busy, what="the panel's requests")
        await panel.stop()
        await client.aclose()

    qloop.run_until_complete(scenario())


# ----- App messages -------------------------------------------------------------------------------------------
LONG_LABEL = (
    "Approve the refund of order 12345 for Ada Lovelace: the parcel came back damaged, the carrier confirmed it, "
    "and the customer asks for the money back on the card used.\nSecond line: reply before Friday."
)


def emulator_post(emulator: EmulatorServer, path: str, body: dict[str, Any] | None = None) -> None:
    answer = httpx.post(
        emulator.url + path, json=body or {}, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=10
    )
    assert answer.status_code in (200, 201), answer.text


def test_messages_hide_ended_transactions_and_show_the_whole_label(
    qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        client = MessagingClient(emulator.url, CONTAINER_TOKEN, workflow_container=True, rate_limit_rpm=0)
        panel = MessagesPanel(client, "Messages local")
        panel.resize(1024, 700)
        panel.show()
        assert panel.counts.text() == "No messages yet"
        app = next_uuid()
        panel.watch_interval = 0.05
        panel.reconcile_every = 1
        panel.watch(app)
        base = f"/_emulator/apps/{app}/transactions"
        emulator_post(
            emulator,
            f"{base}/tx-1/messages",
            {"workflowId": "wf-1", "label": LONG_LABEL, "selectors": ["alice", "bob"]},
        )
        emulator_post(
            emulator, f"{base}/tx-2/messages", {"workflowId": "wf-2", "label": "notify", "selectors": ["carol"]}
        )
        model: AppMessagesModel = panel.model
        await wait_until(lambda: len(model.messages("tx-1")) == 2 and len(model.messages("tx-2")) == 1)
        assert panel.counts.text() == "2 transactions, 3 messages shown"

        # The whole label: one line in the cell (its break shown as ⏎), all of it in the tooltip and the detail.
        tx1 = model.index(0, 0)
        first = model.index(0, COL_ITEM, tx1)
        assert first.data() == LONG_LABEL.replace("\n", " ⏎ ")
        assert tooltip_text(first.data(Qt.ItemDataRole.ToolTipRole)) == LONG_LABEL
        panel.tree.setCurrentIndex(first)
        detail = panel.detail.toPlainText()
        assert detail.startswith(f"Label: {LONG_LABEL}\nTransaction: tx-1\nWorkflow: wf-1\nSelector: alice")
        assert detail.endswith("State: present")
        assert panel.detail.isReadOnly()
        header = panel.tree.header()
        assert header.sectionResizeMode(COL_ITEM) == QHeaderView.ResizeMode.Interactive
        assert header.sectionSize(COL_ITEM) >= 300
        header.resizeSection(COL_ITEM, 600)
        assert header.sectionSize(COL_ITEM) == 600

        # tx-1 ends: its messages vanish. Shown greyed until "Hide ended transactions" is ticked; the count says so.
        emulator_post(emulator, f"{base}/tx-1/end")
        await wait_until(lambda: model.transaction("tx-1").ended, what="tx-1 ended")  # type: ignore[union-attr]
        await wait_until(lambda: panel.status.text() == f"watching app {app}: 1 message", what="1 message present")
        assert panel.detail.toPlainText().endswith("State: vanished (transaction ended)")
        assert panel.counts.text() == (
            "2 transactions, 3 messages shown, among them 1 ended transaction and 2 vanished messages"
        )
        assert not panel.tree.isRowHidden(0, QModelIndex())
        panel.hide_ended.setChecked(True)
        assert panel.tree.isRowHidden(0, QModelIndex())
        assert not panel.tree.isRowHidden(1, QModelIndex())
        assert panel.counts.text() == (
            "1 transaction, 1 message shown · 1 ended transaction and 2 vanished messages hidden"
        )
        # A transaction that starts while hiding shows; one that ends hides at once.
        emulator_post(emulator, f"{base}/tx-3/messages", {"workflowId": "wf-3", "label": "sign", "selectors": ["dave"]})
        await wait_until(lambda: len(model.messages("tx-3")) == 1, what="tx-3")
        assert not panel.tree.isRowHidden(2, QModelIndex())
        assert panel.counts.text().startswith("2 transactions, 2 messages shown · ")
        emulator_post(emulator, f"{base}/tx-2/end")
        await wait_until(lambda: panel.tree.isRowHidden(1, QModelIndex()), what="tx-2 hidden as it ends")
        assert panel.counts.text() == (
            "1 transaction, 1 message shown · 2 ended transactions and 3 vanished messages hidden"
        )
        panel.hide_ended.setChecked(False)
        assert not any(panel.tree.isRowHidden(r, QModelIndex()) for r in range(3))
        assert panel.counts.text().startswith("3 transactions, 4 messages shown, among them 2 ended transactions")
        qtmodeltester.check(model)

        assert panel.hide_ended.accessibleName() == "Hide ended transactions"
        assert panel.tree.accessibleName() == "App messages"
        assert unnamed_controls(panel) == []
        await panel.stop()
        await client.aclose()

    qloop.run_until_complete(scenario())


# ----- Qala -----------------------------------------------------------------------------------------------------
def qala_panel(emulator: EmulatorServer, known: KnownTopics | None = None) -> tuple[QalaClient, QalaPanel]:
    client = QalaClient(emulator.url, emulator.token, ENVIRONMENT, rate_limit_rpm=0)
    panel = QalaPanel(client, "Qala local", known)
    panel.resize(1024, 700)
    panel.show()
    return client, panel


async def publish(panel: QalaPanel, topic: str, events: list[dict[str, Any]]) -> None:
    panel.topic.setText(topic)
    panel.editor.setPlainText(json.dumps(events))
    assert await panel.publish_now() is not None


def test_qala_results_show_the_event_ids_and_copy_them(
    qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        client, panel = qala_panel(emulator)
        events = [
            {"type": "order.created", "id": "given-1", "data": {"n": 1}},
            {"type": "order.paid", "data": {"n": 2}},
            {"type": "order.sent", "data": {"n": 3}},
        ]
        await publish(panel, "transactions", events)
        model: EventResultsModel = panel.results
        qtmodeltester.check(model)
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        assert headers == ["Event", "Type", "Result", "Event id", "Error"]
        assert column(model, COL_INDEX) == ["1", "2", "3"]  # counted from 1
        assert model.index(1, COL_INDEX).data(Qt.ItemDataRole.ToolTipRole) == "event 2"
        ids = column(model, COL_EVENT_ID)
        assert ids[0] == "given-1"
        assert all(ids)
        assert len(set(ids)) == 3
        assert column(model, COL_ERROR) == ["", "", ""]

        assert not panel.copy_ids_button.isEnabled()
        panel.results_view.selectRow(1)
        assert panel.result_detail.text() == f"Event 2 (order.paid): published\nEvent id: {ids[1]}"
        assert panel.copy_ids_button.text() == "Copy event id"
        panel.copy_ids_button.click()
        assert QApplication.clipboard().text() == ids[1]
        assert panel.check.text() == "Copied 1 event id to the clipboard."
        panel.results_view.selectAll()
        assert panel.copy_ids_button.text() == "Copy event ids"
        assert panel.copy_ids_button.accessibleName() == "Copy event ids"
        # Ctrl+C in the results copies them too, one a line, as plain text; so does the right-click menu's action.
        QApplication.clipboard().clear()
        panel.activateWindow()
        panel.results_view.setFocus()
        await wait_until(lambda: panel.results_view.hasFocus(), what="the results focused")
        QTest.keyClick(panel.results_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        assert QApplication.clipboard().text() == "\n".join(ids)
        assert panel.check.text() == "Copied 3 event ids to the clipboard."
        assert panel.copy_ids_action in panel.results_view.actions()
        assert panel.results_view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
        QApplication.clipboard().clear()

        # A refused publish: no id, the server's words in the Error column, events counted from 1.
        panel.topic.setText("no-such-topic")
        assert await panel.publish_now() is not None
        assert column(model, COL_EVENT_ID) == ["", "", ""]
        assert all("Not Found (404)" in text for text in column(model, COL_ERROR))
        assert panel.result_detail.text().startswith("Event 1 (order.created): failed\n")
        panel.results_view.selectAll()
        assert not panel.copy_ids_button.isEnabled()
        assert "no-such-topic" not in panel.offered_topics()  # nothing was published to it
        await panel.stop()
        await client.aclose()

    qloop.run_until_complete(scenario())


def test_qala_offers_the_topics_published_to_before(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        known = KnownTopics.default()
        client, panel = qala_panel(emulator, known)
        assert panel.offered_topics() == []
        assert "published to before" in panel.topic_box.toolTip()
        event = [{"type": "customer.created", "data": {"id": 1}}]
        await publish(panel, "transactions", event)
        assert panel.offered_topics() == ["transactions"]
        assert panel.topic.text() == "transactions"  # what was typed stays
        await publish(panel, "customers", event)
        await publish(panel, "transactions", event)
        assert panel.offered_topics() == ["transactions", "customers"]  # the most recent first
        await panel.stop()  # the list is written before the panel closes
        await client.aclose()

        path = AppPaths.current().data / TOPICS_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # Another panel of this environment (the next run) offers them, and completes what is typed.
        client, again = qala_panel(emulator, KnownTopics.default())
        assert again.offered_topics() == ["transactions", "customers"]
        assert again.topic.text() == ""  # offered, not chosen: empty still publishes routed by type
        completer = again.topic_box.completer()
        assert completer is not None
        completer.setCompletionPrefix("STOM")
        assert completer.currentCompletion() == "customers"
        again.topic_box.setCurrentIndex(1)
        assert again.topic.text() == "customers"
        assert unnamed_controls(again) == []
        assert again.topic.accessibleName() == "Topic"
        assert again.editor.accessibleName() == "Events to publish"
        assert again.results_view.accessibleName() == "Publish results"
        await again.stop()
        await client.aclose()

        # Another environment has its own list; the demo's is kept in memory only.
        assert KnownTopics.default().names(emulator.url, "9c5b94b1-35ad-49bb-b118-8e8fc24abf80") == []
        memory = KnownTopics(None)
        assert memory.remember(emulator.url, ENVIRONMENT, "transactions")
        memory.save()
        assert memory.names(emulator.url, ENVIRONMENT) == ["transactions"]

    qloop.run_until_complete(scenario())


def test_qala_an_unreadable_topics_file_is_set_aside_and_said(qloop: EventLoop, emulator: EmulatorServer) -> None:
    path = AppPaths.current().data / TOPICS_FILE
    path.parent.mkdir(parents=True)
    path.write_text("{not json")

    async def scenario() -> None:
        client, panel = qala_panel(emulator, KnownTopics.default())
        assert panel.offered_topics() == []
        assert f"{TOPICS_FILE} could not be read" in panel.check.text()
        assert path.with_suffix(".json.broken").read_text() == "{not json"
        await panel.stop()
        await client.aclose()

    qloop.run_until_complete(scenario())

"""The panels of Qala, Boomi and the Messaging Resource API against the real emulator over loopback HTTP."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from inspector.core.errors import ApiError, ValidationError
from inspector.core.models import Outcome
from inspector.core.services import qala as qala_module
from inspector.core.services.boomi import BoomiClient
from inspector.core.services.messaging import MessagingClient
from inspector.core.services.qala import QalaClient, problem_of
from inspector.emulator.server import EmulatorServer
from inspector.ui.eventloop import EventLoop
from inspector.ui.services import qala as qala_view
from inspector.ui.services.boomi import BoomiPanel
from inspector.ui.services.boomi.dialogs import EMAIL_NOTE
from inspector.ui.services.boomi.model import COL_ENABLED, COL_EVENT, SubscriptionsModel
from inspector.ui.services.messaging import COL_STATE, ENDED_WORDS, VANISHED_WORDS, AppMessagesModel, MessagesPanel
from inspector.ui.services.qala import COL_ERROR, COL_EVENT_ID, EventResultsModel, QalaPanel
from tests.helpers import wait_until

ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
CONTAINER_TOKEN = "container-token"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def emulator_post(emulator: EmulatorServer, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = httpx.post(
        emulator.url + path, json=body or {}, headers={"Authorization": f"Bearer {emulator.token}"}, timeout=10
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def qala_events(emulator: EmulatorServer) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{emulator.url}/_emulator/qala/environments/{ENVIRONMENT}/events",
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def column(model: Any, col: int) -> list[Any]:
    return [model.index(row, col).data() for row in range(model.rowCount())]


# ----- Qala -----------------------------------------------------------------------------------------------------
def qala_panel(emulator: EmulatorServer) -> tuple[QalaClient, QalaPanel]:
    client = QalaClient(emulator.url, emulator.token, ENVIRONMENT, rate_limit_rpm=0)
    panel = QalaPanel(client, "Qala local")
    panel.resize(1000, 700)
    panel.show()
    return client, panel


async def close_qala(client: QalaClient, panel: QalaPanel) -> None:
    await panel.stop()
    await client.aclose()


def test_qala_publish_shows_an_id_per_event(
    qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        client, panel = qala_panel(emulator)
        before = len(qala_events(emulator))
        panel.topic.setText("transactions")
        events = [
            {"type": "transaction.created", "id": "given-1", "data": {"amount": 10}},
            {"type": "transaction.updated", "data": "a string is data too"},
        ]
        panel.editor.setPlainText(json.dumps(events, indent=2))
        assert panel.check_now() is not None
        assert "Ready to publish 2 events" in panel.check.text()
        assert "to topic 'transactions'" in panel.check.text()
        results = await panel.publish_now()
        assert results is not None
        assert [r.outcome for r in results] == [Outcome.SUCCESS, Outcome.SUCCESS]
        assert results[0].message_id == "given-1"
        assert results[1].message_id
        stored = qala_events(emulator)[before:]
        assert [e["id"] for e in stored] == [r.message_id for r in results]
        assert all(e["topic"] == "transactions" for e in stored)
        assert column(panel.results, COL_EVENT_ID) == [r.message_id for r in results]
        assert column(panel.results, 1) == ["transaction.created", "transaction.updated"]
        assert panel.summary.text() == "2 published"
        qtmodeltester.check(panel.results)
        # Without a topic: routed by event type, said in the placeholder and the check.
        assert "routed by event type" in panel.topic.placeholderText()
        panel.topic.clear()
        panel.editor.setPlainText('{"type": "customer.created", "data": {"id": 1}}')
        assert "without a topic" in ((panel.check_now() and panel.check.text()) or "")
        routed = await panel.publish_now()
        assert routed is not None
        assert routed[0].ok
        await close_qala(client, panel)

    qloop.run_until_complete(scenario())


def test_qala_bad_events_are_refused_before_sending_with_index_and_field(
    qloop: EventLoop, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        client, panel = qala_panel(emulator)
        before = len(qala_events(emulator))
        panel.topic.setText("transactions")
        panel.editor.setPlainText(
            json.dumps(
                [
                    {"type": "ok.event", "data": {"a": 1}},
                    {"type": "has spaces!", "data": {"a": 1}},
                    {"type": "ok.event", "data": {}},
                ]
            )
        )
        await wait_until(lambda: "bad events" in panel.check.text(), what="the check as you type")
        assert await panel.publish_now() is None
        text = panel.check.text()
        assert "2 bad events; nothing will be sent" in text
        assert "event 2, field type: 'has spaces!' is not a valid event type" in text  # counted from 1
        assert "event 3, field data: is missing or empty" in text
        assert len(qala_events(emulator)) == before
        assert panel.results.rowCount() == 0
        # JSON that does not parse is said with its place, and nothing is sent either.
        panel.editor.setPlainText('[{"type": "a", "data": 1,}]')
        assert await panel.publish_now() is None
        assert "not valid JSON" in panel.check.text()
        await close_qala(client, panel)

    qloop.run_until_complete(scenario())


def test_qala_unknown_topic_shows_the_404_per_event_with_its_trace_id(
    qloop: EventLoop, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        client, panel = qala_panel(emulator)
        panel.topic.setText("no-such-topic")
        panel.editor.setPlainText('[{"type": "a", "data": {"x": 1}}, {"type": "b", "data": {"x": 2}}]')
        results = await panel.publish_now()
        assert results is not None
        assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED]
        for text in column(panel.results, COL_ERROR):
            assert "Not Found (404)" in text
            assert "Topic 'no-such-topic' was not found" in text
            assert "trace id" in text
        assert panel.summary.text() == "0 published, 2 failed"
        assert "Not Found (404)" in panel.result_detail.text()
        await close_qala(client, panel)

    qloop.run_until_complete(scenario())


def test_qala_server_400_is_shown_per_event_with_fields_and_trace_id(
    qloop: EventLoop, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        client, panel = qala_panel(emulator)
        # The core, as is: the server names each bad field of each event.
        with pytest.raises(ApiError) as raised:
            await client.publish_request([{"type": "ok", "data": 1}, {"type": "bad type", "data": {"a": 1}}])
        problem = problem_of(raised.value)
        assert problem is not None
        assert problem.status == 400
        assert problem.trace_id
        names = {entry.name: entry.code for entry in problem.errors}
        assert names == {"events[0].data": "INVALID_TYPE", "events[1].type": "INVALID_FORMAT"}
        # What the user sees when the server refuses (the local checks let it through, as an older client would).
        monkeypatch.setattr(qala_module, "check_events", lambda value: value)
        monkeypatch.setattr(qala_view, "check_events", lambda value: value)
        panel.topic.setText("transactions")
        panel.editor.setPlainText('[{"type": "fine", "data": {"a": 1}}, {"type": "bad type", "data": {"a": 1}}]')
        results = await panel.publish_now()
        assert results is not None
        assert all(r.outcome is Outcome.FAILED for r in results)
        first, second = column(panel.results, COL_ERROR)
        assert "refused because of event 2" in first  # counted from 1
        assert "Bad Request (400)" in second
        assert "type: The type field must match" in second
        assert "(INVALID_FORMAT)" in second
        assert f"trace id {problem.trace_id.split(':')[0]}" in second
        await close_qala(client, panel)

    qloop.run_until_complete(scenario())


def test_qala_session_token_is_shown_once_copied_and_cleared_on_hide(
    qloop: EventLoop, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        with pytest.raises(ValidationError, match="not a GUID"):
            QalaClient(emulator.url, emulator.token, "", rate_limit_rpm=0)
        client, panel = qala_panel(emulator)
        panel.group_id.setText("not-a-guid")
        assert await panel.create_session_token() is None
        assert "'not-a-guid' is not a GUID" in panel.session_note.text()
        assert "8-4-4-4-12" in panel.session_note.text()
        assert panel.session_token.text() == ""
        assert not panel.copy_button.isEnabled()

        panel.group_id.setText("9C5B94B1-35AD-49BB-B118-8E8FC24ABF80")
        token = await panel.create_session_token()
        assert token is not None
        assert len(token) >= 80
        assert panel.session_token.text() == token
        assert panel.session_token.isReadOnly()
        assert panel.copy_button.isEnabled()
        panel.copy_button.click()
        assert QApplication.clipboard().text() == token
        assert "Copied" in panel.session_note.text()
        QApplication.clipboard().clear()
        again = await panel.create_session_token()
        assert again is not None
        assert again != token  # a new one each time
        panel.hide()
        assert panel.session_token.text() == ""
        assert not panel.copy_button.isEnabled()
        await close_qala(client, panel)

    qloop.run_until_complete(scenario())


# ----- Boomi ----------------------------------------------------------------------------------------------------
def boomi_panel(emulator: EmulatorServer, can_open_topic: Any = None) -> tuple[BoomiClient, BoomiPanel]:
    client = BoomiClient(emulator.url, emulator.token, unique("acct"), rate_limit_rpm=0)
    panel = BoomiPanel(client, "Boomi local", can_open_topic or (lambda _topic: False))
    panel.resize(1400, 700)
    panel.show()
    return client, panel


async def close_boomi(client: BoomiClient, panel: BoomiPanel) -> None:
    await wait_until(lambda: not panel.tasks.busy, what="the panel's requests")
    await panel.stop()
    await client.aclose()


def subscription(name: str, topic: str = "orders", **more: Any) -> dict[str, Any]:
    return {"eventName": name, "destinationType": "EVENT_STREAMS", "eventStreamsTopic": topic, **more}


def test_boomi_pages_of_ten(qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        await client.create([subscription(f"Event.{n:02d}") for n in range(25)])
        assert await panel.refresh()
        assert panel.page_label.text() == "page 1 of 2 · 25 subscriptions"
        panel.page_size.setValue(10)
        await wait_until(lambda: panel.page_label.text() == "page 1 of 3 · 25 subscriptions", what="pages of 10")
        assert panel.model.rowCount() == 10
        assert not panel.prev_button.isEnabled()
        assert panel.next_button.isEnabled()
        qtmodeltester.check(panel.model)
        panel.next_button.click()
        await wait_until(lambda: panel.page_label.text().startswith("page 2 of 3"), what="page 2")
        assert column(panel.model, COL_EVENT)[0] == "Event.10"
        panel.next_button.click()
        await wait_until(lambda: panel.page_label.text().startswith("page 3 of 3"), what="page 3")
        assert panel.model.rowCount() == 5
        assert not panel.next_button.isEnabled()
        assert panel.prev_button.isEnabled()
        assert panel.model.index(0, COL_ENABLED).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        assert panel.model.index(0, 6).data()  # last updated, local time
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_header_click_sorts_on_the_server_both_ways(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        await client.create([subscription(name) for name in ("B.two", "C.three", "A.one")])
        assert await panel.refresh()
        assert column(panel.model, COL_EVENT) == ["B.two", "C.three", "A.one"]  # created order
        header = panel.table.horizontalHeader()

        def click_header() -> None:
            x = header.sectionViewportPosition(COL_EVENT) + header.sectionSize(COL_EVENT) // 2
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

        click_header()
        await wait_until(lambda: column(panel.model, COL_EVENT) == ["A.one", "B.two", "C.three"], what="ascending")
        assert (panel.sort_by, panel.sort_direction) == ("eventName", "ASC")
        click_header()
        await wait_until(lambda: column(panel.model, COL_EVENT) == ["C.three", "B.two", "A.one"], what="descending")
        assert (panel.sort_by, panel.sort_direction) == ("eventName", "DESC")
        assert header.sortIndicatorSection() == COL_EVENT
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_create_email_refused_and_edit(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        created = await panel.create_subscription(subscription("Atom.Status", "orders", logLevel="WARN"))
        assert created is not None
        assert "Created Atom.Status" in panel.notice.text()
        assert column(panel.model, COL_EVENT) == ["Atom.Status"]

        refused = await panel.create_subscription(
            {"eventName": "Atom.Mail", "destinationType": "EMAIL", "destinationEmail": "ops@example.com"}
        )
        assert refused is None
        assert "EMAIL is not supported in the current release" in panel.notice.text()
        assert "(400)" in panel.notice.text()
        assert panel.model.rowCount() == 1

        # The form: EVENT_STREAMS first, EMAIL present with the note; sent as asked, the server's reason shown.
        form = panel.open_form(None)
        assert panel.form is form
        assert form.isVisible()
        assert form.destination_type.itemText(0) == "EVENT_STREAMS"
        assert form.destination_type.findText("EMAIL") > 0
        assert form.destination_note.text() == EMAIL_NOTE
        form.event_name.setText("Atom.Mail")
        form.destination_type.setCurrentText("EMAIL")
        form.email.setText("ops@example.com")
        form.buttons.button(form.buttons.StandardButton.Ok).click()
        await wait_until(lambda: "Not created" in panel.notice.text(), what="the refusal")
        assert "EMAIL is not supported in the current release" in panel.notice.text()

        # Edit through the form: only the changed fields go.
        panel.select_rows([0])
        panel.edit_button.click()
        edit = panel.form
        assert edit is not None
        assert edit.event_name.text() == "Atom.Status"
        assert edit.log_level.currentText() == "WARN"
        edit.event_name.setText("Atom.Renamed")
        assert edit.changes() == {"eventName": "Atom.Renamed"}
        edit.accept()
        await wait_until(lambda: column(panel.model, COL_EVENT) == ["Atom.Renamed"], what="the edit")
        assert (await client.get(created.subscription_id)).log_level == "WARN"
        updated = await panel.update_subscription(created.subscription_id, {"logLevel": "DEBUG"})
        assert updated is not None
        assert updated.log_level == "DEBUG"
        assert column(panel.model, 5) == ["DEBUG"]
        assert await panel.update_subscription(created.subscription_id, {"logLevel": "LOUD"}) is None
        assert "logLevel 'LOUD' is not one of" in panel.notice.text()
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_toggle_enabled_in_place_and_revert_on_error(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        first, second = await client.create([subscription("One"), subscription("Two")])
        assert await panel.refresh()
        model: SubscriptionsModel = panel.model
        index = model.index(0, COL_ENABLED)
        assert model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
        assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked  # shown at once
        await wait_until(lambda: not model.pending, what="the change saved")
        assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
        assert not (await client.get(first.subscription_id)).enabled
        assert "One is now disabled" in panel.notice.text()
        assert await panel.set_enabled(0, True) is not None
        assert (await client.get(first.subscription_id)).enabled

        await client.delete(second.subscription_id)  # gone behind the panel's back
        assert await panel.set_enabled(1, False) is None
        assert model.index(1, COL_ENABLED).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        assert "Two was not disabled" in panel.notice.text()
        assert "not found" in panel.notice.text()
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_bulk_delete_with_an_unknown_id_and_bulk_disable(
    qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        made = await client.create([subscription(f"S{n}") for n in range(4)])
        assert await panel.refresh()
        unknown = "0d4c1e7a-2b3f-4a5d-8e6f-7a8b9c0d1e2f"  # no subscription has this id
        statuses = await panel.bulk_delete([made[0].subscription_id, unknown, made[1].subscription_id])
        assert statuses is not None
        assert [s.code for s in statuses] == [200, 404, 200]
        assert panel.bulk_summary.text() == "2 of 3 deleted; 1 not found"
        assert column(panel.bulk_model, 0) == [made[0].subscription_id, unknown, made[1].subscription_id]
        assert column(panel.bulk_model, 1) == ["200", "404", "200"]
        assert column(panel.bulk_model, 2)[1] == "Subscription not found"
        qtmodeltester.check(panel.bulk_model)
        assert column(panel.model, COL_EVENT) == ["S2", "S3"]

        panel.select_rows([0, 1])
        assert panel.disable_button.isEnabled()
        panel.disable_button.click()
        await wait_until(lambda: panel.bulk_summary.text() == "2 of 2 disabled", what="bulk disable")
        await wait_until(lambda: not panel.tasks.busy)
        assert column(panel.model, COL_ENABLED) == ["disabled", "disabled"]
        assert all(not s.enabled for s in await client.list_all())

        panel.select_rows([1])
        panel.delete_selected_button.click()
        await wait_until(lambda: panel.bulk_summary.text() == "1 of 1 deleted", what="delete selected")
        await wait_until(lambda: column(panel.model, COL_EVENT) == ["S2"])
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_delete_all_needs_the_account_id_typed(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        await client.create([subscription("A"), subscription("B")])
        assert await panel.refresh()
        dialog = panel.ask_delete_all()
        assert client.account_id in dialog.label.text()
        assert not dialog.ok_button.isEnabled()
        dialog.line.setText("wrong-account")
        assert not dialog.ok_button.isEnabled()
        dialog.line.setText(client.account_id)
        assert dialog.ok_button.isEnabled()
        dialog.reject()

        assert not await panel.delete_all("wrong-account")
        assert "Nothing deleted" in panel.notice.text()
        assert len(await client.list_all()) == 2
        assert await panel.delete_all(client.account_id)
        assert await client.list_all() == []
        assert panel.page_label.text() == "page 1 of 1 · 0 subscriptions"
        assert panel.model.rowCount() == 0
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_view_one_and_replace_all(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator)
        first, second = await client.create([subscription("Keep"), subscription("Drop")])
        assert await panel.refresh()
        row = next(r for r, s in enumerate(panel.model.subscriptions) if s.subscription_id == first.subscription_id)
        panel.select_rows([row])
        await wait_until(lambda: first.subscription_id in panel.detail.toPlainText(), what="the subscription")
        shown = json.loads(panel.detail.toPlainText())
        assert shown["eventName"] == "Keep"
        assert shown["createdBy"] == "emulator-user"  # as the service has it: every field

        dialog = await panel.ask_replace_all()
        assert dialog is not None
        listed = json.loads(dialog.editor.toPlainText())
        assert {item["eventName"] for item in listed} == {"Keep", "Drop"}
        dialog.editor.setPlainText('[{"eventName": "Bad"}]')
        dialog.buttons.accepted.emit()
        assert "has no destinationType" in dialog.error.text()  # checked before anything is sent
        kept = next(item for item in listed if item["eventName"] == "Keep") | {"logLevel": "WARN"}
        new = {"eventName": "New", "destinationType": "EVENT_STREAMS", "eventStreamsTopic": "orders"}
        dialog.editor.setPlainText(json.dumps([kept, new]))
        dialog.buttons.accepted.emit()
        await wait_until(lambda: "exactly 2 subscriptions" in panel.notice.text(), what="the replacement")
        after = {s.event_name: s for s in await client.list_all()}
        assert set(after) == {"Keep", "New"}
        assert after["Keep"].subscription_id == first.subscription_id
        assert after["Keep"].log_level == "WARN"
        assert second.subscription_id not in {s.subscription_id for s in after.values()}
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


def test_boomi_open_topic_for_an_event_streams_subscription(qloop: EventLoop, emulator: EmulatorServer) -> None:
    async def scenario() -> None:
        client, panel = boomi_panel(emulator, can_open_topic=lambda topic: topic == "orders")
        await client.create([subscription("Known", "orders"), subscription("Other", "elsewhere")])
        assert await panel.refresh()
        asked: list[str] = []
        panel.openTopicRequested.connect(asked.append)
        assert not panel.open_topic_button.isEnabled()
        panel.select_rows([0])
        assert panel.open_topic_button.isEnabled()
        panel.open_topic_button.click()
        assert asked == ["orders"]
        panel.select_rows([1])
        assert not panel.open_topic_button.isEnabled()
        panel.select_rows([0, 1])
        assert not panel.open_topic_button.isEnabled()
        await close_boomi(client, panel)

    qloop.run_until_complete(scenario())


# ----- Messaging ------------------------------------------------------------------------------------------------
def test_messages_grouped_by_transaction_and_kept_when_they_vanish(
    qloop: EventLoop, emulator: EmulatorServer, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        client = MessagingClient(emulator.url, emulator.token, rate_limit_rpm=0)
        panel = MessagesPanel(client, "Messages local")
        panel.show()
        assert panel.post_group.isHidden()  # not a workflow container
        app = unique("app")
        panel.watch_interval = 0.05
        panel.reconcile_every = 1
        panel.watch(app)
        assert panel.watch_button.text() == "Stop"
        body = {"workflowId": "wf-1", "label": "approve", "selectors": ["alice", "bob"]}
        emulator_post(emulator, f"/_emulator/apps/{app}/transactions/tx-1/messages", body)
        body2 = {"workflowId": "wf-2", "label": "notify", "selectors": ["carol"]}
        emulator_post(emulator, f"/_emulator/apps/{app}/transactions/tx-2/messages", body2)
        model: AppMessagesModel = panel.model
        await wait_until(lambda: len(model.messages("tx-1")) == 2 and len(model.messages("tx-2")) == 1)
        assert f"watching app {app}" in panel.status.text()
        tx1 = model.index(0, 0)
        assert tx1.data() == "tx-1"
        assert model.index(0, COL_STATE).data() == "running"
        assert [model.index(r, 2, tx1).data() for r in range(model.rowCount(tx1))] == ["alice", "bob"]
        assert model.index(0, COL_STATE, tx1).data() == "present"
        assert panel.tree.isExpanded(tx1)
        qtmodeltester.check(model)

        emulator_post(emulator, f"/_emulator/apps/{app}/transactions/tx-1/end")
        await wait_until(lambda: model.transaction("tx-1") is not None and model.transaction("tx-1").ended)  # type: ignore[union-attr]
        assert model.index(0, COL_STATE).data() == ENDED_WORDS
        assert model.rowCount(tx1) == 2  # kept, not dropped
        for row in range(2):
            assert model.index(row, COL_STATE, tx1).data() == VANISHED_WORDS
            assert model.index(row, 0, tx1).data(Qt.ItemDataRole.FontRole).italic()
            assert model.index(row, 0, tx1).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert model.index(1, COL_STATE).data() == "running"
        assert model.index(0, COL_STATE, model.index(1, 0)).data() == "present"
        qtmodeltester.check(model)

        await panel.stop()
        assert panel.watch_button.text() == "Watch"
        await client.aclose()

    qloop.run_until_complete(scenario())


def test_messages_posting_needs_a_workflow_container(
    qloop: EventLoop, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        client = MessagingClient(emulator.url, CONTAINER_TOKEN, workflow_container=True, rate_limit_rpm=0)
        panel = MessagesPanel(client, "Container")
        panel.show()
        assert not panel.post_group.isHidden()
        assert panel.post_group.isVisible()
        app = unique("app")
        panel.app_id.setText(app)
        panel.post_transaction.setText("tx-9")
        panel.post_workflow.setText("wf-9")
        panel.post_label.setText("sign")
        panel.post_selectors.setText("dave, erin frank")
        posted = await panel.post_now()
        assert posted is not None
        assert [m.selector for m in posted] == ["dave", "erin", "frank"]
        assert "Posted 3 messages" in panel.post_result.text()

        panel.post_selectors.setText("ok bad!sel")
        assert await panel.post_now() is None
        assert "selectors: 'bad!sel' is not valid" in panel.post_result.text()
        panel.post_selectors.setText("")
        assert await panel.post_now() is None
        assert "selectors: none given" in panel.post_result.text()

        # The server's refusal, as the user sees it, when a selector gets past the local check.
        from inspector.core.services import messaging

        monkeypatch.setattr(messaging, "check_selectors", lambda values: list(values))
        panel.post_selectors.setText("ok bad!sel")
        assert await panel.post_now() is None
        assert "the service refused: invalid selectors: " in panel.post_result.text()
        assert "bad!sel" in panel.post_result.text()

        await panel.stop()
        await client.aclose()

        # An ordinary token watches (and sees what the container posted) but is offered no posting.
        ordinary = MessagingClient(emulator.url, emulator.token, rate_limit_rpm=0)
        plain = MessagesPanel(ordinary, "Ordinary")
        plain.show()
        assert plain.post_group.isHidden()
        plain.watch_interval = 0.05
        plain.watch(app)
        await wait_until(lambda: len(plain.model.messages("tx-9")) == 3, what="the posted messages")
        assert await plain.post_now() is None
        await plain.stop()
        await ordinary.aclose()

    qloop.run_until_complete(scenario())


def test_empty_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    for model in (EventResultsModel(), SubscriptionsModel(), AppMessagesModel()):
        qtmodeltester.check(model)

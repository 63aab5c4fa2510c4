"""The publish panel against a real emulator over loopback HTTP: single, batch, per-item results, retry, cancel,
refusals before anything is sent, drafts, templates, history, curl and the link to the live table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from inspector.core.drafts import PublishStore
from inspector.core.models import Outcome
from inspector.core.publisher import Progress
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.secrets import KeyringStore
from inspector.core.services.workato import EventStreamsClient
from inspector.core.workspace import TopicEntry
from inspector.emulator.samples import ORDER_SCHEMA
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.editor import matching_bracket
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.publish import PublishPanel, ResultsModel
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, ids, local_profile, publish
from tests.helpers import InMemoryKeyring, wait_until


def stored(emulator: EmulatorServer, topic: int) -> list[dict[str, Any]]:
    store = emulator.store
    assert store is not None
    row = store.get_topic(topic)
    assert row is not None
    return [json.loads(m.payload) for m in store.read(row, limit=10_000)]


def order(n: int) -> dict[str, Any]:
    return {
        "order_id": n,
        "status": "paid",
        "placed_at": "2026-11-26T10:00:00Z",
        "total": 10.5,
        "customer": {"name": "Jane Doe", "email": "jane@example.com"},
        "lines": [{"sku": "A-1", "qty": 1, "price": 10.5}],
    }


async def open_view(
    ctx: AppContext, emulator: EmulatorServer, topic: int
) -> tuple[MainWindow, TopicView, PublishPanel]:
    await local_profile(ctx, emulator, topic)
    window = MainWindow(ctx)
    window.show()
    view = await window.open_topic("Local", topic)
    assert view is not None
    assert view.publisher is not None
    return window, view, view.publisher


def test_single_publish_appears_in_the_live_table_and_its_id_links_to_it(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, view, panel = await open_view(ctx, emulator, topic)
        panel.set_text('{"name": "Jane", "n": 1}')
        results = await panel.publish_now()
        assert results is not None
        assert [r.outcome for r in results] == [Outcome.SUCCESS]
        message_id = results[0].message_id
        assert message_id is not None
        assert panel.summary_label.text() == "1 published"
        panel.results_view.doubleClicked.emit(panel.results.index(0, 2))  # the link, before the message arrives
        await wait_until(lambda: message_id in ids(view), what="the published message in the table")
        await wait_until(lambda: view.current_row() is not None)
        row = view.current_row()
        assert row is not None
        assert row.message_id == message_id
        assert row.payload == {"name": "Jane", "n": 1}
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_an_array_of_250_goes_as_three_ordered_batches_with_250_results(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, _, panel = await open_view(ctx, emulator, topic)
        seen: list[Progress] = []
        panel.progressed.connect(seen.append)
        items = [{"n": n} for n in range(250)]
        panel.set_text(json.dumps(items, indent=1))
        assert panel.check() is not None
        assert "250 items in 3 requests" in panel.size_label.text()
        results = await panel.publish_now()
        assert results is not None
        assert [(p.chunk, p.chunks, p.done) for p in seen] == [(1, 3, 100), (2, 3, 200), (3, 3, 250)]
        assert [r.index for r in panel.results.results] == list(range(250))
        assert all(r.outcome is Outcome.SUCCESS for r in panel.results.results)
        assert stored(emulator, topic) == items
        history = panel.store.history("Local", topic)
        assert history[0].items == 250
        assert history[0].summary == "250 published"
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_partial_batch_shows_each_error_and_retry_sends_only_the_failed_items(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer
) -> None:
    assert emulator.store is not None
    topic = emulator.store.create_topic("orders-retry", schema=ORDER_SCHEMA).id

    async def scenario() -> None:
        window, _, panel = await open_view(ctx, emulator, topic)
        ctx.workspace.topic("Local", topic).schema = ORDER_SCHEMA  # type: ignore[union-attr]
        panel._load_schema()
        items = [order(n) for n in range(100)]
        for bad in (5, 50, 99):
            items[bad]["total"] = "not a number"
        panel.set_text(json.dumps(items))
        assert panel.check() is not None
        assert "item 6.total: 'not a number' is not of type 'number'" in panel.check_label.text()  # from 1
        sending = qloop.create_task(panel.publish_now())
        await wait_until(lambda: panel.confirm_box is not None, what="the publish-anyway question")
        assert panel.confirm_box is not None
        assert "3 problems" in panel.confirm_box.text()
        panel.confirm_box.button(QMessageBox.StandardButton.Yes).click()
        results = await sending
        assert results is not None
        failed = [r for r in panel.results.results if r.outcome is Outcome.FAILED]
        assert [r.index for r in failed] == [5, 50, 99]
        assert all(r.error for r in failed)
        assert panel.summary_label.text() == "97 published, 3 failed"
        assert panel.retry_button.isEnabled()
        assert len(stored(emulator, topic)) == 97

        # the server's rule changes (as a fix on its side would); a retry sends exactly the three
        relaxed = [dict(f, type="string") if f["name"] == "total" else f for f in ORDER_SCHEMA]
        assert emulator.store is not None
        emulator.store.update_topic(topic, schema=relaxed)
        again = await panel.retry_now()
        assert again is not None
        assert [r.index for r in again] == [5, 50, 99]
        assert panel.summary_label.text() == "100 published"
        assert not panel.retry_button.isEnabled()
        contents = stored(emulator, topic)
        assert len(contents) == 100
        assert [c["order_id"] for c in contents[97:]] == [5, 50, 99]
        assert len({c["order_id"] for c in contents}) == 100
        await close(window, ctx)

    qloop.run_until_complete(scenario())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": 1,\n  "b" 2}', "line 2, col 7: expected ':' after the key"),
        (json.dumps({"blob": "x" * 1_150_000}), "over the 1 MB limit"),
        ('[{"a": 1}, 7, {"b": 2}]', "item 2: must be a JSON object, got a number"),  # the window counts from 1
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_is_sent(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, text: str, words: str
) -> None:
    async def scenario() -> None:
        window, _, panel = await open_view(ctx, emulator, topic)
        panel.set_text(text)
        assert await panel.publish_now() is None
        assert words in panel.check_label.text()
        if "line 2" in words:
            assert (panel.editor.error_line, panel.editor.error_column) == (2, 7)
        assert panel.results.results == []
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert stored(emulator, topic) == []


def test_cancel_stops_after_the_current_chunk(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, _, panel = await open_view(ctx, emulator, topic)
        panel.progressed.connect(lambda progress: panel.cancel())
        panel.set_text("\n".join(json.dumps({"n": n}) for n in range(1000)))  # JSON Lines
        results = await panel.publish_now()
        assert results is not None
        assert sum(r.outcome is Outcome.SUCCESS for r in results) == 100
        assert all(r.error_words == "not sent: cancelled" for r in results[100:])
        assert panel.summary_label.text() == "100 published, 900 failed"
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert stored(emulator, topic) == [{"n": n} for n in range(100)]


def test_edit_and_resend_drafts_templates_and_curl(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qapp: QApplication
) -> None:
    async def scenario() -> None:
        window, view, panel = await open_view(ctx, emulator, topic)
        publish(emulator, topic, {"name": "Ana", "total": 3})
        await wait_until(lambda: view.model.rowCount() == 1)
        view.table.selectRow(0)
        view.edit_and_resend()
        assert json.loads(panel.editor.toPlainText()) == {"name": "Ana", "total": 3}
        assert view.publish_shown()

        panel.save_template("ana")
        panel.set_text("{}")
        panel.templates.setCurrentIndex(panel.templates.findText("ana"))
        panel.templates.activated.emit(panel.templates.currentIndex())
        assert json.loads(panel.editor.toPlainText()) == {"name": "Ana", "total": 3}

        panel.copy_as_curl()
        copied = qapp.clipboard().text()
        assert "$TOPIC_INSPECTOR_TOKEN" in copied
        assert emulator.token not in copied
        assert f"/api/v1/topics/{topic}/publish" in copied

        panel.reformat(indent=False)
        assert panel.editor.toPlainText() == '{"name":"Ana","total":3}'
        await close(window, ctx)  # the draft reaches the disk on the way out

    qloop.run_until_complete(scenario())
    again = PublishStore()
    assert again.draft("Local", topic) == '{"name":"Ana","total":3}'
    assert again.templates("Local", topic) == {"ana": json.dumps({"name": "Ana", "total": 3}, indent=2)}


def test_a_loaded_schema_checks_the_text_and_fills_an_example(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    async def scenario() -> None:
        window, _, panel = await open_view(ctx, emulator, topic)
        assert not panel.example_action.isEnabled()
        schema_file = tmp_path / "schema.json"
        schema_file.write_text(
            json.dumps({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})
        )
        panel.load_schema_file(schema_file)
        panel.set_text('{"id": "seven"}')
        panel.check()
        assert "payload.id: 'seven' is not of type 'integer'" in panel.check_label.text()
        panel.new_from_schema()
        assert json.loads(panel.editor.toPlainText()) == {"id": 1}
        assert panel.check() is not None
        assert "Ready to publish" in panel.check_label.text()
        bad = tmp_path / "bad.json"
        bad.write_text('{"type": 12}')
        panel.load_schema_file(bad)
        assert "is not a valid JSON Schema" in panel.check_label.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert ctx.workspace.topic("Local", topic).user_schema is not None  # type: ignore[union-attr]


def test_results_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    from inspector.core.models import ItemResult

    model = ResultsModel()
    model.set_results([ItemResult(1, Outcome.FAILED, error="bad"), ItemResult(0, Outcome.SUCCESS, message_id="m")])
    qtmodeltester.check(model)
    model.merge([ItemResult(1, Outcome.SUCCESS, message_id="m2")])
    qtmodeltester.check(model)
    assert [r.outcome for r in model.results] == [Outcome.SUCCESS, Outcome.SUCCESS]


def test_bracket_matching_skips_brackets_in_strings() -> None:
    text = '{"a": "}{", "b": [1, [2]]}'
    assert matching_bracket(text, 0) == len(text) - 1
    assert matching_bracket(text, len(text) - 1) == 0
    assert matching_bracket(text, text.index("[")) == len(text) - 2
    assert matching_bracket(text, 7) is None  # inside a string


def test_ctrl_enter_publishes_and_the_draft_comes_back_in_a_new_window(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def first() -> None:
        window, view, panel = await open_view(ctx, emulator, topic)
        window.activateWindow()
        await wait_until(lambda: QApplication.activeWindow() is window, what="the window to be active")
        view.show_publish()
        panel.editor.setFocus()
        panel.set_text('{"key": "pressed"}')
        qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await wait_until(lambda: panel.summary_label.text() == "1 published", what="the publish")
        panel.set_text('{"draft": true}')
        await close(window, ctx)

    async def second() -> None:
        again = AppContext(keyring_store=KeyringStore(keyring_backend))
        window = MainWindow(again)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        assert view.publisher is not None
        assert view.publisher.editor.toPlainText() == '{"draft": true}'
        assert view.publisher.history.count() == 1
        await close(window, again)

    qloop.run_until_complete(first())
    qloop.run_until_complete(second())
    assert stored(emulator, topic) == [{"key": "pressed"}]


def test_an_unknown_outcome_is_shown_and_never_retried(qloop: EventLoop, tmp_path: Path) -> None:
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        raise httpx.ReadTimeout("no answer", request=request)  # after the request went out

    base = "https://event-streams.example.test"
    http = httpx.AsyncClient(base_url=base, transport=httpx.MockTransport(handler))
    client = EventStreamsClient(custom_endpoint(base), "tok", http=http, limiter=RateLimiter(0))
    panel = PublishPanel(client, "P", TopicEntry(9), PublishStore(tmp_path))
    panel.set_text('[{"a": 1}, {"a": 2}]')

    async def scenario() -> None:
        results = await panel.publish_now()
        assert results is not None
        assert [r.outcome for r in results] == [Outcome.UNKNOWN, Outcome.UNKNOWN]
        assert panel.results.data(panel.results.index(0, 1)) == "unknown — may have been published"
        assert panel.summary_label.text() == "0 published, 2 unknown"
        assert not panel.retry_button.isEnabled()
        assert await panel.retry_now() is None
        reason = panel.results.data(panel.results.index(0, 2))
        assert reason  # the reason alone: the Result column says it may have been published
        assert "may have been published" not in reason
        panel._history_activated(panel.history.item(0))
        assert panel.results.data(panel.results.index(0, 2)) == reason  # the same, read back from the history
        await client.aclose()

    qloop.run_until_complete(scenario())
    assert len(sent) == 1
    panel.deleteLater()


def test_bracket_matching_with_escapes_in_strings() -> None:
    text = '{"c": "x\\\\", "d": "q\\"]", "e": [1]}'
    assert matching_bracket(text, 0) == len(text) - 1
    assert matching_bracket(text, len(text) - 1) == 0
    assert matching_bracket(text, text.index("]")) is None  # the one inside "q\"]"
    assert matching_bracket(text, text.rindex("]")) == text.rindex("[")

"""The main window against a real emulator over loopback HTTP, driven as a user would (offscreen)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from inspector.core.profiles import Profile
from inspector.core.secrets import KeyringStore
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.dialogs import AddTopicDialog
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.model import COL_ID
from inspector.ui.topic.view import TopicView
from tests.helpers import InMemoryKeyring, wait_until


def publish(server: EmulatorServer, topic: int, *payloads: dict[str, object]) -> list[str]:
    headers = {"Authorization": f"Bearer {server.token}"}
    return [
        httpx.post(f"{server.url}/api/v1/topics/{topic}/publish", json=p, headers=headers).json()["message_id"]
        for p in payloads
    ]


def publish_batches(server: EmulatorServer, topic: int, count: int) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}
    for start in range(0, count, 100):
        payloads = [{"n": n} for n in range(start, min(start + 100, count))]
        answer = httpx.post(
            f"{server.url}/api/v1/batch/topics/{topic}/publish", json={"payloads": payloads}, headers=headers
        )
        assert answer.status_code == 200


async def local_profile(ctx: AppContext, server: EmulatorServer, topic: int, name: str = "Local") -> Profile:
    profile = ctx.profile_store.upsert(Profile(name, "custom", server.url, rate_limit_rpm=0))
    await ctx.set_token(profile, server.token)
    ctx.workspace.add_topic(name, topic, "mine")
    return profile


def ids(view: TopicView) -> list[str]:
    return [view.model.data(view.model.index(r, COL_ID)) for r in range(view.model.rowCount())]


async def close(window: MainWindow, ctx: AppContext) -> None:
    window.close()
    await window.shutdown()
    await ctx.aclose()


def run(loop: qasync.QEventLoop, coro: object) -> None:
    loop.run_until_complete(coro)  # type: ignore[arg-type]


def test_add_profile_and_topic_then_watch_messages_arrive(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    keyring_backend: InMemoryKeyring,
    emulator: EmulatorServer,
    topic: int,
) -> None:
    async def scenario() -> None:
        window = MainWindow(ctx)
        window.show()
        dialog = window._profile_dialog(None)
        dialog.name.setText("Local")
        dialog.region.setCurrentIndex(dialog.region.findData("custom"))
        dialog.base_url.setText(emulator.url)
        dialog.token.setText(emulator.token)
        assert dialog.token.echoMode() == dialog.token.EchoMode.Password
        dialog.test_topic.setText(str(topic))
        dialog.test_button.click()
        await wait_until(lambda: dialog.test_result.text() != "Testing…", what="connection test")
        assert dialog.test_result.text().startswith("OK"), dialog.test_result.text()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        await wait_until(lambda: keyring_backend.items, what="token in the keyring")
        assert keyring_backend.items == {("topic-inspector", f"profile:Local@{emulator.url}"): emulator.token}
        profile = ctx.profile("Local")
        assert profile is not None
        assert "stored in" in ctx.token_note(profile)
        assert emulator.token not in ctx.profile_store.path.read_text()
        await wait_until(lambda: window.tree_model.rowCount() == 1, what="the profile in the sidebar")

        window.tree.setCurrentIndex(window.tree_model.index(0, 0))
        window.add_topic()
        add = window.findChild(AddTopicDialog, "add-topic-dialog")
        assert add is not None
        add.reference.setText(f"https://app.workato.com/event_topics/{topic}?tab=messages")
        add.name.setText("orders here")
        add.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        await wait_until(lambda: ("Local", topic) in window.views, what="the topic tab")
        view = window.views[("Local", topic)]
        await wait_until(lambda: view.session.status.kind == "live", what="live")
        sent = publish(emulator, topic, {"n": 1}, {"n": 2}, {"n": 3})
        await wait_until(lambda: view.model.rowCount() == 3, what="three rows")
        assert ids(view) == sent
        assert window.tabs.tabText(window.tabs.currentIndex()) == f"orders here ({topic})"
        window.update_status_bar()
        assert "orders here" in window.state_label.text()
        assert "live" in window.state_label.text()
        await close(window, ctx)

    run(qloop, scenario())


def test_pause_resume_clear_and_no_duplicates(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        first = publish(emulator, topic, {"n": 1})
        await wait_until(lambda: view.model.rowCount() == 1)
        view.pause_button.click()
        assert view.session.status.kind == "paused"
        later = publish(emulator, topic, {"n": 2}, {"n": 3})
        await asyncio.sleep(0.3)
        assert view.model.rowCount() == 1
        view.pause_button.click()
        await wait_until(lambda: view.model.rowCount() == 3)
        await asyncio.sleep(0.2)
        assert ids(view) == first + later
        view.clear_button.click()
        assert view.model.rowCount() == 0
        more = publish(emulator, topic, {"n": 4})
        await wait_until(lambda: view.model.rowCount() == 1)
        assert ids(view) == more
        await close(window, ctx)

    run(qloop, scenario())


def test_start_positions(qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        old = publish(emulator, topic, {"n": 1}, {"n": 2}, {"n": 3})
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 3, what="from the start of retention")

        view.start_choice.setCurrentIndex(view.start_choice.findData("after"))
        assert view.start_value.isVisibleTo(view)
        view.start_value.setText(old[0])
        view.restart_button.click()
        await wait_until(lambda: ids(view) == old[1:], what="after a message id")

        view.start_choice.setCurrentIndex(view.start_choice.findData("now"))
        view.restart_button.click()
        await wait_until(lambda: view.session.status.kind == "live")
        await asyncio.sleep(0.2)
        assert view.model.rowCount() == 0
        new = publish(emulator, topic, {"n": 4})
        await wait_until(lambda: ids(view) == new, what="from now")

        view.start_choice.setCurrentIndex(view.start_choice.findData("since"))
        view.start_value.setText("yesterday")
        view.restart_button.click()
        assert "RFC 3339" in view.status_label.text()
        view.start_value.setText(datetime(2000, 1, 1, tzinfo=UTC).isoformat())
        view.restart_button.click()
        await wait_until(lambda: view.model.rowCount() == 4, what="since a time")
        await close(window, ctx)

    run(qloop, scenario())


def test_filters_and_detail(qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        publish(emulator, topic, *({"Name": "Jane" if n % 3 == 0 else "John", "n": n} for n in range(30)))
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 30)

        view.filter_edit.setText("jane")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 10
        assert view.match_label.text() == "10 of 30 match"

        view.filter_mode.setCurrentIndex(view.filter_mode.findData("jmespath"))
        view.filter_edit.setText("payload.Name == 'John' && payload.n > `20`")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 6
        late = publish(emulator, topic, {"Name": "John", "n": 99}, {"Name": "Jane", "n": 100})
        await wait_until(lambda: view.model.total == 32)
        assert view.model.rowCount() == 7  # new rows are filtered as they arrive
        assert ids(view)[-1] == late[0]

        view.filter_edit.setText("payload.Name ==")
        view.apply_filter()
        assert "ends too soon" in view.filter_error.text()
        assert "Filter not applied" in view.filter_error.text()
        assert view.model.rowCount() == 32  # not applied: every message is shown, not the last good filter's
        assert view.match_label.text() == "32 messages"

        view.filter_edit.setText("")
        view.apply_filter()
        assert view.model.rowCount() == 32
        view.table.selectRow(5)
        assert "<b>" in view.detail_header.text()
        assert '"Name": "John"' in view.payload_text.toPlainText()
        assert view.payload_tree.tree_model.rowCount() == 2
        view.copy_selected_payload()
        assert '"n": 5' in QApplication.clipboard().text()
        view.copy_selected_id()
        assert QApplication.clipboard().text() == ids(view)[5]
        await close(window, ctx)

    run(qloop, scenario())


def test_token_rejected_and_topic_not_found_in_words(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Wrong", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(profile, "not-the-token")
        ctx.workspace.add_topic("Wrong", topic)
        await local_profile(ctx, emulator, 987654)
        window = MainWindow(ctx)
        window.show()
        bad = await window.open_topic("Wrong", topic)
        missing = await window.open_topic("Local", 987654)
        assert bad is not None
        assert missing is not None
        await wait_until(lambda: bad.session.status.kind == "error")
        assert bad.session.status.problem == "auth"
        assert "token rejected" in bad.status_label.text()
        assert bad.token_button.isVisibleTo(bad)
        await wait_until(lambda: missing.session.status.kind == "error")
        assert missing.session.status.text == f"topic 987654 not found in {emulator.url}"
        assert not missing.token_button.isVisibleTo(missing)
        await close(window, ctx)

    run(qloop, scenario())


def test_reconnects_after_the_emulator_restarts(qloop: qasync.QEventLoop, ctx: AppContext, tmp_path: object) -> None:
    server = EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, data=f"{tmp_path}/emu.sqlite"))
    server.start()

    async def scenario() -> None:
        await local_profile(ctx, server, 2)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", 2)
        assert view is not None
        first = publish(server, 2, {"n": 1})
        await wait_until(lambda: view.model.rowCount() == 1)
        await asyncio.to_thread(server.stop)
        await wait_until(lambda: view.session.status.kind == "backoff", what="reconnecting state")
        window.update_status_bar()
        assert "reconnecting in" in window.state_label.text()
        await asyncio.to_thread(server.start)
        second = publish(server, 2, {"n": 2}, {"n": 3})
        await wait_until(lambda: view.model.rowCount() == 3, within=20, what="rows after the restart")
        assert ids(view) == first + second
        await close(window, ctx)

    try:
        run(qloop, scenario())
    finally:
        server.stop()


def test_restart_restores_tabs_layout_and_resumes_from_the_saved_cursor(
    qloop: qasync.QEventLoop, keyring_backend: InMemoryKeyring, emulator: EmulatorServer, topic: int
) -> None:
    async def first_run() -> None:
        ctx = AppContext(keyring_store=KeyringStore(keyring_backend))
        ctx.workspace.archive.enabled = False  # the saved cursor alone (tests/gui/test_archive_tab.py: the archive)
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        publish(emulator, topic, {"n": 1}, {"n": 2})
        await wait_until(lambda: view.model.rowCount() == 2)
        window.splitter.setSizes([300, 900])
        await close(window, ctx)

    async def second_run() -> list[str]:
        ctx = AppContext(keyring_store=KeyringStore(keyring_backend))
        ctx.workspace.archive.enabled = False
        window = MainWindow(ctx)
        window.restore()
        window.show()
        later = publish(emulator, topic, {"n": 3})
        await window.start_background()  # as the app does once its window is shown
        view = window.views[("Local", topic)]
        await wait_until(lambda: view.model.rowCount() >= 1)
        await asyncio.sleep(0.3)
        got = ids(view)
        assert window.splitter.sizes()[0] == pytest.approx(300, abs=30)
        await close(window, ctx)
        assert got == later
        return got

    run(qloop, first_run())
    run(qloop, second_run())


def test_demo_mode_starts_and_quits_cleanly(qloop: qasync.QEventLoop, qapp: QApplication) -> None:
    from inspector.ui import app as ui_app

    seen: dict[str, object] = {}

    async def watch(window: MainWindow) -> None:
        await wait_until(lambda: _main_window() is window, what="the window shown")
        await wait_until(lambda: len(window.views) == 2, what="demo topics open")
        orders = window.views[("Demo (local)", 1)]
        await wait_until(lambda: orders.model.rowCount() >= 2, within=15, what="demo traffic")
        seen["banner"] = window.demo_banner.text()
        seen["schema"] = orders.schema_text.toPlainText()
        seen["title"] = window.windowTitle()

    async def scenario() -> int:
        ctx, window = ui_app.show_window(qapp, demo=True, started=0.0)
        assert window.isVisible()  # shown before the loop's work (the demo, the keyring, the topics) starts
        watcher = asyncio.ensure_future(watch(window))
        watcher.add_done_callback(lambda _: window.close())  # also when a check failed: the app must end
        result = await ui_app.run_window(qapp, ctx, window, demo=True)
        await watcher
        return result

    assert qloop.run_until_complete(scenario()) == 0
    assert "Demo mode" in str(seen["banner"])
    assert "order_id" in str(seen["schema"])
    assert "demo mode" in str(seen["title"])


def _main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def test_sidebar_model_passes_modeltester(
    qtbot: QtBot, qtmodeltester: object, ctx: AppContext, emulator: EmulatorServer
) -> None:
    ctx.profile_store.upsert(Profile("Local", "custom", emulator.url))
    ctx.workspace.add_topic("Local", 5, "five")
    ctx.workspace.add_topic("Local", 6)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtmodeltester.check(window.tree_model)  # type: ignore[attr-defined]
    assert window.tree_model.item(0).child(0).text() == "five (5)"
    assert window.tree_model.item(0).child(1).data(Qt.ItemDataRole.DisplayRole) == "topic 6"
    window.close()


def test_topics_listed_from_the_developer_api_with_schemas(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Dev", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(profile, emulator.token)
        window = MainWindow(ctx)
        window.show()
        count = await window.list_topics(profile)
        assert count >= 2
        orders = ctx.workspace.topic("Dev", 1)
        assert orders is not None
        assert orders.name == "orders"
        assert orders.schema is not None
        assert orders.schema[0]["name"] == "order_id"
        labels = [window.tree_model.item(0).child(r).text() for r in range(window.tree_model.item(0).rowCount())]
        assert "orders (1)" in labels
        view = await window.open_topic("Dev", 1)
        assert view is not None
        assert "order_id" in view.schema_text.toPlainText()
        await close(window, ctx)

    run(qloop, scenario())


def test_payload_tree_model_passes_modeltester(qtbot: QtBot, qtmodeltester: object) -> None:
    from inspector.ui.json_view import JsonTree

    tree = JsonTree()
    qtbot.addWidget(tree)
    tree.show_value({"a": 1, "b": [1, {"c": None}], "d": {"e": "f"}, "g": []})
    qtmodeltester.check(tree.tree_model)  # type: ignore[attr-defined]
    assert tree.tree_model.rowCount() == 4
    assert tree.tree_model.item(1, 1).text() == "[2 items]"
    tree.show_value(None)
    assert tree.tree_model.rowCount() == 0


def test_row_limit_drops_the_oldest_with_a_notice(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        window.set_row_cap(1000)
        view = await window.open_topic("Local", topic)
        assert view is not None
        await asyncio.to_thread(publish_batches, emulator, topic, 1200)
        await wait_until(lambda: view.model.total == 1000 and view.model.dropped_total == 200, what="the cap")
        assert view.notice.isVisibleTo(view)
        assert "200 oldest messages were dropped" in view.notice.text()
        assert view.model.data(view.model.index(0, 0)) == 201
        await close(window, ctx)

    run(qloop, scenario())


def test_renaming_a_profile_keeps_its_token_and_topics(
    qloop: qasync.QEventLoop, ctx: AppContext, keyring_backend: InMemoryKeyring, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        original = await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        renamed = Profile("Renamed", "custom", emulator.url, rate_limit_rpm=0)
        await window._save_profile(original, renamed, None)
        assert ctx.profile("Local") is None
        assert keyring_backend.items == {("topic-inspector", f"profile:Renamed@{emulator.url}"): emulator.token}
        assert ctx.workspace.topic("Renamed", topic) is not None
        assert ("Renamed", topic) in window.views
        sent = await asyncio.to_thread(publish, emulator, topic, {"after": "rename"})
        await wait_until(lambda: ids(view)[-1:] == sent, what="messages after the rename")
        await close(window, ctx)

    run(qloop, scenario())

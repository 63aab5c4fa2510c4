"""The topic tab (issue 16): room at 1024x700, its two pages, no request without a token, the keyboard, "N new ↓",
the filter's words and marks, and an accessible name on every control. Against a real emulator over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from inspector.core.errors import AuthError
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.regions import Endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TailState, TopicTail
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.model import COL_ID, COL_PREVIEW
from inspector.ui.topic.view import TopicView, new_topic_view
from tests.gui.test_main_window import close, ids, local_profile, publish, run
from tests.helpers import wait_until

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def messages(first: int, count: int) -> list[Message]:
    return [Message(f"M{n}", START + timedelta(seconds=n), {"n": n}) for n in range(first, first + count)]


async def lone_view(ctx: AppContext, emulator: EmulatorServer, topic: int, *, token: bool = True) -> TopicView:
    """A topic's tab on its own (as the window makes it), shown, not started."""
    profile = ctx.profile_store.upsert(Profile("Local", "custom", emulator.url, rate_limit_rpm=0))
    if token:
        await ctx.set_token(profile, emulator.token)
    entry = ctx.workspace.add_topic("Local", topic, "mine")
    view = new_topic_view(ctx, profile, entry, await ctx.token_source(profile))
    view.resize(900, 600)
    view.show()
    return view


async def finish(view: TopicView, ctx: AppContext) -> None:
    """Stop the tab's work and close the context's connections, as the window does when it closes."""
    await view.session.stop()
    if view.publisher is not None:
        await view.publisher.stop()
    view.close()
    await ctx.aclose()


async def activate(widget: QWidget) -> None:
    """Shortcuts need an active window (offscreen too)."""
    widget.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is widget.window(), what="the window to be active")


def test_room_at_1024x700_and_the_two_pages(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        publish(emulator, topic, *({"n": n} for n in range(40)))
        window = MainWindow(ctx)
        window.resize(1024, 700)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 40)
        view.table.selectRow(3)
        assert view.detail.isVisible()
        assert '"n": 3' in view.payload_text.toPlainText()
        QApplication.processEvents()
        row_height = view.table.verticalHeader().defaultSectionSize()
        shown = view.table.viewport().height() // row_height
        assert shown >= 8, f"the table shows {shown} rows at 1024x700"
        top = view.table.rowAt(0)
        assert view.table.rowAt(8 * row_height - 1) == top + 7  # eight whole rows, one under the other
        # the toolbar and the filter: two rows above the table, not more
        toolbar_bottom = view.filter_edit.mapTo(view, view.filter_edit.rect().bottomLeft()).y()
        assert view.table.mapTo(view, view.table.rect().topLeft()).y() - toolbar_bottom < 20
        assert (
            view.restart_button.mapTo(view, view.restart_button.rect().topLeft()).y()
            < view.filter_edit.mapTo(view, view.filter_edit.rect().topLeft()).y()
        )

        assert [view.pages.tabText(i) for i in range(view.pages.count())] == ["Messages", "Publish"]
        assert view.publisher is not None
        assert view.pages.indexOf(view.publisher) == 1
        assert view.detail_tabs.indexOf(view.publisher) == -1  # no longer squeezed under the table
        view.show_publish()
        assert view.publish_shown()
        assert view.publisher.height() > view.table.height()  # the whole height of the tab
        view.show_messages()
        assert not view.publish_shown()
        assert view.title() == f"mine ({topic})"
        assert view.title(with_profile=True) == f"mine ({topic}) · Local"
        await close(window, ctx)

    run(qloop, scenario())


def test_page_keys_edit_and_resend_and_new_from_schema(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic)
        view.session.start()
        publish(emulator, topic, {"name": "Ana", "total": 3})
        await wait_until(lambda: view.model.rowCount() == 1)
        await activate(view)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert view.publish_shown()
        qtbot.keyClick(view.focusWidget() or view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert not view.publish_shown()
        assert view.table.hasFocus()

        view.table.selectRow(0)
        qtbot.keyClick(view.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # Edit & resend
        assert view.publish_shown()
        assert view.publisher is not None
        assert '"name": "Ana"' in view.publisher.editor.toPlainText()

        view.show_messages()
        assert view.new_from_schema_action is not None
        view.new_from_schema_action.trigger()
        assert view.publish_shown()
        await finish(view, ctx)

    run(qloop, scenario())


def test_no_token_sends_nothing_says_so_and_starts_when_one_is_set(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        assert emulator.handle is not None
        view = await lone_view(ctx, emulator, topic, token=False)
        assert view.session.waiting_for_token
        assert view.token_bar.isVisible()
        assert "No token for 'Local'" in view.token_bar_label.text()
        assert view.set_token_button.text() == "Set token…"
        assert not view.token_button.isVisible()  # one way to act, not two
        asked: list[bool] = []
        view.updateTokenRequested.connect(lambda: asked.append(True))
        view.set_token_button.click()
        assert asked == [True]

        before = emulator.handle.requests
        view.session.start()
        view.restart_button.click()  # Start: waits as well
        await asyncio.sleep(0.3)
        assert emulator.handle.requests == before  # not one request, so no "Bearer " and no retry loop
        assert not view.session.running
        assert view.session.status.kind == "error"
        assert "no token for 'Local'" in view.status_label.text()

        profile = ctx.profile("Local")
        assert profile is not None
        await ctx.set_token(profile, emulator.token)
        sent = publish(emulator, topic, {"n": 1})
        token = await ctx.token_source(profile)
        assert token is not None
        assert view.token_arrived(token)
        await wait_until(lambda: ids(view) == sent, what="the message once the token came")
        assert not view.token_bar.isVisible()
        assert view.session.status.kind == "live"
        await finish(view, ctx)

    run(qloop, scenario())


def test_a_tail_with_an_empty_token_sends_nothing_and_does_not_retry(
    qloop: qasync.QEventLoop, endpoint: Endpoint, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        assert emulator.handle is not None
        before = emulator.handle.requests
        states: list[TailState] = []
        async with EventStreamsClient(endpoint, "") as client:
            tail = TopicTail(client, topic, lambda batch: None, on_status=lambda s: states.append(s.state))
            with pytest.raises(AuthError, match="nothing was sent"):
                await tail.run()
        assert emulator.handle.requests == before
        assert TailState.BACKING_OFF not in states
        assert states[-1] is TailState.ERROR

    run(qloop, scenario())


def test_message_actions_follow_the_selection_and_work_from_the_keyboard(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic)
        actions = view.message_actions()
        names = [a.text() if a is not None else None for a in actions]
        assert names == [
            "Copy payload",
            "Copy message id",
            "Copy whole message",
            None,
            "Edit && resend",
            "New from schema",
            None,
            "Replay to…",
            "Export…",
            "Compare two messages",
        ]
        shortcuts = {a.text(): a.shortcut().toString() for a in actions if a is not None}
        assert shortcuts["Edit && resend"] == "Ctrl+E"
        assert shortcuts["Compare two messages"] == "Ctrl+D"
        assert all(a.parent() is view for a in actions if a is not None)
        assert [a.text() if not a.isSeparator() else None for a in view.context_menu.actions()] == names
        enabled = {a.text(): a.isEnabled() for a in actions if a is not None}
        assert enabled.pop("New from schema")  # needs no message
        assert not any(enabled.values())  # an empty table: nothing to act on

        view.session.start()
        publish(emulator, topic, *({"n": n, "Name": "Jane" if n % 2 else "John"} for n in range(10)))
        await wait_until(lambda: view.model.rowCount() == 10)
        assert view.replay_action.isEnabled()
        assert view.export_action.isEnabled()
        assert not view.copy_id_action.isEnabled()
        assert not view.compare_action.isEnabled()
        view.table.selectRow(1)
        assert view.copy_id_action.isEnabled()
        assert not view.compare_action.isEnabled()
        view.table.selectionModel().select(
            view.model.index(4, 0),
            view.table.selectionModel().SelectionFlag.Select | view.table.selectionModel().SelectionFlag.Rows,
        )
        assert view.compare_action.isEnabled()

        await activate(view)
        view.table.setFocus()
        assert not view.table.tabKeyNavigation()  # Tab leaves the table
        qtbot.keyClick(
            view.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        assert QApplication.clipboard().text() == "\n".join(ids(view)[i] for i in (1, 4))
        view.payload_tree.setFocus()  # anywhere on the Messages page
        qtbot.keyClick(
            view.payload_tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        assert '"message_id"' in QApplication.clipboard().text()

        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_Space)  # Space pauses and resumes
        assert view.pause_button.isChecked()
        assert view.session.status.kind == "paused"
        assert view.pause_action.text() == "Resume"
        qtbot.keyClick(view.table, Qt.Key.Key_Space)
        assert not view.pause_button.isChecked()

        qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F: the filter
        assert view.filter_edit.hasFocus()
        qtbot.keyClicks(view.filter_edit, "jane")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 5
        qtbot.keyClick(view.filter_edit, Qt.Key.Key_Escape)  # Esc clears it
        assert view.filter_edit.text() == ""
        assert view.model.rowCount() == 10
        view.filter_edit.setText("jane")
        view.apply_filter()
        await wait_until(view.filter_done)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_Escape)  # in the table too
        assert view.model.rowCount() == 10
        await finish(view, ctx)

    run(qloop, scenario())


def test_n_new_when_scrolled_up_counts_within_the_row_cap(
    qtbot: QtBot, ctx: AppContext, emulator: EmulatorServer, topic: int, qloop: qasync.QEventLoop
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic)
        model, table = view.model, view.table
        model.row_cap = 100
        model.append(messages(0, 60))
        await wait_until(lambda: table.verticalScrollBar().maximum() > 0, what="a scroll bar")
        assert not table.new_button.isVisible()  # following: the newest row is in view
        model.append(messages(60, 5))
        assert not table.new_button.isVisible()

        table.scrollToTop()
        model.append(messages(65, 12))
        assert table.new_button.isVisible()
        assert table.new_button.text() == "12 new ↓"
        assert table.new_button.accessibleName() == "12 new ↓"
        model.append(messages(77, 1))
        assert table.new_button.text() == "13 new ↓"
        model.append(messages(78, 250))  # more than the cap: only what the table holds is new
        assert model.rowCount() == 100
        assert table.new_button.text() == "100 new ↓"

        table.new_button.click()
        assert not table.new_button.isVisible()
        bar = table.verticalScrollBar()
        assert bar.value() == bar.maximum()
        model.append(messages(328, 3))
        assert not table.new_button.isVisible()  # following again
        assert bar.value() == bar.maximum()

        table.scrollToTop()
        model.append(messages(331, 2))
        assert table.new_button.text() == "2 new ↓"
        table.scrollToBottom()  # scrolling down by hand sees them too
        assert not table.new_button.isVisible()
        await finish(view, ctx)

    run(qloop, scenario())


def test_a_bad_filter_is_not_applied_and_says_how_to_fix_it(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic)
        view.model.append([Message(f"id-{'abcd'[n]}", START, {"total": n * 50, "Name": "Jane"}) for n in range(4)])
        assert "Jane" in view.filter_edit.placeholderText()
        view.filter_mode.setCurrentIndex(view.filter_mode.findData("jmespath"))
        assert "payload." in view.filter_edit.placeholderText()
        assert "`100`" in view.filter_edit.placeholderText()

        view.filter_edit.setText("payload.total > `60`")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 2
        assert view.match_label.text() == "2 of 4 match"
        assert view.table.itemDelegateForColumn(COL_PREVIEW) is None  # JMESPath: the rows are the matches

        view.filter_edit.setText("payload.total > 100")
        view.apply_filter()
        words = view.filter_error.text()
        assert view.filter_error.isVisible()
        assert words.startswith("Filter not applied, all messages are shown.")
        assert "column 17" in words
        assert "numbers need backticks: payload.total > `100`" in words
        assert view.model.rowCount() == 4
        assert view.match_label.text() == "4 messages"

        view.filter_mode.setCurrentIndex(view.filter_mode.findData("text"))
        view.filter_edit.setText("1")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert not view.filter_error.isVisible()
        assert view.model.rowCount() == 2  # "total":100 and "total":150
        assert view.table.itemDelegateForColumn(COL_PREVIEW) is view.table.match_delegate
        assert view.table.itemDelegateForColumn(COL_ID) is view.table.match_delegate
        assert view.table.match_delegate.spans is not None
        assert view.table.match_delegate.spans('{"total":150,"Name":"Jane"}') == [(9, 10)]

        # the mark is painted: a yellow run in the Payload column
        view.table.setColumnWidth(COL_PREVIEW, 300)
        image = view.table.viewport().grab().toImage()
        rect = view.table.visualRect(view.model.index(0, COL_PREVIEW))
        colours = {QColor(image.pixel(x, rect.center().y())).name() for x in range(rect.left(), rect.right())}
        assert any(QColor(c).red() > 200 and QColor(c).blue() < 140 and QColor(c).green() > 170 for c in colours)

        view.filter_edit.setText("")
        view.apply_filter()
        assert view.table.itemDelegateForColumn(COL_PREVIEW) is None
        assert view.model.rowCount() == 4

        view.filter_by("payload.total == `0`")  # the detail tree's "Filter by this value"
        await wait_until(view.filter_done)
        assert view.filter_mode.currentData() == "jmespath"
        assert view.model.rowCount() == 1
        await finish(view, ctx)

    run(qloop, scenario())


def test_every_control_of_the_tab_has_an_accessible_name(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic, token=False)
        view.model.append(messages(0, 3))
        view.table.scrollToTop()
        view.table.selectRow(0)
        controls = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QPlainTextEdit, QTextEdit, QTabWidget)
        publisher = view.publisher
        assert publisher is not None

        def inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
            parent = widget.parentWidget()
            while parent is not None and parent is not view:
                if isinstance(parent, kinds):
                    return True
                parent = parent.parentWidget()
            return False

        missing = [
            f"{type(w).__name__} {w.objectName()!r}"
            for w in view.findChildren(QWidget)
            if isinstance(w, controls)
            and not isinstance(w, QHeaderView)
            and not inside(w, (QTabBar, QLineEdit, QComboBox, QAbstractSpinBox))  # their own parts
            and not inside(w, (type(publisher),))  # the Publish panel names its own (tests/gui/test_publish*)
            and not w.objectName().startswith("qt_")  # Qt's own: the table's corner button
            and not w.accessibleName()
        ]
        assert missing == []
        assert view.filter_edit.accessibleName() == "Filter"
        assert view.filter_mode.accessibleName() == "Filter mode"
        assert view.table.accessibleName() == "Messages"
        assert view.payload_text.accessibleName() == "Payload text"
        assert view.payload_tree.accessibleName() == "Payload tree"
        assert view.schema_text.accessibleName() == "Schema"
        assert view.detail_header.accessibleName().startswith("M0 · #1 · ")
        assert view.set_token_button.accessibleName() == "Set token…"
        view.start_choice.setCurrentIndex(view.start_choice.findData("since"))
        assert view.start_value.accessibleName() == "Start time"
        await finish(view, ctx)

    run(qloop, scenario())

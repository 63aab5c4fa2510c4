"""The Publish panel as a workspace: every action in a working menu with its shortcut, room for the editor, the
failed items back in the editor to fix and resend, a replaced draft one Undo away, and words that count from 1.

The panel stands alone here (the topic view hosts it on a page of its own), against a real emulator over
loopback HTTP where it publishes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QInputDialog,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from inspector.core.drafts import HistoryEntry, PublishStore
from inspector.core.models import ItemResult, Outcome
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.workspace import TopicEntry
from inspector.emulator.samples import ORDER_SCHEMA
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.topic.publish import MIN_EDITOR_LINES, PublishPanel
from inspector.ui.topic.publish_parts import ResultsModel, StatusLabel
from tests.gui.test_main_window import close
from tests.gui.test_publish import open_view, order, stored

DRAFT = '{"draft": "typed by hand"}'
UNDO_WORDS = "— Ctrl+Z brings the draft back"


def new_panel(emulator: EmulatorServer, topic: int, folder: Path, size: tuple[int, int] = (1000, 560)) -> PublishPanel:
    """The panel in a window of its own, ``size`` pixels, shown."""
    client = EventStreamsClient(custom_endpoint(emulator.url, rate_limit_rpm=0), emulator.token, limiter=RateLimiter(0))
    host = QWidget()
    panel = PublishPanel(client, "Local", TopicEntry(topic), PublishStore(folder))
    QVBoxLayout(host).addWidget(panel)
    host.resize(*size)
    host.show()
    panel.host = host  # type: ignore[attr-defined]  # kept alive as long as the panel is
    return panel


def settle() -> None:
    """Lay out what was resized now (the layouts' posted requests), without running the event loop."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)


def menu_actions(menu: QMenu) -> list[QAction]:
    """Every action a menu holds, its submenus' included."""
    found = []
    for action in menu.actions():
        found.append(action)
        if action.menu() is not None:
            found += menu_actions(action.menu())
    return found


@pytest.fixture
def panel(emulator: EmulatorServer, topic: int, tmp_path: Path, qapp: QApplication) -> Iterator[PublishPanel]:
    made = new_panel(emulator, topic, tmp_path / "publishing")
    yield made
    made.flush_draft()
    asyncio.run(made.client.aclose())  # it never connected: nothing to wait for


# ----- every action reachable ---------------------------------------------------------------------------------
# offscreen, the menu cannot grab the keyboard nor the dialog raise itself
@pytest.mark.qt_log_ignore(
    "This plugin does not support grabbing the keyboard", r"This plugin does not support raise\(\)"
)
def test_every_action_is_in_the_actions_menu_with_its_shortcut(panel: PublishPanel, qtbot: QtBot) -> None:
    actions = panel.panel_actions()
    texts = [a.text() for a in actions]
    for wanted in ("Publish", "Check", "Save as template…", "Delete template", "Copy as curl", "Load schema…"):
        assert wanted in texts
    assert "Open failed items in editor" in texts
    in_menu = menu_actions(panel.actions_menu)
    assert all(action in in_menu for action in actions)  # the ones shown as buttons too
    assert panel.templates_menu.menuAction() in in_menu
    for action in actions:
        if not action.shortcut().isEmpty():
            assert action.shortcutContext() is Qt.ShortcutContext.WidgetWithChildrenShortcut
            assert action.isShortcutVisibleInContextMenu()
            assert action in panel.actions()  # added to the panel: its shortcut works with focus anywhere in it
    assert len({a.shortcut().toString() for a in actions if not a.shortcut().isEmpty()}) == len(
        [a for a in actions if not a.shortcut().isEmpty()]
    )  # no two alike

    # the button opens the menu (InstantPopup), and an action chosen there works
    assert panel.actions_button.popupMode() is QToolButton.ToolButtonPopupMode.InstantPopup
    shown: list[bool] = []

    def look() -> None:
        shown.append(panel.actions_menu.isVisible())
        panel.actions_menu.close()

    QTimer.singleShot(0, look)
    qtbot.mouseClick(panel.actions_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown == [True])

    panel.set_text('{"kind": "template"}')
    panel.save_template_action.trigger()
    dialog = panel.findChild(QInputDialog)
    assert dialog is not None
    dialog.setTextValue("daily")
    dialog.accept()
    assert panel.store.templates("Local", panel.entry.id) == {"daily": '{"kind": "template"}'}
    assert panel.templates.currentText() == "daily"
    assert [a.text() for a in panel.templates_menu.actions()] == ["daily"]
    assert panel.delete_template_action.isEnabled()
    panel.delete_template_action.trigger()
    assert panel.store.templates("Local", panel.entry.id) == {}
    assert panel.notice_label.text() == "Deleted the template “daily”"
    assert not panel.delete_template_action.isEnabled()

    panel.curl_action.trigger()
    assert "curl" in QApplication.clipboard().text()


def test_the_buttons_fit_a_narrow_panel_and_never_hide_an_action(
    emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    panel = new_panel(emulator, topic, tmp_path, size=(600, 560))
    settle()
    assert panel.tools.minimumSize().width() <= 600
    for button in (panel.publish_button, panel.check_button, panel.format_button, panel.actions_button):
        assert button.isVisible()
        assert button.geometry().right() <= panel.width()
    assert panel.templates.isVisible()
    assert panel.actions_button.geometry().right() <= panel.width()
    asyncio.run(panel.client.aclose())


def test_shortcuts_work_with_focus_in_the_panel(panel: PublishPanel, qtbot: QtBot) -> None:
    host = panel.window()
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
    panel.set_text('{"b": [1, 2]}')
    panel.editor.setFocus()
    qtbot.keyClick(panel.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert panel.editor.toPlainText() == json.dumps({"b": [1, 2]}, indent=2)
    panel.results_view.setFocus()  # anywhere in the panel
    qtbot.keyClick(
        panel.results_view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert panel.editor.toPlainText() == '{"b":[1,2]}'


# ----- room for the editor ----------------------------------------------------------------------------------
def test_the_editor_keeps_its_lines_and_the_status_its_width(panel: PublishPanel) -> None:
    settle()
    assert panel.editor.lines_shown() >= MIN_EDITOR_LINES
    long_words = "; ".join(f"item {n}.total: 'not a number' is not of type 'number'" for n in range(1, 40))
    panel.check_label.setText(f"Does not match the topic's schema: {long_words}")
    panel.check_label.set_error(True)
    panel.split.setSizes([0, 10_000])  # the results dragged as tall as they go
    settle()
    assert panel.editor.lines_shown() >= MIN_EDITOR_LINES
    assert len(panel.check_label.shown_lines()) == 2
    assert panel.check_label.shown_lines()[-1].endswith("…")
    assert panel.check_label.width() > panel.width() // 2  # whole lines, never a word per line
    assert "item 39.total" in panel.check_label.toolTip()

    # a history entry with a long summary shows, and nothing squashes
    results = [ItemResult(n, Outcome.FAILED, error="x" * 300) for n in range(3)]
    entry = HistoryEntry.of(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "array", "[{}, {}, {}]", results)
    panel.store.add_history("Local", panel.entry.id, entry)
    panel._fill_history()
    panel.lower_tabs.setCurrentIndex(1)
    panel.history.itemActivated.emit(panel.history.item(0))
    settle()
    assert panel.lower_tabs.currentIndex() == 0
    assert panel.editor.lines_shown() >= MIN_EDITOR_LINES
    assert panel.summary_label.shown_lines() == ["0 published, 3 failed (from the history)"]


def test_the_editor_keeps_eight_lines_in_a_1024_by_700_window(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, view, panel = await open_view(ctx, emulator, topic)
        window.resize(1024, 700)
        view.show_publish()
        panel.set_text(json.dumps([{"n": n} for n in range(40)], indent=2))
        await panel.publish_now()
        panel.split.setSizes([0, 10_000])
        settle()
        assert panel.editor.lines_shown() >= MIN_EDITOR_LINES
        await close(window, ctx)

    qloop.run_until_complete(scenario())


# ----- failed items back in the editor ---------------------------------------------------------------------
def test_open_failed_items_in_editor_fix_and_resend_is_a_retry_in_the_history(
    qloop: EventLoop, emulator: EmulatorServer, tmp_path: Path, qtbot: QtBot
) -> None:
    assert emulator.store is not None
    topic = emulator.store.create_topic("orders-fix", schema=ORDER_SCHEMA).id
    panel = new_panel(emulator, topic, tmp_path)
    items = [order(n) for n in range(1, 6)]
    for bad in (1, 3):  # items 2 and 4, as a person counts
        items[bad]["total"] = "not a number"
    batch = json.dumps(items, indent=2)

    async def scenario() -> None:
        panel.set_text(batch)
        assert await panel.publish_now(confirm=False) is not None
        assert [panel.results.data(panel.results.index(r, 0)) for r in range(5)] == [1, 2, 3, 4, 5]
        assert panel.results.data(panel.results.index(1, 1)) == "failed"
        assert panel.results.data(panel.results.index(1, 2), Qt.ItemDataRole.ToolTipRole).startswith("Item 2: ")
        assert panel.summary_label.text() == "3 published, 2 failed"
        assert panel.open_failed_button.isEnabled()
        assert panel.open_failed_button.accessibleName() == panel.open_failed_button.text()

        panel.open_failed_button.click()
        assert json.loads(panel.editor.toPlainText()) == [items[1], items[3]]  # an array for a batch
        assert panel.notice_label.text() == f"Replaced the draft with 2 failed items {UNDO_WORDS}"
        qtbot.keyClick(panel.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert panel.editor.toPlainText() == batch  # one Undo away
        assert panel.notice_label.text() == ""
        panel.editor.redo()

        # fixed by hand (two edits), then published: kept in the history as a retry of 2 items
        for _ in range(2):
            cursor = panel.editor.document().find('"not a number"')
            assert not cursor.isNull()
            cursor.insertText("12.5")
        assert await panel.publish_now() is not None
        assert panel.summary_label.text() == "2 published"
        assert [p["order_id"] for p in stored(emulator, topic)] == [1, 3, 5, 2, 4]
        history = panel.store.history("Local", topic)
        assert (history[0].retry_of, history[0].items, history[1].retry_of) == (2, 2, 0)
        assert " · retry of 2 items · 2 published" in panel.history.item(0).text()
        assert " · array · 5 items · 3 published, 2 failed" in panel.history.item(1).text()

        # the first publish, opened from the history: its one failed item goes back as an object
        panel.history.itemActivated.emit(panel.history.item(1))
        assert panel.editor.toPlainText() == batch
        assert not panel.retry_action.isEnabled()  # what was sent then is there to read and fix, not resend
        panel.store.add_history(  # a publish whose one item failed
            "Local", topic, HistoryEntry.of(datetime.now(UTC), "array", batch, _one_failed(len(items), 3))
        )
        panel._fill_history()
        panel.history.itemActivated.emit(panel.history.item(0))
        panel.open_failed_action.trigger()
        assert json.loads(panel.editor.toPlainText()) == items[3]
        assert panel.notice_label.text() == f"Replaced the draft with 1 failed item {UNDO_WORDS}"
        panel.editor.undo()  # undone: publishing now is not a retry
        assert panel.editor.toPlainText() == batch
        await panel.client.aclose()

    qloop.run_until_complete(scenario())


def _one_failed(count: int, failed: int) -> list[ItemResult]:
    return [
        ItemResult(n, Outcome.FAILED, error="refused") if n == failed else ItemResult(n, Outcome.SUCCESS, f"m{n}")
        for n in range(count)
    ]


def test_retry_failed_items_is_marked_in_the_history(
    qloop: EventLoop, emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert emulator.store is not None
    topic = emulator.store.create_topic("orders-retried", schema=ORDER_SCHEMA).id
    panel = new_panel(emulator, topic, tmp_path)
    items = [order(n) for n in range(1, 4)]
    items[0]["total"] = "not a number"

    async def scenario() -> None:
        panel.set_text(json.dumps(items))
        await panel.publish_now(confirm=False)
        assert panel.retry_button.isEnabled()
        relaxed = [dict(f, type="string") if f["name"] == "total" else f for f in ORDER_SCHEMA]
        assert emulator.store is not None
        emulator.store.update_topic(topic, schema=relaxed)
        assert await panel.retry_now() is not None
        assert panel.check_label.text() == "Retried 1 failed item: 1 published"
        assert panel.summary_label.text() == "3 published"
        assert " · retry of 1 item · 3 published" in panel.history.item(0).text()
        await panel.client.aclose()

    qloop.run_until_complete(scenario())


# ----- a replaced draft stays one Undo away -------------------------------------------------------------------
def _history(panel: PublishPanel) -> str:
    entry = HistoryEntry.of(
        datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "object", '{"from": "history"}', [ItemResult(0, Outcome.SUCCESS)]
    )
    panel.store.add_history("Local", panel.entry.id, entry)
    panel._fill_history()
    panel.history.itemActivated.emit(panel.history.item(0))
    return "the publish of "


def _template(panel: PublishPanel) -> str:
    panel.store.save_template("Local", panel.entry.id, "daily", '{"from": "template"}')
    panel._fill_templates()
    panel.templates.setCurrentIndex(panel.templates.findText("daily"))
    panel.templates.activated.emit(panel.templates.currentIndex())
    return "the template “daily”"


def _edit_and_resend(panel: PublishPanel) -> str:
    panel.set_text('{"from": "the table"}')
    return "1 message"


def _schema_example(panel: PublishPanel) -> str:
    panel.set_user_schema({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})
    panel.example_action.trigger()
    return "an example of the loaded schema"


def _file(panel: PublishPanel, folder: Path) -> str:
    path = folder / "orders.jsonl"
    path.write_text('{"n": 1}\n{"n": 2}\n')
    panel.load_input_file(path)
    return "orders.jsonl"


@pytest.mark.parametrize("source", ["history", "template", "edit and resend", "new from schema", "file"])
def test_replacing_an_edited_draft_keeps_it_one_undo_away_and_says_so(
    panel: PublishPanel, qtbot: QtBot, tmp_path: Path, source: str
) -> None:
    panel.editor.setPlainText("")
    qtbot.keyClicks(panel.editor, DRAFT)  # typed, as a person does
    assert panel.notice_label.text() == ""
    replace = {
        "history": _history,
        "template": _template,
        "edit and resend": _edit_and_resend,
        "new from schema": _schema_example,
        "file": lambda p: _file(p, tmp_path),
    }[source]
    what: str = replace(panel)
    assert panel.editor.toPlainText() != DRAFT
    assert panel.notice_label.text().startswith(f"Replaced the draft with {what}")
    assert panel.notice_label.text().endswith(UNDO_WORDS)
    qtbot.keyClick(panel.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.editor.toPlainText() == DRAFT


def test_an_empty_editor_is_filled_without_talk_of_undo(panel: PublishPanel) -> None:
    panel.set_text('[{"a": 1}, {"a": 2}]')
    assert panel.notice_label.text() == "Opened 2 messages"
    panel.set_text('[{"a": 1}, {"a": 2}]')
    assert panel.notice_label.text() == "The editor already holds 2 messages"


# ----- words that count from 1 ----------------------------------------------------------------------------
def test_the_panel_counts_items_from_one_and_says_one_item(panel: PublishPanel) -> None:
    panel.set_text('[{"a": 1}]')
    assert panel.check() is not None
    assert panel.size_label.text().startswith("1 item in 1 request · ")
    assert panel.check_label.text() == "Ready to publish: array, 1 item"
    panel.set_text('[{"a": 1}, "two"]')
    panel.check()
    assert panel.check_label.text().startswith("item 2: must be a JSON object, got a string")
    assert "wrap the value in an object" in panel.check_label.text()  # how to fix it
    panel.set_user_schema({"type": "object", "required": ["id"]})
    panel.set_text('[{"id": 1}, {"n": 2}]')
    panel.check()
    assert panel.check_label.text() == "Does not match the loaded schema: item 2: 'id' is required"
    entry = HistoryEntry.of(datetime.now(UTC), "array", "", [ItemResult(0, Outcome.SUCCESS, "m")])
    panel.store.add_history("Local", panel.entry.id, entry)
    panel._fill_history()
    assert panel.history.item(0).text().endswith(" · array · 1 item · 1 published")


def test_results_model_counts_from_one_and_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ResultsModel()
    model.set_results([ItemResult(1, Outcome.FAILED, error="<b>bad</b>"), ItemResult(0, Outcome.SUCCESS, "m")])
    qtmodeltester.check(model)
    assert [model.data(model.index(row, 0)) for row in range(2)] == [1, 2]
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == "Item 1: success"
    tip = model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bad" in tip  # the server's words, shown as they are
    model.merge([ItemResult(1, Outcome.SUCCESS, "m2"), ItemResult(2, Outcome.FAILED, error="new")])
    qtmodeltester.check(model)
    assert [r.index for r in model.results] == [0, 1, 2]


def test_a_status_label_elides_to_its_lines_and_keeps_the_whole_text(qtbot: QtBot) -> None:
    label = StatusLabel(lines=2)
    qtbot.addWidget(label)
    label.resize(200, label.height())
    label.setText("short")
    assert label.shown_lines() == ["short"]
    assert label.toolTip() == ""
    words = " ".join(f"word{n}" for n in range(100))
    label.setText(words)
    assert label.text() == words
    assert len(label.shown_lines()) == 2
    assert label.shown_lines()[1].endswith("…")
    assert label.toolTip() == words
    assert label.height() == 2 * label.fontMetrics().lineSpacing()
    assert label.minimumSizeHint().width() >= 16 * label.fontMetrics().averageCharWidth()


# ----- accessible names ---------------------------------------------------------------------------------------
def test_every_control_of_the_panel_has_an_accessible_name(panel: PublishPanel) -> None:
    panel.progress.show()
    panel.cancel_button.show()
    settle()
    controls: list[Any] = [
        w
        for w in panel.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QComboBox | QAbstractItemView | QPlainTextEdit | QProgressBar)
        and w.window() is panel.window()  # not the templates box's popup list, nor a menu
        and not isinstance(w.parent(), QAbstractItemView)  # a view's own scroll area parts
    ]
    assert len(controls) >= 12
    for control in controls:
        assert control.accessibleName(), f"{type(control).__name__} {control.objectName()!r} has no accessible name"
        if isinstance(control, QAbstractButton) and control.text():
            assert control.accessibleName() == control.text().replace("&", "")
    assert panel.editor.accessibleName() == "Publish editor"
    assert panel.results_view.accessibleName() == "Publish results"
    assert panel.history.accessibleName() == "Publish history"
    assert panel.templates.accessibleName() == "Templates"
    assert panel.actions_button.accessibleName() == "Actions"


# ----- the history file ----------------------------------------------------------------------------------------
def test_history_files_before_and_after_the_retry_field_load(tmp_path: Path) -> None:
    old = {"time": "2026-01-01T00:00:00+00:00", "form": "object", "items": 1, "published": 1, "failed": 0}
    old |= {"unknown": 0, "results": [{"index": 0, "outcome": "success", "message_id": "m", "error": None}]}
    later = dict(old, retry_of=1, colour="blue")  # a field a later version may add
    topics = {"9\tP": {"templates": {}, "history": [old, later]}}
    (tmp_path / "publishing.json").write_text(json.dumps({"version": 1, "topics": topics}))
    store = PublishStore(tmp_path)
    assert store.notice == ""
    assert [e.retry_of for e in store.history("P", 9)] == [1, 0]


def test_a_text_edit_of_the_failed_items_keeps_the_retry_mark(panel: PublishPanel) -> None:
    panel._shown_items = [{"a": 1}, {"a": 2}]
    panel.results.set_results([ItemResult(0, Outcome.FAILED, error="no"), ItemResult(1, Outcome.SUCCESS, "m")])
    panel._update_actions()
    panel.open_failed_in_editor()
    assert json.loads(panel.editor.toPlainText()) == {"a": 1}
    cursor = panel.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    panel.editor.setTextCursor(cursor)
    panel.editor.insertPlainText(" ")
    assert panel.holds_failed_items()  # still the failed item, edited
    panel.editor.undo()
    panel.editor.undo()
    assert not panel.holds_failed_items()
    panel.editor.redo()
    assert panel.holds_failed_items()  # redone
    panel.editor.undo()
    panel.editor.insertPlainText("x")  # a new edit over the draft: the failed items are gone from the redo history
    panel.editor.redo()
    assert not panel.holds_failed_items()


def test_the_keyboard_is_never_kept_in_the_editor(qtbot: QtBot) -> None:
    """Tab indents the JSON; Ctrl+Tab and Ctrl+Shift+Tab move on to the next and previous control."""
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from inspector.ui.editor import JsonEditor

    box = QWidget()
    qtbot.addWidget(box)
    before, editor, after = QLineEdit(), JsonEditor(), QLineEdit()
    layout = QVBoxLayout(box)
    for widget in (before, editor, after):
        layout.addWidget(widget)
    box.show()
    box.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "  "
    assert editor.hasFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert after.hasFocus()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert before.hasFocus()
    assert editor.toPlainText() == "  "

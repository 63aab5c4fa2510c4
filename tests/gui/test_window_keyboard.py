"""The window keyboard first (issue 16): the Message and Publish menus follow the current tab, the tab keys work
wherever focus is, the command palette (Ctrl+K) runs any action by name, Help → Keyboard shortcuts lists every
shortcut read off the actions, and the README's shortcut table says the same. Against the emulator over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.palette import CommandPalette, match
from inspector.ui.shortcuts import ShortcutsDialog, action_words, shortcut_entries
from tests.gui.test_main_window import close, local_profile, publish, run
from tests.helpers import wait_until

README = Path(__file__).resolve().parents[2] / "README.md"
CTRL = Qt.KeyboardModifier.ControlModifier


async def shown_window(ctx: AppContext) -> MainWindow:
    """The window as the app shows it: shortcuts and icons set (after the first frame), and active."""
    window = MainWindow(ctx)
    window.resize(1024, 700)
    window.show()
    await window.start_background()
    window.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is window, what="the window to be active")
    return window


def menu_words(window: MainWindow, title: str) -> list[tuple[str, bool]]:
    """A menu bar menu's lines as its aboutToShow leaves them: (words, enabled); separators left out."""
    menu = window.tab_menus.message if title == "Message" else window.tab_menus.publish
    menu.aboutToShow.emit()
    return [(action_words(a), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def test_the_message_and_publish_menus_follow_the_current_tab(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = await shown_window(ctx)
        titles = [action_words(a) for a in window.menuBar().actions()]
        assert titles == ["File", "Profiles", "Topics", "Message", "Publish", "Replay", "View", "Help"]
        assert menu_words(window, "Message") == [
            ("No topic tab is current: open a topic to act on its messages", False)
        ]
        assert menu_words(window, "Publish") == [("No topic tab is current: open a topic to publish to it", False)]

        sent = publish(emulator, topic, {"n": 1}, {"n": 2})
        view = await window.open_topic("Local", topic)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.model.rowCount() == 2)
        lines = [words for words, _ in menu_words(window, "Message")]
        expected = [action_words(a) for a in view.message_actions() if a is not None]
        assert lines[: len(expected)] == expected
        assert {"Copy payload", "Copy message id", "Copy whole message", "Edit & resend", "Replay to…"} <= set(lines)
        assert {"Export…", "Compare two messages", "Filter messages", "Show Publish"} <= set(lines)
        assert lines.count("Filter messages") == 1  # the window's Ctrl+F stands for the tab's
        publish_lines = [words for words, _ in menu_words(window, "Publish")]
        assert publish_lines == [action_words(a) for a in view.publisher.panel_actions()]
        assert {"Save as template…", "Delete template", "Copy as curl"} <= set(publish_lines)

        view.table.selectRow(1)  # the menu's action acts on the selection, as the right-click menu does
        copy = next(a for a in window.tab_menus.message.actions() if action_words(a) == "Copy message id")
        copy.trigger()
        assert QApplication.clipboard().text() == sent[1]

        await window.close_topic(("Local", topic))
        assert menu_words(window, "Message")[0][1] is False
        await close(window, ctx)

    run(qloop, scenario())


def test_tab_keys_work_wherever_focus_is(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        assert emulator.store is not None
        second = emulator.store.create_topic(f"keys-{topic}").id
        ctx.workspace.add_topic("Local", second, "other")
        window = await shown_window(ctx)
        first_view = await window.open_topic("Local", topic)
        second_view = await window.open_topic("Local", second)
        assert first_view is not None
        assert second_view is not None
        assert window.tabs.currentWidget() is second_view

        window.tree.setFocus()  # the sidebar
        qtbot.keyClick(window.tree, Qt.Key.Key_PageUp, CTRL)
        assert window.tabs.currentWidget() is first_view
        qtbot.keyClick(window.tree, Qt.Key.Key_PageUp, CTRL)  # round from the first to the last
        assert window.tabs.currentWidget() is second_view
        qtbot.keyClick(window.tree, Qt.Key.Key_PageDown, CTRL)
        assert window.tabs.currentWidget() is first_view

        qtbot.keyClick(window.tree, Qt.Key.Key_F, CTRL)  # from the sidebar: the current tab's filter
        assert first_view.filter_edit.hasFocus()
        first_view.table.setFocus()
        qtbot.keyClick(first_view.table, Qt.Key.Key_F, CTRL)  # from the table (one Ctrl+F: no ambiguity)
        assert first_view.filter_edit.hasFocus()
        first_view.show_publish()
        assert first_view.publisher is not None
        editor = first_view.publisher.editor
        editor.setFocus()
        qtbot.keyClick(editor, Qt.Key.Key_PageDown, CTRL)  # from the Publish editor
        assert window.tabs.currentWidget() is second_view

        second_view.filter_edit.setFocus()
        qtbot.keyClick(second_view.filter_edit, Qt.Key.Key_W, CTRL)  # Ctrl+W from the filter field
        await wait_until(lambda: window.tabs.count() == 1, what="the tab to close")
        assert ("Local", second) not in window.views
        assert not window.next_tab_action.isEnabled()
        window.tree.setFocus()
        qtbot.keyClick(window.tree, Qt.Key.Key_W, CTRL)
        await wait_until(lambda: window.tabs.count() == 0, what="the last tab to close")
        assert not window.close_tab_action.isEnabled()
        assert not window.filter_action.isEnabled()
        await close(window, ctx)

    run(qloop, scenario())


def test_the_palette_matches_parts_and_word_starts_case_aside() -> None:
    assert match("add", "Add profile…") == 0
    assert match("PROFILE", "Add profile…") == 1
    assert match("ed pro", "Edit profile…") == 2
    assert match("ep", "Edit profile…") == 2
    assert match("adpro", "Add profile…") == 2
    assert match("profiles add", "Add profile…", "Profiles") == 3
    assert match("pa", "Add profile…", "Profiles") == 4
    assert match("zzz", "Add profile…", "Profiles") is None
    assert match("pro ed", "Edit profile…") is None  # word starts in their order
    assert match("", "Quit") == 0


def test_the_command_palette_runs_any_action_by_name(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot, qtmodeltester: object
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        publish(emulator, topic, {"n": 1}, {"n": 2})
        window = await shown_window(ctx)
        view = await window.open_topic("Local", topic)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.model.rowCount() == 2)

        window.tree.setFocus()
        qtbot.keyClick(window.tree, Qt.Key.Key_K, CTRL)
        palette = window.palette_popup
        assert isinstance(palette, CommandPalette)
        assert palette.isVisible()
        assert palette.field.hasFocus()
        assert palette.field.accessibleName() == "Search actions"
        assert palette.list.accessibleName() == "Actions"
        qtmodeltester.check(palette.model)  # type: ignore[attr-defined]
        names = palette.names()
        # the menu bar's, the table's and the Publish page's actions, each once
        for name in ("Add profile…", "Quit", "Copy payload", "Replay to…", "Save as template…", "Publish"):
            assert name in names
        assert len(names) == len(set(zip(names, [e.menu for e in palette.model.shown], strict=True)))
        row = names.index("Add profile…")
        assert palette.model.index(row, 2).data() == "Ctrl+Shift+P"
        assert palette.model.index(row, 1).data() == "Profiles"

        qtbot.keyClicks(palette.field, "ed pro")
        assert palette.names()[0] == "Edit profile…"
        palette.field.clear()
        qtbot.keyClicks(palette.field, "TIMES")
        assert palette.names() == ["Times in UTC"]
        assert palette.list.currentIndex().row() == 0
        qtbot.keyClick(palette.field, Qt.Key.Key_Return)  # Enter runs it, and the palette closes
        await wait_until(window.utc_action.isChecked, what="Times in UTC")
        assert not palette.isVisible()

        compare = view.compare_action  # nothing selected: it cannot act
        assert not compare.isEnabled()
        palette = window.open_palette()
        qtbot.keyClicks(palette.field, "compare two")
        assert palette.names() == ["Compare two messages"]
        assert not palette.model.flags(palette.model.index(0, 0)) & Qt.ItemFlag.ItemIsEnabled  # greyed
        assert not palette.list.currentIndex().isValid()  # it cannot be chosen
        qtbot.keyClick(palette.field, Qt.Key.Key_Return)
        assert palette.isVisible()
        assert palette.note.text() == "Compare two messages cannot act now."
        palette.field.clear()
        qtbot.keyClicks(palette.field, "no such action")
        assert palette.names() == []
        assert palette.note.text() == "No action's name matches 'no such action'."
        qtbot.keyClick(palette.field, Qt.Key.Key_Escape)
        assert not palette.isVisible()
        assert window.tree.hasFocus()  # back where it was

        palette = window.open_palette()
        qtbot.keyClicks(palette.field, "filter mess")
        qtbot.keyClick(palette.field, Qt.Key.Key_Return)
        await wait_until(view.filter_edit.hasFocus, what="the filter field focused")
        await close(window, ctx)

    run(qloop, scenario())


def readme_shortcuts() -> set[tuple[str, str]]:
    """The README's "Keyboard shortcuts" table: (keys, action) pairs."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Keyboard shortcuts", 1)[1].split("\n#", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] and not set(cells[0]) <= {"-", " "} and cells[0] != "Keys":
            rows.add((re.sub(r"`|<kbd>|</kbd>", "", cells[0]), cells[1]))
    return rows


def test_help_lists_every_shortcut_and_the_readme_says_the_same(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = await shown_window(ctx)
        without = window.show_shortcuts()
        assert isinstance(without, ShortcutsDialog)
        assert without.note.isVisibleTo(without)  # no topic tab: it says where the rest are
        without.close()

        view = await window.open_topic("Local", topic)
        assert view is not None
        window.shortcuts_action.trigger()
        dialog = window.findChild(QWidget, "shortcuts-dialog")
        assert isinstance(dialog, ShortcutsDialog)
        assert dialog.isVisible()
        assert not dialog.note.isVisibleTo(dialog)
        rows = dialog.rows()
        listed = {(keys, name) for keys, name, _menu, _where in rows}
        actions = {(e.keys, e.name) for e in shortcut_entries(window)}
        assert listed == actions
        assert ("Ctrl+C", "Copy payload") in listed  # the table's Ctrl+C copies the payload (not the id)
        assert ("Ctrl+Shift+I", "Copy message id") in listed
        every_keys = [k for k, _ in listed]
        for keys in ("Ctrl+W", "Ctrl+PgUp", "Ctrl+PgDown", "Ctrl+F", "Ctrl+K", "Ctrl+Return, Ctrl+Enter"):
            assert keys in every_keys, keys
        assert len(every_keys) == len(set(every_keys)), "a shortcut used twice"
        where = {name: w for _k, name, _m, w in rows}
        assert where["Close tab"] == "anywhere in the window"
        assert where["Copy payload"] == "focus in Messages"  # the table's own key
        assert readme_shortcuts() == listed, "the README's table of shortcuts differs from the app's"

        qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)  # Esc closes it
        assert not dialog.isVisible()
        await close(window, ctx)

    run(qloop, scenario())

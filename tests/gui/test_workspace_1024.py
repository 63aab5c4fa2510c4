"""The window as a workspace at 1024x700 (issue 16): every action is in a menu of the menu bar or on a button
that shows (none only behind a hidden "»"), the topic's table shows 8 rows or more with the detail open, the
Publish editor 8 lines or more on its page, and the table keeps its 8 rows once a replay job has run. A demo-like
setup: a profile, two topics and their messages on the emulator over loopback HTTP."""

from __future__ import annotations

import qasync
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QToolButton

from inspector.core.replay import JobState
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.shortcuts import action_words, walk
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, local_profile, publish, run
from tests.helpers import wait_until

WIDTH, HEIGHT = 1024, 700


async def workspace(ctx: AppContext, emulator: EmulatorServer, topic: int) -> tuple[MainWindow, TopicView, int]:
    """The window at 1024x700, shown as the app shows it, with a topic's tab open on 40 messages, and a second
    topic (a replay's destination)."""
    await local_profile(ctx, emulator, topic)
    assert emulator.store is not None
    second = emulator.store.create_topic(f"replayed-{topic}").id
    ctx.workspace.add_topic("Local", second, "replayed")
    publish(emulator, topic, *({"n": n, "name": f"customer {n}"} for n in range(40)))
    ctx.workspace.archive.notice_shown = True  # the archive's banner shows on the first start only
    window = MainWindow(ctx)
    window.resize(WIDTH, HEIGHT)
    window.show()
    await window.start_background()
    view = await window.open_topic("Local", topic)
    assert view is not None
    await wait_until(lambda: view.model.rowCount() == 40, what="40 messages")
    QApplication.processEvents()
    assert (window.width(), window.height()) == (WIDTH, HEIGHT)
    return window, view, second


def menu_bar_actions(window: MainWindow) -> set[QAction]:
    found: set[QAction] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            menu.aboutToShow.emit()  # the Message and Publish menus fill as they open
            found.update(action for _path, action in walk(menu))
    return found


def shown_on_buttons(window: MainWindow) -> set[QAction]:
    """The actions a button that shows offers: its own, or its menu's."""
    found: set[QAction] = set()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible():
            continue
        if isinstance(button, QToolButton):
            if button.defaultAction() is not None:
                found.add(button.defaultAction())
            menu = button.menu()
            if isinstance(menu, QMenu):
                found.update(action for _path, action in walk(menu))
    return found


def every_action(window: MainWindow, view: TopicView) -> set[QAction]:
    """The window's, its toolbar's and sidebar's, the topic tab's (table, right-click menu, keys) and its Publish
    panel's actions."""
    found = {a for a in window.actions() if not a.isSeparator()}
    found.update(a for a in window.findChildren(QAction) if a.parent() is window and not a.isSeparator())
    found.update(a for a in window.tree.actions())
    found.update(a for a in view.message_actions() if a is not None)
    found.update(a for a in view.tab_actions() if a is not view.find_action)  # the window's Ctrl+F stands for it
    found.update(action for _path, action in walk(view.context_menu))
    assert view.publisher is not None
    found.update(view.publisher.panel_actions())
    return {a for a in found if a.isVisible() and action_words(a)}


def rows_shown(view: TopicView) -> int:
    return view.table.viewport().height() // view.table.verticalHeader().defaultSectionSize()


def test_every_action_is_reachable_and_the_table_and_editor_keep_their_room(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, view, second = await workspace(ctx, emulator, topic)
        reachable = menu_bar_actions(window) | shown_on_buttons(window)
        actions = every_action(window, view)
        assert len(actions) >= 40
        unreachable = sorted(action_words(a) for a in actions - reachable)
        assert not unreachable, f"only behind a right-click, a key or a hidden overflow at 1024x700: {unreachable}"
        for bar in (window.toolbar, window.menuBar()):  # nothing hides behind a "»"
            extension = [b for b in bar.findChildren(QToolButton) if b.objectName().endswith("_ext_button")]
            assert not any(b.isVisible() for b in extension), f"{type(bar).__name__} overflows at 1024x700"

        view.table.selectRow(3)  # the detail shows the message
        QApplication.processEvents()
        assert view.detail.isVisible()
        assert '"n": 3' in view.payload_text.toPlainText()
        assert rows_shown(view) >= 8, f"the table shows {rows_shown(view)} rows with the detail open"

        view.show_publish()
        QApplication.processEvents()
        assert view.publisher is not None
        editor = view.publisher.editor
        assert editor.isVisible()
        lines = editor.viewport().height() // editor.fontMetrics().lineSpacing()
        assert lines >= 8, f"the Publish editor shows {lines} lines"

        view.show_messages()
        view.table.clearSelection()
        dialog = window.replay_rows(view, view.rows_for_action()[:5])
        assert dialog is not None
        dialog.choose("Local", second)
        dialog.replay_button.click()
        await wait_until(lambda: len(ctx.journal.jobs()) == 1, what="the replay job")
        [job] = ctx.journal.jobs()
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the job to finish")
        QApplication.processEvents()
        assert view.isVisible()
        assert rows_shown(view) >= 8, f"after a replay job the table shows {rows_shown(view)} rows"
        await close(window, ctx)

    run(qloop, scenario())

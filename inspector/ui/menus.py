"""The window's actions and menus. Every action sits in a menu of the menu bar; the toolbar, the sidebar's
right-click menu and a table's right-click menu only repeat some. The Message and Publish menus hold the actions of
the current topic tab's table and Publish page (``TabMenus``), so none of them needs a right-click.

Keyboard shortcuts and icons are set once the window is shown (``set_shortcuts``): ``QAction.setShortcut`` makes
PySide create the Qt namespace's enums, which would delay the first frame (see ``inspector.ui.sidebar``), and an
icon theme is looked up on first use."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from inspector.ui import later

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenuBar, QStatusBar, QTabWidget, QTreeView

    from inspector.ui.context import AppContext
    from inspector.ui.topic.view import TopicView

    Shortcut = str | QKeySequence.StandardKey
    Icon = tuple[str, str]  # a freedesktop icon name, and the style's standard pixmap when the theme has none


class Window(Protocol):
    """What the menus, the command palette and the shortcuts ask of the main window (``MainWindow``), named here
    so that none of them imports the window's module (which imports this one)."""

    ctx: AppContext
    tree: QTreeView
    tabs: QTabWidget
    tab_menus: TabMenus
    toolbar: QToolBar
    replay_menu: QMenu
    utc_action: QAction
    close_tab_action: QAction
    next_tab_action: QAction
    previous_tab_action: QAction
    filter_action: QAction

    def current_view(self) -> TopicView | None: ...

    def _close_tab_at(self, index: int) -> None: ...

    def menuBar(self) -> QMenuBar: ...

    def statusBar(self) -> QStatusBar: ...


class Menus:
    """Makes the actions and the menus of ``window``."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self._shortcuts: list[tuple[QAction, Shortcut]] = []
        self._icons: list[tuple[QAction, Icon]] = []

    def action(
        self, text: str, slot: Callable[[], object], shortcut: Shortcut | None = None, icon: Icon | None = None
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))
        if icon is not None:
            self._icons.append((action, icon))
        action.triggered.connect(slot)
        return action

    def menu(self, title: str, *actions: QAction | None) -> QMenu:
        """A menu of the menu bar with ``actions`` (None: a separator)."""
        menu = self.window.menuBar().addMenu(title)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def set_shortcuts(self) -> None:
        """The actions' keyboard shortcuts and icons, and the toolbar's words beside them, once the window is
        shown. The "»" a bar shows when it is too narrow for its buttons gets its name."""
        toolbar = self.window.findChild(QToolBar, "sidebar-toolbar")
        if toolbar is not None:
            toolbar.setToolButtonStyle(later.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in self.window.findChildren(QToolButton):
            if button.objectName() in ("qt_toolbar_ext_button", "qt_menubar_ext_button"):
                button.setAccessibleName("More actions")
                button.setToolTip("More actions")
        for action, shortcut in self._shortcuts:
            if isinstance(shortcut, str):
                action.setShortcut(QKeySequence.fromString(shortcut))
            else:
                action.setShortcuts(shortcut)
        self._shortcuts.clear()
        style = self.window.style()
        for action, (name, standard) in self._icons:
            action.setIcon(QIcon.fromTheme(name, style.standardIcon(getattr(later.QStyle.StandardPixmap, standard))))
        self._icons.clear()


# The window's actions: its attribute, the words, the window's method, the shortcut, the icon (a freedesktop name,
# and the style's standard pixmap when the icon theme has none).
WINDOW_ACTIONS: tuple[tuple[str, str, str, Shortcut | None, Icon | None], ...] = (
    ("add_profile_action", "Add profile…", "add_profile", "Ctrl+Shift+P", ("list-add", "SP_FileDialogNewFolder")),
    (
        "edit_profile_action",
        "Edit profile…",
        "edit_selected_profile",
        None,
        ("document-properties", "SP_FileDialogDetailedView"),
    ),
    ("remove_profile_action", "Remove profile", "remove_selected_profile", None, ("list-remove", "SP_TrashIcon")),
    ("add_topic_action", "Add topic…", "add_topic", "Ctrl+Shift+T", ("document-new", "SP_FileIcon")),
    (
        "refresh_topics_action",
        "List topics from the Developer API",
        "refresh_selected_topics",
        None,
        ("view-refresh", "SP_BrowserReload"),
    ),
    ("open_action", "Open topic", "open_selected", "Ctrl+O", ("document-open", "SP_DialogOpenButton")),
    ("rename_topic_action", "Rename topic…", "rename_selected_topic", None, None),
    ("remove_topic_action", "Remove topic", "remove_selected_topic", None, ("edit-delete", "SP_TrashIcon")),
    ("utc_action", "Times in UTC", "toggle_utc", None, None),
    ("row_cap_action", "Row limit…", "ask_row_cap", None, None),
    # the tabs' keys work wherever focus is in the window
    ("close_tab_action", "Close tab", "tab_menus.close_current", "Ctrl+W", ("window-close", "SP_DialogCloseButton")),
    ("next_tab_action", "Next tab", "tab_menus.next_tab", "Ctrl+PgDown", ("go-next", "SP_ArrowRight")),
    ("previous_tab_action", "Previous tab", "tab_menus.previous_tab", "Ctrl+PgUp", ("go-previous", "SP_ArrowLeft")),
    (
        "filter_action",
        "Filter messages",
        "tab_menus.focus_filter",
        "Ctrl+F",
        ("edit-find", "SP_FileDialogContentsView"),
    ),
    ("palette_action", "Command palette…", "open_palette", "Ctrl+K", ("system-search", "SP_FileDialogContentsView")),
    (
        "shortcuts_action",
        "Keyboard shortcuts",
        "show_shortcuts",
        "Ctrl+/",
        ("help-keyboard-shortcuts", "SP_DialogHelpButton"),
    ),
    ("about_action", "About", "about", None, ("help-about", "SP_MessageBoxInformation")),
    ("quit_action", "Quit", "close", "Ctrl+Q", ("application-exit", "SP_DialogCloseButton")),
)
# The menu bar: each menu's actions by attribute (None: a separator). The Message and Publish menus (TabMenus) go
# after Topics; Replay's are the window's replays' (inspector.ui.replays).
WINDOW_MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    ("&File", ("close_tab_action", None, "quit_action")),
    ("&Profiles", ("add_profile_action", "edit_profile_action", "remove_profile_action")),
    (
        "&Topics",
        ("add_topic_action", "refresh_topics_action", "open_action", "rename_topic_action", "remove_topic_action"),
    ),
)
LATER_MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    ("&View", ("palette_action", None, "next_tab_action", "previous_tab_action", None, "utc_action", "row_cap_action")),
    ("&Help", ("shortcuts_action", "about_action")),
)
TOOLBAR = ("add_profile_action", "add_topic_action", "refresh_topics_action", "open_action")
SIDEBAR = (  # the sidebar's right-click menu
    "open_action",
    "add_topic_action",
    "refresh_topics_action",
    "rename_topic_action",
    "remove_topic_action",
    "edit_profile_action",
    "remove_profile_action",
)


def build_window_actions(main: QMainWindow) -> Menus:
    """The window's actions (as its attributes, from ``WINDOW_ACTIONS``), its menu bar, toolbar and the
    sidebar's right-click menu."""
    window = cast("Window", main)
    menus = Menus(main)
    window.tab_menus = TabMenus(window)
    for attribute, words, method, shortcut, icon in WINDOW_ACTIONS:
        setattr(window, attribute, menus.action(words, operator.attrgetter(method)(window), shortcut, icon))

    def menu(title: str, attributes: tuple[str | None, ...]) -> QMenu:
        return menus.menu(title, *(getattr(window, a) if a else None for a in attributes))

    window.utc_action.setCheckable(True)
    window.utc_action.setChecked(window.ctx.workspace.utc_times)
    window.toolbar = toolbar = QToolBar("Profiles and topics")
    toolbar.setObjectName("sidebar-toolbar")
    toolbar.setAccessibleName("Profiles and topics")
    for attribute in TOOLBAR:
        toolbar.addAction(getattr(window, attribute))
    main.addToolBar(toolbar)
    for title, attributes in WINDOW_MENUS:
        menu(title, attributes)
    window.tab_menus.add_menus(menus)
    window.replay_menu = menus.menu("&Replay")  # the window's Replays fills it
    for title, attributes in LATER_MENUS:
        menu(title, attributes)
    for attribute in SIDEBAR:
        window.tree.addAction(getattr(window, attribute))
    return menus


class TabMenus:
    """The Message and Publish menus: the actions of the current topic tab's table and of its Publish page, filled
    again when a menu opens and when the current tab changes; one disabled line saying why when there are none.
    The window's Ctrl+F (its ``filter_action``) stands in the Message menu for the tab's own. And the tabs' keys:
    Ctrl+W, Ctrl+PgDown, Ctrl+PgUp and Ctrl+F, wherever focus is in the window."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.message = QMenu()  # until add_menus makes the menu bar's
        self.publish = QMenu()

    def add_menus(self, menus: Menus) -> None:
        self.message = menus.menu("&Message")
        self.publish = menus.menu("P&ublish")
        self.message.aboutToShow.connect(self.refresh)
        self.publish.aboutToShow.connect(self.refresh)
        self.refresh()

    def close_current(self) -> None:
        """Ctrl+W: close the current tab (a topic's or a panel's)."""
        tabs = self.window.tabs
        if tabs.count():
            self.window._close_tab_at(tabs.currentIndex())

    def next_tab(self) -> None:
        self.switch_tab(1)

    def previous_tab(self) -> None:
        self.switch_tab(-1)

    def switch_tab(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next or previous tab, round from the last to the first."""
        tabs = self.window.tabs
        if tabs.count() > 1:
            tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())

    def focus_filter(self) -> None:
        """Ctrl+F: the current topic tab's filter field."""
        view = self.window.current_view()
        if view is None:
            self.window.statusBar().showMessage("Open a topic's tab to filter its messages.", 5000)
        else:
            view.focus_filter()

    def refresh(self) -> None:
        """The menus for the current tab, and the tab keys enabled when they have a tab to act on."""
        window = self.window
        view = window.current_view()
        count = window.tabs.count()
        window.close_tab_action.setEnabled(count > 0)
        window.next_tab_action.setEnabled(count > 1)
        window.previous_tab_action.setEnabled(count > 1)
        window.filter_action.setEnabled(view is not None)
        self.message.clear()
        self.publish.clear()
        if view is None:
            self._say(self.message, "No topic tab is current: open a topic to act on its messages")
            self._say(self.publish, "No topic tab is current: open a topic to publish to it")
            return
        for action in view.message_actions():
            self._add(self.message, action)
        self.message.addSeparator()
        for action in view.tab_actions():
            self._add(self.message, window.filter_action if action is view.find_action else action)
        if view.publisher is None:
            self._say(self.publish, "This topic's tab has no Publish page")
            return
        for action in view.publisher.panel_actions():
            self._add(self.publish, action)

    @staticmethod
    def _add(menu: QMenu, action: QAction | None) -> None:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)

    @staticmethod
    def _say(menu: QMenu, words: str) -> None:
        line = menu.addAction(words)
        line.setEnabled(False)

"""The window's topic actions: New topic…, Edit topic…, Purge topic… and Delete topic…, in the Topics menu and the
sidebar's right-click menu, enabled for the profiles whose service lists topics (Workato's Developer API).

Loaded with the window, so it holds only the actions: what they do (``inspector.ui.topics.admin``, the dialogs,
the HTTP client) loads when one is first used, through the window's start-up table (``inspector.ui.later``).
Nothing here touches the ``Qt`` namespace before the window is shown (see ``inspector.ui.sidebar``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtGui import QAction

from inspector.services import LIST_TOPICS
from inspector.ui import later

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QMenu, QMenuBar, QStatusBar, QTabWidget

    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.sidebar import Sidebar, TopicKey
    from inspector.ui.topic.view import TopicView

T = TypeVar("T")


class AdminWindow(Protocol):
    """What the topic actions use of the main window."""

    tabs: QTabWidget
    tree: Sidebar

    @property
    def views(self) -> Mapping[TopicKey, TopicView]: ...

    def statusBar(self) -> QStatusBar: ...

    def menuBar(self) -> QMenuBar: ...

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]: ...

    def refresh_tree(self) -> None: ...

    def current_view(self) -> TopicView | None: ...

    async def open_topic(self, profile_name: str, topic_id: int, *, resume: bool = False) -> TopicView | None: ...

    async def close_topic(self, key: TopicKey) -> None: ...


def topics_menu(window: AdminWindow) -> QMenu:
    """The menu bar's Topics menu (made with the window's other menus, ``inspector.ui.menus``)."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if action.text().replace("&", "") == "Topics" and menu is not None:
            return menu  # type: ignore[return-value]
    return window.menuBar().addMenu("&Topics")


class TopicAdmin:
    """Makes the four actions, adds them to ``menu`` and to the sidebar's menu, and keeps them enabled only
    where they can act: a profile with a Developer API (New), one of its topics (Edit, Purge, Delete)."""

    def __init__(self, window: AdminWindow, ctx: AppContext, menu: QMenu | None = None) -> None:
        self.window = window
        self.ctx = ctx
        act = self._action
        self.new_action = act("New topic…", self.new_topic, "Create a topic in the selected profile's workspace")
        self.edit_action = act(
            "Edit topic…", self.edit_topic, "Change the topic's name, description, retention or schema"
        )
        self.purge_action = act("Purge topic…", self.purge_topic, "Delete every message of the topic (the topic stays)")
        self.delete_action = act("Delete topic…", self.delete_topic, "Delete the topic in Workato, with its messages")
        self.actions = [self.new_action, self.edit_action, self.purge_action, self.delete_action]
        menu = menu or topics_menu(window)
        menu.addSeparator()
        separator = QAction(window.tree)
        separator.setSeparator(True)
        window.tree.addAction(separator)
        for action in self.actions:
            menu.addAction(action)
            window.tree.addAction(action)
        window.tree.selectionModel().currentChanged.connect(self.update_actions)
        window.tree.items.modelReset.connect(self.update_actions)
        self.update_actions()

    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self.window.tree)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def selection(self) -> tuple[Profile | None, int | None]:
        """The selected profile when it has a Developer API, and the selected topic (None when a profile is)."""
        name, topic_id = self.window.tree.selected()
        profile = self.ctx.profile(name) if name else None
        if profile is None or LIST_TOPICS not in profile.capabilities:
            return None, None
        return profile, topic_id

    def update_actions(self, *args: object) -> None:
        profile, topic_id = self.selection()
        self.new_action.setEnabled(profile is not None)
        for action in (self.edit_action, self.purge_action, self.delete_action):
            action.setEnabled(profile is not None and topic_id is not None)

    def _chosen(self, *, topic: bool) -> tuple[Profile, int | None] | None:
        profile, topic_id = self.selection()
        if profile is None:
            self.window.statusBar().showMessage(
                "Select a Workato profile (one with a Developer API token) or one of its topics first.", 8000
            )
            return None
        if topic and topic_id is None:
            self.window.statusBar().showMessage("Select one of the profile's topics first.", 5000)
            return None
        return profile, topic_id

    def new_topic(self) -> None:
        chosen = self._chosen(topic=False)
        if chosen is not None:
            self.window.spawn(later.topic_admin.new_topic(self.window, self.ctx, chosen[0]))

    def edit_topic(self) -> None:
        chosen = self._chosen(topic=True)
        if chosen is not None:
            self.window.spawn(later.topic_admin.edit_topic(self.window, self.ctx, *chosen))

    def purge_topic(self) -> None:
        chosen = self._chosen(topic=True)
        if chosen is not None:
            self.window.spawn(later.topic_admin.confirm_topic(self.window, self.ctx, *chosen, "purge"))

    def delete_topic(self) -> None:
        chosen = self._chosen(topic=True)
        if chosen is not None:
            self.window.spawn(later.topic_admin.confirm_topic(self.window, self.ctx, *chosen, "delete"))

"""The archive's actions: File → Search archive…, Import into archive…, Archive settings… and Forget everything in
the archive…; Topics (and the sidebar's right-click menu) → Forget this topic's archive…; and the banner that says,
the first time the window starts with the archive on, where the archive is and how to turn it off.

Loaded with the window, so it holds only the actions and the banner's words: the Search tab, the dialogs and the
archive itself (SQLite) load when first used, through the window's start-up table (``inspector.ui.later``).
Nothing here touches the ``Qt`` namespace before the window is shown (see ``inspector.ui.sidebar``): the search's
keys are set with the window's others (``Menus.set_shortcuts``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.core.services import CONSUME
from inspector.ui import later
from inspector.ui.archive.base import ArchiveWindow, archive_path

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QWidget

    from inspector.core.profiles import Profile
    from inspector.ui.archive.dialogs import ImportDialog, SettingsDialog
    from inspector.ui.archive.search import SearchPanel
    from inspector.ui.context import AppContext

# Ctrl+Shift+F searches the archive from anywhere; the Publish page formats its JSON with Ctrl+Alt+F.
SEARCH_KEYS = "Ctrl+Shift+F"


def banner_words(path: Path) -> str:
    """The banner: that the archive keeps every message and how to turn it off (its first sentence, what the banner
    shows folded), then where it is and how to leave a profile out or empty it."""
    return (
        "Every message your topic tabs receive is kept in an archive on this computer (File → Archive settings… "
        f"turns it off). It is {path}, and File → Search archive… finds messages in it. Payloads may hold personal "
        "data: one profile's messages can be left out in its Edit profile… dialog, and File → Forget everything in "
        "the archive… empties it."
    )


def menu_named(window: ArchiveWindow, title: str) -> QMenu:
    """A menu of the menu bar by its title (without the "&")."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if action.text().replace("&", "") == title and menu is not None:
            return menu  # type: ignore[return-value]
    return window.menuBar().addMenu(f"&{title}")


def after_remove(widget: QWidget, remove: QAction, action: QAction) -> None:
    """Put ``action`` just after ``remove`` in ``widget``'s actions (at the end when it has no ``remove``)."""
    actions = widget.actions()
    place = actions.index(remove) + 1 if remove in actions else len(actions)
    if place < len(actions):
        widget.insertAction(actions[place], action)
    else:
        widget.addAction(action)


class ArchiveActions:
    """Makes the actions and puts them in the File and Topics menus and the sidebar's. ``start`` (once the window
    is shown) shows the banner and prunes the archive to its caps in the background."""

    def __init__(self, window: ArchiveWindow, ctx: AppContext) -> None:
        self.window = window
        self.ctx = ctx
        action = self._action
        self.search_action = action(
            "Search archive…",
            self.open_search,
            "Find archived messages by words, JMESPath, time and topic",
            SEARCH_KEYS,
        )
        self.import_action = action(
            "Import into archive…", self.ask_import, "Read a JSON Lines or JSON export into the archive under a name"
        )
        self.settings_action = action(
            "Archive settings…", self.open_settings, "Turn the archive on or off, and its size and age caps"
        )
        self.forget_all_action = action(
            "Forget everything in the archive…", self.forget_all, "Remove every archived message from this computer"
        )
        self.forget_topic_action = action(
            "Forget this topic's archive…", self.forget_topic, "Remove the selected topic's archived messages"
        )
        file_menu = menu_named(window, "File")
        first = file_menu.actions()[0] if file_menu.actions() else None
        for item in (self.search_action, self.import_action, self.settings_action, self.forget_all_action):
            if first is None:
                file_menu.addAction(item)
            else:
                file_menu.insertAction(first, item)
        if first is not None:
            file_menu.insertSeparator(first)
        # beside Remove topic, in the Topics menu and the sidebar's right-click menu
        for widget in (menu_named(window, "Topics"), window.tree):
            after_remove(widget, window.remove_topic_action, self.forget_topic_action)
        window.tree.selectionModel().currentChanged.connect(self.update_actions)
        window.tree.items.modelReset.connect(self.update_actions)
        self.update_actions()

    def _action(self, text: str, slot: Callable[[], object], tip: str, keys: str | None = None) -> QAction:
        made = self.window.menus.action(text, slot, keys)  # its keys are set once the window is shown
        made.setToolTip(tip)
        made.setStatusTip(tip)
        return made

    def start(self) -> None:
        """Once the window is shown (when the archive is on): the banner, until it is dismissed, and the archive
        pruned to its caps in the background."""
        if self.ctx.workspace.archive.enabled:
            self.show_banner()
            self.window.spawn(later.archive_manage.prune_at_start(self.window, self.ctx))

    # ----- the banner -----------------------------------------------------------------------------------------
    def show_banner(self) -> None:
        """The first time the window starts with the archive on: where it is and how to turn it off. The workspace
        remembers that it was shown; its "×" hides it until then."""
        settings = self.ctx.workspace.archive
        if settings.enabled and not settings.notice_shown:
            notices = self.window.notices
            notices.archive_notice.set_plain_text()  # the path is the user's folder's: plain text
            notices.show_archive(banner_words(archive_path(self.ctx)))
            notices.archive_notice.fold(True)  # one line (the table keeps its room), "Show more" for the rest
            settings.notice_shown = True
            self.window._mark_dirty()

    # ----- the selected topic ---------------------------------------------------------------------------------
    def selection(self) -> tuple[Profile | None, int | None]:
        """The selected topic and its profile (None, None when no topic of a profile with topics is selected)."""
        name, topic_id = self.window.tree.selected()
        profile = self.ctx.profile(name) if name else None
        if profile is None or topic_id is None or CONSUME not in profile.capabilities:
            return None, None
        return profile, topic_id

    def update_actions(self, *args: object) -> None:
        profile, _topic = self.selection()
        self.forget_topic_action.setEnabled(profile is not None)

    # ----- what the actions do (loaded on first use) ----------------------------------------------------------
    def open_search(self) -> SearchPanel:
        """The Search tab (made once, then shown again), its words field focused."""
        panel: SearchPanel = later.archive_search.open_search(self.window, self.ctx)
        return panel

    def ask_import(self) -> ImportDialog:
        dialog: ImportDialog = later.archive_manage.open_import(self.window, self.ctx)
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog: SettingsDialog = later.archive_manage.open_settings(self.window, self.ctx)
        return dialog

    def forget_topic(self) -> None:
        profile, topic_id = self.selection()
        if profile is None or topic_id is None:
            self.window.statusBar().showMessage("Select a topic in the sidebar first.", 5000)
            return
        self.window.spawn(later.archive_manage.confirm_forget_topic(self.window, self.ctx, profile, topic_id))

    def forget_all(self) -> None:
        self.window.spawn(later.archive_manage.confirm_forget_all(self.window, self.ctx))

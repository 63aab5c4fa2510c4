"""The main window: profiles and topics on the left, one tab per open topic, the state of things below."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QByteArray, QEvent, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError
from inspector.core.profiles import Profile
from inspector.core.services import CONSUME
from inspector.ui import later
from inspector.ui.archive.actions import ArchiveActions
from inspector.ui.context import AppContext
from inspector.ui.crash import crash_words, write_crash_report
from inspector.ui.menus import TabMenus, build_window_actions
from inspector.ui.notices import Notices
from inspector.ui.profile_actions import ProfileActions
from inspector.ui.replays import Replays
from inspector.ui.services import PANEL_LABELS, panel_factory
from inspector.ui.sidebar import Sidebar, TopicKey, dot
from inspector.ui.status import SessionStatus, StatusLine, dark_scheme, retone
from inspector.ui.tasks import Tasks
from inspector.ui.topics.actions import TopicAdmin
from inspector.ui.widgets import plain_tooltip

# The window is shown before asyncio and qasync are loaded (inspector/ui/app.py). A topic's view and table,
# publishing, replay, the service panels and the HTTP client are loaded when a topic or panel opens or a replay
# starts; the dialogs and message boxes (whose Qt classes each cost their enums on first use) when they open
# (bench/startup.py), each through the window's start-up table (inspector.ui.later). Until the window is shown,
# nothing here touches the ``Qt`` namespace (see sidebar.py): no alignment or orientation enums in __init__, and
# the dock and the tree's context menu set up after the window is shown.
if TYPE_CHECKING:
    import asyncio

    from PySide6.QtGui import QStandardItem
    from PySide6.QtWidgets import QDockWidget, QInputDialog, QMessageBox

    from inspector.core.rows import Row
    from inspector.ui.dialogs import AddTopicDialog, ProfileDialog
    from inspector.ui.palette import CommandPalette
    from inspector.ui.services._common import ServicePanel
    from inspector.ui.topic.replay import JobsPanel, ReplayDialog
    from inspector.ui.topic.view import TopicView

T = TypeVar("T")


class MainWindow(QMainWindow):
    # made by inspector.ui.menus.build_window_actions, from its table
    add_profile_action: QAction
    edit_profile_action: QAction
    remove_profile_action: QAction
    add_topic_action: QAction
    refresh_topics_action: QAction
    open_action: QAction
    rename_topic_action: QAction
    remove_topic_action: QAction
    utc_action: QAction
    row_cap_action: QAction
    close_tab_action: QAction
    next_tab_action: QAction
    previous_tab_action: QAction
    filter_action: QAction
    palette_action: QAction
    shortcuts_action: QAction
    about_action: QAction
    quit_action: QAction
    toolbar: QToolBar
    tab_menus: TabMenus
    replay_menu: QMenu

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.views: dict[TopicKey, TopicView] = {}
        self.service_views: dict[tuple[str, str], ServicePanel] = {}  # (profile, capability): its panel
        self._tasks = Tasks(self._task_failed)
        self.crash_reports: list[Path] = []  # written this session (report_unexpected)
        self._dirty = False
        self._shown = False  # set once the window is shown and its shortcuts, icons and colours are set
        self.palette_popup: CommandPalette | None = None
        self.setWindowTitle("Topic Inspector" + (" — demo mode" if ctx.demo_mode else ""))
        self.resize(1280, 800)

        self.tree = Sidebar()  # its accessible name: "Profiles and topics"
        self.tree_model = self.tree.items
        self.tree.doubleClicked.connect(lambda _index: self.open_selected())
        self.tree.activated.connect(lambda _index: self.open_selected())

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Open tabs")  # and its tab bar, once a tab opens (_update_tab_titles)
        self.tabs.tabCloseRequested.connect(self._close_tab_at)
        self.tabs.currentChanged.connect(self._tabs_changed)
        self.empty_hint = QLabel(  # centred across; a label's text is centred down by default
            "<p align=center>Add a profile (a region and a token), add a topic under it, then double-click the "
            "topic to watch it.</p>"
        )
        self.empty_hint.setWordWrap(True)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.empty_hint)
        right_layout.addWidget(self.tabs, 1)
        self.splitter = QSplitter()  # side by side
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 1020])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        # no keyring warning in the demo: it keeps its tokens in memory and needs none of the user's
        self.notices = Notices(layout, "" if ctx.demo_mode else ctx.keyring_warning, ctx.workspace.notice)
        self.demo_banner = self.notices.demo_banner
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.status_line = StatusLine(self.statusBar())
        self.state_label = self.status_line.state
        ctx.archive_events.notice.connect(self._archive_notice)  # a damaged archive set aside, in words

        self.menus = build_window_actions(self)  # its actions become the window's: self.open_action, ...
        self.profiles = ProfileActions(self, ctx)  # Add/Edit/Remove profile…, a tab's Set/Update token…
        self.topic_admin = TopicAdmin(self, ctx)  # New/Edit topic…, Purge/Delete topic…: Topics and sidebar menus
        self.replays = Replays(self, ctx, self.replay_menu, self._tasks, self.open_topic)
        self.archive_actions = ArchiveActions(self, ctx)  # Search archive…, Import…, settings, Forget…; the banner
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(500)
        self._status_timer.timeout.connect(self.update_status_bar)
        self._status_timer.start()
        self._save_timer = QTimer(self)
        self._save_timer.setInterval(2000)
        self._save_timer.timeout.connect(self._save_if_dirty)
        self._save_timer.start()
        self.refresh_tree()
        self._update_empty_hint()

    @functools.cached_property
    def closed(self) -> asyncio.Event:
        """Set when the window is closed: the app's coroutine then cleans up and ends the loop."""
        return later.asyncio.Event()

    @property
    def jobs_dock(self) -> QDockWidget:
        return self.replays.dock

    @property
    def jobs(self) -> JobsPanel:
        return self.replays.jobs

    async def start_background(self, settle: Callable[[], None] | None = None) -> None:
        """What the window does once it is shown: look up the OS keyring (off the event loop), offer the
        interrupted replay jobs, load what a topic tab needs (``warm_up``), call ``settle`` (the app freezes what
        start-up made there: inspector.ui.app.freeze_startup_objects), and reopen the topics that were open."""
        Qt = later.Qt
        self.menus.set_shortcuts()  # and icons
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # its actions: SIDEBAR in menus
        self._shown = True
        self.apply_color_scheme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: self.apply_color_scheme())
        # Text formats now, not in __init__ (no Qt enum before the first frame): the status line is our markup
        # around escaped words (``SessionStatus.rich_text``); the notes are plain text.
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        self.notices.set_plain_text()
        self.archive_actions.start()  # the archive's banner, and its prune in the background
        await self.ctx.open_keyring()
        self.notices.show_keyring_warning(self.ctx.keyring_warning)
        _ = self.jobs
        await self.warm_up()
        if settle is not None:
            settle()
        await self.open_saved_topics()

    async def warm_up(self) -> None:
        """Load now, while the window is idle, what the first topic tab would load as it opens: the HTTP client's
        transport on a thread, then the tab's own modules (about 30 ms on the loop). The first tab then opens as
        fast as the next ones (bench/archive.py's ``open_first_tab_ms``)."""
        await later.asyncio.to_thread(later.connection.load_transport)
        _ = later.topic_view

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run a coroutine on the loop, kept until it ends (``inspector.ui.tasks``)."""
        return self._tasks.spawn(coro)

    def _task_failed(self, error: BaseException, where: str) -> None:
        if isinstance(error, InspectorError):
            self.statusBar().showMessage(error.message, 10_000)
        else:
            self.report_unexpected(error, where)

    # ----- the sidebar ------------------------------------------------------------------------------------
    def refresh_tree(self) -> None:
        self.tree.refresh(self.ctx, self._status_of)

    def _status_of(self, key: TopicKey) -> SessionStatus:
        view = self.views.get(key)
        return view.session.status if view else SessionStatus("stopped", "not open")

    def _topic_item(self, key: TopicKey) -> QStandardItem | None:
        return self.tree.topic_item(key)

    def selected(self) -> tuple[str | None, int | None]:
        return self.tree.selected()

    def selected_profile(self) -> Profile | None:
        name, _ = self.selected()
        return self.ctx.profile(name) if name else None

    # ----- profiles (inspector.ui.profile_actions) ---------------------------------------------------------
    def add_profile(self) -> None:
        self.profiles.add_profile()

    def edit_selected_profile(self) -> None:
        self.profiles.edit_selected_profile()

    def remove_selected_profile(self) -> None:
        self.profiles.remove_selected_profile()

    def _profile_dialog(self, profile: Profile | None) -> ProfileDialog:
        return self.profiles.profile_dialog(profile)

    async def _save_profile(self, original: Profile | None, profile: Profile, token: str | None) -> None:
        await self.profiles.save_profile(original, profile, token)

    async def restart_profile(self, name: str) -> None:
        """After a profile's token or address changed: its open topics carry on with the new one."""
        await self.profiles.restart_profile(name)

    # ----- topics -----------------------------------------------------------------------------------------
    def add_topic(self) -> None:
        profile = self.selected_profile()
        if profile is None:
            self.statusBar().showMessage("Select the profile the topic belongs to first.", 5000)
            return
        if CONSUME not in profile.capabilities:
            self.statusBar().showMessage(
                f"{profile.name} is a {profile.service_label} profile: it has no topics to read; open its items "
                "in the sidebar instead.",
                8000,
            )
            return
        dialog: AddTopicDialog = later.dialogs.AddTopicDialog(self)
        dialog.setObjectName("add-topic-dialog")

        def finished(result: int) -> None:
            if result and dialog.topic_id is not None:
                self.ctx.workspace.add_topic(profile.name, dialog.topic_id, dialog.name.text().strip())
                self._dirty = True
                self.refresh_tree()
                self.spawn(self.open_topic(profile.name, dialog.topic_id))
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def refresh_selected_topics(self) -> None:
        profile = self.selected_profile()
        if profile is None:
            self.statusBar().showMessage("Select a profile first.", 5000)
            return
        self.spawn(self.list_topics(profile))

    async def list_topics(self, profile: Profile) -> int:
        """Fill the profile's topics (names and schemas) from the Developer API; returns how many."""
        token = await self.ctx.token_source(profile)
        if not token:
            self.statusBar().showMessage(f"{profile.name}: no token stored; edit the profile to add one.", 8000)
            return 0
        self.statusBar().showMessage(f"{profile.name}: listing topics…")
        try:
            topics = await self.ctx.developer_client(profile, token).list_topics(include_schema=True)
        except InspectorError as exc:
            self.statusBar().showMessage(f"{profile.name}: cannot list topics — {exc.message}", 10_000)
            return 0
        for topic in topics:
            entry = self.ctx.workspace.add_topic(profile.name, topic.id, topic.name)
            entry.schema = topic.schema or None
            view = self.views.get((profile.name, topic.id))
            if view is not None:  # an open tab checks its messages and its draft against the schema listed now
                view.set_schema(entry.schema)
                if view.publisher is not None:
                    view.publisher.reload_schema()
        self._dirty = True
        self.refresh_tree()
        self.statusBar().showMessage(f"{profile.name}: {len(topics)} topics listed.", 5000)
        return len(topics)

    def rename_selected_topic(self) -> None:
        name, topic_id = self.selected()
        entry = self.ctx.workspace.topic(name, topic_id) if name and topic_id else None
        if entry is None:
            self.statusBar().showMessage("Select a topic first.", 5000)
            return
        dialog = later.QInputDialog(self)
        dialog.setWindowTitle("Rename topic")
        dialog.setLabelText(f"Name for topic {entry.id}:")
        dialog.setTextValue(entry.name)

        def finished(result: int) -> None:
            if result:
                entry.name = dialog.textValue().strip()
                self._dirty = True
                self.refresh_tree()
                self._update_tab_titles()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def remove_selected_topic(self) -> None:
        name, topic_id = self.selected()
        if not name or not topic_id:
            self.statusBar().showMessage("Select a topic first.", 5000)
            return
        self.spawn(self._remove_topic(name, topic_id))

    async def _remove_topic(self, profile: str, topic_id: int) -> None:
        await self.close_topic((profile, topic_id))
        self.ctx.workspace.remove_topic(profile, topic_id)
        self._dirty = True
        self.refresh_tree()

    def open_selected(self) -> None:
        service = self.tree.selected_service()
        if service is not None:
            self.spawn(self.open_service(*service))
            return
        name, topic_id = self.selected()
        if name and topic_id:
            self.spawn(self.open_topic(name, topic_id))

    # ----- the other services' panels -----------------------------------------------------------------------
    async def open_service(self, profile_name: str, capability: str) -> ServicePanel | None:
        """Open (or show) the panel of a profile's capability: publish events, subscriptions, app messages."""
        key = (profile_name, capability)
        if key in self.service_views:
            self.tabs.setCurrentWidget(self.service_views[key])
            return self.service_views[key]
        profile = self.ctx.profile(profile_name)
        if profile is None or capability not in profile.capabilities or capability not in PANEL_LABELS:
            return None
        token = await self.ctx.token_source(profile)
        if not token:
            self.statusBar().showMessage(f"{profile.name}: no token stored; edit the profile to add one.", 8000)
            return None
        if key in self.service_views:  # opened meanwhile
            return self.service_views[key]
        panel = panel_factory(capability)(self, profile, token)
        panel.setObjectName(f"service-{profile_name}-{capability}")
        self.service_views[key] = panel
        self.tabs.addTab(panel, f"{profile_name} · {PANEL_LABELS[capability]}")
        self._update_tab_titles()
        self.tabs.setCurrentWidget(panel)
        self._update_empty_hint()
        return panel

    def _topic_named(self, name: str) -> TopicKey | None:
        """A topic of a Workato profile with this name (an event-streams topic a subscription sends to)."""
        for profile in self.ctx.profiles():
            if CONSUME not in profile.capabilities:
                continue
            for entry in self.ctx.workspace.topics_of(profile.name):
                if name and name in (entry.name, entry.label):
                    return (profile.name, entry.id)
        return None

    def can_open_topic_named(self, name: str) -> bool:
        return self._topic_named(name) is not None

    async def open_topic_named(self, name: str) -> TopicView | None:
        key = self._topic_named(name)
        if key is None:
            self.statusBar().showMessage(f"No profile here reads a topic named {name!r}.", 8000)
            return None
        return await self.open_topic(*key)

    async def close_service(self, key: tuple[str, str]) -> None:
        panel = self.service_views.pop(key, None)
        if panel is None:
            return
        await panel.stop()
        self.tabs.removeTab(self.tabs.indexOf(panel))
        panel.deleteLater()
        self._update_empty_hint()

    async def open_topic(self, profile_name: str, topic_id: int, *, resume: bool = False) -> TopicView | None:
        """Open (or show) a topic's tab and start reading it (``resume``: after its saved cursor, if any)."""
        key = (profile_name, topic_id)
        if key in self.views:
            self.tabs.setCurrentWidget(self.views[key])
            return self.views[key]
        profile = self.ctx.profile(profile_name)
        entry = self.ctx.workspace.topic(profile_name, topic_id)
        if profile is None or entry is None:
            return None
        token = await self.ctx.token_source(profile)
        if key in self.views:  # opened meanwhile
            return self.views[key]
        # Without a token the tab sends nothing: it shows its "No token" bar and starts once one is set
        # (``restart_profile``).
        view: TopicView = later.topic_view.new_topic_view(self.ctx, profile, entry, token)
        session = view.session
        if view.publisher is not None:
            view.publisher.entryChanged.connect(self._mark_dirty)
        view.find_action.setShortcuts([])  # the window's Ctrl+F (filter_action) works wherever focus is
        view.updateTokenRequested.connect(lambda v=view: self.profiles.ask_token(v))
        view.replayRequested.connect(lambda rows, v=view: self.replay_rows(v, rows))
        session.statusChanged.connect(lambda status, v=view: self._topic_status(v, status))
        session.cursorChanged.connect(self._mark_dirty)
        self.views[key] = view
        self.tabs.addTab(view, entry.label)
        self.tabs.setCurrentWidget(view)
        self._update_tab_titles()
        if key not in self.ctx.workspace.open_topics:
            self.ctx.workspace.open_topics.append(key)
            self._dirty = True
        self._update_empty_hint()
        session.start(later.tail.StartPosition.after_id(entry.cursor) if resume and entry.cursor else None)
        self._topic_status(view, session.status)
        return view

    def _update_tab_titles(self) -> None:
        """Each topic tab's title: the topic's label, and its profile's name when another tab's label is the same
        (a topic of the same name in two profiles); the tooltip names both, with the topic's id."""
        labels = [view.title() for view in self.views.values()]
        for key, view in self.views.items():
            index = self.tabs.indexOf(view)
            if index < 0:
                continue
            alike = labels.count(view.title()) > 1
            self.tabs.setTabText(index, view.title(with_profile=alike))
            self.tabs.setTabToolTip(
                index, plain_tooltip(f"{view.entry.label} — topic {key[1]} of the profile {key[0]}")
            )
        bar = self.tabs.tabBar()
        bar.setAccessibleName("Open tabs")
        for index in range(bar.count()):  # each tab's "×", named after its tab
            for side in (later.QTabBar.ButtonPosition.RightSide, later.QTabBar.ButtonPosition.LeftSide):
                button = bar.tabButton(index, side)
                if button is not None:
                    button.setAccessibleName(f"Close {bar.tabText(index)}")

    # ----- replay (inspector.ui.replays) -------------------------------------------------------------------
    def replay_rows(self, view: TopicView, rows: list[Row]) -> ReplayDialog | None:
        """Ask where to replay ``rows`` (messages of a topic's table) and start the job."""
        profile = next((p for p, t in self.views if self.views[(p, t)] is view), "?")
        return self.replays.replay_rows(view, rows, profile)

    def _start_replay(self, dialog: ReplayDialog) -> str | None:
        return self.replays.start(dialog)

    def _mark_dirty(self, *args: object) -> None:
        self._dirty = True

    def _archive_notice(self, words: str) -> None:
        self.statusBar().showMessage(words, 60_000)

    def _topic_status(self, view: TopicView, status: SessionStatus) -> None:
        key = next((k for k, v in self.views.items() if v is view), None)
        item = self._topic_item(key) if key is not None else None
        if item is not None:
            item.setIcon(dot(status.color))
            # with the seconds left of a wait, as the status bar says
            item.setToolTip(plain_tooltip(status.describe()))
        self.update_status_bar()

    def _tabs_changed(self, *args: object) -> None:
        """After a tab opened, closed or became current: the Message and Publish menus and the tab keys follow."""
        if hasattr(self, "tab_menus"):  # not while the window is being built
            self.tab_menus.refresh()

    # ----- the command palette and the shortcuts (inspector.ui.palette, inspector.ui.shortcuts) -------------
    def open_palette(self) -> CommandPalette:
        """Ctrl+K: every action of the window by name, with its shortcut."""
        if self.palette_popup is None:
            self.palette_popup = later.palette.CommandPalette(self, lambda: later.shortcuts.window_entries(self))
        self.palette_popup.popup()
        return self.palette_popup

    def show_shortcuts(self) -> QWidget:
        """Help → Keyboard shortcuts: every shortcut of the window, read off its actions."""
        self.tab_menus.refresh()
        note = "" if self.current_view() else "Open a topic's tab to see the keys of its table and Publish page too."
        dialog: QWidget = later.shortcuts.ShortcutsDialog(self, later.shortcuts.shortcut_entries(self), note)
        dialog.setObjectName("shortcuts-dialog")
        dialog.show()
        return dialog

    # ----- the system's light or dark scheme ----------------------------------------------------------------
    def apply_color_scheme(self, dark: bool | None = None) -> None:
        """The window's own colours (its banners, and the words coloured by ``status.set_tone`` in its tabs,
        docks and dialogs) for the system's scheme, or ``dark`` when given."""
        dark = dark_scheme() if dark is None else dark
        self.notices.set_dark(dark)
        retone(self, dark)

    def changeEvent(self, event: QEvent) -> None:
        # a platform that gives no colour-scheme hint still changes the palette
        if self._shown and event.type() == QEvent.Type.PaletteChange:
            self.apply_color_scheme()
        super().changeEvent(event)

    def _close_tab_at(self, index: int) -> None:
        view = self.tabs.widget(index)
        for key, candidate in list(self.views.items()):
            if candidate is view:
                self.spawn(self.close_topic(key))
        for service_key, panel in list(self.service_views.items()):
            if panel is view:
                self.spawn(self.close_service(service_key))

    async def close_topic(self, key: TopicKey) -> None:
        view = self.views.pop(key, None)
        if key in self.ctx.workspace.open_topics:
            self.ctx.workspace.open_topics.remove(key)
            self._dirty = True
        if view is None:
            return
        await view.session.stop()
        self.tabs.removeTab(self.tabs.indexOf(view))
        view.deleteLater()
        self._update_empty_hint()
        self._update_tab_titles()
        item = self._topic_item(key)
        if item is not None:
            item.setIcon(dot("#8a8a8a"))

    def _update_empty_hint(self) -> None:
        shown = bool(self.views or self.service_views)
        self.empty_hint.setVisible(not shown)
        self.tabs.setVisible(shown)
        self._tabs_changed()

    # ----- view settings ------------------------------------------------------------------------------------
    def toggle_utc(self) -> None:
        self.ctx.workspace.utc_times = self.utc_action.isChecked()
        for view in self.views.values():
            view.set_utc(self.ctx.workspace.utc_times)
        self._dirty = True

    def ask_row_cap(self) -> None:
        dialog: QInputDialog = later.dialogs.row_cap_dialog(self, self.ctx.workspace.row_cap)

        def finished(result: int) -> None:
            if result:
                self.set_row_cap(dialog.intValue())
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def set_row_cap(self, cap: int) -> None:
        self.ctx.workspace.row_cap = cap
        for view in self.views.values():
            view.model.row_cap = cap
        self._dirty = True

    def about(self) -> None:
        box: QMessageBox = later.dialogs.about_box(self)
        box.finished.connect(box.deleteLater)
        box.open()

    # ----- the status bar -----------------------------------------------------------------------------------
    def update_status_bar(self) -> None:
        now = time.monotonic()
        states = []
        for view in self.views.values():
            view.show_status(view.session.status)
            states.append(view.session.status.rich_text(now, label=view.entry.label))
        current = self.current_view()
        usage = current.session.client.limiter.usage() if current is not None else None
        self.status_line.show(states, sum(view.session.rate() for view in self.views.values()), usage)

    def current_view(self) -> TopicView | None:
        widget = self.tabs.currentWidget()
        return next((view for view in self.views.values() if view is widget), None)

    # ----- state across runs --------------------------------------------------------------------------------
    def report_unexpected(self, error: BaseException, where: str) -> Path | None:
        """An error the app did not expect: a crash report is written (``inspector.ui.crash``), the status bar
        says where it is, and the window carries on. Returns the report's path (None if it could not be
        written; the log then has the error)."""
        # keyring tokens, which the window does not hold, are scrubbed by their fingerprints
        path = write_crash_report(error, where, self.ctx.tokens_in_memory())
        self.statusBar().showMessage(crash_words(error, where, path), 30_000)
        if path is not None:
            self.crash_reports.append(path)
        return path

    def show_demo_banner(self, url: str) -> None:
        self.notices.show_demo(url)

    def restore(self) -> None:
        workspace = self.ctx.workspace
        if workspace.geometry:
            self.restoreGeometry(QByteArray.fromBase64(workspace.geometry.encode()))
        if workspace.window_state:
            self.restoreState(QByteArray.fromBase64(workspace.window_state.encode()))
        if workspace.splitters.get("main"):
            self.splitter.setSizes(workspace.splitters["main"])

    async def open_saved_topics(self) -> None:
        for profile, topic_id in list(self.ctx.workspace.open_topics):
            await self.open_topic(profile, topic_id, resume=True)
        if self.views:
            self.tabs.setCurrentIndex(0)

    def remember_layout(self) -> None:
        workspace = self.ctx.workspace
        workspace.geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        workspace.window_state = bytes(self.saveState().toBase64().data()).decode()
        workspace.splitters["main"] = self.splitter.sizes()
        current = self.current_view()
        if current is not None:
            workspace.splitters["detail"] = current.splitter.sizes()
        workspace.open_topics = [key for key in workspace.open_topics if key in self.views]

    def _save_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            try:
                self.ctx.save_workspace()
            except OSError as exc:
                self.statusBar().showMessage(f"Could not save the workspace: {exc}", 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.remember_layout()
        self._dirty = True
        self._save_if_dirty()
        self._status_timer.stop()
        self._save_timer.stop()
        self.closed.set()
        event.accept()

    async def shutdown(self) -> None:
        """Stop every tail and background task (after the window closed)."""
        for key in list(self.views):
            view = self.views[key]
            await view.session.stop()
            if view.publisher is not None:
                await view.publisher.stop()
        for service_key in list(self.service_views):
            await self.close_service(service_key)
        await self.jobs.stop()
        self.ctx.save_workspace()  # the cursors as they are now
        await self._tasks.cancel_all()

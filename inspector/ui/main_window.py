"""The main window: profiles and topics on the left, one tab per open topic, the state of things below."""

from __future__ import annotations

import functools
import html
import json
import logging
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector import __version__
from inspector.core.errors import InspectorError
from inspector.core.profiles import Profile
from inspector.ui.context import AppContext
from inspector.ui.status import SessionStatus
from inspector.ui.widgets import counter_label, plain_message_box, plain_tooltip, set_text

# The window is shown before asyncio and qasync are loaded (inspector/ui/app.py). A topic's view and table,
# publishing, replay and the HTTP client are loaded when a topic opens or a replay starts; the dialogs and
# message boxes (whose Qt classes each cost their enums on first use) when they open (bench/startup.py).
if TYPE_CHECKING:
    import asyncio

    from inspector.core.http import TokenSource
    from inspector.core.services.workato import EventStreamsClient
    from inspector.ui.dialogs import ProfileDialog
    from inspector.ui.topic.model import Row
    from inspector.ui.topic.replay import JobsPanel, ReplayDialog, SourceMessage
    from inspector.ui.topic.view import TopicView

log = logging.getLogger("inspector.ui")
# Until the window is shown, nothing here imports or touches the ``Qt`` namespace: that makes PySide create all
# its ~90 enums, 25-45 ms on Python 3.11, a fifth of the time a bare window takes to appear. Hence the user
# role spelled out (Qt fixes it at 0x0100; a test checks it), no alignment or orientation enums in __init__,
# and the dock and the tree's context menu set up after the window is shown.
USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
KindRole = USER_ROLE + 1  # "profile" or "topic"
NameRole = USER_ROLE + 2  # profile name
TopicRole = USER_ROLE + 3  # topic id
ServiceRole = USER_ROLE + 4  # the capability a service item opens (kind "service")
# What a profile of a service other than Workato's shows under it, by capability: its panels.
SERVICE_PANELS = {
    "publish_events": "Publish events",
    "manage_subscriptions": "Subscriptions",
    "watch_messages": "App messages",
}
TopicKey = tuple[str, int]
_icons: dict[str, QIcon] = {}


def dot(color: str) -> QIcon:
    """A small filled circle, for a topic's state. Drawn from SVG: QPainter's calls would create the Qt
    namespace's enums while the window is being built (see above)."""
    if color not in _icons:
        pixmap = QPixmap()
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="12" height="12">'
            f'<circle cx="6" cy="6" r="5" fill="{color}"/></svg>'
        )
        pixmap.loadFromData(svg.encode(), "SVG")
        _icons[color] = QIcon(pixmap)
    return _icons[color]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.views: dict[TopicKey, TopicView] = {}
        self.service_views: dict[tuple[str, str], QWidget] = {}  # (profile, capability): a service's panel
        self._tasks: set[asyncio.Task[Any]] = set()
        self.crash_reports: list[Path] = []  # written this session (report_unexpected)
        self._dirty = False
        self.setWindowTitle("Topic Inspector" + (" — demo mode" if ctx.demo_mode else ""))
        self.resize(1280, 800)

        self.tree_model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.doubleClicked.connect(lambda _index: self.open_selected())
        self.tree.activated.connect(lambda _index: self.open_selected())

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self._close_tab_at)
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
        self.demo_banner = QLabel("")
        self.demo_banner.setStyleSheet("background: #fff4c2; color: #5c4400; padding: 6px; border-radius: 3px;")
        self.demo_banner.setWordWrap(True)
        self.demo_banner.hide()
        layout.addWidget(self.demo_banner)
        self.keyring_warning = QLabel(ctx.keyring_warning)  # filled in once the keyring has been looked up
        self.keyring_warning.setWordWrap(True)
        self.keyring_warning.setStyleSheet("color: #9a6700")
        self.keyring_warning.setVisible(bool(ctx.keyring_warning))
        layout.addWidget(self.keyring_warning)
        self.workspace_notice = QLabel(ctx.workspace.notice)
        self.workspace_notice.setVisible(bool(ctx.workspace.notice))
        layout.addWidget(self.workspace_notice)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._jobs: JobsPanel | None = None
        self._shortcuts: list[tuple[QAction, str | QKeySequence.StandardKey]] = []

        self.state_label = QLabel("")
        self.rate_label = counter_label("99999.9 msg/s")
        self.budget_label = counter_label("budget 99,999/99,999 requests/min")
        self.statusBar().addWidget(self.state_label, 1)
        self.statusBar().addPermanentWidget(self.rate_label)
        self.statusBar().addPermanentWidget(self.budget_label)

        self._build_actions()
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
        import asyncio

        return asyncio.Event()

    @functools.cached_property
    def jobs_dock(self) -> QDockWidget:
        """The replay jobs dock, where the saved layout put it (made with the jobs panel, after the window is
        shown: ``restore`` has kept its place for it)."""
        from PySide6.QtCore import Qt

        dock = QDockWidget("Replay jobs", self)
        dock.setObjectName("replay-jobs")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        self.restoreDockWidget(dock)
        self.replay_menu.addAction(dock.toggleViewAction())
        return dock

    @property
    def jobs(self) -> JobsPanel:
        """The replay jobs panel, made (and the journal opened) on first use: by ``start_background`` after the
        window is shown, or earlier by whatever needs it."""
        if self._jobs is None:
            from inspector.ui.topic.replay import JobsPanel

            self._jobs = JobsPanel(self.ctx.journal, self._client_for_destination)
            self.jobs_dock.setWidget(self._jobs)
            if not self._jobs.notice.isHidden():  # shown at once when a job was interrupted
                self.jobs_dock.show()
        return self._jobs

    async def start_background(self) -> None:
        """What the window does once it is shown: look up the OS keyring (off the event loop), offer the
        interrupted replay jobs, and reopen the topics that were open."""
        from PySide6.QtCore import Qt

        self._set_shortcuts()
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # its actions: _build_actions
        # Text formats now, not in __init__ (no Qt enum before the first frame): the status line is our markup
        # around escaped words (``SessionStatus.rich_text``); the notes are plain text.
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.keyring_warning, self.workspace_notice):
            label.setTextFormat(Qt.TextFormat.PlainText)
        await self.ctx.open_keyring()
        set_text(self.keyring_warning, self.ctx.keyring_warning)
        self.keyring_warning.setVisible(bool(self.ctx.keyring_warning))
        _ = self.jobs
        await self.open_saved_topics()

    # ----- actions and menus ------------------------------------------------------------------------------
    def _set_shortcuts(self) -> None:
        """The actions' keyboard shortcuts, once the window is shown: ``QAction.setShortcut`` makes PySide
        create the Qt namespace's enums (see the top of this module)."""
        for action, shortcut in self._shortcuts:
            if isinstance(shortcut, str):
                action.setShortcut(QKeySequence.fromString(shortcut))
            else:
                action.setShortcuts(shortcut)
        self._shortcuts.clear()

    def _build_actions(self) -> None:
        def act(text: str, slot: Any, shortcut: str | QKeySequence.StandardKey | None = None) -> QAction:
            action = QAction(text, self)
            if shortcut is not None:
                self._shortcuts.append((action, shortcut))
            action.triggered.connect(slot)
            return action

        self.add_profile_action = act("Add profile…", self.add_profile, "Ctrl+Shift+P")
        self.edit_profile_action = act("Edit profile…", self.edit_selected_profile)
        self.remove_profile_action = act("Remove profile", self.remove_selected_profile)
        self.add_topic_action = act("Add topic…", self.add_topic, "Ctrl+Shift+T")
        self.refresh_topics_action = act("List topics from the Developer API", self.refresh_selected_topics)
        self.rename_topic_action = act("Rename topic…", self.rename_selected_topic)
        self.remove_topic_action = act("Remove topic", self.remove_selected_topic)
        self.open_action = act("Open topic", self.open_selected, "Ctrl+O")
        self.utc_action = act("Times in UTC", self.toggle_utc)
        self.utc_action.setCheckable(True)
        self.utc_action.setChecked(self.ctx.workspace.utc_times)
        self.row_cap_action = act("Row limit…", self.ask_row_cap)
        quit_action = act("Quit", self.close, QKeySequence.StandardKey.Quit)

        toolbar = QToolBar("Profiles and topics")
        toolbar.setObjectName("sidebar-toolbar")
        for action in (self.add_profile_action, self.add_topic_action, self.refresh_topics_action, self.open_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(quit_action)
        profile_menu = self.menuBar().addMenu("&Profiles")
        for action in (self.add_profile_action, self.edit_profile_action, self.remove_profile_action):
            profile_menu.addAction(action)
        topic_menu = self.menuBar().addMenu("&Topics")
        for action in (
            self.add_topic_action,
            self.refresh_topics_action,
            self.open_action,
            self.rename_topic_action,
            self.remove_topic_action,
        ):
            topic_menu.addAction(action)
        self.replay_menu = self.menuBar().addMenu("&Replay")  # the jobs dock adds its toggle when it is made
        self.replay_menu.addAction(act("Replay a file…", self.ask_replay_file))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.utc_action)
        view_menu.addAction(self.row_cap_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(act("About", self.about))
        for action in (
            self.open_action,
            self.add_topic_action,
            self.refresh_topics_action,
            self.rename_topic_action,
            self.remove_topic_action,
            self.edit_profile_action,
            self.remove_profile_action,
        ):
            self.tree.addAction(action)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the loop, keeping a strong reference until it ends; failures reach the log."""
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self._tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                error = finished.exception()
                if isinstance(error, InspectorError):
                    self.statusBar().showMessage(error.message, 10_000)
                elif error is not None:
                    self.report_unexpected(error, f"a background task ({getattr(coro, '__qualname__', 'task')})")

        task.add_done_callback(done)
        return task

    # ----- the sidebar ------------------------------------------------------------------------------------
    def refresh_tree(self) -> None:
        expanded = {
            self.tree_model.item(r).data(NameRole)
            for r in range(self.tree_model.rowCount())
            if self.tree.isExpanded(self.tree_model.index(r, 0))
        }
        self.tree_model.clear()
        for profile in self.ctx.profiles():
            item = QStandardItem(profile.name)
            item.setData("profile", KindRole)
            item.setData(profile.name, NameRole)
            item.setEditable(False)
            item.setToolTip(plain_tooltip(f"{profile.service_label} · {profile.endpoint().events_url}"))
            for capability, label in SERVICE_PANELS.items():
                if capability in profile.capabilities:
                    child = QStandardItem(self._service_label(profile, label))
                    child.setData("service", KindRole)
                    child.setData(profile.name, NameRole)
                    child.setData(capability, ServiceRole)
                    child.setEditable(False)
                    item.appendRow(child)
            for entry in self.ctx.workspace.topics_of(profile.name) if "consume" in profile.capabilities else ():
                child = QStandardItem(entry.label)
                child.setData("topic", KindRole)
                child.setData(profile.name, NameRole)
                child.setData(entry.id, TopicRole)
                child.setEditable(False)
                view = self.views.get((profile.name, entry.id))
                status = view.session.status if view else SessionStatus("stopped", "not open")
                child.setIcon(dot(status.color))
                child.setToolTip(plain_tooltip(status.describe()))
                item.appendRow(child)
            self.tree_model.appendRow(item)
            if profile.name in expanded or not expanded:
                self.tree.expand(item.index())

    @staticmethod
    def _service_label(profile: Profile, label: str) -> str:
        if profile.environment_id:
            return f"{label} · environment {profile.environment_id[:8]}…"
        if profile.account_id:
            return f"{label} · account {profile.account_id}"
        return label

    def _topic_item(self, key: TopicKey) -> QStandardItem | None:
        for r in range(self.tree_model.rowCount()):
            parent = self.tree_model.item(r)
            if parent.data(NameRole) != key[0]:
                continue
            for c in range(parent.rowCount()):
                child = parent.child(c)
                if child.data(TopicRole) == key[1]:
                    return child
        return None

    def selected(self) -> tuple[str | None, int | None]:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None, None
        item = self.tree_model.itemFromIndex(index)
        return item.data(NameRole), item.data(TopicRole) if item.data(KindRole) == "topic" else None

    def selected_profile(self) -> Profile | None:
        name, _ = self.selected()
        return self.ctx.profile(name) if name else None

    # ----- profiles -----------------------------------------------------------------------------------------
    def add_profile(self) -> None:
        self._profile_dialog(None)

    def edit_selected_profile(self) -> None:
        profile = self.selected_profile()
        if profile is None:
            self.statusBar().showMessage("Select a profile first.", 5000)
        elif self.ctx.is_demo(profile):
            self.statusBar().showMessage("The demo profile cannot be edited.", 5000)
        else:
            self._profile_dialog(profile)

    def _profile_dialog(self, profile: Profile | None) -> ProfileDialog:
        from inspector.ui.dialogs import ProfileDialog

        dialog = ProfileDialog(
            self,
            profile=profile,
            token_note=self.ctx.token_note(profile),
            test_connection=self.ctx.test_connection,
            existing_names={p.name for p in self.ctx.profiles()},
            keyring_warning=self.ctx.keyring_warning,
        )
        dialog.setObjectName("profile-dialog")

        def finished(result: int) -> None:
            if result and dialog.result_profile is not None:
                self.ctx.keep_proxy_password(dialog.result_profile, dialog.result_proxy_password)
                self.spawn(self._save_profile(profile, dialog.result_profile, dialog.result_token))
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    async def _save_profile(self, original: Profile | None, profile: Profile, token: str | None) -> None:
        if original is not None and original.account != profile.account:  # renamed, or moved to another address
            old_token = await self.ctx.get_token(original)
            await self.ctx.delete_token(original)
            if token is None and old_token and original.endpoint().events_url == profile.endpoint().events_url:
                token = old_token  # renamed only: a token stays with the address it was entered for
        if original is not None and original.name != profile.name:
            self.ctx.profile_store.remove(original.name)
            self.ctx.workspace.rename_profile(original.name, profile.name)
            self.ctx.publishing.rename_profile(original.name, profile.name)
            for key in [k for k in self.views if k[0] == original.name]:
                view = self.views.pop(key)
                self.views[(profile.name, key[1])] = view
        self.ctx.profile_store.upsert(profile)
        where = await self.ctx.set_token(profile, token) if token else self.ctx.token_note(profile)
        self.statusBar().showMessage(f"Profile {profile.name!r} saved; token {where}.", 8000)
        self._dirty = True
        self.refresh_tree()
        await self.restart_profile(profile.name)

    def remove_selected_profile(self) -> None:
        profile = self.selected_profile()
        if profile is None or self.ctx.is_demo(profile):
            self.statusBar().showMessage("Select a profile of your own first.", 5000)
            return
        from PySide6.QtWidgets import QMessageBox

        box = plain_message_box(
            QMessageBox.Icon.Question,
            "Remove profile",
            f"Remove the profile {profile.name!r}, its topics and its stored token?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )

        def finished(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.spawn(self._remove_profile(profile))
            box.deleteLater()

        box.finished.connect(finished)
        box.open()

    async def _remove_profile(self, profile: Profile) -> None:
        for key in [k for k in self.views if k[0] == profile.name]:
            await self.close_topic(key)
        self.ctx.profile_store.remove(profile.name)
        await self.ctx.delete_token(profile)
        self.ctx.workspace.forget_profile(profile.name)
        self.ctx.publishing.forget_profile(profile.name)
        self._dirty = True
        self.refresh_tree()

    # ----- topics -----------------------------------------------------------------------------------------
    def add_topic(self) -> None:
        profile = self.selected_profile()
        if profile is None:
            self.statusBar().showMessage("Select the profile the topic belongs to first.", 5000)
            return
        if "consume" not in profile.capabilities:
            self.statusBar().showMessage(
                f"{profile.name} is a {profile.service_label} profile: it has no topics to read; open its items "
                "in the sidebar instead.",
                8000,
            )
            return
        from inspector.ui.dialogs import AddTopicDialog

        dialog = AddTopicDialog(self)
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
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename topic")
        dialog.setLabelText(f"Name for topic {entry.id}:")
        dialog.setTextValue(entry.name)

        def finished(result: int) -> None:
            if result:
                entry.name = dialog.textValue().strip()
                self._dirty = True
                self.refresh_tree()
                view = self.views.get((str(name), entry.id))
                if view is not None:
                    self.tabs.setTabText(self.tabs.indexOf(view), entry.label)
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
        index = self.tree.currentIndex()
        item = self.tree_model.itemFromIndex(index) if index.isValid() else None
        if item is not None and item.data(KindRole) == "service":
            self.spawn(self.open_service(item.data(NameRole), item.data(ServiceRole)))
            return
        name, topic_id = self.selected()
        if name and topic_id:
            self.spawn(self.open_topic(name, topic_id))

    # ----- the other services' panels -----------------------------------------------------------------------
    async def open_service(self, profile_name: str, capability: str) -> QWidget | None:
        """Open (or show) the panel of a profile's capability: publish events, subscriptions, app messages."""
        key = (profile_name, capability)
        if key in self.service_views:
            self.tabs.setCurrentWidget(self.service_views[key])
            return self.service_views[key]
        profile = self.ctx.profile(profile_name)
        if profile is None or capability not in profile.capabilities or capability not in SERVICE_PANELS:
            return None
        token = await self.ctx.token_source(profile)
        if not token:
            self.statusBar().showMessage(f"{profile.name}: no token stored; edit the profile to add one.", 8000)
            return None
        if key in self.service_views:  # opened meanwhile
            return self.service_views[key]
        panel = self._service_panel(profile, capability, token)
        panel.setObjectName(f"service-{profile_name}-{capability}")
        self.service_views[key] = panel
        self.tabs.addTab(panel, f"{profile_name} · {SERVICE_PANELS[capability]}")
        self.tabs.setCurrentWidget(panel)
        self._update_empty_hint()
        return panel

    def _service_panel(self, profile: Profile, capability: str, token: TokenSource) -> QWidget:
        from inspector.ui import services as services_view

        endpoint = profile.endpoint()
        base, rpm = endpoint.events_url, endpoint.rate_limit_rpm  # the profile's limit, or 60 requests/min
        http = self.ctx.http(profile, base)
        if capability == "publish_events":
            from inspector.core.services.qala import QalaClient

            qala = QalaClient(base, token, profile.environment_id or "", http=http, rate_limit_rpm=rpm)
            return services_view.QalaPanel(qala, profile.name)
        if capability == "manage_subscriptions":
            from inspector.core.services.boomi import BoomiClient

            boomi = BoomiClient(base, token, profile.account_id or "", http=http, rate_limit_rpm=rpm)
            panel = services_view.BoomiPanel(boomi, profile.name, self.can_open_topic_named)
            panel.openTopicRequested.connect(lambda name: self.spawn(self.open_topic_named(name)))
            return panel
        from inspector.core.services.messaging import MessagingClient

        messaging = MessagingClient(
            base, token, workflow_container=profile.workflow_container, http=http, rate_limit_rpm=rpm
        )
        watcher = services_view.MessagesPanel(messaging, profile.name)
        if self.ctx.is_demo(profile):  # the demo's app, watched at once
            from inspector.emulator.traffic import DEMO_APP

            watcher.watch(DEMO_APP)
        return watcher

    def _topic_named(self, name: str) -> TopicKey | None:
        """A topic of a Workato profile with this name (an event-streams topic a subscription sends to)."""
        for profile in self.ctx.profiles():
            if "consume" not in profile.capabilities:
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
        await panel.stop()  # type: ignore[attr-defined]
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
        from inspector.core.tail import StartPosition
        from inspector.ui.topic.model import MessageTableModel
        from inspector.ui.topic.publish import PublishPanel
        from inspector.ui.topic.session import TopicSession
        from inspector.ui.topic.view import TopicView

        model = MessageTableModel(row_cap=self.ctx.workspace.row_cap, utc=self.ctx.workspace.utc_times)
        client = self.ctx.client(profile, token or "")
        session = TopicSession(client, entry, model, region_label=profile.endpoint().label)
        schema = json.dumps(entry.schema, indent=2) if entry.schema else ""
        publisher = PublishPanel(client, profile_name, entry, self.ctx.publishing)
        publisher.entryChanged.connect(self._mark_dirty)
        view = TopicView(session, schema_text=schema, publisher=publisher)
        view.setObjectName(f"topic-{profile_name}-{topic_id}")
        sizes = self.ctx.workspace.splitters.get("detail")
        if sizes:
            view.splitter.setSizes(sizes)
        view.updateTokenRequested.connect(lambda: self._profile_dialog(profile))
        view.replayRequested.connect(lambda rows, v=view: self.replay_rows(v, rows))
        session.statusChanged.connect(lambda status, k=key: self._topic_status(k, status))
        session.cursorChanged.connect(self._mark_dirty)
        self.views[key] = view
        self.tabs.addTab(view, entry.label)
        self.tabs.setCurrentWidget(view)
        if key not in self.ctx.workspace.open_topics:
            self.ctx.workspace.open_topics.append(key)
            self._dirty = True
        self._update_empty_hint()
        if token:
            session.start(StartPosition.after_id(entry.cursor) if resume and entry.cursor else None)
        else:
            session.statusChanged.emit(
                SessionStatus("error", f"no token for {profile.name}: add one to the profile", problem="auth")
            )
        return view

    # ----- replay -----------------------------------------------------------------------------------------
    def replay_rows(self, view: TopicView, rows: list[Row]) -> ReplayDialog | None:
        """Ask where to replay ``rows`` (messages of a topic's table) and start the job."""
        if not rows:
            view.notice.setText("No messages to replay: select some, or clear the filter.")
            view.notice.show()
            return None
        from inspector.ui.topic.model import format_utc
        from inspector.ui.topic.replay import SourceMessage

        messages = [SourceMessage(r.payload, r.message_id, format_utc(r.timestamp)) for r in rows]
        profile = next((p for p, t in self.views if self.views[(p, t)] is view), "?")
        return self.open_replay_dialog(messages, f"{profile} · {view.entry.label}")

    def open_replay_dialog(self, messages: list[SourceMessage], source: str) -> ReplayDialog:
        from inspector.ui.topic.replay import ReplayDialog

        def topics(profile: str) -> list[tuple[int, str]]:
            return [(e.id, e.label) for e in self.ctx.workspace.topics_of(profile)]

        dialog = ReplayDialog(messages, self.ctx.profiles(), topics, source, self)
        dialog.accepted.connect(lambda: self._start_replay(dialog))
        dialog.openInEditor.connect(lambda name, topic, text: self.spawn(self._edit_in(name, topic, text)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.replay_dialog = dialog
        return dialog

    def _start_replay(self, dialog: ReplayDialog) -> str | None:
        profile = dialog.profile
        if profile is None:
            return None
        topic = dialog.topic_id()
        destination = {
            "topic": topic,
            "profile": profile.name,
            "events_url": profile.endpoint().events_url,
            "label": f"topic {topic} of {profile.name}",
        }
        try:
            job_id = self.ctx.journal.create(dialog.source, destination, dialog.items())
        except InspectorError as exc:
            self.jobs.notice.setText(exc.describe())
            self.jobs.notice.show()
            return None
        self.jobs_dock.show()
        self.jobs.start(job_id)
        return job_id

    async def _client_for_destination(self, destination: dict[str, Any]) -> EventStreamsClient | None:
        profile = self.ctx.profile(str(destination.get("profile", "")))
        if profile is None:
            raise InspectorError(f"the profile {destination.get('profile')!r} of this job no longer exists")
        token = await self.ctx.token_source(profile)
        return self.ctx.client(profile, token) if token else None

    async def _edit_in(self, profile: str, topic: int, text: str) -> None:
        self.ctx.workspace.add_topic(profile, topic)
        view = await self.open_topic(profile, topic)
        if view is not None and view.publisher is not None:
            view.publisher.set_text(text)
            view.detail_tabs.setCurrentWidget(view.publisher)

    def ask_replay_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(self, "Replay messages from a file")
        dialog.setNameFilters(["JSON Lines and JSON (*.jsonl *.ndjson *.json)", "All files (*)"])
        dialog.fileSelected.connect(lambda name: self.replay_file(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def replay_file(self, path: Path) -> ReplayDialog | None:
        from inspector.core.export import import_file
        from inspector.ui.topic.replay import SourceMessage

        try:
            items = import_file(path)
        except InspectorError as exc:
            self.jobs.notice.setText(exc.describe())
            self.jobs.notice.show()
            self.jobs_dock.show()
            return None
        messages = [SourceMessage(i.payload, i.source_id, i.source_time) for i in items]
        return self.open_replay_dialog(messages, str(path))

    def _mark_dirty(self, *args: object) -> None:
        self._dirty = True

    def _topic_status(self, key: TopicKey, status: SessionStatus) -> None:
        item = self._topic_item(key)
        if item is not None:
            item.setIcon(dot(status.color))
            # with the seconds left of a wait, as the status bar says
            item.setToolTip(plain_tooltip(status.describe()))
        self.update_status_bar()

    async def restart_profile(self, name: str) -> None:
        """After a profile's token or address changed: its open topics carry on with the new one."""
        profile = self.ctx.profile(name)
        if profile is None:
            return
        token = await self.ctx.token_source(profile)
        for service_key in [k for k in self.service_views if k[0] == name]:  # reopened with the new token
            await self.close_service(service_key)
            await self.open_service(*service_key)
        for key, view in self.views.items():
            if key[0] == name and token:
                view.session.client = self.ctx.client(profile, token)
                if view.publisher is not None:  # its Publish panel publishes with the same client
                    view.publisher.client = view.session.client
                view.session.region_label = profile.endpoint().label
                view.session.resume()

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
        item = self._topic_item(key)
        if item is not None:
            item.setIcon(dot("#8a8a8a"))

    def _update_empty_hint(self) -> None:
        shown = bool(self.views or self.service_views)
        self.empty_hint.setVisible(not shown)
        self.tabs.setVisible(shown)

    # ----- view settings ------------------------------------------------------------------------------------
    def toggle_utc(self) -> None:
        self.ctx.workspace.utc_times = self.utc_action.isChecked()
        for view in self.views.values():
            view.set_utc(self.ctx.workspace.utc_times)
        self._dirty = True

    def ask_row_cap(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        dialog = QInputDialog(self)
        dialog.setWindowTitle("Row limit")
        dialog.setLabelText("Most messages kept per topic table (the oldest are dropped past it):")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1000, 10_000_000)
        dialog.setIntStep(10_000)
        dialog.setIntValue(self.ctx.workspace.row_cap)

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
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About Topic Inspector",
            f"Topic Inspector {__version__}\nInspect, publish to and replay event-stream topics.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.finished.connect(box.deleteLater)
        box.open()

    # ----- the status bar -----------------------------------------------------------------------------------
    def update_status_bar(self) -> None:
        now = time.monotonic()
        parts = []
        for view in self.views.values():
            status = view.session.status
            view.show_status(status)
            parts.append(status.rich_text(now, label=view.entry.label))
        set_text(self.state_label, " · ".join(parts) if parts else "No topic open")
        rate = sum(view.session.rate() for view in self.views.values())
        set_text(self.rate_label, f"{rate:.1f} msg/s")
        self._update_budget()

    def current_view(self) -> TopicView | None:
        widget = self.tabs.currentWidget()
        return next((view for view in self.views.values() if view is widget), None)

    def _update_budget(self) -> None:
        view = self.current_view()
        text, style = "", ""
        if view is not None:
            usage = view.session.client.limiter.usage()
            if usage.paused_for > 0:
                text = f"rate limit: paused {usage.paused_for:.0f} s"
                style = "color: white; background: #c62828; padding: 0 4px;"
            elif usage.limit == 0:
                text = f"{usage.used:,} requests/min (no limit)"
            else:
                text = f"budget {usage.used:,}/{usage.limit:,} requests/min"
                if usage.fraction >= 0.8:
                    style = "color: black; background: #ffb300; padding: 0 4px;"
        set_text(self.budget_label, text)
        if self.budget_label.styleSheet() != style:  # a new style sheet polishes the label again
            self.budget_label.setStyleSheet(style)

    # ----- state across runs --------------------------------------------------------------------------------
    def report_unexpected(self, error: BaseException, where: str) -> Path | None:
        """An error the app did not expect: a crash report is written (``inspector.core.crash``), the status
        bar says where it is, and the window carries on. Returns the report's path (None if it could not be
        written; the log then has the error)."""
        from inspector.core.crash import write_report

        try:
            # keyring tokens, which the window does not hold, are scrubbed by their fingerprints
            path: Path | None = write_report(error, where, tokens=self.ctx.tokens_in_memory())
        except OSError as exc:
            path = None
            log.error("unexpected error in %s; no crash report (%s)", where, exc, exc_info=error)
        else:
            log.error("unexpected error in %s: %s; crash report: %s", where, type(error).__name__, path)
        where_saved = f"a report was saved to {path} (it holds no token)" if path else "see the log"
        self.statusBar().showMessage(
            f"Something went wrong in {where} ({type(error).__name__}); {where_saved}. The app carries on.", 30_000
        )
        if path is not None:
            self.crash_reports.append(path)
        return path

    def show_demo_banner(self, url: str) -> None:
        self.demo_banner.setText(
            f"<b>Demo mode</b> — a local emulator at {html.escape(url)} with sample topics and live sample traffic. "
            "Nothing leaves this machine, and its data is deleted when you quit."
        )
        self.demo_banner.show()

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
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        import asyncio

        await asyncio.gather(*tasks, return_exceptions=True)

"""The sidebar: each profile, and under it its topics (with a dot for each one's state) or its service's panels.

Until the window is shown, nothing here imports or touches the ``Qt`` namespace: that makes PySide create all
its ~90 enums, 25-45 ms on Python 3.11, a fifth of the time a bare window takes to appear. Hence the user role
spelled out (Qt fixes it at 0x0100; a test checks it), and icons drawn from SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTreeView

from inspector.core.services import CONSUME
from inspector.ui.services import PANEL_LABELS
from inspector.ui.widgets import plain_tooltip

if TYPE_CHECKING:
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.status import SessionStatus

USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
KindRole = USER_ROLE + 1  # "profile", "topic" or "service"
NameRole = USER_ROLE + 2  # profile name
TopicRole = USER_ROLE + 3  # topic id
ServiceRole = USER_ROLE + 4  # the capability a service item opens (kind "service")
TopicKey = tuple[str, int]  # (profile name, topic id)
_icons: dict[str, QIcon] = {}


def dot(color: str) -> QIcon:
    """A small filled circle, for a topic's state: drawn at 1x and 2x, so it stays crisp on a scaled screen
    (``QT_SCALE_FACTOR=2``; the icon picks the pixmap of the screen's device pixel ratio). Drawn from SVG:
    QPainter's calls would create the Qt namespace's enums while the window is being built (see above)."""
    if color not in _icons:
        icon = QIcon()
        for scale in (1, 2):
            pixmap = QPixmap()
            size = 12 * scale
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 12 12">'
                f'<circle cx="6" cy="6" r="5" fill="{color}"/></svg>'
            )
            pixmap.loadFromData(svg.encode(), "SVG")
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap)
        _icons[color] = icon
    return _icons[color]


def service_label(profile: Profile, label: str) -> str:
    """A panel's item: its label, and the environment or account it is for."""
    if profile.environment_id:
        return f"{label} · environment {profile.environment_id[:8]}…"
    if profile.account_id:
        return f"{label} · account {profile.account_id}"
    return label


def _item(text: str, kind: str, profile: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setData(kind, KindRole)
    item.setData(profile, NameRole)
    item.setEditable(False)
    return item


class Sidebar(QTreeView):
    """The tree of profiles; ``items`` is its model."""

    def __init__(self) -> None:
        super().__init__()
        self.items = QStandardItemModel(self)
        self.setModel(self.items)
        self.setHeaderHidden(True)
        self.setAccessibleName("Profiles and topics")
        self.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)

    def refresh(self, ctx: AppContext, status_of: Callable[[TopicKey], SessionStatus]) -> None:
        """Fill the tree again from the profiles and the workspace's topics; expanded profiles stay expanded."""
        expanded = {
            self.items.item(r).data(NameRole)
            for r in range(self.items.rowCount())
            if self.isExpanded(self.items.index(r, 0))
        }
        self.items.clear()
        for profile in ctx.profiles():
            item = _item(profile.name, "profile", profile.name)
            item.setToolTip(plain_tooltip(f"{profile.service_label} · {profile.endpoint().events_url}"))
            for capability, label in PANEL_LABELS.items():
                if capability in profile.capabilities:
                    child = _item(service_label(profile, label), "service", profile.name)
                    child.setData(capability, ServiceRole)
                    item.appendRow(child)
            for entry in ctx.workspace.topics_of(profile.name) if CONSUME in profile.capabilities else ():
                child = _item(entry.label, "topic", profile.name)
                child.setData(entry.id, TopicRole)
                status = status_of((profile.name, entry.id))
                child.setIcon(dot(status.color))
                child.setToolTip(plain_tooltip(status.describe()))
                item.appendRow(child)
            self.items.appendRow(item)
            if profile.name in expanded or not expanded:
                self.expand(item.index())

    def topic_item(self, key: TopicKey) -> QStandardItem | None:
        for r in range(self.items.rowCount()):
            parent = self.items.item(r)
            if parent.data(NameRole) != key[0]:
                continue
            for c in range(parent.rowCount()):
                child = parent.child(c)
                if child.data(TopicRole) == key[1]:
                    return child
        return None

    def current_item(self) -> QStandardItem | None:
        index = self.currentIndex()
        return self.items.itemFromIndex(index) if index.isValid() else None

    def selected(self) -> tuple[str | None, int | None]:
        """The selected item's profile, and its topic when it is a topic."""
        item = self.current_item()
        if item is None:
            return None, None
        return item.data(NameRole), item.data(TopicRole) if item.data(KindRole) == "topic" else None

    def selected_service(self) -> tuple[str, str] | None:
        """(profile, capability) when the selected item is a service's panel."""
        item = self.current_item()
        if item is None or item.data(KindRole) != "service":
            return None
        return item.data(NameRole), item.data(ServiceRole)

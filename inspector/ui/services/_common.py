"""What the service panels share: the panel base (its tasks, ``stop``), how a panel's client reaches the service,
and small helpers for table models and for words shown to the user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from inspector.core.models import Outcome
from inspector.ui.status import ERROR_TEXT, MUTED_TEXT, SUCCESS_TEXT, WARNING_TEXT, set_tone, tone
from inspector.ui.tasks import Tasks
from inspector.ui.widgets import escape_html, plain_label, set_text

if TYPE_CHECKING:
    import httpx

    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext

W = TypeVar("W", bound=QWidget)
Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
# The colours of words (light, dark): a table model answers with the one for the scheme shown, and its view
# paints again when the scheme changes.
OUTCOME_COLORS = {Outcome.SUCCESS: SUCCESS_TEXT, Outcome.FAILED: ERROR_TEXT, Outcome.UNKNOWN: WARNING_TEXT}


def outcome_color(outcome: Outcome) -> QColor:
    """The colour of an outcome's words (success, failed, unknown) for the scheme shown."""
    return QColor(tone(OUTCOME_COLORS[outcome]))


def muted() -> QColor:
    """The colour of a row greyed out (pending, gone) for the scheme shown: still readable."""
    return QColor(tone(MUTED_TEXT))


class ServicePanel(QWidget):
    """A service's panel in a tab. Every task it starts is kept in ``tasks``; ``stop`` cancels them (when the
    tab closes or the window quits)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = Tasks()

    async def stop(self) -> None:
        await self.tasks.cancel_all()


class Connection(NamedTuple):
    """Where a profile's client sends: the base URL, the shared connection pool, the profile's request budget."""

    base_url: str
    http: httpx.AsyncClient
    rate_limit_rpm: int


def connection(ctx: AppContext, profile: Profile) -> Connection:
    endpoint = profile.endpoint()
    base = endpoint.events_url
    return Connection(base, ctx.http(profile, base), endpoint.rate_limit_rpm)  # the profile's limit, or 60/min


def header(headers: Sequence[str], section: int, orientation: Qt.Orientation, role: int) -> Any:
    """A table model's ``headerData`` for horizontal ``headers``."""
    if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(headers):
        return headers[section]
    return None


def say(label: QLabel, text: str, *, error: bool = False) -> None:
    set_text(label, text)
    set_tone(label, ERROR_TEXT if error else None)


def words_label() -> QLabel:
    label = plain_label(wrap=True)  # a service's words, shown as it sent them
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def named(widget: W, name: str) -> W:
    """``widget`` with its accessible name: the words a sighted user reads beside it, or on it."""
    widget.setAccessibleName(name)
    return widget


def name_buttons(root: QWidget) -> None:
    """Every button under ``root`` that has no accessible name yet gets its text (without a shortcut's ``&``)."""
    for button in root.findChildren(QAbstractButton):
        if not button.accessibleName() and button.text():
            button.setAccessibleName(button.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))


WRAP_TOOLTIP_AT = 80  # characters: a longer tooltip is wrapped (Qt draws a plain one on a single line)


def wrapped_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as it is, wrapped when long: Qt wraps only a tooltip it draws as rich text,
    so a long one is escaped into a paragraph that keeps its spaces and lines."""
    if len(text) <= WRAP_TOOLTIP_AT and "<" not in text and "&" not in text:
        return text
    return f"<p style='white-space:pre-wrap'>{escape_html(text)}</p>"

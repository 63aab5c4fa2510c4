"""The Search tab's table: archived messages as a search finds them (newest first), appended in batches, each with
its topic. ``MessageRole`` gives a row as the topic tab's table does (``inspector.core.rows.Row``), so the detail
pane, Compare and Export take it as they are; ``HitRole`` gives the ``ArchivedMessage`` (its profile and topic)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from inspector.core.archive import ArchivedMessage
from inspector.core.rows import Row
from inspector.ui.topic.model import PREVIEW_CHARS, MessageRole, format_local, format_utc, human_size
from inspector.ui.widgets import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
COL_TIME, COL_TOPIC, COL_ID, COL_SIZE, COL_PREVIEW = range(5)
HEADERS = ("Published", "Topic", "Message ID", "Size", "Payload")
HitRole = Qt.ItemDataRole.UserRole + 2  # the ArchivedMessage of a row
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

TopicWords = Callable[[str, int], str]  # (profile address, topic) -> "Local · orders (12)"


class ResultsModel(QAbstractTableModel):
    """The hits of the latest search, in the order found. ``topic_words`` names a hit's topic."""

    def __init__(self, topic_words: TopicWords, *, utc: bool = False) -> None:
        super().__init__()
        self._hits: list[ArchivedMessage] = []
        self._topic_words = topic_words
        self._names: dict[tuple[str, int], str] = {}  # the topics' words, once each
        self.utc = utc

    # ----- Qt model interface ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(HEADERS):
            return HEADERS[section]
        if orientation == Qt.Orientation.Vertical and role == _DISPLAY and 0 <= section < len(self._hits):
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self._display(hit, column)
        if role == _TOOLTIP:
            if column == COL_TOPIC:
                return plain_tooltip(f"{self.topic_name(hit)} — topic {hit.topic} at {hit.profile}")
            if column == COL_ID:
                return plain_tooltip(hit.message_id)
            if column == COL_TIME:
                return f"UTC {format_utc(hit.timestamp)} · local {format_local(hit.timestamp)}"
            return None
        if role == _ALIGN and column == COL_SIZE:
            return _RIGHT
        if role == MessageRole:
            return self.row_at(index.row())
        if role == HitRole:
            return hit
        return None

    def _display(self, hit: ArchivedMessage, column: int) -> str | None:
        if column == COL_TIME:
            return format_utc(hit.timestamp) if self.utc else format_local(hit.timestamp)
        if column == COL_TOPIC:
            return self.topic_name(hit)
        if column == COL_ID:
            return hit.message_id
        if column == COL_SIZE:
            return human_size(_size(hit.text))
        if column == COL_PREVIEW:
            return hit.text[:PREVIEW_CHARS]
        return None

    # ----- contents -------------------------------------------------------------------------------------
    def topic_name(self, hit: ArchivedMessage) -> str:
        key = (hit.profile, hit.topic)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._topic_words(*key)
        return name

    def append(self, hits: Sequence[ArchivedMessage]) -> None:
        """Add hits below the others (one insert for the batch)."""
        if not hits:
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._hits.extend(hits)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._hits = []
        self._names.clear()
        self.endResetModel()

    def set_utc(self, utc: bool) -> None:
        self.utc = utc
        if self._hits:
            self.dataChanged.emit(self.index(0, COL_TIME), self.index(len(self._hits) - 1, COL_TIME))

    def hit_at(self, number: int) -> ArchivedMessage | None:
        return self._hits[number] if 0 <= number < len(self._hits) else None

    def row_at(self, number: int) -> Row | None:
        """The hit as a row of a topic's table (numbered from 0 in the results' order)."""
        hit = self.hit_at(number)
        return None if hit is None else Row(*hit.raw_row(number))

    def hits(self) -> list[ArchivedMessage]:
        return list(self._hits)


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))

"""The live message table: rows appended in batches, a row cap that drops the oldest, older rows (from the archive)
inserted above the first, a filter view, and each row checked against the topic's current schema when it is painted
(a warning icon and words on the rows that break it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from inspector.core.fieldlist import Field, PayloadProblem
from inspector.core.filtering import RowFilter, row_problems
from inspector.core.rows import MESSAGE_ID, SEQ, SIZE, TEXT, TIMESTAMP, RawRow, Row, make_row
from inspector.ui.widgets import plain_tooltip

if TYPE_CHECKING:
    from inspector.core.models import Message

Index = QModelIndex | QPersistentModelIndex
COL_NUMBER, COL_ID, COL_TIME, COL_SIZE, COL_PREVIEW = range(5)
HEADERS = ("#", "Message ID", "Published", "Size", "Payload")
MessageRole = Qt.ItemDataRole.UserRole + 1  # the Row object of a row
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole
_SCHEMA_ROLES = frozenset({_DECORATION, _DESCRIPTION})  # asked of every painted cell: answered for the # column
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGN, MessageRole, *_SCHEMA_ROLES})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
PREVIEW_CHARS = 120  # about what a wide Payload column shows; longer strings cost painting time
SCHEMA_CACHE = 4096  # rows whose schema check is kept: a few screens of painted rows (the oldest checked go first)
SCHEMA_WORDS = "Does not match the topic's current schema"


class SchemaState(Enum):
    """A row against the topic's current schema."""

    UNKNOWN = "unknown"  # no schema is known for the topic (or it cannot be read): nothing to check against
    MATCHES = "matches"
    VIOLATES = "violates"  # see ``MessageTableModel.schema_problem`` for the first failing path and its words


_MATCHES = PayloadProblem("", "")  # the schema cache's mark of a row that matches


_icons: dict[str, QIcon] = {}


def warning_icon() -> QIcon:
    """The style's warning icon, made once (the marker of a row that breaks the schema)."""
    icon = _icons.get("warning")
    if icon is None:
        icon = _icons["warning"] = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    return icon


def schema_words(problems: Sequence[PayloadProblem], *, shown: int = 1, limit: int = 0) -> str:
    """``Does not match the topic's current schema: `customer.email` is required``, with up to ``shown`` problems
    and how many more; ``limit``: the most that were looked for (more may exist when that many were found)."""
    words = "; ".join(problem.words for problem in problems[:shown])
    more = len(problems) - shown
    if more > 0:
        least = "at least " if limit and len(problems) >= limit else ""
        words += f"; and {least}{more:,} more problem{'' if more == 1 else 's'}"
    return f"{SCHEMA_WORDS}: {words}"


# Formatted by hand: datetime.strftime imports the time module on every call, which is slow under Qt's
# import hook, and the table formats times for every painted row.
def format_utc(timestamp: float) -> str:
    d = datetime.fromtimestamp(timestamp, UTC)
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}."
        f"{d.microsecond // 1000:03d}Z"
    )


def format_local(timestamp: float) -> str:
    d = datetime.fromtimestamp(timestamp).astimezone()
    offset = d.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}."
        f"{d.microsecond // 1000:03d} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def human_size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


class MessageTableModel(QAbstractTableModel):
    """Rows in arrival order. ``filter`` shows only matching rows; ``row_cap`` bounds memory.

    ``rowsDropped(n)`` tells the view that ``n`` rows left the top (so it can keep its place on screen). Each row's
    seq is its number (``#`` shows seq + 1); the seqs of the rows held follow one another, from ``first_seq()``.
    """

    rowsDropped = Signal(int)

    def __init__(self, *, row_cap: int = 100_000, utc: bool = False) -> None:
        super().__init__()
        self._rows: list[RawRow] = []
        self._base = 0  # seq of _rows[0]
        self._next_seq = 0
        self._visible: list[int] | None = None  # seqs of matching rows when a filter is set
        self._predicate: RowFilter | None = None
        self.row_cap = row_cap
        self.utc = utc
        self.dropped_total = 0
        self._fields: tuple[Field, ...] | None = None  # the topic's current schema (None: none known)
        self._checked: dict[int, PayloadProblem] = {}  # seq -> its first problem, or _MATCHES (SCHEMA_CACHE at most)
        self.extra = 0  # rows the user scrolled up for (``prepend_rows``): the cap holds as many more
        self.older_in_archive = False  # the archive keeps messages older than the first row (the count says so)
        self.prepending = False  # while older rows go in above the others: not new ones ("N new ↓" skips them)

    # ----- Qt model interface ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) if self._visible is None else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return HEADERS[section] if section != COL_TIME else f"Published ({'UTC' if self.utc else 'local'})"
        return None

    def row_at(self, row: int) -> Row | None:
        raw = self._raw_at(row)
        return None if raw is None else Row._make(raw)

    def _raw_at(self, row: int) -> RawRow | None:
        if row < 0:
            return None
        if self._visible is None:
            return self._rows[row] if row < len(self._rows) else None
        if row >= len(self._visible):
            return None
        return self._rows[self._visible[row] - self._base]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for a dozen roles per painted cell; answer the ones this model has no say in first.
        if role not in _ROLES or not index.isValid():
            return None
        column = index.column()
        if role in _SCHEMA_ROLES and (column != COL_NUMBER or self._fields is None):
            return None
        item = self._raw_at(index.row())
        if item is None:
            return None
        if role == _DISPLAY:
            if column == COL_NUMBER:
                return item[SEQ] + 1
            if column == COL_ID:
                return item[MESSAGE_ID]
            if column == COL_TIME:
                return format_utc(item[TIMESTAMP]) if self.utc else format_local(item[TIMESTAMP])
            if column == COL_SIZE:
                return human_size(item[SIZE])
            if column == COL_PREVIEW:
                return item[TEXT][:PREVIEW_CHARS]
        elif role == MessageRole:
            return Row._make(item)
        elif role == _TOOLTIP:
            if column == COL_TIME:
                return f"UTC: {format_utc(item[TIMESTAMP])}\nLocal: {format_local(item[TIMESTAMP])}"
            if column == COL_NUMBER and self._fields is not None:
                problem = self.schema_problem(item)
                return None if problem is None else plain_tooltip(schema_words([problem]))
        elif role == _ALIGN and column in (COL_NUMBER, COL_SIZE):
            return _RIGHT
        elif role == _DECORATION:  # the # column, with a schema
            return warning_icon() if self.schema_problem(item) is not None else None
        elif role == _DESCRIPTION:
            problem = self.schema_problem(item)
            return None if problem is None else schema_words([problem])
        return None

    # ----- the topic's current schema ----------------------------------------------------------------------------
    @property
    def schema(self) -> tuple[Field, ...] | None:
        """The field list rows are checked against (None: no schema is known)."""
        return self._fields

    def set_schema(self, fields: Sequence[Field] | None) -> None:
        """Check rows against ``fields`` from now on (None or empty: no schema, every row UNKNOWN). Rows are checked
        when they are painted or asked about, each once while it is in the cache: an insert costs nothing more."""
        self._fields = tuple(fields) if fields else None
        self._checked.clear()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, COL_NUMBER), self.index(self.rowCount() - 1, COL_NUMBER))

    def schema_problem(self, row: RawRow) -> PayloadProblem | None:
        """The first way ``row`` (a raw row or a ``Row``) breaks the schema: None when it matches or none is known."""
        fields = self._fields
        if fields is None:
            return None
        seq = row[SEQ]
        found = self._checked.get(seq)
        if found is None:
            problems = row_problems(fields, row, limit=1)
            found = problems[0] if problems else _MATCHES
            if len(self._checked) >= SCHEMA_CACHE:
                del self._checked[next(iter(self._checked))]  # the one checked first
            self._checked[seq] = found
        return None if found is _MATCHES else found

    def schema_state(self, row: RawRow) -> SchemaState:
        if self._fields is None:
            return SchemaState.UNKNOWN
        return SchemaState.MATCHES if self.schema_problem(row) is None else SchemaState.VIOLATES

    def schema_problems(self, row: RawRow, *, limit: int = 20) -> list[PayloadProblem]:
        """Every way ``row`` breaks the schema, at most ``limit`` (for the detail of one message; not kept)."""
        if self._fields is None or self.schema_problem(row) is None:
            return []
        return row_problems(self._fields, row, limit=limit)

    # ----- changes ----------------------------------------------------------------------------------------
    def set_utc(self, utc: bool) -> None:
        if utc != self.utc:
            self.utc = utc
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_TIME, COL_TIME)
            if self.rowCount():
                self.dataChanged.emit(self.index(0, COL_TIME), self.index(self.rowCount() - 1, COL_TIME))

    def make_rows(self, messages: Sequence[Message]) -> list[RawRow]:
        """Number and encode messages as rows (done as they arrive, so a flush only inserts)."""
        rows = [make_row(self._next_seq + i, m) for i, m in enumerate(messages)]
        self._next_seq += len(rows)
        return rows

    def append(self, messages: Sequence[Message]) -> int:
        """Add a batch of messages; see ``append_rows``."""
        return self.append_rows(self.make_rows(messages))

    def append_rows(self, fresh: list[RawRow]) -> int:
        """Insert rows made by ``make_rows`` (one insert for the whole batch); returns how many are visible."""
        if not fresh:
            return 0
        self._next_seq = max(self._next_seq, fresh[-1][SEQ] + 1)  # rows made elsewhere (the archive's) count too
        cap = self.row_cap + self.extra
        if len(fresh) > cap:
            skipped = len(fresh) - cap
            self._drop(len(self._rows))
            self._base = fresh[skipped][SEQ]
            self.dropped_total += skipped
            self.rowsDropped.emit(skipped)
            fresh = fresh[skipped:]
        overflow = len(self._rows) + len(fresh) - cap
        if overflow > 0:
            self._drop(overflow)
        if not self._rows:
            self._base = fresh[0][SEQ]
        if self._visible is None:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
            return len(fresh)
        self._rows.extend(fresh)
        assert self._predicate is not None
        matching = self._predicate.matching(fresh)
        if matching:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(matching) - 1)
            self._visible.extend(matching)
            self.endInsertRows()
        return len(matching)

    def prepend_rows(self, rows: list[RawRow], *, beyond_cap: bool = False) -> int:
        """Insert older rows above the first, numbered up to ``first_seq() - 1`` (messages from the archive), in
        one insert. Within the cap, only as many as it leaves room for (the newest of them); ``beyond_cap`` (the
        user scrolled up for them): the cap holds as many more. Returns how many went in (shown or not)."""
        if not rows or rows[-1][SEQ] != self._base - 1:
            return 0  # not the rows just above the first (the table changed meanwhile)
        if not beyond_cap:
            room = self.row_cap + self.extra - len(self._rows)
            rows = rows[len(rows) - room :] if room > 0 else []
            if not rows:
                return 0
        else:
            self.extra += len(rows)
        self.prepending = bool(self._rows)
        try:
            if self._visible is None:
                self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
                self._rows[:0] = rows
                self._base = rows[0][SEQ]
                self.endInsertRows()
                return len(rows)
            assert self._predicate is not None
            matching = self._predicate.matching(rows)
            self._rows[:0] = rows  # the rows shown stay where they were: their seqs and the base move together
            self._base = rows[0][SEQ]
            if matching:
                self.beginInsertRows(QModelIndex(), 0, len(matching) - 1)
                self._visible[:0] = matching
                self.endInsertRows()
        finally:
            self.prepending = False
        return len(rows)

    def _drop(self, count: int) -> None:
        count = min(count, len(self._rows))
        if count <= 0:
            return
        limit = self._base + count
        if self._visible is None:
            self.beginRemoveRows(QModelIndex(), 0, count - 1)
            del self._rows[:count]
            self._base = limit
            self.endRemoveRows()
            shown = count
        else:
            shown = 0
            while shown < len(self._visible) and self._visible[shown] < limit:
                shown += 1
            if shown:
                self.beginRemoveRows(QModelIndex(), 0, shown - 1)
                del self._visible[:shown]
                del self._rows[:count]
                self._base = limit
                self.endRemoveRows()
            else:
                del self._rows[:count]
                self._base = limit
        self.dropped_total += count
        self.rowsDropped.emit(shown)

    def clear(self) -> None:
        self.beginResetModel()
        self._base += len(self._rows)
        self._rows.clear()
        self._checked.clear()
        self.extra = 0
        self.older_in_archive = False
        if self._visible is not None:
            self._visible = []
        self.endResetModel()

    @property
    def total(self) -> int:
        """Rows held (matching the filter or not)."""
        return len(self._rows)

    def all_rows(self) -> list[RawRow]:
        """Every row held, as raw rows (``inspector.core.rows``; ``Row._make`` names one)."""
        return self._rows

    def set_filter(
        self,
        predicate: RowFilter | None,
        matches: list[int] | None = None,
        scanned_until: int = 0,
        scanned_from: int | None = None,
    ) -> None:
        """Show only rows for which ``predicate`` holds.

        ``matches`` (seqs) may have been computed ahead, in slices, over the rows from ``scanned_from`` to before
        ``scanned_until``; rows that arrived since (or went in above, from the archive) are checked here.
        """
        self.beginResetModel()
        self._predicate = predicate
        if predicate is None:
            self._visible = None
        else:
            if matches is None:
                matches, scanned_until, scanned_from = [], self._base, None
            visible = []
            if scanned_from is not None and scanned_from > self._base:
                visible = predicate.matching(self._rows[: scanned_from - self._base])
            visible.extend(seq for seq in matches if seq >= self._base)
            start = max(scanned_until - self._base, 0)
            visible.extend(predicate.matching(self._rows[start:]))
            self._visible = visible
        self.endResetModel()

    def first_seq(self) -> int:
        """The seq of the first row in the table (of the next to come, when it is empty)."""
        return self._base

    def next_seq(self) -> int:
        """The seq after the last row in the table (rows made but not yet inserted come later)."""
        return self._base + len(self._rows)

    @property
    def filtered(self) -> bool:
        return self._visible is not None

    def row_of_message(self, message_id: str) -> int | None:
        for number in range(self.rowCount() - 1, -1, -1):
            row = self._raw_at(number)
            if row is not None and row[MESSAGE_ID] == message_id:
                return number
        return None

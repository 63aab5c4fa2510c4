"""The Search tab's question: words, a JMESPath condition, a time range, the most hits, and the topics (all, or those
checked in a list), with Search and Cancel, the scan's progress and the words saying how it went.

``query()`` reads the fields into a ``Query``; the words and the condition are checked by the store's search (in
its thread), the times here: a bad one raises ``ValidationError`` naming its field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.archive import DEFAULT_LIMIT, TopicRef
from inspector.core.errors import ValidationError
from inspector.core.timeparse import SINCE_FORMS, parse_since
from inspector.ui.archive.running import Query
from inspector.ui.archive.shared import count_words
from inspector.ui.status import ERROR_TEXT, set_tone
from inspector.ui.topic.detail import named_button
from inspector.ui.widgets import plain_label, plain_tooltip

MAX_LIMIT = 100_000  # as the command line's --limit
WORDS_TIP = 'Words that must all be in the payload, "quoted phrases", and word starts ending in * (ord*)'
JMESPATH_TIP = "A condition over {message_id, time, payload}; numbers in backticks: payload.total > `100`"
TopicKey = tuple[str, int]  # (profile address, topic id)
_KEY = Qt.ItemDataRole.UserRole


def _field(name: str, placeholder: str, tip: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(tip)
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):  # the clear button, shown while the field has text
        button.setAccessibleName(f"Clear {name}")
        button.setToolTip(f"Clear {name}")
    return edit


class TopicChooser(QWidget):
    """ "All topics", or the topics checked in the list: each archived topic with how many messages it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.all_box = QCheckBox("All topics")
        self.all_box.setAccessibleName("All topics")
        self.all_box.setToolTip("Search every archived topic of every profile, and the imports")
        self.all_box.setChecked(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Topics to search")
        self.list.setToolTip("Check one or several topics to search only those")
        self.list.setMaximumHeight(96)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the tooltip and the words hold all of it
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._pending: set[TopicKey] = set()  # chosen before the list had them (it is filled off the UI thread)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.all_box)
        layout.addWidget(self.list, 1)
        self.all_box.toggled.connect(self._all_toggled)
        self.list.itemChanged.connect(self._item_changed)

    def fill(self, topics: Iterable[tuple[TopicKey, str, int]]) -> None:
        """The topics (key, words, messages), the checked ones kept checked."""
        checked = set(self.checked()) | self._pending
        self.list.blockSignals(True)
        self.list.clear()
        for key, words, messages in topics:
            self._pending.discard(key)
            text = f"{words} — {count_words(messages, 'message')}"
            item = QListWidgetItem(text)
            item.setData(_KEY, key)
            item.setToolTip(plain_tooltip(f"{text}: topic {key[1]} at {key[0]}"))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._item_changed()

    def keys(self) -> list[TopicKey]:
        return [self.list.item(n).data(_KEY) for n in range(self.list.count())]

    def checked(self) -> list[TopicKey]:
        items = (self.list.item(n) for n in range(self.list.count()))
        return [item.data(_KEY) for item in items if item.checkState() == Qt.CheckState.Checked]

    def choose(self, keys: Sequence[TopicKey]) -> None:
        """Check these topics only (none: all topics)."""
        wanted = set(keys)
        self._pending = wanted - set(self.keys())
        self.list.blockSignals(True)
        for n in range(self.list.count()):
            item = self.list.item(n)
            item.setCheckState(Qt.CheckState.Checked if item.data(_KEY) in wanted else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._item_changed()

    def refs(self) -> list[TopicRef] | None:
        """What to search: None for all topics."""
        chosen = self.checked() + sorted(self._pending)
        return None if self.all_box.isChecked() or not chosen else [TopicRef(a, t) for a, t in chosen]

    def _all_toggled(self, checked: bool) -> None:
        if checked and self.checked():
            self.choose([])
        elif not checked and not self.checked():
            self.all_box.blockSignals(True)
            self.all_box.setChecked(True)  # nothing checked is all topics: check topics in the list instead
            self.all_box.blockSignals(False)

    def _item_changed(self, *args: object) -> None:
        self.all_box.blockSignals(True)
        self.all_box.setChecked(not self.checked() and not self._pending)
        self.all_box.blockSignals(False)


class SearchForm(QWidget):
    """The fields, the topics, Search and Cancel, the progress of a scan and the words of the outcome."""

    def __init__(self) -> None:
        super().__init__()
        self.words = _field("Words", 'order 1234, "payment declined", ord*', WORDS_TIP)
        self.jmespath = _field("JMESPath condition", "payload.status == 'failed'", JMESPATH_TIP)
        self.since = _field("Since", "2h, 7d or 2024-05-01T09:00:00Z", f"Messages of this time or later: {SINCE_FORMS}")
        self.until = _field("Until", "empty: up to now", f"Messages of before this time: {SINCE_FORMS}")
        self.limit = QSpinBox()
        self.limit.setRange(1, MAX_LIMIT)
        self.limit.setValue(DEFAULT_LIMIT)
        self.limit.setSingleStep(500)
        self.limit.setGroupSeparatorShown(True)
        self.limit.setAccessibleName("At most")
        self.limit.setToolTip("The most messages shown, newest first")
        self.topics = TopicChooser()
        self.search_button = named_button("Search", "Search the archive (Enter in a field)")
        self.cancel_button = named_button("Cancel", "Stop the search (Esc)")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Search progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.status = plain_label(wrap=True)
        self.status.setAccessibleName("Search status")
        self.error = plain_label(wrap=True)
        set_tone(self.error, ERROR_TEXT)
        self.error.hide()

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (words, field) in enumerate((("Words", self.words), ("JMESPath", self.jmespath))):
            grid.addWidget(QLabel(words), row, 0)
            grid.addWidget(field, row, 1, 1, 5)
        times = (("Since", self.since), ("Until", self.until), ("At most", self.limit))
        for column, (words, widget) in enumerate(times):
            grid.addWidget(QLabel(words), 2, column * 2)
            grid.addWidget(widget, 2, column * 2 + 1)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        top = QHBoxLayout()
        top.addLayout(grid, 3)
        top.addWidget(self.topics, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.search_button.setDefault(True)

    def fields(self) -> list[QLineEdit]:
        return [self.words, self.jmespath, self.since, self.until]

    def query(self) -> Query:
        """The search the fields ask for; a bad time raises ``ValidationError`` naming its field."""
        since_text, until_text = self.since.text().strip(), self.until.text().strip()
        since = parse_since(since_text, where="Since") if since_text else None
        until = parse_since(until_text, where="Until") if until_text else None
        if since is not None and until is not None and until <= since:
            raise ValidationError(
                f"{until_text!r} is not after Since {since_text!r}",
                where="Until",
                hint="Until is the end of the time range: give a later time than Since, or leave it empty",
            )
        return Query(
            text=self.words.text().strip() or None,
            jmespath=self.jmespath.text().strip() or None,
            topics=self.topics.refs(),
            since=since,
            until=until,
            limit=self.limit.value(),
        )

    def running(self, running: bool, *, scan: bool = False) -> None:
        """While a search runs: Cancel enabled, and the progress shown for a scan (a JMESPath condition)."""
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running and scan)
        if running:
            self.progress.setValue(0)

    def say(self, words: str) -> None:
        self.status.setText(words)
        self.status.setAccessibleName(f"Search status: {words}" if words else "Search status")

    def show_error(self, words: str) -> None:
        self.error.setText(words)
        self.error.setAccessibleName(words)
        self.error.setVisible(bool(words))

    def set_progress(self, share: float) -> None:
        self.progress.setValue(round(share * 1000))
        self.progress.setAccessibleDescription(f"{share:.0%} of the archive read")

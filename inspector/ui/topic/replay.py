"""Replay in the window: the "Replay to…" dialog, and the jobs panel (``inspector.ui.topic.replay_jobs``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ValidationError
from inspector.core.profiles import Profile
from inspector.core.replay import ReplayItem
from inspector.core.transform import apply_edits, parse_edits
from inspector.core.validation import MAX_BATCH_ITEMS, counted, encode_payload, human_bytes
from inspector.core.workspace import parse_topic_reference
from inspector.ui.status import ERROR_TEXT, set_tone
from inspector.ui.topic.replay_jobs import JobsPanel, as_json_lines, words_for_seconds
from inspector.ui.widgets import plain_label, set_text

__all__ = ["JobsPanel", "ReplayDialog", "SourceMessage", "budget_seconds", "words_for_seconds"]

CHOOSE_TOPIC = "Choose a topic…"


@dataclass(frozen=True)
class SourceMessage:
    """What a replay starts from: a payload, and where it came from when known."""

    payload: dict[str, Any]
    message_id: str | None = None
    time: str | None = None


def budget_seconds(items: int, rpm: int) -> float:
    """Time the rate budget needs for ``items`` in batches of 100 (the first minute's requests go at once)."""
    requests = -(-items // MAX_BATCH_ITEMS)
    if rpm <= 0 or requests <= rpm:
        return 0.0
    return (requests - rpm) * 60.0 / rpm


class ReplayDialog(QDialog):
    """Choose the destination, see what it costs, optionally edit every payload, then confirm.

    No destination topic is chosen at first: Replay is disabled (and not the default button) until one is, so
    Enter never sends messages back where they came from. ``origin`` (profile, topic id) is where the messages
    were read; replaying there is allowed when chosen, and the summary says so."""

    openInEditor = Signal(object, int, str)  # profile name, topic id, JSON Lines

    def __init__(
        self,
        messages: Sequence[SourceMessage],
        profiles: Sequence[Profile],
        topics: Callable[[str], list[tuple[int, str]]],
        source: str,
        parent: QWidget | None = None,
        *,
        origin: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replay to…")
        self.setMinimumWidth(520)
        self.messages = list(messages)
        self._size = sum(  # the payloads as they came, once: the summary is redrawn at each keystroke
            len(json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")).encode()) for m in self.messages
        )
        self.source = source
        self.origin = origin
        self._topics = topics
        self._profiles = {p.name: p for p in profiles}
        self._checked: list[ReplayItem] | None = None  # the items, checked when Replay was pressed
        self.profile_box = QComboBox()
        self.profile_box.addItems(list(self._profiles))
        if origin is not None and origin[0] in self._profiles:
            self.profile_box.setCurrentText(origin[0])
        self.topic_box = QComboBox()
        self.topic_box.setEditable(True)
        self.topic_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # Enter keeps the list as it is
        line = self.topic_box.lineEdit()
        assert line is not None  # an editable box has one
        line.setPlaceholderText(CHOOSE_TOPIC)
        self.topic_box.setToolTip(f"{CHOOSE_TOPIC} of the profile, or type a topic id or its URL in Workato")
        self.edits = QPlainTextEdit()
        self.edits.setPlaceholderText(
            "Optional, one per line, applied to every payload in order:\n"
            "set status = 'replayed'\nset customer.name = payload.customer.full_name\nremove internal_id"
        )
        self.edits.setTabChangesFocus(True)
        self.edits.setMaximumHeight(110)
        self.summary = plain_label(wrap=True)
        self.problem = plain_label(wrap=True)  # an error (red), or what to do next
        form = QFormLayout()
        form.addRow("Destination profile", self.profile_box)
        form.addRow("Destination topic", self.topic_box)
        form.addRow("Edit payloads", self.edits)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.replay_button = self.buttons.addButton("Replay", QDialogButtonBox.ButtonRole.AcceptRole)
        self.editor_button = self.buttons.addButton("Open in publish editor", QDialogButtonBox.ButtonRole.ActionRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        self.cancel_button = cancel
        self.editor_button.setToolTip("Put the payloads, edited, in the destination topic's Publish editor")
        for widget, name in (  # the words beside them, or on them
            (self.profile_box, "Destination profile"),
            (self.topic_box, "Destination topic"),
            (line, "Destination topic"),
            (self.edits, "Edit payloads"),
            (self.replay_button, "Replay"),
            (self.editor_button, "Open in publish editor"),
            (self.cancel_button, "Cancel"),
        ):
            widget.setAccessibleName(name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.replay_button.clicked.connect(self._accept_if_valid)
        self.editor_button.clicked.connect(self._open_in_editor)
        self.profile_box.currentTextChanged.connect(self._fill_topics)
        self.topic_box.currentTextChanged.connect(self.update_summary)
        self.edits.textChanged.connect(self.update_summary)
        self._fill_topics(self.profile_box.currentText())

    def _fill_topics(self, name: str) -> None:
        self.topic_box.blockSignals(True)  # one summary below, not one per topic
        self.topic_box.clear()
        for topic_id, label in self._topics(name):
            self.topic_box.addItem(label, topic_id)
        self.topic_box.setCurrentIndex(-1)  # nothing chosen: the placeholder shows
        self.topic_box.clearEditText()
        self.topic_box.blockSignals(False)
        self.update_summary()

    @property
    def profile(self) -> Profile | None:
        return self._profiles.get(self.profile_box.currentText())

    def choose(self, profile: str, topic: int) -> None:
        """Choose the destination as a user does in the boxes (tests, and whatever offers a destination)."""
        self.profile_box.setCurrentText(profile)
        index = self.topic_box.findData(topic)
        if index >= 0:
            self.topic_box.setCurrentIndex(index)
        else:
            self.topic_box.setEditText(str(topic))

    def chosen(self) -> bool:
        """Whether a destination topic was chosen (picked from the list or typed)."""
        return bool(self.topic_box.currentText().strip())

    def topic_id(self) -> int:
        if not self.chosen():
            raise ValidationError("no topic chosen", where="destination", hint=f"{CHOOSE_TOPIC[:-1]} to replay to")
        data = self.topic_box.currentData()
        if isinstance(data, int) and self.topic_box.currentText() == self.topic_box.itemText(
            self.topic_box.currentIndex()
        ):
            return data
        return parse_topic_reference(self.topic_box.currentText())

    def same_as_origin(self) -> bool:
        """Whether the chosen destination is the topic the messages came from."""
        try:
            topic = self.topic_id()
        except ValidationError:
            return False
        return self.origin is not None and self.origin == (self.profile_box.currentText(), topic)

    def payloads(self) -> list[dict[str, Any]]:
        """Every payload with the edits applied; raises ``ValidationError`` naming the edit line and the item."""
        edits = parse_edits(self.edits.toPlainText())
        if not edits:
            return [m.payload for m in self.messages]
        edited = []
        for number, m in enumerate(self.messages, start=1):
            try:
                edited.append(apply_edits(edits, m.message_id, m.time, m.payload))
            except ValidationError as exc:
                raise ValidationError(exc.message, where=f"item {number}", hint=exc.hint) from None
        return edited

    def _destination_words(self, topic: int) -> str:
        profile = self.profile_box.currentText()
        index = self.topic_box.currentIndex()
        if index >= 0 and self.topic_box.itemData(index) == topic:
            return f"{profile} · {self.topic_box.itemText(index)}"
        return f"{profile} · topic {topic}"

    def update_summary(self) -> None:
        self._checked = None
        profile = self.profile
        count = len(self.messages)
        rpm = profile.endpoint().rate_limit_rpm if profile else 0
        wait = budget_seconds(count, rpm)
        budget = (
            f"at {rpm:,} requests/min the rate budget needs {words_for_seconds(wait)}"
            if rpm
            else "no rate limit on this profile"
        )
        where = ""
        problem = ""
        try:
            if profile is None:
                raise ValidationError("no profile to replay to", where="destination", hint="add a profile first")
            if self.chosen():
                topic = self.topic_id()
                where = (
                    f", to the same topic it came from ({self._destination_words(topic)})"
                    if self.same_as_origin()
                    else f", to {self._destination_words(topic)}"
                )
            self.payloads()
        except ValidationError as exc:
            problem = f"{exc.message} — {exc.hint}" if exc.hint else exc.message
        requests = -(-count // MAX_BATCH_ITEMS)
        set_text(
            self.summary,
            f"{counted(count, 'message')}, {human_bytes(self._size)}, in {counted(requests, 'request')}{where}; "
            f"{budget}.",
        )
        ready = not problem and self.chosen()
        if not problem and not ready:
            set_text(
                self.problem, f"{CHOOSE_TOPIC[:-1]} to replay to: pick one of the profile's, or type its id or URL."
            )
            set_tone(self.problem, None)
        else:
            set_text(self.problem, problem)
            set_tone(self.problem, ERROR_TEXT)
        self.replay_button.setEnabled(ready)
        self.editor_button.setEnabled(ready)
        self.replay_button.setDefault(ready)  # Enter replays only once a destination is chosen

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The button box made its first accept button the default when it was shown: not until there is a destination.
        self.replay_button.setDefault(self.replay_button.isEnabled())

    def _accept_if_valid(self) -> None:
        self.update_summary()
        if not self.replay_button.isEnabled():
            return
        try:
            self._checked = self.items()
        except ValidationError as exc:
            set_text(self.problem, f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
            set_tone(self.problem, ERROR_TEXT)
            return
        self.accept()

    def _open_in_editor(self) -> None:
        profile = self.profile
        if profile is None or not self.editor_button.isEnabled():
            return
        self.openInEditor.emit(profile.name, self.topic_id(), as_json_lines(self.payloads()))
        self.reject()

    def items(self) -> list[ReplayItem]:
        """The job's items: each payload edited and checked, a refusal naming the item (from 1)."""
        if self._checked is not None:
            return self._checked
        payloads = self.payloads()
        for number, payload in enumerate(payloads, start=1):
            encode_payload(payload, where=f"item {number}")
        return [ReplayItem(p, m.message_id) for p, m in zip(payloads, self.messages, strict=True)]

"""Purge… and Delete…: what will be lost, in words, and the topic's name typed again before anything is done.

The button that acts is enabled only while the typed name is the topic's name exactly (case and spaces count);
the call runs off the UI thread and its answer (or the API's refusal) is said in the dialog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from inspector.core.errors import InspectorError
from inspector.core.models import Topic
from inspector.core.services.workato import retention_words
from inspector.core.validation import counted as count
from inspector.ui.tasks import Tasks
from inspector.ui.topics.schema_editor import ERROR_STYLE
from inspector.ui.widgets import plain_label

PURGE, DELETE = "purge", "delete"


def loss_words(verb: str, topic: Topic, profile_name: str) -> str:
    """What purging or deleting ``topic`` loses, and what stays."""
    named = f"topic {topic.id} ({topic.name!r}) of {profile_name}"
    kept = f" (it keeps them {retention_words(topic.retention_secs)})" if topic.retention_secs else ""
    fields = len(topic.schema or [])
    schema = f"its schema ({count(fields, 'top-level field')})" if fields else "its schema"
    if verb == PURGE:
        return (
            f"Purge {named}?\n\n"
            f"Lost: every message the topic retains{kept}. Readers that have not read them yet never will.\n"
            f"Kept: the topic, its name, {schema}, and the recipes that publish to it or consume it."
        )
    return (
        f"Delete {named}?\n\n"
        f"Lost: the topic, every message it retains{kept}, and {schema}. Recipes that publish to it or consume it "
        "stop working until they are pointed at another topic.\n"
        "This cannot be undone: a topic made again with the same name is a new topic with a new id."
    )


class ConfirmDialog(QDialog):
    """Asks for ``topic``'s name typed before ``act`` runs; ``done_`` carries the topic once it has."""

    done_ = Signal(object)  # Topic

    def __init__(
        self, parent: QWidget | None, *, verb: str, topic: Topic, profile_name: str, act: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(parent)
        self.verb = verb
        self.topic = topic
        self._act = act
        self.tasks = Tasks()
        title = "Purge topic" if verb == PURGE else "Delete topic"
        self.setWindowTitle(title)
        self.setModal(True)
        self.words = plain_label(loss_words(verb, topic, profile_name), wrap=True)
        self.words.setAccessibleName("What will be lost")
        self.prompt = plain_label(f"Type the topic's name, {topic.name}, to confirm:", wrap=True)
        self.typed = QLineEdit()
        self.typed.setAccessibleName("Topic name, typed to confirm")
        self.typed.setPlaceholderText(topic.name)
        self.prompt.setBuddy(self.typed)
        self.status = plain_label(wrap=True)
        self.status.setAccessibleName(f"{title} status")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.act_button = QPushButton("Purge messages" if verb == PURGE else "Delete topic")
        self.act_button.setAccessibleName(self.act_button.text())
        self.act_button.setEnabled(False)
        self.buttons.addButton(self.act_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        for widget in (self.words, self.prompt, self.typed, self.status, self.buttons):
            layout.addWidget(widget)
        self.typed.textChanged.connect(self._typed)
        self.act_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(lambda _result: self.tasks.cancel())
        self.typed.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def matches(self) -> bool:
        return self.typed.text() == self.topic.name

    def _typed(self, text: str) -> None:
        self.act_button.setEnabled(self.matches and not self.tasks.busy)
        if text and not self.matches and not self.topic.name.startswith(text):
            self._say(f"That is not the topic's name: type {self.topic.name} exactly (case and spaces count).")
        else:
            self._say("")

    def _say(self, words: str, *, error: bool = True) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(words)

    def start(self) -> None:
        if self.matches and not self.tasks.busy:
            self.tasks.spawn(self.run())

    async def run(self) -> bool:
        self.act_button.setEnabled(False)
        self._say("Purging…" if self.verb == PURGE else "Deleting…", error=False)
        try:
            await self._act()
        except InspectorError as exc:
            self._say(f"Nothing was {self.verb}d: {exc.describe()}")
            self.act_button.setEnabled(self.matches)
            return False
        self.done_.emit(self.topic)
        self.accept()
        return True

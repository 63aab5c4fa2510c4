"""Boomi's dialogs: a subscription's fields, the typed confirmation before deleting them all, and the account's
subscriptions as one JSON list to replace them with."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ValidationError
from inspector.core.services.boomi import DESTINATION_TYPES, LOG_LEVELS, Subscription, check_subscription
from inspector.ui.editor import JsonEditor
from inspector.ui.services._common import name_buttons, named, say, words_label
from inspector.ui.services.boomi.model import dates_words
from inspector.ui.status import ERROR_TEXT, WARNING_TEXT, set_tone
from inspector.ui.widgets import plain_label

EMAIL_NOTE = "EMAIL is not supported by the service today: only EVENT_STREAMS"


class SubscriptionDialog(QDialog):
    """The fields of a new subscription, or of one to edit (``fields()`` gives what to send)."""

    def __init__(self, parent: QWidget | None = None, subscription: Subscription | None = None) -> None:
        super().__init__(parent)
        self.subscription = subscription
        self.setWindowTitle("Edit subscription" if subscription else "New subscription")
        self.event_name = QLineEdit()
        self.event_name.setPlaceholderText("e.g. Atom.Status")
        self.destination_type = QComboBox()
        self.destination_type.addItems(list(DESTINATION_TYPES))  # EVENT_STREAMS first
        self.destination_note = QLabel(EMAIL_NOTE)
        self.destination_note.setWordWrap(True)
        self.topic = QLineEdit()
        self.environment = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText("only for EMAIL")
        self.log_level = QComboBox()
        self.log_level.addItems(list(LOG_LEVELS))
        self.enabled = QCheckBox("Enabled")
        self.enabled.setChecked(True)
        # When it was made and changed, and by whom (the server's words: plain text)
        self.dates = plain_label(dates_words(subscription) if subscription else "", wrap=True)
        for widget, name in (
            (self.event_name, "Event name"),
            (self.destination_type, "Destination"),
            (self.topic, "Event Streams topic"),
            (self.environment, "Event Streams environment"),
            (self.email, "Destination email"),
            (self.log_level, "Log level"),
            (self.enabled, "Enabled"),
        ):
            named(widget, name)
        form = QFormLayout(self)
        form.addRow("Event name", self.event_name)
        form.addRow("Destination", self.destination_type)
        form.addRow("", self.destination_note)
        form.addRow("Event Streams topic", self.topic)
        form.addRow("Event Streams environment", self.environment)
        form.addRow("Destination email", self.email)
        form.addRow("Log level", self.log_level)
        form.addRow("", self.enabled)
        if self.dates.text():
            form.addRow("", self.dates)
        else:  # a new subscription has no dates yet
            self.dates.setParent(self)
            self.dates.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.destination_type.currentTextChanged.connect(self._destination_changed)
        if subscription is not None:
            raw = subscription.raw
            self.event_name.setText(subscription.event_name)
            self.destination_type.setCurrentText(subscription.destination_type or DESTINATION_TYPES[0])
            self.topic.setText(subscription.event_streams_topic)
            environment = raw.get("eventStreamsEnvironment")
            self.environment.setText(environment if isinstance(environment, str) else "")
            self.email.setText(subscription.destination_email)
            self.log_level.setCurrentText(subscription.log_level or LOG_LEVELS[0])
            self.enabled.setChecked(subscription.enabled)
        self._destination_changed(self.destination_type.currentText())
        name_buttons(self)

    def _destination_changed(self, kind: str) -> None:
        set_tone(self.destination_note, ERROR_TEXT if kind == "EMAIL" else None)
        self.email.setEnabled(kind == "EMAIL")

    def fields(self) -> dict[str, Any]:
        kind = self.destination_type.currentText()
        fields: dict[str, Any] = {
            "eventName": self.event_name.text().strip(),
            "destinationType": kind,
            "logLevel": self.log_level.currentText(),
            "enabled": self.enabled.isChecked(),
        }
        for key, edit in (("eventStreamsTopic", self.topic), ("eventStreamsEnvironment", self.environment)):
            if edit.text().strip():
                fields[key] = edit.text().strip()
        if kind == "EMAIL" and self.email.text().strip():
            fields["destinationEmail"] = self.email.text().strip()
        return fields

    def changes(self) -> dict[str, Any]:
        """The fields that differ from the subscription being edited (all of them for a new one)."""
        fields = self.fields()
        if self.subscription is None:
            return fields
        before = self.subscription.editable()
        return {key: value for key, value in fields.items() if before.get(key) != value}


class TypedConfirmDialog(QDialog):
    """Asks the user to type ``expected``; OK is enabled only when the text matches it."""

    def __init__(self, expected: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.expected = expected
        self.setWindowTitle("Delete all subscriptions")
        self.label = plain_label(text)
        self.label.setWordWrap(True)
        self.line = named(QLineEdit(), "Account id to confirm")
        self.line.setPlaceholderText(expected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        named(self.ok_button, "Delete all").setText("Delete all")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.line)
        layout.addWidget(self.buttons)
        self.line.textChanged.connect(lambda text: self.ok_button.setEnabled(text == self.expected))
        name_buttons(self)


class ReplaceAllDialog(QDialog):
    """The account's subscriptions as JSON, to edit and save at once (Boomi's "update all"): entries keep their
    subscriptionId, new entries have none, and a subscription left out is deleted."""

    def __init__(self, parent: QWidget | None, text: str, account_id: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Replace all subscriptions of {account_id}")
        self.items: list[dict[str, Any]] | None = None
        warning = QLabel(
            "The account's subscriptions become exactly this list: one left out is deleted, one without a "
            "subscriptionId is created."
        )
        warning.setWordWrap(True)
        set_tone(warning, WARNING_TEXT)
        self.editor = named(JsonEditor(), "Subscriptions as JSON")
        self.editor.setPlainText(text)
        self.error = words_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 520)
        name_buttons(self)

    def _save(self) -> None:
        try:
            value = json.loads(self.editor.toPlainText() or "[]")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ValidationError("must be a JSON list of subscription objects", where="subscriptions")
            for index, item in enumerate(value):
                check_subscription(item, where=f"subscription {index}")
        except json.JSONDecodeError as exc:
            say(self.error, f"Not valid JSON: line {exc.lineno}, col {exc.colno}: {exc.msg}", error=True)
            return
        except ValidationError as exc:
            say(self.error, exc.describe(), error=True)
            return
        self.items = value
        self.accept()

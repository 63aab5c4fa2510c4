"""Dialogs: a profile (name, service, region or base URL, the service's fields, token, whether its messages are
archived), adding a topic by id or by URL, the row limit, and About."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector import __version__
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.profiles import Profile, check_profile
from inspector.core.regions import REGIONS
from inspector.core.secrets import check_token_text
from inspector.core.services import SERVICES
from inspector.core.validation import check_topic_id
from inspector.core.workspace import parse_topic_reference
from inspector.ui.status import ERROR_TEXT, SUCCESS_TEXT, WARNING_TEXT, set_tone
from inspector.ui.tasks import Tasks
from inspector.ui.widgets import plain_label

TestConnection = Callable[[Profile, str | None, int], Awaitable[tuple[bool, str]]]


class ProfileDialog(QDialog):
    """Add or edit a profile. The token field is masked and never shows a stored token.

    ``result_profile`` and ``result_token`` (None = keep the stored one) are set when accepted.
    """

    def __init__(
        self,
        parent: QWidget | None,
        *,
        profile: Profile | None,
        token_note: str,
        test_connection: TestConnection,
        existing_names: set[str],
        keyring_warning: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit profile" if profile else "Add profile")
        self.setModal(True)
        self._original = profile
        self._existing = existing_names - ({profile.name} if profile else set())
        self._test_connection = test_connection
        self._tasks = Tasks()  # the connection test, cancelled when the dialog closes
        self.finished.connect(lambda _result: self._tasks.cancel())
        self.result_profile: Profile | None = None
        self.result_token: str | None = None

        self.name = QLineEdit(profile.name if profile else "")
        self.name.setPlaceholderText("e.g. Production EU")
        self.service = QComboBox()
        for key, service in SERVICES.items():
            self.service.addItem(service.label, key)
        self.service.setCurrentIndex(max(self.service.findData(profile.service if profile else "workato"), 0))
        self.environment_id = QLineEdit(profile.environment_id or "" if profile else "")
        self.environment_id.setPlaceholderText("the Qala environment's id, e.g. 3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        self.account_id = QLineEdit(profile.account_id or "" if profile else "")
        self.account_id.setPlaceholderText("the Boomi account id, e.g. acct_12345")
        self.workflow_container = QCheckBox("The token is a workflow container's (it may post messages)")
        self.workflow_container.setChecked(bool(profile and profile.workflow_container))
        # Payloads may hold personal data: one profile's messages can be left out of the message archive.
        self.archive = QCheckBox("Keep the messages its topic tabs receive in the archive")
        self.archive.setAccessibleName(self.archive.text())
        self.archive.setToolTip(
            "The archive keeps every message received, searchable after the topic's retention has dropped it "
            "(File → Archive settings… turns it off for every profile)"
        )
        self.archive.setChecked(profile.archive if profile else True)
        self.region = QComboBox()
        for key, endpoint in REGIONS.items():
            self.region.addItem(endpoint.label, key)
        self.region.addItem("Custom base URL", "custom")
        self.base_url = QLineEdit(profile.base_url or "" if profile else "")
        self.base_url.setPlaceholderText("https://… (plain http only to 127.0.0.1 or localhost)")
        # A company network: a proxy for https (its password in the keyring) and a CA that inspects TLS.
        self.proxy = QLineEdit(profile.proxy or "" if profile else "")
        self.proxy.setPlaceholderText("http://[user@]host:port (empty: HTTPS_PROXY or ALL_PROXY, if set)")
        self.proxy.setAccessibleName("Proxy")
        self.proxy_password = QLineEdit()
        self.proxy_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.proxy_password.setPlaceholderText("for the proxy's user; kept in the keyring (empty: keep it)")
        self.proxy_password.setAccessibleName("Proxy password")
        self.ca_bundle = QLineEdit(profile.ca_bundle or "" if profile else "")
        self.ca_bundle.setPlaceholderText("a PEM file of your company's CA, trusted besides the system's")
        self.ca_bundle.setAccessibleName("CA bundle")
        self.result_proxy_password: str | None = None
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(token_note or "paste the API client token")
        self.test_topic = QLineEdit()
        self.test_topic.setPlaceholderText("a topic id to try the token on")
        self.test_button = QPushButton("Test connection")
        self.test_result = plain_label()  # the server's words, as it sent them
        self.test_result.setWordWrap(True)
        self.error = plain_label()
        set_tone(self.error, ERROR_TEXT)
        self.error.setWordWrap(True)

        index = self.region.findData(profile.region if profile else "us")
        self.region.setCurrentIndex(max(index, 0))
        self.region.currentIndexChanged.connect(self._region_changed)
        self._region_changed()

        for field, name in (
            (self.name, "Name"),
            (self.service, "Service"),
            (self.region, "Region"),
            (self.base_url, "Base URL"),
            (self.environment_id, "Environment id"),
            (self.account_id, "Account id"),
            (self.token, "Token"),
            (self.test_topic, "Topic id to test the token on"),
            (self.test_button, "Test connection"),
        ):
            field.setAccessibleName(name)  # the words beside it (a screen reader reads no placeholder)
        form = QFormLayout()
        self.form = form
        form.addRow("Name", self.name)
        form.addRow("Service", self.service)
        form.addRow("Region", self.region)
        form.addRow("Base URL", self.base_url)
        form.addRow("Environment id", self.environment_id)
        form.addRow("Account id", self.account_id)
        form.addRow("", self.workflow_container)
        form.addRow("Proxy", self.proxy)
        form.addRow("Proxy password", self.proxy_password)
        form.addRow("CA bundle", self.ca_bundle)
        form.addRow("Archive", self.archive)
        form.addRow("Token", self.token)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_topic)
        test_row.addWidget(self.test_button)
        form.addRow("Test", test_row)
        self._test_row = test_row
        layout = QVBoxLayout(self)
        if keyring_warning:
            warning = plain_label(keyring_warning)
            warning.setWordWrap(True)
            set_tone(warning, WARNING_TEXT)
            layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.test_result)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.test_button.clicked.connect(self._start_test)
        self.service.currentIndexChanged.connect(self._service_changed)
        self._service_changed()

    def _region_changed(self) -> None:
        custom = self.region.currentData() == "custom" or self.service.currentData() != "workato"
        self.base_url.setEnabled(custom)

    def _service_changed(self) -> None:
        """Only the fields the chosen service uses: regions and the topic test are Workato's."""
        service = str(self.service.currentData())
        workato = service == "workato"
        for widget, shown in (
            (self.region, workato),
            (self.environment_id, service == "qala"),
            (self.account_id, service == "boomi"),
            (self.workflow_container, service == "messaging"),
            (self.archive, workato),  # only Workato's topics are read by a tab
        ):
            self.form.setRowVisible(widget, shown)
        self.form.setRowVisible(self._test_row, workato)
        self._region_changed()

    def _profile(self) -> Profile:
        name = self.name.text().strip()
        if not name:
            raise ValidationError("is empty", where="name", hint="give the profile a name")
        if name in self._existing:
            raise ValidationError(f"{name!r} is already used", where="name", hint="choose another name")
        service = str(self.service.currentData())
        region = str(self.region.currentData()) if service == "workato" else "custom"
        rpm = self._original.rate_limit_rpm if self._original else None
        return check_profile(
            Profile(
                name,
                region,
                self.base_url.text().strip() if region == "custom" else None,
                rpm,
                service=service,
                environment_id=self.environment_id.text().strip() or None,
                account_id=self.account_id.text().strip() or None,
                workflow_container=self.workflow_container.isChecked(),
                proxy=self.proxy.text().strip() or None,
                ca_bundle=self.ca_bundle.text().strip() or None,
                archive=self.archive.isChecked(),
            )
        )

    def _token(self) -> str | None:
        text = self.token.text()
        return check_token_text(text) if text.strip() else None

    def _save(self) -> None:
        try:
            profile = self._profile()
            token = self._token()
            if self._original is None and token is None:
                raise ValidationError("is empty", where="token", hint="paste the service's API token")
        except InspectorError as exc:
            self.error.setText(exc.describe())
            return
        self.result_profile, self.result_token = profile, token
        self.result_proxy_password = self.proxy_password.text() or None
        self.token.clear()
        self.proxy_password.clear()
        self.accept()

    def _start_test(self) -> None:
        try:
            profile = self._profile()
            token = self._token()
            topic = check_topic_id(self.test_topic.text(), where="test topic")
        except InspectorError as exc:
            self.test_result.setText(exc.describe())
            return
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        self._tasks.spawn(self._run_test(profile, token, topic))

    async def _run_test(self, profile: Profile, token: str | None, topic: int) -> None:
        try:
            ok, words = await self._test_connection(profile, token, topic)
        except InspectorError as exc:
            ok, words = False, exc.message
        self.test_result.setText(words)
        set_tone(self.test_result, SUCCESS_TEXT if ok else ERROR_TEXT)
        self.test_button.setEnabled(True)


class AddTopicDialog(QDialog):
    """A topic by numeric id or by the URL of its page in Workato, with an optional friendly name."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add topic")
        self.setModal(True)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("1234, or https://app.workato.com/event_topics/1234")
        self.name = QLineEdit()
        self.name.setPlaceholderText("optional, e.g. orders")
        self.error = plain_label()
        set_tone(self.error, ERROR_TEXT)
        self.error.setWordWrap(True)
        self.reference.setAccessibleName("Topic id or URL")
        self.name.setAccessibleName("Name")
        form = QFormLayout()
        form.addRow("Topic id or URL", self.reference)
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.topic_id: int | None = None
        self.reference.setFocus(Qt.FocusReason.OtherFocusReason)

    def _accept(self) -> None:
        try:
            self.topic_id = parse_topic_reference(self.reference.text())
        except InspectorError as exc:
            self.error.setText(exc.describe())
            return
        self.accept()


def row_cap_dialog(parent: QWidget | None, current: int) -> QInputDialog:
    """Asks for the most messages a topic's table keeps."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Row limit")
    dialog.setLabelText("Most messages kept per topic table (the oldest are dropped past it):")
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(1000, 10_000_000)
    dialog.setIntStep(10_000)
    dialog.setIntValue(current)
    return dialog


def about_box(parent: QWidget | None) -> QMessageBox:
    return QMessageBox(
        QMessageBox.Icon.Information,
        "About Topic Inspector",
        f"Topic Inspector {__version__}\nInspect, publish to and replay event-stream topics.",
        QMessageBox.StandardButton.Ok,
        parent,
    )

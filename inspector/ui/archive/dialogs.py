"""File → Import into archive… (a JSON Lines or JSON export read into the archive under a name, off the UI thread,
with the outcome in words) and Archive settings… (on or off, the size and age caps)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.core.archive import IMPORT_PREFIX, ImportResult, check_import_name
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.workspace import MIN_ARCHIVE_BYTES, ArchiveSettings
from inspector.ui.archive.shared import app_archive, count_words, off_thread, size_words
from inspector.ui.status import ERROR_TEXT, SUCCESS_TEXT, set_tone
from inspector.ui.tasks import Tasks
from inspector.ui.topic.detail import named_button
from inspector.ui.widgets import plain_label

if TYPE_CHECKING:
    from inspector.ui.context import AppContext

MB = 1_000_000
MAX_CAP_MB = 10_000_000  # 10 TB
MAX_DAYS = 36_500
FILE_FILTERS = ["JSON Lines and JSON (*.jsonl *.ndjson *.json)", "All files (*)"]


def import_words(path: Path, result: ImportResult) -> str:
    """An import's outcome: how many were new, how many were there already, and where to find them."""
    again = f" ({count_words(result.duplicates, 'message')} already there)" if result.duplicates else ""
    return (
        f"{path.name}: {count_words(result.added, 'message')} imported as {result.profile}{again}. Search them, or "
        "replay them from the search's results."
    )


class ImportDialog(QDialog):
    """A file and a name; Import reads the file into the archive (``import:NAME``, topic 0) and says how it went.
    The dialog stays open with the outcome: "Search them" opens the Search tab on the import."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, search: Callable[[str], object]) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._search = search
        self.tasks = Tasks()
        self.result_: ImportResult | None = None
        self.setWindowTitle("Import into archive")
        self.setObjectName("archive-import-dialog")
        self.setMinimumWidth(480)
        self.file = QLineEdit()
        self.file.setAccessibleName("File")
        self.file.setPlaceholderText("a JSON Lines or JSON file: an export, consume's output, or bare payloads")
        self.browse = named_button("Browse…", "Choose the file to import")
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("such as customer-2024-05-01")
        self.name.setToolTip("The import is kept (and searched) as import:NAME")
        self._named_by_file = True  # the name follows the file's until the user types one
        self.about = plain_label(
            "Exported messages keep their ids and times; bare payloads get an id made of their content and the "
            "import's time, so the same file imported again adds nothing.",
            wrap=True,
        )
        self.outcome = plain_label(wrap=True)
        self.outcome.setAccessibleName("Import outcome")
        self.outcome.hide()
        self.error = plain_label(wrap=True)
        set_tone(self.error, ERROR_TEXT)
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Name", self.name)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton("Import")
        self.import_button.setAccessibleName("Import")
        self.import_button.setDefault(True)
        self.search_button = QPushButton("Search them")
        self.search_button.setAccessibleName("Search them")
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.search_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.search_button.hide()  # until something was imported
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.about)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.browse.clicked.connect(self.ask_file)
        self.file.textChanged.connect(self._file_changed)
        self.name.textEdited.connect(self._name_edited)
        self.import_button.clicked.connect(self.start)
        self.search_button.clicked.connect(self._search_them)
        self.finished.connect(lambda _result: self.tasks.cancel())

    def ask_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Import into archive")
        dialog.setNameFilters(FILE_FILTERS)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.file.setText)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _file_changed(self, text: str) -> None:
        if self._named_by_file:
            self.name.setText(Path(text.strip()).stem[:64] if text.strip() else "")

    def _name_edited(self, text: str) -> None:
        self._named_by_file = not text

    def _show_error(self, words: str) -> None:
        self.error.setText(words)
        self.error.setAccessibleName(words)
        self.error.setVisible(bool(words))

    def _say(self, words: str, *, done: bool = False) -> None:
        self.outcome.setText(words)
        self.outcome.setAccessibleName(words)
        self.outcome.setVisible(bool(words))
        set_tone(self.outcome, SUCCESS_TEXT if done else None)

    def checked(self) -> tuple[Path, str]:
        """The file and the name, checked; a bad one raises ``ValidationError`` naming its field."""
        text = self.file.text().strip()
        if not text:
            raise ValidationError(
                "is empty", where="File", hint="choose the JSON Lines or JSON file to import (Browse…)"
            )
        path = Path(text).expanduser()
        return path, check_import_name(self.name.text())

    def start(self) -> None:
        """Import the file (off the UI thread); the dialog says how it went."""
        try:
            path, name = self.checked()
        except InspectorError as exc:
            self._show_error(exc.describe())
            return
        self._show_error("")
        self.search_button.hide()
        self._say(f"Importing {path.name} as {IMPORT_PREFIX}{name}…")
        self.import_button.setEnabled(False)
        self.tasks.spawn(self._import(path, name))

    async def _import(self, path: Path, name: str) -> ImportResult | None:
        try:
            archive = await app_archive(self.ctx)
            result = await off_thread(archive, lambda a: a.import_file(path, name))
        except InspectorError as exc:
            self._say("")
            self._show_error(exc.describe())
            return None
        finally:
            self.import_button.setEnabled(True)
        self.result_ = result
        self._say(import_words(path, result), done=True)
        self.search_button.setVisible(result.added + result.duplicates > 0)
        return result

    def _search_them(self) -> None:
        if self.result_ is not None:
            self._search(self.result_.profile)
        self.accept()


class SettingsDialog(QDialog):
    """The archive on or off (for every profile; one profile's is in its dialog), its size and age caps, and what
    it holds now. Saving prunes it to the new caps (``on_saved``)."""

    def __init__(
        self, parent: QWidget | None, ctx: AppContext, path: Path, on_saved: Callable[[ArchiveSettings], object]
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = path
        self._on_saved = on_saved
        self.tasks = Tasks()
        settings = ctx.workspace.archive
        self.setWindowTitle("Archive settings")
        self.setObjectName("archive-settings-dialog")
        self.enabled = QCheckBox("Keep every message the topic tabs receive in the archive")
        self.enabled.setAccessibleName(self.enabled.text())
        self.enabled.setChecked(settings.enabled)
        self.max_size = QSpinBox()
        self.max_size.setRange(MIN_ARCHIVE_BYTES // MB, MAX_CAP_MB)
        self.max_size.setSuffix(" MB")
        self.max_size.setGroupSeparatorShown(True)
        self.max_size.setSingleStep(500)
        self.max_size.setValue(max(settings.max_bytes // MB, MIN_ARCHIVE_BYTES // MB))
        self.max_size.setAccessibleName("Size cap")
        self.max_size.setToolTip("Past it, the oldest messages are pruned (1,000 MB is 1 GB)")
        self.max_age = QSpinBox()
        self.max_age.setRange(1, MAX_DAYS)
        self.max_age.setSuffix(" days")
        self.max_age.setValue(settings.max_age_days)
        self.max_age.setAccessibleName("Age cap")
        self.max_age.setToolTip("Messages received longer ago are pruned")
        self.where = plain_label(f"The archive: {path}", wrap=True)
        self.where.setAccessibleName(f"The archive: {path}")
        self.holds = plain_label("", wrap=True)
        self.note = plain_label(
            "One profile's messages can be left out of it in its Edit profile… dialog. Payloads may hold personal "
            "data: File → Forget everything in the archive… removes what it holds.",
            wrap=True,
        )
        form = QFormLayout()
        form.addRow("", self.enabled)
        form.addRow("Size cap", self.max_size)
        form.addRow("Age cap", self.max_age)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        standard = QDialogButtonBox.StandardButton
        for button, words in ((standard.Save, "Save"), (standard.Cancel, "Cancel")):
            self.buttons.button(button).setAccessibleName(words)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for widget in (self.where, self.holds, self.note, self.buttons):
            layout.addWidget(widget)
        self.finished.connect(lambda _result: self.tasks.cancel())
        self.tasks.spawn(self.show_holdings())

    async def show_holdings(self) -> None:
        """What the archive holds now (read off the UI thread; an archive never made is not made here)."""
        if not await _exists(self.path):
            self._holds("It holds nothing yet.")
            return
        try:
            archive = await app_archive(self.ctx)
            stats = await off_thread(archive, lambda a: a.stats())
        except InspectorError as exc:
            self._holds(f"It cannot be read: {exc.message}")
            return
        self._holds(
            f"It holds {count_words(stats.messages, 'message')} of {count_words(len(stats.topics), 'topic')} "
            f"in {size_words(stats.file_bytes)}."
        )

    def _holds(self, words: str) -> None:
        self.holds.setText(words)
        self.holds.setAccessibleName(words)

    def settings(self) -> ArchiveSettings:
        """The settings as the fields say (the banner's state kept)."""
        return ArchiveSettings(
            enabled=self.enabled.isChecked(),
            max_bytes=self.max_size.value() * MB,
            max_age_days=self.max_age.value(),
            notice_shown=self.ctx.workspace.archive.notice_shown,
        )

    def save(self) -> None:
        settings = self.settings()
        self.ctx.workspace.archive = settings
        self.accept()
        self._on_saved(settings)


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)

"""The publish panel's templates, and its results and history: loading, saving and deleting a template; showing a
published message from its result; the failed items put in the editor to fix and send again; a past publish
loaded from the history with its results.

``TemplatesAndHistory`` is a part of ``PublishPanel`` (``inspector.ui.topic.publish``), which it names as
``Panel``: what these methods use of the panel.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QListWidgetItem

from inspector.core.drafts import HistoryEntry
from inspector.core.errors import ValidationError
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import ItemResult, Outcome
from inspector.core.validation import counted as count_words
from inspector.ui.topic.publish_parts import local_moment
from inspector.ui.widgets import set_text

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QComboBox, QMenu, QSplitter, QWidget

    from inspector.core.drafts import PublishStore
    from inspector.core.workspace import TopicEntry
    from inspector.ui.editor import JsonEditor
    from inspector.ui.topic.publish_parts import ResultsModel, ResultsTabs, StatusLabel


class Panel(Protocol):
    """What the templates, results and history use of the publish panel (``PublishPanel``)."""

    store: PublishStore
    profile: str
    entry: TopicEntry
    editor: JsonEditor
    templates: QComboBox
    templates_menu: QMenu
    results: ResultsModel
    lower_tabs: ResultsTabs
    summary_label: StatusLabel
    split: QSplitter
    _sent_items: list[Any]
    _shown_items: list[Any]
    _retry_steps: int | None

    @property
    def revealRequested(self) -> SignalInstance: ...

    def _notify(self, text: str) -> None: ...

    def _update_actions(self) -> None: ...

    def _replace_draft(self, text: str, what: str) -> bool: ...

    def set_text(self, text: str, what: str = "") -> None: ...

    # this module's own, called from one another
    def _fill_templates(self) -> None: ...

    def load_template(self, name: str) -> None: ...

    def save_template(self, name: str) -> None: ...

    def _show_results(self) -> None: ...

    def failed_items(self) -> list[Any]: ...


class TemplatesAndHistory:
    """The publish panel's templates, results and history (a base of ``PublishPanel``)."""

    # the panel's, set here too
    _sent_items: list[Any]  # what was published last, by input index (what a retry sends again)
    _shown_items: list[Any]  # what the shown results are about, by input index (a history entry's)
    _retry_steps: int | None  # the editor's undo steps once the failed items were put in it

    # ----- templates ---------------------------------------------------------------------------------------
    def _fill_templates(self: Panel) -> None:
        names = sorted(self.store.templates(self.profile, self.entry.id))
        self.templates.clear()
        self.templates.addItem("Templates…" if names else "No templates")
        self.templates.addItems(names)
        self.templates_menu.clear()
        for name in names:
            action = self.templates_menu.addAction(name.replace("&", "&&"))
            action.triggered.connect(lambda checked=False, name=name: self.load_template(name))
        self.templates_menu.setEnabled(bool(names))
        self._update_actions()

    def _template_chosen(self: Panel, index: int) -> None:
        if index > 0:
            self.load_template(self.templates.itemText(index))

    def load_template(self: Panel, name: str) -> None:
        text = self.store.templates(self.profile, self.entry.id).get(name)
        if text is not None:
            self.templates.setCurrentIndex(self.templates.findText(name))
            self.set_text(text, f"the template “{name}”")

    def save_template(self: Panel, name: str) -> None:
        if name.strip():
            self.store.save_template(self.profile, self.entry.id, name, self.editor.toPlainText())
            self._fill_templates()
            self.templates.setCurrentIndex(self.templates.findText(name.strip()))
            self._notify(f"Saved the template “{name.strip()}”")
        else:
            self._notify("Not saved: a template needs a name")

    def ask_template_name(self: Panel) -> None:
        dialog = QInputDialog(cast("QWidget", self))  # the panel itself
        dialog.setWindowTitle("Save as template")
        dialog.setLabelText("Template name:")
        dialog.textValueSelected.connect(self.save_template)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def delete_template(self: Panel) -> None:
        if self.templates.currentIndex() > 0:
            name = self.templates.currentText()
            self.store.delete_template(self.profile, self.entry.id, name)
            self._fill_templates()
            self._notify(f"Deleted the template “{name}”")

    # ----- results and history ------------------------------------------------------------------------------
    def _result_activated(self: Panel, index: Any) -> None:
        if 0 <= index.row() < len(self.results.results):
            result = self.results.results[index.row()]
            if result.ok and result.message_id:
                self.revealRequested.emit(result.message_id)

    def _show_results(self: Panel) -> None:
        """The Results tab, opened again when it was dragged shut."""
        self.lower_tabs.setCurrentIndex(0)
        editor, results = self.split.sizes()
        if results == 0:
            self.split.setSizes([editor * 3 // 5, editor * 2 // 5])

    def failed_items(self: Panel) -> list[Any]:
        """The payloads of the shown results' failed items (not the unknown ones: they may have been published)."""
        failed = [r.index for r in self.results.results if r.outcome is Outcome.FAILED]
        if not failed or max(failed) >= len(self._shown_items):
            return []
        return [self._shown_items[i] for i in failed]

    def open_failed_in_editor(self: Panel) -> None:
        """Put the failed items in the editor (an array, or the object when one failed) to fix and publish them;
        that publish is kept in the history as a retry."""
        items = self.failed_items()
        if not items:
            self._notify("No failed items to open: the results hold none, or not the text that was sent")
            return
        text = json.dumps(items[0] if len(items) == 1 else items, indent=2, ensure_ascii=False)
        if self._replace_draft(text, count_words(len(items), "failed item")) or self._retry_steps is None:
            self._retry_steps = self.editor.document().availableUndoSteps()
        self.editor.setFocus()

    def holds_failed_items(self: Panel) -> bool:
        """Whether the editor holds the failed items put there (edited or not): not when that was undone."""
        return self._retry_steps is not None and self.editor.document().availableUndoSteps() >= self._retry_steps

    def _edit_added(self: Panel) -> None:
        # an edit made with the failed items undone drops them from the redo history: they cannot come back
        if self._retry_steps is not None and self.editor.document().availableUndoSteps() <= self._retry_steps:
            self._retry_steps = None

    def _fill_history(self: Panel) -> None:
        self.lower_tabs.fill_history(self.store.history(self.profile, self.entry.id))

    def _history_activated(self: Panel, item: QListWidgetItem) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(entry, HistoryEntry):
            return
        if entry.text:
            self._replace_draft(entry.text, f"the publish of {local_moment(entry)}")
        self.results.set_results(
            [ItemResult.stored(r["index"], r["outcome"], r.get("message_id"), r.get("error")) for r in entry.results]
        )
        self._sent_items = []  # a retry sends what was sent just now; the past one is there to read and fix
        try:
            self._shown_items = parse_publish_input(entry.text).items if entry.text else []
        except ValidationError:
            self._shown_items = []
        set_text(self.summary_label, f"{entry.summary} (from the history)")
        self._update_actions()
        self._show_results()

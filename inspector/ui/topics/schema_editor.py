"""The schema editor: a Workato field list as a tree beside its JSON text, each side following the other.

An edit in the tree rewrites the text at once. An edit in the text reaches the tree when the text parses and
checks; otherwise the problem is said with its place (line and column, or the field's number and path) and the
tree stays as it was. Problems the tree may hold for a moment (an object with no fields yet) are said the same
way, and the fields at fault turn red. *Infer* fills both from the topic's messages, the Publish editor's text or
a JSON Lines file, with the notes on what could not be said exactly.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import Field, FieldProblem, dump_fieldlist, fieldlist_from_text, fieldlist_problems
from inspector.core.infer import Inferred, infer_fieldlist
from inspector.core.jsoninput import parse_publish_input
from inspector.core.paths import read_text_file
from inspector.core.validation import counted as count
from inspector.ui.editor import JsonEditor
from inspector.ui.tasks import Tasks
from inspector.ui.topics.schema_model import COL_NAME, COL_TYPE, HEADERS, TYPE_CHOICES, SchemaModel
from inspector.ui.widgets import plain_label

ERROR_STYLE = "color: #c62828"
PROBLEMS_SHOWN = 3
FILE_TIMEOUT = 60.0  # seconds to read and infer a file off the loop


@dataclass
class InferSources:
    """Where *Infer* may read payloads: ``messages`` gives the words for them ("the 3 selected messages") and
    the payloads; ``publish_text`` the Publish editor's text. None: not at hand (the button says why)."""

    messages: Callable[[], tuple[str, list[Any]]] | None = None
    publish_text: Callable[[], str] | None = None
    why_not: str = "open the topic's tab first"


def problems_words(problems: Sequence[FieldProblem | str]) -> str:
    """The first problems, one a line, and how many more."""
    lines = [str(problem) for problem in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(f"(and {count(len(problems) - PROBLEMS_SHOWN, 'more problem')})")
    return "\n".join(lines)


def payload_of(item: Any) -> Any:
    """A payload, or a consumed message's payload (a line of ``consume`` output: message_id, time, payload)."""
    if isinstance(item, dict) and set(item) == {"message_id", "time", "payload"} and isinstance(item["payload"], dict):
        return item["payload"]
    return item


def infer_file(path: Path) -> Inferred:
    """Read a JSON Lines (or JSON) file of payloads and infer their field list (run off the loop)."""
    items = parse_publish_input(read_text_file(path), source=path.name).items
    return infer_fieldlist([payload_of(item) for item in items], where=path.name)


class TypeDelegate(QStyledItemDelegate):
    """The Type column's editor: a list of the types, arrays of each type included."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Any) -> QWidget:
        if index.column() != COL_TYPE:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.addItems(list(TYPE_CHOICES))
        box.setAccessibleName("Type")
        return box

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class SchemaEditor(QWidget):
    """Edit a field list in a tree or as JSON. ``fields()`` gives it, or raises ``ValidationError`` in words."""

    changed = Signal()

    def __init__(self, fields: Sequence[Field] = (), *, sources: InferSources | None = None) -> None:
        super().__init__()
        self.sources = sources or InferSources()
        self.tasks = Tasks()
        self._from_text = False  # the tree is being filled from the text: the text stays as typed
        self._from_tree = False  # the text is being rewritten from the tree: nothing to parse
        self.text_problem = ""  # what is wrong with the text; "" when the tree shows it

        self.model = SchemaModel(fields)
        self.model.setParent(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Schema fields")
        self.tree.setItemDelegate(TypeDelegate(self.tree))
        self.tree.setAlternatingRowColors(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.text = JsonEditor()
        self.text.setAccessibleName("Schema as JSON")
        self.text.setPlainText(self._tree_text())
        self.problems_label = plain_label(wrap=True)
        self.problems_label.setStyleSheet(ERROR_STYLE)
        self.problems_label.setAccessibleName("Schema problems")
        self.notes_label = plain_label(wrap=True)
        self.notes_label.setAccessibleName("Inferred schema notes")
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label.hide()

        self._make_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        for action in (self.add_action, self.add_child_action, self.remove_action, self.up_action, self.down_action):
            tools.addWidget(self._button(action))
        tools.addStretch(1)
        layout.addLayout(tools)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.tree)
        self.split.addWidget(self.text)
        self.split.setSizes([560, 360])
        layout.addWidget(self.split, 1)
        infer = QHBoxLayout()
        for action in (self.infer_messages_action, self.infer_publish_action, self.infer_file_action):
            infer.addWidget(self._button(action))
        infer.addStretch(1)
        layout.addLayout(infer)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.notes_label)

        for signal in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved, self.model.rowsMoved):
            signal.connect(self._tree_changed)
        self.model.modelReset.connect(self._tree_changed)
        self.model.refused.connect(self._say_refused)
        self.text.textChanged.connect(self._text_changed)
        self.tree.selectionModel().currentChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._after_reset)
        self._after_reset()
        self._check_tree()

    # ----- actions ----------------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], object], keys: str = "", tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.tree.addAction(action)  # the keys work in the tree, and its right-click menu lists them
        shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) if keys else ""
        action.setToolTip(f"{tip or text} ({shown})" if shown else tip or text)
        return action

    def _make_actions(self) -> None:
        act = self._action
        self.add_action = act("Add field", self.add_field, "Ctrl+N", "Add a field after the selected one")
        self.add_child_action = act(
            "Add child field", self.add_child, "Ctrl+Shift+N", "Add a field inside the selected object"
        )
        self.remove_action = act("Remove field", self.remove_field, "Delete", "Remove the selected field")
        self.up_action = act("Move up", lambda: self.move_field(-1), "Alt+Up", "Move the selected field up")
        self.down_action = act("Move down", lambda: self.move_field(1), "Alt+Down", "Move the selected field down")
        self.infer_messages_action = act("Infer from messages", self.infer_from_messages)
        self.infer_publish_action = act("Infer from Publish text", self.infer_from_publish_text)
        self.infer_file_action = act("Infer from a file…", self.ask_infer_file)
        sources: tuple[tuple[QAction, str, object], ...] = (
            (
                self.infer_messages_action,
                "the selected messages of the topic's tab (all shown when none)",
                self.sources.messages,
            ),
            (self.infer_publish_action, "the text in the Publish editor of the topic's tab", self.sources.publish_text),
            (self.infer_file_action, "a JSON Lines file of payloads (or of consumed messages)", "a file chosen"),
        )
        for action, words, source in sources:
            action.setEnabled(source is not None)
            why = "" if source is not None else f": {self.sources.why_not}"
            action.setToolTip(f"Infer the schema from {words}{why}")

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAccessibleName(action.text().removesuffix("…"))  # a tool button shows no "…"
        return button

    def _after_reset(self) -> None:
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self._update_actions()

    def _update_actions(self, *args: object) -> None:
        index = self.tree.currentIndex()
        node = self.model.node(index) if index.isValid() else None
        self.add_child_action.setEnabled(node is None or node.holds_fields)
        self.remove_action.setEnabled(node is not None)
        siblings = (node.parent or self.model.root).children if node is not None else []
        self.up_action.setEnabled(node is not None and node.row > 0)
        self.down_action.setEnabled(node is not None and node.row < len(siblings) - 1)

    def _select(self, index: QModelIndex | QPersistentModelIndex, *, edit: bool = False) -> None:
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        if edit:
            self.tree.edit(self.model.index(index.row(), COL_NAME, index.parent()))
        self._update_actions()

    def add_field(self) -> QModelIndex:
        index = self.model.add_sibling(self.tree.currentIndex())
        self._select(index, edit=True)
        return index

    def add_child(self) -> QModelIndex | None:
        index = self.model.add_child(self.tree.currentIndex())
        if index is not None:
            self._select(index, edit=True)
        return index

    def remove_field(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self.model.remove(index)
            self._update_actions()

    def move_field(self, delta: int) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self._select(self.model.move(index, delta))

    # ----- the two sides ----------------------------------------------------------------------------------
    def _tree_text(self) -> str:
        return json.dumps(self.model.to_json(), indent=2, ensure_ascii=False)

    def _tree_changed(self, *args: object) -> None:
        if self._from_text or self.model.marking:
            return
        self._from_tree = True
        try:
            text = self._tree_text()
            if text != self.text.toPlainText():
                self.text.replace_all(text)  # one undoable edit: Ctrl+Z in the text brings the last schema back
        finally:
            self._from_tree = False
        self._set_text_problem("")
        self._check_tree()
        self.changed.emit()

    def _text_changed(self) -> None:
        if self._from_tree:
            return
        text = self.text.toPlainText()
        try:
            fields = fieldlist_from_text(text, where="JSON text")
        except ValidationError as exc:
            self._set_text_problem(exc.describe(), _error_place(text))
            return
        self._set_text_problem("")
        if dump_fieldlist(fields) != self.model.to_json():
            self._from_text = True
            try:
                self.model.set_fields(fields)
            finally:
                self._from_text = False
        self._check_tree()
        self.changed.emit()

    def _set_text_problem(self, words: str, place: tuple[int | None, int | None] = (None, None)) -> None:
        self.text_problem = words
        self.text.mark_error(place[0], place[1], words)
        self._show_problems()

    def problems(self) -> list[FieldProblem]:
        """What is wrong with the tree's field list (empty when it can be saved)."""
        return fieldlist_problems(self.model.to_json())

    def _check_tree(self) -> None:
        self.model.set_problems(self.problems())
        self._show_problems()

    def _show_problems(self) -> None:
        if self.text_problem:
            words = "The JSON text is not used until it is fixed (the tree keeps the last good schema):\n"
            words += self.text_problem
        else:
            words = problems_words(self.problems())
        self.problems_label.setText(words)
        self.problems_label.setVisible(bool(words))

    def _say_refused(self, words: str) -> None:
        self.problems_label.setText(f"Not changed: {words}")
        self.problems_label.setVisible(True)

    # ----- in and out -------------------------------------------------------------------------------------
    def set_fields(self, fields: Sequence[Field]) -> None:
        self.model.set_fields(fields)

    def fields(self) -> tuple[Field, ...]:
        """The field list to save; ``ValidationError`` (at "schema") while the text or the tree has a problem."""
        if self.text_problem:
            raise ValidationError(
                self.text_problem.replace("\n  hint: ", "; "),
                where="schema",
                hint="fix the JSON text, or undo (Ctrl+Z) to the last good schema",
            )
        problems = self.problems()
        if problems:
            first = problems[0]
            self.highlight(first.path, number=first.number)
            more = f" (and {count(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
            raise ValidationError(f"{first}{more}", where="schema", hint="fix the fields shown in red in the tree")
        return self.model.fields()

    def highlight(self, path: str, words: str = "", *, number: int | None = None) -> bool:
        """Select the field at ``path`` (and mark it with ``words``, a refusal from the server); False if none."""
        node = self.model.find(path, number) if path else None
        if node is None:
            return False
        if words:
            self.model.set_problems([FieldProblem(node.row + 1, path, words)])
        self._select(self.model.index_of(node))
        self.tree.setFocus()
        return True

    # ----- inferring --------------------------------------------------------------------------------------
    def use_inferred(self, inferred: Inferred, source: str) -> None:
        self.model.set_fields(inferred.fields)
        lines = [
            f"Inferred {count(len(inferred.fields), 'top-level field')} from {source} "
            f"({count(inferred.messages, 'message')}); Ctrl+Z in the JSON text brings the previous schema back."
        ]
        lines += [f"• {note}" for note in inferred.notes]
        self._say_notes("\n".join(lines))

    def _say_notes(self, words: str, *, error: bool = False) -> None:
        self.notes_label.setStyleSheet(ERROR_STYLE if error else "")
        self.notes_label.setText(words)
        self.notes_label.setVisible(bool(words))

    def infer_from_messages(self) -> None:
        if self.sources.messages is None:
            self._say_notes(f"No messages to infer from: {self.sources.why_not}.", error=True)
            return
        words, payloads = self.sources.messages()
        try:
            inferred = infer_fieldlist(payloads, where=words)
        except ValidationError as exc:
            self._say_notes(exc.describe(), error=True)
            return
        self.use_inferred(inferred, words)

    def infer_from_publish_text(self) -> None:
        if self.sources.publish_text is None:
            self._say_notes(f"No Publish text to infer from: {self.sources.why_not}.", error=True)
            return
        where = "the Publish editor's text"
        try:
            items = parse_publish_input(self.sources.publish_text(), source=where).items
            inferred = infer_fieldlist(items, where=where)
        except ValidationError as exc:
            self._say_notes(exc.describe(), error=True)
            return
        self.use_inferred(inferred, where)

    def ask_infer_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Infer the schema from a JSON Lines file")
        dialog.setNameFilters(["JSON Lines and JSON (*.jsonl *.ndjson *.json)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.tasks.spawn(self.infer_from_file(Path(name))))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    async def infer_from_file(self, path: Path) -> Inferred | None:
        """Read and infer off the loop (a large file takes a while); the window stays responsive."""
        self._say_notes(f"Reading {path.name}…")
        try:
            inferred = await asyncio.wait_for(asyncio.to_thread(infer_file, path), FILE_TIMEOUT)
        except ValidationError as exc:
            self._say_notes(exc.describe(), error=True)
            return None
        except TimeoutError:
            self._say_notes(f"{path.name}: not read within {FILE_TIMEOUT:.0f} s; try a smaller file.", error=True)
            return None
        self.use_inferred(inferred, path.name)
        return inferred

    def stop(self) -> None:
        self.tasks.cancel()


def _error_place(text: str) -> tuple[int | None, int | None]:
    """The line and column of a JSON syntax error in ``text`` (None when the text is JSON)."""
    try:
        json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno
    except (ValueError, RecursionError):
        return None, None
    return None, None


__all__ = ["HEADERS", "InferSources", "SchemaEditor", "infer_file", "payload_of"]

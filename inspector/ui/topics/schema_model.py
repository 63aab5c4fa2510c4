"""The schema editor's tree: a Workato field list as an editable tree model (name, type, optional, label, hint).

Each row is one field; an object's (or an array of objects') fields are its children. Names are checked as they
are typed: a bad or duplicate name is refused, in words with the field's number and path (``refused``); what the
tree may hold for a while (an object with no fields yet) is said by ``fieldlist_problems`` over ``to_json``, and
the rows at fault are shown in red with the problem as their tooltip (``set_problems``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from inspector.core.fieldlist import FIELD_TYPES, ITEM_TYPES, Field, FieldProblem, name_problem
from inspector.ui.widgets import plain_tooltip

COL_NAME, COL_TYPE, COL_OPTIONAL, COL_LABEL, COL_HINT = range(5)
HEADERS = ("Name", "Type", "Optional", "Label", "Hint")
# What the Type column offers: the plain types, then an array of each type an array may hold.
TYPE_CHOICES = (*(kind for kind in FIELD_TYPES if kind != "array"), *(f"array of {kind}" for kind in ITEM_TYPES))
PROBLEM_COLOR = QColor("#c62828")
Index = QModelIndex | QPersistentModelIndex
_ids = itertools.count(1)


def parse_type_words(words: str) -> tuple[str, str | None] | None:
    """``"array of object"`` -> ``("array", "object")``, ``"integer"`` -> ``("integer", None)``; None if unknown."""
    words = words.strip()
    if words.startswith("array of "):
        item = words.removeprefix("array of ").strip()
        return ("array", item) if item in ITEM_TYPES else None
    if words == "array":
        return ("array", None)
    return (words, None) if words in FIELD_TYPES else None


@dataclass(eq=False)
class Node:
    """One field as the tree edits it. ``extra`` and ``keys`` keep what the field was read with (see ``Field``)."""

    name: str
    kind: str = "string"
    of: str | None = None
    optional: bool = False
    label: str | None = None
    hint: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    keys: tuple[str, ...] = ()
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    id: int = field(default_factory=lambda: next(_ids))

    @classmethod
    def of_field(cls, item: Field, parent: Node | None) -> Node:
        node = cls(item.name, item.type, item.of, item.optional, item.label, item.hint, item.extra, item.keys)
        node.parent = parent
        node.children = [cls.of_field(child, node) for child in item.properties]
        return node

    @property
    def holds_fields(self) -> bool:
        return self.kind == "object" or (self.kind == "array" and self.of == "object")

    @property
    def type_words(self) -> str:
        return f"array of {self.of or 'string'}" if self.kind == "array" else self.kind

    def to_field(self) -> Field:
        children = tuple(child.to_field() for child in self.children) if self.holds_fields else ()
        return Field(
            self.name, self.kind, self.of, self.optional, self.label, self.hint, children, self.extra, self.keys
        )

    @property
    def row(self) -> int:
        return self.parent.children.index(self) if self.parent is not None else 0

    def path(self) -> str:
        """The field's path as problems name it: ``customer.email``, ``lines[].qty``."""
        if self.parent is None or self.parent.parent is None:
            return self.name
        parent = self.parent
        return f"{parent.path()}{'[]' if parent.kind == 'array' else ''}.{self.name}"


class SchemaModel(QAbstractItemModel):
    """A field list as a tree. ``refused`` says why an edit was not made (a bad or duplicate name, a type)."""

    refused = Signal(str)

    def __init__(self, fields: Sequence[Field] = ()) -> None:
        super().__init__()
        self.root = Node("")
        self._nodes: dict[int, Node] = {}
        self._problems: dict[int, str] = {}  # node id -> what is wrong with it
        self.marking = False  # set while only the problems' marks change (the fields do not)
        self._fill(fields)

    # ----- the fields in and out --------------------------------------------------------------------------
    def _fill(self, fields: Sequence[Field]) -> None:
        self.root.children = [Node.of_field(item, self.root) for item in fields]
        self._nodes = {}
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            self._nodes[node.id] = node
            stack.extend(node.children)

    def set_fields(self, fields: Sequence[Field]) -> None:
        self.beginResetModel()
        self._problems = {}
        self._fill(fields)
        self.endResetModel()

    def fields(self) -> tuple[Field, ...]:
        """The fields as they are now (valid or not: ``fieldlist_problems(to_json())`` says)."""
        return tuple(node.to_field() for node in self.root.children)

    def to_json(self) -> list[dict[str, Any]]:
        return [item.to_json() for item in self.fields()]

    # ----- the tree ---------------------------------------------------------------------------------------
    def node(self, index: Index) -> Node:
        if not index.isValid():
            return self.root
        return self._nodes[index.internalId()]

    def index_of(self, node: Node, column: int = 0) -> QModelIndex:
        if node is self.root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node.id)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(HEADERS) or (parent.isValid() and parent.column() != 0):
            return QModelIndex()
        owner = self.node(parent)
        if not 0 <= row < len(owner.children):
            return QModelIndex()
        return self.createIndex(row, column, owner.children[row].id)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        owner = self.node(index).parent
        return QModelIndex() if owner is None or owner is self.root else self.index_of(owner)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_OPTIONAL:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(node, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_OPTIONAL:
            return Qt.CheckState.Checked if node.optional else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_OPTIONAL:
            return "optional" if node.optional else "required"
        problem = self._problems.get(node.id)
        if problem and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(PROBLEM_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(problem or node.path())
        return None

    @staticmethod
    def _text(node: Node, column: int) -> str | None:
        if column == COL_NAME:
            return node.name
        if column == COL_TYPE:
            return node.type_words
        if column == COL_LABEL:
            return node.label or ""
        if column == COL_HINT:
            return node.hint or ""
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        node = self.node(index)
        column = index.column()
        if column == COL_OPTIONAL and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, True)
            return self._changed(index, node, "optional", checked)
        if role != Qt.ItemDataRole.EditRole or not isinstance(value, str):
            return False
        if column == COL_NAME:
            return self.rename(index, value)
        if column == COL_TYPE:
            return self.set_type(index, value)
        if column in (COL_LABEL, COL_HINT):
            return self._changed(index, node, "label" if column == COL_LABEL else "hint", value or None)
        return False

    def _changed(self, index: Index, node: Node, attr: str, value: object) -> bool:
        if getattr(node, attr) != value:
            setattr(node, attr, value)
            self.dataChanged.emit(index, index)
        return True

    def _where(self, node: Node, name: str) -> str:
        """``field 2 (customer.email)`` (``field 2 of customer`` for a name that cannot be part of a path)."""
        owner = node.parent or self.root
        number = owner.children.index(node) + 1 if node in owner.children else len(owner.children) + 1
        parent = "" if owner is self.root else owner.path() + ("[]" if owner.kind == "array" else "")
        if name and not name_problem(name):
            return f"field {number} ({parent}.{name})" if parent else f"field {number} ({name})"
        return f"field {number} of {parent}" if parent else f"field {number}"

    def name_refusal(self, node: Node, name: str) -> str:
        """Why ``node`` cannot be called ``name`` ("field 2 (customer.email): duplicate name ..."), or ""."""
        problem = name_problem(name)
        if not problem:
            owner = node.parent or self.root
            twin = next((other for other in owner.children if other is not node and other.name == name), None)
            if twin is None:
                return ""
            problem = f"duplicate name {name!r} (field {owner.children.index(twin) + 1} has it too)"
        return f"{self._where(node, name)}: {problem}"

    def rename(self, index: Index, name: str) -> bool:
        node = self.node(index)
        if name == node.name:
            return True
        refusal = self.name_refusal(node, name)
        if refusal:
            self.refused.emit(refusal)
            return False
        node.name = name
        self.dataChanged.emit(self.index_of(node), self.index_of(node, len(HEADERS) - 1))
        return True

    def set_type(self, index: Index, words: str) -> bool:
        """Change a field's type (``"array of object"``); a field that no longer holds fields loses them."""
        node = self.node(index)
        parsed = parse_type_words(words)
        if parsed is None:
            self.refused.emit(
                f"{self._where(node, node.name)}: unknown type {words!r}; choose one of " + ", ".join(TYPE_CHOICES)
            )
            return False
        kind, of = parsed
        if words.strip() == node.type_words:
            return True
        if node.children and not (kind == "object" or (kind == "array" and of == "object")):
            self.beginRemoveRows(self.index_of(node), 0, len(node.children) - 1)
            self._forget(node.children)
            node.children = []
            self.endRemoveRows()
        node.kind, node.of = kind, of
        self.dataChanged.emit(self.index_of(node), self.index_of(node, len(HEADERS) - 1))
        return True

    # ----- adding, removing, moving -----------------------------------------------------------------------
    def free_name(self, owner: Node) -> str:
        taken = {child.name for child in owner.children}
        return next(f"field_{n}" for n in itertools.count(len(owner.children) + 1) if f"field_{n}" not in taken)

    def insert(self, owner: Node, row: int, node: Node | None = None) -> QModelIndex:
        node = node or Node(self.free_name(owner))
        node.parent = owner
        self.beginInsertRows(self.index_of(owner), row, row)
        owner.children.insert(row, node)
        stack = [node]
        while stack:
            item = stack.pop()
            self._nodes[item.id] = item
            stack.extend(item.children)
        self.endInsertRows()
        return self.index_of(node)

    def add_sibling(self, index: Index) -> QModelIndex:
        """A new string field after the one at ``index`` (at the end of the top level when none)."""
        if not index.isValid():
            return self.insert(self.root, len(self.root.children))
        node = self.node(index)
        owner = node.parent or self.root
        return self.insert(owner, node.row + 1)

    def add_child(self, index: Index) -> QModelIndex | None:
        """A new string field at the end of the object at ``index``; None (said) when it holds no fields."""
        node = self.node(index)
        if index.isValid() and not node.holds_fields:
            self.refused.emit(
                f"{self._where(node, node.name)}: a {node.type_words} has no fields of its own; make it an object "
                "(or an array of object) first"
            )
            return None
        return self.insert(node, len(node.children))

    def remove(self, index: Index) -> None:
        if not index.isValid():
            return
        node = self.node(index)
        owner = node.parent or self.root
        row = node.row
        self.beginRemoveRows(self.index_of(owner), row, row)
        del owner.children[row]
        self._forget([node])
        self.endRemoveRows()

    def _forget(self, nodes: list[Node]) -> None:
        stack = list(nodes)
        while stack:
            item = stack.pop()
            self._nodes.pop(item.id, None)
            self._problems.pop(item.id, None)
            stack.extend(item.children)

    def move(self, index: Index, delta: int) -> QModelIndex:
        """Move the field one place up (-1) or down (+1) among its siblings; returns its new index."""
        node = self.node(index)
        owner = node.parent or self.root
        row, target = node.row, node.row + delta
        if not index.isValid() or not 0 <= target < len(owner.children):
            return self.index_of(node)
        parent = self.index_of(owner)
        # beginMoveRows takes the row the field goes before, as counted before the move
        if not self.beginMoveRows(parent, row, row, parent, target + 1 if delta > 0 else target):
            return self.index_of(node)
        owner.children.insert(target, owner.children.pop(row))
        self.endMoveRows()
        return self.index_of(node)

    # ----- problems ---------------------------------------------------------------------------------------
    def find(self, path: str, number: int | None = None) -> Node | None:
        """The field at ``path`` (``customer.email``, ``lines[].qty``), the ``number``-th of its list if given."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.path() == path and (number is None or node.row + 1 == number):
                return node
            stack.extend(node.children)
        return None

    def set_problems(self, problems: Sequence[FieldProblem]) -> None:
        """Show each problem on its field (red, with the words as its tooltip)."""
        found: dict[int, str] = {}
        for problem in problems:
            node = self.find(problem.path, problem.number) if problem.path else None
            if node is not None and node.id not in found:
                found[node.id] = str(problem)
        if found == self._problems:
            return
        changed = set(found) | set(self._problems)
        self._problems = found
        self.marking = True
        try:
            for node_id in changed:
                node = self._nodes.get(node_id)
                if node is not None:
                    self.dataChanged.emit(self.index_of(node), self.index_of(node, len(HEADERS) - 1))
        finally:
            self.marking = False

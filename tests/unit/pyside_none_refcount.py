"""Run as a script: hammer a table model the way the live table does and report None's refcount drift.

PySide6 6.12.0 on CPython 3.11 decrements None's refcount in beginInsertRows / index().data(); after a few
thousand updates None is freed and the interpreter aborts. A sound build keeps the drift near zero.
"""

from __future__ import annotations

import gc
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication

Index = QModelIndex | QPersistentModelIndex


class Rows(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        return self.rows[index.row()][index.column()]

    def append(self, count: int) -> None:
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + count - 1)
        self.rows.extend((f"id{first + i}", "payload") for i in range(count))
        self.endInsertRows()


def main(updates: int) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    model = Rows()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(updates):
        model.append(2)
        last = model.index(model.rowCount() - 1, 0)
        last.data(Qt.ItemDataRole.DisplayRole)
        last.data(Qt.ItemDataRole.ToolTipRole)  # None from Python
        model.index(0, 1).data(Qt.ItemDataRole.DecorationRole)
    gc.collect()
    after = sys.getrefcount(None)
    print(json.dumps({"before": before, "after": after, "drift": after - before, "rows": model.rowCount()}))
    del model, app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

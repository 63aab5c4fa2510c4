"""The live table model: batches, the row cap, the filter view — and qtmodeltester on each state."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from inspector.core.filtering import make_filter
from inspector.core.models import Message
from inspector.core.rows import Row
from inspector.ui.topic.model import (
    COL_ID,
    COL_NUMBER,
    COL_PREVIEW,
    COL_SIZE,
    COL_TIME,
    MessageRole,
    MessageTableModel,
)

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def messages(first: int, count: int) -> list[Message]:
    return [
        Message(f"M{n}", START + timedelta(seconds=n), {"n": n, "name": "Jane" if n % 2 else "John"})
        for n in range(first, first + count)
    ]


def test_append_in_batches_and_columns(qtmodeltester: ModelTester) -> None:
    model = MessageTableModel()
    qtmodeltester.check(model)
    model.append(messages(0, 3))
    model.append(messages(3, 2))
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    assert model.data(model.index(0, COL_NUMBER)) == 1
    assert model.data(model.index(4, COL_ID)) == "M4"
    assert model.data(model.index(0, COL_PREVIEW)) == '{"n":0,"name":"John"}'
    assert model.data(model.index(0, COL_SIZE)) == "21 B"
    row = model.data(model.index(1, 0), MessageRole)
    assert isinstance(row, Row)
    assert row.payload == {"n": 1, "name": "Jane"}
    assert "UTC: 2024-05-01T12:00:01.000Z" in model.data(model.index(1, COL_TIME), Qt.ItemDataRole.ToolTipRole)


def test_utc_or_local_times(qtmodeltester: ModelTester) -> None:
    model = MessageTableModel(utc=True)
    model.append(messages(0, 1))
    assert model.data(model.index(0, COL_TIME)) == "2024-05-01T12:00:00.000Z"
    model.set_utc(False)
    assert "UTC" not in str(model.headerData(COL_TIME, Qt.Orientation.Horizontal))
    assert model.data(model.index(0, COL_TIME)).startswith("2024-05-01 ")
    qtmodeltester.check(model)


def test_row_cap_drops_the_oldest_and_says_so(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = MessageTableModel(row_cap=1000)
    dropped: list[int] = []
    model.rowsDropped.connect(dropped.append)
    model.append(messages(0, 900))
    model.append(messages(900, 250))
    qtmodeltester.check(model)
    assert model.rowCount() == 1000
    assert model.data(model.index(0, COL_ID)) == "M150"
    assert model.data(model.index(0, COL_NUMBER)) == 151
    assert dropped == [150]
    assert model.dropped_total == 150
    model.append(messages(1150, 2500))  # a batch larger than the cap
    assert model.rowCount() == 1000
    assert model.data(model.index(999, COL_ID)) == "M3649"
    assert model.data(model.index(0, COL_ID)) == "M2650"
    qtmodeltester.check(model)


def test_filter_view_follows_new_rows_and_the_cap(qtmodeltester: ModelTester) -> None:
    model = MessageTableModel(row_cap=1000)
    model.append(messages(0, 10))
    jane = make_filter("jmespath", "payload.name == 'Jane'")
    model.set_filter(jane)
    qtmodeltester.check(model)
    assert [model.data(model.index(r, COL_ID)) for r in range(model.rowCount())] == ["M1", "M3", "M5", "M7", "M9"]
    model.append(messages(10, 4))
    assert model.rowCount() == 7
    model.append(messages(14, 995))  # M0..M8 leave the table
    qtmodeltester.check(model)
    assert model.data(model.index(0, COL_ID)) == "M9"
    model.set_filter(None)
    assert model.rowCount() == 1000
    qtmodeltester.check(model)


def test_filter_computed_in_slices_checks_late_rows() -> None:
    model = MessageTableModel()
    model.append(messages(0, 6))
    text = make_filter("text", "jane")
    assert text is not None
    scanned_until = model.next_seq()
    matches = [Row._make(row).seq for row in model.all_rows() if text(row)]
    model.append(messages(6, 2))  # arrived while the slices ran
    model.set_filter(text, matches, scanned_until)
    assert [model.data(model.index(r, COL_ID)) for r in range(model.rowCount())] == ["M1", "M3", "M5", "M7"]


def test_clear_and_find(qtmodeltester: ModelTester) -> None:
    model = MessageTableModel()
    model.append(messages(0, 5))
    assert model.row_of_message("M3") == 3
    model.clear()
    qtmodeltester.check(model)
    assert model.rowCount() == 0
    model.append(messages(5, 1))
    assert model.data(model.index(0, COL_NUMBER)) == 6  # numbering goes on


def test_rows_are_not_tracked_by_the_garbage_collector() -> None:
    """Full collections would scan every row of a 100,000-row table (a stall of ~60 ms each) if they were."""
    model = MessageTableModel()
    model.append(messages(0, 50))
    gc.collect()
    assert not any(gc.is_tracked(row) for row in model.all_rows())
    assert isinstance(model.row_at(0), Row)

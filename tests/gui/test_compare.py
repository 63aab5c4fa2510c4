"""Comparing two messages: changed, added and removed keys tinted in the panes where they are, a legend, tints that
read in light and dark palettes, plain text throughout; and the dialog opened from a topic tab over the emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from inspector.core.diff import diff_payloads
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.rows import Row, make_row
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.json_view import DARK_COLORS, LIGHT_COLORS, is_dark
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.diff import LEGEND, TINTS, DiffDialog, composite, json_lines
from tests.helpers import contrast, wait_until

LEFT = {"a": 1, "b": {"c": 2}, "gone": True}
RIGHT = {"a": 2, "b": {"c": 2, "new": [1, 2]}}


def row(payload: Any, n: int = 1) -> Row:
    return Row._make(make_row(n, Message(f"id-{n}", datetime(2024, 5, 1, 9, 0, n, tzinfo=UTC), payload)))


def tints(dialog: DiffDialog, pane: int) -> list[str | None]:
    """The kind whose tint each line of a pane has, line by line."""
    by_colour = {colour.rgba(): kind for kind, colour in TINTS.items()}
    count = dialog.panes[pane].document().blockCount()
    colours = [dialog.line_tint(pane, line) for line in range(count)]
    return [None if c is None else by_colour[c.rgba()] for c in colours]


def test_lines_are_json_dumps_and_every_changed_path_has_its_lines() -> None:
    values: list[Any] = [
        LEFT,
        RIGHT,
        [],
        {},
        None,
        "text",
        [1, [2, []], {"x y": {}}],
        {"first name": "Zoë", "a.b": [{"0": None}], "": {'q"uote': "<b>x</b>"}, "back\\slash": [[]]},
    ]
    for value in values:
        text, spans = json_lines(value)
        assert text == json.dumps(value, indent=2, ensure_ascii=False)
        assert spans[""] == (0, text.count("\n"))
    for old in values:
        for new in values:
            old_spans, new_spans = json_lines(old)[1], json_lines(new)[1]
            for change in diff_payloads(old, new):
                if change.kind != "added":
                    assert change.path in old_spans, change
                if change.kind != "removed":
                    assert change.path in new_spans, change
    deep: list[Any] = []
    for _ in range(3000):
        deep = [deep]
    text, spans = json_lines(deep)  # json.dumps would hit the recursion limit
    assert spans[""] == (0, 6000)


def test_changed_added_and_removed_are_tinted_where_they_are(qtbot: QtBot) -> None:
    dialog = DiffDialog(row(LEFT, 1), row(RIGHT, 2))
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == "From the left to the right: 1 added, 1 removed, 1 changed"
    # {  "a": 1,  "b": {  "c": 2  },  "gone": true  }
    assert tints(dialog, 0) == [None, "changed", None, None, None, "removed", None]
    # {  "a": 2,  "b": {  "c": 2,  "new": [  1,  2  ]  }  }
    assert tints(dialog, 1) == [None, "changed", None, None, "added", "added", "added", "added", None, None]
    assert [dialog.list.item(n).background().color() for n in range(dialog.list.count())] == [
        TINTS["changed"],
        TINTS["added"],
        TINTS["removed"],
    ]
    assert [dialog.list.item(n).text() for n in range(3)] == ["a: 1 → 2", "b.new: added [1, 2]", "gone: removed true"]


def test_a_whole_payload_of_another_type_is_changed_in_both_panes(qtbot: QtBot) -> None:
    dialog = DiffDialog(row([1, 2], 1), row({"x": 1}, 2))
    qtbot.addWidget(dialog)
    assert tints(dialog, 0) == ["changed"] * 4
    assert tints(dialog, 1) == ["changed"] * 3
    same = DiffDialog(row(LEFT, 1), row(LEFT, 2))
    qtbot.addWidget(same)
    assert same.summary.text() == "The payloads are the same."
    assert set(tints(same, 0)) == {None}


def test_choosing_a_change_shows_its_lines_in_both_panes(qtbot: QtBot) -> None:
    left = {f"k{n}": n for n in range(200)}
    right = {**left, "k150": "changed", "zz": "added at the end"}
    dialog = DiffDialog(row(left, 1), row(right, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.list.setCurrentRow(0)  # k150: line 151 in both panes
    assert [pane.textCursor().blockNumber() for pane in dialog.panes] == [151, 151]
    assert all(pane.verticalScrollBar().value() > 0 for pane in dialog.panes)
    dialog.list.setCurrentRow(1)  # zz: only in the right pane
    assert [pane.textCursor().blockNumber() for pane in dialog.panes] == [151, 201]


def test_legend_names_and_plain_text(qtbot: QtBot) -> None:
    left = {"<b>key</b>": "<i>old</i>", "same": 1}
    right = {"<b>key</b>": "<img src=x>", "same": 1}
    dialog = DiffDialog(row(left, 1), row(right, 2))
    qtbot.addWidget(dialog)
    assert {kind: label.text() for kind, label in dialog.legend.items()} == {
        kind: words for kind, (words, _colour) in LEGEND.items()
    }
    assert dialog.legend["added"].accessibleName() == "Added (only in the right): tinted green"
    assert dialog.legend["changed"].palette().color(QPalette.ColorRole.Window) == TINTS["changed"]
    assert dialog.list.accessibleName() == "Differences"
    assert [pane.accessibleName() for pane in dialog.panes] == ["Left payload", "Right payload"]
    assert "id-1" in dialog.panes[0].accessibleDescription()
    for label in (dialog.summary, *dialog.legend.values()):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.panes[0].toPlainText() == json.dumps(left, indent=2)  # the markup is shown, as text
    assert dialog.list.item(0).text() == '["<b>key</b>"]: "<i>old</i>" → "<img src=x>"'
    assert "&lt;img src=x&gt;" in dialog.list.item(0).toolTip()  # escaped


@pytest.mark.parametrize(
    ("base", "text", "shades"),
    [
        ("#ffffff", "#000000", LIGHT_COLORS),
        ("#f6f5f4", "#2e3436", LIGHT_COLORS),
        ("#1e1e1e", "#ffffff", DARK_COLORS),
        ("#2b2b2b", "#dddddd", DARK_COLORS),
    ],
    ids=["light", "light-adwaita", "dark", "dark-grey"],
)
def test_tints_read_in_light_and_dark_palettes(base: str, text: str, shades: tuple[str, ...]) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    assert is_dark(palette) == (shades == DARK_COLORS)  # the highlighter picks the shades for the palette
    for kind, tint in TINTS.items():
        shown = composite(tint, QColor(base))
        assert shown != QColor(base), kind  # the tint shows
        for colour in (text, *shades):  # WCAG AA for the payload's text and its highlighted parts on the tint
            assert contrast(shown, QColor(colour)) >= 4.5, (kind, colour)


def test_the_panes_shades_follow_the_palette(qtbot: QtBot) -> None:
    dialog = DiffDialog(row(LEFT, 1), row(RIGHT, 2))
    qtbot.addWidget(dialog)
    pane = dialog.panes[0]
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    light = QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    for palette, shades in ((dark, DARK_COLORS), (light, LIGHT_COLORS)):
        pane.setPalette(palette)
        key = pane.document().findBlockByNumber(1).layout().formats()[0]  # "a" on line 1
        assert key.format.foreground().color() == QColor(shades[0])


def test_compare_from_a_topic_tab(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    for payload in (LEFT, RIGHT):
        answer = httpx.post(f"{emulator.url}/api/v1/topics/{topic}/publish", json=payload, headers=headers)
        assert answer.status_code == 200

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Local", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(profile, emulator.token)
        ctx.workspace.add_topic("Local", topic, "compared")
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 2, what="two messages")
        selection = view.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for n in range(2):
            selection.select(view.model.index(n, 0), flags)
        view.compare_selected()
        dialogs = view.findChildren(DiffDialog)
        assert len(dialogs) == 1
        assert tints(dialogs[0], 0) == [None, "changed", None, None, None, "removed", None]
        dialogs[0].reject()
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())

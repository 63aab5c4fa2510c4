"""The payload tree in a topic's detail: Copy value, Copy path and Filter by this value, by mouse and by keyboard,
and filters that compile and match the message they came from, whatever its keys and values hold."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from inspector.core.expressions import compile_expression
from inspector.core.filtering import make_filter
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.rows import make_row
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.json_view import (
    JsonText,
    JsonTree,
    PathPart,
    filter_expression,
    jmespath_literal,
    jmespath_path,
    value_text,
)
from inspector.ui.main_window import MainWindow
from tests.helpers import wait_until

# Keys and values that a naive quoting gets wrong: quotes, backslashes, backticks, dots, spaces, digits, empty,
# words JMESPath might read as keywords, non-ASCII letters, controls and invisible (bidi, format) characters.
TRICKY: dict[str, Any] = {
    "customer": {"email": "a@b.c", "first name": "Zoë", "it's": "it's", 'say "hi"': 'say "hi"'},
    "items": [{"sku": "A-1", "qty": 2}, {"sku": "B\\2", "qty": 0, "price": 1.5}],
    "a.b": "dot",
    "": "empty key",
    "0": "digit key",
    "9lives": 9,
    "true": True,
    "null": None,
    "false": False,
    "_ok": "underscore",
    "tick`key": "tick`value",
    "back\\slash": "back\\slash\\",
    'quote"key': "quote'\"both",
    "ünïcode": "日本語",
    "new\nline": "tab\there\nnewline",
    "bidi\u202ekey": "\u202eevil\u2066",
    "nbsp": "\u00a0",
    "c1": "\x85",
    "big": 2**70,
    "tiny": 1e-300,
    "huge": 1e300,
    "negative": -12,
    "empty text": "",
    "empty list": [],
    "empty object": {},
    "mixed": [1, "1", True, None, 1.0, [0], {"k": "v"}],
    "nested": {"deeper": {"deepest": [[{"x": "y"}]]}},
}


def nodes(value: Any, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in pairs:
        yield (*path, key), child
        yield from nodes(child, (*path, key))


def replaced(payload: Any, path: tuple[PathPart, ...], new: Any) -> Any:
    other = copy.deepcopy(payload)
    target = other
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return other


def row_of(payload: Any, n: int = 1) -> tuple[int, str, float, str, int, str]:
    return make_row(n, Message(f"id-{n}", datetime(2024, 5, 1, 9, 0, n, tzinfo=UTC), payload))


def find(tree: JsonTree, path: tuple[PathPart, ...]) -> QModelIndex:
    model = tree.tree_model
    pending = [model.index(r, 0) for r in range(model.rowCount())]
    while pending:
        index = pending.pop()
        node = tree.node_at(index)
        if node is not None and node[0] == path:
            return index
        pending.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    raise AssertionError(f"no node at {path}")


# The offscreen platform cannot raise a popup nor grab the keyboard for it, and says so; a menu still opens.
offscreen_popup = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")


def clipboard() -> str:
    return QGuiApplication.clipboard().text()


# ----- the JMESPath text ----------------------------------------------------------------------------------------


def test_paths_and_literals_read_as_written_in_the_issue() -> None:
    assert jmespath_path(("customer", "email")) == "payload.customer.email"
    assert jmespath_path(("items", 0, "sku")) == "payload.items[0].sku"
    assert jmespath_path(("first name",)) == 'payload."first name"'
    assert jmespath_path((0, "_a1")) == "payload[0]._a1"
    assert jmespath_path(("ünïcode", "0", "")) == 'payload."ünïcode"."0".""'
    assert jmespath_path(("bidi\u202e",)) == 'payload."bidi\\u202e"'  # shown, not obeyed
    assert jmespath_path(("x",), root="schema") == "schema.x"
    assert filter_expression(("customer", "email"), "a@b.c") == "payload.customer.email == 'a@b.c'"
    assert jmespath_literal("it's") == "'it\\'s'"
    assert jmespath_literal(42) == "`42`"
    assert jmespath_literal(1.5) == "`1.5`"
    assert jmespath_literal(True) == "`true`"
    assert jmespath_literal(None) == "`null`"
    assert jmespath_literal("back\\slash") == '`"back\\\\slash"`'
    assert jmespath_literal("tab\t`") == '`"tab\\t\\u0060"`'
    assert jmespath_literal({"a": [1, "b"]}) == '`{"a":[1,"b"]}`'
    assert jmespath_literal(float("nan")) is None
    assert jmespath_literal(float("inf")) is None
    assert filter_expression(("x",), [float("nan")]) is None


def test_every_node_of_a_tricky_payload_filters_to_its_own_message() -> None:
    message = row_of(TRICKY, 1)
    checked = 0
    for path, value in nodes(TRICKY):
        expression = filter_expression(path, value)
        assert expression is not None, path
        assert expression.isprintable(), expression  # no hidden character lands in the filter field
        compile_expression(expression)  # the filter's own checks: valid JMESPath, JSON literals
        row_filter = make_filter("jmespath", expression)
        assert row_filter is not None
        assert row_filter(message), expression
        # The same message with another value there does not match: the filter tests this value, not the key.
        other = "something else" if value != "something else" else "again else"
        assert not row_filter(row_of(replaced(TRICKY, path, other), 2)), expression
        checked += 1
    assert checked == len(list(nodes(TRICKY))) > 50


def matches(path: tuple[PathPart, ...], value: Any, payload: Any) -> bool:
    expression = filter_expression(path, value)
    assert expression is not None
    row_filter = make_filter("jmespath", expression)
    assert row_filter is not None
    return row_filter(row_of(payload))


def test_numbers_and_booleans_stay_apart() -> None:
    assert [matches(("v",), 1, {"v": v}) for v in (1, True, 1.0)] == [True, False, True]  # JSON: 1 == 1.0
    assert [matches(("v",), True, {"v": v}) for v in (1, True)] == [False, True]
    assert [matches(("v",), 0, {"v": v}) for v in (0, False, None)] == [True, False, False]
    assert [matches(("v",), None, {"v": v}) for v in (None, 0, "")] == [True, False, False]


def test_copy_value_text() -> None:
    assert value_text("a@b.c") == "a@b.c"
    assert value_text("") == ""
    assert value_text(42) == "42"
    assert value_text(1.5) == "1.5"
    assert value_text(False) == "false"
    assert value_text(None) == "null"
    assert value_text({"sku": "Zoë", "n": [1]}) == '{\n  "sku": "Zoë",\n  "n": [\n    1\n  ]\n}'
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    assert "too deeply" in value_text(deep)  # too deep to print: said in words, no RecursionError


# ----- the tree -------------------------------------------------------------------------------------------------


@pytest.fixture
def tree(qtbot: QtBot) -> JsonTree:
    tree = JsonTree()
    qtbot.addWidget(tree)
    tree.resize(600, 400)
    tree.show_value(TRICKY)
    tree.show()
    qtbot.waitExposed(tree)
    return tree


def test_the_model_passes_modeltester_and_every_node_is_addressable(tree: JsonTree, qtmodeltester: Any) -> None:
    qtmodeltester.check(tree.tree_model)
    for path, _value in nodes(TRICKY):
        index = find(tree, path)
        node = tree.node_at(index.siblingAtColumn(2))  # any column of the row names the node
        assert node is not None
        assert node[0] == path


def test_actions_copy_the_value_and_the_path_and_request_a_filter(qtbot: QtBot, tree: JsonTree) -> None:
    tree.setCurrentIndex(find(tree, ("customer", "email")))
    assert tree.copy_value_action.isEnabled()
    assert tree.filter_action.statusTip() == "payload.customer.email == 'a@b.c'"
    tree.copy_value_action.trigger()
    assert clipboard() == "a@b.c"
    tree.copy_path_action.trigger()
    assert clipboard() == "payload.customer.email"
    with qtbot.waitSignal(tree.filterRequested) as signal:
        tree.filter_action.trigger()
    assert signal.args == ["payload.customer.email == 'a@b.c'"]

    tree.setCurrentIndex(find(tree, ("items", 1)).siblingAtColumn(1))
    tree.copy_value_action.trigger()
    assert clipboard() == '{\n  "sku": "B\\\\2",\n  "qty": 0,\n  "price": 1.5\n}'
    tree.copy_path_action.trigger()
    assert clipboard() == "payload.items[1]"
    tree.setCurrentIndex(find(tree, ("customer", "first name")))
    tree.copy_path_action.trigger()
    assert clipboard() == 'payload.customer."first name"'
    with qtbot.waitSignal(tree.filterRequested) as signal:
        tree.filter_action.trigger()
    assert signal.args == ["payload.customer.\"first name\" == 'Zoë'"]

    tree.show_value(None)  # a new message: nothing is current, nothing to act on
    assert not tree.copy_value_action.isEnabled()
    assert not tree.filter_action.isEnabled()


def test_nan_cannot_be_filtered_and_the_more_row_has_no_actions(qtbot: QtBot) -> None:
    tree = JsonTree()
    qtbot.addWidget(tree)
    tree.show_value({"n": float("nan"), "many": list(range(6000))})
    tree.setCurrentIndex(find(tree, ("n",)))
    assert tree.copy_value_action.isEnabled()
    assert not tree.filter_action.isEnabled()
    assert "NaN" in tree.filter_action.statusTip()
    many = find(tree, ("many",))
    last = tree.tree_model.index(tree.tree_model.rowCount(many) - 1, 0, many)
    assert last.data() == "…"
    tree.setCurrentIndex(last)
    assert not tree.copy_value_action.isEnabled()
    assert not tree.copy_path_action.isEnabled()


@offscreen_popup
def test_keyboard_ctrl_c_menu_key_and_shift_f10(qtbot: QtBot, tree: JsonTree) -> None:
    tree.setFocus()
    tree.setCurrentIndex(find(tree, ("items", 0, "qty")))
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "2"
    for key, modifier in (
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
    ):
        assert not tree.menu.isVisible()
        qtbot.keyClick(tree, key, modifier)
        assert tree.menu.isVisible()
        # The menu opens under the current node, its actions as the keyboard reaches them.
        row = tree.visualRect(tree.currentIndex())
        assert tree.menu.pos().y() >= tree.viewport().mapToGlobal(row.topLeft()).y()
        assert [a.text() for a in tree.menu.actions()] == ["Copy value", "Copy path", "Filter by this value"]
        qtbot.keyClick(tree.menu, Qt.Key.Key_Escape)
        assert not tree.menu.isVisible()
    # With the menu open by keyboard, Down and Enter reach Copy path.
    qtbot.keyClick(tree, Qt.Key.Key_Menu)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(tree.menu, Qt.Key.Key_Down)
    qtbot.keyClick(tree.menu, Qt.Key.Key_Down)
    qtbot.keyClick(tree.menu, Qt.Key.Key_Return)
    assert clipboard() == "payload.items[0].qty"


@offscreen_popup
def test_the_trees_ctrl_c_wins_over_the_tabs_shortcut(qtbot: QtBot) -> None:
    tab = QWidget()
    qtbot.addWidget(tab)
    tree = JsonTree()
    QVBoxLayout(tab).addWidget(tree)
    fired: list[bool] = []
    tab_copy = QAction("Copy payload", tab)
    tab_copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    tab_copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    tab_copy.triggered.connect(lambda: fired.append(True))
    tab.addAction(tab_copy)
    tab.show()
    qtbot.waitExposed(tab)
    tree.show_value({"id": "x-1"})
    tree.setFocus()
    tree.setCurrentIndex(find(tree, ("id",)))
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "x-1"
    assert fired == []
    # With the menu open too (it is the tree's child: the tab's shortcut would otherwise apply).
    QGuiApplication.clipboard().clear()
    tree.open_menu()
    qtbot.keyClick(tree.menu, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "x-1"
    assert not tree.menu.isVisible()
    assert fired == []


@offscreen_popup
def test_right_click_makes_the_node_current_and_opens_the_menu(qtbot: QtBot, tree: JsonTree) -> None:
    index = find(tree, ("a.b",)).siblingAtColumn(1)
    tree.scrollTo(index)
    centre = tree.visualRect(index).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre, tree.viewport().mapToGlobal(centre))
    QApplication.sendEvent(tree.viewport(), event)
    assert tree.menu.isVisible()
    assert tree.current_path() == 'payload."a.b"'
    with qtbot.waitSignal(tree.filterRequested) as signal:
        tree.filter_action.trigger()
    assert signal.args == ["payload.\"a.b\" == 'dot'"]
    tree.menu.hide()
    # A right-click below the last row opens nothing.
    empty = QPoint(5, tree.viewport().height() - 2)
    tree.collapseAll()
    QApplication.sendEvent(
        tree.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, empty, tree.viewport().mapToGlobal(empty))
    )
    assert not tree.menu.isVisible()


def test_accessible_names(qtbot: QtBot, tree: JsonTree) -> None:
    assert tree.accessibleName() == "Payload tree"
    assert "Filter by this value" in tree.accessibleDescription()
    assert tree.menu.accessibleName() == "Payload tree actions"
    assert all(action.text() for action in tree.menu.actions())
    text = JsonText(name="Payload")
    qtbot.addWidget(text)
    assert text.accessibleName() == "Payload"
    assert JsonText().accessibleName() == "JSON text"


# ----- in the window, on a message from the emulator ------------------------------------------------------------


def test_a_filter_from_the_tree_of_a_received_message_matches_it_alone(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    for payload in (TRICKY, replaced(TRICKY, ("customer", "it's"), "it is"), {"other": 1}):
        answer = httpx.post(f"{emulator.url}/api/v1/topics/{topic}/publish", json=payload, headers=headers)
        assert answer.status_code == 200

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Local", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(profile, emulator.token)
        ctx.workspace.add_topic("Local", topic, "tricky")
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 3, what="three messages")
        view.table.setCurrentIndex(view.model.index(0, 0))
        tree = view.payload_tree
        tree.setCurrentIndex(find(tree, ("customer", "it's")))
        requested: list[str] = []
        tree.filterRequested.connect(requested.append)
        tree.filter_action.trigger()
        assert requested == ["payload.customer.\"it's\" == 'it\\'s'"]
        row_filter = make_filter("jmespath", requested[0])
        assert row_filter is not None
        rows = [view.model.row_at(n) for n in range(3)]
        assert [n for n, received in enumerate(rows) if received is not None and row_filter(received)] == [0]
        # The tab applies it: the table shows that message alone.
        await wait_until(lambda: view.model.rowCount() == 1, what="the table filtered to the message")
        shown = view.model.row_at(0)
        assert shown is not None
        assert shown.payload == TRICKY
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())

"""Topics and schemas in the window: New topic…, Edit topic… (the schema editor, a schema change tested first),
Purge… and Delete…, against an emulator of their own over loopback HTTP, driven as a user would (offscreen)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QTreeView,
)
from pytestqt.qtbot import QtBot

from inspector.core.drafts import HistoryEntry
from inspector.core.errors import BadRequestError, NotFoundError
from inspector.core.fieldlist import Field, parse_fieldlist
from inspector.core.models import ItemResult, Outcome, Topic
from inspector.core.profiles import Profile
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.schemacheck import SchemaTest
from inspector.core.services.workato import DeveloperApiClient
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.topics.actions import TopicAdmin
from inspector.ui.topics.confirm import ConfirmDialog
from inspector.ui.topics.schema_editor import SchemaEditor
from inspector.ui.topics.schema_model import COL_NAME, COL_OPTIONAL, COL_TYPE, SchemaModel
from inspector.ui.topics.topic_dialog import TopicDialog, TopicSettings
from tests.helpers import next_uuid, wait_until

SCHEMA: list[dict[str, Any]] = [
    {"name": "id", "type": "integer"},
    {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email", "optional": True}]},
    {"name": "lines", "type": "array", "of": "object", "properties": [{"name": "sku"}, {"name": "qty"}]},
]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """An emulator of its own: these tests create topics, which count towards a workspace's limit of 20."""
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, topics=[])) as emulator:
        yield emulator


def api(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, trust_env=False)


def make_topic(server: EmulatorServer, name: str, schema: list[dict[str, Any]] | None = None) -> int:
    with api(server) as http:
        answer = http.post("/api/event_streams/topics", json={"name": name, "schema": schema or []})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["data"]["id"])


def publish(server: EmulatorServer, topic: int, payloads: list[dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    with api(server) as http:
        for start in range(0, len(payloads), 100):
            answer = http.post(
                f"/api/v1/batch/topics/{topic}/publish", json={"payloads": payloads[start : start + 100]}
            )
            assert answer.status_code == 200, answer.text
            ids += [item["message_id"] for item in answer.json()["message_ids"].values()]
    return ids


async def get_topic(server: EmulatorServer, topic: int) -> Topic:
    async with DeveloperApiClient(custom_endpoint(server.url), server.token, limiter=RateLimiter(0)) as client:
        return await client.get_topic(topic)


async def window_on(ctx: AppContext, server: EmulatorServer, *topics: tuple[int, str]) -> MainWindow:
    profile = ctx.profile_store.upsert(Profile("Dev", "custom", server.url, rate_limit_rpm=0))
    await ctx.set_token(profile, server.token)
    for topic, name in topics:
        ctx.workspace.add_topic("Dev", topic, name)
    window = MainWindow(ctx)
    window.show()
    return window


def admin(window: MainWindow) -> TopicAdmin:
    return window.topic_admin


def select(window: MainWindow, topic: int | None = None) -> None:
    """Select the profile, or one of its topics, in the sidebar."""
    profile = window.tree_model.item(0)
    if topic is None:
        window.tree.setCurrentIndex(profile.index())
        return
    for row in range(profile.rowCount()):
        if profile.child(row).data(Qt.ItemDataRole.UserRole + 3) == topic:
            window.tree.setCurrentIndex(profile.child(row).index())
            return
    raise AssertionError(f"topic {topic} is not in the sidebar")


async def close(window: MainWindow, ctx: AppContext) -> None:
    window.close()
    await window.shutdown()
    await ctx.aclose()


def run(loop: qasync.QEventLoop, coro: object) -> None:
    loop.run_until_complete(coro)


async def dialog_of(window: MainWindow, kind: type[Any], name: str) -> Any:
    await wait_until(lambda: window.findChild(kind, name) is not None, what=name)
    found = window.findChild(kind, name)
    assert found is not None
    await wait_until(found.isVisible, what=f"{name} shown")
    return found


async def gone(window: MainWindow, kind: type[Any], name: str) -> None:
    """Wait until the dialog has closed (it is deleted then: touch it no more)."""

    def closed() -> bool:
        found = window.findChild(kind, name)
        return found is None or not found.isVisible()

    await wait_until(closed, what=f"{name} closed")


def text_of(editor: SchemaEditor) -> Any:
    return json.loads(editor.text.toPlainText())


# ----- the tree model and the editor ----------------------------------------------------------------------
def test_the_schema_model_passes_modeltester_through_every_edit(qtmodeltester: Any) -> None:
    model = SchemaModel(parse_fieldlist(SCHEMA))
    qtmodeltester.check(model)
    customer = model.index(1, COL_NAME)
    assert model.rowCount(customer) == 2
    assert model.data(model.index(2, COL_TYPE)) == "array of object"
    assert model.data(model.index(1, COL_OPTIONAL, customer), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    model.add_child(customer)  # customer: name, email, field_3
    model.add_sibling(model.index(0, 0))  # id, field_4, customer, lines
    moved = model.move(model.index(1, 0), -1)  # field_4, id, customer, lines
    assert moved.row() == 0
    assert model.data(moved) == "field_4"
    model.remove(model.index(0, 0, model.index(2, 0)))  # customer: email, field_3
    assert model.set_type(model.index(3, COL_TYPE), "integer")  # lines: an integer has no fields, they go
    model.setData(model.index(0, COL_OPTIONAL), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtmodeltester.check(model)
    assert model.to_json() == [
        {"name": "field_4", "optional": True},
        {"name": "id", "type": "integer"},
        {
            "name": "customer",
            "type": "object",
            "properties": [{"name": "email", "optional": True}, {"name": "field_3"}],
        },
        {"name": "lines", "type": "integer"},
    ]


def test_a_field_list_read_is_written_back_exactly(qtbot: QtBot) -> None:
    odd: list[dict[str, Any]] = [
        {"type": "string", "name": "a", "control_type": "text", "sticky": True},
        {"name": "b", "of": "x"},
    ]
    editor = SchemaEditor(parse_fieldlist(odd))
    qtbot.addWidget(editor)
    assert text_of(editor) == odd
    assert [list(item) for item in text_of(editor)] == [list(item) for item in odd]


def test_tree_and_text_follow_each_other_and_bad_input_is_said_with_its_path(qtbot: QtBot) -> None:
    editor = SchemaEditor(parse_fieldlist(SCHEMA))
    qtbot.addWidget(editor)
    model = editor.model
    customer = model.index(1, COL_NAME)
    # the tree -> the text
    assert model.setData(model.index(0, COL_NAME, customer), "full_name")
    assert text_of(editor)[1]["properties"][0] == {"name": "full_name"}
    # a duplicate or bad name is refused in words, with the field's number and path; nothing changes
    assert not model.setData(model.index(0, COL_NAME, customer), "email")
    assert editor.problems_label.text() == (
        "Not changed: field 1 (customer.email): duplicate name 'email' (field 2 has it too)"
    )
    assert not model.setData(model.index(0, COL_NAME), " id")
    assert editor.problems_label.text() == "Not changed: field 1: its name ' id' starts or ends with a space"
    assert not model.setData(model.index(1, COL_NAME, model.index(2, 0)), "")
    assert editor.problems_label.text() == "Not changed: field 2 of lines[]: its name is empty"
    assert text_of(editor)[1]["properties"][0] == {"name": "full_name"}
    # the text -> the tree, when it parses and checks
    good = [*SCHEMA, {"name": "note", "optional": True, "hint": "free text"}]
    editor.text.setPlainText(json.dumps(good))
    assert model.rowCount() == 4
    assert model.data(model.index(3, 4)) == "free text"
    assert editor.problems_label.text() == ""
    # a bad text says where and leaves the tree as it was
    editor.text.setPlainText('[{"name": "id"},\n {"name": "x" "type": "string"}]')
    assert model.rowCount() == 4
    assert "line 2, col" in editor.problems_label.text()
    assert editor.text.error_line == 2
    twin = [{"name": "c", "type": "object", "properties": [{"name": "x"}, {"name": "x"}]}]
    editor.text.setPlainText(json.dumps(twin))
    assert "JSON text: field 2 (c.x): duplicate name 'x' (field 1 has it too)" in editor.problems_label.text()
    assert model.rowCount() == 4
    with pytest.raises(ValueError, match=r"schema: JSON text: field 2 \(c\.x\): duplicate name"):
        editor.fields()
    editor.text.setPlainText(json.dumps([{"name": "extra", "type": "array", "of": "number"}]))
    assert model.rowCount() == 1
    # an object with no fields yet is shown in red and refused on save, with its path
    assert model.set_type(model.index(0, COL_TYPE), "object")
    assert editor.problems_label.text() == "field 1 (extra): an object with no fields"
    assert model.data(model.index(0, COL_NAME), Qt.ItemDataRole.ToolTipRole) == (
        "field 1 (extra): an object with no fields"
    )
    with pytest.raises(ValueError, match=r"schema: field 1 \(extra\): an object with no fields"):
        editor.fields()
    editor.tree.setCurrentIndex(model.index(0, COL_NAME))
    editor.add_child()
    assert editor.problems_label.text() == ""
    assert editor.fields() == (Field("extra", "object", properties=(Field("field_1"),)),)
    # a string holds no fields: Add child says so
    editor.tree.setCurrentIndex(model.index(0, COL_NAME, model.index(0, 0)))
    assert not editor.add_child_action.isEnabled()
    assert editor.add_child() is None
    assert "a string has no fields of its own" in editor.problems_label.text()


def test_the_editor_by_keyboard(qtbot: QtBot) -> None:
    editor = SchemaEditor(
        parse_fieldlist([{"name": "a"}, {"name": "b", "type": "object", "properties": [{"name": "c"}]}])
    )
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()  # shortcuts need an active window (offscreen too)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    tree = editor.tree
    tree.setFocus()
    tree.setCurrentIndex(editor.model.index(0, COL_NAME))
    qtbot.keyClick(tree, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Add field: its name is edited
    assert isinstance(QApplication.focusWidget(), QLineEdit)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "total")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tree.state() != QTreeView.State.EditingState)  # the view commits on its next turn
    assert [item["name"] for item in text_of(editor)] == ["a", "total", "b"]
    qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [item["name"] for item in text_of(editor)] == ["total", "a", "b"]
    tree.setCurrentIndex(editor.model.index(2, COL_NAME))
    qtbot.keyClick(tree, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tree.state() != QTreeView.State.EditingState)
    assert [item["name"] for item in text_of(editor)[2]["properties"]] == ["c", "field_2"]
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert [item["name"] for item in text_of(editor)[2]["properties"]] == ["c"]
    tree.setCurrentIndex(editor.model.index(0, COL_OPTIONAL))
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert text_of(editor)[0] == {"name": "total", "optional": True}


def test_a_schema_this_app_cannot_read_is_shown_as_sent_and_never_saved_over(qtbot: QtBot) -> None:
    async def save(settings: TopicSettings) -> Topic:
        raise AssertionError("not saved")

    odd = [{"name": "a", "type": "money"}]
    dialog = TopicDialog(None, profile_name="Dev", topic=Topic(3, "t", schema=odd), save=save)
    qtbot.addWidget(dialog)
    assert json.loads(dialog.editor.text.toPlainText()) == odd
    assert "JSON text: field 1 (a): unknown type 'money'" in dialog.editor.problems_label.text()
    with pytest.raises(ValueError, match="unknown type 'money'"):
        dialog.settings()


def test_every_control_has_an_accessible_name(qtbot: QtBot) -> None:
    async def save(settings: TopicSettings) -> Topic:
        raise AssertionError("not saved")

    dialog = TopicDialog(None, profile_name="Dev", topic=None, save=save)
    qtbot.addWidget(dialog)
    kinds = (QLineEdit, QSpinBox, QComboBox, QPushButton, QToolButton, QTreeView, QPlainTextEdit, QListWidget)
    controls = [w for kind in kinds for w in dialog.findChildren(kind)]
    inner = {w for w in controls if isinstance(w.parent(), QSpinBox | QComboBox)}  # a spin box's own line edit
    unnamed = [type(w).__name__ for w in controls if w not in inner and not w.accessibleName()]
    assert not unnamed, unnamed
    assert dialog.progress.accessibleName() == "Schema test progress"
    assert isinstance(dialog.progress, QProgressBar)

    async def act() -> None:
        raise AssertionError("not done")

    confirm = ConfirmDialog(None, verb="delete", topic=Topic(3, "t"), profile_name="Dev", act=act)
    qtbot.addWidget(confirm)
    controls = [w for kind in kinds for w in confirm.findChildren(kind)]
    assert controls
    assert [w.accessibleName() for w in controls if not w.accessibleName()] == []
    assert confirm.act_button.accessibleName() == "Delete topic"


# ----- the actions in the window ----------------------------------------------------------------------------
def test_the_actions_are_offered_for_workato_profiles_and_their_topics(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer
) -> None:
    async def scenario() -> None:
        ctx.profile_store.upsert(Profile("Qala", "custom", server.url, service="qala", environment_id=next_uuid()))
        topic = make_topic(server, "offered")
        window = await window_on(ctx, server, (topic, "offered"))
        topics = admin(window)
        menu = [a.text() for a in window.menuBar().actions() if a.text() == "&Topics"]
        assert menu
        words = [a.text() for a in window.tree.actions()]
        assert words[-4:] == ["New topic…", "Edit topic…", "Purge topic…", "Delete topic…"]
        assert not any(action.isEnabled() for action in topics.actions)  # nothing selected
        names = [window.tree_model.item(r).text() for r in range(window.tree_model.rowCount())]
        window.tree.setCurrentIndex(window.tree_model.item(names.index("Qala")).index())
        assert not any(action.isEnabled() for action in topics.actions)  # Qala has no Developer API
        topics.new_topic()
        assert "Select a Workato profile" in window.statusBar().currentMessage()
        window.tree.setCurrentIndex(window.tree_model.item(names.index("Dev")).index())
        assert [a.isEnabled() for a in topics.actions] == [True, False, False, False]
        dev = window.tree_model.item(names.index("Dev"))
        window.tree.setCurrentIndex(dev.child(0).index())
        assert all(action.isEnabled() for action in topics.actions)
        await close(window, ctx)

    run(qloop, scenario())


def test_new_topic_with_a_schema_inferred_from_a_json_lines_file(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer, tmp_path: Path
) -> None:
    lines = tmp_path / "sample.jsonl"
    consumed = {"message_id": "m1", "time": "2024-05-01T10:00:00Z", "payload": {"id": 3, "total": 2.5, "code": "x"}}
    lines.write_text('{"id": 1, "total": 10, "code": 7}\n{"id": 2, "total": 4, "tags": ["a"]}\n' + json.dumps(consumed))

    async def scenario() -> None:
        window = await window_on(ctx, server)
        select(window)
        admin(window).new_action.trigger()
        dialog: TopicDialog = await dialog_of(window, TopicDialog, "topic-dialog")
        assert dialog.windowTitle() == "New topic — Dev"
        assert not dialog.editor.infer_messages_action.isEnabled()  # no tab is open
        dialog.name.setText("scratch-file")
        dialog.description.setText("made from a file")
        dialog.retention.setValue(36)
        dialog.retention_unit.setCurrentIndex(dialog.retention_unit.findData(3600))
        assert dialog.retention_words.text() == "messages are kept 36 hours"
        dialog.editor.infer_file_action.trigger()
        [chooser] = [d for d in dialog.findChildren(QFileDialog) if d.isVisible()]
        chooser.selectFile(str(lines))
        chooser.accept()
        await wait_until(lambda: dialog.editor.notes_label.text().startswith("Inferred"), what="the inferred schema")
        notes = dialog.editor.notes_label.text()
        assert notes.startswith("Inferred 4 top-level fields from sample.jsonl (3 messages)")
        assert "`code` has mixed types (a whole number once, text once): typed string" in notes
        expected = [
            {"name": "id", "type": "integer"},
            {"name": "total", "type": "number"},
            {"name": "code", "optional": True},  # a string: the type is left out, as Workato does
            {"name": "tags", "type": "array", "of": "string", "optional": True},
        ]
        assert text_of(dialog.editor) == expected
        dialog.save_button.click()
        await gone(window, TopicDialog, "topic-dialog")
        entry = next(e for e in ctx.workspace.topics_of("Dev") if e.name == "scratch-file")
        topic = await get_topic(server, entry.id)
        assert (topic.schema, topic.retention_secs, topic.description) == (expected, 36 * 3600, "made from a file")
        assert entry.schema == expected
        assert window.statusBar().currentMessage() == (
            f"Dev: created topic {entry.id} ('scratch-file'): 4 top-level fields, messages kept 36 hours."
        )
        await wait_until(lambda: ("Dev", entry.id) in window.views, what="the new topic's tab")
        labels = [window.tree_model.item(0).child(r).text() for r in range(window.tree_model.item(0).rowCount())]
        assert f"scratch-file ({entry.id})" in labels
        await close(window, ctx)

    run(qloop, scenario())


def test_an_inferred_schema_edited_in_the_tree_round_trips_through_the_api(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer
) -> None:
    topic = make_topic(server, "round-trip")
    publish(
        server,
        topic,
        [
            {"order": 1, "customer": {"name": "Ann", "email": "a@x"}, "at": "2024-05-01T10:00:00Z"},
            {"order": 2, "customer": {"name": "Bob"}, "at": "2024-05-02T10:00:00Z"},
            {"order": 3, "customer": {"name": "Cy", "email": "c@x"}, "at": "2024-05-03T10:00:00Z", "spare": True},
        ],
    )

    async def scenario() -> None:
        window = await window_on(ctx, server, (topic, "round-trip"))
        view = await window.open_topic("Dev", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 3, what="three messages in the tab")
        view.table.selectRow(0)
        view.table.selectionModel().select(
            view.model.index(2, 0),
            view.table.selectionModel().SelectionFlag.Select | view.table.selectionModel().SelectionFlag.Rows,
        )
        select(window, topic)
        admin(window).edit_action.trigger()
        dialog: TopicDialog = await dialog_of(window, TopicDialog, "topic-dialog")
        assert dialog.windowTitle() == f"Edit topic {topic} — Dev"
        assert dialog.name.text() == "round-trip"
        editor = dialog.editor
        # from the Publish editor's text (JSON Lines here), with its notes
        assert view.publisher is not None
        view.publisher.editor.setPlainText('{"sku": "A", "qty": 1}\n{"sku": "B", "qty": 2.5, "note": null}')
        editor.infer_publish_action.trigger()
        assert editor.notes_label.text() == (
            "Inferred 3 top-level fields from the Publish editor's text (2 messages); Ctrl+Z in the JSON text brings "
            "the previous schema back.\n"
            "• `note` is null once: Workato's types have no null, so those messages would be refused (made optional: "
            "leave the key out instead of sending null)\n"
            "• `note` was never anything but null: typed string"
        )
        assert [item["name"] for item in text_of(editor)] == ["sku", "qty", "note"]
        # from every message shown when none is selected, then from the selected ones
        selection = view.table.selectionModel().selection()
        view.table.clearSelection()
        editor.infer_messages_action.trigger()
        assert editor.notes_label.text().startswith("Inferred 4 top-level fields from the 3 messages shown in ")
        assert text_of(editor)[3] == {"name": "spare", "type": "boolean", "optional": True}
        view.table.selectionModel().select(selection, view.table.selectionModel().SelectionFlag.Select)
        editor.infer_messages_action.trigger()
        assert editor.notes_label.text().startswith(
            f"Inferred 4 top-level fields from the 2 selected messages shown in round-trip ({topic}) (2 messages)"
        )
        model = editor.model
        assert [model.data(model.index(r, COL_NAME)) for r in range(model.rowCount())] == [
            "order",
            "customer",
            "at",
            "spare",
        ]
        # edit in the tree: a number instead of an integer, a label and a hint, the email optional
        model.setData(model.index(0, COL_TYPE), "number")
        model.setData(model.index(0, 3), "Order number")
        customer = model.index(1, COL_NAME)
        model.setData(
            model.index(1, COL_OPTIONAL, customer), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
        model.setData(model.index(1, 4, customer), "where receipts go")
        shown = text_of(editor)
        assert shown[0] == {"name": "order", "type": "number", "label": "Order number"}
        dialog.save_button.click()
        await gone(window, TopicDialog, "topic-dialog")
        assert (await get_topic(server, topic)).schema == shown
        assert "saved topic" in window.statusBar().currentMessage()
        assert "(schema)" in window.statusBar().currentMessage()
        assert json.loads(view.schema_text.toPlainText()) == shown
        await close(window, ctx)

    run(qloop, scenario())


def order(n: int) -> dict[str, Any]:
    customer = {"name": f"c{n}"} | ({} if n % 7 == 3 else {"email": f"c{n}@example.com"})
    return {"id": n, "customer": customer, "lines": [{"sku": "A", "qty": "1"}]}


def test_a_schema_change_is_tested_first_and_names_the_first_refused_message(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer
) -> None:
    topic = make_topic(server, "tested", SCHEMA)
    ids = publish(server, topic, [order(n) for n in range(30)])
    lacking = [n for n in range(30) if n % 7 == 3]  # 3, 10, 17, 24

    async def edit_email(window: MainWindow, required: bool) -> TopicDialog:
        select(window, topic)
        admin(window).edit_action.trigger()
        dialog: TopicDialog = await dialog_of(window, TopicDialog, "topic-dialog")
        model = dialog.editor.model
        email = model.index(1, COL_OPTIONAL, model.index(1, COL_NAME))
        state = Qt.CheckState.Unchecked if required else Qt.CheckState.Checked
        model.setData(email, state.value, Qt.ItemDataRole.CheckStateRole)
        return dialog

    async def scenario() -> None:
        window = await window_on(ctx, server, (topic, "tested"))
        dialog = await edit_email(window, required=True)
        assert dialog.save_button.text() == "Save"
        dialog.save_button.click()
        answer = (
            f"This change would refuse 4 of the 30 messages in the topic — first: message {ids[lacking[0]]}, "
            "`customer.email` is required. Save anyway, or change the schema (it is tested again)."
        )
        await wait_until(lambda: dialog.status.text() == answer, what="the test's answer")
        assert dialog.save_button.text() == "Save anyway"
        assert dialog.save_button.accessibleName() == "Save anyway"
        assert [dialog.refusals.item(r).text() for r in range(dialog.refusals.count())] == [
            f"message {ids[n]}: `customer.email` is required" for n in lacking
        ]
        assert not dialog.progress.isVisible()
        assert (await get_topic(server, topic)).schema == SCHEMA  # nothing saved yet
        dialog.save_button.click()  # Save anyway: the same schema is not tested again
        await gone(window, TopicDialog, "topic-dialog")
        saved = (await get_topic(server, topic)).schema
        assert saved is not None
        assert saved[1]["properties"][1] == {"name": "email", "optional": False}
        assert window.statusBar().currentMessage().startswith(f"Dev: saved topic {topic} ('tested') (schema)")

        # The Publish panel's history for the topic is checked too, first, and named as the list shows it.
        history = [ItemResult(0, Outcome.FAILED, error="refused")]
        text = json.dumps({"id": "A-1", "customer": {"name": "h", "email": "h@x"}})
        ctx.publishing.add_history("Dev", topic, HistoryEntry.of(datetime.now(UTC), "object", text, history))
        dialog = await edit_email(window, required=False)
        dialog.save_button.click()
        answer = (
            "This change would refuse 1 of the 31 messages in the topic and the Publish history — first: message "
            'history entry 1 item 1, `id` should be a whole number, not text "A-1". Save anyway, or change the '
            "schema (it is tested again)."
        )
        await wait_until(lambda: dialog.status.text() == answer, what="the test's answer")
        # another change of the schema is tested again
        model = dialog.editor.model
        model.setData(model.index(0, COL_TYPE), "string")
        assert dialog.save_button.text() == "Save"
        dialog.save_button.click()
        await wait_until(lambda: "would refuse 31 of the 31" in dialog.status.text(), what="the new answer")
        assert "first: message history entry 1 item 1, `lines` is required" in dialog.status.text()
        dialog.reject()
        await close(window, ctx)

    run(qloop, scenario())


def test_cancel_stops_the_test_says_how_far_it_got_and_save_stays_possible(
    qloop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    topic = Topic(5, "orders", retention_secs=3600, schema=[{"name": "id", "type": "integer"}])
    saved: list[TopicSettings] = []
    reading = asyncio.Event()

    async def test_schema(fields: tuple[Field, ...], progress: Any) -> SchemaTest:
        test = SchemaTest(fields)
        progress(test, test.check([("AbC12", {"id": 1}), ("AbC13", {"id": 2, "customer": {}})]))
        reading.set()
        await asyncio.Event().wait()  # reading on until cancelled
        raise AssertionError("not cancelled")

    async def save(settings: TopicSettings) -> Topic:
        saved.append(settings)
        return Topic(5, settings.name, schema=settings.schema())

    async def scenario() -> None:
        dialog = TopicDialog(None, profile_name="Dev", topic=topic, save=save, test_schema=test_schema)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.retention.value() == 1
        assert dialog.retention_unit.currentText() == "hours"
        dialog.editor.text.setPlainText(
            '[{"name": "id", "type": "integer"}, {"name": "customer", "type": "object", '
            '"properties": [{"name": "name"}]}]'
        )
        dialog.save_button.click()
        await reading.wait()
        assert dialog.progress.isVisible()
        assert dialog.stop_button.isVisible()
        assert not dialog.save_button.isEnabled()
        assert dialog.status.text() == "Testing the new schema: 2 messages read, 2 messages would be refused…"
        dialog.stop_button.click()
        words = (
            "Test cancelled: this change would refuse 2 of the first 2 messages read from the topic — first: message "
            "AbC12, `customer` is required. Save anyway, or change the schema (it is tested again)."
        )
        await wait_until(lambda: dialog.status.text() == words, what="the answer so far")
        assert not dialog.progress.isVisible()
        assert dialog.save_button.isEnabled()
        assert dialog.save_button.text() == "Save anyway"
        dialog.save_button.click()
        await wait_until(lambda: saved, what="the save")
        assert saved[0].changes(topic) == {"schema": saved[0].schema()}

    run(qloop, scenario())


def test_the_apis_refusals_name_the_field(qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer) -> None:
    taken = make_topic(server, "taken")

    async def scenario() -> None:
        window = await window_on(ctx, server, (taken, "taken"))
        select(window)
        admin(window).new_action.trigger()
        dialog: TopicDialog = await dialog_of(window, TopicDialog, "topic-dialog")
        dialog.name.setText(" taken ")
        dialog.save_button.click()
        words = (
            f"The API refused the name 'taken': Name has already been taken (by topic {taken}). Choose another name."
        )
        await wait_until(lambda: dialog.status.text() == words, what="the refusal")
        assert "border" in dialog.name.styleSheet()
        assert dialog.name.toolTip() == f"Name has already been taken (by topic {taken})"
        dialog.name.textEdited.emit("taken2")
        assert dialog.name.styleSheet() == ""
        # bad input before anything is sent: a name, a retention
        dialog.name.setText("   ")
        dialog.save_button.click()
        await wait_until(lambda: dialog.status.text().startswith("name: is empty"), what="the empty name")
        dialog.name.setText("fine")
        dialog.retention.setValue(91)
        assert dialog.retention_words.text() == (
            "91 days is out of range: a topic keeps its messages from 1 minute to 90 days "
            "(give 60 to 7,776,000 seconds (7d is the default))"
        )
        dialog.save_button.click()
        await wait_until(lambda: "retention: 91 days is out of range" in dialog.status.text(), what="the retention")
        dialog.reject()
        await close(window, ctx)

    run(qloop, scenario())


def test_a_schema_the_api_refuses_is_marked_in_the_tree(qloop: qasync.QEventLoop, qtbot: QtBot) -> None:
    refusal = "schema is not a valid Workato schema: field 2 (customer.email): 'email' is not allowed here"

    async def save(settings: TopicSettings) -> Topic:
        raise BadRequestError("x refused the request (400): " + refusal, server_message=refusal, code="invalid_schema")

    async def scenario() -> None:
        dialog = TopicDialog(None, profile_name="Dev", topic=None, save=save)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.name.setText("new")
        dialog.editor.set_fields(parse_fieldlist(SCHEMA))
        dialog.save_button.click()
        await wait_until(lambda: dialog.status.text().startswith("The API refused"), what="the refusal")
        assert dialog.status.text() == f"The API refused the schema at customer.email: {refusal}"
        tree = dialog.editor.tree
        assert dialog.editor.model.node(tree.currentIndex()).path() == "customer.email"
        assert tree.currentIndex().data(Qt.ItemDataRole.ToolTipRole) == "field 2 (customer.email): " + refusal

    run(qloop, scenario())


def test_purge_and_delete_ask_for_the_name_typed_then_clear_and_close_the_tab(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer
) -> None:
    topic = make_topic(server, "Scratch Orders", SCHEMA)
    publish(server, topic, [order(n) for n in range(5)])

    async def confirm(window: MainWindow, verb: str) -> ConfirmDialog:
        select(window, topic)
        action = admin(window).purge_action if verb == "purge" else admin(window).delete_action
        action.trigger()
        dialog: ConfirmDialog = await dialog_of(window, ConfirmDialog, f"{verb}-topic-dialog")
        assert not dialog.act_button.isEnabled()
        dialog.typed.setText("scratch orders")
        assert not dialog.act_button.isEnabled()
        assert dialog.status.text() == (
            "That is not the topic's name: type Scratch Orders exactly (case and spaces count)."
        )
        dialog.typed.setText("Scratch Orders ")
        assert not dialog.act_button.isEnabled()
        dialog.typed.setText("Scratch Orders")
        assert dialog.act_button.isEnabled()
        assert dialog.status.text() == ""
        return dialog

    async def scenario() -> None:
        window = await window_on(ctx, server, (topic, "Scratch Orders"))
        view = await window.open_topic("Dev", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 5, what="five messages in the tab")
        dialog = await confirm(window, "purge")
        assert dialog.words.text() == (
            f"Purge topic {topic} ('Scratch Orders') of Dev?\n\n"
            "Lost: every message the topic retains (it keeps them 7 days). Readers that have not read them yet "
            "never will.\n"
            "Kept: the topic, its name, its schema (3 top-level fields), and the recipes that publish to it or "
            "consume it."
        )
        assert dialog.act_button.text() == "Purge messages"
        dialog.act_button.click()
        await gone(window, ConfirmDialog, "purge-topic-dialog")
        assert view.model.rowCount() == 0
        with api(server) as http:
            assert http.post(f"/api/v1/topics/{topic}/consume", json={}).json() == {"messages": []}
        assert window.statusBar().currentMessage() == (
            f"Dev: purged topic {topic} ('Scratch Orders'): its messages are deleted; the topic and its schema stay."
        )
        after = publish(server, topic, [order(7)])
        await wait_until(lambda: view.model.rowCount() == 1, what="the tab reading on after the purge")
        row = view.model.row_at(0)
        assert row is not None
        assert row.message_id == after[0]

        dialog = await confirm(window, "delete")
        assert "Lost: the topic, every message it retains (it keeps them 7 days), and its schema" in (
            dialog.words.text()
        )
        assert "Recipes that publish to it or consume it stop working" in dialog.words.text()
        dialog.act_button.click()
        await gone(window, ConfirmDialog, "delete-topic-dialog")
        await wait_until(lambda: ("Dev", topic) not in window.views, what="the tab closed")
        with pytest.raises(NotFoundError):
            await get_topic(server, topic)
        assert ctx.workspace.topic("Dev", topic) is None
        assert window.tree_model.item(0).rowCount() == 0
        assert window.statusBar().currentMessage() == (
            f"Dev: deleted topic {topic} ('Scratch Orders') with its messages and its schema."
        )
        await close(window, ctx)

    run(qloop, scenario())


def test_a_saved_schema_reaches_the_open_tab_its_marks_and_its_publish_check(
    qloop: qasync.QEventLoop, ctx: AppContext, server: EmulatorServer
) -> None:
    """Edit topic… → Save anyway: the topic's open tab marks the messages the new schema refuses, and its Publish
    page checks the draft against the new schema, without reopening the tab."""
    topic = make_topic(server, "marked", SCHEMA)
    publish(server, topic, [order(n) for n in range(30)])
    lacking = [n for n in range(30) if n % 7 == 3]

    async def scenario() -> None:
        window = await window_on(ctx, server, (topic, "marked"))
        view = await window.open_topic("Dev", topic)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.model.rowCount() == 30, what="the topic's messages")
        assert view.publisher.schema is None  # the tab knows no schema yet: nothing is marked
        assert all(view.model.schema_problem(row) is None for row in map(view.model.row_at, range(30)) if row)

        select(window, topic)
        admin(window).edit_action.trigger()
        dialog: TopicDialog = await dialog_of(window, TopicDialog, "topic-dialog")
        model = dialog.editor.model
        email = model.index(1, COL_OPTIONAL, model.index(1, COL_NAME))
        model.setData(email, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
        dialog.save_button.click()
        await wait_until(lambda: dialog.save_button.text() == "Save anyway", what="the test's answer")
        dialog.save_button.click()
        await gone(window, TopicDialog, "topic-dialog")

        rows = [view.model.row_at(r) for r in range(view.model.rowCount())]
        marked = [n for n, row in enumerate(rows) if row is not None and view.model.schema_problem(row) is not None]
        assert marked == lacking
        assert view.publisher.schema is not None
        assert "email" in json.dumps(view.publisher.schema)
        view.publisher.set_text(json.dumps(order(3)))  # one of the messages that lack the email
        parsed = view.publisher.check()
        assert parsed is not None  # still JSON to publish, and the new schema's problem is named
        assert any("email" in problem for problem in view.publisher.schema_problems(parsed))
        await close(window, ctx)

    run(qloop, scenario())

"""Messages that break the topic's current schema (issue 17): the schema changes after they were published, and the
topic tab marks them in the table, names the failing path in the detail, and filters "Schema violations only".
Against the emulator over HTTP: messages published first, the schema changed through the Developer API after."""

from __future__ import annotations

from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from inspector.core.fieldlist import parse_fieldlist
from inspector.core.filtering import SchemaFilter, TextFilter, row_problems
from inspector.core.models import Message, Topic
from inspector.core.profiles import Profile
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.topic import model as model_module
from inspector.ui.topic.model import COL_ID, COL_NUMBER, MessageTableModel, SchemaState
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, local_profile, publish, run
from tests.gui.test_topic_tab import START, activate, finish, lone_view
from tests.helpers import wait_until

SCHEMA: list[dict[str, Any]] = [
    {"name": "id", "type": "integer"},
    {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email"}]},
]
PAYLOADS: list[dict[str, Any]] = [
    {"id": 1, "customer": {"name": "Ana", "email": "ana@example.com"}},  # matches
    {"id": 2, "customer": {"name": "Bo"}},  # customer.email is required
    {"id": "3", "customer": {"name": "Cy", "email": "cy@example.com"}},  # id is text
    {"id": 4, "customer": {"name": "Di", "email": "di@example.com"}},  # matches
    {"id": "<i>x</i>", "customer": "<b>Bo</b>"},  # two problems, quoting text that looks like markup
]
EMAIL = "`customer.email` is required"
ID_TEXT = '`id` should be a whole number, not text "3"'
CURRENT = "Does not match the topic's current schema"
DECORATION = Qt.ItemDataRole.DecorationRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole


async def change_schema(ctx: AppContext, profile: Profile, topic: int, schema: list[dict[str, Any]]) -> Topic:
    """Change the topic's schema through the Developer API, as Edit topic… does."""
    token = await ctx.token_source(profile)
    assert token
    return await ctx.developer_client(profile, token).update_topic(topic, schema=schema)


async def published_then_changed(ctx: AppContext, emulator: EmulatorServer, topic: int) -> tuple[TopicView, Topic]:
    """A tab reading the topic's messages, published without a schema; then the schema is set (not yet told to
    the tab)."""
    view = await lone_view(ctx, emulator, topic)
    view.session.start()
    publish(emulator, topic, *PAYLOADS)
    await wait_until(lambda: view.model.rowCount() == len(PAYLOADS), what="the messages")
    profile = ctx.profile("Local")
    assert profile is not None
    changed = await change_schema(ctx, profile, topic, SCHEMA)
    assert changed.schema == SCHEMA
    return view, changed


def states(view: TopicView) -> list[SchemaState]:
    model = view.model
    rows = [model.row_at(n) for n in range(model.rowCount())]
    return [model.schema_state(row) for row in rows if row is not None]


def cell(view: TopicView, row: int, role: Qt.ItemDataRole, column: int = COL_NUMBER) -> Any:
    return view.model.data(view.model.index(row, column), role)


def shown_ids(view: TopicView) -> list[str]:
    return [view.model.data(view.model.index(r, COL_ID)) for r in range(view.model.rowCount())]


def test_old_messages_are_marked_when_the_schema_changes(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        view, changed = await published_then_changed(ctx, emulator, topic)
        # no schema known to the tab yet: nothing is checked, nothing marked, the filter cannot be chosen
        assert view.model.schema is None
        assert set(states(view)) == {SchemaState.UNKNOWN}
        assert cell(view, 1, DECORATION) is None
        assert not view.filter_bar.schema_action.isEnabled()
        assert "No schema is known" in view.filter_bar.schema_action.toolTip()
        qtmodeltester.check(view.model)

        assert view.set_schema(changed.schema)  # what Edit topic… does once it saved
        assert states(view) == [
            SchemaState.MATCHES,
            SchemaState.VIOLATES,
            SchemaState.VIOLATES,
            SchemaState.MATCHES,
            SchemaState.VIOLATES,
        ]
        assert view.filter_bar.schema_action.isEnabled()
        # the marker: the style's warning icon in the # column, and the words in its tooltip and for screen readers
        icon = cell(view, 1, DECORATION)
        assert isinstance(icon, QIcon)
        assert not icon.isNull()
        assert cell(view, 0, DECORATION) is None
        assert cell(view, 1, DECORATION, column=COL_ID) is None
        assert cell(view, 1, TOOLTIP) == f"{CURRENT}: {EMAIL}"
        assert cell(view, 2, DESCRIPTION) == f"{CURRENT}: {ID_TEXT}"
        assert cell(view, 0, TOOLTIP) is None
        assert "&lt;i&gt;x&lt;/i&gt;" in cell(view, 4, TOOLTIP)  # the payload's text stays plain in the tooltip
        problem = view.model.schema_problem(view.model.all_rows()[1])
        assert problem is not None
        assert (problem.path, problem.words) == ("customer.email", EMAIL)
        qtmodeltester.check(view.model)

        # the detail: a line under the header with the failing path and its words, for the selected message only
        line = view.detail.schema_line
        view.table.selectRow(1)
        assert line.isVisible()
        assert line.text() == f"{CURRENT}: {EMAIL}"
        assert line.accessibleName() == line.text()
        assert line.textFormat() == Qt.TextFormat.PlainText
        view.table.selectRow(4)
        assert line.text() == (
            f'{CURRENT}: `id` should be a whole number, not text "<i>x</i>"; '
            '`customer` should be an object, not text "<b>Bo</b>"'
        )
        view.table.selectRow(0)
        assert not line.isVisible()
        assert line.text() == ""

        # messages published after the change follow it (the emulator refuses the others) and are not marked
        fresh = publish(emulator, topic, {"id": 6, "customer": {"name": "Ed", "email": "ed@example.com"}})
        await wait_until(lambda: view.model.rowCount() == 6, what="the new message")
        assert shown_ids(view)[-1] == fresh[0]
        assert states(view)[-1] is SchemaState.MATCHES

        # the schema changes again (email optional now): the marks and the open detail follow at once
        relaxed = [SCHEMA[0], {**SCHEMA[1], "properties": [{"name": "name"}, {"name": "email", "optional": True}]}]
        view.table.selectRow(1)
        assert line.isVisible()
        assert view.set_schema(parse_fieldlist(relaxed))  # Field objects do too
        assert states(view)[1] is SchemaState.MATCHES
        assert cell(view, 1, DECORATION) is None
        assert not line.isVisible()
        assert '"optional": true' in view.schema_text.toPlainText()
        # no schema any more: nothing is checked, the Schema tab says so
        assert not view.set_schema(None)
        assert set(states(view)) == {SchemaState.UNKNOWN}
        assert view.schema_text.toPlainText() == "No schema is known for this topic."
        qtmodeltester.check(view.model)
        await finish(view, ctx)

    run(qloop, scenario())


def test_schema_violations_only_combines_with_the_text_and_jmespath_filters(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        view, changed = await published_then_changed(ctx, emulator, topic)
        everything = shown_ids(view)
        bar = view.filter_bar
        assert bar.schema_button.accessibleName() == "Schema violations only" == bar.schema_button.text()
        assert bar.schema_action in view.tab_actions()  # so the window's Message menu lists it
        view.set_schema(changed.schema)

        qtbot.mouseClick(bar.schema_button, Qt.MouseButton.LeftButton)  # alone
        assert bar.schema_action.isChecked()
        await wait_until(view.filter_done)
        assert shown_ids(view) == [everything[1], everything[2], everything[4]]
        assert view.match_label.text() == "3 of 5 violate the schema"
        assert view.match_label.width() >= view.match_label.sizeHint().width()  # the words are not cut

        view.filter_edit.setText('"name"')  # with a text filter: its matches among the violations, marked
        view.apply_filter()
        await wait_until(view.filter_done)
        assert shown_ids(view) == [everything[1], everything[2]]
        assert view.match_label.text() == "2 of 5 match and violate the schema"
        assert view.table.match_delegate.spans is not None

        view.filter_mode.setCurrentIndex(view.filter_mode.findData("jmespath"))
        view.filter_edit.setText("payload.id == '<i>x</i>'")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert shown_ids(view) == [everything[4]]
        assert view.match_label.text() == "1 of 5 matches and violates the schema"
        assert view.table.match_delegate.spans is None

        view.filter_edit.setText("")  # the text filter off: the violations alone again, new ones as they come
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 3
        publish(emulator, topic, {"id": 7, "customer": {"name": "Fay", "email": "fay@example.com"}})
        await wait_until(lambda: view.model.total == 6, what="the new message")
        assert view.model.rowCount() == 3  # it matches the schema: not shown
        view.filter_bar.update_count()
        assert view.match_label.text() == "3 of 6 violate the schema"

        bar.schema_action.setChecked(False)  # off: every message
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 6
        assert view.match_label.text() == "6 messages"

        bar.schema_action.setChecked(True)
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 3
        await activate(view)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_Escape)  # Clear filter: every message shown, schema or not
        assert not bar.schema_action.isChecked()
        assert view.model.rowCount() == 6

        bar.schema_action.setChecked(True)
        await wait_until(view.filter_done)
        assert view.model.rowCount() == 3
        view.set_schema(None)  # the schema is gone: the choice is off and cannot be made
        assert not bar.schema_action.isChecked()
        assert not bar.schema_action.isEnabled()
        assert view.model.rowCount() == 6
        await finish(view, ctx)

    run(qloop, scenario())


def test_a_tab_opened_after_the_topics_are_listed_again_marks_at_once(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        profile = await local_profile(ctx, emulator, topic)
        publish(emulator, topic, *PAYLOADS)
        await change_schema(ctx, profile, topic, SCHEMA)
        window = MainWindow(ctx)
        window.show()
        assert await window.list_topics(profile) >= 1  # the topic's current schema, from the Developer API
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == len(PAYLOADS), what="the messages")
        assert [s.value for s in states(view)] == ["matches", "violates", "violates", "matches", "violates"]
        view.table.selectRow(2)
        assert view.detail.schema_line.text() == f"{CURRENT}: {ID_TEXT}"
        await close(window, ctx)

    run(qloop, scenario())


def test_a_schema_that_cannot_be_read_is_said_and_checks_nothing(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        view = await lone_view(ctx, emulator, topic)
        assert not view.set_schema('[{"name": "id", "type": "integer"}, {"name": "id"}]')
        assert view.notice.isVisible()
        words = view.notice.text()
        assert words.startswith("The topic's schema cannot be read, so its messages are not checked against it:")
        assert "field 2 (id): duplicate name 'id'" in words
        assert "hint: rename one of the two" in words
        assert not view.filter_bar.schema_action.isEnabled()
        assert "duplicate name" in view.filter_bar.schema_action.toolTip()
        assert view.model.schema is None
        assert not view.set_schema('[{"name": "id",')
        assert "is not valid JSON (line 1" in view.notice.text()

        assert view.set_schema('[{"name": "id", "type": "integer"}]')  # JSON text works too
        assert not view.notice.isVisible()
        assert view.filter_bar.schema_action.isEnabled()
        assert view.filter_bar.schema_action.toolTip().startswith("Show only the messages that do not match")
        assert view.schema_text.toPlainText() == '[{"name": "id", "type": "integer"}]'
        await finish(view, ctx)

    run(qloop, scenario())


def test_rows_are_checked_when_painted_not_when_inserted(
    qtbot: QtBot, qtmodeltester: ModelTester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live ingest pays nothing for the schema: a row is checked when it is painted or shown, once while it is in
    a small cache."""
    calls: list[int] = []

    def counted(fields: Any, row: Any, *, limit: int = 20) -> Any:
        calls.append(row[0])
        return row_problems(fields, row, limit=limit)

    monkeypatch.setattr(model_module, "row_problems", counted)
    monkeypatch.setattr(model_module, "SCHEMA_CACHE", 3)
    model = MessageTableModel()
    model.set_schema(parse_fieldlist(SCHEMA))
    model.append([Message(f"M{n}", START, payload) for n, payload in enumerate(PAYLOADS)])
    assert calls == []  # inserting checks nothing
    index = model.index(1, COL_NUMBER)
    assert isinstance(model.data(index, DECORATION), QIcon)
    assert model.data(index, TOOLTIP) == f"{CURRENT}: {EMAIL}"
    assert calls == [1]  # checked once, then kept
    for n in (0, 2, 3):
        model.data(model.index(n, COL_NUMBER), DECORATION)
    assert calls == [1, 0, 2, 3]
    model.data(index, DECORATION)  # the cache holds three: row 1, checked first, went first
    assert calls == [1, 0, 2, 3, 1]
    qtmodeltester.check(model)


def test_the_filter_and_the_check_read_every_payload_json_does() -> None:
    fields = parse_fieldlist([{"name": "n", "type": "integer"}])
    big = (0, "M0", 0.0, '{"n":123456789012345678901234567890}', 36, "")  # beyond orjson's 64 bits
    deep = (1, "M1", 0.0, "[" * 5000 + "]" * 5000, 10_000, "")
    text = (2, "M2", 0.0, '{"n":"7"}', 9, "")
    assert row_problems(fields, big) == []
    assert [p.words for p in row_problems(fields, deep)] == ["the payload is nested too deeply to check"]
    assert [p.words for p in row_problems(fields, text)] == ['`n` should be a whole number, not text "7"']
    assert SchemaFilter(fields).matching([big, deep, text]) == [1, 2]
    assert SchemaFilter(fields, TextFilter("7")).matching([big, deep, text]) == [2]
    assert SchemaFilter(fields, TextFilter("7"))(text)
    assert not SchemaFilter(fields)(big)

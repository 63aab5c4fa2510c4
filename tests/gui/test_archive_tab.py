"""The message archive in the topic tab (issue 18): what the tail receives is kept once, a reopened tab shows it at
once and its tail goes on after the newest (no gap, no duplicate), offline too, older messages load as the user
scrolls up, a profile with the archive off keeps nothing, and a damaged archive is set aside in words. Against a
real emulator over HTTP; the archive filled through the core where a test needs more than a tail brings."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from inspector.core.archive import Archive, ArchivedMessage, default_path, message_rows, profile_address
from inspector.core.filtering import make_filter
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.rows import compact_json
from inspector.core.secrets import KeyringStore
from inspector.emulator.server import EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.history import table_row
from inspector.ui.topic.model import COL_ID, COL_NUMBER, MessageTableModel
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, ids, local_profile, publish, publish_batches, run
from tests.helpers import InMemoryKeyring, free_port, wait_until
from tests.integration.test_app_killed import (
    Publisher,
    check_app_folder,
    http_publish,
    kill,
    saved_home,
    start_app,
    wait_for,
)

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def archived(count: int, first: int = 0) -> list[Message]:
    return [Message(f"A{n:05d}", START + timedelta(seconds=n), {"n": n}) for n in range(first, first + count)]


def fill(address: str, topic: int, messages: list[Message]) -> None:
    """Messages in the app's archive, as a tail of an earlier run kept them."""
    with Archive(default_path()) as archive:
        for start in range(0, len(messages), 1000):
            archive.write([(address, topic, message_rows(messages[start : start + 1000]))])


async def archive_count(ctx: AppContext, address: str, topic: int) -> int:
    """The topic's archived messages once everything queued is committed."""
    archive = await ctx.open_archive()
    assert archive is not None
    assert ctx.archive_writer is not None
    assert await asyncio.to_thread(ctx.archive_writer.flush, 10)
    return await asyncio.to_thread(archive.count, address, topic)


def numbers(view: TopicView) -> list[int]:
    return [view.model.data(view.model.index(r, COL_NUMBER)) for r in range(view.model.rowCount())]


async def window_with(ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    window.resize(1024, 700)
    window.show()
    return window


def test_messages_tailed_are_archived_once(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        profile = await local_profile(ctx, emulator, topic)
        address = profile_address(profile)
        window = await window_with(ctx)
        view = await window.open_topic("Local", topic)
        assert view is not None
        sent = publish(emulator, topic, *({"n": n} for n in range(5)))
        await wait_until(lambda: view.model.rowCount() == 5, what="the messages")
        assert await archive_count(ctx, address, topic) == 5
        # Start again from the start of retention: the tail receives the five again; the archive keeps them once
        view.start_choice.setCurrentIndex(view.start_choice.findData("beginning"))
        view.restart()
        await wait_until(lambda: view.model.rowCount() == 5, what="the messages read again")
        await asyncio.sleep(0.2)
        assert ids(view) == sent
        assert await archive_count(ctx, address, topic) == 5
        await close(window, ctx)

    run(qloop, scenario())


def test_a_backlog_is_archived_once_it_has_poured_in(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        profile = await local_profile(ctx, emulator, topic)
        publish_batches(emulator, topic, 3000)  # thousands a second into the table: the writer waits its turn
        window = await window_with(ctx)
        view = await window.open_topic("Local", topic)
        assert view is not None
        archive = view.session.archive
        await wait_until(lambda: view.model.rowCount() == 3000, what="the backlog")
        await wait_until(lambda: archive is not None and not archive.busy, what="the backlog poured in")
        assert await archive_count(ctx, profile_address(profile), topic) == 3000
        # what busy does, step by step: batches held, then handed over in order once it has poured in
        writer = ctx.archive_writer
        assert archive is not None
        assert writer is not None
        added = writer.added
        archive.busy = True
        rows = view.model.make_rows(archived(3, first=90_000))
        archive.keep(rows[:2])
        archive.keep(rows[2:])
        assert writer.added == added
        archive.busy = False
        assert writer.added == added + 3
        assert await archive_count(ctx, profile_address(profile), topic) == 3003
        await close(window, ctx)

    run(qloop, scenario())


def test_a_reopened_tab_shows_the_archive_at_once_and_goes_on_after_its_newest(
    qloop: qasync.QEventLoop, keyring_backend: InMemoryKeyring, emulator: EmulatorServer, topic: int
) -> None:
    async def first_run() -> list[str]:
        ctx = AppContext(keyring_store=KeyringStore(keyring_backend))
        await local_profile(ctx, emulator, topic)
        window = await window_with(ctx)
        view = await window.open_topic("Local", topic)
        assert view is not None
        publish_batches(emulator, topic, 30)
        await wait_until(lambda: view.model.rowCount() == 30, what="the first run's messages")
        seen = ids(view)
        await close(window, ctx)
        return seen

    async def second_run(stale_cursor: str) -> tuple[list[str], list[int]]:
        ctx = AppContext(keyring_store=KeyringStore(keyring_backend))
        entry = ctx.workspace.topic("Local", topic)
        assert entry is not None
        entry.cursor = stale_cursor  # as a kill leaves it: the workspace saved before the last messages came
        window = await window_with(ctx)
        await window.start_background()  # reopens the saved tab
        view = window.views[("Local", topic)]
        await wait_until(lambda: view.model.rowCount() == 35, what="the archive and the new messages")
        await asyncio.sleep(0.3)  # nothing more comes: no duplicate
        got, shown = ids(view), numbers(view)
        await close(window, ctx)
        return got, shown

    first = qloop.run_until_complete(first_run())
    later = publish(emulator, topic, *({"n": n} for n in range(30, 35)))  # while the window was closed
    got, shown = qloop.run_until_complete(second_run(first[9]))
    assert got == first + later
    assert shown == list(range(1, 36))  # numbered by their place in the topic's archive


def test_the_archive_is_shown_offline_with_the_status_saying_so(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        no_token = ctx.profile_store.upsert(Profile("NoToken", "custom", emulator.url, rate_limit_rpm=0))
        ctx.workspace.add_topic("NoToken", topic, "mine")
        down = ctx.profile_store.upsert(Profile("Down", "custom", f"http://127.0.0.1:{free_port()}", rate_limit_rpm=0))
        await ctx.set_token(down, "not-sent-anywhere-that-answers")
        ctx.workspace.add_topic("Down", topic, "mine")
        fill(profile_address(no_token), topic, archived(3))
        fill(profile_address(down), topic, archived(2, first=10))
        window = await window_with(ctx)

        offline = await window.open_topic("NoToken", topic)
        assert offline is not None
        await wait_until(lambda: offline.model.rowCount() == 3, what="the archive without a token")
        assert ids(offline) == ["A00000", "A00001", "A00002"]
        await wait_until(lambda: "showing 3 archived messages" in offline.session.status.text, what="the words")
        assert "no token for 'NoToken'" in offline.session.status.text
        assert offline.token_bar.isVisible()

        unreachable = await window.open_topic("Down", topic)
        assert unreachable is not None
        await wait_until(lambda: unreachable.model.rowCount() == 2, what="the archive with the server down")
        await wait_until(lambda: unreachable.session.status.kind == "backoff", what="reconnecting")
        window.update_status_bar()
        assert "showing 2 archived messages" in unreachable.status_label.accessibleName()
        await close(window, ctx)

    run(qloop, scenario())


def test_scrolling_up_loads_older_messages_from_the_archive(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Offline", "custom", emulator.url, rate_limit_rpm=0))
        ctx.workspace.add_topic("Offline", topic, "mine")
        ctx.workspace.row_cap = 1000
        fill(profile_address(profile), topic, archived(2500))
        window = await window_with(ctx)
        view = await window.open_topic("Offline", topic)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 1000, what="the newest 1,000")
        await asyncio.sleep(0.2)
        assert view.model.rowCount() == 1000  # the row limit
        assert numbers(view)[0] == 1501
        assert ids(view)[-1] == "A02499"
        assert view.match_label.text() == "1,000 shown (older in the archive)"

        # the scroll bar dragged to the top: the page before goes in above, the rows on screen stay put
        bar = view.table.verticalScrollBar()
        bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)
        await wait_until(lambda: view.model.rowCount() == 2000, what="the page before")
        assert view.table.rowAt(0) == 1000
        assert view.model.data(view.model.index(1000, COL_ID)) == "A01500"
        assert view.model.data(view.model.index(0, COL_NUMBER)) == 501
        assert view.match_label.text() == "2,000 shown (older in the archive)"
        assert view.notice.isHidden()  # not "N new ↓", not dropped rows
        assert view.table.new_button.isHidden()

        # by keyboard: Up on the first row
        view.table.setFocus()
        view.table.selectRow(0)
        bar.setValue(0)
        qtbot.keyClick(view.table, Qt.Key.Key_Up)
        await wait_until(lambda: view.model.rowCount() == 2500, what="the oldest page")
        assert ids(view)[:2] == ["A00000", "A00001"]
        assert numbers(view) == list(range(1, 2501))
        assert view.match_label.text() == "2,500 messages"  # nothing older
        bar.setValue(0)
        qtbot.keyClick(view.table, Qt.Key.Key_Up)
        await asyncio.sleep(0.3)
        assert view.model.rowCount() == 2500
        await close(window, ctx)

    run(qloop, scenario())


def test_a_profile_with_the_archive_off_keeps_and_shows_nothing(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Private", "custom", emulator.url, rate_limit_rpm=0, archive=False))
        await ctx.set_token(profile, emulator.token)
        ctx.workspace.add_topic("Private", topic, "mine")
        window = await window_with(ctx)
        view = await window.open_topic("Private", topic)
        assert view is not None
        publish(emulator, topic, {"secret": 1}, {"secret": 2})
        await wait_until(lambda: view.model.rowCount() == 2, what="the messages")
        await asyncio.sleep(0.3)
        assert ctx.archive_writer is None  # never opened: nothing asked for it
        assert not default_path().exists()
        assert view.match_label.text() == "2 messages"
        await close(window, ctx)

    run(qloop, scenario())


def test_a_damaged_archive_is_set_aside_and_new_messages_are_kept(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not an SQLite database, and never was " * 200)

    async def scenario() -> None:
        profile = await local_profile(ctx, emulator, topic)
        window = await window_with(ctx)
        view = await window.open_topic("Local", topic)
        assert view is not None
        sent = publish(emulator, topic, {"n": 1}, {"n": 2})
        await wait_until(lambda: view.model.rowCount() == 2, what="the messages")
        await wait_until(lambda: "could not be read" in window.statusBar().currentMessage(), what="the status bar")
        words = window.statusBar().currentMessage()
        assert f"It was kept as {path}.broken-" in words
        assert "a new, empty archive was started" in words
        assert view.notice.isVisible()
        assert view.notice.text() == words
        assert ids(view) == sent
        assert await archive_count(ctx, profile_address(profile), topic) == 2
        await close(window, ctx)

    run(qloop, scenario())
    assert [p.name.split(".broken-")[0] for p in Path(path.parent).glob("archive.sqlite.broken-*")] == [
        "archive.sqlite"
    ]


@pytest.mark.slow
def test_the_window_killed_while_tailing_goes_on_after_the_newest_archived_message(
    emulator: EmulatorServer, topic: int, app_home: Path, tmp_path: Path
) -> None:
    """SIGKILL while messages pour in, then start again: the archive holds every message, in order, once."""
    saved_home(app_home, emulator.url, topic)
    address, log = profile_address(Profile("Local", "custom", emulator.url)), tmp_path / "app.log"

    def kept() -> list[str]:
        with Archive(default_path()) as archive:
            return [m.message_id for m in archive.newest(address, topic, 100_000)]

    app = start_app(app_home, emulator.token, log)
    try:
        with Publisher(emulator, topic) as publisher:
            wait_for(lambda: default_path().exists() and len(kept()) >= 20, 25, "20 archived messages", app)
            assert kill(app) == -signal.SIGKILL
        sent = publisher.ids
    finally:
        kill(app)
    check_app_folder(app_home)  # the archive passes its integrity check
    before = kept()
    assert before == sent[: len(before)]  # every message up to the last batch committed, in order

    app = start_app(app_home, emulator.token, log)
    try:
        sent += [http_publish(emulator, topic, {"after": n}) for n in range(5)]
        wait_for(lambda: len(kept()) >= len(sent), 25, "every message archived", app)
        time.sleep(0.5)  # nothing more comes
        assert kill(app) == -signal.SIGKILL
    finally:
        kill(app)
    assert kept() == sent  # nothing missing, nothing twice


def test_the_model_takes_older_rows_above_within_and_beyond_its_cap(qtmodeltester: ModelTester) -> None:
    rows = [message.raw_row(n) for n, message in enumerate(as_archived(archived(40)))]
    model = MessageTableModel(row_cap=20)
    qtmodeltester.check(model)
    model.append_rows(rows[30:])
    assert model.first_seq() == 30
    assert model.next_seq() == 40
    made = model.make_rows(archived(5, first=40))
    assert [row[0] for row in made] == [40, 41, 42, 43, 44]  # the tail's rows number on after the archive's
    assert model.prepend_rows(rows[:25]) == 0  # not the rows just above the first
    assert model.prepend_rows(rows[15:30]) == 10  # within the cap: the newest that fit
    assert model.first_seq() == 20
    assert model.rowCount() == 20
    qtmodeltester.check(model)
    model.set_filter(make_filter("text", '"n":1'))  # 10 to 19 are not held; 1 is not either
    assert model.rowCount() == 0
    assert model.prepend_rows(rows[10:20], beyond_cap=True) == 10
    assert model.rowCount() == 10
    assert model.data(model.index(0, COL_NUMBER)) == 11
    assert model.extra == 10
    assert model.total == 30
    qtmodeltester.check(model)
    model.set_filter(None)
    model.append_rows(made)
    assert model.total == 30
    assert model.first_seq() == 15
    qtmodeltester.check(model)
    model.clear()
    assert model.extra == 0
    assert not model.older_in_archive


def test_a_page_of_the_archive_makes_the_rows_its_messages_make(tmp_path: Path) -> None:
    """``Archive.page`` (plain tuples, for pages of 100,000) gives the table the rows ``ArchivedMessage`` would."""
    sent = [*archived(3), Message("Ü1", START, {"name": "Zoë", "text": "line\nbreak"})]
    with Archive(tmp_path / "archive.sqlite") as archive:
        archive.write([("https://example.com", 7, message_rows(sent))])
        messages = archive.newest("https://example.com", 7, 10)
        page = archive.page("https://example.com", 7, None, 10)
        assert [table_row(n, item) for n, item in enumerate(page)] == [m.raw_row(n) for n, m in enumerate(messages)]
        assert archive.page("https://example.com", 7, messages[2].key, 10) == page[:2]
        assert archive.key_of("https://example.com", 7, "A00001") == messages[1].key
        assert archive.key_of("https://example.com", 7, "nope") is None
        assert archive.count("https://example.com", 7, before_key=messages[3].key) == 3
    assert table_row(0, page[3])[4] == len(page[3][4].encode())  # the size in bytes, not characters


def as_archived(messages: list[Message]) -> list[ArchivedMessage]:
    """Messages as the archive gives them back, keys in order."""
    return [
        ArchivedMessage(n + 1, "local", 1, m.message_id, m.time_rfc3339, round(m.time.timestamp() * 1e6), 0, text)
        for n, m in enumerate(messages)
        for text in (compact_json(m.payload),)
    ]

"""The archive in the window (issue 18): the Search tab (words, prefixes, phrases, JMESPath, time range, topics;
hits as they come; Cancel), its actions (Export, Compare, Replay to…, Edit & resend), Import into archive…, the
first-time banner, per-profile and global settings, the caps' prune, Forget this topic / everything, and the
accessible names of every control. The archive is filled through the core's API; the window reads it as it does
a tail's, over the emulator's HTTP for Replay and Edit & resend."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from inspector.core.archive import (
    IMPORT_TOPIC,
    Archive,
    ArchivedMessage,
    default_path,
    message_rows,
    profile_address,
)
from inspector.core.archive.database import FILE_NAME
from inspector.core.export import export_messages, import_file
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.secrets import KeyringStore
from inspector.emulator.server import EmulatorServer
from inspector.ui.archive.base import ARCHIVE_FILE, archive_path
from inspector.ui.archive.dialogs import ImportDialog, SettingsDialog
from inspector.ui.archive.search import SEARCH_KEY, SearchPanel
from inspector.ui.archive.shared import app_archive
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.diff import DiffDialog
from tests.gui.test_accessibility import unnamed
from tests.gui.test_main_window import close, local_profile, publish, run
from tests.helpers import InMemoryKeyring, wait_until

START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
DAY_US = 86_400_000_000


def payload(n: int) -> dict[str, Any]:
    """Fixed, varied payloads: every fourth one a declined payment."""
    return {
        "order": 1000 + n,
        "status": ("paid", "failed", "shipped")[n % 3],
        "total": n * 10,
        "note": "payment declined, retry later" if n % 4 == 0 else "order shipped to Lisbon",
    }


def archived(address: str, topic: int, count: int, *, prefix: str = "m", received_us: int | None = None) -> list[str]:
    """``count`` messages of ``topic`` written to the app's archive (one a minute from START); their ids."""
    messages = [Message(f"{prefix}{n}", START + timedelta(minutes=n), payload(n)) for n in range(count)]
    with Archive() as archive:
        archive.write([(address, topic, message_rows(messages))], received_us=received_us)
    return [m.message_id for m in messages]


def stored(address: str, topic: int) -> int:
    with Archive() as archive:
        return archive.count(address, topic)


def replayed(server: EmulatorServer, topic: int) -> list[dict[str, Any]]:
    """The payloads in the emulator's topic."""
    assert server.store is not None
    row = server.store.get_topic(topic)
    assert row is not None
    return [json.loads(m.payload) for m in server.store.read(row, limit=100)]


async def shown(ctx: AppContext, emulator: EmulatorServer, topic: int) -> tuple[MainWindow, Profile]:
    profile = await local_profile(ctx, emulator, topic)
    window = MainWindow(ctx)
    window.show()
    return window, profile


async def searched(panel: SearchPanel, words: str = "", *, jmespath: str = "", since: str = "", until: str = "") -> str:
    """Search with these fields; the words saying how it went (or the error's)."""
    panel.form.words.setText(words)
    panel.form.jmespath.setText(jmespath)
    panel.form.since.setText(since)
    panel.form.until.setText(until)
    panel.form.search_button.click()
    await wait_until(lambda: panel.run is None and not panel.tasks.busy, what="the search to end")
    return panel.form.error.text() if panel.form.error.isVisibleTo(panel) else panel.form.status.text()


def ids(panel: SearchPanel) -> list[str]:
    return [hit.message_id for hit in panel.model.hits()]


async def search_tab(window: MainWindow) -> SearchPanel:
    window.archive_actions.search_action.trigger()
    panel = window.service_views[SEARCH_KEY]
    assert isinstance(panel, SearchPanel)
    await wait_until(lambda: not panel.tasks.busy, what="the topics list")
    return panel


def test_words_prefixes_and_phrases_newest_first(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtmodeltester: Any
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        address = profile_address(profile)
        first = archived(address, topic, 12)
        second = archived(address, topic + 10_000, 6, prefix="b")
        panel = await search_tab(window)
        assert window.tabs.currentWidget() is panel
        assert window.tabs.tabText(window.tabs.indexOf(panel)) == "Archive search"
        assert panel.form.words.hasFocus()
        items = [panel.form.topics.list.item(n).text() for n in range(panel.form.topics.list.count())]
        assert items == [f"Local · mine ({topic}) — 12 messages", f"Local · topic {topic + 10_000} — 6 messages"]

        declined = [second[4], second[0], first[8], first[4], first[0]]  # newest first
        assert await searched(panel, "declined") == "5 messages found in 2 topics, newest first."
        assert ids(panel) == declined
        assert await searched(panel, "DECL*") == "5 messages found in 2 topics, newest first."
        assert await searched(panel, '"payment declined"') == "5 messages found in 2 topics, newest first."
        assert ids(panel) == declined
        assert await searched(panel, '"declined payment"') == "No archived message matches."
        assert await searched(panel, "lisb* 1010") == "1 message found, newest first."
        assert ids(panel) == [first[10]]
        qtmodeltester.check(panel.model)

        words = await searched(panel, "!!!")
        assert words.startswith("search words: '!!!' has no letter or digit to search for")
        assert "hint: type words" in words
        assert panel.form.status.text() == "Not searched: see below."
        assert panel.model.rowCount() == 0
        await close(window, ctx)

    run(qloop, scenario())


def test_jmespath_time_range_and_topic_choice(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, qtmodeltester: Any
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        address = profile_address(profile)
        first = archived(address, topic, 12)
        second = archived(address, topic + 10_000, 6, prefix="b")
        panel = await search_tab(window)

        assert await searched(panel, jmespath="payload.total > `80`") == "3 messages found, newest first."
        assert ids(panel) == [first[11], first[10], first[9]]
        assert panel.form.progress.value() == 1000  # the scan's progress reached its end
        assert not panel.form.progress.isVisibleTo(panel)  # and is hidden once it has ended
        assert await searched(panel, "declined", jmespath="payload.status == 'shipped'") == (
            "1 message found, newest first."
        )
        assert ids(panel) == [first[8]]
        words = await searched(panel, jmespath="payload.[")
        assert words.startswith("JMESPath: ")

        window_words = await searched(panel, since="2024-05-01T09:05:00Z", until="2024-05-01T09:08:00Z")
        assert window_words == "4 messages found in 2 topics, newest first."
        assert set(ids(panel)) == {first[5], first[6], first[7], second[5]}
        assert await searched(panel, since="2024-05-01T09:05:00Z", until="2024-05-01T09:05:00Z") == (
            "Until: '2024-05-01T09:05:00Z' is not after Since '2024-05-01T09:05:00Z'\n"
            "  hint: Until is the end of the time range: give a later time than Since, or leave it empty"
        )
        assert (await searched(panel, since="yesterday")).startswith("Since: 'yesterday' is not a time: give RFC 3339")
        assert await searched(panel, since="2h") == "No archived message matches."  # all are of 2024

        chooser = panel.form.topics
        chooser.list.item(1).setCheckState(Qt.CheckState.Checked)  # the second topic only
        assert not chooser.all_box.isChecked()
        assert await searched(panel, "declined") == "2 messages found, newest first."
        assert ids(panel) == [second[4], second[0]]
        chooser.list.item(0).setCheckState(Qt.CheckState.Checked)  # several
        assert await searched(panel, "declined") == "5 messages found in 2 topics, newest first."
        chooser.all_box.setChecked(True)  # all again: the list's checks go
        assert chooser.checked() == []
        assert await searched(panel, "declined") == "5 messages found in 2 topics, newest first."
        qtmodeltester.check(panel.model)
        await close(window, ctx)

    run(qloop, scenario())


def test_what_a_topic_tab_receives_over_http_is_found(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        view = await window.open_topic("Local", topic)
        assert view is not None
        await wait_until(lambda: view.session.status.kind == "live", what="the tail")
        sent = publish(emulator, topic, {"order": 1, "note": "refund approved"}, {"order": 2, "note": "shipped"})
        await wait_until(lambda: view.model.rowCount() == 2, what="the messages in the table")
        await wait_until(lambda: stored(profile_address(profile), topic) == 2, what="the messages archived")
        panel = await search_tab(window)
        assert await searched(panel, "refund") == "1 message found, newest first."
        assert ids(panel) == [sent[0]]
        assert panel.model.data(panel.model.index(0, 1)) == f"Local · mine ({topic})"
        await close(window, ctx)

    run(qloop, scenario())


class HeldSearch:
    """The archive's search, held after its first ``held`` hits until ``release`` or its cancel is set."""

    def __init__(self, search: Any, cancel: threading.Event, release: threading.Event, held: int) -> None:
        self.search, self.cancel, self.release, self.held = search, cancel, release, held

    def __iter__(self) -> Iterator[ArchivedMessage]:
        for number, hit in enumerate(self.search, start=1):
            yield hit
            if number == self.held:
                while not (self.release.is_set() or self.cancel.is_set()):
                    self.cancel.wait(0.01)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.search, name)


def test_hits_show_as_they_come_and_cancel_stops_the_search(
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    emulator: EmulatorServer,
    topic: int,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        made = archived(profile_address(profile), topic, 40)
        panel = await search_tab(window)
        archive = await app_archive(ctx)
        real = archive.search

        def held(*args: Any, cancel: threading.Event, **kwargs: Any) -> HeldSearch:
            return HeldSearch(real(*args, cancel=cancel, **kwargs), cancel, release, 3)

        monkeypatch.setattr(archive, "search", held)
        panel.form.words.setText("order")
        panel.form.search_button.click()
        await wait_until(lambda: panel.model.rowCount() == 3, what="the first hits, while it searches")
        assert panel.run is not None
        assert panel.form.status.text() == "Searching… 3 messages found so far"
        assert panel.form.cancel_button.isEnabled()
        release.set()
        await wait_until(lambda: panel.outcome is not None, what="the end of the search")
        assert panel.form.status.text() == "40 messages found, newest first."
        assert ids(panel) == made[::-1]
        assert not panel.form.cancel_button.isEnabled()

        release.clear()
        panel.form.words.setFocus()
        qtbot.keyClick(panel.form.words, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
        await wait_until(lambda: panel.model.rowCount() == 3 and panel.run is not None, what="the first hits again")
        qtbot.keyClick(panel.form.words, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]  # Esc cancels
        await wait_until(lambda: panel.outcome is not None, what="the search to stop")
        assert panel.form.status.text() == "Cancelled: 3 messages found before it stopped."
        assert ids(panel) == made[::-1][:3]  # what was found stays

        panel.form.search_button.click()  # a search stopped by closing the tab
        await wait_until(lambda: panel.model.rowCount() == 3, what="the first hits once more")
        window._close_tab_at(window.tabs.indexOf(panel))
        await wait_until(lambda: SEARCH_KEY not in window.service_views, what="the tab to close")
        assert window.tabs.count() == 0
        await close(window, ctx)

    run(qloop, scenario())


def test_export_compare_replay_and_edit_and_resend_from_the_results(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    assert emulator.store is not None
    target = emulator.store.create_topic("archive-replay-target").id

    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        made = archived(profile_address(profile), topic, 12)
        ctx.workspace.add_topic("Local", target, "target")
        panel = await search_tab(window)
        assert await searched(panel, "declined") == "3 messages found, newest first."

        assert panel.export_hits(tmp_path / "all.jsonl") == 3  # nothing selected: every message found
        exported = import_file(tmp_path / "all.jsonl")
        assert [(i.source_id, i.payload) for i in exported] == [(made[n], payload(n)) for n in (8, 4, 0)]
        assert exported[0].source_time == "2024-05-01T09:08:00.000+00:00"  # the time's text, as it was archived
        panel.select(1)
        assert panel.export_hits(tmp_path / "one.json") == 1
        assert json.loads((tmp_path / "one.json").read_text())[0]["message_id"] == made[4]

        panel.select(0)
        assert panel.detail.header.accessibleName().startswith(f"{made[8]} · #1 · ")
        panel.select(2, add=True)
        assert panel.compare_action.isEnabled()
        dialog = panel.compare_selected()
        assert isinstance(dialog, DiffDialog)
        dialog.close()
        panel.select(0)
        assert panel.compare_selected() is None
        assert panel.notice.text() == "Select exactly two messages to compare them (Ctrl+click the second)."

        panel.table.clearSelection()
        replay = panel.replay()
        assert replay is not None
        assert len(replay.messages) == 3
        assert replay.source == f"archive · Local · mine ({topic})"
        replay.choose("Local", target)
        replay.replay_button.click()
        await wait_until(lambda: len(replayed(emulator, target)) == 3, what="the replay")
        assert replayed(emulator, target) == [payload(8), payload(4), payload(0)]

        panel.select(1)
        panel.edit_action.trigger()
        await wait_until(lambda: ("Local", topic) in window.views, what="the topic's tab")
        view = window.views[("Local", topic)]
        assert view.publisher is not None
        await wait_until(lambda: view.pages.currentWidget() is view.publisher, what="the Publish page")
        assert json.loads(view.publisher.editor.toPlainText()) == payload(4)
        await close(window, ctx)

    run(qloop, scenario())


def test_import_a_good_file_and_a_bad_one_in_words(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    good = tmp_path / "customer.jsonl"
    messages = [Message(f"c{n}", START + timedelta(hours=n), payload(n)) for n in range(3)]
    good.write_bytes(export_messages(messages, "jsonl"))
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"a": 1}\n{"b": 2\n', encoding="utf-8")

    async def scenario() -> None:
        window, _profile = await shown(ctx, emulator, topic)
        dialog = window.archive_actions.ask_import()
        assert isinstance(dialog, ImportDialog)
        assert not dialog.search_button.isVisibleTo(dialog)  # until something was imported
        dialog.import_button.click()
        assert dialog.error.text() == ("File: is empty\n  hint: choose the JSON Lines or JSON file to import (Browse…)")
        dialog.file.setText(str(bad))
        assert dialog.name.text() == "broken"  # named after the file until a name is typed
        dialog.import_button.click()
        await wait_until(lambda: not dialog.tasks.busy, what="the bad import")
        assert dialog.error.text().startswith(f"{bad}: is not valid JSON Lines (line 2, col 8")
        assert not dialog.outcome.isVisibleTo(dialog)

        dialog.file.setText(str(good))
        dialog.name.clear()
        dialog.import_button.click()
        assert dialog.error.text().startswith("import name: must be 1 to 64 printable characters")
        dialog.name.setText("customer-may")
        dialog.import_button.click()
        await wait_until(lambda: not dialog.tasks.busy, what="the import")
        assert dialog.error.isHidden()
        assert dialog.outcome.text() == (
            "customer.jsonl: 3 messages imported as import:customer-may. Search them, or replay them from the "
            "search's results."
        )
        dialog.import_button.click()  # again: nothing new
        await wait_until(lambda: not dialog.tasks.busy, what="the import again")
        assert dialog.outcome.text().startswith(
            "customer.jsonl: 0 messages imported as import:customer-may (3 messages already there)."
        )

        assert dialog.search_button.isVisibleTo(dialog)
        dialog.search_button.click()  # the Search tab, on the import alone
        panel = window.service_views[SEARCH_KEY]
        assert isinstance(panel, SearchPanel)
        await wait_until(lambda: panel.form.topics.list.count() == 1 and not panel.tasks.busy, what="the topics")
        assert panel.form.topics.checked() == [("import:customer-may", IMPORT_TOPIC)]
        assert panel.form.topics.list.item(0).text() == "import customer-may — 3 messages"
        assert await searched(panel, "declined") == "1 message found, newest first."
        assert ids(panel) == ["c0"]
        panel.select(0)
        panel.edit_action.trigger()  # an import has no topic of its own
        assert panel.notice.text() == (
            "An imported message has no topic of its own: use Replay to… to publish it to a topic."
        )
        replay = panel.replay()
        assert replay is not None
        assert replay.source == "archive · import customer-may"
        replay.reject()
        await close(window, ctx)

    run(qloop, scenario())


def test_the_banner_says_where_the_archive_is_the_first_time(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, _profile = await shown(ctx, emulator, topic)
        banner = window.notices.archive_notice
        assert banner.isHidden()  # not before the window is shown and started
        window.archive_actions.start()
        assert banner.isVisible()
        path = archive_path(ctx)
        assert path == default_path()  # named in the window's module without loading SQLite, and the same
        assert ARCHIVE_FILE == FILE_NAME
        assert str(path) in banner.text()
        assert "File → Archive settings…" in banner.text()
        assert "Edit profile…" in banner.text()
        assert banner.label.textFormat() == Qt.TextFormat.PlainText
        assert banner.folded  # one line, "Show more" for the rest
        assert banner.label.text() == (
            "Every message your topic tabs receive is kept in an archive on this computer (File → Archive "
            "settings… turns it off)."
        )
        banner.fold_button.click()
        assert banner.label.text() == banner.text()
        assert ctx.workspace.archive.notice_shown
        banner.close_button.click()
        assert banner.isHidden()
        await close(window, ctx)

        later = AppContext(keyring_store=KeyringStore(InMemoryKeyring()))  # the next start: the workspace read again
        assert later.workspace.archive.notice_shown  # remembered: said once
        again = MainWindow(later)
        again.show()
        again.archive_actions.start()
        assert again.notices.archive_notice.isHidden()
        await close(again, later)

    run(qloop, scenario())


def test_no_banner_and_no_archive_made_while_it_is_off(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        ctx.workspace.archive.enabled = False
        window, _profile = await shown(ctx, emulator, topic)
        window.archive_actions.start()
        assert window.notices.archive_notice.isHidden()
        panel = await search_tab(window)
        assert await searched(panel, "order") == "The archive is off (File → Archive settings…) and holds nothing."
        window.archive_actions.forget_all_action.trigger()
        await wait_until(lambda: "nothing to forget" in window.statusBar().currentMessage(), what="an empty archive")
        assert not archive_path(ctx).exists()  # nor is the archive opened, or made
        await close(window, ctx)

    run(qloop, scenario())


def test_a_profile_can_be_left_out_of_the_archive(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        assert profile.archive
        window.tree.setCurrentIndex(window.tree_model.index(0, 0))
        dialog = window._profile_dialog(profile)
        assert dialog.archive.isChecked()
        assert dialog.archive.isVisibleTo(dialog)
        assert dialog.archive.accessibleName() == "Keep the messages its topic tabs receive in the archive"
        dialog.archive.setChecked(False)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        await wait_until(lambda: not ctx.profile("Local").archive, what="the profile saved")  # type: ignore[union-attr]
        saved = ctx.profile("Local")
        assert saved is not None
        assert not ctx.archive_on(saved)
        assert '"archive": false' in ctx.profile_store.path.read_text()
        dialog = window._profile_dialog(saved)
        assert not dialog.archive.isChecked()
        dialog.service.setCurrentIndex(dialog.service.findData("qala"))
        assert not dialog.archive.isVisibleTo(dialog)  # only Workato's topics are read by tabs
        dialog.reject()
        await close(window, ctx)

    run(qloop, scenario())


def test_settings_turn_it_off_and_the_caps_prune_the_oldest(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        address = profile_address(profile)
        now = int(datetime.now(UTC).timestamp() * 1_000_000)
        archived(address, topic, 10, prefix="old", received_us=now - 45 * DAY_US)
        archived(address, topic, 10, prefix="mid", received_us=now - 20 * DAY_US)
        archived(address, topic, 10, prefix="new")
        window.archive_actions.start()  # the caps are applied at start, in the background
        await wait_until(lambda: stored(address, topic) == 20, what="the prune at start")

        dialog = window.archive_actions.open_settings()
        assert isinstance(dialog, SettingsDialog)
        assert dialog.enabled.isChecked()
        assert (dialog.max_size.value(), dialog.max_age.value()) == (2000, 30)  # 2 GB, 30 days
        await wait_until(lambda: dialog.holds.text(), what="what the archive holds")
        assert dialog.holds.text().startswith("It holds 20 messages of 1 topic in ")
        dialog.max_age.setValue(7)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert ctx.workspace.archive.max_age_days == 7
        await wait_until(lambda: stored(address, topic) == 10, what="the prune at the new cap")
        await wait_until(lambda: window.statusBar().currentMessage().startswith("Archive pruned"), what="its words")
        assert (
            window.statusBar()
            .currentMessage()
            .startswith("Archive pruned: removed 10 messages older than 7 days; it now uses ")
        )
        assert ctx.archive_writer is None or ctx.archive_writer.max_age_days == 7

        dialog = window.archive_actions.open_settings()
        dialog.enabled.setChecked(False)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert not ctx.workspace.archive.enabled
        assert not ctx.archive_on(profile)
        assert window.notices.archive_notice.isHidden()
        await close(window, ctx)
        saved = ctx.workspace_store.load().archive
        assert (saved.enabled, saved.max_age_days, saved.max_bytes) == (False, 7, 2_000_000_000)

    run(qloop, scenario())


async def answer(window: MainWindow, button: str) -> str:
    """Wait for the confirmation, press ``button`` ("Cancel" or the act's words); its text."""
    await wait_until(lambda: window.findChild(QMessageBox, "archive-forget-box") is not None, what="the question")
    box = window.findChild(QMessageBox, "archive-forget-box")
    assert isinstance(box, QMessageBox)
    text = box.text()
    [chosen] = [b for b in box.buttons() if b.text() == button]
    chosen.click()
    await wait_until(lambda: window.findChild(QMessageBox, "archive-forget-box") is None, what="the box to go")
    return text


def test_forget_a_topic_and_everything_after_saying_how_many(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        address = profile_address(profile)
        archived(address, topic, 12)
        archived(address, topic + 10_000, 1, prefix="b")
        forget = window.archive_actions.forget_topic_action
        assert not forget.isEnabled()  # no topic selected
        assert forget in window.tree.actions()  # in the sidebar's right-click menu, and the Topics menu
        profile_index = window.tree_model.index(0, 0)
        window.tree.setCurrentIndex(window.tree_model.index(0, 0, profile_index))
        assert forget.isEnabled()

        forget.trigger()
        text = await answer(window, "Cancel")
        assert text.startswith(f"Forget the 12 archived messages of Local · mine ({topic})?")
        assert stored(address, topic) == 12
        forget.trigger()
        await answer(window, "Forget 12 messages")
        await wait_until(lambda: stored(address, topic) == 0, what="the topic forgotten")
        await wait_until(lambda: window.statusBar().currentMessage().startswith("Forgot"), what="its words")
        assert window.statusBar().currentMessage() == f"Forgot 12 archived messages of Local · mine ({topic})."
        assert stored(address, topic + 10_000) == 1  # the other topic is kept
        forget.trigger()
        await wait_until(lambda: "holds no message" in window.statusBar().currentMessage(), what="nothing to forget")

        window.archive_actions.forget_all_action.trigger()
        text = await answer(window, "Forget everything")
        assert text.startswith("Forget all 1 archived message of 1 topic and imports?")
        await wait_until(lambda: stored(address, topic + 10_000) == 0, what="everything forgotten")
        await wait_until(lambda: window.statusBar().currentMessage().startswith("Forgot every"), what="its words")
        assert window.statusBar().currentMessage() == "Forgot every archived message (1 message)."
        window.archive_actions.forget_all_action.trigger()
        await wait_until(lambda: "nothing to forget" in window.statusBar().currentMessage(), what="an empty archive")
        await close(window, ctx)

    run(qloop, scenario())


def test_every_control_has_an_accessible_name(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, profile = await shown(ctx, emulator, topic)
        archived(profile_address(profile), topic, 4)
        window.resize(1024, 700)
        window.archive_actions.start()
        panel = await search_tab(window)
        assert await searched(panel, jmespath="payload.total > `0`") == "3 messages found, newest first."
        panel.select(0)
        await asyncio.sleep(0.05)  # laid out (processEvents inside a task would run other tasks' steps in it)
        assert unnamed(window) == []
        for dialog in (window.archive_actions.ask_import(), window.archive_actions.open_settings()):
            await asyncio.sleep(0.05)
            assert unnamed(dialog) == [], dialog.windowTitle()
            dialog.reject()
        profile_dialog = window._profile_dialog(profile)
        await asyncio.sleep(0.05)
        assert unnamed(profile_dialog) == []
        profile_dialog.reject()
        await close(window, ctx)

    run(qloop, scenario())

"""Support work in the window: export, replay to another emulator, jobs that resume, compare, time windows."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)

from inspector.core.export import import_file
from inspector.core.paths import AppPaths
from inspector.core.profiles import Profile
from inspector.core.replay import JobState, Journal, ReplayItem
from inspector.core.secrets import KeyringStore
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.topic.replay import SourceMessage
from inspector.ui.topic.view import TopicView
from tests.gui.test_main_window import close, local_profile, publish
from tests.helpers import InMemoryKeyring, wait_until


@pytest.fixture(scope="module")
def destination() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token="dest-token")) as server:
        yield server


def contents(server: EmulatorServer, topic: int) -> list[dict[str, Any]]:
    assert server.store is not None
    row = server.store.get_topic(topic)
    assert row is not None
    return [json.loads(m.payload) for m in server.store.read(row, limit=100_000)]


async def open_source(
    ctx: AppContext, emulator: EmulatorServer, topic: int, count: int
) -> tuple[MainWindow, TopicView]:
    await local_profile(ctx, emulator, topic)
    window = MainWindow(ctx)
    window.show()
    view = await window.open_topic("Local", topic)
    assert view is not None
    payloads: list[dict[str, object]] = [{"n": n, "name": 'Jane, "J"\nDoe' if n % 2 else "Ana"} for n in range(count)]
    publish(emulator, topic, *payloads)
    await wait_until(lambda: view.model.rowCount() == count, what="the messages in the table")
    return window, view


async def add_destination(ctx: AppContext, destination: EmulatorServer, topic: int) -> None:
    profile = ctx.profile_store.upsert(Profile("Dest", "custom", destination.url, rate_limit_rpm=0))
    await ctx.set_token(profile, destination.token)
    ctx.workspace.add_topic("Dest", topic, "target")


def test_export_selected_and_filtered_messages(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 6)
        assert view.export_rows(tmp_path / "all.jsonl") == 6
        assert [i.payload["n"] for i in import_file(tmp_path / "all.jsonl")] == list(range(6))
        view.filter_edit.setText("ana")
        view.apply_filter()
        await wait_until(view.filter_done)
        assert view.export_rows(tmp_path / "ana.csv") == 3  # nothing selected: all that match the filter
        view.table.selectRow(1)
        assert view.export_rows(tmp_path / "one.json") == 1
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    table = list(csv.reader(io.StringIO((tmp_path / "ana.csv").read_text(encoding="utf-8-sig"))))
    assert table[0][:2] == ["message_id", "time"]
    assert [row[table[0].index("n")] for row in table[1:]] == ["0", "2", "4"]
    assert json.loads((tmp_path / "one.json").read_text())[0]["payload"]["n"] == 2


def test_replay_to_another_emulator_from_the_table(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, destination: EmulatorServer, tmp_path: Path
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-target").id

    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 250)
        await add_destination(ctx, destination, target)
        dialog = window.replay_rows(view, view.rows_for_action())
        assert dialog is not None
        dialog.choose("Dest", target)
        dialog.edits.setPlainText("set replayed = `true`\nremove name")
        assert "250 messages" in dialog.summary.text()
        assert "in 3 requests, to Dest · target (" in dialog.summary.text()
        assert "same topic" not in dialog.summary.text()
        assert dialog.problem.text() == ""
        dialog.replay_button.click()
        await wait_until(lambda: len(contents(destination, target)) == 250, what="the replay")
        [job] = ctx.journal.jobs()
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the job to finish")
        window.jobs.refresh()
        row = window.jobs.jobs.topLevelItem(0)
        assert row is not None
        assert [row.text(n) for n in (1, 3, 4)] == ["done", "Local · mine", "Dest · target"]
        assert row.toolTip(4) == f"topic {target} of Dest, {destination.url}"
        assert window.jobs.details.text() == (
            f"Job {job.id} (done): 250 of 250 items published, from Local · mine to Dest · target"
        )
        window.jobs.save_report(job.id, tmp_path / "report.json")
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert contents(destination, target) == [{"n": n, "replayed": True} for n in range(250)]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["published"] == 250
    assert report["source"] == "Local · mine"
    assert (report["destination"]["label"], report["destination"]["name"]) == ("Dest · target", "target")
    assert len(report["items"]) == 250
    assert destination.token not in json.dumps(report)


def test_a_bad_edit_is_explained_and_blocks_the_replay(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, destination: EmulatorServer
) -> None:
    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 2)
        await add_destination(ctx, destination, 1)
        dialog = window.replay_rows(view, view.rows_for_action())
        assert dialog is not None
        dialog.edits.setPlainText("set a = ")
        assert "edit line 1" in dialog.problem.text()
        assert not dialog.replay_button.isEnabled()
        dialog.reject()
        assert ctx.journal.jobs() == []
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_an_interrupted_job_is_offered_and_resumes_without_sending_twice(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-interrupted").id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        job = ctx.journal.create(
            "earlier run",
            {"topic": target, "profile": "Dest", "events_url": destination.url, "label": "dest"},
            [ReplayItem({"n": n}) for n in range(300)],
        )
        ctx.journal.set_state(job, JobState.RUNNING)
        ctx.journal.begin_batch(job, range(100))  # the app was killed while this batch was in flight
        window = MainWindow(ctx)  # a new start of the app
        window.show()
        await window.start_background()  # as the app does once its window is shown
        assert window.jobs_dock.isVisible()
        assert "interrupted" in window.jobs.notice.text()
        assert window.jobs.selected() == job
        window.jobs.resume_button.click()
        await wait_until(lambda: ctx.journal.job(job).pending == 0, what="the resumed job")
        info = ctx.journal.job(job)
        assert (info.published, info.unknown) == (200, 100)
        await wait_until(lambda: window.jobs.resend_button.isEnabled(), what="the choice for unknown items")
        # The batch that was in flight never arrived: the check says so, and Retry failed sends only it.
        assert window.jobs.check_button.isEnabled()
        window.jobs.check_button.click()
        await wait_until(lambda: ctx.journal.job(job).unknown == 0, what="the unknown items checked")
        assert "0 are in the topic (now published) and 100 are not (now failed)" in window.jobs.notice.text()
        assert not window.jobs.check_button.isEnabled()
        window.jobs.retry_button.click()
        window.jobs.resume_button.click()
        await wait_until(lambda: ctx.journal.job(job).published == 300, what="the missing batch sent")
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert sorted(p["n"] for p in contents(destination, target)) == list(range(300))


def test_compare_two_messages(qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int) -> None:
    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 2)
        view.table.selectAll()
        view.compare_selected()
        dialogs = [w for w in view.findChildren(QWidget) if type(w).__name__ == "DiffDialog"]
        assert len(dialogs) == 1
        dialog: Any = dialogs[0]
        assert [c.describe() for c in dialog.changes] == ["n: 0 → 1", 'name: "Ana" → "Jane, \\"J\\"\\nDoe"']
        dialog.reject()
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_a_time_window_is_loaded_without_a_live_tail(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        start = datetime.now(UTC)
        publish(emulator, topic, {"n": 1}, {"n": 2})
        await asyncio.sleep(0.05)
        end = datetime.now(UTC)
        await asyncio.sleep(0.05)
        publish(emulator, topic, {"n": 3})
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Local", topic)
        assert view is not None
        view.start_choice.setCurrentIndex(view.start_choice.findData("window"))
        view.start_value.setText(f"{start.isoformat()} .. {end.isoformat()}")
        view.restart()
        await wait_until(lambda: "time window loaded" in view.status_label.text(), what="the window")
        assert [r.payload for r in view.rows_for_action()] == [{"n": 1}, {"n": 2}]
        assert not view.session.running
        view.start_value.setText("yesterday .. today")
        view.restart()
        assert "window start" in view.status_label.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_journal_survives_in_the_app_folder() -> None:
    journal = Journal()
    assert journal.path.name == "replay.sqlite"
    journal.close()


def test_pause_resume_and_cancel_a_job(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-pause").id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        window = MainWindow(ctx)
        window.show()
        where = {"topic": target, "profile": "Dest", "events_url": destination.url, "label": "dest"}
        job = ctx.journal.create("test", where, [ReplayItem({"n": n}) for n in range(300)])
        window.jobs.start(job)
        window.jobs.pause(job)  # before its first batch
        await asyncio.sleep(0.3)
        assert ctx.journal.job(job).state is JobState.PAUSED
        assert contents(destination, target) == []
        assert window.jobs.resume_button.isEnabled()
        window.jobs.resume(job)
        await wait_until(lambda: ctx.journal.job(job).state is JobState.DONE, what="the resumed job")

        second = ctx.journal.create("test", where, [ReplayItem({"m": n}) for n in range(300)])
        window.jobs.start(second)
        window.jobs.cancel(second)  # stops before the next batch; the job stays resumable
        await wait_until(lambda: window.jobs.runs[second].task.done(), what="the cancel")
        info = ctx.journal.job(second)
        assert info.state is JobState.PAUSED
        assert info.pending > 0
        window.jobs.resume(second)
        await wait_until(lambda: ctx.journal.job(second).state is JobState.DONE, what="the job after a cancel")
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert contents(destination, target) == [{"n": n} for n in range(300)] + [{"m": n} for n in range(300)]


def test_a_journal_of_a_newer_version_is_explained_and_the_window_carries_on(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer, tmp_path: Path
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-newer-journal").id
    path = AppPaths.current().data / "replay.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as newer:
        newer.execute("PRAGMA user_version = 99")  # written by a later Topic Inspector
    (tmp_path / "messages.jsonl").write_text('{"message_id": "m1", "payload": {"n": 1}}\n')
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        window = MainWindow(ctx)
        window.show()
        await window.start_background()  # opens the journal, as the app does once its window is shown
        assert window.jobs_dock.isVisible()
        assert "replay journal of version 99" in window.jobs.notice.text()
        assert "replay journal of version 99" in window.statusBar().currentMessage()
        assert window.jobs.jobs.topLevelItemCount() == 0
        dialog = window.replays.replay_file(tmp_path / "messages.jsonl")  # a replay is refused in words
        assert dialog is not None
        dialog.choose("Dest", target)
        window.jobs.notice.clear()
        dialog.replay_button.click()
        assert "replay journal of version 99" in window.jobs.notice.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert contents(destination, target) == []
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99  # left untouched


# ----- a destination chosen, the jobs dock kept small, topics by name, failed items in an editor --------------
def test_the_destination_must_be_chosen_and_the_same_topic_is_said(
    qloop: EventLoop, qtbot: Any, ctx: AppContext, emulator: EmulatorServer, topic: int, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-chosen").id

    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 3)
        await add_destination(ctx, destination, target)
        dialog = window.replay_rows(view, view.rows_for_action())
        assert dialog is not None
        assert dialog.isVisible()
        # Nothing chosen: the source's profile, no topic, the placeholder; Replay neither enabled nor the default.
        assert dialog.profile_box.currentText() == "Local"
        assert dialog.topic_box.currentIndex() == -1
        assert dialog.topic_box.currentText() == ""
        line_edit = dialog.topic_box.lineEdit()
        assert line_edit is not None
        assert line_edit.placeholderText() == "Choose a topic…"
        assert [dialog.topic_box.itemText(n) for n in range(dialog.topic_box.count())] == [f"mine ({topic})"]
        assert not dialog.replay_button.isEnabled()
        assert not dialog.replay_button.isDefault()
        assert not dialog.editor_button.isEnabled()
        assert dialog.problem.text().startswith("Choose a topic to replay to")
        assert dialog.summary.text().startswith("3 messages, ")
        assert " in 1 request; no rate limit on this profile." in dialog.summary.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter sends nothing anywhere
        assert dialog.isVisible()
        assert ctx.journal.jobs() == []

        dialog.topic_box.setEditText("not a topic")
        assert "neither a topic id nor a topic URL" in dialog.problem.text()
        assert not dialog.replay_button.isEnabled()

        dialog.choose("Dest", target)  # another profile's topic: Replay is the default button now
        assert dialog.topic_box.currentText() == f"target ({target})"
        assert dialog.replay_button.isEnabled()
        assert dialog.replay_button.isDefault()
        assert "same topic" not in dialog.summary.text()
        dialog.profile_box.setCurrentText("Local")  # another profile: its topics, none chosen again
        assert dialog.topic_box.currentText() == ""
        assert not dialog.replay_button.isEnabled()

        dialog.choose("Local", topic)  # the source itself, chosen explicitly: allowed, and said
        assert dialog.replay_button.isEnabled()
        assert f", to the same topic it came from (Local · mine ({topic}));" in dialog.summary.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        await wait_until(lambda: view.model.rowCount() == 6, what="the messages replayed into their own topic")
        [job] = ctx.journal.jobs()
        assert (job.destination["profile"], job.destination["topic"]) == ("Local", topic)
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the job to finish")
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_an_edit_that_fails_names_the_item_counted_from_one(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int, tmp_path: Path
) -> None:
    lines = [{"name": "a"}, {"name": "b"}, {"n": 3}]
    (tmp_path / "three.jsonl").write_text("\n".join(json.dumps(line) for line in lines))

    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        window = MainWindow(ctx)
        window.show()
        dialog = window.replays.replay_file(tmp_path / "three.jsonl")
        assert dialog is not None
        dialog.choose("Local", topic)
        assert dialog.problem.text() == ""
        dialog.edits.setPlainText("set size = length(payload.name)")
        assert dialog.problem.text().startswith("item 3: edit line 1: ")
        assert not dialog.replay_button.isEnabled()
        dialog.reject()
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_the_jobs_dock_is_hidden_until_a_job_runs_small_and_says_when_one_finished(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-dock").id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        window = MainWindow(ctx)
        window.resize(1024, 700)
        window.show()
        await window.start_background()
        replays = window.replays
        dock = window.jobs_dock
        assert dock.isHidden()  # no job has run
        action = replays.jobs_action
        assert action in window.replay_menu.actions()
        assert replays.open_failed_action in window.replay_menu.actions()
        assert (action.text(), action.isCheckable(), action.isChecked()) == ("Show replay jobs", True, False)
        assert action.shortcut().toString() == "Ctrl+Shift+J"
        features = QDockWidget.DockWidgetFeature
        assert dock.features() & features.DockWidgetClosable

        where = {"topic": target, "profile": "Dest", "events_url": destination.url, "label": "topic 1 of Dest"}
        dialog = replays.open_dialog([SourceMessage({"n": n}) for n in range(300)], "a file")
        dialog.choose("Dest", target)
        dialog.replay_button.click()  # the dock opens by itself, a modest part of the window
        window.tree.setFocus()  # the user carries on elsewhere
        assert dock.isVisible()
        assert action.isChecked()
        await wait_until(lambda: 0 < dock.height() <= window.height() * 0.25, what="the dock at a modest height")
        assert window.width() == 1024
        [job] = ctx.journal.jobs()
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the first job")
        # the dock is open, the focus elsewhere: the job's end is counted
        await wait_until(lambda: window.replay_menu.title() == "&Replay (1 finished)", what="the badge")

        action.trigger()  # with a badge, the action shows the jobs (it does not hide the open dock) and clears it
        assert dock.isVisible()
        assert action.isChecked()
        assert (window.replay_menu.title(), action.text()) == ("&Replay", "Show replay jobs")

        dock.close()  # closable; the action follows
        assert not action.isChecked()
        second = ctx.journal.create("test", where, [ReplayItem({"m": n}) for n in range(300)])
        window.jobs.start(second)  # run without the dock: started here, it does not open it
        await wait_until(lambda: window.replay_menu.title() == "&Replay (1 finished)", what="the second job's end")
        assert ctx.journal.job(second).state is JobState.DONE
        assert action.text() == "Show replay jobs (1 finished)"
        message = window.statusBar().currentMessage()
        assert message.startswith(f"Replay job {second} to Dest · target finished: 300 of 300 items published — ")
        assert "Show replay jobs (Ctrl+Shift+J)" in message
        assert dock.isHidden()

        action.trigger()  # opens the dock, small again, and clears the badge
        assert dock.isVisible()
        assert (window.replay_menu.title(), action.text()) == ("&Replay", "Show replay jobs")
        await wait_until(lambda: 0 < dock.height() <= window.height() * 0.25, what="the dock small again")
        action.trigger()  # and hides it, with no badge
        assert dock.isHidden()
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_jobs_name_their_topics_from_the_saved_ones(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-names").id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        old = {"topic": target, "profile": "Dest", "events_url": destination.url, "label": f"topic {target} of Dest"}
        unsaved = {**old, "topic": 987654, "label": "topic 987654 of Dest"}
        cli = {"topic": 5, "events_url": destination.url, "label": "orders (5) at eu"}  # the command line's
        for where in (old, unsaved, cli):
            ctx.journal.create("earlier", where, [ReplayItem({"n": 1})])
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        jobs = window.jobs
        shown = [jobs.jobs.topLevelItem(n) for n in range(3)]
        assert [item.text(4) for item in shown if item] == ["orders (5) at eu", "Dest · topic 987654", "Dest · target"]
        assert [item.toolTip(4) for item in shown if item][1:] == [
            f"topic 987654 of Dest, {destination.url}",
            f"topic {target} of Dest, {destination.url}",
        ]
        ctx.workspace.add_topic("Dest", target, "renamed")  # a rename shows at the next refresh
        jobs.refresh()
        oldest = jobs.jobs.topLevelItem(2)
        assert oldest is not None
        assert oldest.text(4) == "Dest · renamed"
        jobs.jobs.setCurrentItem(oldest)
        assert jobs.details.text().endswith(
            "(paused): 0 of 1 item published, 1 not sent yet, from earlier to Dest · renamed"
        )
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_open_failed_items_in_the_destinations_editor(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-failed", schema=[{"name": "n", "type": "integer"}]).id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        items: list[dict[str, Any]] = [
            {"n": 1},
            {"n": "two"},
            {"n": 3},
            {"n": "four"},
        ]  # items 2 and 4 do not match the schema
        where = {"topic": target, "profile": "Dest", "events_url": destination.url, "label": "Dest · gui-failed"}
        job = ctx.journal.create("test", where, [ReplayItem(p) for p in items])
        jobs = window.jobs
        assert not window.replays.open_failed_action.isEnabled()
        jobs.start(job)
        await wait_until(lambda: ctx.journal.job(job).state is JobState.FAILED, what="the job with failures")
        await wait_until(lambda: jobs.open_failed_button.isEnabled(), what="the job's controls")
        assert window.replays.open_failed_action.isEnabled()
        assert "2 of 4 items published, 2 failed" in jobs.details.text()
        failed_rows = [
            r for r in range(jobs.results.rowCount()) if jobs.results.data(jobs.results.index(r, 1)) == "failed"
        ]
        assert [jobs.results.data(jobs.results.index(r, 0)) for r in failed_rows] == [2, 4]  # counted from 1
        tip = jobs.results.data(jobs.results.index(failed_rows[0], 2), Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("Item 2: ")

        view = await window.open_topic("Dest", target)  # a draft in the destination's editor first
        assert view is not None
        publisher = view.publisher
        assert publisher is not None
        publisher.editor.setPlainText('{"n": 10}')
        window.replays.open_failed_action.trigger()
        await wait_until(lambda: publisher.editor.toPlainText() != '{"n": 10}', what="the failed items")
        assert publisher.editor.toPlainText() == '{"n":"two"}\n{"n":"four"}'
        assert window.tabs.currentWidget() is view
        assert view.publish_shown()
        publisher.editor.undo()  # the draft is one Undo away
        assert publisher.editor.toPlainText() == '{"n": 10}'
        assert ctx.journal.job(job).failed == 2  # the job is left as it was
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_open_failed_items_opens_the_destination_when_it_is_not_open(
    qloop: EventLoop, keyring_backend: InMemoryKeyring, destination: EmulatorServer
) -> None:
    assert destination.store is not None
    target = destination.store.create_topic("gui-failed-closed", schema=[{"name": "n", "type": "integer"}]).id
    ctx = AppContext(keyring_store=KeyringStore(keyring_backend))

    async def scenario() -> None:
        await add_destination(ctx, destination, target)
        ctx.workspace.remove_topic("Dest", target)  # typed as an id in the dialog: not a saved topic
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        where = {"topic": target, "profile": "Dest", "events_url": destination.url, "label": "x"}
        job = ctx.journal.create("test", where, [ReplayItem({"n": "one"})])
        cli_job = ctx.journal.create("cli", {"topic": target, "label": "x at eu"}, [ReplayItem({"n": 1})])
        window.jobs.start(job)
        await wait_until(lambda: ctx.journal.job(job).state is JobState.FAILED, what="the failed job")
        assert not window.jobs.open_failed(cli_job)
        assert "started from the command line" in window.jobs.notice.text()
        assert window.jobs.open_failed(job)
        await wait_until(lambda: ("Dest", target) in window.views, what="the destination's tab")
        publisher = window.views[("Dest", target)].publisher
        assert publisher is not None
        await wait_until(lambda: publisher.editor.toPlainText() == '{"n":"one"}', what="the failed item")
        assert "1 failed item of replay job" in publisher.notice_label.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())


def test_every_control_of_the_dialog_and_the_jobs_panel_has_an_accessible_name(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        window, view = await open_source(ctx, emulator, topic, 1)
        await window.start_background()
        dialog = window.replay_rows(view, view.rows_for_action())
        assert dialog is not None
        assert dialog.summary.text().startswith("1 message, 20 bytes, in 1 request")
        controls = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QPlainTextEdit, QProgressBar)

        def in_popup(widget: QWidget) -> bool:  # a combo box's own list
            parent = widget.parentWidget()
            while parent is not None and not isinstance(parent, QComboBox):
                parent = parent.parentWidget()
            return parent is not None and not isinstance(widget, QLineEdit)

        for root in (dialog, window.jobs):
            unnamed = [
                f"{type(w).__name__} {w.objectName()!r}"
                for w in root.findChildren(QWidget)
                if isinstance(w, controls)
                and not isinstance(w, QHeaderView)
                and not w.objectName().startswith("qt_")
                and not in_popup(w)
                and not w.accessibleName()
            ]
            assert unnamed == []
        assert dialog.topic_box.accessibleName() == "Destination topic"
        assert dialog.profile_box.accessibleName() == "Destination profile"
        assert dialog.edits.accessibleName() == "Edit payloads"
        assert window.jobs.open_failed_button.accessibleName() == "Open failed items in editor"
        assert window.jobs.jobs.accessibleName() == "Replay jobs"
        dialog.reject()
        await close(window, ctx)

    qloop.run_until_complete(scenario())

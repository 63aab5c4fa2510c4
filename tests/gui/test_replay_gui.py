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

from inspector.core.export import import_file
from inspector.core.paths import AppPaths
from inspector.core.profiles import Profile
from inspector.core.replay import JobState, Journal, ReplayItem
from inspector.core.secrets import KeyringStore
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
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
    publish(emulator, topic, *[{"n": n, "name": 'Jane, "J"\nDoe' if n % 2 else "Ana"} for n in range(count)])
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
        dialog.profile_box.setCurrentText("Dest")
        dialog.edits.setPlainText("set replayed = `true`\nremove name")
        assert "250 messages" in dialog.summary.text()
        assert dialog.problem.text() == ""
        dialog.replay_button.click()
        await wait_until(lambda: len(contents(destination, target)) == 250, what="the replay")
        [job] = ctx.journal.jobs()
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the job to finish")
        window.jobs.refresh()
        assert window.jobs.jobs.topLevelItem(0).text(1) == "done"  # type: ignore[union-attr]
        window.jobs.save_report(job.id, tmp_path / "report.json")
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert contents(destination, target) == [{"n": n, "replayed": True} for n in range(250)]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["published"] == 250
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
        dialogs = [w for w in view.findChildren(object) if type(w).__name__ == "DiffDialog"]
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
        dialog.profile_box.setCurrentText("Dest")
        window.jobs.notice.clear()
        dialog.replay_button.click()
        assert "replay journal of version 99" in window.jobs.notice.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())
    assert contents(destination, target) == []
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99  # left untouched

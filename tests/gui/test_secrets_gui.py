"""A window session with a distinctive token, then a search for it in everything the session left behind.

Offscreen, on an in-memory keyring, against an emulator that accepts only that token: a profile added through the
dialog, a topic opened, single and batch publishes from the Publish panel, "Copy as curl", copied messages,
exports in every format, a template, drafts and history, a rejected token shown in the window, debug logging
through the app's redacting handler, screenshots, and the window closed (workspace saved). Then the app folder,
the exports and screenshots, the clipboard and the log are searched for the token in every form it could take;
the pixels of a screenshot are not read (no OCR): the token field is checked to be masked instead.
"""

from __future__ import annotations

import base64
import contextlib
import io
import itertools
import json
import logging
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
)

from inspector import cli
from inspector.core.export import FORMATS
from inspector.core.models import Outcome
from inspector.core.profiles import Profile
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.app import report_crashes
from inspector.ui.context import AppContext
from inspector.ui.dialogs import ProfileDialog
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from tests.helpers import InMemoryKeyring, token_leaks, wait_until

MARKER = "payload-marker-7f3a9c"


def leaks(data: bytes | str, *tokens: str) -> list[str]:
    return [f"{name} of token {n}" for n, token in enumerate(tokens) for name in token_leaks(data, token)]


_tokens = itertools.count(1)


def new_token() -> str:
    """A different, fixed token each call; '+/=' make the URL-encoded forms differ."""
    return f"ti-Sq7Rw2Lm9Xb4Ts8Vn1Pz-{next(_tokens)}+/="


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The app's logging (cli._setup_logging: one stderr handler with the redacting filter) at DEBUG, its stream
    captured; the root logger is put back as it was afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "asyncio", "inspector")}
    qasync_level = logging.getLogger("qasync").level  # _setup_logging keeps it above DEBUG
    real_stderr = sys.stderr
    sys.stderr = stream  # the handler is made on whatever sys.stderr is
    try:
        cli._setup_logging(True)
    finally:
        sys.stderr = real_stderr
    for name in libraries:
        logging.getLogger(name).setLevel(logging.NOTSET)  # inherit DEBUG, whatever an earlier test left
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in libraries.items():
            logging.getLogger(name).setLevel(level)
        logging.getLogger("qasync").setLevel(qasync_level)


def shown_texts(app: QApplication) -> list[str]:
    """The text every widget shows (what a screenshot could hold): line edits as displayed (masked), labels,
    buttons, editors, lists, tabs, combo boxes, tooltips, titles, and the cells of every item view."""
    texts: list[str] = []
    for widget in app.allWidgets():
        texts += [widget.toolTip(), widget.windowTitle(), widget.statusTip()]
        if isinstance(widget, QLineEdit):
            texts += [widget.displayText(), widget.placeholderText()]
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(), 300)):
                for column in range(model.columnCount()):
                    index = model.index(row, column, QModelIndex())
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if value is not None:
                            texts.append(str(value))
    return texts


def fill_profile_dialog(dialog: ProfileDialog, name: str, url: str, token: str) -> None:
    dialog.name.setText(name)
    dialog.region.setCurrentIndex(dialog.region.findData("custom"))
    dialog.base_url.setText(url)
    dialog.token.setText(token)


async def close(window: MainWindow, ctx: AppContext) -> None:
    window.close()
    await window.shutdown()
    await ctx.aclose()


def test_the_leak_search_finds_the_token_in_every_form() -> None:
    token = new_token()
    assert "raw of token 0" in leaks(f"Bearer {token}", token)
    assert "url-encoded of token 0" in leaks("t=" + quote(token, safe=""), token)
    for prefix in ("", "x", "xy"):
        assert any("base64@" in hit for hit in leaks(base64.b64encode(f"{prefix}{token}".encode()), token))
    assert leaks("nothing here", token) == []


def test_a_window_session_leaves_the_token_nowhere(
    qloop: EventLoop,
    qapp: QApplication,
    ctx: AppContext,
    keyring_backend: InMemoryKeyring,
    app_home: Path,
    tmp_path: Path,
    debug_log: io.StringIO,
) -> None:
    token, wrong = new_token(), new_token()
    out = tmp_path / "exports"
    out.mkdir()
    clipboard: list[str] = []
    shown: list[str] = []

    def copied() -> str:
        text = QApplication.clipboard().text()
        clipboard.append(text)
        return text

    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as server:
        assert server.store is not None
        topic = server.store.create_topic("secrets-gui").id

        async def scenario() -> None:
            window = MainWindow(ctx)
            window.show()
            await window.start_background()

            # The profile, through the dialog: the token field is masked, in the widget and in its screenshot.
            dialog = window._profile_dialog(None)
            fill_profile_dialog(dialog, "Session", server.url, token)
            assert dialog.token.echoMode() == QLineEdit.EchoMode.Password
            assert dialog.token.displayText() != token
            assert leaks(dialog.token.displayText(), token) == []
            dialog.test_topic.setText(str(topic))
            dialog.test_button.click()
            await wait_until(lambda: dialog.test_result.text() != "Testing…", what="the connection test")
            assert dialog.test_result.text().startswith("OK"), dialog.test_result.text()
            assert dialog.grab().save(str(out / "profile-dialog.png"))
            shown.extend(shown_texts(qapp))
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            assert dialog.token.text() == ""  # not kept in the closed dialog either (deleted later)
            await wait_until(lambda: keyring_backend.items, what="the token in the keyring")
            assert list(keyring_backend.items.values()) == [token]  # one entry: the profile's, for its address
            [(service, account)] = keyring_backend.items
            assert (service, account) == ("topic-inspector", f"profile:Session@{server.url}")

            # The topic: single and batch publishes from the Publish panel, then the live table.
            ctx.workspace.add_topic("Session", topic, "orders")
            window.refresh_tree()
            view = await window.open_topic("Session", topic)
            assert view is not None
            assert view.publisher is not None
            panel = view.publisher
            await wait_until(lambda: view.session.status.kind == "live", what="live")
            panel.set_text(json.dumps({"n": 0, "marker": MARKER}))
            single = await panel.publish_now()
            assert single is not None
            assert [r.outcome for r in single] == [Outcome.SUCCESS]
            panel.set_text(json.dumps([{"n": n, "marker": MARKER} for n in range(1, 121)], indent=1))
            batch = await panel.publish_now()
            assert batch is not None
            assert all(r.outcome is Outcome.SUCCESS for r in batch)
            await wait_until(lambda: view.model.rowCount() == 121, what="121 rows")

            panel.copy_as_curl()
            curl = copied()
            assert "$TOPIC_INSPECTOR_TOKEN" in curl
            assert f"/api/v1/batch/topics/{topic}/publish" in curl
            assert leaks(curl, token) == []
            panel.save_template("session template")
            panel.flush_draft()

            view.table.selectRow(3)
            view.copy_selected_payload()
            assert MARKER in copied()
            view.copy_selected_message()
            assert MARKER in copied()
            view.copy_selected_id()
            copied()
            view.table.clearSelection()
            for fmt in FORMATS:
                assert view.export_rows(out / f"messages.{fmt}") == 121

            # A bug whose error holds the token: its crash report must not (the keyring's token, which the
            # window does not hold, is found by its fingerprint).
            restore = report_crashes(window, qloop, fatal_log=False)
            try:

                def buggy_slot() -> None:
                    raise RuntimeError(f"cannot parse header b'Bearer {token}' (token {token})")

                QTimer.singleShot(0, buggy_slot)
                await wait_until(lambda: window.crash_reports, what="the crash report")
            finally:
                restore()

            # The edit dialog shows where the token is, never the token.
            edit = window._profile_dialog(ctx.profile("Session"))
            assert edit.token.text() == ""
            assert "stored in" in edit.token.placeholderText()
            assert edit.grab().save(str(out / "edit-dialog.png"))
            shown.extend(shown_texts(qapp))
            edit.reject()

            # A rejected token: said in the tab, in the publish results and in the connection test.
            wrong_dialog = window._profile_dialog(None)
            fill_profile_dialog(wrong_dialog, "Wrong", server.url, wrong)
            wrong_dialog.test_topic.setText(str(topic))
            wrong_dialog.test_button.click()
            await wait_until(lambda: wrong_dialog.test_result.text() != "Testing…", what="the connection test")
            assert "token" in wrong_dialog.test_result.text().lower(), wrong_dialog.test_result.text()
            shown.extend(shown_texts(qapp))
            wrong_dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            await wait_until(lambda: ("topic-inspector", f"profile:Wrong@{server.url}") in keyring_backend.items)
            ctx.workspace.add_topic("Wrong", topic)
            bad = await window.open_topic("Wrong", topic)
            assert bad is not None
            assert bad.publisher is not None
            await wait_until(lambda: bad.session.status.kind == "error", what="the rejected token in the tab")
            assert bad.session.status.problem == "auth"
            assert "token rejected" in bad.status_label.text()
            assert bad.token_button.isVisibleTo(bad)
            bad.publisher.set_text('{"n": "refused"}')
            refused = await bad.publisher.publish_now()
            assert refused is not None
            assert [r.outcome for r in refused] == [Outcome.FAILED]
            assert "token rejected" in (refused[0].error or "")

            window.tabs.setCurrentWidget(view)
            qapp.processEvents()
            assert window.grab().save(str(out / "window.png"))
            window.tabs.setCurrentWidget(bad)
            qapp.processEvents()
            assert window.grab().save(str(out / "window-rejected.png"))
            shown.extend(shown_texts(qapp))
            await close(window, ctx)

        qloop.run_until_complete(scenario())

    files = sorted(p for folder in (app_home, out) for p in folder.rglob("*") if p.is_file())
    names = {p.name for p in files}
    expected = {"workspace.json", "profiles.json", "drafts.json", "publishing.json", "window.png", "profile-dialog.png"}
    assert [p.name for p in files if p.name.startswith("crash-")], "no crash report to search"
    assert expected | {f"messages.{fmt}" for fmt in FORMATS} <= names, names
    publishing = next(p for p in files if p.name == "publishing.json").read_text()
    assert MARKER in publishing  # history and template are there to search
    assert "token rejected" in publishing  # and so is the failed publish's error
    found = {
        str(path.relative_to(tmp_path)): hits
        for path in files
        for data in (path.read_bytes(), path.read_bytes().decode("utf-8", "replace"))
        if (hits := leaks(data, token, wrong))
    }
    assert found == {}, found
    assert [text for text in clipboard if leaks(text, token, wrong)] == []
    assert [text for text in shown if leaks(text, token, wrong)] == []
    log = debug_log.getvalue()
    assert "HTTP Request: POST" in log  # debug lines from the requests were there to leak from
    leaking = [line for line in log.splitlines() if leaks(line, token, wrong)]
    assert leaking == [], "\n".join(line.replace(token, "<TOKEN>").replace(wrong, "<WRONG>") for line in leaking)


def test_debug_logging_of_the_window_does_not_show_the_token(
    qloop: EventLoop, ctx: AppContext, debug_log: io.StringIO
) -> None:
    token = new_token()

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Logged", "custom", "https://example.test"))
        await ctx.set_token(profile, token)  # what saving the profile dialog does
        assert await ctx.get_token(profile) == token  # what opening a topic does
        await ctx.aclose()

    qloop.run_until_complete(scenario())
    log = debug_log.getvalue()
    assert "DEBUG qasync" not in log  # its executor would log the keyring calls' token argument and result
    leaking = [line.replace(token, "<TOKEN>") for line in log.splitlines() if leaks(line, token)]
    assert leaking == [], "\n".join(leaking)


# ----- a profile moved to another address, and a token updated on an open tab ---------------------------------
class Recorder:
    """Another origin on loopback: records each request's Authorization header and refuses it (401)."""

    def __init__(self) -> None:
        self.authorizations: list[str] = []
        recorder = self

        class Handle(BaseHTTPRequestHandler):
            def _any(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                recorder.authorizations.append(self.headers.get("authorization", ""))
                body = b'{"message": "Unauthorized", "code": "unauthorized"}'
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_editing_the_base_url_does_not_send_the_stored_token_to_the_new_host(
    qloop: EventLoop, ctx: AppContext, keyring_backend: InMemoryKeyring
) -> None:
    token = new_token()
    elsewhere = Recorder()
    by_test: list[str] = []  # what "Test connection" sent, before anything was saved
    try:
        with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as server:
            assert server.store is not None
            topic = server.store.create_topic("moving").id

            async def scenario() -> None:
                window = MainWindow(ctx)
                window.show()
                await window._save_profile(None, Profile("Moving", "custom", server.url, rate_limit_rpm=0), token)
                ctx.workspace.add_topic("Moving", topic)
                view = await window.open_topic("Moving", topic)
                assert view is not None
                await wait_until(lambda: view.session.status.kind == "live", what="live")

                edit = window._profile_dialog(ctx.profile("Moving"))
                edit.base_url.setText(elsewhere.url)  # the token field stays empty: "leave empty to keep it"
                edit.test_topic.setText(str(topic))
                edit.test_button.click()
                await wait_until(lambda: edit.test_result.text() != "Testing…", what="the connection test")
                by_test.extend(elsewhere.authorizations)
                edit.buttons.button(QDialogButtonBox.StandardButton.Save).click()
                await wait_until(lambda: (p := ctx.profile("Moving")) is not None and p.base_url == elsewhere.url)
                await wait_until(lambda: not window._tasks, what="the save")
                with contextlib.suppress(AssertionError):  # the tab, resumed on the new address, asks it too
                    await wait_until(lambda: len(elsewhere.authorizations) > len(by_test), within=1.0)
                await close(window, ctx)

            qloop.run_until_complete(scenario())
    finally:
        elsewhere.close()
    carried = [a for a in elsewhere.authorizations if token in a]
    tested = len([a for a in by_test if token in a])
    assert carried == [], (
        f"the old token went to the new host: {tested} by the test, {len(carried) - tested} by the tab"
    )


def test_after_update_token_the_publish_panel_uses_the_new_token(
    qloop: EventLoop, ctx: AppContext, keyring_backend: InMemoryKeyring
) -> None:
    token, wrong = new_token(), new_token()
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as server:
        assert server.store is not None
        topic = server.store.create_topic("updated").id

        async def scenario() -> None:
            window = MainWindow(ctx)
            window.show()
            profile = Profile("Updated", "custom", server.url, rate_limit_rpm=0)
            await window._save_profile(None, profile, wrong)
            ctx.workspace.add_topic("Updated", topic)
            view = await window.open_topic("Updated", topic)
            assert view is not None
            assert view.publisher is not None
            await wait_until(lambda: view.session.status.kind == "error", what="the rejected token")
            await window._save_profile(profile, profile, token)  # what "Update token…" does when saved
            await wait_until(lambda: view.session.status.kind == "live", what="live with the new token")
            view.publisher.set_text('{"after": "update"}')
            results = await view.publisher.publish_now()
            await close(window, ctx)
            assert results is not None
            assert [r.outcome for r in results] == [Outcome.SUCCESS], results[0].error

        qloop.run_until_complete(scenario())

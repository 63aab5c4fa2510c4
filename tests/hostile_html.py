"""A hostile server that answers with HTML everywhere it can, a scripted window session against it, and a walk of
the window that finds the widgets that would draw that HTML as rich text.

``HtmlServer`` runs on 127.0.0.1 (a free port) in a background thread. It speaks just enough of each service
(Workato's Event Streams and Developer APIs, Qala, Boomi, the Messaging Resource API) for the window to show
what it sent: error messages, topic names and descriptions, message ids and payloads, subscription fields and app
messages, all of them HTML. ``html_session`` drives a window through every place that shows them, and
``rendered_html`` lists the widgets that render any of it. tests/gui/test_plain_text.py asserts on these; the
figure ``html_rendered`` of bench/_hardening_html.py counts them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers import AppServer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractItemView, QWidget

    from inspector.ui.context import AppContext
    from inspector.ui.main_window import MainWindow

HTML = "<h1 style='color:red'>boom</h1><a href='x'>link</a>"
BIG_ID = "<b>big</b>"
LINK_ID = "<a href='x'>link</a>"
# A crafted id under 1 KiB and printable, as a server may still send it: huge when drawn as rich text.
LONG_ID = "<h1 style='font-size:72px'>" + "W" * 900 + "</h1>"
MARKERS = ("<h1", "<a href", "<b>big")  # what only the server's HTML holds; none of the window's own markup
ERROR_BODY = {  # an error every service's parser reads words from
    "message": HTML,
    "error": HTML,
    "messages": [HTML],
    "title": HTML,
    "detail": HTML,
    "status": 400,
    "traceId": BIG_ID,
    "errors": [{"name": "events[0].type", "reason": HTML, "code": BIG_ID}],
    "code": "hostile",
}
TOPIC_MESSAGES, TOPIC_503, TOPIC_401, TOPIC_404 = 1, 2, 3, 4
ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
ACCOUNT = "acct_hostile"
SUBSCRIPTION = str(uuid.UUID(int=7))
APP = "app1"
SCHEMA = [{"name": BIG_ID, "type": "string", "label": HTML, "optional": False}]  # a payload without it: a problem


def _error(status: int) -> JSONResponse:
    return JSONResponse({**ERROR_BODY, "status": status}, status_code=status)


def _subscription() -> dict[str, Any]:
    return {
        "subscriptionId": SUBSCRIPTION,
        "eventName": HTML,
        "destinationType": "EVENT_STREAMS",
        "eventStreamsTopic": HTML,
        "eventStreamsEnvironment": BIG_ID,
        "logLevel": "INFO",
        "enabled": True,
    }


class HtmlServer:
    """``start()`` returns once it accepts connections on 127.0.0.1; ``stop()`` ends it. Its answers are fixed,
    but for the app's messages: the first read lists one, the later ones fail."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[str] = []
        self._app_reads = 0
        methods = ["GET", "POST", "PUT", "DELETE"]
        self.app = Starlette(routes=[Route("/{path:path}", self._answer, methods=methods)])
        self._server = AppServer(self.app, "hostile HTML server")

    def start(self) -> str:
        self.url = self._server.start()
        return self.url

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> HtmlServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _answer(self, request: Request) -> Response:
        path, method = request.url.path, request.method
        self.requests.append(f"{method} {path}")
        parts = path.strip("/").split("/")
        if path.endswith("/consume"):
            return await self._consume(int(parts[-2]), await request.json())
        if path.startswith("/api/v1/batch/topics/"):
            count = len((await request.json()).get("payloads", []))
            entries = {str(i): {"result": "error", "error": HTML} for i in range(count)}
            return JSONResponse({"message_ids": entries, "is_partial_error": True})
        if path == "/api/event_streams/topics" and method == "GET":
            names = {TOPIC_MESSAGES: HTML, TOPIC_503: BIG_ID, TOPIC_401: LINK_ID, TOPIC_404: LONG_ID}
            rows = [{"id": i, "name": n, "description": HTML, "schema": SCHEMA} for i, n in names.items()]
            return JSONResponse({"data": rows})
        if path.startswith(f"/rest/v1/accounts/{ACCOUNT}/subscriptions"):
            return self._boomi(method, parts)
        if path == f"/api/v1/apps/{APP}/messages":
            self._app_reads += 1
            if self._app_reads > 1:
                return _error(500)  # the watch carries on, saying why in words
            message = {"appId": APP, "transactionId": BIG_ID, "workflowId": HTML, "label": HTML, "selector": "s1"}
            return JSONResponse([message])
        if path.startswith("/api/v1/topics/") and method == "POST":  # a single publish
            return _error(422)
        if path.endswith("/session-tokens"):
            return _error(403)
        return _error(400)  # Qala's publish, Messaging's post and anything else

    async def _consume(self, topic: int, body: dict[str, Any]) -> Response:
        if topic == TOPIC_MESSAGES:
            if "after_message_id" in body:
                await asyncio.sleep(0.2)  # a short long poll: nothing more
                return JSONResponse({"messages": []})
            rows = [
                {"message_id": m, "time": f"2024-05-01T09:00:0{n}Z", "payload": {"html": HTML, "n": n}}
                for n, m in enumerate((BIG_ID, LONG_ID, LINK_ID))
            ]
            return JSONResponse({"messages": rows})
        if topic == TOPIC_401:
            return _error(401)
        if topic == TOPIC_404:
            return _error(404)
        return _error(503)

    def _boomi(self, method: str, parts: list[str]) -> Response:
        if parts[-1] == "bulk":
            status = {"subscriptionId": SUBSCRIPTION, "code": 400, "message": HTML}
            return JSONResponse({"operationStatuses": [status]}, status_code=207)
        if method == "GET" and parts[-1] == "subscriptions":
            meta = {"pageNumber": 0, "pageSize": 20, "totalPages": 1, "totalElements": 1}
            return JSONResponse({"subscriptions": [_subscription()], "paginationMetadata": meta})
        if method == "GET":
            return JSONResponse({"subscription": _subscription()})
        return _error(400)


# ----- the walk ---------------------------------------------------------------------------------------------------
def _holds_server_html(text: object) -> bool:
    return isinstance(text, str) and any(marker in text for marker in MARKERS)


def _model_tooltips(view: QAbstractItemView) -> Iterator[object]:
    from PySide6.QtCore import QModelIndex, Qt

    model = view.model()
    if model is None:
        return
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        try:
            columns = model.columnCount(parent)
        except TypeError:  # a list's model (QListWidget's) hides it: one column
            columns = 1
        for row in range(min(model.rowCount(parent), 200)):
            for column in range(columns):
                yield model.data(model.index(row, column, parent), Qt.ItemDataRole.ToolTipRole)
            pending.append(model.index(row, 0, parent))


def rendered_html(root: QWidget) -> list[str]:
    """The widgets under ``root`` (dialogs and message boxes included) that would draw server HTML as rich text:
    labels not in plain text, and tooltips (of widgets, tabs and items) that Qt would take for rich text. Buttons,
    tab and item texts, window titles and the status bar's messages are always drawn as plain text by Qt."""
    from PySide6.QtGui import Qt
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMessageBox, QTabBar, QWidget

    def rich(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> bool:
        return fmt != Qt.TextFormat.PlainText and (fmt != Qt.TextFormat.AutoText or Qt.mightBeRichText(text))

    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        texts: list[tuple[str, object, Qt.TextFormat]] = []
        if isinstance(widget, QLabel):
            texts.append(("", widget.text(), widget.textFormat()))
        if isinstance(widget, QMessageBox):
            texts += [("", widget.text(), widget.textFormat()), ("", widget.informativeText(), widget.textFormat())]
        texts.append(("tooltip of ", widget.toolTip(), Qt.TextFormat.AutoText))
        if isinstance(widget, QTabBar):
            texts += [("tab tooltip of ", widget.tabToolTip(i), Qt.TextFormat.AutoText) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):  # a header: its view's
            texts += [("item tooltip of ", tip, Qt.TextFormat.AutoText) for tip in _model_tooltips(widget)]
        for what, text, fmt in texts:
            if _holds_server_html(text) and rich(str(text), fmt):
                found.append(f"{what}{name}: {str(text)[:80]!r}")
    return found


# ----- the session ------------------------------------------------------------------------------------------------
async def _wait(condition: Callable[[], object], what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Session:
    """The window after ``html_session``; what the walk found in the message boxes closed on the way, and what
    they said."""

    window: MainWindow
    closed_found: list[str] = field(default_factory=list)
    closed_texts: list[str] = field(default_factory=list)

    def rendered_html(self) -> list[str]:
        """Every widget of the session that rendered server HTML: in the window now, or in a closed box."""
        return self.closed_found + rendered_html(self.window)


async def html_session(ctx: AppContext, url: str) -> Session:
    """A window (1024×700, shown) that has met the hostile server at ``url`` everywhere: four topics (messages
    with HTML ids, a 503, a 401, a 404) named from the Developer API, a message's detail, a comparison, a publish
    that asks to confirm, a refused publish and batch, the profile dialog's connection test, a replay, and the
    Qala, Boomi (with a delete confirmation) and Messaging panels. Dialogs and message boxes stay open, for the
    walk; the caller closes the window (``window.close()``, ``await window.shutdown()``)."""
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QMessageBox

    from inspector.core.profiles import Profile
    from inspector.ui.main_window import MainWindow

    profiles = (
        Profile("W", "custom", url, 0),
        Profile("Q", "custom", url, 0, service="qala", environment_id=ENVIRONMENT),
        Profile("B", "custom", url, 0, service="boomi", account_id=ACCOUNT),
        Profile("M", "custom", url, 0, service="messaging", workflow_container=True),
    )
    for profile in profiles:
        await ctx.set_token(ctx.profile_store.upsert(profile), "hostile-token")
    window = MainWindow(ctx)
    window.resize(1024, 700)
    window.show()
    await window.start_background()
    assert await window.list_topics(profiles[0]) == 4
    views = {}
    for topic in (TOPIC_MESSAGES, TOPIC_503, TOPIC_401, TOPIC_404):
        opened = await window.open_topic("W", topic)
        assert opened is not None
        views[topic] = opened
    view = views[TOPIC_MESSAGES]
    await _wait(lambda: view.model.rowCount() == 3, "the three hostile messages")
    await _wait(lambda: views[TOPIC_503].session.status.kind == "backoff", "the 503 said in words")
    await _wait(lambda: views[TOPIC_401].session.status.problem == "auth", "the 401")
    await _wait(lambda: views[TOPIC_404].session.status.problem == "not_found", "the 404")
    window.tabs.setCurrentWidget(views[TOPIC_503])
    window.update_status_bar()

    # the detail of each message, a comparison of two, and a bad filter
    window.tabs.setCurrentWidget(view)
    for message_id in (BIG_ID, LINK_ID, LONG_ID):
        assert view.select_message(message_id)
    view.table.selectRow(0)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.table.selectionModel().select(view.model.index(2, 0), flags)
    view.compare_selected()
    assert view.select_message(LONG_ID)  # the long one stays selected
    view.filter_mode.setCurrentIndex(view.filter_mode.findData("jmespath"))
    view.filter_edit.setText(f"payload.html == '{HTML}' &&")
    view.apply_filter()

    # publishing: a payload the topic's schema refuses (confirmed), refused by the server; a refused batch
    publisher = view.publisher
    assert publisher is not None
    publisher.set_text("{}")
    publishing = asyncio.ensure_future(publisher.publish_now())
    await _wait(lambda: publisher.confirm_box is not None, "the schema confirmation")
    box = publisher.confirm_box
    assert box is not None
    session = Session(window, rendered_html(box), [box.text()])
    box.done(QMessageBox.StandardButton.Yes)
    await publishing
    publisher.set_text('[{"customer": "a"}, {"customer": "b"}]')
    await publisher.publish_now(confirm=False)

    # the profile dialog's connection test, on the topic that answers 503
    dialog = window._profile_dialog(profiles[0])
    dialog.test_topic.setText(str(TOPIC_503))
    dialog.test_button.click()
    await _wait(lambda: dialog.test_result.text() != "Testing…", "the connection test")

    # a replay of the messages to the topic that answers 401
    replay = window.replay_rows(view, view.rows_for_action())
    assert replay is not None
    replay.topic_box.setEditText(str(TOPIC_401))
    job = window._start_replay(replay)
    assert job is not None
    await _wait(lambda: window.jobs.runs[job].task.done(), "the replay job")

    # the other services
    qala: Any = await window.open_service("Q", "publish_events")
    boomi: Any = await window.open_service("B", "manage_subscriptions")
    messages: Any = await window.open_service("M", "watch_messages")
    assert None not in (qala, boomi, messages)
    qala.editor.setPlainText('[{"type": "order.created", "data": {"n": 1}}]')
    await qala.publish_now()
    qala.results_view.selectRow(0)
    qala.group_id.setText(ENVIRONMENT)
    await qala.create_session_token()
    window.tabs.setCurrentWidget(boomi)
    await boomi.refresh()
    boomi.select_rows([0])
    await boomi.bulk_set_enabled([SUBSCRIPTION], False)
    await boomi.delete(SUBSCRIPTION)
    boomi.select_rows([0])
    boomi._delete_clicked()  # its confirmation stays open
    messages.watch_interval = 0.05
    messages.watch(APP)
    await _wait(lambda: messages.model.transactions, "the app's messages")
    await _wait(lambda: "boom" in messages.status.text(), "the watch's error")
    await messages.stop_watch()
    for edit, text in (
        (messages.post_transaction, "t1"),
        (messages.post_workflow, "w1"),
        (messages.post_label, "l1"),
        (messages.post_selectors, "s1"),
    ):
        edit.setText(text)
    await messages.post_now()
    window.update_status_bar()
    return session

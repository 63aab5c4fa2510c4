"""Server text is data: a server that answers with HTML everywhere it can (tests/hostile_html.py) gets it shown as the
characters it sent, never drawn as headings, links or bold, and a crafted long id does not blow the layout up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QApplication

from inspector.core.profiles import Profile
from inspector.ui.context import AppContext
from inspector.ui.dialogs import ProfileDialog
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.widgets import plain_tooltip
from tests.helpers import wait_until
from tests.hostile_html import (
    BIG_ID,
    HTML,
    LONG_ID,
    TOPIC_503,
    TOPIC_MESSAGES,
    HtmlServer,
    html_session,
    rendered_html,
)


def tooltip_text(tip: str) -> str:
    """What a tooltip shows: Qt draws it as rich text when it might be some."""
    if not Qt.mightBeRichText(tip):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


@pytest.fixture
def server() -> Iterator[HtmlServer]:
    with HtmlServer() as running:
        yield running


def test_no_widget_renders_the_servers_html(qloop: EventLoop, ctx: AppContext, server: HtmlServer) -> None:
    async def scenario() -> None:
        session = await html_session(ctx, server.url)
        window = session.window
        assert session.rendered_html() == []
        # The HTML did reach each of these places, shown as the characters the server sent.
        view = window.views[("W", TOPIC_MESSAGES)]
        failing = window.views[("W", TOPIC_503)]
        qala, boomi, messages = (
            window.service_views[key]
            for key in (("Q", "publish_events"), ("B", "manage_subscriptions"), ("M", "watch_messages"))
        )
        profile_dialog = window.findChild(ProfileDialog, "profile-dialog")
        assert profile_dialog is not None
        shown = {
            "the 503's status": failing.status_label,
            "the status bar": window.state_label,
            "the detail header": view.detail_header,
            "the connection test": profile_dialog.test_result,
            "the Qala result": qala.result_detail,  # type: ignore[attr-defined]
            "the Qala session token": qala.session_note,  # type: ignore[attr-defined]
            "the Boomi notice": boomi.notice,  # type: ignore[attr-defined]
            "the Messaging post": messages.post_result,  # type: ignore[attr-defined]
        }
        for place, label in shown.items():
            assert label is not None
            assert any(word in label.text() for word in ("boom", "big", "h1")), f"{place}: {label.text()!r}"
        assert boomi.confirm_box is not None  # type: ignore[attr-defined]
        assert HTML in boomi.confirm_box.text()  # type: ignore[attr-defined]
        assert any(BIG_ID in text for text in session.closed_texts)  # the schema confirmation named the field
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())


def test_a_long_crafted_id_keeps_the_detail_header_small(qloop: EventLoop, ctx: AppContext, server: HtmlServer) -> None:
    async def scenario() -> None:
        await ctx.set_token(ctx.profile_store.upsert(Profile("W", "custom", server.url, 0)), "hostile-token")
        ctx.workspace.add_topic("W", TOPIC_MESSAGES, "messages")
        window = MainWindow(ctx)
        window.resize(1024, 700)
        window.show()
        view = await window.open_topic("W", TOPIC_MESSAGES)
        assert view is not None
        await wait_until(lambda: view.model.rowCount() == 3, what="the three hostile messages")
        assert view.select_message(LONG_ID)
        header = view.detail_header
        assert rendered_html(view) == []
        line = header.fontMetrics().height()
        assert header.sizeHint().height() <= 3 * line, header.sizeHint()
        assert header.sizeHint().width() <= 700, header.sizeHint()  # the id is cut in the middle
        assert window.minimumSizeHint().width() <= 1024, window.minimumSizeHint()
        assert window.width() <= 1024
        assert tooltip_text(header.toolTip()) == LONG_ID  # the whole id, shown as sent
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())


def test_a_plain_tooltip_shows_the_characters_it_was_given(qapp: QApplication) -> None:
    for text in (HTML, BIG_ID, "<b>", "a <i>b</i> & c", "x < y", "no markup at all"):
        assert tooltip_text(plain_tooltip(text)) == text

"""How many widgets draw a hostile server's HTML as rich text: the window, offscreen, through the scripted session of
tests/hostile_html.py (errors, topic names, message ids, payloads and the other services' answers, all HTML).

``measure()`` returns ``{"html_rendered": N}``; the goal is 0. Run alone, it prints that as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the hostile server and its session live in tests/
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def measure() -> dict[str, int]:
    from PySide6.QtWidgets import QApplication

    from inspector.core.secrets import KeyringStore
    from inspector.ui.context import AppContext
    from inspector.ui.eventloop import EventLoop
    from tests.helpers import InMemoryKeyring
    from tests.hostile_html import HtmlServer, html_session

    home = os.environ.get("TOPIC_INSPECTOR_HOME")
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory(prefix="topic-inspector-html-") as folder, HtmlServer() as server:
        os.environ["TOPIC_INSPECTOR_HOME"] = folder  # never the user's profiles, tokens or folders
        loop = EventLoop(app, already_running=False)
        asyncio.set_event_loop(loop)
        try:
            ctx = AppContext(keyring_store=KeyringStore(InMemoryKeyring()))

            async def session() -> int:
                done = await html_session(ctx, server.url)
                found = done.rendered_html()
                if os.environ.get("HARDENING_HTML_VERBOSE"):
                    print("\n".join(found), file=sys.stderr)
                done.window.close()
                await done.window.shutdown()
                await ctx.aclose()
                done.window.deleteLater()
                return len(found)

            rendered = loop.run_until_complete(session())
        finally:
            loop.close()
            asyncio.set_event_loop(None)
            if home is None:
                os.environ.pop("TOPIC_INSPECTOR_HOME", None)
            else:
                os.environ["TOPIC_INSPECTOR_HOME"] = home
    return {"html_rendered": rendered}


if __name__ == "__main__":
    print(json.dumps(measure()))

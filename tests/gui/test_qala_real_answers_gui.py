"""The Qala panel's results when a real server answers a publish its own way: an empty ``202`` is a success
that says the answer gave no id, and ids the server made are shown."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from inspector.core.models import Outcome
from inspector.core.services.qala import NO_ID_WORDS, QalaClient
from inspector.ui.eventloop import EventLoop
from inspector.ui.services.qala import COL_DETAIL, QalaPanel
from tests.real_server import QalaAnswer, RealServer

ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
EVENTS = [{"type": "order.created", "id": "given-1", "data": {"n": 1}}, {"type": "order.paid", "data": "x"}]


@pytest.fixture(scope="module")
def server() -> Iterator[RealServer]:
    running = RealServer()
    running.start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("answer", "details"),
    [
        (QalaAnswer(202, b""), ["given-1", NO_ID_WORDS]),
        (QalaAnswer.of_json({"eventIds": ["srv-1", "srv-2"]}), ["srv-1", "srv-2"]),
    ],
    ids=["empty 202", "eventIds"],
)
def test_qala_results_show_the_servers_ids_or_say_there_is_none(
    qloop: EventLoop, server: RealServer, answer: QalaAnswer, details: list[str]
) -> None:
    server.reset().qala_answer = answer

    async def scenario() -> None:
        client = QalaClient(server.url, server.token, ENVIRONMENT, rate_limit_rpm=0)
        panel = QalaPanel(client, "Qala real")
        panel.show()
        try:
            panel.editor.setPlainText(json.dumps(EVENTS))
            results = await panel.publish_now()
            assert results is not None
            assert [r.outcome for r in results] == [Outcome.SUCCESS, Outcome.SUCCESS]
            shown = [panel.results.index(row, COL_DETAIL).data() for row in range(panel.results.rowCount())]
            assert shown == details
            assert panel.summary.text() == "2 published"
        finally:
            await panel.stop()
            await client.aclose()

    qloop.run_until_complete(scenario())

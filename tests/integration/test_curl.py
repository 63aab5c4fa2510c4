""" "Copy as curl" gives commands that really work: run them with curl against the emulator."""

from __future__ import annotations

import os
import subprocess

import pytest

from inspector.core.curl import publish_as_curl
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer


def run_shell(script: str, token: str) -> None:
    env = {**os.environ, "TOPIC_INSPECTOR_TOKEN": token}
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, check=True, capture_output=True, timeout=30)


@pytest.mark.parametrize("count", [1, 2, 150])
async def test_curl_commands_publish_what_the_editor_holds(
    emulator: EmulatorServer, topic: int, client: EventStreamsClient, count: int
) -> None:
    payloads = [{"n": n, "note": 'it\'s "quoted" $HOME `x` \\ ü\n'} for n in range(count)]
    script = publish_as_curl(custom_endpoint(emulator.url), topic, payloads, single=count == 1)
    assert emulator.token not in script
    assert "$TOPIC_INSPECTOR_TOKEN" in script
    run_shell(script, emulator.token)
    got = await client.consume(topic, batch_size=50)
    while len(got) < count:
        more = await client.consume(topic, after_message_id=got[-1].message_id, batch_size=50)
        assert more
        got += more
    assert [m.payload for m in got] == payloads


def test_legacy_endpoints_get_one_request_per_item() -> None:
    endpoint = custom_endpoint("https://example.test", legacy=True)
    script = publish_as_curl(endpoint, 3, [{"a": 1}, {"a": 2}], single=False)
    assert script.startswith("# 2 requests, in order")
    assert script.count("/api/pubsub/topics/3/publish") == 2

"""``topic-inspector --demo`` without a screen (an SSH session): the emulator with live sample traffic, followed
in the terminal. With a screen, ``--demo`` opens the window instead (``inspector.ui.app``). Not a command of the
table: ``inspector.cli`` imports it only for ``--demo`` without a screen."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from typing import Any

from inspector.cli._common import EXIT_OK
from inspector.core.models import Message
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import StartPosition, TopicTail
from inspector.emulator.server import EmulatorServer, demo_config
from inspector.emulator.traffic import generate_traffic


def run_terminal_demo() -> int:
    async def follow(url: str, token: str) -> None:
        endpoint = custom_endpoint(url, rate_limit_rpm=0)
        async with EventStreamsClient(endpoint, token) as client:

            def show(topic: int) -> Any:
                def printer(batch: list[Message]) -> None:
                    for message in batch:
                        print(
                            f"topic {topic}  {message.time_text}  {message.message_id}  "
                            f"{json.dumps(message.payload)[:100]}",
                            flush=True,
                        )

                return printer

            tails = [TopicTail(client, t, show(t), start=StartPosition.now(), wait_secs=30) for t in (1, 2)]
            traffic = asyncio.create_task(generate_traffic(url, token))
            try:
                await asyncio.gather(*(tail.run() for tail in tails))
            finally:
                traffic.cancel()
                await asyncio.gather(traffic, return_exceptions=True)

    with tempfile.TemporaryDirectory(prefix="topic-inspector-demo-") as folder:
        config = demo_config(f"{folder}/demo.sqlite")  # a random token, not the public default
        with EmulatorServer(config) as server:
            print(
                f"Demo: emulator at {server.url} (token {server.token}); live messages below, Ctrl+C to stop.",
                flush=True,
            )
            try:
                asyncio.run(follow(server.url, server.token))
            except KeyboardInterrupt:
                print("demo stopped", file=sys.stderr)
    return EXIT_OK

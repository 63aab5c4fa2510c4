"""Helpers shared by the benchmarks: a seeded emulator and figures."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector.emulator.server import EmulatorConfig, EmulatorServer


def seeded_emulator(topic_messages: int, *, payload_bytes: int = 200) -> tuple[EmulatorServer, int]:
    """An emulator (rate limit off) with one topic holding ``topic_messages`` messages; returns it and the id."""
    server = EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0))
    server.start()
    assert server.store is not None
    topic = server.store.create_topic("bench").id
    filler = "x" * max(payload_bytes - 40, 0)
    for start in range(0, topic_messages, 1000):
        count = min(1000, topic_messages - start)
        server.store.publish(topic, [json.dumps({"n": start + i, "fill": filler}) for i in range(count)])
    return server, topic


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)

"""Realistic demo traffic: orders and audit events published to the sample topics a few times a second."""

from __future__ import annotations

import asyncio
import random

from inspector.core.errors import InspectorError
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.core.timeparse import format_time, now_utc
from inspector.emulator.samples import sample_audit_event, sample_order


async def generate_traffic(
    base_url: str, token: str, *, per_second: float = 3.0, seed: int | None = None, limit: int | None = None
) -> int:
    """Publish to topics 1 (orders) and 2 (audit events) until cancelled (or ``limit`` messages); returns count."""
    rng = random.Random(seed)
    sent = 0
    order_id = 1000
    async with EventStreamsClient(custom_endpoint(base_url, rate_limit_rpm=0), token) as client:
        while limit is None or sent < limit:
            stamp = format_time(now_utc())
            try:
                if rng.random() < 0.6:
                    order_id += 1
                    await client.publish(1, sample_order(rng, order_id, stamp))
                else:
                    await client.publish(2, sample_audit_event(rng, stamp))
                sent += 1
            except InspectorError:
                pass  # the emulator is stopping or restarting: the demo just carries on
            await asyncio.sleep(rng.expovariate(per_second))
    return sent

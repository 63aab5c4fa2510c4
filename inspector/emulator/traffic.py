"""Realistic demo traffic: orders and audit events published to the sample topics a few times a second."""

from __future__ import annotations

import asyncio
import random

import httpx

from inspector.core.errors import InspectorError
from inspector.core.regions import custom_endpoint
from inspector.core.services.boomi import BoomiClient
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


DEMO_ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"  # the emulator's Qala environment
DEMO_ACCOUNT = "acct_demo"
DEMO_APP = "demo-app"


async def seed_demo_subscriptions(base_url: str, token: str, account: str = DEMO_ACCOUNT) -> int:
    """A few Boomi subscriptions for the demo, one sending to the sample "orders" topic."""
    rows = [
        {"eventName": "Atom.Status", "destinationType": "EVENT_STREAMS", "eventStreamsTopic": "orders"},
        {
            "eventName": "Process.Execution",
            "destinationType": "EVENT_STREAMS",
            "eventStreamsTopic": "audit-events",
            "logLevel": "WARN",
        },
        {
            "eventName": "Connector.Error",
            "destinationType": "EVENT_STREAMS",
            "eventStreamsTopic": "alerts",
            "enabled": False,
        },
    ]
    async with BoomiClient(base_url, token, account, rate_limit_rpm=0) as client:
        return len(await client.create(rows))


async def generate_app_messages(
    base_url: str, token: str, app: str = DEMO_APP, *, per_second: float = 0.5, seed: int | None = None
) -> None:
    """Transactions of the demo app come and go: each posts a few messages, and ends (its messages deleted) a
    little later, as the Messaging Resource API's transactions do. Until cancelled."""
    rng = random.Random(seed)
    running: list[tuple[str, float]] = []
    number = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, trust_env=False) as http:
        while True:
            loop_time = asyncio.get_running_loop().time()
            try:
                if len(running) < 4:
                    number += 1
                    transaction = f"tx-{number:04d}"
                    selectors = [f"user:{rng.randint(1, 9)}" for _ in range(rng.randint(1, 3))]
                    await http.post(
                        f"/_emulator/apps/{app}/transactions/{transaction}/messages",
                        json={
                            "workflowId": f"wf-{rng.randint(1, 3)}",
                            "label": "Approve order",
                            "selectors": selectors,
                        },
                    )
                    running.append((transaction, loop_time + rng.uniform(6, 15)))
                for transaction, ends in [r for r in running if r[1] <= loop_time]:
                    await http.post(f"/_emulator/apps/{app}/transactions/{transaction}/end")
                    running.remove((transaction, ends))
            except httpx.HTTPError:
                pass  # the emulator is stopping: the demo just carries on
            await asyncio.sleep(rng.expovariate(per_second))

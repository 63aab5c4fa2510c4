"""Test a schema change against 10,000 retained messages in the emulator: the time to the answer.

The emulator runs in its own process with a topic of 10,000 order messages, one in 27 without a customer email.
The new schema makes the email required. The figure is the time from the first consume request to the summary
(read from the start until caught up, 50 a request, every message checked), with the rate limit off; at the
regional limit (60 requests a minute) the reading alone takes 200 requests, about 3 minutes 20 seconds.
Prints the summary, then one JSON line: {"messages": 10000, "seconds": ..., "refused": ...}.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from _common import emulator_process, median

from inspector.core.fieldlist import parse_fieldlist
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.schemacheck import SchemaTest, check_schema_change
from inspector.core.services.workato import EventStreamsClient

MESSAGES = 10_000
ROUNDS = 3
NEW_SCHEMA = [
    {"name": "order_id", "type": "integer"},
    {"name": "placed_at", "type": "date_time"},
    {"name": "total", "type": "number"},
    {
        "name": "customer",
        "type": "object",
        "properties": [{"name": "name"}, {"name": "email"}],  # the change: email is now required
    },
    {
        "name": "lines",
        "type": "array",
        "of": "object",
        "properties": [{"name": "sku"}, {"name": "qty", "type": "integer"}],
    },
]


def order(n: int) -> dict[str, object]:
    customer = {"name": f"customer {n % 97}"} | ({} if n % 27 == 13 else {"email": f"c{n % 97}@example.com"})
    return {
        "order_id": n,
        "placed_at": f"2024-05-{1 + n % 28:02d}T10:{n % 60:02d}:00Z",
        "total": round(10 + (n % 500) * 1.25, 2),
        "customer": customer,
        "lines": [{"sku": f"SKU-{n % 13}", "qty": 1 + n % 4}],
    }


def fill(url: str, token: str, topic: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        for start in range(0, MESSAGES, 100):
            answer = http.post(
                f"/api/v1/batch/topics/{topic}/publish",
                json={"payloads": [order(n) for n in range(start, start + 100)]},
            )
            assert answer.status_code == 200, answer.text
            assert not answer.json()["is_partial_error"], answer.text


async def one_round(url: str, token: str, topic: int) -> tuple[float, SchemaTest]:
    fields = parse_fieldlist(NEW_SCHEMA)
    async with EventStreamsClient(custom_endpoint(url), token, limiter=RateLimiter(0)) as client:
        begin = time.perf_counter()
        test = await check_schema_change(client, topic, fields)
        elapsed = time.perf_counter() - begin
    assert test.checked == MESSAGES, test.checked
    return elapsed, test


def main() -> None:
    with emulator_process(0) as (url, token, topic):
        fill(url, token, topic)
        rounds = [asyncio.run(one_round(url, token, topic)) for _ in range(ROUNDS)]
    seconds = median([elapsed for elapsed, _ in rounds])
    test = rounds[0][1]
    print(f"{MESSAGES:,} retained messages, rate limit off, {ROUNDS} rounds (median)")
    print(test.summary())
    print(f"time to the answer: {seconds:.2f} s")
    print(json.dumps({"messages": MESSAGES, "seconds": round(seconds, 3), "refused": test.refused}))


if __name__ == "__main__":
    main()

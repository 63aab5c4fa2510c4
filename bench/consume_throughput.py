"""Drain a 20,000-message backlog from the emulator with TopicTail and with a bare httpx loop, in one run.

Goal: TopicTail at >= 0.9 of the hand-written loop. Prints msg/s of both, then one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from _common import emulator_process, median, tail_drain

MESSAGES = 20_000
ROUNDS = 3


async def drain_by_hand(url: str, token: str, topic: int) -> float:
    received, cursor = 0, None
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        begin = time.perf_counter()
        while True:
            body = {"batch_size": 50} if cursor is None else {"batch_size": 50, "after_message_id": cursor}
            messages = (await http.post(f"/api/v1/topics/{topic}/consume", json=body)).json()["messages"]
            if not messages:
                break
            received += len(messages)
            cursor = messages[-1]["message_id"]
        elapsed = time.perf_counter() - begin
    assert received == MESSAGES, received
    return received / elapsed


def main() -> None:
    with emulator_process(MESSAGES) as (url, token, topic):
        tail_rates, hand_rates = [], []
        for _ in range(ROUNDS):  # interleaved, so both see the same machine
            hand_rates.append(asyncio.run(drain_by_hand(url, token, topic)))
            tail_rates.append(asyncio.run(tail_drain(url, token, topic, MESSAGES)))
    tail, hand = median(tail_rates), median(hand_rates)
    print(f"backlog {MESSAGES} messages, batch 50, rate limit off, {ROUNDS} rounds (median)")
    print(f"TopicTail:       {tail:10.0f} msg/s")
    print(f"bare httpx loop: {hand:10.0f} msg/s")
    print(f"ratio:           {tail / hand:10.3f}  (goal >= 0.9)")
    print(
        json.dumps({"ratio": round(tail / hand, 3), "tail_msgs_per_s": round(tail), "baseline_msgs_per_s": round(hand)})
    )


if __name__ == "__main__":
    main()

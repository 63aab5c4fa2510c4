"""The sample topics an emulator starts with when none are declared, and realistic payloads for them."""

from __future__ import annotations

import random
from typing import Any

ORDER_SCHEMA: list[dict[str, Any]] = [
    {"name": "order_id", "type": "integer", "optional": False},
    {"name": "status", "type": "string", "optional": False},
    {"name": "placed_at", "type": "date_time", "optional": False},
    {"name": "total", "type": "number", "optional": False},
    {
        "name": "customer",
        "type": "object",
        "optional": False,
        "properties": [
            {"name": "name", "type": "string"},
            {"name": "email", "type": "string", "optional": True},
        ],
    },
    {
        "name": "lines",
        "type": "array",
        "of": "object",
        "optional": True,
        "properties": [
            {"name": "sku", "type": "string"},
            {"name": "qty", "type": "integer"},
        ],
    },
]

SAMPLE_TOPICS: list[tuple[int, str, list[dict[str, Any]] | None]] = [
    (1, "orders", ORDER_SCHEMA),
    (2, "audit-events", None),
]

_NAMES = ["Jane Doe", "John Roe", "Ana Silva", "Kenji Sato", "Priya Nair", "Lena Fischer", "Omar Haddad"]
_STATUSES = ["placed", "paid", "packed", "shipped", "delivered", "cancelled"]
_ACTIONS = ["login", "logout", "recipe.started", "recipe.stopped", "connection.updated", "user.invited"]


def sample_order(rng: random.Random, order_id: int, placed_at: str) -> dict[str, Any]:
    name = rng.choice(_NAMES)
    lines = [{"sku": f"SKU-{rng.randint(100, 999)}", "qty": rng.randint(1, 5)} for _ in range(rng.randint(1, 3))]
    return {
        "order_id": order_id,
        "status": rng.choice(_STATUSES),
        "placed_at": placed_at,
        "total": round(rng.uniform(5, 500), 2),
        "customer": {"name": name, "email": name.lower().replace(" ", ".") + "@example.com"},
        "lines": lines,
    }


def sample_audit_event(rng: random.Random, at: str) -> dict[str, Any]:
    return {
        "action": rng.choice(_ACTIONS),
        "actor": rng.choice(_NAMES),
        "at": at,
        "ip": f"192.0.2.{rng.randint(1, 254)}",
    }

"""Exponential backoff with jitter, shared by the tail and the publisher."""

from __future__ import annotations

import random


class Backoff:
    """Delays that double from ``base`` up to ``cap``, each drawn from the upper half (equal jitter)."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.attempts = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2.0 ** min(self.attempts, 30)))
        self.attempts += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempts = 0

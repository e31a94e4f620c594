"""Pacing sends to the platforms' rate limits.

Every Sender names the buckets a post draws from (`RateKey`: at most `rate` requests per `period`
seconds, bursting up to `rate`). Which limiter enforces them is a deployment choice
(`PARTNERBOT_RATE_LIMITS`):

- `process` — one leaky bucket per key in this process (aiolimiter). Right for one process; N
  processes would each spend the whole budget.
- `shared` — the buckets live in the database, so every process draws from the same ones.
- `off` — no pacing at all: only for benchmarks against fakes whose limits are off, or behind a
  proxy that paces for you. A 429 is still honoured (the row is rescheduled with Retry-After).
"""

from __future__ import annotations

from aiolimiter import AsyncLimiter

from bot.ports import RateKey


class ProcessLimiter:
    """One leaky bucket per rate key, shared by every send in this process."""

    def __init__(self) -> None:
        self._buckets: dict[str, AsyncLimiter] = {}

    async def acquire(self, keys: list[RateKey]) -> None:
        for key in keys:
            bucket = self._buckets.get(key.key)
            if bucket is None:
                bucket = self._buckets[key.key] = AsyncLimiter(key.rate, key.period)
            await bucket.acquire()

    async def close(self) -> None:
        pass


class NoLimiter:
    """`PARTNERBOT_RATE_LIMITS=off`: never waits."""

    async def acquire(self, keys: list[RateKey]) -> None:
        pass

    async def close(self) -> None:
        pass

"""Shared rate limiter overhead: acquires/s of `SharedLimiter` when no limit binds.

    uv run python bench/ratelimit.py [--acquires 20000] [--pg postgresql://…]

Each acquire draws from two buckets, as a Slack post does (its channel, one of 1,000, and the
workspace), at a rate so high nothing ever waits: what is left is the limiter's own cost. Runs on a
temporary SQLite file and on PostgreSQL (`--pg`, else a throwaway cluster when the binaries are
installed), with 1 and 32 concurrent acquirers (the worker's default concurrency), and prints
acquires/s and sends per database flush. The in-process limiters are the baseline: `ProcessLimiter`
(GCRA buckets in memory) and the chain of aiolimiter buckets it replaced, each through the worker's
pacing path (`try_acquire`, else `acquire` under a timeout, as DeliveryWorker.pace does).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiolimiter import AsyncLimiter
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import ProcessLimiter
from bot.ports import RateKey, RateLimiter
from bot.services.ratelimits import SharedLimiter
from storage import migrate
from storage.engine import make_engine, make_sessionmaker
from storage.repositories import RateLimitRepository

# One microsecond apart: never binding, yet above float resolution at epoch times, so every grant
# writes its buckets like a real one.
HUGE = 1e6


def keys(i: int) -> list[RateKey]:
    return [RateKey(f"slack:chan:C{i % 1000}", HUGE, 1.0), RateKey("slack:team:T1", HUGE, 1.0)]


class AiolimiterChain:
    """`PARTNERBOT_RATE_LIMITS=process` before bot/services/process_limiter.py: one aiolimiter
    bucket per key, acquired in turn; never a cell without the await (and the worker's timeout)."""

    def __init__(self) -> None:
        self._buckets: dict[str, AsyncLimiter] = {}

    def try_acquire(self, keys: list[RateKey]) -> bool:
        return False

    async def acquire(self, keys: list[RateKey]) -> None:
        for key in keys:
            bucket = self._buckets.get(key.key)
            if bucket is None:
                bucket = self._buckets[key.key] = AsyncLimiter(key.rate, key.period)
            await bucket.acquire()

    async def close(self) -> None:
        pass


async def measure(limiter: RateLimiter, acquires: int, concurrency: int) -> float:
    """Acquires per second with `concurrency` tasks acquiring in a loop, as the worker paces."""
    each = acquires // concurrency

    async def acquirer(offset: int) -> None:
        for i in range(each):
            wanted = keys(offset + i * concurrency)
            if not limiter.try_acquire(wanted):
                async with asyncio.timeout(60.0):
                    await limiter.acquire(wanted)

    started = time.perf_counter()
    await asyncio.gather(*(acquirer(n) for n in range(concurrency)))
    return each * concurrency / (time.perf_counter() - started)


async def shared(url: str, acquires: int, concurrency: int) -> tuple[float, float]:
    """Acquires/s and sends per flush of a `SharedLimiter` on `url`."""
    engine = make_engine(url)
    flushes = 0

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal flushes
        flushes += statement.startswith("INSERT INTO rate_limit") and "RETURNING" in statement

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    limiter = SharedLimiter(RateLimitRepository(make_sessionmaker(engine)))
    try:
        await measure(limiter, 200, concurrency)  # warm up: connections, statement caches
        flushes = 0
        rate = await measure(limiter, acquires, concurrency)
        return rate, acquires / max(flushes, 1)
    finally:
        await limiter.close()
        await engine.dispose()


async def main(acquires: int, pg_url: str | None) -> None:
    databases: list[tuple[str, Callable[[], str]]] = []
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/bench.db"
        databases.append(("SQLite", lambda: sqlite_url))
        if pg_url is None:
            from tests.pg import find_bindir, start_cluster

            if find_bindir() is not None:
                cluster = await asyncio.to_thread(start_cluster)
                await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
                pg_url = cluster.url("bench")
            else:
                print("PostgreSQL: skipped (no binaries; pass --pg postgresql://…)")
        if pg_url is not None:
            url = pg_url
            databases.append(("PostgreSQL", lambda: url))
        try:
            print(f"{acquires} acquires, 2 buckets each, limits never binding")
            print(f"{'limiter':<28}{'acquirers':>10}{'acquires/s':>13}{'sends/flush':>13}")
            for label, make in (
                ("process", ProcessLimiter),
                ("process, aiolimiter (before)", AiolimiterChain),
            ):
                for concurrency in (1, 32):
                    rate = await measure(make(), acquires, concurrency)
                    print(f"{label:<28}{concurrency:>10}{rate:>13,.0f}{'-':>13}")
            for name, get_url in databases:
                await asyncio.to_thread(migrate.upgrade, get_url())
                for concurrency in (1, 32):
                    rate, per_flush = await shared(get_url(), acquires, concurrency)
                    label = f"shared ({name})"
                    print(f"{label:<28}{concurrency:>10}{rate:>13,.0f}{per_flush:>13.1f}")
        finally:
            if cluster is not None:
                await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--acquires", type=int, default=20_000)
    parser.add_argument("--pg", help="a PostgreSQL URL (default: a throwaway cluster if installed)")
    args = parser.parse_args()
    asyncio.run(main(args.acquires, args.pg))

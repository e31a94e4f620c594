"""The claim and record path alone: CPU per delivery and round trips to SQLite's thread.

    uv run python bench/record.py [--channels 10000] [--chunk 230] [--history 0] [--db postgresql://…]

Seeds N local channels (with `--history H`, first sends H broadcasts to them the same way, not
measured: the sent copies a real table holds), sends one announcement to them (targeting is not
timed), then claims every delivery in batches of `--batch` and records them sent in group commits
of `--chunk` outcomes (about what a Slack fan-out writes per commit at RECORD_EVERY), as the worker
does but without sending. Prints this process's CPU (all threads) per delivery for the claims and
for the records, and on SQLite how many times each crossed to aiosqlite's thread (each `await` on
its connection is one).
No network: a quick, stable measure of the path `bench/fanout.py` runs end to end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosqlite.core

from bench.seed import Target, draft, seed, send
from bot.app import App, build_app
from bot.config import Settings
from bot.domain import Outcome, OutcomeKind, Platform, Work, WorkKind

_hops = 0
LEASE = timedelta(minutes=5)


def _count_hops() -> None:
    """Count every function aiosqlite runs on its thread (one round trip each)."""
    original: Any = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        global _hops
        _hops += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]


async def _timed(step: Callable[[], Awaitable[Any]]) -> tuple[Any, float, int]:
    hops, cpu = _hops, time.process_time()
    result = await step()
    return result, time.process_time() - cpu, _hops - hops


async def run(channels: int, url: str | None, *, batch: int, chunk: int, history: int) -> None:
    _count_hops()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_url=url or f"sqlite:///{tmp}/bench.db")
        app = await build_app(settings)
        await seed(app.engine, [Target(Platform.LOCAL, "local", f"c{i}") for i in range(1, channels + 1)])
        for _ in range(history):  # sent before, the same way: the table's history (not measured)
            await send(app, await draft(app, "History"))
            await _deliver(app, batch, chunk)
        await send(app, await draft(app, "Record"))
        cpu_of, trips_of, recorded = await _deliver(app, batch, chunk)
        await app.close()
    print(
        f"deliveries recorded sent   {recorded:,} (claims of {batch}, group commits of {chunk}, "
        f"{history * channels:,} sent before)"
    )
    for step, cpu in cpu_of.items():
        trips = "" if url else f"{trips_of[step] / recorded:.3f} round trips to SQLite's thread per delivery"
        print(f"{step:<7} CPU {1000 * cpu / recorded:.4f} ms per delivery   {trips}")


async def _deliver(app: App, batch: int, chunk: int) -> tuple[dict[str, float], dict[str, int], int]:
    """Claim and record sent every due delivery: CPU and trips of each step, and how many."""
    outbox, clock = app.stores.outbox, app.clock
    cpu_of = {"claim": 0.0, "record": 0.0}
    trips_of = {"claim": 0, "record": 0}
    recorded = 0
    while True:
        now = clock.now()

        async def claim(now: Any = now) -> list[Work]:
            return await outbox.claim_deliveries(
                now=now, lease_until=now + LEASE, limit=batch, worker="bench", platforms=["local"]
            )

        claimed, cpu, hops = await _timed(claim)
        cpu_of["claim"] += cpu
        trips_of["claim"] += hops
        if not claimed:
            return cpu_of, trips_of, recorded
        for start in range(0, len(claimed), chunk):
            outcomes = [
                Outcome(OutcomeKind.SENT, work.id, message_id=f"m{work.id}")
                for work in claimed[start : start + chunk]
            ]

            async def record(outcomes: list[Outcome] = outcomes) -> None:
                await outbox.record(WorkKind.DELIVERY, outcomes, worker="bench", now=clock.now())

            _, cpu, hops = await _timed(record)
            cpu_of["record"] += cpu
            trips_of["record"] += hops
            recorded += len(outcomes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--batch", type=int, default=500, help="rows per claim (PARTNERBOT_WORKER_BATCH)")
    parser.add_argument("--chunk", type=int, default=230, help="outcomes per group commit")
    parser.add_argument("--history", type=int, default=0, help="broadcasts to the same channels sent before")
    args = parser.parse_args()
    asyncio.run(run(args.channels, args.db, batch=args.batch, chunk=args.chunk, history=args.history))

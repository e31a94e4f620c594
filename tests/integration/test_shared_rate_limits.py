"""The shared limiter over a real database: several limiters (= processes) draw from one bucket.

Time is virtual: the limiters read `VirtualTime.now` and sleep on `VirtualTime.sleep`, and time jumps
to the next wake-up only once every acquiring task is asleep, so grant times are exact and nothing
waits for real. The last test runs two real OS processes on PostgreSQL on the wall clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from subprocess import PIPE
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.domain import ChannelRef, Platform
from bot.ports import RateKey
from bot.services.delivery import DeliveryWorker, RetryPolicy
from bot.services.ratelimits import Bucket, RateLimitUnavailable, SharedLimiter
from storage import migrate
from storage.engine import make_engine, make_sessionmaker
from storage.repositories import RateLimitRepository
from storage.tables import RateLimitRow
from tests import pg
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import (
    SenderProxy,
    assert_exactly_once,
    broadcast_and_send,
    deliveries,
    setup_topics,
)
from tests.unit.test_ratelimits import conforms

ROOT = Path(__file__).resolve().parents[2]


class VirtualTime:
    """A wall clock that moves only when every task under test sleeps (see `run`)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._numbers = itertools.count()
        self._changed = asyncio.Event()

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._numbers), woken))
        self._changed.set()
        await woken

    async def run(self, *jobs: Awaitable[Any]) -> list[Any]:
        """Run `jobs` to completion, advancing time whenever all of them are asleep."""
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            if len(self._sleepers) == sum(not task.done() for task in tasks):
                when, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                woken.set_result(None)
                continue
            self._changed.clear()
            changed = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait([changed, *tasks], return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()
        return await asyncio.gather(*tasks)


@asynccontextmanager
async def process(url: str, vt: VirtualTime) -> AsyncIterator[tuple[SharedLimiter, AsyncEngine]]:
    """What one partnerbot process has: its own engine and its own limiter."""
    engine = make_engine(url)
    limiter = SharedLimiter(RateLimitRepository(make_sessionmaker(engine)), now=vt.time, sleep=vt.sleep)
    try:
        yield limiter, engine
    finally:
        await limiter.close()
        await engine.dispose()


def count_statements(engine: AsyncEngine) -> list[str]:
    """Every statement on `rate_limit` this engine executes, appended as it runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "rate_limit" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


def acquirer(
    limiter: SharedLimiter, vt: VirtualTime, keys: list[RateKey], n: int
) -> Callable[[], Awaitable[list[float]]]:
    async def run() -> list[float]:
        times = []
        for _ in range(n):
            await limiter.acquire(keys)
            times.append(vt.now)
        return times

    return run


async def test_two_processes_share_one_bucket(database_url: str) -> None:
    vt = VirtualTime()
    key = RateKey("slack:team:T1", 5, 1.0)  # a burst of 5, then one every 0.2 s
    async with process(database_url, vt) as (a, _), process(database_url, vt) as (b, _):
        runs = await vt.run(*(acquirer(limiter, vt, [key], 10)() for limiter in (a, b, a, b)))
    grants = sorted(t for run in runs for t in run)
    assert len(grants) == 40
    bucket = Bucket.of(key)
    assert conforms(grants, bucket)
    # At most `rate` at once, then spaced by the interval: 40 grants take (40 - 5) intervals…
    assert sum(t - grants[0] < 1e-6 for t in grants) == 5  # epoch floats: ~1e-7 s apart
    assert grants[-1] - grants[0] >= 35 * bucket.interval - 1e-5
    # …and not much longer: the two processes lose no slot to each other.
    assert grants[-1] - grants[0] <= 35 * bucket.interval + 1e-5


async def test_a_post_on_two_buckets_waits_for_the_slower_without_holding_the_faster(
    database_url: str,
) -> None:
    vt = VirtualTime()
    channel = RateKey("slack:chan:C1", 1, 10.0)  # one post, then one every 10 s
    team = RateKey("slack:team:T1", 3, 1.0)
    async with process(database_url, vt) as (a, _), process(database_url, vt) as (b, engine):
        t0 = vt.now
        await vt.run(a.acquire([channel]))

        async def second_post_to_c1() -> float:
            await a.acquire([channel, team])
            return vt.now

        async def other_channels() -> list[float]:
            times = []
            for i in range(6):
                await b.acquire([RateKey(f"slack:chan:C{i + 2}", 1, 10.0), team])
                times.append(vt.now)
            return times

        second, others = await vt.run(second_post_to_c1(), other_channels())
        async with make_sessionmaker(engine)() as session:
            tats = {r.key: r.tat for r in await session.exec(select(RateLimitRow))}
    assert second == t0 + 10.0
    # Meanwhile the workspace served the other channels at its own pace: a burst of 3, then 1 per
    # 1/3 s. The waiting post took no workspace cell while it waited (else the 3rd would be later).
    assert [t - t0 for t in others] == pytest.approx([0, 0, 0, 1 / 3, 2 / 3, 1.0], abs=1e-5)
    assert tats["slack:team:T1"] == pytest.approx(t0 + 10.0 + 1 / 3)  # its cell, taken at 10 s


async def test_concurrent_acquires_share_one_flush(database_url: str) -> None:
    vt = VirtualTime()
    huge = 1e6  # a microsecond apart (still above float resolution at epoch times)
    async with process(database_url, vt) as (limiter, engine):
        statements = count_statements(engine)
        keys = [
            [RateKey(f"slack:chan:C{i}", huge, 1.0), RateKey("slack:team:T1", huge, 1.0)] for i in range(200)
        ]
        await vt.run(*(limiter.acquire(k) for k in keys))
        # 200 sends at once: one flush, i.e. one lock-and-read upsert and one write.
        assert len(statements) == 2, statements

        # Sends that arrive while a flush is in flight go together into the next one.
        statements.clear()
        first = asyncio.ensure_future(limiter.acquire(keys[0]))
        while not statements:  # the first flush has started
            await asyncio.sleep(0)
        await vt.run(first, *(limiter.acquire(k) for k in keys[1:100]))
        assert len(statements) == 4, statements


async def test_an_unreachable_database_fails_acquires_without_wedging(tmp_path: Path) -> None:
    vt = VirtualTime()
    url = f"sqlite:///{tmp_path}/later/partnerbot.db"  # its directory does not exist yet
    key = [RateKey("discord:global", 50, 1.0)]
    async with process(url, vt) as (limiter, _):
        for _ in range(2):
            with pytest.raises(RateLimitUnavailable, match="shared rate limits unavailable"):
                await vt.run(limiter.acquire(key), limiter.acquire(key))
        (tmp_path / "later").mkdir()
        await asyncio.to_thread(migrate.upgrade, url)
        await vt.run(limiter.acquire(key), limiter.acquire(key))


class RateKeyed(SenderProxy):
    """The local sender, drawing from a bucket per channel like the real Senders do."""

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return [RateKey(f"local:chan:{channel.channel}", 3, 3.0)]


async def test_a_limiter_failure_reschedules_the_row_and_it_goes_out_once(
    database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    h: Harness = await make_harness(database_url, clock, rate_limits="shared")
    try:
        sender = RateKeyed(h.local.sender)
        h.app.worker.add_sender(Platform.LOCAL, sender)
        await setup_topics(h, "security")
        await h.subscribe("acme", "security")
        await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")

        # This worker's limiter has lost its database (the outbox's is fine).
        broken = make_engine(f"sqlite:///{tmp_path}/missing/x.db")
        worker = DeliveryWorker(
            h.app.stores,
            clock,
            {Platform.LOCAL: sender},
            h.app.bot.feedback,
            worker_id="w-broken",
            retry=RetryPolicy(max_attempts=4),
            limiter=SharedLimiter(RateLimitRepository(make_sessionmaker(broken))),
        )
        await worker.run_once()
        await broken.dispose()
        (row,) = await deliveries(h)
        assert (row.status, row.attempts, row.ambiguous) == ("pending", 1, False)
        assert "shared rate limits unavailable" in row.last_error
        assert h.local.sender.calls["post"] == 0

        clock.advance(minutes=10)
        await h.deliver()
        (row,) = await deliveries(h)
        assert row.status == "sent"
        assert_exactly_once(h, "acme")
    finally:
        await h.close()


# --- two real processes ------------------------------------------------------------------------

CHILD = """
import asyncio, json, sys, time
from bot.ports import RateKey
from bot.services.ratelimits import SharedLimiter
from storage.engine import make_engine, make_sessionmaker
from storage.repositories import RateLimitRepository

async def main(url, n):
    engine = make_engine(url)
    limiter = SharedLimiter(RateLimitRepository(make_sessionmaker(engine)))
    await limiter.acquire([RateKey("warm-up", 1e6, 1.0)])  # imported and connected
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    key = [RateKey("spaced", 1, 1 / 40)]  # 40/s, no burst
    times = []
    for _ in range(n):
        await limiter.acquire(key)
        times.append(time.time())
    await limiter.close()
    await engine.dispose()
    print(json.dumps(times))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


@pytest.fixture
def postgres_url(pg_cluster: pg.Cluster) -> str:
    name = f"rl{os.getpid()}_{time.monotonic_ns()}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_pb")
    return pg_cluster.url(name)


@pytest.mark.postgres
async def test_two_os_processes_keep_the_spacing(postgres_url: str) -> None:
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, postgres_url, "20", cwd=ROOT, stdin=PIPE, stdout=PIPE
        )
        for _ in range(2)
    ]
    for child in children:  # start both together
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), timeout=60) == b"ready\n"
    outputs = await asyncio.gather(*(asyncio.wait_for(c.communicate(b"go\n"), timeout=60) for c in children))
    assert [child.returncode for child in children] == [0, 0]
    grants = sorted(t for out, _ in outputs for t in json.loads(out))
    assert len(grants) == 40
    # Each recorded time trails its grant by the commit and the wake-up (milliseconds, more on a
    # busy machine), so spacing is checked over runs of grants, with a tolerance: unshared, the two
    # processes would each go at 40/s, 40 grants in ~0.5 s and 9 in a row within ~0.1 s.
    interval, tolerance = 1 / 40, 0.03
    assert grants[-1] - grants[0] >= 39 * interval - tolerance
    assert all(grants[i + 8] - grants[i] >= 8 * interval - tolerance for i in range(len(grants) - 8))

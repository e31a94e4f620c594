"""The in-process limiter: GCRA buckets in memory, a cell at once when there is room, one timer for
the waiters. Real event-loop time with short periods; every wait is bounded, nothing sleeps a fixed
time. Grants are checked against GCRA's own conformance test, which holds however loaded the machine
is (a late grant conforms; only an early one would not)."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from bot.app import ProcessLimiter
from bot.ports import RateKey
from bot.services.process_limiter import SWEEP_FROM
from bot.services.ratelimits import Bucket, NoLimiter, SharedLimiter
from tests.unit.test_ratelimits import conforms

WAIT = 10.0  # seconds: a bound on every wait, far beyond what the pacing needs
CHANNEL = RateKey("chan", 3, 0.3)  # a burst of 3, then one per 0.1 s
WORKSPACE = RateKey("team", 5, 0.25)  # a burst of 5, then one per 0.05 s


async def granted_at(limiter: ProcessLimiter, keys: list[RateKey]) -> float:
    await limiter.acquire(keys)
    return asyncio.get_running_loop().time()


async def test_a_burst_goes_at_once_without_waiting() -> None:
    limiter = ProcessLimiter()
    assert all(limiter.try_acquire([CHANNEL, WORKSPACE]) for _ in range(3))
    # The channel's burst is spent: a fourth cell is refused, and takes nothing from the workspace.
    assert not limiter.try_acquire([CHANNEL, WORKSPACE])
    assert limiter.try_acquire([RateKey("other", 3, 0.3), WORKSPACE])
    assert limiter.try_acquire([RateKey("third", 3, 0.3), WORKSPACE])
    assert not limiter.try_acquire([RateKey("fourth", 3, 0.3), WORKSPACE])  # 5 workspace cells used
    await limiter.close()


async def test_waiters_go_one_interval_apart_in_arrival_order() -> None:
    limiter = ProcessLimiter()
    order: list[int] = []

    async def post(n: int) -> float:
        at = await granted_at(limiter, [CHANNEL])
        order.append(n)
        return at

    times = await asyncio.wait_for(asyncio.gather(*(post(n) for n in range(8))), WAIT)
    assert order == list(range(8))
    assert conforms(times, Bucket.of(CHANNEL))
    # Three at once, then five that waited their turns: 0.5 s in all, and not seconds more (a late
    # timer on a loaded machine moves the turns after it, so the bound is loose).
    assert 0.5 - 1e-3 <= times[-1] - times[0] < 3.0
    await limiter.close()


async def test_a_post_waiting_for_its_channel_holds_nothing_of_the_workspace() -> None:
    limiter = ProcessLimiter()
    slow = RateKey("slow", 1, 30.0)  # one now, the next in 30 s
    await limiter.acquire([slow, WORKSPACE])
    waiting = asyncio.ensure_future(limiter.acquire([slow, WORKSPACE]))
    await asyncio.sleep(0)  # it has queued for the slow channel
    # The workspace's other four cells go to other channels at once, and then it is spent.
    assert all(limiter.try_acquire([RateKey(f"c{n}", 3, 0.3), WORKSPACE]) for n in range(4))
    assert not limiter.try_acquire([RateKey("c4", 3, 0.3), WORKSPACE])
    assert not waiting.done()
    waiting.cancel()
    await limiter.close()


async def test_a_newcomer_queues_behind_the_waiters_of_its_bucket() -> None:
    limiter = ProcessLimiter()
    assert all(limiter.try_acquire([CHANNEL]) for _ in range(3))
    first = asyncio.ensure_future(limiter.acquire([CHANNEL]))
    await asyncio.sleep(0)
    assert not limiter.try_acquire([CHANNEL])  # even once the cell is free, it is the waiter's
    await asyncio.wait_for(first, WAIT)
    await limiter.close()


async def test_a_cancelled_waiter_takes_nothing_and_the_next_one_goes_in_its_place() -> None:
    limiter = ProcessLimiter()
    loop = asyncio.get_running_loop()
    slow = RateKey("slow", 1, 1.0)  # one cell a second, no burst
    started = await granted_at(limiter, [slow])
    given_up = asyncio.ensure_future(limiter.acquire([slow]))  # due at +1 s
    await asyncio.sleep(0)
    following = asyncio.ensure_future(granted_at(limiter, [slow]))  # due at +2 s, behind it
    await asyncio.sleep(0)
    given_up.cancel()  # a lease ran out while it waited
    at = await asyncio.wait_for(following, WAIT)
    # It took the cell the cancelled one left (+1 s), not the one after (+2 s).
    assert 1.0 - 1e-3 <= at - started < 1.6
    assert not limiter.try_acquire([slow])  # and that cell is spent: the next is at +2 s
    assert loop.time() - started < 2.0
    await limiter.close()


async def test_many_posts_over_shared_buckets_all_go_and_every_bucket_conforms() -> None:
    """Channels of one workspace, several posts each, arriving together and in waves."""
    limiter = ProcessLimiter()
    grants: dict[str, list[float]] = defaultdict(list)
    channels = [RateKey(f"c{n}", 3, 0.3) for n in range(6)]

    async def post(channel: RateKey, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)  # a later wave, not a wait for the limiter
        at = await granted_at(limiter, [channel, WORKSPACE])
        grants[channel.key].append(at)
        grants[WORKSPACE.key].append(at)

    posts = [post(channels[n % 6], 0.02 * (n // 12)) for n in range(36)]
    await asyncio.wait_for(asyncio.gather(*posts), WAIT)
    assert len(grants[WORKSPACE.key]) == 36
    assert conforms(grants[WORKSPACE.key], Bucket.of(WORKSPACE))
    for channel in channels:
        assert len(grants[channel.key]) == 6
        assert conforms(grants[channel.key], Bucket.of(channel))
    # 36 posts at 20/s after a burst of 5: about 1.55 s; the pacing must not leave cells unused.
    times = grants[WORKSPACE.key]
    assert max(times) - min(times) < 1.55 + 3.0
    await limiter.close()


async def test_buckets_full_again_are_forgotten_and_busy_ones_kept() -> None:
    """A fan-out over 100,000 channels must not keep 100,000 buckets: one whose TAT has passed
    reads the same as a missing one, and is dropped once the dict has doubled."""
    limiter = ProcessLimiter()
    assert all(limiter.try_acquire([CHANNEL]) for _ in range(3))  # busy for 0.3 s
    for n in range(2 * SWEEP_FROM):  # 1,000,000 a second: full again a microsecond later
        assert limiter.try_acquire([RateKey(f"c{n}", 1e6, 1.0)])
    assert len(limiter._tats) < SWEEP_FROM  # swept (a private look: nothing else shows it)
    assert not limiter.try_acquire([CHANNEL])  # the busy bucket kept its state
    await limiter.close()


async def test_only_the_in_process_limiter_grants_without_waiting() -> None:
    keys = [CHANNEL]
    assert NoLimiter().try_acquire(keys)
    # The shared buckets are rows: every grant is a database round trip through `acquire`.
    shared = SharedLimiter(store=None)  # type: ignore[arg-type]  # never reached: nothing is flushed
    assert not shared.try_acquire(keys)
    assert shared.try_acquire([])  # no bucket to draw from

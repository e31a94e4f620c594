"""`PARTNERBOT_RATE_LIMITS=process`: the rate limits' buckets in this process's memory.

The same GCRA buckets as the shared limiter (bot/services/ratelimits.py), kept in a dict instead of
database rows: one float per bucket, its theoretical arrival time. That is aiolimiter's leaky bucket
(bursts of `rate`, then one every `period / rate`), which this replaced because of what it cost a
fan-out per post: the worker acquired one `AsyncLimiter` per key in turn (channel, then workspace),
and a post that waited paid a future and a timer of its own; the worker wrapped every acquire in
`asyncio.timeout`, one more timer per post even when nothing waited.

Here a post whose buckets all have room takes its cells at once (`try_acquire`: a few float
comparisons, no await, no timer). A post that must wait gets a future and a place in one heap of
waiters ordered by turn; the limiter keeps one timer, for the earliest turn, not one per post.
A post on several buckets is granted only when all of them have room, as `decide` grants for the
shared limiter: waiting for its busy channel it holds no cell of the workspace bucket.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.ports.sending import RateKey
from bot.services.ratelimits import Bucket, take

GRACE = 1e-6  # seconds
SWEEP_FROM = 4096  # buckets


@dataclass(slots=True)
class _Waiter:
    buckets: tuple[Bucket, ...]
    seq: int  # arrival order: among waiters due together, the oldest goes first
    granted: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class ProcessLimiter:
    """One GCRA bucket per rate key, shared by every send in this process (one event loop)."""

    def __init__(self) -> None:
        self._tats: dict[str, float] = {}
        # A bucket whose TAT has passed is full again, as a missing one reads: such entries are
        # dropped once the dict has doubled since the last sweep, so a fan-out over 100,000
        # channels keeps only the buckets of its last few seconds.
        self._sweep_at = SWEEP_FROM
        # Waiters by (turn, seq); a turn is when the waiter's buckets are expected to have room.
        self._waiting: list[tuple[float, int, _Waiter]] = []
        # The turns already promised to waiters, per bucket they wait on (the busy ones only): the
        # next waiter on that bucket is due one interval later, so a queue wakes one by one.
        self._promised: dict[str, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._numbers = itertools.count()

    def try_acquire(self, keys: list[RateKey]) -> bool:
        """Take one cell of every bucket in `keys` if all have room now and no waiter is due on any
        of them before; False (nothing taken) if not."""
        now = asyncio.get_running_loop().time()
        tats, promised = self._tats, self._promised
        # Bucket.of's arithmetic inline: this runs for every post of a fan-out.
        for key in keys:
            tolerance = max(0.0, key.period - key.period / key.rate)
            if tats.get(key.key, 0.0) - tolerance > now:
                return False
            # A bucket that waiters are queued on: the newcomer queues behind them.
            if promised and promised.get(key.key, 0.0) - tolerance > now:
                return False
        for key in keys:
            tats[key.key] = max(tats.get(key.key, 0.0), now) + key.period / key.rate
        if len(tats) >= self._sweep_at:
            self._sweep(now)
        return True

    async def acquire(self, keys: list[RateKey]) -> None:
        """Return once one request may go out under every bucket in `keys` (its cells taken).
        Cancelled while waiting, it takes nothing; cancelled after the grant, the cells go unused."""
        if not keys or self.try_acquire(keys):
            return
        waiter = _Waiter(tuple(Bucket.of(key) for key in keys), next(self._numbers))
        waiter.granted.add_done_callback(self._left)
        self._wait(waiter, asyncio.get_running_loop().time())
        self._arm()
        await waiter.granted

    async def close(self) -> None:
        """Nothing to release: a waiter still queued keeps its turn (its own timeout ends it)."""

    def _sweep(self, now: float) -> None:
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        self._sweep_at = max(SWEEP_FROM, 2 * len(self._tats))

    def _wait(self, waiter: _Waiter, now: float) -> None:
        """Queue `waiter` for its turn: when its busy buckets have room, after the waiters before it."""
        tats, promised = self._tats, self._promised
        turn = now
        busy = []
        for b in waiter.buckets:
            due = max(tats.get(b.key, 0.0), promised.get(b.key, 0.0)) - b.tolerance
            if due > now:
                busy.append(b)
                turn = max(turn, due)
        for b in busy:
            # Promise a cell on the buckets it waits for only: a waiter held up by its own channel
            # must not push back the turns of other channels' posts on the shared workspace bucket.
            promised[b.key] = max(tats.get(b.key, 0.0), promised.get(b.key, 0.0), turn) + b.interval
        heapq.heappush(self._waiting, (turn, waiter.seq, waiter))

    def _left(self, granted: asyncio.Future[None]) -> None:
        """A waiter was cancelled (its lease ran out): the turns promised after it move up."""
        if not granted.cancelled():
            return
        live = sorted((w for _, _, w in self._waiting if not w.granted.done()), key=lambda w: w.seq)
        self._waiting, self._promised = [], {}
        now = asyncio.get_running_loop().time()
        for waiter in live:
            self._wait(waiter, now)
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf
        self._arm()

    def _arm(self) -> None:
        """One timer, for the earliest turn; moved only when an earlier one comes."""
        if not self._waiting:
            self._promised.clear()  # nobody waits: nothing promised
            return
        at = self._waiting[0][0]
        if self._timer is not None:
            if at >= self._timer_at:
                return
            self._timer.cancel()
        self._timer_at = at
        self._timer = asyncio.get_running_loop().call_at(at, self._wake)

    def _wake(self) -> None:
        """The earliest turn came: grant the due waiters whose buckets all have room, oldest first;
        the others (a newcomer took the cell, or one bucket is busier than expected) queue again."""
        self._timer, self._timer_at = None, math.inf
        # The loop may run a timer up to its clock resolution early; a microsecond's grace keeps a
        # waiter due now from being refused and re-armed for a turn already here.
        now = asyncio.get_running_loop().time() + GRACE
        due = []
        while self._waiting and self._waiting[0][0] <= now:
            due.append(heapq.heappop(self._waiting)[2])
        due.sort(key=lambda w: w.seq)
        if not self._waiting:
            self._promised.clear()  # re-promised below, from the cells actually taken
        again = []
        for waiter in due:
            if waiter.granted.done():  # cancelled, and not yet forgotten (its callback is queued)
                continue
            # Its own turn was promised on top of the real cells: it looks at the real ones only.
            if _has_room(waiter.buckets, self._tats, now):
                take(waiter.buckets, self._tats, now)
                waiter.granted.set_result(None)
            else:
                again.append(waiter)
        for waiter in again:
            self._wait(waiter, now)
        self._arm()


def _has_room(buckets: Sequence[Bucket], tats: dict[str, float], now: float) -> bool:
    return all(tats.get(b.key, 0.0) - b.tolerance <= now for b in buckets)

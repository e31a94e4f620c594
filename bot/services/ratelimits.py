"""Pacing sends to the platforms' rate limits.

Every Sender names the buckets a post draws from (`RateKey`: at most `rate` requests per `period`
seconds, bursting up to `rate`). Which limiter enforces them is a deployment choice
(`PARTNERBOT_RATE_LIMITS`):

- `process` — the same GCRA buckets in this process's memory (`ProcessLimiter`,
  bot/services/process_limiter.py). Right for one process; N processes would each spend the whole
  budget.
- `shared` — the buckets live in the database (`SharedLimiter`), so every process draws from the
  same ones.
- `off` — no pacing at all: only for benchmarks against fakes whose limits are off, or behind a
  proxy that paces for you. A 429 is still honoured (the row is rescheduled with Retry-After).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.ports.sending import RateKey, TransientSendError


class NoLimiter:
    """`PARTNERBOT_RATE_LIMITS=off`: never waits."""

    def try_acquire(self, keys: list[RateKey]) -> bool:
        return True

    async def acquire(self, keys: list[RateKey]) -> None:
        pass

    async def close(self) -> None:
        pass


# --- GCRA: the arithmetic of the shared buckets ------------------------------------------------
#
# The generic cell rate algorithm keeps one number per bucket, its theoretical arrival time (TAT):
# with emission interval T = period / rate and burst tolerance tau = period - T, a request may go
# at `now` if now >= TAT - tau, and then TAT = max(TAT, now) + T. That is aiolimiter's leaky bucket
# (bursts of `rate`, then one every T) in a single float, so a database row can hold it.
# https://en.wikipedia.org/wiki/Generic_cell_rate_algorithm
#
# A post that draws from several buckets is granted only when every one of them conforms, and then
# takes a cell from each at the moment it goes. Reserving a future slot per bucket and waiting for
# the latest would be wrong both ways: the slot held on the faster bucket would be used late, so
# several late posts could land together and overrun it; and pushing a shared bucket's TAT to one
# busy channel's future slot would stall every other channel behind it.


@dataclass(frozen=True, slots=True)
class Bucket:
    """A `RateKey` in GCRA terms: `interval` (T) between cells, `tolerance` (tau) for bursts."""

    key: str
    interval: float
    tolerance: float

    @classmethod
    def of(cls, key: RateKey) -> Bucket:
        interval = key.period / key.rate
        return cls(key.key, interval, max(0.0, key.period - interval))


@dataclass(frozen=True, slots=True)
class Decision:
    """`granted`: the request may go at `at` (never before the decision's `now`). Otherwise nothing
    was taken, and `at` is when to ask again: when it would be its turn if no one else came."""

    granted: bool
    at: float


def earliest(buckets: Sequence[Bucket], tats: Mapping[str, float], now: float) -> float:
    """When a request drawing one cell from each of `buckets` conforms to all of them."""
    return max([now, *(tats.get(b.key, 0.0) - b.tolerance for b in buckets)])


def take(buckets: Sequence[Bucket], tats: dict[str, float], at: float) -> None:
    """Spend one cell of each bucket at `at`."""
    for b in buckets:
        tats[b.key] = max(tats.get(b.key, 0.0), at) + b.interval


def decide(
    requests: Sequence[Sequence[Bucket]], tats: Mapping[str, float], now: float, *, lookahead: float = 0.0
) -> tuple[list[Decision], dict[str, float]]:
    """Grant, in order, every request that conforms by `now + lookahead`; the decisions and the TATs
    of the buckets the grants changed. Refused requests get staggered retry times, so a queue of
    waiters on one bucket wakes one by one instead of all at once."""
    granted = dict(tats)
    queued = dict(tats)  # the grants plus the refused requests, each in its turn
    decisions = []
    for buckets in requests:
        at = earliest(buckets, granted, now)
        if at <= now + lookahead:
            take(buckets, granted, at)
            take(buckets, queued, at)
            decisions.append(Decision(True, at))
        else:
            turn = earliest(buckets, queued, now)
            take(buckets, queued, turn)
            # Ask again `lookahead` early: the round trip then overlaps the wait.
            decisions.append(Decision(False, max(now, turn - lookahead)))
    changed = {key: tat for key, tat in granted.items() if tats.get(key) != tat}
    return decisions, changed


# --- the shared limiter ------------------------------------------------------------------------


class RateLimitStore(Protocol):
    """The shared buckets' rows. Implemented by `storage.repositories.RateLimitRepository`."""

    async def update(
        self, keys: Collection[str], change: Callable[[Mapping[str, float]], Mapping[str, float]]
    ) -> None:
        """In one transaction: lock the rows of `keys` (a missing one reads as TAT 0.0), call
        `change` with their TATs, and store the TATs it returns. Raises if the database fails."""
        ...


class RateLimitUnavailable(TransientSendError):
    """The shared buckets could not be read or written: nothing was granted and nothing sent, so the
    worker reschedules the row with backoff like any transient failure."""


@dataclass(slots=True)
class _Request:
    buckets: tuple[Bucket, ...]
    seq: int
    decided: asyncio.Future[Decision] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class SharedLimiter:
    """`PARTNERBOT_RATE_LIMITS=shared`: GCRA buckets in the database, drawn from by every process.

    Acquires that arrive while a flush is in flight wait for the next one, so the database sees one
    transaction per batch of sends however many run concurrently. Requests that cannot go yet are
    told when to ask again and sleep until then; nothing is reserved for them meanwhile.

    Time is the wall clock (`time.time`) because it must mean the same thing in every process:
    processes on several machines need NTP-synchronised clocks, and their skew adds to the pacing
    error. `now` and `sleep` are injectable for tests.
    """

    def __init__(
        self,
        store: RateLimitStore,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        lookahead: float = 0.01,
    ) -> None:
        self._store = store
        self._now = now
        self._sleep = sleep
        # A request due this soon is granted now and sleeps the rest: the sleep hides the round trip.
        self._lookahead = lookahead
        self._queue: list[_Request] = []
        self._flusher: asyncio.Task[None] | None = None
        self._numbers = itertools.count()
        self._closed = False

    def try_acquire(self, keys: list[RateKey]) -> bool:
        """Never at once: the buckets are in the database, so every grant is a flush."""
        return not keys

    async def acquire(self, keys: list[RateKey]) -> None:
        """Return once one request may go out under every bucket in `keys`; raises
        `RateLimitUnavailable` (having taken nothing) if the database fails."""
        if not keys:
            return
        request = _Request(tuple(Bucket.of(key) for key in keys), next(self._numbers))
        while True:
            decision = await self._submit(request)
            wait = decision.at - self._now()
            if wait > 0:
                await self._sleep(wait)
            if decision.granted:
                return
            request = _Request(request.buckets, request.seq)

    async def close(self) -> None:
        """Stop: a flush still in flight (a hung database) is cancelled, with its waiters."""
        self._closed = True
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher

    def _submit(self, request: _Request) -> asyncio.Future[Decision]:
        if self._closed:
            raise RuntimeError("the rate limiter is closed")
        self._queue.append(request)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_queued())
        return request.decided

    async def _flush_queued(self) -> None:
        while self._queue:
            # Oldest first, so a request that was refused before goes ahead of newcomers.
            batch = sorted((r for r in self._queue if not r.decided.done()), key=lambda r: r.seq)
            self._queue = []
            if not batch:
                continue
            try:
                decisions = await self._flush(batch)
                for request, decision in zip(batch, decisions, strict=True):
                    if not request.decided.done():  # its waiter was cancelled: the cell goes unused
                        request.decided.set_result(decision)
            except asyncio.CancelledError:  # closing, or the loop is shutting down: release waiters
                for request in [*batch, *self._queue]:
                    request.decided.cancel()
                raise
            except Exception as exc:  # unreachable, locked…: fail these acquires, keep serving others
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                for request in batch:
                    if not request.decided.done():
                        error = RateLimitUnavailable(f"shared rate limits unavailable: {reason}")
                        error.__cause__ = exc
                        request.decided.set_exception(error)

    async def _flush(self, batch: list[_Request]) -> list[Decision]:
        decisions: list[Decision] = []

        def change(tats: Mapping[str, float]) -> Mapping[str, float]:
            # Read the clock with the rows locked: no other process can move them meanwhile.
            found, changed = decide([r.buckets for r in batch], tats, self._now(), lookahead=self._lookahead)
            decisions[:] = found
            return changed

        await self._store.update({b.key for r in batch for b in r.buckets}, change)
        return decisions

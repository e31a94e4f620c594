"""The delivery worker: claims due outbox rows, hands each to its platform's Sender, records outcomes.

One loop for the five queues (deliveries, digests, notices, edits/deletes, relays); what differs
between them — claim, send, record and the hooks after it — is a strategy each (bot/services/queues.py).

Guarantees, and where they come from:
- every targeted channel gets the announcement: rows stay in the outbox until sent or permanently
  failed; a worker that dies loses only its lease;
- never twice: an attempt whose result we may not have recorded (crash, timeout) is marked
  ambiguous, and the next attempt asks the Sender to look for the earlier message first; a send
  that waited (for a slot, for the rate limiter) until its lease ran out is not posted, since the
  row may have a new holder by then;
- rate limits: the core paces each bucket a Sender names (bot/services/ratelimits.py), and a 429
  reschedules the row with the platform's Retry-After instead of holding a worker inside the call;
  a 429 is no failure, so it never uses up one of the row's attempts (however long a workspace
  stays throttled).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.outbox import Outcome, OutcomeKind, Work, WorkKind
from bot.domain.refs import MessageRef, Platform
from bot.domain.sending import Outgoing
from bot.ports.clock import Clock
from bot.ports.metrics import Metrics
from bot.ports.sending import PermanentSendError, RateKey, RateLimiter, Sender, SendError, TransientSendError
from bot.services.cta import CtaLinks
from bot.services.digests import DigestService
from bot.services.feedback import FeedbackService
from bot.services.measured import MeasuredSender
from bot.services.queues import (
    AnnouncementCache,
    ChannelDeactivation,
    DeliveryQueue,
    DigestQueue,
    NoticeQueue,
    OutboxPorts,
    Queue,
    RelayQueue,
    RevisionQueue,
    Settling,
)

log = logging.getLogger(__name__)

# A post starts only while this share of its lease is left, so it reaches the platform before the
# row can be claimed again.
LEASE_MARGIN = 0.25
LEASE_RAN_OUT = "the lease ran out while the send waited its turn"
# While deliveries come in full batches (a fan-out), the other queues are looked at this often
# (seconds) rather than after every batch: four claims per batch were a tenth of a fan-out's CPU.
OTHER_QUEUES_EVERY = 1.0
# Group commit cadence (seconds): while sends are in flight, outcomes are written at most this often,
# each write carrying everything that finished since the last, rather than a transaction for
# about every returning send. A write costs about the same for 20 rows as for 250 (a transaction,
# the sent rows' roll-ups, a handful of round trips to SQLite's thread): measured on 10,000 rows,
# about 0.35 ms of CPU per delivery in 20-row writes, 0.24 in 50, 0.16 in 125, 0.11 in 250; at
# 0.05 s a fan-out wrote about 20 rows at a time. A reaction or reply to a message comes seconds
# after it at the earliest, and a crash loses at most this window's records (posted, not recorded:
# the look-before-post of the next attempt finds them).
RECORD_EVERY = 0.25
# The platform an attempt sent to, for the metrics of rows that do not name their channel (relays):
# each task of a batch sends one row at a time and clears it before each such row, and the batch's
# tasks each have their own copy (asyncio.gather), so an attempt sees only its own value.
_SENT_TO: contextvars.ContextVar[Platform | None] = contextvars.ContextVar("sent_to", default=None)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; give up after `max_attempts`.

    A retry here is a reschedule of an outbox row (`not_before`), not a loop around a call, so a
    retry library's decorators do not fit; the formula is the AWS "full jitter" one:
    https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
    """

    max_attempts: int = 8
    initial: float = 2.0
    cap: float = 600.0
    # A 429 without Retry-After waits between half of this and this (seconds); it counts no attempt,
    # so the attempt-based backoff would never grow for it.
    throttled: float = 10.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            # The platform said when; a little jitter keeps a 429 storm from re-synchronising.
            return retry_after + self.rng.uniform(0, min(1.0, retry_after * 0.1))
        return self.rng.uniform(0, min(self.cap, self.initial * 2 ** max(0, attempt - 1)))

    def throttled_delay(self, retry_after: float | None) -> float:
        """How long a rate-limited (429) send waits: the platform's Retry-After, else `throttled`."""
        if retry_after is not None:
            return self.delay(0, retry_after)
        return self.rng.uniform(self.throttled / 2, self.throttled)


@dataclass(slots=True)
class WorkerStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def log_ids(work: Work) -> dict[str, int | str]:
    """The ids a log line about `work` carries as fields (PARTNERBOT_LOG_FORMAT=json); never text."""
    row = "update" if work.kind in (WorkKind.EDIT, WorkKind.DELETE) else work.kind.value
    ids: dict[str, int | str] = {"work_kind": work.kind.value, f"{row}_id": work.id}
    if work.target is not None:  # an edit or delete: the delivered copy it applies to
        ids["delivery_id"] = work.target.delivery_id
    if work.announcement_id is not None:
        ids["announcement_id"] = work.announcement_id
    if work.question_id is not None:
        ids["question_id"] = work.question_id
    return ids


class LeaseRanOut(TransientSendError):
    """The claim expired while the send waited its turn: left to whoever holds the row now."""


__all__ = ["DeliveryWorker", "LeaseRanOut", "RetryPolicy", "Settling", "WorkerStats"]


class DeliveryWorker:
    def __init__(
        self,
        stores: OutboxPorts,
        clock: Clock,
        senders: Mapping[Platform, Sender],
        feedback: FeedbackService,
        *,
        worker_id: str,
        batch: int = 200,
        concurrency: int = 32,
        lease: timedelta = timedelta(seconds=60),
        retry: RetryPolicy | None = None,
        on_finished: Callable[[list[int]], None] | None = None,
        digests: DigestService | None = None,
        limiter: RateLimiter,
        metrics: Metrics | None = None,
        cta_links: CtaLinks | None = None,
        default_language: str = "en",
    ) -> None:
        self._clock = clock
        self._senders = dict(senders)
        self._metrics = metrics
        # What the queues send with: the Senders, wrapped to count API calls when metrics are on.
        self._sending: dict[Platform, Sender] = {
            platform: self._measure(sender) for platform, sender in senders.items()
        }
        self._id = worker_id
        self._batch = batch
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._lease = lease
        self._margin = lease * LEASE_MARGIN  # computed once: _time_to_post runs for every post
        self._retry = retry or RetryPolicy()
        self._limiter = limiter
        self._outbox = stores.outbox
        self._announcements = AnnouncementCache(stores.announcements)
        deactivate = ChannelDeactivation(stores.directory, stores.outbox)
        # The order they are looked at in; the first (deliveries) leads: while it comes in full
        # batches (a fan-out), the others wait up to OTHER_QUEUES_EVERY.
        queues: list[Queue] = [
            DeliveryQueue(
                stores.outbox,
                self._announcements,
                deactivate,
                links=cta_links,
                default_language=default_language,
            )
        ]
        if digests is not None:  # digest messages go through this worker too
            queues.append(DigestQueue(stores.digests, digests, deactivate))
        queues += [
            NoticeQueue(stores.notices, deactivate, stores.announcements),
            RevisionQueue(
                stores.revisions, self._announcements, links=cta_links, default_language=default_language
            ),
            RelayQueue(stores.outbox, feedback, deactivate),
        ]
        self._queues = queues
        self._by_kind = {kind: queue for queue in queues for kind in queue.kinds}
        self._wake = asyncio.Event()
        self._on_finished = on_finished
        self._other_queues_at = -OTHER_QUEUES_EVERY
        self._recorded_at = -RECORD_EVERY
        self.stats = WorkerStats()

    @property
    def id(self) -> str:
        """This worker's name in lease columns (host:pid)."""
        return self._id

    def add_sender(self, platform: Platform, sender: Sender) -> None:
        """Register a platform's Sender (adapters are built after the core they serve)."""
        self._senders[platform] = sender
        self._sending[platform] = self._measure(sender)

    def _measure(self, sender: Sender) -> Sender:
        return sender if self._metrics is None else MeasuredSender(sender, self._metrics)

    def sender_for(self, platform: Platform) -> Sender | None:
        """This process's Sender for `platform`, if it has one."""
        return self._senders.get(platform)

    def wake(self) -> None:
        """New work was queued: skip the rest of the idle wait."""
        self._wake.set()

    async def run(self, stop: asyncio.Event, *, poll_seconds: float = 0.5) -> None:
        """Work until `stop` is set, polling while idle (a wake() cuts the wait short)."""
        while not stop.is_set():
            try:
                done = await self._flow(stop)
            except Exception:  # the database went away, a bug…: log, back off, keep the process alive
                log.exception("delivery worker batch failed")
                done = 0
            if done:
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def run_once(self) -> int:
        """Claim and process one batch of the leading queue (deliveries), then one of each other queue
        (during a fan-out at most every OTHER_QUEUES_EVERY seconds); the number of rows handled."""
        lead, *others = self._queues
        led = await self._take(lead)
        return led + await self._others(others, full=led == self._batch)

    async def _flow(self, stop: asyncio.Event) -> int:
        """One round of `run`: like run_once, except that while deliveries come in full batches (a
        fan-out) they flow without a break. The next batch is claimed as soon as the current one is
        down to its last wave of sends (no more of its rows than there are slots), and its sends
        queue right behind that wave; run_once instead lets the sending concurrency drain to nothing
        at each batch's end while it records the batch and claims the next. At most two delivery
        batches are in hand at once, each with the lease of its own claim; the other queues are
        looked at between claims, as run_once does."""
        lead, *others = self._queues
        done = 0
        running: list[asyncio.Task[None]] = []
        try:
            batch, kept = await self._claim(lead)
            while batch:
                done += len(batch)
                tail = asyncio.Event()
                running.append(asyncio.create_task(self._run_batch(lead, batch, kept, tail=tail)))
                if len(batch) < self._batch or stop.is_set():
                    break  # the queue ran dry (or the worker is stopping): no claim ahead of it
                waiting = asyncio.ensure_future(tail.wait())
                await asyncio.wait({running[-1], waiting}, return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                if len(running) == 2:  # the batch before is done with, or nearly: two in hand at most
                    await running.pop(0)
                if running[0].done():  # finished already (or failed: its error surfaces here)
                    await running.pop(0)
                done += await self._others(others, full=True)
                batch, kept = await self._claim(lead)
            while running:
                await running.pop(0)
        except asyncio.CancelledError:
            for task in running:  # the worker is cancelled: so are the sends it started
                task.cancel()
            raise
        finally:
            # A batch failed (the database went away…): the other still records what it sent.
            await asyncio.gather(*running, return_exceptions=True)
        return done + await self._others(others, full=len(batch) == self._batch)

    async def _others(self, queues: list[Queue], *, full: bool) -> int:
        """A batch of each queue after the first, unless the first came full (a fan-out) and they
        were looked at less than OTHER_QUEUES_EVERY ago; the number of rows handled."""
        now_loop = asyncio.get_running_loop().time()
        if full and now_loop - self._other_queues_at < OTHER_QUEUES_EVERY:
            return 0
        self._other_queues_at = now_loop
        done = 0
        for queue in queues:
            done += await self._take(queue)
        return done

    async def _claim(self, queue: Queue) -> tuple[list[Work], datetime | None]:
        """One batch of `queue` claimed for this worker, and the lease its sends must start within."""
        # Each claim's lease starts when it is made, not when this round began: a batch may take long.
        now, lease_until = self._lease_from_now()
        # Only rows this process can send: a Slack-only process leaves Discord rows to its peers.
        platforms = [p.value for p in self._senders]
        batch = await queue.claim(
            now=now, lease_until=lease_until, limit=self._batch, worker=self._id, platforms=platforms
        )
        return batch, lease_until if queue.keeps_lease else None

    async def _take(self, queue: Queue) -> int:
        """Claim one batch of `queue` and process it; the number of rows claimed."""
        batch, kept = await self._claim(queue)
        if not batch:
            return 0
        if queue.one_at_a_time:
            # Each keeps its claim's lease: one that waits behind the others past it is not posted.
            for work in batch:
                await self._run_batch(queue, [work], kept)
        else:
            await self._run_batch(queue, batch, kept)
        return len(batch)

    def _lease_from_now(self) -> tuple[datetime, datetime]:
        now = self._clock.now()
        return now, now + self._lease

    async def drain(self, *, max_batches: int = 10_000) -> int:
        """Process everything that is due now (demo, CLI `--wait`, tests)."""
        total = 0
        for _ in range(max_batches):
            done = await self.run_once()
            if not done:
                break
            total += done
        return total

    async def _process(self, kind: WorkKind, batch: list[Work], lease_until: datetime | None = None) -> None:
        """Process a batch already claimed from the queue of `kind` (tests drive single queues)."""
        await self._run_batch(self._by_kind[kind], batch, lease_until)

    async def _run_batch(
        self,
        queue: Queue,
        batch: list[Work],
        lease_until: datetime | None,
        *,
        tail: asyncio.Event | None = None,
    ) -> None:
        """Send a claimed batch and record its outcomes; `tail` is set once no more of its sends are
        left than there are slots (its last wave is in flight: time to claim the next batch)."""
        await queue.prepare(batch)
        finished: asyncio.Queue[tuple[Work, Outcome]] = asyncio.Queue()
        left = len(batch)
        if tail is not None and left <= self._concurrency:
            tail.set()

        unsent = collections.deque(batch)

        async def attempts() -> None:
            nonlocal left
            while unsent:
                work = unsent.popleft()
                finished.put_nowait((work, await self._attempt(queue, work, lease_until)))
                left -= 1
                if tail is not None and left == self._concurrency:
                    tail.set()

        # As many tasks as may send at once, each taking the batch's rows in order, rather than a
        # task per row: a fan-out batch would otherwise create hundreds of tasks that only queue on
        # the slots (every attempt still takes a slot, shared with the batch before or after).
        sending = asyncio.gather(*(attempts() for _ in range(min(len(batch), self._concurrency))))
        # Group commit: outcomes are written as sends return, at most every RECORD_EVERY seconds
        # together with whatever else finished meanwhile, so a message id is on record before a
        # reaction or reply to it can arrive, and a crash loses at most the sends of that window
        # (posted, not recorded: the look-before-post of the next attempt finds them).
        touched: set[int] = set()
        recorded = 0
        while recorded < len(batch):
            chunk = [await finished.get()]
            await self._cadence(sending)
            while not finished.empty():
                chunk.append(finished.get_nowait())
            touched.update(await queue.record(chunk, worker=self._id, now=self._clock.now()))
            recorded += len(chunk)
        await sending
        if touched:
            await self._finish(sorted(touched))

    async def _cadence(self, sending: asyncio.Future[list[None]]) -> None:
        """Wait out the rest of the group-commit window, unless every send is back already."""
        loop = asyncio.get_running_loop()
        wait = self._recorded_at + RECORD_EVERY - loop.time()
        if wait > 0 and not sending.done():
            await asyncio.wait({sending}, timeout=wait)
        self._recorded_at = loop.time()

    async def _finish(self, announcement_ids: list[int]) -> None:
        """After-record hook of every queue that touched announcements: `scheduled` → `sending` → `sent`."""
        done = await self._outbox.finish_announcements(announcement_ids, now=self._clock.now())
        self._announcements.forget(done)
        if done and self._on_finished:
            self._on_finished(done)

    async def _attempt(self, queue: Queue, work: Work, lease_until: datetime | None) -> Outcome:
        if self._metrics is not None and work.channel is None:
            _SENT_TO.set(None)  # not the platform the task's row before this one went to
        outcome = await self._attempt_once(queue, work, lease_until)
        if outcome.kind is OutcomeKind.FAILED:
            log.info("%s %s failed: %s", work.kind.value, work.id, outcome.error, extra=log_ids(work))
        if self._metrics is not None:
            self._observe(self._metrics, work, outcome)
        return outcome

    def _observe(self, metrics: Metrics, work: Work, outcome: Outcome) -> None:
        """Count the row's result; time it from due to posted (deliveries and relays)."""
        sent = outcome.kind is OutcomeKind.SENT
        latency = (self._clock.now() - work.due_at).total_seconds() if sent and work.due_at else None
        result = outcome.kind.value
        to = work.channel.platform if work.channel is not None else _SENT_TO.get()
        platform = to.value if to is not None else "none"
        metrics.delivered(platform=platform, queue=work.kind.value, result=result, latency=latency)
        if sent and work.kind is WorkKind.RELAY:
            metrics.relayed(latency=latency)

    async def _attempt_once(self, queue: Queue, work: Work, lease_until: datetime | None) -> Outcome:
        async with self._slots:
            try:
                ref = await queue.send(work, self, lease_until)
            except Settling as exc:  # not a failure: look again once the delivery has settled
                return Outcome(
                    OutcomeKind.RETRY,
                    work.id,
                    error=exc.reason,
                    not_before=self._clock.now() + self._lease,
                    refund=True,
                )
            except LeaseRanOut as exc:  # nothing was sent; due again at once, should it still be ours
                return Outcome(
                    OutcomeKind.RETRY,
                    work.id,
                    error=exc.reason,
                    ambiguous=work.ambiguous,
                    not_before=self._clock.now(),
                    refund=True,
                )
            except TransientSendError as exc:
                return self._transient(work, exc)
            except PermanentSendError as exc:
                self.stats.failed += 1
                return Outcome(OutcomeKind.FAILED, work.id, error=exc.reason, deactivate=exc.deactivate)
            except SendError as exc:
                return self._transient(work, TransientSendError(exc.reason))
            except Exception as exc:  # a bug in a sender must not lose the row: retry it later
                log.exception("unexpected error sending %s %s", work.kind, work.id, extra=log_ids(work))
                return self._transient(work, TransientSendError(f"internal error: {type(exc).__name__}"))
            self.stats.sent += 1
            return Outcome(OutcomeKind.SENT, work.id, message_id=ref.message)

    # The Courier the queues send with (bot/services/queues.py).

    def sender(self, platform: Platform) -> Sender:
        if self._metrics is not None:
            _SENT_TO.set(platform)
        sender = self._sending.get(platform)
        if sender is None:
            # No adapter for that platform is running here: retry later rather than lose the row.
            raise TransientSendError(f"no {platform.value} adapter is configured in this process")
        return sender

    async def post(self, work: Work, out: Outgoing, key: str, lease_until: datetime | None) -> MessageRef:
        sender = self.sender(out.channel.platform)
        if work.ambiguous:
            found = await sender.find_posted(out, idempotency_key=key)
            if found is not None:
                return found
        if self._metrics is None:
            await self.pace(sender.rate_keys(out.channel), lease_until)
        else:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await self.pace(sender.rate_keys(out.channel), lease_until)
            self._metrics.rate_wait(platform=out.channel.platform.value, seconds=loop.time() - started)
        return await sender.post(out, idempotency_key=key)

    async def pace(self, keys: list[RateKey], lease_until: datetime | None) -> None:
        """Wait for the rate limiter, but only while the lease leaves time to post (a later token
        would be wasted); raises LeaseRanOut, having posted nothing, when it does not."""
        left = self._time_to_post(lease_until)
        if left is not None and left <= 0:  # no time left to wait for a token: take none
            raise LeaseRanOut(LEASE_RAN_OUT)
        if self._limiter.try_acquire(keys):
            # Every bucket had room (or limits are off): no await, and no timer armed for a timeout.
            return
        try:
            # asyncio.timeout rather than wait_for, which wraps every acquire in a task of its own.
            async with asyncio.timeout(left):
                await self._limiter.acquire(keys)
        except TimeoutError:
            raise LeaseRanOut(LEASE_RAN_OUT) from None
        if (left := self._time_to_post(lease_until)) is not None and left <= 0:  # a slot came too late
            raise LeaseRanOut(LEASE_RAN_OUT)

    def _time_to_post(self, lease_until: datetime | None) -> float | None:
        """Seconds a claim still leaves for starting a post (None: no lease to keep)."""
        if lease_until is None:
            return None
        return (lease_until - self._margin - self._clock.now()).total_seconds()

    def _transient(self, work: Work, exc: TransientSendError) -> Outcome:
        if exc.rate_limited:
            # Throttled, not failed: nothing was sent, so the attempt is given back and only failures
            # count towards max_attempts (a long 429 storm must not make a row give up).
            self.stats.retried += 1
            wait = self._retry.throttled_delay(exc.retry_after)
            return Outcome(
                OutcomeKind.RETRY,
                work.id,
                error=exc.reason,
                ambiguous=work.ambiguous or exc.maybe_posted,
                not_before=self._clock.now() + timedelta(seconds=wait),
                refund=True,
            )
        if work.attempts >= self._retry.max_attempts:
            self.stats.failed += 1
            return Outcome(
                OutcomeKind.FAILED, work.id, error=f"gave up after {work.attempts} attempts: {exc.reason}"
            )
        self.stats.retried += 1
        delay = self._retry.delay(work.attempts, exc.retry_after)
        return Outcome(
            OutcomeKind.RETRY,
            work.id,
            error=exc.reason,
            ambiguous=work.ambiguous or exc.maybe_posted,
            not_before=self._clock.now() + timedelta(seconds=delay),
        )

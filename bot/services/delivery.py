"""The delivery worker: claims due outbox rows, hands each to its platform's Sender, records outcomes.

Guarantees, and where they come from:
- every targeted channel gets the announcement: rows stay in the outbox until sent or permanently
  failed; a worker that dies loses only its lease;
- never twice: an attempt whose result we may not have recorded (crash, timeout) is marked
  ambiguous, and the next attempt asks the Sender to look for the earlier message first; a send
  that waited (for a slot, for the rate limiter) until its lease ran out is not posted, since the
  row may have a new holder by then;
- rate limits: the core paces each bucket a Sender names (aiolimiter), and a 429 reschedules the row
  with the platform's Retry-After instead of holding a worker inside the call; a 429 is no failure,
  so it never uses up one of the row's attempts (however long a workspace stays throttled).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import (
    Announcement,
    AnnouncementPost,
    ChannelRef,
    DeliveryStatus,
    DigestPost,
    MessageRef,
    Outcome,
    OutcomeKind,
    Outgoing,
    Platform,
    Priority,
    RelayKind,
    RelayPost,
    Work,
    WorkKind,
)
from bot.ports import (
    Clock,
    PermanentSendError,
    RateKey,
    RateLimiter,
    Sender,
    SendError,
    Stores,
    TransientSendError,
)
from bot.services.digests import DigestService, idempotency_key
from bot.services.feedback import FeedbackService

log = logging.getLogger(__name__)

# A post starts only while this share of its lease is left, so it reaches the platform before the
# row can be claimed again.
LEASE_MARGIN = 0.25
LEASE_RAN_OUT = "the lease ran out while the send waited its turn"
# While deliveries come in full batches (a fan-out), the other queues are looked at this often
# (seconds) rather than after every batch: four claims per batch were a tenth of a fan-out's CPU.
OTHER_QUEUES_EVERY = 1.0


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


class _Paced:
    """A Sender whose posts wait for the rate limiter first (for the relay path, which posts through
    the feedback service rather than the worker's own `_send`). `pace` is the worker's: it waits for
    a token only while the relay's lease leaves time to post, and raises LeaseRanOut otherwise, so a
    relay (or the admin-thread heading it opens) that waited too long is left to the row's new holder."""

    def __init__(self, sender: Sender, pace: Callable[[list[RateKey]], Awaitable[None]]) -> None:
        self.platform = sender.platform
        self._sender = sender
        self._pace = pace

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        await self._pace(self._sender.rate_keys(out.channel))
        return await self._sender.post(out, idempotency_key=idempotency_key)

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        return await self._sender.find_posted(out, idempotency_key=idempotency_key)

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        await self._pace(self._sender.rate_keys(ref.channel))
        await self._sender.edit(ref, out)

    async def delete(self, ref: MessageRef) -> None:
        await self._pace(self._sender.rate_keys(ref.channel))
        await self._sender.delete(ref)

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return self._sender.rate_keys(channel)


class Settling(TransientSendError):
    """An edit or delete whose delivery is still in flight: retried after a lease, not counted as a
    failed attempt."""


class LeaseRanOut(TransientSendError):
    """The claim expired while the send waited its turn: left to whoever holds the row now."""


class DeliveryWorker:
    def __init__(
        self,
        stores: Stores,
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
    ) -> None:
        self._stores = stores
        self._clock = clock
        self._senders = dict(senders)
        self._feedback = feedback
        # Digest messages go through this worker too (same leases, retries and look-before-post).
        self._digests = digests
        self._id = worker_id
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._lease = lease
        self._retry = retry or RetryPolicy()
        self._limiter = limiter
        self._announcements: dict[int, Announcement] = {}
        self._wake = asyncio.Event()
        self._on_finished = on_finished
        self._other_queues_at = -OTHER_QUEUES_EVERY
        self.stats = WorkerStats()

    @property
    def id(self) -> str:
        """This worker's name in lease columns (host:pid)."""
        return self._id

    def add_sender(self, platform: Platform, sender: Sender) -> None:
        """Register a platform's Sender (adapters are built after the core they serve)."""
        self._senders[platform] = sender

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
                done = await self.run_once()
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
        """Claim and process one batch of deliveries, then one of each other queue (during a fan-out
        at most every OTHER_QUEUES_EVERY seconds); the number of rows handled."""
        # Each claim's lease starts when it is made, not when this round began: a batch may take long.
        now, lease_until = self._lease_from_now()
        # Only rows this process can send: a Slack-only process leaves Discord rows to its peers.
        platforms = [p.value for p in self._senders]
        deliveries = await self._stores.outbox.claim_deliveries(
            now=now, lease_until=lease_until, limit=self._batch, worker=self._id, platforms=platforms
        )
        if deliveries:
            await self._process(WorkKind.DELIVERY, deliveries, lease_until)
        now_loop = asyncio.get_running_loop().time()
        if len(deliveries) == self._batch and now_loop - self._other_queues_at < OTHER_QUEUES_EVERY:
            return len(deliveries)
        self._other_queues_at = now_loop
        digests: list[Work] = []
        if self._digests is not None:
            now, lease_until = self._lease_from_now()
            digests = await self._stores.digests.claim(
                now=now, lease_until=lease_until, limit=self._batch, worker=self._id, platforms=platforms
            )
            if digests:
                await self._process(WorkKind.DIGEST, digests, lease_until)
        # The bot's own notices (reports, reminders) to admin channels: the same path as deliveries.
        now, lease_until = self._lease_from_now()
        notices = await self._stores.notices.claim(
            now=now, lease_until=lease_until, limit=self._batch, worker=self._id, platforms=platforms
        )
        if notices:
            await self._process(WorkKind.NOTICE, notices, lease_until)
        # Edits and deletions of copies already posted (`edit`, `recall`): same leases and limits.
        now, lease_until = self._lease_from_now()
        updates = await self._stores.revisions.claim(
            now=now, lease_until=lease_until, limit=self._batch, worker=self._id, platforms=platforms
        )
        if updates:
            await self._process(WorkKind.EDIT, updates)
        now, lease_until = self._lease_from_now()
        relays = await self._stores.outbox.claim_relays(
            now=now, lease_until=lease_until, limit=self._batch, worker=self._id
        )
        if relays:
            # Relays are few and may open an admin thread first: one at a time keeps that orderly.
            # Each keeps its claim's lease: one that waits behind the others past it is not posted.
            for work in relays:
                await self._process(WorkKind.RELAY, [work], lease_until)
        return len(deliveries) + len(digests) + len(notices) + len(updates) + len(relays)

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
        if kind in (WorkKind.DELIVERY, WorkKind.EDIT):
            # Read afresh for every batch: an `edit` may have changed the text since the last one.
            await self._load_announcements({w.announcement_id for w in batch if w.announcement_id})
        finished: asyncio.Queue[tuple[Work, Outcome]] = asyncio.Queue()

        async def attempt(work: Work) -> None:
            finished.put_nowait((work, await self._attempt(work, lease_until)))

        sending = asyncio.gather(*(attempt(work) for work in batch))
        # Group commit: each outcome is written as soon as its send returns, together with whatever
        # else finished meanwhile, so a message id is on record before a reaction or reply to it
        # can arrive, and a crash loses at most the sends still in flight.
        touched: set[int] = set()
        recorded = 0
        while recorded < len(batch):
            chunk = [await finished.get()]
            while not finished.empty():
                chunk.append(finished.get_nowait())
            touched.update(await self._record(kind, chunk))
            recorded += len(chunk)
        await sending
        if kind is not WorkKind.RELAY and touched:
            done = await self._stores.outbox.finish_announcements(sorted(touched), now=self._clock.now())
            for announcement_id in done:
                self._announcements.pop(announcement_id, None)
            if done and self._on_finished:
                self._on_finished(done)

    async def _record(self, kind: WorkKind, chunk: list[tuple[Work, Outcome]]) -> list[int]:
        """Write one chunk of outcomes; the announcements it touched."""
        works = [work for work, _ in chunk]
        outcomes = [outcome for _, outcome in chunk]
        if kind is WorkKind.DIGEST:
            touched = await self._stores.digests.record(outcomes, worker=self._id, now=self._clock.now())
        elif kind is WorkKind.NOTICE:
            await self._stores.notices.record(outcomes, worker=self._id, now=self._clock.now())
            touched = []
        elif kind is WorkKind.EDIT:  # a batch of updates: edits and deletes
            gone = [
                work.target.delivery_id
                for work, outcome in chunk
                if work.kind is WorkKind.DELETE and work.target and outcome.kind is OutcomeKind.SENT
            ]
            await self._stores.revisions.record(
                outcomes, worker=self._id, now=self._clock.now(), recalled=gone
            )
            return []
        else:
            await self._stores.outbox.record(kind, outcomes, worker=self._id, now=self._clock.now())
            touched = [w.announcement_id for w in works if w.announcement_id]
        await self._deactivate_failed_channels(works, outcomes)
        return list(touched)

    async def _attempt(self, work: Work, lease_until: datetime | None) -> Outcome:
        async with self._slots:
            try:
                ref = await self._send(work, lease_until)
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
                log.exception("unexpected error sending %s %s", work.kind, work.id)
                return self._transient(work, TransientSendError(f"internal error: {type(exc).__name__}"))
            self.stats.sent += 1
            return Outcome(OutcomeKind.SENT, work.id, message_id=ref.message)

    async def _send(self, work: Work, lease_until: datetime | None) -> MessageRef:
        if work.kind is WorkKind.RELAY:
            # Relays (and the admin thread heading they may open) draw from the same buckets, and
            # start a post only while their lease lasts, like deliveries.
            async def pace(keys: list[RateKey]) -> None:
                await self._pace(keys, lease_until)

            return await self._feedback.post_relay(work, lambda p: _Paced(self._sender(p), pace))
        if work.kind in (WorkKind.EDIT, WorkKind.DELETE):
            return await self._update(work)
        assert work.channel is not None
        sender = self._sender(work.channel.platform)
        if work.kind is WorkKind.DIGEST and self._digests is not None:
            out, key = await self._digests.outgoing(work), idempotency_key(work)
            if isinstance(out.content, DigestPost) and not out.content.items:
                return MessageRef(work.channel, "")  # everything in it was recalled: post nothing
        elif work.kind is WorkKind.NOTICE:
            out, key = await self._notice(work), f"n{work.id}"
        else:
            out, key = Outgoing(channel=work.channel, content=self._post(work)), f"d{work.id}"
        if work.ambiguous:
            found = await sender.find_posted(out, idempotency_key=key)
            if found is not None:
                return found
        await self._pace(sender.rate_keys(work.channel), lease_until)
        return await sender.post(out, idempotency_key=key)

    async def _pace(self, keys: list[RateKey], lease_until: datetime | None) -> None:
        """Wait for the rate limiter, but only while the lease leaves time to post (a later token
        would be wasted); raises LeaseRanOut, having posted nothing, when it does not."""
        left = self._time_to_post(lease_until)
        if left is not None and left <= 0:  # no time left to wait for a token: take none
            raise LeaseRanOut(LEASE_RAN_OUT)
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
        return (lease_until - self._lease * LEASE_MARGIN - self._clock.now()).total_seconds()

    async def _update(self, work: Work) -> MessageRef:
        """Bring one delivered copy in line with its announcement: edit it, or delete it (recall).

        Decided on the delivery as it stands now: a copy still in flight (or whose attempt may have
        posted) is waited for; one that never went out needs nothing, or, for a recall, is cancelled.
        """
        target, channel = work.target, work.channel
        assert target is not None and channel is not None and work.announcement_id is not None
        nothing = MessageRef(channel, "")
        if target.status in (DeliveryStatus.FAILED, DeliveryStatus.RECALLED, DeliveryStatus.DIGEST):
            return nothing  # never posted on its own (failed, cancelled, or carried by a digest)
        if target.status is DeliveryStatus.CLAIMED and not target.abandoned:
            raise Settling(f"delivery {target.delivery_id} is being sent; updating it after")
        sender = self._sender(channel.platform)
        announcement = self._announcements.get(work.announcement_id)
        if announcement is None:
            raise PermanentSendError("the announcement is gone", deactivate=False)
        out = Outgoing(channel=channel, content=self._post_of(target.delivery_id, announcement))
        message = target.message_id
        if message is None:
            maybe_posted = target.ambiguous or target.abandoned
            if work.kind is WorkKind.EDIT:
                if maybe_posted:  # its next attempt will find or post it; edit what it ends up as
                    raise Settling(f"delivery {target.delivery_id} is being retried; updating it after")
                return nothing  # still queued: it goes out with the new text
            if not maybe_posted:
                return nothing  # a recall: never posted, and it will not be (recorded as recalled)
            found = await sender.find_posted(out, idempotency_key=f"d{target.delivery_id}")
            if found is None:
                return nothing
            message = found.message
        ref = MessageRef(channel, message)
        await self._limiter.acquire(sender.rate_keys(channel))
        if work.kind is WorkKind.EDIT:
            await sender.edit(ref, out)
        else:
            await sender.delete(ref)
        return ref

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

    def _sender(self, platform: Platform) -> Sender:
        sender = self._senders.get(platform)
        if sender is None:
            # No adapter for that platform is running here: retry later rather than lose the row.
            raise TransientSendError(f"no {platform.value} adapter is configured in this process")
        return sender

    async def _notice(self, work: Work) -> Outgoing:
        assert work.channel is not None
        text, thread = await self._stores.notices.content(work.id)
        return Outgoing(
            channel=work.channel,
            # Plain text to every Sender, like a relay; the text was neutralised when it was queued.
            content=RelayPost(relay_id=work.id, kind=RelayKind.NOTICE, text=text),
            thread=MessageRef(work.channel, thread) if thread else None,
        )

    def _post(self, work: Work) -> AnnouncementPost:
        assert work.announcement_id is not None
        return self._post_of(work.id, self._announcements[work.announcement_id])

    @staticmethod
    def _post_of(delivery_id: int, announcement: Announcement) -> AnnouncementPost:
        return AnnouncementPost(
            delivery_id=delivery_id,
            announcement_id=announcement.id,
            title=announcement.title,
            body=announcement.body,
            topics=announcement.topics,
            urgent=announcement.priority is Priority.URGENT,
            ack_required=announcement.ack_required,
        )

    async def _load_announcements(self, ids: set[int]) -> None:
        for announcement_id in ids:
            announcement = await self._stores.announcements.get(announcement_id)
            if announcement is not None:
                self._announcements[announcement_id] = announcement

    async def _deactivate_failed_channels(self, batch: list[Work], outcomes: list[Outcome]) -> None:
        # Only a permanent error that condemns the channel itself switches the channel off.
        for work, outcome in zip(batch, outcomes, strict=True):
            if not outcome.deactivate or work.channel_id is None:
                continue
            reason = f"deactivated: {outcome.error}"
            if await self._stores.directory.deactivate([work.channel_id], reason=reason):
                await self._stores.outbox.fail_pending_for_channel(work.channel_id, reason=reason)

"""The five outbox queues as strategies of one generic worker loop (bot/services/delivery.py).

Each queue says how to claim its rows, how to send one, and how to record a chunk of outcomes
(with its after-record hooks: switching off a channel that a permanent error condemned, and the
announcements it touched, which the loop then moves on to `sending` / `sent`). The loop itself —
leases, pacing, concurrency, group commit, retries — is the same for all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from bot.domain.announcements import Announcement, Priority
from bot.domain.outbox import DeliveryStatus, Outcome, OutcomeKind, Work, WorkKind
from bot.domain.refs import ChannelRef, MessageRef, Platform
from bot.domain.sending import AnnouncementPost, DigestPost, Outgoing, RelayKind, RelayPost
from bot.domain.variants import pick, reader_language
from bot.i18n import reading
from bot.ports.announcements import AnnouncementStore, RevisionStore
from bot.ports.directory import DirectoryStore
from bot.ports.outbox import DigestStore, NoticeStore, OutboxStore
from bot.ports.sending import PermanentSendError, RateKey, Sender, TransientSendError
from bot.services.cta import CtaLinks, buttons
from bot.services.digests import DigestService, idempotency_key
from bot.services.feedback import FeedbackService

Chunk = Sequence[tuple[Work, Outcome]]


class Settling(TransientSendError):
    """An edit or delete whose delivery is still in flight: retried after a lease, not counted as a
    failed attempt."""


class OutboxPorts(Protocol):
    """The stores the outbox worker uses (the app's bag of every store has them, among others)."""

    @property
    def outbox(self) -> OutboxStore: ...
    @property
    def digests(self) -> DigestStore: ...
    @property
    def notices(self) -> NoticeStore: ...
    @property
    def revisions(self) -> RevisionStore: ...
    @property
    def announcements(self) -> AnnouncementStore: ...
    @property
    def directory(self) -> DirectoryStore: ...


class Courier(Protocol):
    """What a queue gets from the worker to send with: its Senders and its rate limiter."""

    def sender(self, platform: Platform) -> Sender:
        """This process's Sender for `platform`; TransientSendError when there is none."""
        ...

    async def pace(self, keys: list[RateKey], lease_until: datetime | None) -> None:
        """Wait for the rate limiter while the lease leaves time to post (LeaseRanOut otherwise)."""
        ...

    async def post(self, work: Work, out: Outgoing, key: str, lease_until: datetime | None) -> MessageRef:
        """Post `out` once: look for an earlier copy first if the row is ambiguous, then pace and post."""
        ...


class Queue(Protocol):
    """One outbox queue: how its rows are claimed, sent and recorded."""

    @property
    def kinds(self) -> tuple[WorkKind, ...]:
        """The kinds of work its rows come as."""
        ...

    @property
    def keeps_lease(self) -> bool:
        """Sends start only while the claim's lease lasts (edits and deletes wait on their delivery)."""
        ...

    @property
    def one_at_a_time(self) -> bool:
        """Relays are few and may open an admin thread first: one at a time keeps that orderly."""
        ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]: ...

    async def prepare(self, batch: Sequence[Work]) -> None:
        """Read what sending the batch needs (once per batch)."""
        ...

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef: ...

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        """Write one chunk of outcomes and run the queue's after-record hooks; the announcements touched."""
        ...


@dataclass(slots=True)
class AnnouncementCache:
    """Announcements of the batches in flight, read afresh for every batch (an `edit` may have
    changed the text since the last one) and dropped once the announcement is sent."""

    store: AnnouncementStore
    loaded: dict[int, Announcement] = field(default_factory=dict)

    async def load(self, batch: Sequence[Work]) -> None:
        for announcement_id in {w.announcement_id for w in batch if w.announcement_id}:
            announcement = await self.store.get(announcement_id)
            if announcement is not None:
                self.loaded[announcement_id] = announcement

    def get(self, announcement_id: int) -> Announcement | None:
        return self.loaded.get(announcement_id)

    async def fetch(self, announcement_id: int) -> Announcement | None:
        """The loaded announcement, else read again: the worker's fan-out flow overlaps batches of
        other queues with delivery batches, whose end may forget an announcement that just became
        `sent` while an edit of it had loaded it and not yet used it."""
        found = self.loaded.get(announcement_id)
        if found is None:
            found = await self.store.get(announcement_id)
        return found

    def forget(self, announcement_ids: Sequence[int]) -> None:
        for announcement_id in announcement_ids:
            self.loaded.pop(announcement_id, None)


def post_of(
    delivery_id: int, announcement: Announcement, links: CtaLinks | None = None, *, language: str = ""
) -> AnnouncementPost:
    """The copy of `announcement` for one delivery, in its reader's `language` (the best matching
    variant, else the default text; bot/domain/variants.py); its CTAs lead through signed links when
    `links`. Every copy — delivery, edit, test — is built here."""
    ctas = buttons(announcement.ctas, announcement_id=announcement.id, delivery_id=delivery_id, links=links)
    # Most announcements have no variants: no fallback chain to work out per delivered copy.
    variant = pick(announcement.variants, language) if language and announcement.variants else None
    return AnnouncementPost(
        delivery_id=delivery_id,
        announcement_id=announcement.id,
        title=variant.title if variant else announcement.title,
        body=variant.body if variant else announcement.body,
        topics=announcement.topics,
        urgent=announcement.priority is Priority.URGENT,
        ack_required=announcement.ack_required,
        files=announcement.files,
        ctas=ctas,
    )


def redirects_for(platform: Platform, links: CtaLinks | None) -> CtaLinks | None:
    """Slack's URL buttons report their clicks themselves and never show the redirect: signing a
    link per Slack copy would be work on the fan-out's hot path for nothing."""
    return None if platform is Platform.SLACK else links


@dataclass(frozen=True, slots=True)
class ChannelDeactivation:
    """After-record hook: only a permanent error that condemns the channel itself switches it off,
    and fails what is still queued for it."""

    directory: DirectoryStore
    outbox: OutboxStore

    async def __call__(self, chunk: Chunk) -> None:
        for work, outcome in chunk:
            if not outcome.deactivate or work.channel_id is None:
                continue
            reason = f"deactivated: {outcome.error}"
            if await self.directory.deactivate([work.channel_id], reason=reason):
                await self.outbox.fail_pending_for_channel(work.channel_id, reason=reason)


def _outcomes(chunk: Chunk) -> list[Outcome]:
    return [outcome for _, outcome in chunk]


def _touched(chunk: Chunk) -> list[int]:
    return [work.announcement_id for work, _ in chunk if work.announcement_id]


@dataclass(frozen=True, slots=True)
class DeliveryQueue:
    """Announcements to partner channels."""

    outbox: OutboxStore
    announcements: AnnouncementCache
    deactivate: ChannelDeactivation
    kinds: tuple[WorkKind, ...] = (WorkKind.DELIVERY,)
    keeps_lease: bool = True
    one_at_a_time: bool = False
    links: CtaLinks | None = None  # CTA buttons through partnerbot's signed redirect
    default_language: str = "en"  # PARTNERBOT_DEFAULT_LANGUAGE: for deliveries that keep no language

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        return await self.outbox.claim_deliveries(
            now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        )

    async def prepare(self, batch: Sequence[Work]) -> None:
        await self.announcements.load(batch)

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef:
        assert work.channel is not None and work.announcement_id is not None
        courier.sender(work.channel.platform)  # none here: retried later, before anything is read
        announcement = self.announcements.loaded[work.announcement_id]
        language = reader_language(work.language, self.default_language)
        post = post_of(
            work.id, announcement, redirects_for(work.channel.platform, self.links), language=language
        )
        out = Outgoing(channel=work.channel, content=post)
        with reading(language):  # the sender's own words (buttons, marks) in the reader's language
            return await courier.post(work, out, f"d{work.id}", lease_until)

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        await self.outbox.record(WorkKind.DELIVERY, _outcomes(chunk), worker=worker, now=now)
        await self.deactivate(chunk)
        return _touched(chunk)


@dataclass(frozen=True, slots=True)
class DigestQueue:
    """Daily and weekly digests to partner channels (same leases, retries and look-before-post)."""

    store: DigestStore
    digests: DigestService
    deactivate: ChannelDeactivation
    kinds: tuple[WorkKind, ...] = (WorkKind.DIGEST,)
    keeps_lease: bool = True
    one_at_a_time: bool = False

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        return await self.store.claim(
            now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        )

    async def prepare(self, batch: Sequence[Work]) -> None:
        return None

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef:
        assert work.channel is not None
        courier.sender(work.channel.platform)
        out = await self.digests.outgoing(work)
        if isinstance(out.content, DigestPost) and not out.content.items:
            return MessageRef(work.channel, "")  # everything in it was recalled: post nothing
        language = out.content.language if isinstance(out.content, DigestPost) else None
        with reading(language):
            return await courier.post(work, out, idempotency_key(work), lease_until)

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        touched = await self.store.record(_outcomes(chunk), worker=worker, now=now)
        await self.deactivate(chunk)
        return list(touched)


@dataclass(frozen=True, slots=True)
class NoticeQueue:
    """The bot's own notices (reports, reminders, progress) to admin channels, and test copies of
    announcements (`test <id>`), rendered from the announcement exactly as a delivery is."""

    store: NoticeStore
    deactivate: ChannelDeactivation
    announcements: AnnouncementStore | None = None
    kinds: tuple[WorkKind, ...] = (WorkKind.NOTICE,)
    keeps_lease: bool = True
    one_at_a_time: bool = False

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        return await self.store.claim(
            now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        )

    async def prepare(self, batch: Sequence[Work]) -> None:
        return None

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef:
        assert work.channel is not None
        courier.sender(work.channel.platform)
        text, thread = await self.store.content(work.id)
        if work.announcement_id is not None:
            return await self._test_copy(work, courier, lease_until, text)
        out = Outgoing(
            channel=work.channel,
            # Plain text to every Sender, like a relay; the text was neutralised when it was queued.
            content=RelayPost(relay_id=work.id, kind=RelayKind.NOTICE, text=text),
            thread=MessageRef(work.channel, thread) if thread else None,
        )
        return await courier.post(work, out, f"n{work.id}", lease_until)

    async def _test_copy(
        self, work: Work, courier: Courier, lease_until: datetime | None, mark: str
    ) -> MessageRef:
        """The announcement as a delivery renders it (its text as it is now), under the test `mark`."""
        assert work.channel is not None and work.announcement_id is not None
        found = await self.announcements.get(work.announcement_id) if self.announcements else None
        if found is None:
            raise PermanentSendError("the announcement is gone", deactivate=False)
        post = replace(post_of(0, found), test_note=mark)
        return await courier.post(
            work, Outgoing(channel=work.channel, content=post), f"n{work.id}", lease_until
        )

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        await self.store.record(_outcomes(chunk), worker=worker, now=now)
        await self.deactivate(chunk)
        return []


@dataclass(frozen=True, slots=True)
class RevisionQueue:
    """Edits and deletions (`edit`, `recall`) of copies already posted."""

    store: RevisionStore
    announcements: AnnouncementCache
    kinds: tuple[WorkKind, ...] = (WorkKind.EDIT, WorkKind.DELETE)
    keeps_lease: bool = False
    one_at_a_time: bool = False
    links: CtaLinks | None = None
    default_language: str = "en"

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        return await self.store.claim(
            now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        )

    async def prepare(self, batch: Sequence[Work]) -> None:
        await self.announcements.load(batch)

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef:
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
        sender = courier.sender(channel.platform)
        announcement = await self.announcements.fetch(work.announcement_id)
        if announcement is None:
            raise PermanentSendError("the announcement is gone", deactivate=False)
        language = reader_language(target.language, self.default_language)
        post = post_of(
            target.delivery_id, announcement, redirects_for(channel.platform, self.links), language=language
        )
        out = Outgoing(channel=channel, content=post)
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
        await courier.pace(sender.rate_keys(channel), None)
        if work.kind is WorkKind.EDIT:
            with reading(language):
                await sender.edit(ref, out)
        else:
            await sender.delete(ref, out=out)
        return ref

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        gone = [
            work.target.delivery_id
            for work, outcome in chunk
            if work.kind is WorkKind.DELETE and work.target and outcome.kind is OutcomeKind.SENT
        ]
        await self.store.record(_outcomes(chunk), worker=worker, now=now, recalled=gone)
        return []


class _Paced:
    """A Sender whose posts wait for the rate limiter first (for the relay path, which posts through
    the feedback service rather than through `Courier.post`). `pace` waits for a token only while the
    relay's lease leaves time to post, and raises LeaseRanOut otherwise, so a relay (or the
    admin-thread heading it opens) that waited too long is left to the row's new holder."""

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

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        await self._pace(self._sender.rate_keys(ref.channel))
        await self._sender.delete(ref, out=out)

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return self._sender.rate_keys(channel)


@dataclass(frozen=True, slots=True)
class RelayQueue:
    """Partners' questions to the admins and admins' answers back (through the feedback service,
    which may open the admin thread first)."""

    outbox: OutboxStore
    feedback: FeedbackService
    deactivate: ChannelDeactivation
    kinds: tuple[WorkKind, ...] = (WorkKind.RELAY,)
    keeps_lease: bool = True
    one_at_a_time: bool = True

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        return await self.outbox.claim_relays(now=now, lease_until=lease_until, limit=limit, worker=worker)

    async def prepare(self, batch: Sequence[Work]) -> None:
        return None

    async def send(self, work: Work, courier: Courier, lease_until: datetime | None) -> MessageRef:
        # Relays (and the admin thread heading they may open) draw from the same buckets, and start
        # a post only while their lease lasts, like deliveries.
        async def pace(keys: list[RateKey]) -> None:
            await courier.pace(keys, lease_until)

        return await self.feedback.post_relay(work, lambda p: _Paced(courier.sender(p), pace))

    async def record(self, chunk: Chunk, *, worker: str, now: datetime) -> list[int]:
        await self.outbox.record(WorkKind.RELAY, _outcomes(chunk), worker=worker, now=now)
        await self.deactivate(chunk)
        return []  # relays move no announcement on

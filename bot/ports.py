"""What the core needs from the outside world: a clock, one Sender per platform, and storage.

The store protocols are implemented by `storage/repositories/`; the composition root wires them in,
so nothing in `bot/` imports SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.cadence import Engagement, JobRun, NoticeDraft
from bot.domain import (
    AckDue,
    AckState,
    Announcement,
    AnnouncementStats,
    AnnouncementStatus,
    Audience,
    Channel,
    ChannelRef,
    DeliveryHit,
    DeliveryMode,
    DeliveryProgress,
    DigestItem,
    ImportRow,
    InviteOutcome,
    MessageRef,
    Outcome,
    Outgoing,
    Partner,
    PartnerCard,
    PartnerFilter,
    PartnerProfile,
    Platform,
    Priority,
    ProgressSlot,
    Question,
    Reach,
    RecallCounts,
    Schedule,
    Topic,
    TopicStats,
    UserRef,
    Work,
    WorkKind,
)
from bot.timing import (
    CancelOutcome,
    DeliveryPlan,
    HeldGroup,
    RescheduleOutcome,
    ScheduledAnnouncement,
    TargetGroup,
)


class Clock(Protocol):
    """Current time, injected so schedules, leases and backoff are testable without sleeping."""

    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TopicAlreadyExists(Exception):
    """A topic with that slug exists (raised by `TopicStore.add`)."""


class SendError(Exception):
    """Base of what a Sender raises; the delivery worker decides what happens next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Try again later (5xx, timeout, rate limit). `retry_after` is the platform's own hint, if any.

    `maybe_posted` is true when the request may have reached the platform (a timeout or a dropped
    connection after sending), so the next attempt must look for the message before posting again.

    `rate_limited` says the platform throttled the request (HTTP 429): nothing was sent and nothing is
    wrong with the message, so the worker reschedules it without counting an attempt.
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        maybe_posted: bool = False,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.maybe_posted = maybe_posted
        self.rate_limited = rate_limited


class PermanentSendError(SendError):
    """Retrying cannot help (channel gone, bot removed, archived, no access).

    `deactivate` says the channel itself is unusable, so it is switched off for future broadcasts.
    """

    def __init__(self, reason: str, *, deactivate: bool = True) -> None:
        super().__init__(reason)
        self.deactivate = deactivate


@dataclass(frozen=True, slots=True)
class RateKey:
    """A bucket the core's limiter paces: `rate` requests per `period` seconds for `key`."""

    key: str
    rate: float
    period: float


class RateLimiter(Protocol):
    """Paces sends: `acquire` returns once one request may go out under every bucket in `keys`.
    Implementations: bot.services.ratelimits (one process) and the database-backed shared one."""

    async def acquire(self, keys: list[RateKey]) -> None: ...

    async def close(self) -> None: ...


class Sender(Protocol):
    """Posts core output to one platform. Implementations translate, never decide."""

    platform: Platform

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        """Post a message; `idempotency_key` is stable across retries of the same delivery or relay."""
        ...

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        """After an ambiguous attempt: the message an earlier attempt posted, if the platform has it."""
        ...

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        """Replace a posted message's content in place."""
        ...

    async def delete(self, ref: MessageRef) -> None:
        """Remove a posted message."""
        ...

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        """The limiter buckets one post to `channel` draws from (workspace-wide, per channel…)."""
        ...


class AnnouncementStore(Protocol):
    """Implemented by `storage.repositories.AnnouncementRepository`."""

    async def create(
        self,
        *,
        title: str,
        body: str,
        topic_ids: Sequence[int],
        audience: Audience,
        priority: Priority,
        author: UserRef,
        origin: ChannelRef,
        now: datetime,
        schedule: Schedule | None = None,
        ack_required: bool = False,
    ) -> Announcement: ...

    async def get(self, announcement_id: int) -> Announcement | None: ...

    async def recent(self, limit: int = 10) -> list[Announcement]: ...

    async def topic_ids(self, announcement_id: int) -> list[int]: ...

    async def set_admin_thread(self, announcement_id: int, thread: str) -> str:
        """Record the admin thread for questions, unless one exists; return the one that stands."""
        ...

    async def claim_admin_thread(
        self, announcement_id: int, *, now: datetime, until: datetime
    ) -> bool | None:
        """Reserve opening the admin thread: True after a takeover, False if fresh, None if not ours."""
        ...

    async def release_admin_thread(self, announcement_id: int) -> None:
        """Give up a reservation after a send that certainly posted nothing."""
        ...

    async def admin_thread(self, announcement_id: int) -> str | None: ...

    async def reach(self, topic_ids: Sequence[int], audience: Audience) -> Reach:
        """Count the channels a broadcast would reach now: subscriptions ∩ audience ∩ active."""
        ...

    async def start_sending(
        self,
        announcement_id: int,
        topic_ids: Sequence[int],
        audience: Audience,
        *,
        bypass_digest: bool,
        now: datetime,
        allowed_from: Sequence[AnnouncementStatus] = (AnnouncementStatus.DRAFT,),
        plan: DeliveryPlan | None = None,
    ) -> int | None:
        """Move the announcement to `sending` (or the plan's status) and write its outbox rows in one
        transaction; with a `plan`, each row gets its group's `not_before` and digest hold."""
        ...

    async def news(
        self, *, topic_ids: Sequence[int], partner: Partner | None, limit: int
    ) -> list[Announcement]:
        """The latest sent announcements on these topics whose audience includes this partner."""
        ...

    async def discard_draft(self, announcement_id: int) -> bool:
        """Delete a draft as if it had never been written; False if it is not (or no longer) a draft."""
        ...


class AuditStore(Protocol):
    """Implemented by `storage.repositories.AuditRepository`."""

    async def record(
        self, *, user: UserRef, channel: str, action: str, detail: str, allowed: bool, now: datetime
    ) -> None: ...


class DirectoryStore(Protocol):
    """Implemented by `storage.repositories.DirectoryRepository`."""

    async def partner(self, partner_id: int) -> Partner | None: ...

    async def partners(self, where: PartnerFilter | None = None) -> list[tuple[Partner, int]]:
        """Every partner not removed (matching `where`) with its number of active channels, by name."""
        ...

    async def attribute_values(self) -> dict[str, set[str]]:
        """The distinct values of `tier`, `type`, `region` and `language` the roster holds, lower-cased:
        they stay valid whatever the configured vocabulary says (bot/vocabulary.py)."""
        ...

    async def partner_by_name(self, name: str) -> Partner | None:
        """The partner called `name` (removed ones too): exactly, else ignoring case."""
        ...

    async def partner_names(self) -> list[str]:
        """Names of the partners not removed."""
        ...

    async def partner_card(self, partner_id: int) -> PartnerCard | None: ...

    async def update_partner(self, partner_id: int, values: Mapping[str, str]) -> Partner | None:
        """Set some of `tier`, `type`, `region`, `language`, `timezone` (already validated)."""
        ...

    async def remove_partner(self, partner_id: int, *, now: datetime) -> list[int] | None:
        """Mark removed, switch its channels off, void unused join codes; the channel ids switched off,
        or None when there is no such partner or it was removed already."""
        ...

    async def existing_partner_names(self, names: Sequence[str]) -> set[str]: ...

    async def import_rows(
        self, rows: Sequence[ImportRow], *, now: datetime, update_existing: bool = False
    ) -> tuple[int, int, int]:
        """Insert (with `update_existing`, or update) partners and their channels, and subscribe the
        channels to each row's topics, in one transaction: all rows or none.
        Returns (partners created, partners updated, channels)."""
        ...

    async def channel(self, ref: ChannelRef) -> Channel | None: ...

    async def ensure_channel(self, ref: ChannelRef, *, name: str, now: datetime) -> Channel:
        """The channel a command came from, registered on first use and re-activated if it was off."""
        ...

    async def set_mode(self, channel_id: int, mode: DeliveryMode) -> None: ...

    async def set_timezone(self, channel_id: int, timezone: str) -> None: ...

    async def set_quiet_hours(self, channel_id: int, quiet: str | None) -> None:
        """ "HH:MM-HH:MM", "off" (none, whatever the vendor default), or None (the vendor default)."""
        ...

    async def deactivate(self, channel_ids: Sequence[int], *, reason: str) -> int: ...

    async def deactivate_workspace(self, platform: str, workspace: str, *, reason: str) -> int:
        """The bot was uninstalled from a workspace or removed from a server."""
        ...

    async def create_invite(
        self,
        profile: PartnerProfile,
        *,
        code: str,
        created_by: str,
        expires_at: datetime,
        now: datetime,
        restore: bool = False,
    ) -> Partner:
        """A one-time code linking a channel to the partner `profile` names, created if new. An existing
        partner is left as it is, unless `restore` (a removed one invited again takes `profile`)."""
        ...

    async def redeem_invite(
        self, code: str, *, channel_id: int, now: datetime
    ) -> tuple[InviteOutcome, Partner | None]: ...


class FeedbackStore(Protocol):
    """Implemented by `storage.repositories.FeedbackRepository`."""

    async def delivery_by_message(self, platform: Platform, channel: str, message: str) -> DeliveryHit | None:
        """The delivery whose posted message is `message` in that platform channel."""
        ...

    async def record_reaction(
        self, delivery_id: int, *, user: str, emoji: str, added: bool, now: datetime
    ) -> None: ...

    async def ask(
        self,
        *,
        channel_id: int,
        delivery_id: int | None,
        announcement_id: int | None,
        asker: str,
        asker_name: str,
        text: str,
        partner_thread: str | None,
        now: datetime,
    ) -> int:
        """Store a question and queue its relay to the admin channel, atomically."""
        ...

    async def answer(
        self,
        question_id: int,
        *,
        admin_platform: str,
        admin_id: str,
        admin_name: str,
        text: str,
        now: datetime,
    ) -> int:
        """Store an answer, mark the question answered and queue the relay back, atomically."""
        ...

    async def answer_text(self, answer_id: int) -> tuple[str, str]: ...

    async def question(self, question_id: int) -> Question | None: ...

    async def open_questions(self, *, limit: int = 50) -> list[Question]: ...

    async def questions_in_admin_thread(self, channel: str, thread: str) -> list[Question]: ...

    async def set_relayed(self, question_id: int, *, channel: str, message: str, thread: str) -> None: ...


class OutboxStore(Protocol):
    """Implemented by `storage.repositories.OutboxRepository`."""

    async def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due deliveries for the platforms this process can send to."""
        ...

    async def claim_relays(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str
    ) -> list[Work]: ...

    async def record(
        self, kind: WorkKind, outcomes: Sequence[Outcome], *, worker: str, now: datetime
    ) -> None:
        """Write a batch of outcomes in one transaction (group commit keeps SQLite fast)."""
        ...

    async def fail_pending_for_channel(self, channel_id: int, *, reason: str) -> int:
        """A channel was deactivated: its queued deliveries can never go out."""
        ...

    async def finish_announcements(self, announcement_ids: Sequence[int], *, now: datetime) -> list[int]:
        """Mark `sending` announcements `sent` once none of their deliveries is still queued."""
        ...

    async def due_count(self, *, now: datetime) -> int: ...

    async def message_of(self, delivery_id: int) -> str | None: ...


class ScheduleStore(Protocol):
    """Implemented by `storage.repositories.ScheduleRepository`."""

    async def target_groups(self, topic_ids: Sequence[int], audience: Audience) -> list[TargetGroup]:
        """The targets `start_sending` would write now, grouped by zone, quiet hours and mode."""
        ...

    async def scheduled(self, *, limit: int = 20) -> list[ScheduledAnnouncement]:
        """Scheduled announcements, soonest first, with their rows still waiting."""
        ...

    async def cancel(self, announcement_id: int) -> CancelOutcome:
        """Cancel a draft, or a scheduled announcement none of whose deliveries went out yet (its
        queued rows fail with `cancelled`), in one transaction."""
        ...

    async def waiting_groups(self, announcement_id: int) -> list[TargetGroup]:
        """A scheduled announcement's rows still waiting, grouped by zone, quiet hours and mode (a row
        due as a single post counts as `immediate`)."""
        ...

    async def reschedule(
        self, announcement_id: int, *, schedule: Schedule, plan: DeliveryPlan | None
    ) -> RescheduleOutcome:
        """Give a draft, or a scheduled announcement none of whose deliveries went out yet, the new
        `schedule`; a scheduled one's waiting rows take their group's `not_before` from `plan`. One
        transaction."""
        ...

    async def drafts(self, *, limit: int = 25) -> list[Announcement]:
        """Open drafts, oldest first."""
        ...


class DigestStore(Protocol):
    """Implemented by `storage.repositories.DigestRepository`: the digest outbox."""

    async def held_groups(self) -> list[HeldGroup]:
        """Zones and modes of active channels that have announcements held for no digest yet."""
        ...

    async def create(self, *, group: HeldGroup, period: str, boundary: datetime, now: datetime) -> int:
        """For each channel of `group`: one digest for `period` carrying its rows held up to
        `boundary`, unless that channel's digest for `period` exists. Returns how many were made."""
        ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]: ...

    async def contents(self, digest_id: int) -> tuple[str, list[DigestItem]]:
        """The digest's period key and its announcements, oldest first."""
        ...

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> list[int]:
        """Write outcomes; a posted digest marks its deliveries sent with its message. Returns the
        announcements touched."""
        ...

    async def by_message(self, platform: Platform, channel: str, message: str) -> int | None:
        """The channel id whose digest is `message`, for replies in a digest's thread."""
        ...


class StatsStore(Protocol):
    """Implemented by `storage.repositories.StatsRepository`."""

    async def announcement(self, announcement_id: int) -> AnnouncementStats | None: ...

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress:
        """Its deliveries by state in one grouped read (all zero for an unknown id or a draft);
        rows not due before `now` that were never attempted count as held."""
        ...

    async def topics(self) -> list[TopicStats]:
        """Per topic: announcements sent on it, deliveries, active reactions and questions."""
        ...


class SubscriptionStore(Protocol):
    """Implemented by `storage.repositories.SubscriptionRepository`."""

    async def topics_of(self, channel_id: int) -> list[Topic]:
        """The active topics a channel follows, by slug."""
        ...

    async def add(self, channel_id: int, topic_ids: Sequence[int], *, now: datetime) -> list[str]:
        """Subscribe; returns the slugs that were newly added (existing ones are left alone)."""
        ...

    async def remove(self, channel_id: int, topic_ids: Sequence[int]) -> list[str]:
        """Unsubscribe; returns the slugs that were actually removed."""
        ...

    async def subscribe_channel(
        self, ref: ChannelRef, topic_ids: Sequence[int], *, name: str, now: datetime, linked_only: bool
    ) -> tuple[Channel, list[int] | None]:
        """`DirectoryStore.ensure_channel` and `add` in one transaction: the calling channel (registered
        or brought up to date) and the topic ids newly added, or None, with nothing subscribed, when
        `linked_only` and the channel is linked to no partner."""
        ...


class TopicStore(Protocol):
    """Implemented by `storage.repositories.TopicRepository`."""

    async def add(self, *, slug: str, title: str, description: str, now: datetime) -> Topic: ...

    async def set_archived(self, slug: str, *, archived: bool) -> Topic | None: ...

    async def all(self, *, include_archived: bool = False) -> list[Topic]: ...

    async def by_slugs(self, slugs: Iterable[str]) -> list[Topic]: ...

    async def follower_counts(self) -> dict[int, int]:
        """Per topic id, the active channels subscribed to it (topics nobody follows are absent)."""
        ...


class NoticeStore(Protocol):
    """Implemented by `storage.repositories.NoticeRepository`: the outbox of the bot's own notices."""

    async def add(self, drafts: Sequence[NoticeDraft], *, now: datetime) -> int:
        """Queue each draft unless a notice with its key exists; how many were new."""
        ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due notices (the channel's workspace filled in from the directory when unknown)."""
        ...

    async def content(self, notice_id: int) -> tuple[str, str | None]:
        """The notice's text and the thread it goes in, if any."""
        ...

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> None: ...


class JobRunStore(Protocol):
    """Implemented by `storage.repositories.JobRunRepository`: one row per (job, period) run."""

    async def claim(
        self, job: str, period: str, *, worker: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take the period: True when it was never claimed, or its run failed, or the process running
        it stopped renewing its lease; False when it is done or running elsewhere."""
        ...

    async def finish(
        self, job: str, period: str, *, worker: str, ok: bool, detail: str, now: datetime
    ) -> None:
        """Record the end of our run (a failed run may be claimed again)."""
        ...

    async def last_done(self, job: str) -> str | None:
        """The latest period of `job` that finished, by key order."""
        ...

    async def latest(self) -> list[JobRun]:
        """The most recent run of each job."""
        ...

    async def prune(self, job: str, *, before: datetime) -> int:
        """Forget finished runs of `job` started before `before` (for jobs that never catch up)."""
        ...


class ReportStore(Protocol):
    """Implemented by `storage.repositories.ReportRepository`: the reads behind reports and reminders."""

    async def engagement(self, *, since: datetime, until: datetime) -> Engagement:
        """Per topic and tier within [since, until): deliveries sent, reactions added, questions asked;
        and questions asked a day or more before `until` that were still open at `until`."""
        ...

    async def questions_to_remind(
        self, *, asked_before: datetime, key_prefix: str, limit: int
    ) -> list[Question]:
        """Open questions asked before `asked_before` with no notice keyed `key_prefix + id` yet."""
        ...


class AckStore(Protocol):
    """Implemented by `storage.repositories.AckRepository`: acknowledgements of deliveries."""

    async def record(self, delivery_id: int, *, user: str, user_name: str, now: datetime) -> AckState | None:
        """Acknowledge a delivery once: None when this call recorded it, else the earlier record."""
        ...

    async def states(self, announcement_id: int) -> list[AckState]:
        """Every delivered copy of the announcement with its acknowledgement, if any (by partner)."""
        ...

    async def due(self, *, delivered_before: datetime, key_prefix: str, limit: int) -> list[AckDue]:
        """Delivered, unacknowledged copies of `ack_required` announcements, delivered before
        `delivered_before` to active channels, with no notice keyed `key_prefix + delivery id` yet."""
        ...


class ProgressStore(Protocol):
    """The live progress message of each broadcast. `storage.repositories.ProgressRepository`."""

    async def attach(self, announcement_id: int, notice_key: str) -> None: ...

    async def due(self, *, limit: int = 50) -> list[ProgressSlot]: ...

    async def save(self, announcement_id: int, *, text: str, final: bool, shown: str) -> bool: ...

    async def restore(self, announcement_id: int, *, shown: str) -> None: ...

    async def reopen(self, announcement_id: int) -> None: ...


class RevisionStore(Protocol):
    """Edit and recall of announcements that went out. `storage.repositories.RevisionRepository`."""

    async def edit(self, announcement_id: int, *, title: str, body: str, now: datetime) -> int | None:
        """Change the text; how many delivered copies were queued for an in-place edit (None: not
        editable)."""
        ...

    async def recall(self, announcement_id: int, *, now: datetime) -> RecallCounts | None: ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]: ...

    async def record(
        self, outcomes: Sequence[Outcome], *, worker: str, now: datetime, recalled: Sequence[int] = ()
    ) -> None: ...

    async def counts(self, announcement_id: int) -> dict[tuple[str, str], int]: ...


class RateLimitRows(Protocol):
    """Housekeeping of the shared rate-limit buckets. `storage.repositories.RateLimitRepository`."""

    async def prune(self, *, full_before: float) -> int:
        """Delete the buckets that were full again (their TAT, epoch seconds) before `full_before`:
        a missing bucket reads as a full one, so this changes no pacing. How many went."""
        ...


@dataclass(frozen=True, slots=True)
class Stores:
    """Every store the services use, handed over by the composition root."""

    topics: TopicStore
    directory: DirectoryStore
    subscriptions: SubscriptionStore
    announcements: AnnouncementStore
    outbox: OutboxStore
    feedback: FeedbackStore
    stats: StatsStore
    audit: AuditStore
    schedules: ScheduleStore
    digests: DigestStore
    notices: NoticeStore
    job_runs: JobRunStore
    reports: ReportStore
    acks: AckStore
    revisions: RevisionStore
    progress: ProgressStore
    rate_limits: RateLimitRows

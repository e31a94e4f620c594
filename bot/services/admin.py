"""What vendor admins do from the admin channel: topics, invites, broadcasts (draft → preview → send)."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import messages as m
from bot.caps import CapReach, WeeklyCap
from bot.commands import Broadcast, Cancel, Invite, Send, TopicAdd, TopicArchive, TopicUnarchive
from bot.domain.announcements import Announcement, AnnouncementStatus, Audience, Priority, Reach
from bot.domain.conversation import Invocation, RefusalCode, Reply
from bot.domain.cta import CtaRefused, check_ctas
from bot.domain.files import Attachment, FileProblem, FileProblemKind
from bot.domain.topics import Topic
from bot.domain.variants import Variant
from bot.ports.announcements import AnnouncementStore
from bot.ports.caps import CapStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.scheduling import ScheduleStore
from bot.ports.topics import TopicAlreadyExists, TopicStore
from bot.presenter import CANCEL_ACTION as CANCEL_ACTION
from bot.presenter import EDIT_ACTION as EDIT_ACTION
from bot.presenter import RECALL_ACTION as RECALL_ACTION
from bot.presenter import SEND_ACTION as SEND_ACTION
from bot.presenter import error as error
from bot.presenter import present
from bot.presenter.caps import cap_lines
from bot.presenter.refusals import cta_refused
from bot.results import (
    BroadcastResult,
    Cancelled,
    FilesRefused,
    Previewed,
    Refused,
    ScheduledListed,
    SendResult,
    SentSummary,
    TopicAdded,
    TopicArchiveSet,
    TopicsOverview,
)
from bot.services.audiences import AudienceService
from bot.services.files import FileService
from bot.services.partner_admin import PartnerAdminService
from bot.services.progress import ProgressService
from bot.services.scheduling import SchedulingService
from bot.services.translations import checked_variants
from bot.settings import CoreSettings
from bot.timing import CancelOutcome, DeliveryPlan
from bot.vocabulary import UnknownValue
from bot.vocabulary import load as load_vocabulary

# No 0/O/1/I/L: codes are read aloud and typed from emails.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# `topics`: each topic's deliveries against partner actions over this window (over-sending).
TOPIC_LOAD_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class CheckedBroadcast:
    """A broadcast ready to become a draft: checked, with its topics and its variants."""

    command: Broadcast
    topics: tuple[Topic, ...]
    variants: tuple[Variant, ...]


@dataclass(frozen=True, slots=True)
class AdminPorts:
    """The ports AdminService uses (bot/core.py wires them)."""

    topics: TopicStore
    schedules: ScheduleStore
    announcements: AnnouncementStore
    directory: DirectoryStore
    caps: CapStore


class AdminService:
    def __init__(
        self,
        ports: AdminPorts,
        clock: Clock,
        settings: CoreSettings,
        *,
        wake_worker: Callable[[], None],
        progress: ProgressService,
        scheduling: SchedulingService,
        roster: PartnerAdminService,
        audiences: AudienceService,
        files: FileService | None = None,
    ) -> None:
        self._progress = progress
        self._audiences = audiences
        # Attachments; None (a core without a FileStore) refuses files instead of dropping them.
        self._files = files
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._wake_worker = wake_worker
        self.scheduling = scheduling
        self.roster = roster
        # Hold deliveries to daily/weekly channels for their digest (the `digests` job sends them).
        # Switching it off delivers to every channel at once, whatever its mode.
        self.hold_digests = True

    async def add_topic(self, cmd: TopicAdd) -> TopicAdded | Refused:
        try:
            topic = await self._stores.topics.add(
                slug=cmd.slug, title=cmd.title, description=cmd.description, now=self._clock.now()
            )
        except TopicAlreadyExists:
            return Refused(RefusalCode.TOPIC_EXISTS, "slug", value=cmd.slug)
        return TopicAdded(topic)

    async def archive_topic(self, cmd: TopicArchive) -> TopicArchiveSet | Refused:
        if await self._stores.topics.set_archived(cmd.slug, archived=True) is None:
            return await self._unknown_topic(cmd.slug)
        return TopicArchiveSet(cmd.slug, archived=True)

    async def unarchive_topic(self, cmd: TopicUnarchive) -> TopicArchiveSet | Refused:
        was = await self._stores.topics.set_archived(cmd.slug, archived=False)
        if was is None:
            return await self._unknown_topic(cmd.slug, include_archived=True)
        return TopicArchiveSet(cmd.slug, archived=False, changed=was)

    async def list_topics(self) -> TopicsOverview:
        """Every topic, archived ones marked, with the active channels following each."""
        topics = await self._stores.topics.all(include_archived=True)
        if not topics:
            return TopicsOverview(())
        followers = await self._stores.topics.follower_counts()
        now = self._clock.now()
        loads = await self._stores.topics.loads(since=now - TOPIC_LOAD_WINDOW, until=now)
        return TopicsOverview(
            tuple((t, followers.get(t.id, 0)) for t in topics), loads, days=TOPIC_LOAD_WINDOW.days
        )

    async def invite(self, inv: Invocation, cmd: Invite) -> Reply:
        """A join code for a new partner; one that exists is never changed (services/partner_admin.py)."""
        return present(await self.roster.invite(inv, cmd))

    async def broadcast(self, inv: Invocation, cmd: Broadcast) -> Reply:
        """Create a draft and answer with its preview (`draft`, in words)."""
        return present(await self.draft(inv, cmd))

    async def checked(self, cmd: Broadcast) -> CheckedBroadcast | Refused:
        """The broadcast with its saved audience resolved and its audience, calls to action, variants
        and topics checked (as a draft needs them, and a recurring series at each occurrence); or why
        not."""
        if cmd.saved_audience is not None:  # `audience:<name>`: its filters (and topics) now
            resolved = await self._audiences.resolve(cmd)
            if isinstance(resolved, Refused):
                return resolved
            cmd = resolved
        try:
            # Structured input (modals, Discord options, the CLI) arrives here too: nothing is created
            # for a filter value outside the vocabulary, so a typo never makes a zero-reach draft.
            vocabulary = await load_vocabulary(self._stores.directory, self._settings)
            cmd = replace(cmd, audience=vocabulary.check_audience(cmd.audience))
            variants = checked_variants(cmd.variants, vocabulary, self._settings.default_language)
        except UnknownValue as unknown:
            return Refused(RefusalCode.UNKNOWN_VALUE, unknown.key, message=unknown.message)
        if isinstance(variants, Refused):
            return variants
        ctas = check_ctas(cmd.ctas)  # structured input (modals, the CLI) meets the grammar's rules here
        if isinstance(ctas, CtaRefused):
            return cta_refused(ctas, count=len(cmd.ctas))
        topics = await self._active_topics(cmd.topics)
        if isinstance(topics, Refused):
            return topics
        if cmd.ack_required and not cmd.urgent:
            # The grammar checks this too; structured input (modals, Discord options) arrives here only.
            return Refused(RefusalCode.ACK_NEEDS_URGENT, "urgent")
        return CheckedBroadcast(replace(cmd, ctas=ctas), tuple(topics), variants)

    async def draft(self, inv: Invocation, cmd: Broadcast) -> BroadcastResult:
        """Create a draft and return it with who it will reach and when (a scheduled time;
        deliveries waiting for quiet hours or digests), or why nothing was created."""
        checked = await self.checked(cmd)
        if isinstance(checked, Refused):
            return checked
        cmd, topics, variants = checked.command, checked.topics, checked.variants
        ctas = cmd.ctas
        topic_ids = [t.id for t in topics]
        groups = await self._stores.schedules.target_groups(topic_ids, cmd.audience)
        schedule = None
        if cmd.send_at is not None:
            resolved = self.scheduling.resolve(cmd, groups)
            if isinstance(resolved, Reply):  # nothing is created: a wrong time must not become a draft
                return _refused(resolved)
            schedule = resolved
        gathered = await self._gather(inv, cmd)
        if isinstance(gathered, FilesRefused):
            return gathered
        announcement = await self._stores.announcements.create(
            title=cmd.title,
            body=cmd.body,
            topic_ids=[t.id for t in topics],
            audience=cmd.audience,
            priority=Priority.URGENT if cmd.urgent else Priority.NORMAL,
            author=inv.user,
            origin=inv.channel,
            now=self._clock.now(),
            schedule=schedule,
            ack_required=cmd.ack_required,
            audience_name=cmd.saved_audience,
            files=gathered,
            ctas=ctas,
            variants=variants,
        )
        reach = await self._stores.announcements.reach(topic_ids, cmd.audience)
        problems = self._file_problems(announcement, reach)
        plan = self.scheduling.plan(
            groups, schedule=schedule, urgent=cmd.urgent, hold_digests=self.hold_digests
        )
        lines = self.scheduling.describe(plan, schedule)
        lines += await self._cap_lines(topic_ids, cmd.audience, plan, urgent=cmd.urgent)
        if schedule is not None:
            lines.append(m.SCHEDULE_HINT.format(id=announcement.id))
        return Previewed(
            announcement,
            reach,
            tuple(lines),
            self._settings.ack_reminder_hours,
            self._settings.default_language,
            file_problems=problems,
        )

    def _cap(self) -> WeeklyCap:
        return WeeklyCap(vendor=self._settings.weekly_cap)

    async def _cap_lines(
        self, topic_ids: Sequence[int], audience: Audience, plan: DeliveryPlan, *, urgent: bool
    ) -> list[str]:
        """The preview's lines on targeted channels at their weekly cap (urgent ones always pass)."""
        if urgent:
            return []
        reach = await self._stores.caps.at_cap(
            topic_ids, audience, cap=self._cap(), plan=plan, now=self._clock.now()
        )
        return cap_lines(reach, self._settings.digest_at())

    async def _gather(self, inv: Invocation, cmd: Broadcast) -> tuple[Attachment, ...] | FilesRefused:
        """The broadcast's files, stored; refused (no draft) when a path cannot be read."""
        if not (cmd.attach or cmd.files):
            return ()
        if self._files is None:
            names = [*cmd.attach, *(f.name for f in cmd.files)]
            return FilesRefused(
                tuple(FileProblem(FileProblemKind.UNREADABLE, n, detail=m.FILES_OFF) for n in names)
            )
        gathered = await self._files.gather(inv, cmd)
        return FilesRefused(gathered.problems) if gathered.problems else gathered.files

    def _file_problems(self, announcement: Announcement, reach: Reach) -> tuple[FileProblem, ...]:
        if not announcement.files or self._files is None:
            return ()
        platforms = [name for name, count in reach.by_platform.items() if count]
        return self._files.check(announcement.files, platforms)

    async def send(self, cmd: Send) -> Reply:
        """Send a draft, or schedule it when it has a time; answer with the summary, in words."""
        return present(await self.send_draft(cmd))

    async def send_draft(self, cmd: Send, *, occurrence: bool = False) -> SendResult:
        """Send a draft (or schedule it): how many deliveries were written and when they go out,
        or why nothing was sent. An `occurrence` of a recurring series is drafted at its time, so its
        schedule may have begun already: its earlier zones' deliveries are due at once."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        if announcement.status is not AnnouncementStatus.DRAFT:
            return _not_a_draft(announcement)
        topic_ids = await self._stores.announcements.topic_ids(announcement.id)
        groups = await self._stores.schedules.target_groups(topic_ids, announcement.audience)
        if sum(g.channels for g in groups) == 0:
            audience = _audience(announcement)
            return Refused(RefusalCode.EMPTY_AUDIENCE, announcement_id=announcement.id, audience=audience)
        schedule = announcement.schedule
        if schedule is not None and not occurrence:
            checked = self.scheduling.check(schedule, groups)
            if isinstance(checked, Reply):
                return _refused(checked)
            schedule = checked
        if announcement.files:
            # Checked again against whom it reaches now: a partner may have joined on another platform.
            reach = await self._stores.announcements.reach(topic_ids, announcement.audience)
            if problems := self._file_problems(announcement, reach):
                return FilesRefused(problems, announcement.id)
        urgent = announcement.priority is Priority.URGENT
        plan = self.scheduling.plan(groups, schedule=schedule, urgent=urgent, hold_digests=self.hold_digests)
        written = await self._stores.announcements.start_sending(
            announcement.id,
            topic_ids,
            announcement.audience,
            bypass_digest=urgent or not self.hold_digests,
            now=self._clock.now(),
            plan=plan,
            cap=None if urgent else self._cap(),
        )
        if written is None:  # someone else sent, scheduled or cancelled it in the meantime
            return _not_a_draft(await self._stores.announcements.get(announcement.id) or announcement)
        if self._settings.progress_messages:
            await self._progress.start(announcement, written)
        self._wake_worker()
        when = None if schedule is None else self.scheduling.when(schedule, plan)
        capping = CapReach() if urgent else await self._stores.caps.capped(announcement.id, cap=self._cap())
        notes = (*self.scheduling.describe(plan, None), *cap_lines(capping, self._settings.digest_at()))
        return SentSummary(announcement, written, when, notes)

    async def cancel(self, cmd: Cancel) -> Cancelled | Refused:
        """Cancel a draft, or a scheduled announcement until its first delivery goes out."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        outcome = await self._stores.schedules.cancel(announcement.id)
        if outcome is CancelOutcome.TOO_LATE:
            return Refused(RefusalCode.CANCEL_TOO_LATE, announcement_id=announcement.id)
        if outcome is not CancelOutcome.CANCELLED:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return Refused(RefusalCode.NOT_CANCELLABLE, announcement_id=announcement.id, status=status)
        return Cancelled(announcement.id, announcement.title)

    async def scheduled(self) -> ScheduledListed:
        """`scheduled`: what is queued for later, soonest first."""
        return await self.scheduling.listing()

    async def _active_topics(self, slugs: tuple[str, ...]) -> list[Topic] | Refused:
        found = {t.slug: t for t in await self._stores.topics.by_slugs(slugs)}
        for slug in slugs:
            topic = found.get(slug)
            if topic is None:
                close = await self._closest_topic(slug)
                return Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value=slug, suggestion=close)
            if topic.archived:
                return Refused(RefusalCode.TOPIC_ARCHIVED, "topics", value=slug)
        return [found[slug] for slug in slugs]

    async def _closest_topic(self, slug: str, *, include_archived: bool = False) -> str:
        known = [t.slug for t in await self._stores.topics.all(include_archived=include_archived)]
        close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
        return close[0] if close else ""

    async def _unknown_topic(self, slug: str, *, include_archived: bool = False) -> Refused:
        close = await self._closest_topic(slug, include_archived=include_archived)
        return Refused(RefusalCode.UNKNOWN_TOPIC, "slug", value=slug, suggestion=close)


def preview(
    announcement: Announcement, reach: Reach, *, ack_hours: float = 4.0, notes: Sequence[str] = ()
) -> Reply:
    """The admin's preview of `announcement` (bot/presenter.py `preview_reply`)."""
    return present(Previewed(announcement, reach, tuple(notes), ack_hours))


def _refused(reply: Reply) -> Refused:
    """A refusal the scheduling service worded (a time in the past, an unknown zone) as a result."""
    refusal = reply.refusal
    return Refused(refusal.code if refusal else None, refusal.field if refusal else "", message=reply.text)


def _not_a_draft(announcement: Announcement) -> Refused:
    status = announcement.status.value
    return Refused(RefusalCode.NOT_A_DRAFT, announcement_id=announcement.id, status=status)


def _audience(announcement: Announcement) -> str:
    return announcement.audience.describe()


def new_join_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"PB-{raw[:4]}-{raw[4:]}"

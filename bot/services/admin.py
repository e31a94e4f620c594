"""What vendor admins do from the admin channel: topics, invites, broadcasts (draft → preview → send)."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot import messages as m
from bot.commands import Broadcast, Cancel, Invite, Send, TopicAdd, TopicArchive, TopicUnarchive
from bot.domain.announcements import Announcement, AnnouncementStatus, Priority, Reach
from bot.domain.conversation import Button, ButtonStyle, DraftPreview, Invocation, Refusal, RefusalCode, Reply
from bot.domain.topics import Topic
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.scheduling import ScheduleStore
from bot.ports.topics import TopicAlreadyExists, TopicStore
from bot.services.partner_admin import PartnerAdminService
from bot.services.progress import ProgressService
from bot.services.scheduling import SchedulingService
from bot.settings import CoreSettings
from bot.timing import CancelOutcome, DeliveryPlan
from bot.vocabulary import UnknownValue
from bot.vocabulary import load as load_vocabulary

SEND_ACTION = "announcement_send"
CANCEL_ACTION = "announcement_cancel"
EDIT_ACTION = "announcement_edit"
RECALL_ACTION = "announcement_recall"
# No 0/O/1/I/L: codes are read aloud and typed from emails.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def error(text: str, refusal: Refusal | None = None) -> Reply:
    return Reply(text=text, is_error=True, refusal=refusal)


@dataclass(frozen=True, slots=True)
class AdminPorts:
    """The ports AdminService uses (bot/core.py wires them)."""

    topics: TopicStore
    schedules: ScheduleStore
    announcements: AnnouncementStore
    directory: DirectoryStore


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
    ) -> None:
        self._progress = progress
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._wake_worker = wake_worker
        self.scheduling = scheduling
        self.roster = roster
        # Hold deliveries to daily/weekly channels for their digest (the `digests` job sends them).
        # Switching it off delivers to every channel at once, whatever its mode.
        self.hold_digests = True

    async def add_topic(self, cmd: TopicAdd) -> Reply:
        try:
            topic = await self._stores.topics.add(
                slug=cmd.slug, title=cmd.title, description=cmd.description, now=self._clock.now()
            )
        except TopicAlreadyExists:
            return error(m.TOPIC_EXISTS.format(slug=cmd.slug))
        return Reply(text=m.TOPIC_ADDED.format(slug=topic.slug, title=topic.title), ephemeral=False)

    async def archive_topic(self, cmd: TopicArchive) -> Reply:
        topic = await self._stores.topics.set_archived(cmd.slug, archived=True)
        if topic is None:
            return error(await self._unknown_topic(cmd.slug))
        return Reply(text=m.TOPIC_ARCHIVED.format(slug=topic.slug), ephemeral=False)

    async def unarchive_topic(self, cmd: TopicUnarchive) -> Reply:
        known = {t.slug: t for t in await self._stores.topics.all(include_archived=True)}
        if cmd.slug not in known:
            return error(await self._unknown_topic(cmd.slug, include_archived=True))
        if not known[cmd.slug].archived:
            return Reply(text=m.TOPIC_NOT_ARCHIVED.format(slug=cmd.slug))
        await self._stores.topics.set_archived(cmd.slug, archived=False)
        return Reply(text=m.TOPIC_UNARCHIVED.format(slug=cmd.slug), ephemeral=False)

    async def list_topics(self) -> Reply:
        """Every topic, archived ones marked, with the active channels following each."""
        topics = await self._stores.topics.all(include_archived=True)
        if not topics:
            return Reply(text=m.ADMIN_NO_TOPICS)
        followers = await self._stores.topics.follower_counts()
        archived = sum(t.archived for t in topics)
        header = m.ADMIN_TOPICS_HEADER(len(topics)) + (m.ADMIN_TOPICS_ARCHIVED(archived) if archived else "")
        lines = [
            m.ADMIN_TOPIC_LINE.format(
                slug=t.slug,
                title=t.title,
                archived=m.ADMIN_TOPIC_ARCHIVED_MARK if t.archived else "",
                followers=m.ADMIN_TOPIC_FOLLOWERS(followers.get(t.id, 0)),
            )
            for t in topics
        ]
        return Reply(text=header + "\n" + "\n".join(lines))

    async def invite(self, inv: Invocation, cmd: Invite) -> Reply:
        """A join code for a new partner; one that exists is never changed (services/partner_admin.py)."""
        return await self.roster.invite(inv, cmd)

    async def broadcast(self, inv: Invocation, cmd: Broadcast) -> Reply:
        """Create a draft and answer with its preview: the rendered text, who it will reach, and
        when (a scheduled time; deliveries waiting for quiet hours or digests)."""
        try:
            # Structured input (modals, Discord options, the CLI) arrives here too: nothing is created
            # for a filter value outside the vocabulary, so a typo never makes a zero-reach draft.
            vocabulary = await load_vocabulary(self._stores.directory, self._settings)
            cmd = replace(cmd, audience=vocabulary.check_audience(cmd.audience))
        except UnknownValue as unknown:
            return error(unknown.message, Refusal(RefusalCode.UNKNOWN_VALUE, unknown.key))
        topics, problem = await self._active_topics(cmd.topics)
        if problem:
            return problem
        if cmd.ack_required and not cmd.urgent:
            # The grammar checks this too; structured input (modals, Discord options) arrives here only.
            return error(m.ACK_NEEDS_URGENT, Refusal(RefusalCode.ACK_NEEDS_URGENT, "urgent"))
        topic_ids = [t.id for t in topics]
        groups = await self._stores.schedules.target_groups(topic_ids, cmd.audience)
        schedule = None
        if cmd.send_at is not None:
            checked = self.scheduling.resolve(cmd, groups)
            if isinstance(checked, Reply):
                return checked  # nothing is created: a wrong time must not become a draft
            schedule = checked
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
        )
        reach = await self._stores.announcements.reach(topic_ids, cmd.audience)
        plan = self.scheduling.plan(
            groups, schedule=schedule, urgent=cmd.urgent, hold_digests=self.hold_digests
        )
        lines = self.scheduling.describe(plan, schedule)
        if schedule is not None:
            lines.append(m.SCHEDULE_HINT.format(id=announcement.id))
        return preview(announcement, reach, ack_hours=self._settings.ack_reminder_hours, notes=lines)

    async def send(self, cmd: Send) -> Reply:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        if announcement.status is not AnnouncementStatus.DRAFT:
            return error(m.NOT_A_DRAFT[announcement.status.value].format(id=announcement.id))
        topic_ids = await self._stores.announcements.topic_ids(announcement.id)
        groups = await self._stores.schedules.target_groups(topic_ids, announcement.audience)
        if sum(g.channels for g in groups) == 0:
            text = m.EMPTY_AUDIENCE.format(id=announcement.id, audience=_audience(announcement))
            return error(text, Refusal(RefusalCode.EMPTY_AUDIENCE))
        schedule = announcement.schedule
        if schedule is not None:
            checked = self.scheduling.check(schedule, groups)
            if isinstance(checked, Reply):
                return checked
            schedule = checked
        urgent = announcement.priority is Priority.URGENT
        plan = self.scheduling.plan(groups, schedule=schedule, urgent=urgent, hold_digests=self.hold_digests)
        written = await self._stores.announcements.start_sending(
            announcement.id,
            topic_ids,
            announcement.audience,
            bypass_digest=urgent or not self.hold_digests,
            now=self._clock.now(),
            plan=plan,
        )
        if written is None:  # someone else sent, scheduled or cancelled it in the meantime
            current = await self._stores.announcements.get(announcement.id)
            return error(m.NOT_A_DRAFT[(current or announcement).status.value].format(id=announcement.id))
        if self._settings.progress_messages:
            await self._progress.start(announcement, written)
        self._wake_worker()
        buttons = (
            Button(m.EDIT_BUTTON, EDIT_ACTION, str(announcement.id)),
            Button(m.RECALL_BUTTON, RECALL_ACTION, str(announcement.id), ButtonStyle.DANGER),
        )
        return Reply(text=self._sent_text(announcement, written, plan), ephemeral=False, buttons=buttons)

    def _sent_text(self, announcement: Announcement, written: int, plan: DeliveryPlan) -> str:
        a, schedule = announcement, announcement.schedule
        if schedule is None:
            text = m.SENDING.format(id=a.id, title=a.title, channels=m.CHANNELS(written))
        else:
            when = self.scheduling.when(schedule, plan)
            text = m.SCHEDULED_SENDING.format(id=a.id, title=a.title, channels=m.CHANNELS(written), when=when)
        return "\n".join([text, *self.scheduling.describe(plan, None)])

    async def cancel(self, cmd: Cancel) -> Reply:
        """Cancel a draft, or a scheduled announcement until its first delivery goes out."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        outcome = await self._stores.schedules.cancel(announcement.id)
        if outcome is CancelOutcome.TOO_LATE:
            return error(m.CANCEL_TOO_LATE.format(id=announcement.id))
        if outcome is not CancelOutcome.CANCELLED:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return error(m.CANNOT_CANCEL[status].format(id=announcement.id))
        return Reply(text=m.CANCELLED.format(id=announcement.id, title=announcement.title), ephemeral=False)

    async def scheduled(self) -> Reply:
        """`scheduled`: what is queued for later, soonest first."""
        return await self.scheduling.listing()

    async def _active_topics(self, slugs: tuple[str, ...]) -> tuple[list[Topic], Reply | None]:
        found = {t.slug: t for t in await self._stores.topics.by_slugs(slugs)}
        for slug in slugs:
            topic = found.get(slug)
            if topic is None:
                text = await self._unknown_topic(slug)
                return [], error(text, Refusal(RefusalCode.UNKNOWN_TOPIC, "topics"))
            if topic.archived:
                text = m.TOPIC_IS_ARCHIVED.format(slug=slug)
                return [], error(text, Refusal(RefusalCode.TOPIC_ARCHIVED, "topics"))
        return [found[slug] for slug in slugs], None

    async def _unknown_topic(self, slug: str, *, include_archived: bool = False) -> str:
        known = [t.slug for t in await self._stores.topics.all(include_archived=include_archived)]
        close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
        hint = m.DID_YOU_MEAN.format(suggestion=close[0]) if close else "."
        return m.UNKNOWN_TOPIC.format(slug=slug, did_you_mean=hint)


def preview(
    announcement: Announcement, reach: Reach, *, ack_hours: float = 4.0, notes: Sequence[str] = ()
) -> Reply:
    """The admin's preview: the announcement as partners will see it, its reach, Send and Cancel,
    then `notes` (when it goes out); with no reach, the warning instead of the reach and notes.
    The reply's `draft` carries the same, typed."""
    a = announcement
    urgent = a.priority is Priority.URGENT
    fields = {"id": a.id, "topics": ", ".join(a.topics), "audience": _audience(a)}
    text = m.PREVIEW.format(urgent=m.URGENT_MARK if urgent else "", title=a.title, body=a.body, **fields)
    tail = ""
    if a.ack_required:
        tail += "\n" + m.ACK_PREVIEW.format(hours=_hours(ack_hours))
    empty = reach.channels == 0
    if empty:
        tail += "\n\n" + m.EMPTY_AUDIENCE.format(id=a.id, audience=_audience(a))
    else:
        tail += "\n\n" + m.REACH.format(
            channels=m.CHANNELS(reach.channels),
            partners=m.PARTNERS(reach.partners),
            platforms=_counts(reach.by_platform),
            tiers=_counts(reach.by_tier),
            regions=_counts(reach.by_region),
        )
        tail += "".join("\n" + note for note in notes)
    summary = m.PREVIEW_HEADING.format(**fields) + "\n" + m.PREVIEW_DETAILS.format(**fields) + tail
    draft = DraftPreview(a.id, a.title, a.body, a.topics, a.audience, urgent, a.ack_required, reach, summary)
    if empty:
        refusal = Refusal(RefusalCode.EMPTY_AUDIENCE)
        return Reply(text=text + tail, ephemeral=False, is_error=True, refusal=refusal, draft=draft)
    buttons = (
        Button(m.SEND_BUTTON, SEND_ACTION, str(a.id), ButtonStyle.PRIMARY),
        Button(m.EDIT_BUTTON, EDIT_ACTION, str(a.id)),
        Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(a.id), ButtonStyle.DANGER),
    )
    return Reply(text=text + tail, ephemeral=False, buttons=buttons, draft=draft)


def _hours(hours: float) -> str:
    return f"{hours:g} h"


def _audience(announcement: Announcement) -> str:
    return announcement.audience.describe()


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def new_join_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"PB-{raw[:4]}-{raw[4:]}"

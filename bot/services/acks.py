"""Acknowledgements of urgent announcements that ask for them (`broadcast … urgent ack`).

A partner presses "Acknowledge" under the delivered announcement: `acknowledge` records it once per
delivered copy (a second press, by anyone in that channel, says who already did). Admins see who has
and has not with `acks <id>`, and the rate by tier in `stats <id>`. The `ack-reminders` job
(bot/jobs.py) calls `queue_reminders`: each copy still unacknowledged `PARTNERBOT_ACK_REMINDER_HOURS`
after its delivery gets one reminder in the partner's thread under it, through the notice outbox;
the notice key `reminder:ack:<delivery id>` makes it one reminder per copy, ever. The use-cases
return typed results (bot/results.py); bot/presenter/admin.py words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.domain.announcements import Announcement
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.directory import Channel, Partner
from bot.domain.feedback import AckDue
from bot.domain.refs import ChannelRef, Platform
from bot.domain.variants import pick
from bot.i18n import reading
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.feedback import AckStore, FeedbackStore
from bot.ports.outbox import NoticeStore
from bot.results import AckListing, Acknowledged, Refused
from bot.safety import neutralize_mentions
from bot.services.languages import LanguageDirectory, Languages
from bot.settings import CoreSettings
from bot.timezones import channel_clock

ACK_REMINDER_KEY = "reminder:ack:"
BATCH = 200  # reminders queued per run; a backlog drains over the next runs


class AckDirectory(LanguageDirectory, Protocol):
    """The directory reads acknowledgements need: each reminder's language, a channel's time zone."""

    async def channel(self, ref: ChannelRef) -> Channel | None: ...

    async def partner(self, partner_id: int) -> Partner | None: ...


@dataclass(frozen=True, slots=True)
class AckPorts:
    """The ports AckService uses (bot/core.py wires them)."""

    feedback: FeedbackStore
    announcements: AnnouncementStore
    acks: AckStore
    notices: NoticeStore
    directory: AckDirectory | None = None  # each reminder in its channel's language; its time zone


class AckService:
    def __init__(self, ports: AckPorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._languages = Languages(ports.directory, clock, settings) if ports.directory else None

    async def _language(self, channel: ChannelRef) -> str:
        if self._languages is None:
            return self._settings.default_language
        return (await self._languages.of_channel(channel)).tag

    @property
    def wait(self) -> timedelta:
        return timedelta(hours=self._settings.ack_reminder_hours)

    async def acknowledge(
        self, inv: Invocation, *, platform: Platform, channel: str, message: str
    ) -> Acknowledged | Refused:
        """Record that someone in the partner's channel acknowledged the announcement `message` is."""
        hit = await self._stores.feedback.delivery_by_message(platform, channel, message)
        # Only someone in the channel the copy was delivered to acknowledges it.
        where = (inv.channel.platform, inv.channel.channel)
        if hit is None or where != (hit.message.channel.platform, hit.message.channel.channel):
            return Refused(RefusalCode.NOT_AN_ANNOUNCEMENT)
        announcement = await self._stores.announcements.get(hit.announcement_id)
        if announcement is None or not announcement.ack_required:
            return Acknowledged(needed=False)
        earlier = await self._stores.acks.record(
            hit.delivery_id, user=inv.user.user, user_name=inv.user.display_name, now=self._clock.now()
        )
        if earlier is None:
            return Acknowledged()
        zone = await self._timezone(inv.channel)
        return Acknowledged(earlier=earlier, by_caller=earlier.acked_by == inv.user.user, timezone=zone)

    async def _timezone(self, ref: ChannelRef) -> str:
        """The channel's time zone (its own, else its partner's, else the vendor default)."""
        directory = self._stores.directory
        channel = await directory.channel(ref) if directory else None
        if channel is not None and channel.timezone:
            return channel.timezone
        partner = (
            await directory.partner(channel.partner_id)
            if directory and channel and channel.partner_id
            else None
        )
        own = channel.timezone if channel else None
        return channel_clock(own, partner.timezone if partner else None, self._settings.default_timezone)

    async def listing(self, announcement_id: int) -> AckListing | Refused:
        """`acks <id>`: the delivered channels that have acknowledged (who, when) and those that have not."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=announcement_id)
        if not announcement.ack_required:
            return Refused(RefusalCode.ACK_NOT_REQUIRED, announcement_id=announcement_id)
        states = await self._stores.acks.states(announcement_id)
        return AckListing(announcement_id, announcement.title, tuple(states))

    async def queue_reminders(self, *, now: datetime) -> int:
        """Queue one reminder per copy unacknowledged for too long, in its thread; how many were new."""
        due = await self._stores.acks.due(
            delivered_before=now - self.wait, key_prefix=ACK_REMINDER_KEY, limit=BATCH
        )
        drafts = []
        announcements: dict[int, Announcement | None] = {}
        for d in due:
            if d.announcement_id not in announcements:
                announcements[d.announcement_id] = await self._stores.announcements.get(d.announcement_id)
            language = await self._language(d.message.channel)
            title = _title(d, announcements[d.announcement_id], language)
            with reading(language):
                text = m.ACK_REMINDER.format(title=neutralize_mentions(title))
            key = f"{ACK_REMINDER_KEY}{d.delivery_id}"
            drafts.append(
                NoticeDraft(key=key, channel=d.message.channel, text=text, thread=d.message.message)
            )
        return await self._stores.notices.add(drafts, now=now) if drafts else 0


def _title(due: AckDue, announcement: Announcement | None, language: str) -> str:
    """The announcement's title as a reader of `language` reads it: its variant's, else the default."""
    variant = pick(announcement.variants, language) if announcement else None
    return variant.title if variant else due.title

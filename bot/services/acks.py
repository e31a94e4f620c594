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

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.refs import ChannelRef, Platform
from bot.i18n import reading
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.feedback import AckStore, FeedbackStore
from bot.ports.outbox import NoticeStore
from bot.results import AckListing, Acknowledged, Refused
from bot.safety import neutralize_mentions
from bot.services.languages import LanguageDirectory, Languages
from bot.settings import CoreSettings

ACK_REMINDER_KEY = "reminder:ack:"
BATCH = 200  # reminders queued per run; a backlog drains over the next runs


@dataclass(frozen=True, slots=True)
class AckPorts:
    """The ports AckService uses (bot/core.py wires them)."""

    feedback: FeedbackStore
    announcements: AnnouncementStore
    acks: AckStore
    notices: NoticeStore
    directory: LanguageDirectory | None = None  # each reminder in its channel's language


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
        return Acknowledged(earlier=earlier, by_caller=earlier.acked_by == inv.user.user)

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
        for d in due:
            with reading(await self._language(d.message.channel)):
                text = m.ACK_REMINDER.format(title=neutralize_mentions(d.title))
            key = f"{ACK_REMINDER_KEY}{d.delivery_id}"
            drafts.append(
                NoticeDraft(key=key, channel=d.message.channel, text=text, thread=d.message.message)
            )
        return await self._stores.notices.add(drafts, now=now) if drafts else 0

"""Acknowledgements of urgent announcements that ask for them (`broadcast … urgent ack`).

A partner presses "Acknowledge" under the delivered announcement: `acknowledge` records it once per
delivered copy (a second press, by anyone in that channel, says who already did). Admins see who has
and has not with `acks <id>`, and the rate by tier in `stats <id>`. The `ack-reminders` job
(bot/jobs.py) calls `queue_reminders`: each copy still unacknowledged `PARTNERBOT_ACK_REMINDER_HOURS`
after its delivery gets one reminder in the partner's thread under it, through the notice outbox;
the notice key `reminder:ack:<delivery id>` makes it one reminder per copy, ever.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.domain.conversation import Invocation, Refusal, RefusalCode, Reply
from bot.domain.feedback import AckState
from bot.domain.refs import Platform
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.feedback import AckStore, FeedbackStore
from bot.ports.outbox import NoticeStore
from bot.safety import neutralize_mentions
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


class AckService:
    def __init__(self, ports: AckPorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings

    @property
    def wait(self) -> timedelta:
        return timedelta(hours=self._settings.ack_reminder_hours)

    async def acknowledge(self, inv: Invocation, *, platform: Platform, channel: str, message: str) -> Reply:
        """Record that someone in the partner's channel acknowledged the announcement `message` is."""
        hit = await self._stores.feedback.delivery_by_message(platform, channel, message)
        # Only someone in the channel the copy was delivered to acknowledges it.
        where = (inv.channel.platform, inv.channel.channel)
        if hit is None or where != (hit.message.channel.platform, hit.message.channel.channel):
            refusal = Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT)
            return Reply(text=m.ACK_NOT_AN_ANNOUNCEMENT, is_error=True, refusal=refusal)
        announcement = await self._stores.announcements.get(hit.announcement_id)
        if announcement is None or not announcement.ack_required:
            return Reply(text=m.ACK_NOT_NEEDED)
        earlier = await self._stores.acks.record(
            hit.delivery_id, user=inv.user.user, user_name=inv.user.display_name, now=self._clock.now()
        )
        if earlier is None:
            return Reply(text=m.ACK_THANKS)
        who = m.ACK_YOU if earlier.acked_by == inv.user.user else neutralize_mentions(earlier.who)
        return Reply(text=m.ACK_ALREADY.format(who=who, when=_when(earlier.acked_at)))

    async def listing(self, announcement_id: int) -> Reply:
        """`acks <id>`: the delivered channels that have acknowledged (who, when) and those that have not."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return Reply(text=m.NO_SUCH_ANNOUNCEMENT.format(id=announcement_id), is_error=True)
        if not announcement.ack_required:
            return Reply(text=m.ACK_NOT_REQUIRED.format(id=announcement_id), is_error=True)
        states = await self._stores.acks.states(announcement_id)
        if not states:
            return Reply(text=m.ACKS_NONE_DELIVERED.format(id=announcement_id))
        done = [state for state in states if state.acked_by is not None]
        waiting = [state for state in states if state.acked_by is None]
        title = neutralize_mentions(announcement.title)
        header = m.ACKS_HEADER.format(
            id=announcement_id, title=title, done=len(done), channels=m.CHANNELS(len(states))
        )
        lines = [header]
        if done:
            lines += ["", m.ACKS_DONE.format(count=len(done))]
            lines += [
                m.ACKS_DONE_LINE.format(
                    **_fields(state), who=neutralize_mentions(state.who), when=_when(state.acked_at)
                )
                for state in done
            ]
        if waiting:
            lines += ["", m.ACKS_WAITING.format(count=len(waiting))]
            lines += [m.ACKS_WAITING_LINE.format(**_fields(state)) for state in waiting]
        return Reply(text="\n".join(lines))

    async def queue_reminders(self, *, now: datetime) -> int:
        """Queue one reminder per copy unacknowledged for too long, in its thread; how many were new."""
        due = await self._stores.acks.due(
            delivered_before=now - self.wait, key_prefix=ACK_REMINDER_KEY, limit=BATCH
        )
        drafts = [
            NoticeDraft(
                key=f"{ACK_REMINDER_KEY}{d.delivery_id}",
                channel=d.message.channel,
                text=m.ACK_REMINDER.format(title=neutralize_mentions(d.title)),
                thread=d.message.message,
            )
            for d in due
        ]
        return await self._stores.notices.add(drafts, now=now) if drafts else 0


def stats_line(states: Sequence[AckState]) -> str:
    total: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for state in states:
        tier = state.partner_tier or m.ACKS_UNLINKED
        total[tier] += 1
        done[tier] += state.acked_by is not None
    acked, count = sum(done.values()), sum(total.values())
    tiers = (
        ", ".join(m.STATS_ACK_TIER.format(tier=t, done=done[t], total=total[t]) for t in sorted(total)) or "—"
    )
    rate = f"{acked / count:.0%}" if count else "—"
    return m.STATS_ACKS.format(done=acked, total=count, rate=rate, tiers=tiers)


def _fields(state: AckState) -> dict[str, str]:
    return {
        "partner": neutralize_mentions(state.partner_name) or m.ACKS_UNLINKED,
        "tier": neutralize_mentions(state.partner_tier) or "—",
        "platform": state.channel.platform.value,
        "channel": neutralize_mentions(state.channel_name),
    }


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "?"

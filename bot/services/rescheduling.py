"""`reschedule <id> at:"…"` (and `edit <id> at:"…"`): a new time until the first delivery goes out;
`drafts`: the drafts still open, each with a Cancel button.

The time is read and checked exactly as `broadcast … at:` does (bot/services/scheduling.py): the
same forms, the same refusals (past, too far, unknown zone, `local` already past somewhere). A
scheduled announcement's waiting rows are re-timed in one transaction, per target group, so quiet
hours and digest holds stay what they would have been had the new time been given at first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import messages as m
from bot.commands import Reschedule
from bot.domain.announcements import Announcement, AnnouncementStatus, Priority
from bot.domain.conversation import Button, ButtonStyle, Reply, Row
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.scheduling import ScheduleStore
from bot.services.admin import CANCEL_ACTION, error
from bot.services.scheduling import SchedulingService, utc
from bot.timing import RescheduleOutcome

_UNDER_WAY = (AnnouncementStatus.SENDING, AnnouncementStatus.SENT)


@dataclass(frozen=True, slots=True)
class ReschedulingPorts:
    """The ports ReschedulingService uses (bot/core.py wires them)."""

    announcements: AnnouncementStore
    schedules: ScheduleStore


class ReschedulingService:
    def __init__(self, ports: ReschedulingPorts, clock: Clock, *, scheduling: SchedulingService) -> None:
        self._stores = ports
        self._clock = clock
        self.scheduling = scheduling

    async def reschedule(self, cmd: Reschedule) -> Reply:
        """Move a scheduled announcement (or a draft) to `cmd`'s time, or say why not."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        refusal = _refusal(announcement)
        if refusal:
            return error(refusal)
        draft = announcement.status is AnnouncementStatus.DRAFT
        if draft:
            topic_ids = await self._stores.announcements.topic_ids(announcement.id)
            groups = await self._stores.schedules.target_groups(topic_ids, announcement.audience)
        else:
            groups = await self._stores.schedules.waiting_groups(announcement.id)
        checked = self.scheduling.resolve(cmd, groups)
        if isinstance(checked, Reply):
            return checked  # nothing changed: the old time stands
        urgent = announcement.priority is Priority.URGENT
        plan = self.scheduling.plan(groups, schedule=checked, urgent=urgent, hold_digests=True)
        outcome = await self._stores.schedules.reschedule(
            announcement.id, schedule=checked, plan=None if draft else plan
        )
        if outcome is not RescheduleOutcome.RESCHEDULED:
            current = await self._stores.announcements.get(announcement.id)
            return error(
                _refusal(current or announcement) or m.RESCHEDULE_TOO_LATE.format(id=announcement.id)
            )
        when = self.scheduling.when(checked, plan)
        if draft:
            lines = [m.RESCHEDULED_DRAFT.format(id=announcement.id, title=announcement.title, when=when)]
            lines += [*self.scheduling.dst_notes(checked, plan), m.SCHEDULE_HINT.format(id=announcement.id)]
        else:
            lines = [m.RESCHEDULED.format(id=announcement.id, title=announcement.title, when=when)]
            lines += self.scheduling.dst_notes(checked, plan)
            lines += self.scheduling.describe(plan, None)
        return Reply(text="\n".join(lines), ephemeral=False)

    async def drafts(self) -> Reply:
        """`drafts`: id, title, author, created, topics (and time, when it has one), with Cancel."""
        found = await self._stores.schedules.drafts()
        if not found:
            return Reply(text=m.NO_DRAFTS)
        rows = tuple(
            Row(
                _draft_line(a, self.scheduling),
                Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(a.id), ButtonStyle.DANGER),
            )
            for a in found
        )
        # Posted in the admin channel like a preview, so its buttons work on every platform.
        return Reply(text=m.DRAFTS_HEADER(len(found)), rows=rows, ephemeral=False)


def _refusal(announcement: Announcement) -> str:
    """Why `announcement` can't get a new time, or "" when it can."""
    if announcement.status in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
        return ""
    if announcement.status in _UNDER_WAY:
        return m.RESCHEDULE_TOO_LATE.format(id=announcement.id)
    return m.RESCHEDULE_GONE[announcement.status.value].format(id=announcement.id)


def _draft_line(a: Announcement, scheduling: SchedulingService) -> str:
    author = a.author.display_name or a.author.user
    when = m.DRAFT_WHEN.format(when=scheduling.when(a.schedule)) if a.schedule else ""
    return m.DRAFT_LINE.format(
        id=a.id,
        title=a.title,
        author=author,
        created=utc(a.created_at),
        topics=", ".join(a.topics),
        when=when,
    )

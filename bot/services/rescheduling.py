"""`reschedule <id> at:"…"` (and `edit <id> at:"…"`): a new time until the first delivery goes out;
`drafts`: the drafts still open, each with a Cancel button.

The time is read and checked exactly as `broadcast … at:` does (bot/services/scheduling.py): the
same forms, the same refusals (past, too far, unknown zone, `local` already past somewhere). A
scheduled announcement's waiting rows are re-timed in one transaction, per target group, so quiet
hours and digest holds stay what they would have been had the new time been given at first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Reschedule
from bot.domain.announcements import Announcement, AnnouncementStatus, Priority
from bot.domain.conversation import RefusalCode, Reply
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.scheduling import ScheduleStore
from bot.results import DraftsListed, OpenDraft, Refused, Rescheduled
from bot.services.scheduling import SchedulingService
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

    async def reschedule(self, cmd: Reschedule) -> Rescheduled | Refused:
        """Move a scheduled announcement (or a draft) to `cmd`'s time, or say why not."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        refusal = _refusal(announcement)
        if refusal:
            return refusal
        draft = announcement.status is AnnouncementStatus.DRAFT
        if draft:
            topic_ids = await self._stores.announcements.topic_ids(announcement.id)
            groups = await self._stores.schedules.target_groups(topic_ids, announcement.audience)
        else:
            groups = await self._stores.schedules.waiting_groups(announcement.id)
        checked = self.scheduling.resolve(cmd, groups)
        if isinstance(checked, Reply):
            return _refused(checked)  # nothing changed: the old time stands
        urgent = announcement.priority is Priority.URGENT
        plan = self.scheduling.plan(groups, schedule=checked, urgent=urgent, hold_digests=True)
        outcome = await self._stores.schedules.reschedule(
            announcement.id, schedule=checked, plan=None if draft else plan
        )
        if outcome is not RescheduleOutcome.RESCHEDULED:
            current = await self._stores.announcements.get(announcement.id)
            return _refusal(current or announcement) or _too_late(announcement.id)
        notes = self.scheduling.dst_notes(checked, plan)
        if not draft:
            notes += self.scheduling.describe(plan, None)
        return Rescheduled(announcement, self.scheduling.when(checked, plan), draft, tuple(notes))

    async def drafts(self) -> DraftsListed:
        """`drafts`: the drafts not sent or cancelled yet, with their time when they have one."""
        found = await self._stores.schedules.drafts()
        return DraftsListed(
            tuple(OpenDraft(a, self.scheduling.when(a.schedule) if a.schedule else "") for a in found)
        )


def _refusal(announcement: Announcement) -> Refused | None:
    """Why `announcement` can't get a new time, or None when it can."""
    if announcement.status in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
        return None
    if announcement.status in _UNDER_WAY:
        return _too_late(announcement.id)
    status = announcement.status.value
    return Refused(RefusalCode.NOT_RESCHEDULABLE, announcement_id=announcement.id, status=status)


def _too_late(announcement_id: int) -> Refused:
    return Refused(RefusalCode.RESCHEDULE_TOO_LATE, announcement_id=announcement_id)


def _refused(reply: Reply) -> Refused:
    """A time the scheduling service refused (in its words), as a result."""
    refusal = reply.refusal
    return Refused(refusal.code if refusal else None, refusal.field if refusal else "", message=reply.text)

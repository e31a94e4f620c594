"""Scheduled announcements: their target groups, cancelling and rescheduling, open drafts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.announcements import Announcement, Audience
from bot.domain.scheduling import Schedule
from bot.timing import CancelOutcome, DeliveryPlan, RescheduleOutcome, ScheduledAnnouncement, TargetGroup


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

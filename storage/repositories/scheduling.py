"""Scheduling: target groups for timing, the list of scheduled announcements, and cancelling them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from bot.domain import AnnouncementStatus, Audience, DeliveryMode, DeliveryStatus
from bot.timing import CancelOutcome, ScheduledAnnouncement, TargetGroup
from storage.repositories.announcements import to_announcement
from storage.repositories.base import Repository
from storage.repositories.targeting import targets
from storage.tables import AnnouncementRow, DeliveryRow

_DELIVERY: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
_WAITING = (DeliveryStatus.PENDING.value, DeliveryStatus.DIGEST.value)
CANCELLED_ERROR = "cancelled"
_UNDER_WAY = (AnnouncementStatus.SENDING, AnnouncementStatus.SENT)


class _TooLate(Exception):
    """Rolls the cancel transaction back: a delivery already went out."""


class ScheduleRepository(Repository):
    async def target_groups(self, topic_ids: Sequence[int], audience: Audience) -> list[TargetGroup]:
        """The targets `start_sending` would write now, grouped by zone, quiet hours and mode."""
        found = targets(topic_ids, audience, self._excluded).subquery()
        query = sa_select(found.c.zone, found.c.quiet, found.c.mode, func.count()).group_by(
            found.c.zone, found.c.quiet, found.c.mode
        )
        async with self._sessions() as session:
            result = (await (await session.connection()).execute(query)).all()
        return [
            TargetGroup(zone=zone, quiet=quiet, mode=DeliveryMode(mode), channels=int(count))
            for zone, quiet, mode, count in sorted(result)
        ]

    async def scheduled(self, *, limit: int = 20) -> list[ScheduledAnnouncement]:
        """Scheduled announcements, soonest first, with their rows still waiting."""
        query = (
            select(AnnouncementRow)
            .where(AnnouncementRow.status == AnnouncementStatus.SCHEDULED.value)
            .order_by(col(AnnouncementRow.send_at), col(AnnouncementRow.id))
            .limit(limit)
        )
        waiting = (
            sa_select(
                _DELIVERY.c.announcement_id,
                func.count(),
                func.min(_DELIVERY.c.not_before),
                func.max(_DELIVERY.c.not_before),
            )
            .where(_DELIVERY.c.status.in_(_WAITING), _DELIVERY.c.digest_id.is_(None))
            .group_by(_DELIVERY.c.announcement_id)
        )
        async with self._sessions() as session:
            rows = list(await session.exec(query))
            if not rows:
                return []
            ids = [row.id for row in rows]
            counts = {
                announcement_id: (int(count), first, last)
                for announcement_id, count, first, last in (
                    await (await session.connection()).execute(
                        waiting.where(_DELIVERY.c.announcement_id.in_(ids))
                    )
                ).all()
            }
            found = []
            for row in rows:
                count, first, last = counts.get(row.id, (0, None, None))
                announcement = await to_announcement(session, row, row.author_workspace)
                found.append(ScheduledAnnouncement(announcement, count, first, last))
        return found

    async def cancel(self, announcement_id: int) -> CancelOutcome:
        """Cancel a draft, or a scheduled announcement none of whose deliveries went out yet.

        In one transaction: lock the announcement, fail its queued rows with `cancelled`, then look
        for a row that went out (claimed, sent, attempted, or carried by a digest). Failing first
        matters on PostgreSQL: the UPDATE waits for a worker's in-flight claim and then skips the
        rows it took, which the check after it sees — so a claim either wins (refused) or loses.
        """
        try:
            async with self._sessions.begin() as session:
                row = await session.get(AnnouncementRow, announcement_id, with_for_update=True)
                if row is None:
                    return CancelOutcome.MISSING
                status = AnnouncementStatus(row.status)
                if status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
                    went_out = row.send_wall is not None and status in _UNDER_WAY
                    return CancelOutcome.TOO_LATE if went_out else CancelOutcome.NOT_CANCELLABLE
                mine = _DELIVERY.c.announcement_id == announcement_id
                await session.exec(
                    update(_DELIVERY)
                    .where(
                        mine,
                        _DELIVERY.c.status.in_(_WAITING),
                        _DELIVERY.c.digest_id.is_(None),
                        _DELIVERY.c.attempts == 0,
                    )
                    .values(status=DeliveryStatus.FAILED.value, last_error=CANCELLED_ERROR)
                )
                gone = sa_select(func.count()).where(
                    mine,
                    or_(
                        _DELIVERY.c.status.in_([DeliveryStatus.CLAIMED.value, DeliveryStatus.SENT.value]),
                        _DELIVERY.c.attempts > 0,
                        _DELIVERY.c.digest_id.is_not(None),
                    ),
                )
                if (await (await session.connection()).execute(gone)).scalar_one():
                    raise _TooLate
                row.status = AnnouncementStatus.CANCELLED.value
                session.add(row)
                return CancelOutcome.CANCELLED
        except _TooLate:
            return CancelOutcome.TOO_LATE

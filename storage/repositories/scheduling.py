"""Scheduling: target groups for timing, the list of scheduled announcements, and cancelling them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, case, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from bot.domain import Announcement, AnnouncementStatus, Audience, DeliveryMode, DeliveryStatus, Schedule
from bot.timing import CancelOutcome, DeliveryPlan, RescheduleOutcome, ScheduledAnnouncement, TargetGroup
from storage.repositories import overview_rollup
from storage.repositories.announcements import LOCAL_ZONE, to_announcement
from storage.repositories.base import Repository
from storage.repositories.search import unindex
from storage.repositories.targeting import quiet_column, targets, zone_column
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, PartnerRow, UTCDateTime

_DELIVERY: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
_WAITING = (DeliveryStatus.PENDING.value, DeliveryStatus.DIGEST.value)
CANCELLED_ERROR = "cancelled"
_UNDER_WAY = (AnnouncementStatus.SENDING, AnnouncementStatus.SENT)


class _TooLate(Exception):
    """Rolls the cancel (or reschedule) transaction back: a delivery already went out."""


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
                async with overview_rollup.changing(await session.connection(), mine):
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
                await _refuse_if_under_way(session, announcement_id)
                row.status = AnnouncementStatus.CANCELLED.value
                session.add(row)
                await unindex(session, announcement_id)
                return CancelOutcome.CANCELLED
        except _TooLate:
            return CancelOutcome.TOO_LATE

    # --- `reschedule` and `drafts` ----------------------------------------------------------------

    async def waiting_groups(self, announcement_id: int) -> list[TargetGroup]:
        """A scheduled announcement's rows still waiting, grouped as `target_groups` groups targets
        (zone, quiet hours, mode), except that a row due as a single post counts as `immediate`."""
        key = _row_group().subquery()
        query = (
            sa_select(key.c.zone, key.c.quiet, key.c.mode, func.count())
            .where(key.c.announcement_id == announcement_id)
            .group_by(key.c.zone, key.c.quiet, key.c.mode)
        )
        async with self._sessions() as session:
            result = (await (await session.connection()).execute(query)).all()
        return [
            TargetGroup(zone=zone, quiet=quiet, mode=DeliveryMode(mode), channels=int(count))
            for zone, quiet, mode, count in sorted(result)
        ]

    async def reschedule(
        self, announcement_id: int, *, schedule: Schedule, plan: DeliveryPlan | None
    ) -> RescheduleOutcome:
        """Give a draft, or a scheduled announcement none of whose deliveries went out yet, a new time.

        In one transaction: lock the announcement, re-time its waiting rows from `plan` (each row by
        its group: zone, quiet hours, mode; a draft has none), then look for a row that went out, as
        `cancel` does — so a worker's claim either wins (refused, nothing changed) or loses.
        """
        try:
            async with self._sessions.begin() as session:
                row = await session.get(AnnouncementRow, announcement_id, with_for_update=True)
                if row is None:
                    return RescheduleOutcome.MISSING
                status = AnnouncementStatus(row.status)
                if status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
                    under_way = status in _UNDER_WAY
                    return RescheduleOutcome.TOO_LATE if under_way else RescheduleOutcome.NOT_RESCHEDULABLE
                row.send_wall = f"{schedule.wall:%Y-%m-%d %H:%M}"
                row.send_zone = schedule.zone or LOCAL_ZONE
                row.send_at = schedule.first
                if status is AnnouncementStatus.SCHEDULED and plan is not None:
                    if plan.timings:
                        row.send_at = min(t.release for t in plan.timings)
                    await self._retime(session, announcement_id, plan)
                session.add(row)
                return RescheduleOutcome.RESCHEDULED
        except _TooLate:
            return RescheduleOutcome.TOO_LATE

    async def _retime(self, session: Any, announcement_id: int, plan: DeliveryPlan) -> None:
        # A correlated subquery: each row's group key, from its channel (and partner) and status.
        group_key = (
            sa_select(
                zone_column() + literal("|") + quiet_column() + literal("|") + _row_mode(),
            )
            .select_from(ChannelRow)
            .outerjoin(PartnerRow, and_(col(PartnerRow.id) == ChannelRow.partner_id))
            .where(col(ChannelRow.id) == _DELIVERY.c.channel_id)
            .scalar_subquery()
        )
        not_before: Any = literal(plan.fallback, UTCDateTime())
        if plan.timings:  # a CASE needs at least one WHEN
            not_before = case(
                {t.group.key: literal(t.not_before, UTCDateTime()) for t in plan.timings},
                value=group_key,
                else_=not_before,
            )
        mine = _DELIVERY.c.announcement_id == announcement_id
        await session.exec(update(_DELIVERY).where(mine, *_STILL_WAITING).values(not_before=not_before))
        await _refuse_if_under_way(session, announcement_id)

    async def drafts(self, *, limit: int = 25) -> list[Announcement]:
        """Open drafts, oldest first."""
        query = (
            select(AnnouncementRow)
            .where(AnnouncementRow.status == AnnouncementStatus.DRAFT.value)
            .order_by(col(AnnouncementRow.id))
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = list(await session.exec(query))
            return [await to_announcement(session, row, row.author_workspace) for row in rows]


_STILL_WAITING = (
    _DELIVERY.c.status.in_(_WAITING),
    _DELIVERY.c.digest_id.is_(None),
    _DELIVERY.c.attempts == 0,
)


def _row_mode() -> Any:
    """A waiting row's mode for grouping: its channel's for a `digest` row, else `immediate` (a row due
    as a single post: an immediate channel's, or any channel's for an urgent announcement)."""
    return case((_DELIVERY.c.status == DeliveryStatus.DIGEST.value, col(ChannelRow.mode)), else_="immediate")


def _row_group() -> Any:
    """Each waiting delivery row with its group's zone, quiet hours and mode, as `targets` has them."""
    return (
        sa_select(
            _DELIVERY.c.announcement_id.label("announcement_id"),
            zone_column().label("zone"),
            quiet_column().label("quiet"),
            _row_mode().label("mode"),
        )
        .select_from(_DELIVERY)
        .join(ChannelRow, col(ChannelRow.id) == _DELIVERY.c.channel_id)
        .outerjoin(PartnerRow, and_(col(PartnerRow.id) == ChannelRow.partner_id))
        .where(*_STILL_WAITING)
    )


async def _refuse_if_under_way(session: Any, announcement_id: int) -> None:
    """Raise _TooLate (rolling back the caller's transaction) once any delivery of the announcement
    is claimed, sent, tried or carried in a digest: cancel and reschedule stop at the first one."""
    gone = sa_select(func.count()).where(
        _DELIVERY.c.announcement_id == announcement_id,
        or_(
            _DELIVERY.c.status.in_([DeliveryStatus.CLAIMED.value, DeliveryStatus.SENT.value]),
            _DELIVERY.c.attempts > 0,
            _DELIVERY.c.digest_id.is_not(None),
        ),
    )
    if (await (await session.connection()).execute(gone)).scalar_one():
        raise _TooLate

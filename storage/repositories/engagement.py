"""Engagement events: written by the repository method that performs each action (`record_event`,
inside that method's transaction), read per partner for the score and gone-quiet lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.engagement import EngagementCount, EngagementKind, is_proactive
from storage.repositories.base import Repository
from storage.tables import ChannelRow, DeliveryRow, EngagementEventRow


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


_E, _C, _D = _t(EngagementEventRow), _t(ChannelRow), _t(DeliveryRow)


async def record_event(
    session: AsyncSession,
    kind: EngagementKind,
    *,
    channel_id: int,
    user: str | None,
    now: datetime,
    announcement_id: int | None = None,
    topic_ids: Sequence[int | None] = (None,),
    detail: str | None = None,
    known: tuple[int | None, str] | None = None,
) -> None:
    """Append one event per topic id (one without a topic by default) for an action in `channel_id`,
    inside the caller's transaction; the partner and platform are the channel's as they are now
    (`known`: the caller has just read them, so they are not looked up again)."""
    conn = await session.connection()
    if known is None:
        found = (
            await conn.execute(select(_C.c.partner_id, _C.c.platform).where(_C.c.id == channel_id))
        ).first()
        if found is None:
            return
        known = (found[0], found[1])
    partner_id, platform = known
    values = [
        {
            "at": now,
            "kind": kind.value,
            "proactive": is_proactive(kind),
            "partner_id": partner_id,
            "channel_id": channel_id,
            "platform": platform,
            "user_id": user,
            "announcement_id": announcement_id,
            "topic_id": topic_id,
            "detail": detail[:100] if detail else None,
        }
        for topic_id in topic_ids
    ]
    if values:
        await conn.execute(_E.insert(), values)


async def record_delivery_event(
    session: AsyncSession,
    kind: EngagementKind,
    *,
    delivery_id: int,
    user: str | None,
    now: datetime,
    detail: str | None = None,
) -> None:
    """`record_event` for an action on a delivered copy (a reaction, Helpful, Acknowledge)."""
    conn = await session.connection()
    found = (
        await conn.execute(select(_D.c.channel_id, _D.c.announcement_id).where(_D.c.id == delivery_id))
    ).first()
    if found is not None:
        await record_event(
            session,
            kind,
            channel_id=found[0],
            user=user,
            now=now,
            announcement_id=found[1],
            detail=detail,
        )


class EngagementRepository(Repository):
    async def counts(
        self, *, since: datetime, until: datetime, partner_ids: Sequence[int] | None = None
    ) -> list[EngagementCount]:
        """See `bot.ports.engagement.EngagementStore`."""
        query = (
            select(_E.c.partner_id, _E.c.kind, _E.c.proactive, func.count())
            .where(_E.c.partner_id.is_not(None), _E.c.at >= since, _E.c.at < until)
            .group_by(_E.c.partner_id, _E.c.kind, _E.c.proactive)
            .order_by(_E.c.partner_id, _E.c.kind)
        )
        if partner_ids is not None:
            query = query.where(_E.c.partner_id.in_(list(partner_ids)))
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [
            EngagementCount(
                partner_id=row[0], kind=EngagementKind(row[1]), proactive=bool(row[2]), count=row[3]
            )
            for row in rows
        ]

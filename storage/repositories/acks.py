"""Acknowledgements of `urgent ack` announcements: one per delivered copy, and who has not yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.domain import AckDue, AckState, ChannelRef, DeliveryStatus, MessageRef, Platform
from bot.domain.engagement import EngagementKind
from storage.repositories.base import Repository
from storage.repositories.engagement import record_delivery_event
from storage.repositories.targeting import segment_label
from storage.tables import AckRow, AnnouncementRow, ChannelRow, DeliveryRow, NoticeRow, PartnerRow
from storage.tables import table_of as _t

_K, _D, _C, _P, _A, _N = (
    _t(AckRow), _t(DeliveryRow), _t(ChannelRow), _t(PartnerRow), _t(AnnouncementRow), _t(NoticeRow)
)  # fmt: skip


class AckRepository(Repository):
    async def record(self, delivery_id: int, *, user: str, user_name: str, now: datetime) -> AckState | None:
        """Acknowledge a delivery once: None when this call recorded it, else the earlier record."""
        async with self._sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = (
                insert(_K)
                .values(delivery_id=delivery_id, user_id=user, user_name=user_name[:200], acked_at=now)
                .on_conflict_do_nothing(index_elements=["delivery_id"])
                .returning(_K.c.id)
            )
            if (await session.exec(statement)).first() is not None:
                await record_delivery_event(
                    session, EngagementKind.ACKNOWLEDGED, delivery_id=delivery_id, user=user, now=now
                )
                return None
        found = await self._states(_D.c.id == delivery_id)
        return found[0] if found else None

    async def states(self, announcement_id: int) -> list[AckState]:
        """Every delivered copy of the announcement with its acknowledgement, if any (by partner)."""
        return await self._states(_D.c.announcement_id == announcement_id, _D.c.status == DeliveryStatus.SENT)

    async def _states(self, *where: ColumnElement[bool]) -> list[AckState]:
        query = (
            select(
                _D.c.id,
                _P.c.name,
                # The tier when it was sent ("" for an unlinked channel, "none" for a blank tier).
                segment_label(_D.c.tier, unlinked=""),
                _C.c.platform,
                _C.c.workspace_id,
                _C.c.channel_id,
                _C.c.name,
                _K.c.user_id,
                _K.c.user_name,
                _K.c.acked_at,
            )
            .select_from(
                _D.join(_C, _C.c.id == _D.c.channel_id)
                .outerjoin(_P, _P.c.id == _C.c.partner_id)
                .outerjoin(_K, _K.c.delivery_id == _D.c.id)
            )
            .where(*where)
            .order_by(_P.c.name, _C.c.channel_id)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [
            AckState(
                delivery_id=row[0],
                partner_name=row[1] or "",
                partner_tier=row[2] or "",
                channel=ChannelRef(Platform(row[3]), row[4], row[5]),
                channel_name=row[6] or row[5],
                acked_by=row[7],
                acked_by_name=row[8] or "",
                acked_at=row[9],
            )
            for row in rows
        ]

    async def due(self, *, delivered_before: datetime, key_prefix: str, limit: int) -> list[AckDue]:
        """Delivered, unacknowledged copies of `ack_required` announcements, delivered before
        `delivered_before` to active channels, with no notice keyed `key_prefix + delivery id` yet."""
        key = literal(key_prefix, String()) + cast(_D.c.id, String())
        query = (
            select(
                _D.c.id,
                _D.c.announcement_id,
                _A.c.title,
                _C.c.platform,
                _C.c.workspace_id,
                _C.c.channel_id,
                _D.c.message_id,
                _D.c.sent_at,
            )
            .select_from(_D.join(_A, _A.c.id == _D.c.announcement_id).join(_C, _C.c.id == _D.c.channel_id))
            .where(
                _A.c.ack_required.is_(True),
                _D.c.status == DeliveryStatus.SENT,
                col(_D.c.message_id).is_not(None),
                _D.c.digest_id.is_(None),
                _D.c.sent_at <= delivered_before,
                _C.c.active.is_(True),
                ~exists().where(_K.c.delivery_id == _D.c.id),
                ~exists().where(_N.c.key == key),
            )
            .order_by(_D.c.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [
            AckDue(
                delivery_id=row[0],
                announcement_id=row[1],
                title=row[2],
                message=MessageRef(ChannelRef(Platform(row[3]), row[4], row[5]), row[6]),
                sent_at=row[7],
            )
            for row in rows
        ]

"""Which topics each channel follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Channel, ChannelRef, Topic
from bot.domain.engagement import EngagementKind
from storage.repositories.base import Repository, to_channel, to_topic
from storage.repositories.directory import ensure_channel_row
from storage.repositories.engagement import record_event
from storage.tables import SubscriptionRow, TopicRow


class SubscriptionRepository(Repository):
    async def topics_of(self, channel_id: int) -> list[Topic]:
        """The active topics a channel follows, by slug."""
        query = (
            select(TopicRow)
            .join(SubscriptionRow, col(SubscriptionRow.topic_id) == TopicRow.id)
            .where(SubscriptionRow.channel_id == channel_id, col(TopicRow.archived).is_(False))
            .order_by(col(TopicRow.slug))
        )
        async with self._sessions() as session:
            return [to_topic(row) for row in await session.exec(query)]

    async def add(
        self, channel_id: int, topic_ids: Sequence[int], *, now: datetime, user: str | None = None
    ) -> list[str]:
        """Subscribe; returns the slugs that were newly added (existing ones are left alone)."""
        async with self._sessions.begin() as session:
            existing = set(
                await session.exec(
                    select(SubscriptionRow.topic_id).where(SubscriptionRow.channel_id == channel_id)
                )
            )
            new_ids = [tid for tid in dict.fromkeys(topic_ids) if tid not in existing]
            for topic_id in new_ids:
                session.add(SubscriptionRow(channel_id=channel_id, topic_id=topic_id, created_at=now))
            if new_ids:
                await record_event(
                    session,
                    EngagementKind.SUBSCRIBED,
                    channel_id=channel_id,
                    user=user,
                    now=now,
                    topic_ids=new_ids,
                )
            return await _slugs(session, new_ids)

    async def subscribe_channel(
        self,
        ref: ChannelRef,
        topic_ids: Sequence[int],
        *,
        name: str,
        now: datetime,
        linked_only: bool,
        user: str | None = None,
    ) -> tuple[Channel, list[int] | None]:
        """`ensure_channel` then `add`, in one transaction (`/partner subscribe` runs in two: this
        and reading the topics)."""
        async with self._sessions.begin() as session:
            row = await ensure_channel_row(session, ref, name=name, now=now)
            channel = to_channel(row)
            if linked_only and channel.partner_id is None:
                return channel, None
            existing = set(
                await session.exec(
                    select(SubscriptionRow.topic_id).where(SubscriptionRow.channel_id == channel.id)
                )
            )
            new_ids = [tid for tid in dict.fromkeys(topic_ids) if tid not in existing]
            for topic_id in new_ids:
                session.add(SubscriptionRow(channel_id=channel.id, topic_id=topic_id, created_at=now))
            if new_ids:
                await record_event(
                    session,
                    EngagementKind.SUBSCRIBED,
                    channel_id=channel.id,
                    user=user,
                    now=now,
                    topic_ids=new_ids,
                )
            return channel, new_ids

    async def remove(
        self,
        channel_id: int,
        topic_ids: Sequence[int],
        *,
        user: str | None,
        now: datetime,
        muted: bool = False,
    ) -> list[str]:
        """Unsubscribe; returns the slugs that were actually removed, each an engagement event
        (`muted`: from the "Mute this topic" button)."""
        async with self._sessions.begin() as session:
            present = list(
                await session.exec(
                    select(SubscriptionRow.topic_id).where(
                        SubscriptionRow.channel_id == channel_id,
                        col(SubscriptionRow.topic_id).in_(list(topic_ids)),
                    )
                )
            )
            if present:
                await session.exec(
                    delete(SubscriptionRow).where(
                        col(SubscriptionRow.channel_id) == channel_id,
                        col(SubscriptionRow.topic_id).in_(present),
                    )
                )
                kind = EngagementKind.MUTED if muted else EngagementKind.UNSUBSCRIBED
                await record_event(
                    session, kind, channel_id=channel_id, user=user, now=now, topic_ids=present
                )
            return await _slugs(session, present)


async def _slugs(session: AsyncSession, topic_ids: Sequence[int]) -> list[str]:
    if not topic_ids:
        return []
    query = select(TopicRow.slug).where(col(TopicRow.id).in_(list(topic_ids))).order_by(col(TopicRow.slug))
    return list(await session.exec(query))

"""Which topics each channel follows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Channel, ChannelRef, Topic
from bot.domain.engagement import EngagementKind
from storage.repositories.base import Repository, to_channel, to_topic
from storage.repositories.directory import channel_needs_update, ensure_channel_row
from storage.repositories.engagement import record_event
from storage.tables import ChannelRow, SubscriptionRow, TopicRow

# `subscribe_channel`'s statements, built once (their compiled form is cached by SQLAlchemy).
_TOPIC_COLUMNS = (TopicRow.id, TopicRow.slug, TopicRow.title, TopicRow.description, TopicRow.archived)
_ACTIVE_TOPICS = (
    select(*[col(c) for c in _TOPIC_COLUMNS])
    .where(col(TopicRow.archived).is_(False))
    .order_by(col(TopicRow.slug))
)
_CHANNEL = select(ChannelRow.__table__).where(  # type: ignore[attr-defined]
    col(ChannelRow.platform) == bindparam("platform"), col(ChannelRow.channel_id) == bindparam("channel_id")
)
_SUBSCRIPTION = SubscriptionRow.__table__  # type: ignore[attr-defined]
_ADD = {  # per dialect: insert the missing subscriptions, return the topic ids actually inserted
    "postgresql": postgresql.insert(_SUBSCRIPTION)
    .on_conflict_do_nothing()
    .returning(_SUBSCRIPTION.c.topic_id),
    "sqlite": sqlite.insert(_SUBSCRIPTION).on_conflict_do_nothing().returning(_SUBSCRIPTION.c.topic_id),
}


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
        choose: Callable[[Sequence[Topic]], Sequence[int]],
        *,
        name: str,
        now: datetime,
        linked_only: bool,
        user: str | None = None,
    ) -> tuple[Channel, list[int] | None]:
        """The topics, `ensure_channel` and `add`, in one write transaction. The hot path of a burst
        of `/partner subscribe`: Core statements on the session's connection (no unit of work), and
        the ORM only when the channel row must be inserted or brought up to date."""
        async with self._sessions.begin() as session:
            conn = await session.connection()
            topics = [Topic(**row._mapping) for row in await conn.execute(_ACTIVE_TOPICS)]
            topic_ids = choose(topics)
            found = (
                await conn.execute(_CHANNEL, {"platform": ref.platform, "channel_id": ref.channel})
            ).first()
            if found is None or channel_needs_update(cast(ChannelRow, found), ref, name):
                channel = to_channel(await ensure_channel_row(session, ref, name=name, now=now))
            else:
                channel = to_channel(cast(ChannelRow, found))
            if linked_only and channel.partner_id is None:
                return channel, None
            if not topic_ids:
                return channel, []
            # One statement adds the new ones and says which they were (the others already existed).
            wanted = list(dict.fromkeys(topic_ids))
            rows = [{"channel_id": channel.id, "topic_id": tid, "created_at": now} for tid in wanted]
            added = set((await conn.execute(_ADD[conn.dialect.name], rows)).scalars())
            new_ids = [tid for tid in wanted if tid in added]
            if new_ids:
                await record_event(
                    session,
                    EngagementKind.SUBSCRIBED,
                    channel_id=channel.id,
                    user=user,
                    now=now,
                    topic_ids=new_ids,
                    known=(channel.partner_id, channel.ref.platform.value),
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

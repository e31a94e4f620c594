"""Topics partners subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain import Topic
from bot.ports import TopicAlreadyExists
from storage.repositories.base import Repository, to_topic
from storage.tables import ChannelRow, SubscriptionRow, TopicRow


class TopicRepository(Repository):
    async def add(self, *, slug: str, title: str, description: str, now: datetime) -> Topic:
        async with self._sessions.begin() as session:
            row = TopicRow(slug=slug, title=title, description=description, created_at=now)
            session.add(row)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise TopicAlreadyExists(slug) from exc
            return to_topic(row)

    async def set_archived(self, slug: str, *, archived: bool) -> Topic | None:
        async with self._sessions.begin() as session:
            row = (await session.exec(select(TopicRow).where(TopicRow.slug == slug))).first()
            if row is None:
                return None
            row.archived = archived
            session.add(row)
            return to_topic(row)

    async def all(self, *, include_archived: bool = False) -> list[Topic]:
        async with self._sessions() as session:
            query = select(TopicRow).order_by(col(TopicRow.slug))
            if not include_archived:
                query = query.where(col(TopicRow.archived).is_(False))
            return [to_topic(row) for row in await session.exec(query)]

    async def follower_counts(self) -> dict[int, int]:
        query = (
            select(col(SubscriptionRow.topic_id), func.count())
            .join(ChannelRow, col(ChannelRow.id) == SubscriptionRow.channel_id)
            .where(col(ChannelRow.active).is_(True))
            .group_by(col(SubscriptionRow.topic_id))
        )
        async with self._sessions() as session:
            return {topic_id: int(count) for topic_id, count in await session.exec(query)}

    async def by_slugs(self, slugs: Iterable[str]) -> list[Topic]:
        async with self._sessions() as session:
            query = select(TopicRow).where(col(TopicRow.slug).in_(list(slugs)))
            return [to_topic(row) for row in await session.exec(query)]

"""Topics partners subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain import DeliveryStatus, Topic
from bot.domain.engagement import SendingLoad
from bot.ports import TopicAlreadyExists
from storage.repositories.base import Repository, to_topic
from storage.tables import (
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    SubscriptionRow,
    TopicRow,
)
from storage.tables import table_of as _t


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

    async def set_archived(self, slug: str, *, archived: bool) -> bool | None:
        async with self._sessions.begin() as session:
            row = (await session.exec(select(TopicRow).where(TopicRow.slug == slug))).first()
            if row is None:
                return None
            was = row.archived
            row.archived = archived
            session.add(row)
            return was

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

    async def loads(self, *, since: datetime, until: datetime) -> dict[int, SendingLoad]:
        """See `bot.ports.topics.TopicStore.loads`."""
        d, at_, e = _t(DeliveryRow), _t(AnnouncementTopicRow), _t(EngagementEventRow)
        delivered = (
            sa_select(at_.c.topic_id, func.count())
            .select_from(d.join(at_, at_.c.announcement_id == d.c.announcement_id))
            .where(d.c.status == DeliveryStatus.SENT.value, d.c.sent_at > since, d.c.sent_at <= until)
            .group_by(at_.c.topic_id)
        )
        # Over a channel's weekly cap (bot/caps.py), by when it would have gone out alone.
        capped = (
            sa_select(at_.c.topic_id, func.count())
            .select_from(d.join(at_, at_.c.announcement_id == d.c.announcement_id))
            .where(d.c.capped.is_(True), d.c.not_before > since, d.c.not_before <= until)
            .group_by(at_.c.topic_id)
        )
        window = and_(e.c.at > since, e.c.at <= until)
        on_topic = sa_select(e.c.topic_id.label("tid"), e.c.proactive.label("pro")).where(
            window, e.c.topic_id.is_not(None)
        )
        on_announcement = (
            sa_select(at_.c.topic_id.label("tid"), e.c.proactive.label("pro"))
            .select_from(e.join(at_, at_.c.announcement_id == e.c.announcement_id))
            .where(window, e.c.topic_id.is_(None))
        )
        events = on_topic.union_all(on_announcement).subquery()
        actions = sa_select(events.c.tid, events.c.pro, func.count()).group_by(events.c.tid, events.c.pro)
        found: dict[int, list[int]] = {}
        async with self._sessions() as session:
            connection = await session.connection()
            for topic_id, count in (await connection.execute(delivered)).all():
                found.setdefault(topic_id, [0, 0, 0, 0])[0] = int(count)
            for topic_id, proactive, count in (await connection.execute(actions)).all():
                found.setdefault(topic_id, [0, 0, 0, 0])[1 if proactive else 2] += int(count)
            for topic_id, count in (await connection.execute(capped)).all():
                found.setdefault(topic_id, [0, 0, 0, 0])[3] = int(count)
        days = (until - since).days
        return {
            tid: SendingLoad(days, sent, pro, re_, capped=over)
            for tid, (sent, pro, re_, over) in found.items()
        }

    async def by_slugs(self, slugs: Iterable[str]) -> list[Topic]:
        async with self._sessions() as session:
            query = select(TopicRow).where(col(TopicRow.slug).in_(list(slugs)))
            return [to_topic(row) for row in await session.exec(query)]

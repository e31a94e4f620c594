"""The dashboard's Topics page (bot/ports/topic_trends.py): subscribers per topic over time, rebuilt
from today's subscriptions and the subscribe/unsubscribe/mute events; deliveries against engagement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select

from bot.domain.dashboard import Segment
from bot.domain.engagement import EngagementKind
from bot.ports.topic_trends import TopicLoad, TopicSubscribers
from storage.repositories import announcement_rollup
from storage.repositories.base import Repository
from storage.tables import AnnouncementTopicRow, DeliveryRow, EngagementEventRow, SubscriptionRow, TopicRow
from storage.tables import table_of as _t

_E, _D, _AT, _S, _T = (
    _t(EngagementEventRow),
    _t(DeliveryRow),
    _t(AnnouncementTopicRow),
    _t(SubscriptionRow),
    _t(TopicRow),
)

_ADDED = EngagementKind.SUBSCRIBED.value
_REMOVED = (EngagementKind.UNSUBSCRIBED.value, EngagementKind.MUTED.value)


class TopicTrendsRepository(Repository):
    async def subscribers(self, at: Sequence[datetime], *, now: datetime) -> list[TopicSubscribers]:
        instants = list(at)
        async with self._sessions() as session:
            conn = await session.connection()
            topics = (
                await conn.execute(
                    select(_T.c.id, _T.c.slug, _T.c.title, _T.c.archived, func.count(_S.c.channel_id))
                    .select_from(_T.outerjoin(_S, _S.c.topic_id == _T.c.id))
                    .group_by(_T.c.id, _T.c.slug, _T.c.title, _T.c.archived)
                    .order_by(_T.c.slug)
                )
            ).all()
            changes: list[Any] = []
            if instants:
                # An event after instant i is undone for every instant up to i: bucket = the last
                # instant before it; net = removals (+1: subscribed then) minus additions.
                whens = [(_E.c.at <= t, i) for i, t in enumerate(instants[1:])]
                bucket = (case(*whens, else_=len(instants) - 1) if whens else literal(0)).label("b")
                net = case((_E.c.kind == _ADDED, -1), else_=1).label("net")
                inner = (
                    select(_E.c.topic_id, bucket, net)
                    .where(
                        _E.c.topic_id.is_not(None),
                        _E.c.kind.in_((_ADDED, *_REMOVED)),
                        _E.c.at > instants[0],
                        _E.c.at <= now,
                    )
                    .subquery("changes")
                )
                changes = list(
                    (
                        await conn.execute(
                            select(inner.c.topic_id, inner.c.b, func.sum(inner.c.net)).group_by(
                                inner.c.topic_id, inner.c.b
                            )
                        )
                    ).all()
                )
        net_by: dict[int, list[int]] = {}
        for topic_id, b, n in changes:
            net_by.setdefault(int(topic_id), [0] * len(instants))[int(b)] += int(n)
        found = []
        for topic_id, slug, title, archived, current in topics:
            nets = net_by.get(int(topic_id), [0] * len(instants))
            counts, running = [0] * len(instants), int(current)
            for i in range(len(instants) - 1, -1, -1):
                running += nets[i]
                counts[i] = max(0, running)
            found.append(TopicSubscribers(int(topic_id), slug, title, bool(archived), tuple(counts)))
        return found

    async def load(self, segment: Segment, *, since: datetime, until: datetime) -> list[TopicLoad]:
        # A copy is engaged once a partner acted on it (`delivery.engaged_at`, set by the first such
        # action); sent in the window, any action on it comes after `since`. Counted per announcement
        # first (an index-only scan of ix_delivery_sent_at into a thousand groups), then per topic:
        # joining every copy to its topics first made a row per copy and topic (three times slower).
        # Without a partner filter, the window's whole days come from the per-announcement roll-up
        # (storage/repositories/announcement_rollup.py): a row per announcement and day.
        if _segment(segment):
            copies = (
                select(
                    _D.c.announcement_id,
                    func.count().label("deliveries"),
                    func.sum(case((_D.c.engaged_at < until, 1), else_=0)).label("engaged"),
                )
                .where(_D.c.sent_at >= since, _D.c.sent_at < until, *_segment(segment))
                .group_by(_D.c.announcement_id)
                .subquery("copies")
            )
        else:
            copies = announcement_rollup.per_announcement(since, until).subquery("copies")
        announcement, counted, engaged = copies.c
        per_announcement = (
            select(
                announcement.label("announcement_id"),
                func.sum(counted).label("deliveries"),
                func.sum(engaged).label("engaged"),
            )
            .group_by(announcement)
            .subquery("per_announcement")
        )
        per_topic = (
            select(
                _AT.c.topic_id,
                func.sum(per_announcement.c.deliveries).label("deliveries"),
                func.sum(per_announcement.c.engaged).label("engaged"),
            )
            .select_from(
                per_announcement.join(_AT, _AT.c.announcement_id == per_announcement.c.announcement_id)
            )
            .group_by(_AT.c.topic_id)
            .subquery("per_topic")
        )
        deliveries = func.coalesce(per_topic.c.deliveries, 0)
        stmt = (
            select(_T.c.id, _T.c.slug, _T.c.title, deliveries, func.coalesce(per_topic.c.engaged, 0))
            .select_from(_T.outerjoin(per_topic, per_topic.c.topic_id == _T.c.id))
            .where(or_(_T.c.archived.is_(False), deliveries > 0))
            .order_by(deliveries.desc(), _T.c.slug)
        )
        if segment.topic:
            stmt = stmt.where(func.lower(_T.c.slug) == segment.topic.lower())
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(stmt)).all()
        return [TopicLoad(int(r[0]), r[1], r[2], int(r[3]), int(r[4])) for r in rows]


def _segment(segment: Segment) -> list[ColumnElement[bool]]:
    """The partner dimensions, as the delivery recorded them when it was sent."""
    found = []
    for column, value in (
        (_D.c.tier, segment.tier),
        (_D.c.region, segment.region),
        (_D.c.type, segment.type),
        (_D.c.language, segment.language),
    ):
        if value:
            found.append(func.lower(column) == value.lower())
    return found

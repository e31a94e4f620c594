"""Engagement events: written by the repository method that performs each action (`record_event`,
inside that method's transaction), read per partner for the score and gone-quiet lists."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, func, literal, or_, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.engagement import (
    ENGAGING_KINDS,
    EngagementCount,
    EngagementKind,
    PartnerEngagement,
    PartnerScore,
    QuietPartner,
    QuietReason,
    RecentAction,
    ScoreFilter,
    ScoreFormula,
    is_proactive,
    window_end,
)
from storage.repositories import rollups, snapshots
from storage.repositories.base import Repository
from storage.repositories.snapshots import Piece
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    PartnerRow,
    TopicRow,
)
from storage.tables import table_of as _t

_E, _C, _D = _t(EngagementEventRow), _t(ChannelRow), _t(DeliveryRow)
_P, _AT = _t(PartnerRow), _t(AnnouncementTopicRow)
_A, _T = _t(AnnouncementRow), _t(TopicRow)


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
        if partner_id is not None:
            await rollups.add_events(conn, partner_id=partner_id, kind=kind, at=now, count=len(values))
        if announcement_id is not None and kind in ENGAGING_KINDS:
            await rollups.mark_engaged(conn, announcement_id=announcement_id, channel_id=channel_id, at=now)


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

    async def scores(
        self, *, since: datetime, until: datetime, formula: ScoreFormula, only: ScoreFilter | None = None
    ) -> AsyncIterator[PartnerScore]:
        """See `bot.ports.engagement.EngagementStore`: one statement, streamed in batches."""
        only = only or ScoreFilter()
        async with self._sessions() as session:
            found = await snapshots.ready(await session.connection(), since, until)
        events, received, last_kind = _sources(since, since, until, until, only.topic_id, snapshot=found)
        proactive = func.coalesce(events.c.proactive, 0)
        reactive = func.coalesce(events.c.reactive, 0)
        got = func.coalesce(received.c.received, 0)
        score = _score(proactive, reactive, got, formula)
        query = (
            select(
                _P.c.id, _P.c.name, _P.c.tier, _P.c.type, _P.c.region, _P.c.language,
                score, proactive, reactive, got, events.c.last_at, last_kind,
            )
            .select_from(_P.outerjoin(events, events.c.partner_id == _P.c.id))
            .outerjoin(received, received.c.partner_id == _P.c.id)
            .where(_P.c.removed_at.is_(None))
            .order_by(score.desc(), _P.c.name, _P.c.id)
        )  # fmt: skip
        if only.tier is not None:
            query = query.where(_P.c.tier == only.tier)
        if only.region is not None:
            query = query.where(_P.c.region == only.region)
        async with self._sessions() as session:
            conn = await session.connection()
            if conn.dialect.name == "postgresql":
                # A server-side cursor makes PostgreSQL plan for the first 10% of rows (nested loops over
                # the aggregates: 20 s instead of 1 s at 10,000 partners); every row is read here.
                await conn.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
            result = await conn.stream(query.execution_options(yield_per=2000))
            async for row in result:
                yield PartnerScore(
                    partner_id=row[0], name=row[1], tier=row[2], type=row[3], region=row[4],
                    language=row[5], score=round(float(row[6]), 1), proactive=int(row[7]),
                    reactive=int(row[8]), received=int(row[9]), last_action=_aware(row[10]),
                    last_action_kind=_kind(row[11]),
                )  # fmt: skip

    async def gone_quiet(
        self,
        *,
        now: datetime,
        window: timedelta,
        quiet_for: timedelta,
        drop_percent: float,
        formula: ScoreFormula,
    ) -> list[QuietPartner]:
        """See `bot.ports.engagement.EngagementStore`: one statement over the last two windows."""
        until = window_end(now)
        since, previous, recent = until - window, until - 2 * window, until - quiet_for
        async with self._sessions() as session:
            found = await snapshots.ready(await session.connection(), previous, until, (since, recent))
        events, received, last_kind = _sources(previous, since, until, recent, None, snapshot=found)

        def n(column: Any) -> ColumnElement[Any]:
            return func.coalesce(column, 0)

        score = _score(n(events.c.proactive), n(events.c.reactive), n(received.c.received), formula)
        before = _score(
            n(events.c.old_proactive), n(events.c.old_reactive), n(received.c.old_received), formula
        )
        silent = and_(n(received.c.recent) > 0, n(events.c.recent) == 0)
        dropped = and_(before > 0, score < before * (1 - drop_percent / 100.0))
        query = (
            select(
                _P.c.id,
                _P.c.name,
                _P.c.tier,
                silent,
                score,
                before,
                events.c.last_at,
                last_kind,
            )
            .select_from(_P.outerjoin(events, events.c.partner_id == _P.c.id))
            .outerjoin(received, received.c.partner_id == _P.c.id)
            .where(_P.c.removed_at.is_(None), or_(silent, dropped))
            .order_by(_P.c.name, _P.c.id)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [
            QuietPartner(
                partner_id=row[0],
                name=row[1],
                tier=row[2],
                reason=QuietReason.NO_ACTION if row[3] else QuietReason.SCORE_DROP,
                score=round(float(row[4]), 1),
                previous_score=round(float(row[5]), 1),
                last_action=_aware(row[6]),
                last_action_kind=_kind(row[7]),
            )
            for row in rows
        ]

    async def partner_engagement(
        self, *, partner_id: int, now: datetime, window: timedelta, formula: ScoreFormula, recent: int
    ) -> PartnerEngagement:
        """See `bot.ports.engagement.EngagementStore`: the gone-quiet counts, for one partner."""
        until = window_end(now)
        since, previous = until - window, until - 2 * window
        events, received, _ = _sources(previous, since, until, until, None, partner_id=partner_id)

        def n(column: Any) -> ColumnElement[Any]:
            return func.coalesce(column, 0)

        score = _score(n(events.c.proactive), n(events.c.reactive), n(received.c.received), formula)
        before = _score(
            n(events.c.old_proactive), n(events.c.old_reactive), n(received.c.old_received), formula
        )
        query = (
            select(score, before)
            .select_from(_P.outerjoin(events, events.c.partner_id == _P.c.id))
            .outerjoin(received, received.c.partner_id == _P.c.id)
            .where(_P.c.id == partner_id)
        )
        latest = (
            select(_E.c.kind, _E.c.at, _A.c.title, _T.c.slug)
            .select_from(
                _E.outerjoin(_A, _A.c.id == _E.c.announcement_id).outerjoin(_T, _T.c.id == _E.c.topic_id)
            )
            .where(_E.c.partner_id == partner_id, _E.c.at < now)
            .order_by(_E.c.at.desc(), _E.c.id.desc())
            .limit(recent)
        )
        async with self._sessions() as session:
            conn = await session.connection()
            scores = (await conn.execute(query)).first()
            actions = (await conn.execute(latest)).all()
        return PartnerEngagement(
            window_days=window.days,
            score=round(float(scores[0]), 1) if scores else 0.0,
            previous_score=round(float(scores[1]), 1) if scores else 0.0,
            recent=tuple(
                RecentAction(EngagementKind(kind), _aware(at) or now, title, slug)
                for kind, at, title, slug in actions
            ),
        )


# Removing a reaction is an event (the record is append-only) but not engagement: it is not counted.
_COUNTED = _E.c.kind != EngagementKind.REACTION_REMOVED.value


def _sum_if(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[Any]:
    return func.sum(case((condition, value), else_=0))


def _sources(
    start: datetime,
    since: datetime,
    until: datetime,
    recent: datetime,
    topic_id: int | None,
    *,
    partner_id: int | None = None,
    snapshot: Mapping[Piece, int] | None = None,
) -> tuple[Any, Any, Any]:
    """Per partner, the counted actions and the deliveries received in [since, until) (proactive,
    reactive, received), in [start, since) (old_…) and in [recent, until) (recent), and the latest
    action in [start, until) with its kind: from the daily roll-ups when every bound is a whole UTC
    day and no topic narrows the count (they are not kept per topic), else from the rows. `snapshot`:
    the ready score snapshots of the window's completed days (`snapshots.ready`), read in place of
    those days' roll-ups."""
    bounds = (start, since, until, recent)
    if topic_id is None and all(b.astimezone(UTC).time() == time() for b in bounds):
        days = tuple(b.astimezone(UTC).date() for b in bounds)
        events = _event_days(*days, partner_id=partner_id, snapshot=snapshot).subquery("ev")
        received = _per_partner(_sent_days(*days, partner_id=partner_id, snapshot=snapshot))
        return events, received, rollups.last_kind(_P.c.id, events.c.last_day)
    events = _event_counts(start, since, until, topic_id, recent=recent, partner_id=partner_id).subquery("ev")
    received = _per_partner(_sent_rows(start, since, until, recent, topic_id, partner_id=partner_id))
    return events, received, _last_kind(events.c.last_at, topic_id)


def _event_counts(
    start: datetime,
    since: datetime,
    until: datetime,
    topic_id: int | None,
    *,
    recent: datetime,
    partner_id: int | None = None,
) -> Select[Any]:
    """`_sources`' actions, counted from the events."""
    current, old = _E.c.at >= since, _E.c.at < since
    query = (
        select(
            _E.c.partner_id,
            _sum_if(and_(current, _E.c.proactive)).label("proactive"),
            _sum_if(and_(current, ~_E.c.proactive)).label("reactive"),
            _sum_if(and_(old, _E.c.proactive)).label("old_proactive"),
            _sum_if(and_(old, ~_E.c.proactive)).label("old_reactive"),
            _sum_if(_E.c.at >= recent).label("recent"),
            func.max(_E.c.at).label("last_at"),
        )
        .where(_E.c.partner_id.is_not(None), _E.c.at >= start, _E.c.at < until, _COUNTED)
        .group_by(_E.c.partner_id)
    )
    if topic_id is not None:
        query = query.where(_of_topic(topic_id))
    if partner_id is not None:
        query = query.where(_E.c.partner_id == partner_id)
    return query


def _event_days(
    start: date,
    since: date,
    until: date,
    recent: date,
    *,
    partner_id: int | None = None,
    snapshot: Mapping[Piece, int] | None = None,
) -> Select[Any]:
    """`_sources`' actions, summed from the roll-ups (`last_day`: the day of the latest) or the
    snapshots of its completed days."""
    if snapshot:
        r = snapshots.event_rows(start, until, (since, recent), snapshot, partner_id)
    else:
        r = rollups.event_rows(rollups.spans(start, until, (since, recent)), partner_id)
    current, old = r.c.day >= since, r.c.day < since
    return select(
        r.c.partner_id,
        _sum_if(current, r.c.proactive).label("proactive"),
        _sum_if(current, r.c.reactive).label("reactive"),
        _sum_if(old, r.c.proactive).label("old_proactive"),
        _sum_if(old, r.c.reactive).label("old_reactive"),
        _sum_if(r.c.day >= recent, r.c.proactive + r.c.reactive).label("recent"),
        func.max(r.c.last_at).label("last_at"),
        func.max(r.c.last_day).label("last_day"),
    ).group_by(r.c.partner_id)


def _of_topic(topic_id: int) -> ColumnElement[bool]:
    """An event about the topic, or about an announcement on it."""
    of_topic = select(_AT.c.announcement_id).where(_AT.c.topic_id == topic_id)
    return or_(_E.c.topic_id == topic_id, _E.c.announcement_id.in_(of_topic))


def _last_kind(last_at: ColumnElement[Any], topic_id: int | None) -> Any:
    """The kind of the partner's counted event at `last_at` (the latest written, on a tie): correlated
    with the partner row, one seek of ix_engagement_event_partner_at per partner."""
    query = (
        select(_E.c.kind)
        .where(_E.c.partner_id == _P.c.id, _E.c.at == last_at, _COUNTED)
        .order_by(_E.c.id.desc())
        .limit(1)
    )
    if topic_id is not None:
        query = query.where(_of_topic(topic_id))
    return query.scalar_subquery()


def _sent_rows(
    start: datetime,
    since: datetime,
    until: datetime,
    recent: datetime,
    topic_id: int | None,
    *,
    partner_id: int | None = None,
) -> Select[Any]:
    """Per channel, `_sources`' deliveries counted from the deliveries (one ordered scan of
    ix_delivery_sent; the channel's partner is looked up once per channel, not once per delivery)."""
    current = _D.c.sent_at >= since
    per_channel = (
        select(
            _D.c.channel_id,
            _sum_if(current).label("received"),
            _sum_if(~current).label("old_received"),
            _sum_if(_D.c.sent_at >= recent).label("recent"),
        )
        .where(_D.c.sent_at.is_not(None), _D.c.sent_at >= start, _D.c.sent_at < until)
        .group_by(_D.c.channel_id)
    )
    if topic_id is not None:
        of_topic = select(_AT.c.announcement_id).where(_AT.c.topic_id == topic_id)
        per_channel = per_channel.where(_D.c.announcement_id.in_(of_topic))
    if partner_id is not None:
        per_channel = per_channel.where(_D.c.channel_id.in_(_channels_of(partner_id)))
    return per_channel


def _sent_days(
    start: date,
    since: date,
    until: date,
    recent: date,
    *,
    partner_id: int | None = None,
    snapshot: Mapping[Piece, int] | None = None,
) -> Select[Any]:
    """Per channel, `_sources`' deliveries summed from the roll-ups or the snapshots."""
    channels = _channels_of(partner_id) if partner_id is not None else None
    if snapshot:
        r = snapshots.sent_rows(start, until, (since, recent), snapshot, channels)
    else:
        r = rollups.sent_rows(rollups.spans(start, until, (since, recent)), channels)
    current = r.c.day >= since
    return select(
        r.c.channel_id,
        _sum_if(current, r.c.sent).label("received"),
        _sum_if(~current, r.c.sent).label("old_received"),
        _sum_if(r.c.day >= recent, r.c.sent).label("recent"),
    ).group_by(r.c.channel_id)


def _channels_of(partner_id: int) -> Select[Any]:
    return select(_C.c.id).where(_C.c.partner_id == partner_id)


def _per_partner(per_channel: Select[Any]) -> Any:
    """Per-channel delivery counts summed per partner (of the channel now)."""
    counted = per_channel.subquery("dc")
    return (
        select(
            _C.c.partner_id,
            func.sum(counted.c.received).label("received"),
            func.sum(counted.c.old_received).label("old_received"),
            func.sum(counted.c.recent).label("recent"),
        )
        .select_from(counted.join(_C, _C.c.id == counted.c.channel_id))
        .where(_C.c.partner_id.is_not(None))
        .group_by(_C.c.partner_id)
        .subquery("rc")
    )


def _score(
    proactive: ColumnElement[Any], reactive: ColumnElement[Any], received: ColumnElement[Any], f: ScoreFormula
) -> ColumnElement[Any]:
    weighted = literal(f.proactive_weight, Float) * proactive + literal(f.reactive_weight, Float) * reactive
    return 100.0 * cast(weighted, Float) / (cast(received, Float) + literal(f.smoothing, Float))


def _kind(value: str | None) -> EngagementKind | None:
    return EngagementKind(value) if value is not None else None


def _aware(value: datetime | None) -> datetime | None:
    # Subquery aggregates lose the column type (UTCDateTime): SQLite hands back a naive UTC time.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value

"""The Overview page's read side (bot/ports/overview.py): a handful of aggregates per page view.

Nothing here reads rows one by one: counts, distinct counts and GROUP BYs over the window's roll-ups
(storage/repositories/overview_rollup.py for the copies, rollups.py for the actions), engagement events
and questions, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from asyncio import gather
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, and_, case, cast, func, literal, or_, select

from bot.domain.dashboard import Segment
from bot.domain.engagement import EngagementKind
from bot.ports.overview import ActionBucket, FailureCount, OverviewFigures, SegmentChoices
from storage.repositories import overview_rollup, rollups
from storage.repositories.base import Repository
from storage.repositories.stats import failure_reason
from storage.tables import (
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    PartnerRow,
    QuestionRow,
    SubscriptionRow,
    TopicRow,
    UTCDateTime,
)
from storage.tables import table_of as _t

_D, _C, _P, _Q = _t(DeliveryRow), _t(ChannelRow), _t(PartnerRow), _t(QuestionRow)
_E, _AT, _T, _S = _t(EngagementEventRow), _t(AnnouncementTopicRow), _t(TopicRow), _t(SubscriptionRow)

# Removing a reaction is recorded but is not an action (as in the engagement score). Named as a list
# (not "!= reaction_removed") so PostgreSQL reads each kind's window from ix_engagement_event_kind_at.
COUNTED = tuple(kind.value for kind in EngagementKind if kind is not EngagementKind.REACTION_REMOVED)
_COUNTED = _E.c.kind.in_(COUNTED)


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _same(column: Any, value: str) -> ColumnElement[bool]:
    return func.lower(column) == value.lower()


def _dimensions(segment: Segment) -> list[tuple[str, str]]:
    pairs = (("tier", segment.tier), ("region", segment.region), ("type", segment.type))
    return [(name, value) for name, value in (*pairs, ("language", segment.language)) if value]


def _of_topic(topic_id: int) -> Any:
    return select(_AT.c.announcement_id).where(_AT.c.topic_id == topic_id)


def _delivery_filter(segment: Segment, topic_id: int | None) -> list[ColumnElement[bool]]:
    """Deliveries in the segment their partner had when they were sent."""
    where = [_same(_D.c[name], value) for name, value in _dimensions(segment)]
    if topic_id is not None:
        where.append(_D.c.announcement_id.in_(_of_topic(topic_id)))
    return where


def _partners(segment: Segment) -> Any:
    """The ids of the partners (not removed) in the segment's dimensions now."""
    where = [_same(_P.c[name], value) for name, value in _dimensions(segment)]
    return select(_P.c.id).where(_P.c.removed_at.is_(None), *where)


def _event_filter(segment: Segment, topic_id: int | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if _dimensions(segment):
        where.append(_E.c.partner_id.in_(_partners(segment)))
    if topic_id is not None:
        where.append(or_(_E.c.topic_id == topic_id, _E.c.announcement_id.in_(_of_topic(topic_id))))
    return where


def _question_filter(segment: Segment, topic_id: int | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if _dimensions(segment):
        channels = select(_C.c.id).where(_C.c.partner_id.in_(_partners(segment)))
        where.append(_Q.c.channel_id.in_(channels))
    if topic_id is not None:
        where.append(_Q.c.announcement_id.in_(_of_topic(topic_id)))
    return where


def _seconds(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """`later - earlier` in seconds, as a number both databases compare and order."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * literal(86_400.0, Float)
    return func.extract("epoch", later - earlier)


def _per_day(
    segment: Segment, topic_id: int | None, start: datetime, now: datetime, dialect: str, *, weekly: bool
) -> Any:
    """(UTC date, proactive, reactive) of the actions on each day from `start`'s to `now`'s, whole
    days (a chart of days): from the daily roll-up (`engagement_day`, the partners of the segment), or,
    for one topic, from the events (the roll-up is not kept per topic). `weekly` (a chart of weeks):
    the whole weeks inside come as one row each, dated their Monday, from `engagement_week`."""
    first, last = start.astimezone(UTC).date(), now.astimezone(UTC).date()
    if topic_id is None and weekly:
        return _per_week(segment, first, last)
    if topic_id is None:
        r = rollups.ENGAGEMENT_DAY
        query = select(r.c.day, func.sum(r.c.proactive), func.sum(r.c.reactive)).where(
            r.c.day >= first, r.c.day <= last
        )
        if _dimensions(segment):
            query = query.where(r.c.partner_id.in_(_partners(segment)))
        return query.group_by(r.c.day)
    day = func.date(_E.c.at) if dialect == "sqlite" else cast(func.timezone("UTC", _E.c.at), Date)
    midnight = datetime(first.year, first.month, first.day, tzinfo=UTC)
    per = (
        select(day.label("day"), _E.c.proactive.label("proactive"))
        .where(
            _E.c.at >= _at(midnight),
            _E.c.at < _at(midnight + timedelta(days=(last - first).days + 1)),
            _COUNTED,
            *_event_filter(segment, topic_id),
        )
        .subquery("per")
    )
    return select(per.c.day, _sum_if(per.c.proactive), _sum_if(~per.c.proactive)).group_by(per.c.day)


def _per_week(segment: Segment, first: date, last: date) -> Any:
    """`_per_day` for a chart of weeks: a 90-day window reads its dozen whole weeks from the weekly
    roll-up (one row per partner and week) and only its first and last few days from the daily one,
    a fifth of the rows."""
    spans = rollups.spans(first, last + timedelta(days=1))
    rows = rollups.event_rows(spans)
    query = select(rows.c.day, func.sum(rows.c.proactive), func.sum(rows.c.reactive))
    if _dimensions(segment):
        query = query.where(rows.c.partner_id.in_(_partners(segment)))
    return query.group_by(rows.c.day)


def week_buckets(first: date, last: date) -> tuple[date, int]:
    """Weekly buckets over [first, last]: calendar weeks (Monday to Sunday), the first and last cut
    to the window; the Monday on or before `first`, and how many buckets."""
    monday = first - timedelta(days=first.weekday())
    return monday, (last - monday).days // 7 + 1


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class OverviewRepository(Repository):
    async def choices(self) -> SegmentChoices:
        """See `bot.ports.overview.OverviewView`."""
        # One scan: the combinations in use (a few dozen), split per dimension here.
        dimensions = (_P.c.tier, _P.c.region, _P.c.type, _P.c.language)
        combinations = select(*dimensions).where(_P.c.removed_at.is_(None)).group_by(*dimensions)
        topics = select(_T.c.slug).where(_T.c.archived.is_(False)).order_by(_T.c.slug)
        async with self._sessions() as session:
            conn = await session.connection()
            rows = (await conn.execute(combinations)).all()
            slugs = tuple(str(slug) for slug in (await conn.execute(topics)).scalars())
        values = [sorted({str(row[i]) for row in rows if row[i]}) for i in range(4)]
        found = dict(zip(("tier", "region", "type", "language"), (tuple(v) for v in values), strict=True))
        return SegmentChoices(found["tier"], found["region"], found["type"], found["language"], slugs)

    async def topic_id(self, slug: str) -> int | None:
        async with self._sessions() as session:
            conn = await session.connection()
            return (await conn.execute(select(_T.c.id).where(_same(_T.c.slug, slug)))).scalar()

    async def figures(
        self, segment: Segment, *, topic_id: int | None, now: datetime, bucket: timedelta
    ) -> OverviewFigures:
        """See `bot.ports.overview.OverviewView`: the window's deliveries (reach), the pairs acted on
        matched to them (engaged copies), its actions per day, its questions; side by side."""
        start = now - timedelta(days=segment.days)
        since, until = _at(start), _at(now)
        # The window's sent copies, distinct channels and announcements, and engaged copies (those a
        # partner acted on by now: `delivery.engaged_at`, set by the first action on the copy), from
        # the Overview's roll-ups: its whole days and latest copies there, its part-days from the rows.
        of_topic = None if topic_id is None else _of_topic(topic_id)
        copies = _delivery_filter(segment, topic_id)
        reach = overview_rollup.reach(_dimensions(segment), topic_id, copies, of_topic, start, now)
        asked = [_Q.c.created_at >= since, _Q.c.created_at <= until, *_question_filter(segment, topic_id)]
        answered = and_(_Q.c.answered_at.is_not(None), _Q.c.answered_at <= until)
        questions = select(func.count(), _sum_if(answered)).where(*asked)
        first, last = start.astimezone(UTC).date(), now.astimezone(UTC).date()
        weekly = bucket.days >= 7
        # Days from `first`, or calendar weeks (read from the weekly roll-up) from its Monday.
        anchor, buckets = week_buckets(first, last) if weekly else (first, (last - first).days + 1)
        step = 7 if weekly else 1

        async def read_reach() -> Any:
            async with self._sessions() as session:
                return (await (await session.connection()).execute(reach)).one()

        async def read_days() -> Any:
            async with self._sessions() as session:
                conn = await session.connection()
                query = _per_day(segment, topic_id, start, now, conn.dialect.name, weekly=weekly)
                return (await conn.execute(query)).all()

        async def read_questions() -> tuple[int, int, timedelta | None]:
            async with self._sessions() as session:
                conn = await session.connection()
                asked_n, answered_n = (await conn.execute(questions)).one()
                if not answered_n:
                    return int(asked_n), 0, None
                # The median without loading the durations: the middle one or two, by OFFSET.
                took = _seconds(_Q.c.answered_at, _Q.c.created_at, conn.dialect.name)
                middle = (
                    select(took).where(*asked, answered).order_by(took).offset((int(answered_n) - 1) // 2)
                ).limit(1 if answered_n % 2 else 2)
                values = [float(v) for v in (await conn.execute(middle)).scalars()]
                return int(asked_n), int(answered_n), timedelta(seconds=round(sum(values) / len(values)))

        # Independent reads, each on a connection of its own (PostgreSQL runs them side by side).
        (
            (delivered, channels, announcements, engaged_n),
            per_day,
            (asked_n, answered_n, median),
        ) = await gather(read_reach(), read_days(), read_questions())
        counts: Counter[tuple[int, bool]] = Counter()
        for day, proactive, reactive in per_day:
            n = min(max((_as_date(day) - anchor).days // step, 0), buckets - 1)
            counts[(n, True)] += int(proactive or 0)
            counts[(n, False)] += int(reactive or 0)
        midnight = datetime(first.year, first.month, first.day, tzinfo=UTC)
        anchor_midnight = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
        return OverviewFigures(
            announcements=int(announcements),
            channels=int(channels),
            delivered=int(delivered),
            engaged=int(engaged_n),
            questions_asked=int(asked_n),
            questions_answered=int(answered_n),
            median_answer=median,
            actions=tuple(
                ActionBucket(
                    max(midnight, anchor_midnight + timedelta(days=i * step)),
                    counts[(i, True)],
                    counts[(i, False)],
                )
                for i in range(buckets)
            ),
        )

    async def failures(self, segment: Segment, *, topic_id: int | None, now: datetime) -> list[FailureCount]:
        start = now - timedelta(days=segment.days)
        copies = _delivery_filter(segment, topic_id)
        query = overview_rollup.failures(_dimensions(segment), topic_id, copies, start, now)
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        reasons: Counter[str] = Counter()
        for error, count in rows:
            reasons[failure_reason(str(error or ""))] += int(count)
        ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        return [FailureCount(reason, count) for reason, count in ordered]

    async def in_segment(
        self, partner_ids: Sequence[int], segment: Segment, *, topic_id: int | None
    ) -> set[int]:
        if not partner_ids:
            return set()
        query = _partners(segment).where(_P.c.id.in_(list(partner_ids)))
        if topic_id is not None:
            following = (
                select(_C.c.partner_id).join(_S, _S.c.channel_id == _C.c.id).where(_S.c.topic_id == topic_id)
            )
            query = query.where(_P.c.id.in_(following))
        async with self._sessions() as session:
            conn = await session.connection()
            return {int(i) for i in (await conn.execute(query)).scalars()}

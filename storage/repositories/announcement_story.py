"""The dashboard's Announcements pages: the list (keyset-paged, its counts for the page's ids only),
each announcement's story, and its per-channel activity (keyset-paged, with that page's reactions,
questions and answers). Every count is an SQL aggregate over the announcement's indexed rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.domain.analytics import DeliveryProgress
from bot.domain.announcements import AnnouncementStatus, Audience
from bot.domain.engagement import ENGAGING_KINDS
from bot.domain.refs import Platform
from bot.ports.announcement_story import (
    AnnouncementLine,
    AnnouncementQuery,
    AnswerLine,
    ChannelActivity,
    Funnel,
    QuestionLine,
    RevisionEntry,
    SegmentReach,
    Story,
)
from storage.repositories.approvals import to_approval
from storage.repositories.base import Repository
from storage.repositories.cta import cta_clicks
from storage.repositories.revisions import SUPERSEDED
from storage.repositories.stats import StatsRepository, failure_reason
from storage.repositories.targeting import segment_label
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    AnswerRow,
    ApprovalRow,
    ChannelRow,
    DeliveryRow,
    DeliveryUpdateRow,
    EngagementEventRow,
    PartnerRow,
    QuestionRow,
    ReactionRow,
    TopicRow,
)
from storage.tables import table_of as _t

_A, _AT, _T, _D = _t(AnnouncementRow), _t(AnnouncementTopicRow), _t(TopicRow), _t(DeliveryRow)
_C, _P, _E, _U = _t(ChannelRow), _t(PartnerRow), _t(EngagementEventRow), _t(DeliveryUpdateRow)
_R, _Q, _N = _t(ReactionRow), _t(QuestionRow), _t(AnswerRow)

_SENT = "sent"
_ENGAGED = [kind.value for kind in ENGAGING_KINDS]
_EXPORT_CHUNK = 200
# Points on the delivered-over-time line (cumulative counts at evenly spaced instants).
_TIMELINE_POINTS = 24


class AnnouncementStoryRepository(Repository):
    async def page(self, query: AnnouncementQuery, *, now: datetime) -> list[AnnouncementLine]:
        limit = max(1, min(query.limit, 500))
        async with self._sessions() as session:
            conn = await session.connection()
            heads = (await conn.execute(_heads(query, now, query.before).limit(limit))).all()
            return await _lines(conn, heads)

    async def export(self, query: AnnouncementQuery, *, now: datetime) -> AsyncIterator[AnnouncementLine]:
        before: int | None = None
        while True:
            async with self._sessions() as session:
                conn = await session.connection()
                heads = (await conn.execute(_heads(query, now, before).limit(_EXPORT_CHUNK))).all()
                lines = await _lines(conn, heads)
            for line in lines:
                yield line
            if len(heads) < _EXPORT_CHUNK:
                return
            before = heads[-1].id

    async def exists(self, announcement_id: int) -> bool:
        async with self._sessions() as session:
            found = await (await session.connection()).execute(
                sa_select(_A.c.id).where(_A.c.id == announcement_id)
            )
            return found.first() is not None

    async def story(self, announcement_id: int) -> Story | None:
        async with self._sessions() as session:
            conn = await session.connection()
            head = (await conn.execute(_head_columns().where(_A.c.id == announcement_id))).first()
            if head is None:
                return None
            (line,) = await _lines(conn, [head])
            kinds: dict[str, int] = dict(
                (
                    await conn.execute(
                        sa_select(_E.c.kind, func.count(func.distinct(_E.c.channel_id)))
                        .where(_E.c.announcement_id == announcement_id, _E.c.kind.in_(_ENGAGED))
                        .group_by(_E.c.kind)
                    )
                ).all()
            )
            segments = await _segments(conn, announcement_id)
            timeline = await _timeline(conn, announcement_id)
            revisions = await _revisions(conn, announcement_id)
            ctas = await cta_clicks(conn, announcement_id)
            approvals = await session.exec(
                select(ApprovalRow)
                .where(col(ApprovalRow.announcement_id) == announcement_id)
                .order_by(col(ApprovalRow.id))
            )
            approved = tuple(to_approval(row) for row in approvals)
            revision = (
                await conn.execute(sa_select(_A.c.revision).where(_A.c.id == announcement_id))
            ).scalar()
        funnel = Funnel(
            targeted=line.targeted,
            delivered=line.delivered,
            engaged=line.engaged,
            by_kind=tuple((kind, int(kinds.get(kind.value, 0))) for kind in ENGAGING_KINDS),
        )
        return Story(
            line=line,
            body=head.body,
            author=head.author_name or head.author_user,
            priority=head.priority,
            edited_at=head.edited_at,
            funnel=funnel,
            by_tier=segments[0],
            by_region=segments[1],
            by_language=segments[2],
            delivered_over_time=timeline,
            revisions=revisions,
            ctas=ctas,
            approvals=approved,
            revision=int(revision or 0),
        )

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress:
        return await StatsRepository(self._sessions).progress(announcement_id, now=now)

    async def channels(self, announcement_id: int, *, after: int | None, limit: int) -> list[ChannelActivity]:
        async with self._sessions() as session:
            return await _activity(
                await session.connection(), announcement_id, after, max(1, min(limit, 500))
            )

    async def export_channels(self, announcement_id: int) -> AsyncIterator[ChannelActivity]:
        after: int | None = None
        while True:
            async with self._sessions() as session:
                rows = await _activity(await session.connection(), announcement_id, after, _EXPORT_CHUNK)
            for row in rows:
                yield row
            if len(rows) < _EXPORT_CHUNK:
                return
            after = rows[-1].delivery_id


def _head_columns() -> Any:
    return sa_select(
        _A.c.id, _A.c.title, _A.c.status, _A.c.audience, _A.c.created_at, _A.c.sent_at, _A.c.body,
        _A.c.author_user, _A.c.author_name, _A.c.priority, _A.c.edited_at,
    )  # fmt: skip


def _heads(query: AnnouncementQuery, now: datetime, before: int | None) -> Any:
    stmt = _head_columns().order_by(_A.c.id.desc())
    if before is not None:
        stmt = stmt.where(_A.c.id < before)
    if query.status is not None:
        stmt = stmt.where(_A.c.status == query.status.value)
    if query.days is not None:
        stmt = stmt.where(_A.c.created_at >= now - timedelta(days=query.days))
    if query.topic:
        on_topic = (
            sa_select(_AT.c.announcement_id)
            .join(_T, _T.c.id == _AT.c.topic_id)
            .where(_T.c.slug == query.topic.lower())
        )
        stmt = stmt.where(_A.c.id.in_(on_topic))
    return stmt


async def _lines(conn: Any, heads: Sequence[Any]) -> list[AnnouncementLine]:
    """The heads' topics, delivery counts and engaged channels: three grouped reads for the page."""
    ids = [head.id for head in heads]
    if not ids:
        return []
    topics: dict[int, list[str]] = defaultdict(list)
    for announcement_id, slug in await conn.execute(
        sa_select(_AT.c.announcement_id, _T.c.slug)
        .join(_T, _T.c.id == _AT.c.topic_id)
        .where(_AT.c.announcement_id.in_(ids))
        .order_by(_T.c.slug)
    ):
        topics[announcement_id].append(slug)
    counts = {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in await conn.execute(
            sa_select(_D.c.announcement_id, func.count(), func.sum(case((_D.c.status == _SENT, 1), else_=0)))
            .where(_D.c.announcement_id.in_(ids))
            .group_by(_D.c.announcement_id)
        )
    }
    engaged = dict(
        (
            await conn.execute(
                sa_select(_E.c.announcement_id, func.count(func.distinct(_E.c.channel_id)))
                .where(_E.c.announcement_id.in_(ids), _E.c.kind.in_(_ENGAGED))
                .group_by(_E.c.announcement_id)
            )
        ).all()
    )
    return [
        AnnouncementLine(
            id=head.id,
            title=head.title,
            status=AnnouncementStatus(head.status),
            topics=tuple(topics.get(head.id, ())),
            audience=Audience.from_json(head.audience),
            created_at=head.created_at,
            sent_at=head.sent_at,
            targeted=counts.get(head.id, (0, 0))[0],
            delivered=counts.get(head.id, (0, 0))[1],
            engaged=int(engaged.get(head.id, 0)),
        )
        for head in heads
    ]


async def _segments(conn: Any, announcement_id: int) -> list[tuple[SegmentReach, ...]]:
    """Reach and engagement by tier, region and language: one read grouped by all three, folded."""
    engaged_channels = (
        sa_select(_E.c.channel_id)
        .where(_E.c.announcement_id == announcement_id, _E.c.kind.in_(_ENGAGED))
        .distinct()
        .subquery()
    )
    tier, region, language = (segment_label(column) for column in (_D.c.tier, _D.c.region, _D.c.language))
    grouped = sa_select(
        tier.label("tier"),
        region.label("region"),
        language.label("language"),
        func.count().label("targeted"),
        func.sum(case((_D.c.status == _SENT, 1), else_=0)).label("delivered"),
        func.sum(case((and_(_D.c.status == _SENT, engaged_channels.c.channel_id.is_not(None)), 1), else_=0)),
    )
    rows = (
        await conn.execute(
            grouped.select_from(
                _D.outerjoin(engaged_channels, engaged_channels.c.channel_id == _D.c.channel_id)
            )
            .where(_D.c.announcement_id == announcement_id)
            .group_by(_D.c.tier, _D.c.region, _D.c.language)
        )
    ).all()
    folded: list[dict[str, list[int]]] = [defaultdict(lambda: [0, 0, 0]) for _ in range(3)]
    for row in rows:
        for dimension, value in enumerate(row[:3]):
            totals = folded[dimension][value]
            for i in range(3):
                totals[i] += int(row[3 + i] or 0)
    return [
        tuple(
            SegmentReach(value, *totals)
            for value, totals in sorted(dimension.items(), key=lambda kv: (-kv[1][0], kv[0]))
        )
        for dimension in folded
    ]


async def _timeline(conn: Any, announcement_id: int) -> tuple[tuple[datetime, int], ...]:
    """Deliveries sent by each of up to 24 evenly spaced instants from the first to the last send:
    cumulative counts in one read (a CASE per instant), portable across SQLite and PostgreSQL."""
    sent = and_(_D.c.announcement_id == announcement_id, _D.c.sent_at.is_not(None))
    first, last = (
        await conn.execute(sa_select(func.min(_D.c.sent_at), func.max(_D.c.sent_at)).where(sent))
    ).one()
    if first is None:
        return ()
    points = 1 if last == first else _TIMELINE_POINTS
    step = (last - first) / max(1, points - 1)
    instants = [first + step * i for i in range(points - 1)] + [last]
    columns = [
        func.sum(case((_D.c.sent_at <= literal(at, _D.c.sent_at.type), 1), else_=0)) for at in instants
    ]
    counts = (await conn.execute(sa_select(*columns).where(sent))).one()
    return tuple((at, int(count or 0)) for at, count in zip(instants, counts, strict=True))


async def _revisions(conn: Any, announcement_id: int) -> tuple[RevisionEntry, ...]:
    """Each edit and the recall, from the update outbox: one group per (kind, revision)."""
    rows = await conn.execute(
        sa_select(
            _U.c.kind,
            _U.c.revision,
            func.min(_U.c.created_at),
            func.count(),
            func.sum(case((_U.c.status == _SENT, 1), else_=0)),
            func.sum(case((_U.c.status == "failed", 1), else_=0)),
            func.sum(case((_U.c.status == SUPERSEDED, 1), else_=0)),
        )
        .where(_U.c.announcement_id == announcement_id)
        .group_by(_U.c.kind, _U.c.revision)
        .order_by(func.min(_U.c.created_at), _U.c.kind)
    )
    return tuple(
        RevisionEntry(kind=kind, revision=int(revision), at=at, copies=int(copies), done=int(done or 0),
                      failed=int(failed or 0), superseded=int(superseded or 0))
        for kind, revision, at, copies, done, failed, superseded in rows
    )  # fmt: skip


async def _activity(conn: Any, announcement_id: int, after: int | None, limit: int) -> list[ChannelActivity]:
    # The page's deliveries first (from the announcement's index), then their channels and partners:
    # joining first made PostgreSQL hash every channel and partner for 50 rows.
    wanted = sa_select(_D).where(_D.c.announcement_id == announcement_id).order_by(_D.c.id).limit(limit)
    if after is not None:
        wanted = wanted.where(_D.c.id > after)
    d = wanted.subquery()
    stmt = (
        sa_select(
            d.c.id,
            d.c.status,
            d.c.sent_at,
            d.c.message_id,
            d.c.last_error,
            _C.c.platform,
            _C.c.workspace_id,
            _C.c.channel_id,
            _C.c.name,
            _P.c.name.label("partner"),
        )
        .select_from(d.join(_C, _C.c.id == d.c.channel_id).outerjoin(_P, _P.c.id == _C.c.partner_id))
        .order_by(d.c.id)
    )
    rows = (await conn.execute(stmt)).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    reactions: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for delivery_id, emoji, count in await conn.execute(
        sa_select(_R.c.delivery_id, _R.c.emoji, func.count())
        .where(_R.c.delivery_id.in_(ids), _R.c.active.is_(True))
        .group_by(_R.c.delivery_id, _R.c.emoji)
        .order_by(_R.c.delivery_id, func.count().desc(), _R.c.emoji)
    ):
        reactions[delivery_id].append((emoji, int(count)))
    questions = await _questions(conn, ids)
    return [
        ChannelActivity(
            delivery_id=row.id,
            partner=row.partner,
            channel_name=row.name,
            platform=_platform(row.platform),
            workspace=row.workspace_id,
            channel=row.channel_id,
            status=row.status,
            sent_at=row.sent_at,
            message_id=row.message_id if row.status == _SENT else None,
            failure=failure_reason(row.last_error) if row.status == "failed" else "",
            reactions=tuple(reactions.get(row.id, ())),
            questions=questions.get(row.id, ()),
        )
        for row in rows
    ]


async def _questions(conn: Any, delivery_ids: list[int]) -> dict[int, tuple[QuestionLine, ...]]:
    asked = (
        await conn.execute(
            sa_select(
                _Q.c.id,
                _Q.c.delivery_id,
                _Q.c.asker_id,
                _Q.c.asker_name,
                _Q.c.text,
                _Q.c.status,
                _Q.c.created_at,
            )
            .where(_Q.c.delivery_id.in_(delivery_ids))
            .order_by(_Q.c.id)
        )
    ).all()
    if not asked:
        return {}
    answers: dict[int, list[AnswerLine]] = defaultdict(list)
    for question_id, admin_id, admin_name, text, at in await conn.execute(
        sa_select(_N.c.question_id, _N.c.admin_id, _N.c.admin_name, _N.c.text, _N.c.created_at)
        .where(_N.c.question_id.in_([q.id for q in asked]))
        .order_by(_N.c.id)
    ):
        answers[question_id].append(AnswerLine(by=admin_name or admin_id, text=text, at=at))
    found: dict[int, list[QuestionLine]] = defaultdict(list)
    for q in asked:
        line = QuestionLine(q.asker_name or q.asker_id, q.text, q.created_at, q.status, tuple(answers[q.id]))
        found[q.delivery_id].append(line)
    return {delivery_id: tuple(lines) for delivery_id, lines in found.items()}


def _platform(value: str) -> Platform:
    try:
        return Platform(value)
    except ValueError:  # written by a newer version: shown as local rather than failing the page
        return Platform.LOCAL

"""The dashboard's Partners pages (bot/ports/partner_pulse.py): the partner table scored by the
engagement score's own statements (storage/repositories/engagement.py), one page at a time; the page's
weekly trends in one grouped statement; one partner's profile, timeline and received announcements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.dashboard import Segment
from bot.domain.engagement import EngagementKind, ScoreFormula
from bot.ports.partner_pulse import (
    PartnerChannel,
    PartnerDetail,
    PartnerPulsePage,
    PartnerPulseRow,
    PartnerQuery,
    PartnerSort,
    ReceivedAnnouncement,
    TimelineEvent,
)
from storage.repositories import snapshots
from storage.repositories.base import Repository
from storage.repositories.engagement import _aware, _event_counts, _score, _sources
from storage.repositories.snapshots import Piece
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    PartnerRow,
    SubscriptionRow,
    TopicRow,
)
from storage.tables import table_of as _t

_E, _C, _D, _P = _t(EngagementEventRow), _t(ChannelRow), _t(DeliveryRow), _t(PartnerRow)
_A, _AT, _S, _T = _t(AnnouncementRow), _t(AnnouncementTopicRow), _t(SubscriptionRow), _t(TopicRow)

_COUNTED = _E.c.kind != EngagementKind.REACTION_REMOVED.value
_EXPORT_BATCH = 500
# A topic filter naming no topic counts nothing (no id is negative).
_NO_TOPIC = -1
_SUBSCRIPTION_KINDS = (
    EngagementKind.SUBSCRIBED.value,
    EngagementKind.UNSUBSCRIBED.value,
    EngagementKind.MUTED.value,
)


class PartnerPulseRepository(Repository):
    async def page(
        self, query: PartnerQuery, *, since: datetime, until: datetime, formula: ScoreFormula
    ) -> PartnerPulsePage:
        limit = max(1, min(query.limit, 200))
        async with self._sessions() as session:
            conn = await session.connection()
            topic_id = await _topic_id(conn, query.segment.topic)
            offset = (max(1, query.page) - 1) * limit
            if query.sort in _PARTNER_COLUMNS or query.partner_id is not None:
                # Ordered by the partner's own columns: the page's partners first (from the partner
                # table alone), then the scores of those 50 only.
                ids_stmt = select(_P.c.id).where(*_partner_filters(query))
                ids_stmt = ids_stmt.order_by(*_order(query, _PARTNER_COLUMNS.get(query.sort, _P.c.id)))
                ids = list((await conn.execute(ids_stmt.limit(limit).offset(offset))).scalars())
                stmt = _table(query, topic_id, since, until, formula, ids=ids) if ids else None
            elif query.search or _narrowed(query.segment):
                # Scored and sorted, but among the matching partners only: count for those alone.
                matching = select(_P.c.id).where(*_partner_filters(query))
                stmt = _table(query, topic_id, since, until, formula, ids=matching)
                stmt = stmt.limit(limit).offset(offset)
            else:
                found = await snapshots.ready(conn, since, until) if topic_id is None else {}
                stmt = (
                    _table(query, topic_id, since, until, formula, snapshot=found).limit(limit).offset(offset)
                )
            rows = (await conn.execute(stmt)).all() if stmt is not None else []
            total = (
                await conn.execute(select(func.count()).select_from(_P).where(*_partner_filters(query)))
            ).scalar_one()
            kinds = await _last_kinds(conn, [row[0] for row in rows], since, until, topic_id)
        return PartnerPulsePage(tuple(_row(row, kinds) for row in rows), int(total))

    async def export(
        self, query: PartnerQuery, *, since: datetime, until: datetime, formula: ScoreFormula
    ) -> AsyncIterator[PartnerPulseRow]:
        # Streamed on one connection; the latest action's kind is looked up per batch on another.
        async with self._sessions() as session, self._sessions() as lookups:
            conn, other = await session.connection(), await lookups.connection()
            topic_id = await _topic_id(conn, query.segment.topic)
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
            stmt = _table(query, topic_id, since, until, formula)
            result = await conn.stream(stmt.execution_options(yield_per=_EXPORT_BATCH))
            async for batch in result.partitions(_EXPORT_BATCH):
                kinds = await _last_kinds(other, [row[0] for row in batch], since, until, topic_id)
                for row in batch:
                    yield _row(row, kinds)

    async def trends(
        self,
        partner_ids: Sequence[int],
        *,
        bounds: Sequence[datetime],
        formula: ScoreFormula,
        topic: str | None = None,
    ) -> dict[int, list[float]]:
        weeks = len(bounds) - 1
        if not partner_ids or weeks < 1:
            return {}
        ids, start, end = list(partner_ids), bounds[0], bounds[-1]
        async with self._sessions() as session:
            conn = await session.connection()
            topic_id = await _topic_id(conn, topic)
            events = (
                select(
                    _E.c.partner_id.label("partner_id"),
                    _bucket(_E.c.at, bounds).label("week"),
                    case((_E.c.proactive, 1), else_=0).label("proactive"),
                    case((_E.c.proactive, 0), else_=1).label("reactive"),
                    literal(0).label("received"),
                )
                .where(_E.c.partner_id.in_(ids), _E.c.at >= start, _E.c.at < end, _COUNTED)
                .where(*_event_topic(topic_id))
            )
            deliveries = (
                select(
                    _C.c.partner_id.label("partner_id"),
                    _bucket(_D.c.sent_at, bounds).label("week"),
                    literal(0).label("proactive"),
                    literal(0).label("reactive"),
                    literal(1).label("received"),
                )
                .select_from(_D.join(_C, _C.c.id == _D.c.channel_id))
                .where(_C.c.partner_id.in_(ids), _D.c.sent_at >= start, _D.c.sent_at < end)
            )
            if topic_id is not None:
                deliveries = deliveries.where(_D.c.announcement_id.in_(_of_topic(topic_id)))
            both = union_all(events, deliveries).subquery("w")
            stmt = select(
                both.c.partner_id,
                both.c.week,
                func.sum(both.c.proactive),
                func.sum(both.c.reactive),
                func.sum(both.c.received),
            ).group_by(both.c.partner_id, both.c.week)
            rows = (await conn.execute(stmt)).all()
        counts: dict[int, list[tuple[int, int, int]]] = {pid: [(0, 0, 0)] * weeks for pid in ids}
        for pid, week, proactive, reactive, received in rows:
            counts[pid][int(week)] = (int(proactive), int(reactive), int(received))
        return {
            pid: [_python_score(p, r, n, formula) for p, r, n in per_week] for pid, per_week in counts.items()
        }

    async def detail(self, partner_id: int) -> PartnerDetail | None:
        async with self._sessions() as session:
            conn = await session.connection()
            partner = (await conn.execute(select(_P).where(_P.c.id == partner_id))).mappings().first()
            if partner is None:
                return None
            channels = (
                (await conn.execute(select(_C).where(_C.c.partner_id == partner_id).order_by(_C.c.id)))
                .mappings()
                .all()
            )
            channel_ids = [c["id"] for c in channels]
            subscribed = (
                await conn.execute(
                    select(_S.c.channel_id, _T.c.slug)
                    .join(_T, _T.c.id == _S.c.topic_id)
                    .where(_S.c.channel_id.in_(channel_ids))
                    .order_by(_T.c.slug)
                )
            ).all()
            latest = (
                select(
                    _E.c.channel_id,
                    _E.c.topic_id,
                    _E.c.kind,
                    func.row_number()
                    .over(partition_by=(_E.c.channel_id, _E.c.topic_id), order_by=_E.c.id.desc())
                    .label("n"),
                )
                .where(
                    _E.c.partner_id == partner_id,
                    _E.c.channel_id.in_(channel_ids),
                    _E.c.topic_id.is_not(None),
                    _E.c.kind.in_(_SUBSCRIPTION_KINDS),
                )
                .subquery("latest")
            )
            muted = (
                await conn.execute(
                    select(latest.c.channel_id, _T.c.slug)
                    .join(_T, _T.c.id == latest.c.topic_id)
                    .where(latest.c.n == 1, latest.c.kind == EngagementKind.MUTED.value)
                    .order_by(_T.c.slug)
                )
            ).all()
        return PartnerDetail(
            id=partner["id"],
            name=partner["name"],
            tier=partner["tier"],
            type=partner["type"],
            region=partner["region"],
            language=partner["language"],
            timezone=partner["timezone"],
            created_at=partner["created_at"],
            removed_at=partner["removed_at"],
            channels=tuple(
                PartnerChannel(
                    id=c["id"],
                    platform=c["platform"],
                    channel_id=c["channel_id"],
                    name=c["name"],
                    mode=c["mode"],
                    quiet_hours=c["quiet_hours"],
                    timezone=c["timezone"],
                    active=bool(c["active"]),
                    deactivated_reason=c["deactivated_reason"],
                    topics=tuple(slug for cid, slug in subscribed if cid == c["id"]),
                    muted=tuple(slug for cid, slug in muted if cid == c["id"]),
                )
                for c in channels
            ),
        )

    async def timeline(self, partner_id: int, *, before: int | None, limit: int) -> list[TimelineEvent]:
        stmt = (
            select(
                _E.c.id, _E.c.at, _E.c.kind, _E.c.proactive, _C.c.name, _C.c.channel_id, _E.c.user_id,
                _E.c.announcement_id, _A.c.title, _T.c.slug, _E.c.detail,
            )
            .select_from(
                _E.outerjoin(_C, _C.c.id == _E.c.channel_id)
                .outerjoin(_A, _A.c.id == _E.c.announcement_id)
                .outerjoin(_T, _T.c.id == _E.c.topic_id)
            )
            .where(_E.c.partner_id == partner_id)
            .order_by(_E.c.id.desc())
            .limit(max(1, min(limit, 200)))
        )  # fmt: skip
        if before is not None:
            stmt = stmt.where(_E.c.id < before)
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(stmt)).all()
        return [
            TimelineEvent(
                id=r[0], at=_aware_at(r[1]), kind=r[2], proactive=bool(r[3]), channel=r[4] or r[5] or "",
                user=r[6], announcement_id=r[7], announcement_title=r[8], topic=r[9], detail=r[10],
            )
            for r in rows
        ]  # fmt: skip

    async def received(
        self, partner_id: int, *, before: int | None, limit: int
    ) -> list[ReceivedAnnouncement]:
        stmt = (
            select(
                _D.c.id, _D.c.announcement_id, _A.c.title, _C.c.name, _C.c.channel_id, _D.c.status,
                _D.c.sent_at, _D.c.last_error, _D.c.channel_id,
            )
            .select_from(_D.join(_C, _C.c.id == _D.c.channel_id).join(_A, _A.c.id == _D.c.announcement_id))
            .where(_C.c.partner_id == partner_id)
            .order_by(_D.c.id.desc())
            .limit(max(1, min(limit, 200)))
        )  # fmt: skip
        if before is not None:
            stmt = stmt.where(_D.c.id < before)
        async with self._sessions() as session:
            conn = await session.connection()
            rows = (await conn.execute(stmt)).all()
            actions: dict[tuple[int, int], list[tuple[str, int]]] = {}
            if rows:
                done = await conn.execute(
                    select(_E.c.announcement_id, _E.c.channel_id, _E.c.kind, func.count())
                    .where(
                        _E.c.partner_id == partner_id,
                        _E.c.announcement_id.in_({r[1] for r in rows}),
                        _COUNTED,
                    )
                    .group_by(_E.c.announcement_id, _E.c.channel_id, _E.c.kind)
                    .order_by(_E.c.kind)
                )
                for announcement_id, channel_id, kind, count in done.all():
                    actions.setdefault((announcement_id, channel_id), []).append((kind, int(count)))
        return [
            ReceivedAnnouncement(
                delivery_id=r[0], announcement_id=r[1], title=r[2], channel=r[3] or r[4], status=r[5],
                sent_at=_aware(r[6]), error=r[7] or "", actions=tuple(actions.get((r[1], r[8]), ())),
            )
            for r in rows
        ]  # fmt: skip


def _aware_at(value: datetime) -> datetime:
    aware = _aware(value)
    assert aware is not None
    return aware


async def _topic_id(conn: AsyncConnection, slug: str | None) -> int | None:
    if not slug:
        return None
    found = (await conn.execute(select(_T.c.id).where(func.lower(_T.c.slug) == slug.lower()))).scalar()
    return int(found) if found is not None else _NO_TOPIC


def _of_topic(topic_id: int) -> Select[Any]:
    return select(_AT.c.announcement_id).where(_AT.c.topic_id == topic_id)


def _event_topic(topic_id: int | None) -> list[ColumnElement[bool]]:
    if topic_id is None:
        return []
    return [or_(_E.c.topic_id == topic_id, _E.c.announcement_id.in_(_of_topic(topic_id)))]


def _same(column: Any, value: str | None) -> ColumnElement[bool] | None:
    return func.lower(column) == value.lower() if value else None


def _partner_filters(query: PartnerQuery) -> list[ColumnElement[bool]]:
    s: Segment = query.segment
    found = [
        _P.c.removed_at.is_(None),
        _same(_P.c.tier, s.tier),
        _same(_P.c.region, s.region),
        _same(_P.c.type, s.type),
        _same(_P.c.language, s.language),
    ]
    if query.partner_id is not None:
        found.append(_P.c.id == query.partner_id)
    if query.search:
        escaped = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        found.append(func.lower(_P.c.name).like(f"%{escaped}%", escape="\\"))
    return [f for f in found if f is not None]


# Sorts by the partner's own columns (its page is chosen before anything is counted).
_PARTNER_COLUMNS: dict[PartnerSort, Any] = {
    PartnerSort.NAME: func.lower(_P.c.name),
    PartnerSort.TIER: func.lower(_P.c.tier),
    PartnerSort.REGION: func.lower(_P.c.region),
}


def _order(query: PartnerQuery, key: Any, *, never_acted: Any = None) -> list[Any]:
    order: list[Any] = []
    if never_acted is not None:  # never acted: last, whichever the direction
        order.append(never_acted)
    order.append(key.desc() if query.descending else key.asc())
    if query.sort is not PartnerSort.NAME:
        order.append(func.lower(_P.c.name))
    order.append(_P.c.id)
    return order


def _table(
    query: PartnerQuery,
    topic_id: int | None,
    since: datetime,
    until: datetime,
    formula: ScoreFormula,
    *,
    ids: Sequence[int] | Select[Any] | None = None,
    snapshot: Mapping[Piece, int] | None = None,
) -> Select[Any]:
    """Every matching partner with its score over [since, until), in the query's order (of `ids` only,
    counting for those partners alone, if given)."""
    if ids is None:
        events, received, _ = _sources(since, since, until, until, topic_id, snapshot=snapshot)
    else:
        counts = _event_counts(since, since, until, topic_id, recent=until)
        events = counts.where(_E.c.partner_id.in_(_listed(ids))).subquery("ev")
        received = _received_of(ids, since, until, topic_id).subquery("rc")
    proactive = func.coalesce(events.c.proactive, 0)
    reactive = func.coalesce(events.c.reactive, 0)
    got = func.coalesce(received.c.received, 0)
    score = _score(proactive, reactive, got, formula)
    keys: dict[PartnerSort, Any] = {
        PartnerSort.SCORE: score,
        PartnerSort.PROACTIVE: proactive,
        PartnerSort.REACTIVE: reactive,
        PartnerSort.LAST_ACTION: events.c.last_at,
        **_PARTNER_COLUMNS,
    }
    never_acted = None
    if query.sort is PartnerSort.LAST_ACTION:
        never_acted = case((events.c.last_at.is_(None), 1), else_=0)
    stmt = (
        select(
            _P.c.id, _P.c.name, _P.c.tier, _P.c.type, _P.c.region, _P.c.language,
            score, proactive, reactive, got, events.c.last_at,
        )
        .select_from(_P.outerjoin(events, events.c.partner_id == _P.c.id))
        .outerjoin(received, received.c.partner_id == _P.c.id)
        .where(*_partner_filters(query))
        .order_by(*_order(query, keys[query.sort], never_acted=never_acted))
    )  # fmt: skip
    if ids is not None:
        stmt = stmt.where(_P.c.id.in_(_listed(ids)))
    return stmt


def _listed(ids: Sequence[int] | Select[Any]) -> Any:
    return ids if isinstance(ids, Select) else list(ids)


def _narrowed(segment: Segment) -> bool:
    """Whether the partner dimensions narrow the partners (a topic narrows what is counted only)."""
    return any((segment.tier, segment.region, segment.type, segment.language))


def _received_of(
    ids: Sequence[int] | Select[Any], since: datetime, until: datetime, topic_id: int | None
) -> Select[Any]:
    """Deliveries sent in [since, until) to the channels of these partners only (ix_delivery_sent)."""
    stmt = (
        select(_C.c.partner_id, func.count().label("received"))
        .select_from(_D.join(_C, _C.c.id == _D.c.channel_id))
        .where(_C.c.partner_id.in_(_listed(ids)), _D.c.sent_at >= since, _D.c.sent_at < until)
        .group_by(_C.c.partner_id)
    )
    if topic_id is not None:
        stmt = stmt.where(_D.c.announcement_id.in_(_of_topic(topic_id)))
    return stmt


async def _last_kinds(
    conn: AsyncConnection, ids: Sequence[int], since: datetime, until: datetime, topic_id: int | None
) -> dict[int, str]:
    """The kind of each partner's latest counted action within the window (one statement)."""
    if not ids:
        return {}
    ranked = (
        select(
            _E.c.partner_id,
            _E.c.kind,
            func.row_number()
            .over(partition_by=_E.c.partner_id, order_by=(_E.c.at.desc(), _E.c.id.desc()))
            .label("n"),
        )
        .where(_E.c.partner_id.in_(list(ids)), _E.c.at >= since, _E.c.at < until, _COUNTED)
        .where(*_event_topic(topic_id))
        .subquery("ranked")
    )
    rows = await conn.execute(select(ranked.c.partner_id, ranked.c.kind).where(ranked.c.n == 1))
    return {int(pid): str(kind) for pid, kind in rows.all()}


def _bucket(column: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Which interval [bounds[i], bounds[i+1]) a time falls in (callers keep it within the bounds)."""
    inner = bounds[1:-1]
    if not inner:  # one interval (a CASE needs a WHEN)
        return literal(0)
    return case(*[(column < bound, i) for i, bound in enumerate(inner)], else_=len(bounds) - 2)


def _python_score(proactive: int, reactive: int, received: int, f: ScoreFormula) -> float:
    weighted = f.proactive_weight * proactive + f.reactive_weight * reactive
    return round(100.0 * weighted / (received + f.smoothing), 1) if received + f.smoothing else 0.0


def _row(row: Any, kinds: dict[int, str]) -> PartnerPulseRow:
    return PartnerPulseRow(
        partner_id=row[0], name=row[1], tier=row[2], type=row[3], region=row[4], language=row[5],
        score=round(float(row[6]), 1), proactive=int(row[7]), reactive=int(row[8]), received=int(row[9]),
        last_action=_aware(row[10]), last_kind=kinds.get(int(row[0])),
    )  # fmt: skip


__all__ = ["PartnerPulseRepository"]

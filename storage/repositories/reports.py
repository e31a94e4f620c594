"""The reads behind the weekly engagement report and the unanswered-question reminders."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, Table, and_, case, cast, exists, func, literal, or_, select
from sqlmodel import col

from bot.cadence import Engagement, EngagementLine
from bot.domain import DeliveryStatus, Question, QuestionStatus
from bot.domain.engagement import ActionTotals, EngagementKind
from storage.repositories.base import Repository
from storage.repositories.feedback import _question_query, _to_question
from storage.repositories.targeting import segment_label
from storage.tables import (
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    NoticeRow,
    PartnerRow,
    QuestionRow,
    ReactionRow,
    TopicRow,
    UTCDateTime,
)
from storage.tables import table_of as _t

_D, _C, _P, _R, _Q = _t(DeliveryRow), _t(ChannelRow), _t(PartnerRow), _t(ReactionRow), _t(QuestionRow)
_AT, _T, _N = _t(AnnouncementTopicRow), _t(TopicRow), _t(NoticeRow)
_E = _t(EngagementEventRow)
# How old an open question must be, at the window's end, to count as "unanswered" in a report.
STALE_AFTER = timedelta(days=1)
_METRICS = ("delivered", "reactions", "questions", "unanswered")


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _fact(table: Table, announcement: Any, channel: Any, *where: Any) -> Any:
    return select(table.c.id.label("fid"), announcement.label("aid"), channel.label("cid")).where(*where)


def _facts(since: datetime, until: datetime) -> dict[str, Any]:
    """Per metric, a subquery of (fact id, announcement id, channel id) for the window."""
    start, end, stale = _at(since), _at(until), _at(until - STALE_AFTER)
    delivered = _fact(
        _D, _D.c.announcement_id, _D.c.channel_id,
        _D.c.status == DeliveryStatus.SENT.value, _D.c.sent_at >= start, _D.c.sent_at < end,
    )  # fmt: skip
    reactions = _fact(
        _R, _D.c.announcement_id, _D.c.channel_id,
        _R.c.active.is_(True), _R.c.added_at >= start, _R.c.added_at < end,
    ).join(_D, _D.c.id == _R.c.delivery_id)  # fmt: skip
    asked = _fact(_Q, _Q.c.announcement_id, _Q.c.channel_id, _Q.c.created_at >= start, _Q.c.created_at < end)
    open_then = or_(_Q.c.answered_at.is_(None), _Q.c.answered_at > end)
    unanswered = _fact(_Q, _Q.c.announcement_id, _Q.c.channel_id, _Q.c.created_at <= stale, open_then)
    return {
        "delivered": delivered.subquery(),
        "reactions": reactions.subquery(),
        "questions": asked.subquery(),
        "unanswered": unanswered.subquery(),
    }


def _by_tier(fact: Any) -> Any:
    """Per tier: the one stored on the delivery at send (history); questions asked outside any
    delivery (direct ones) count under the channel's partner as it is now."""
    tier = segment_label(case((_D.c.id.is_not(None), _D.c.tier), else_=_P.c.tier))
    delivery = and_(_D.c.announcement_id == fact.c.aid, _D.c.channel_id == fact.c.cid)
    # Grouped over a subquery: PostgreSQL would not match the CASE (with its bound labels) in GROUP BY.
    labelled = (
        select(tier.label("segment"), fact.c.fid.label("fid"))
        .select_from(
            fact.join(_C, _C.c.id == fact.c.cid)
            .outerjoin(_P, _P.c.id == _C.c.partner_id)
            .outerjoin(_D, delivery)
        )
        .subquery()
    )
    return select(labelled.c.segment, func.count(func.distinct(labelled.c.fid))).group_by(labelled.c.segment)


def _by_topic(fact: Any) -> Any:
    slug = func.coalesce(_T.c.slug, "")
    return (
        select(slug, func.count(func.distinct(fact.c.fid)))
        .select_from(
            fact.outerjoin(_AT, _AT.c.announcement_id == fact.c.aid).outerjoin(_T, _T.c.id == _AT.c.topic_id)
        )
        .group_by(slug)
    )


class ReportRepository(Repository):
    async def engagement(self, *, since: datetime, until: datetime) -> Engagement:
        """Per topic and tier within [since, until): deliveries sent, reactions added (and still
        there), questions asked; and questions asked a day or more before `until` still open then."""
        facts = _facts(since, until)
        counts: dict[str, dict[str, dict[str, int]]] = {"topic": defaultdict(dict), "tier": defaultdict(dict)}
        async with self._sessions() as session:
            connection = await session.connection()
            for metric, fact in facts.items():
                for dimension, query in (("topic", _by_topic(fact)), ("tier", _by_tier(fact))):
                    for name, count in (await connection.execute(query)).all():
                        counts[dimension][str(name)][metric] = int(count)
        return Engagement(by_topic=_lines(counts["topic"]), by_tier=_lines(counts["tier"]))

    async def actions(self, *, since: datetime, until: datetime) -> ActionTotals:
        """Engagement events within [since, until) per kind, of every channel (linked or not)."""
        query = (
            select(_E.c.kind, func.count())
            .where(_E.c.at >= _at(since), _E.c.at < _at(until))
            .group_by(_E.c.kind)
        )
        async with self._sessions() as session:
            found = (await (await session.connection()).execute(query)).all()
        return ActionTotals(by_kind={EngagementKind(kind): int(count) for kind, count in found})

    async def questions_to_remind(
        self, *, asked_before: datetime, key_prefix: str, limit: int
    ) -> list[Question]:
        """Open questions asked before `asked_before` with no notice keyed `key_prefix + id` yet."""
        key = literal(key_prefix, String()) + cast(col(QuestionRow.id), String())
        reminded = exists().where(_N.c.key == key)
        query = (
            _question_query()
            .where(
                col(QuestionRow.status) == QuestionStatus.OPEN.value,
                col(QuestionRow.created_at) <= asked_before,
                ~reminded,
            )
            .order_by(col(QuestionRow.id))
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_to_question(*found) for found in await session.exec(query)]


def _lines(counts: dict[str, dict[str, int]]) -> tuple[EngagementLine, ...]:
    """Busiest first (by deliveries, then questions), then by name; "" (no topic) last."""
    lines = [
        EngagementLine(name, **{metric: found.get(metric, 0) for metric in _METRICS})
        for name, found in counts.items()
    ]
    return tuple(
        sorted(lines, key=lambda line: (line.name == "", -line.delivered, -line.questions, line.name))
    )

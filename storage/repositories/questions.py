"""The dashboard's Questions page (bot/ports/questions.py): one statement per list or count, bounded by
LIMIT or paged by id; the export streams in chunks and never holds every question."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.dashboard import Segment
from bot.ports.questions import QuestionCounts, QuestionLine
from storage.repositories.base import Repository
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    AnswerRow,
    ChannelRow,
    FaqDocumentRow,
    PartnerRow,
    QuestionRow,
    TopicRow,
)

_Q = QuestionRow.__table__.c  # type: ignore[attr-defined]
_Q2 = QuestionRow.__table__.alias("q2").c  # type: ignore[attr-defined]
_C = ChannelRow.__table__.c  # type: ignore[attr-defined]
_P = PartnerRow.__table__.c  # type: ignore[attr-defined]
_A = AnnouncementRow.__table__.c  # type: ignore[attr-defined]
_ANS = AnswerRow.__table__.c  # type: ignore[attr-defined]
_AT = AnnouncementTopicRow.__table__.c  # type: ignore[attr-defined]
_T = TopicRow.__table__.c  # type: ignore[attr-defined]
_F = FaqDocumentRow.__table__.c  # type: ignore[attr-defined]

_EXPORT_CHUNK = 1000


class QuestionsRepository(Repository):
    async def open(self, segment: Segment, *, limit: int, after: int | None = None) -> list[QuestionLine]:
        stmt = _lines(segment, answers=False).where(_Q.status == "open")
        if after is not None:  # keyset: the questions asked after that one (oldest first)
            asked = select(_Q2.created_at).where(_Q2.id == after).scalar_subquery()
            stmt = stmt.where(or_(_Q.created_at > asked, and_(_Q.created_at == asked, _Q.id > after)))
        return await self._fetch(stmt.order_by(_Q.created_at, _Q.id).limit(max(1, limit)))

    async def answered(self, segment: Segment, *, now: datetime, limit: int) -> list[QuestionLine]:
        stmt = (
            _lines(segment, answers=True)
            .where(_Q.status == "answered", _Q.answered_at >= _since(segment, now))
            .order_by(_Q.answered_at.desc(), _Q.id.desc())
        )
        return await self._fetch(stmt.limit(max(1, limit)))

    async def counts(self, segment: Segment, *, now: datetime) -> QuestionCounts:
        """One round trip: a scalar subquery per number, each answered from its own index (status,
        created_at, answered_at); no outer FROM, so none of them is correlated to another."""
        since = _since(segment, now)
        day = timedelta(days=1)

        def count(*where: Any) -> Any:
            return _counted(segment, func.count()).where(*where).scalar_subquery()

        is_open = _Q.status == "open"
        stmt: Any = select(
            count(is_open),
            count(_Q.created_at >= since),
            count(_Q.status == "answered", _Q.answered_at >= since),
            count(is_open, _Q.created_at > now - day),
            count(is_open, _Q.created_at <= now - day, _Q.created_at > now - 3 * day),
            count(is_open, _Q.created_at <= now - 3 * day, _Q.created_at > now - 7 * day),
            count(is_open, _Q.created_at <= now - 7 * day),
        )
        async with self._sessions() as session:
            values = [int(v) for v in (await session.exec(stmt)).one()]
        return QuestionCounts(
            open=values[0],
            asked=values[1],
            answered=values[2],
            by_age=(values[3], values[4], values[5], values[6]),
        )

    async def export(self, segment: Segment, *, now: datetime) -> AsyncIterator[QuestionLine]:
        since = _since(segment, now)
        after = 0
        while True:
            stmt = (
                _lines(segment, answers=True)
                .where(_Q.id > after, or_(_Q.status == "open", _Q.created_at >= since))
                .order_by(_Q.id)
                .limit(_EXPORT_CHUNK)
            )
            lines = await self._fetch(stmt)
            for line in lines:
                yield line
            if len(lines) < _EXPORT_CHUNK:
                return
            after = lines[-1].id

    async def _fetch(self, stmt: Any) -> list[QuestionLine]:
        async with self._sessions() as session:
            rows = (await session.exec(stmt)).all()
        return [_line(row) for row in rows]


def _counted(segment: Segment, *columns: Any) -> Any:
    """A count over questions: joined to their partner only when a partner dimension filters."""
    dimensions = any((segment.tier, segment.region, segment.type, segment.language))
    source = _joined() if dimensions else QuestionRow.__table__  # type: ignore[attr-defined]
    return _filtered(select(*columns).select_from(source), segment)


def _since(segment: Segment, now: datetime) -> datetime:
    return now - timedelta(days=max(1, segment.days))


def _joined() -> Any:
    return (
        QuestionRow.__table__.join(ChannelRow.__table__, _C.id == _Q.channel_id)  # type: ignore[attr-defined]
        .outerjoin(PartnerRow.__table__, _P.id == _C.partner_id)  # type: ignore[attr-defined]
        .outerjoin(AnnouncementRow.__table__, _A.id == _Q.announcement_id)  # type: ignore[attr-defined]
    )


def _latest_answer(column: Any) -> Any:
    """The question's latest answer's `column` (a follow-up answer replaces the first in the list)."""
    return select(column).where(_ANS.question_id == _Q.id).order_by(_ANS.id.desc()).limit(1).scalar_subquery()


def _lines(segment: Segment, *, answers: bool) -> Any:
    columns: list[Any] = [
        _Q.id,
        _Q.created_at,
        _P.id,
        _P.name,
        _P.tier,
        _Q.announcement_id,
        _A.title,
        _Q.asker_name,
        _Q.asker_id,
        _Q.text,
        _Q.status,
        _Q.answered_at,
    ]
    source = _joined()
    if answers:
        columns += [_latest_answer(_ANS.admin_name), _latest_answer(_ANS.admin_id), _latest_answer(_ANS.text)]
        # Its FAQ state (issue 18): one row per answered question, by primary key.
        columns += [_F.faq, _F.served]
        source = source.outerjoin(FaqDocumentRow.__table__, _F.question_id == _Q.id)  # type: ignore[attr-defined]
    return _filtered(select(*columns).select_from(source), segment)


def _filtered(stmt: Any, segment: Segment) -> Any:
    """The segment's partner dimensions and its topic. Stored values are lower case (bot/vocabulary.py),
    as the chat's targeting compares them: the given value is lowered, the column is not (its index
    and statistics stay usable)."""
    dimensions = (("tier", _P.tier), ("region", _P.region), ("type", _P.type), ("language", _P.language))
    for name, column in dimensions:
        value = getattr(segment, name)
        if value:
            stmt = stmt.where(column == value.lower())
    if segment.topic:
        on_topic: ColumnElement[bool] = exists().where(
            _AT.announcement_id == _Q.announcement_id,
            _AT.topic_id == _T.id,
            _T.slug == segment.topic.lower(),
        )
        stmt = stmt.where(on_topic)
    return stmt


def _line(row: Any) -> QuestionLine:
    answered_by = ""
    answer = ""
    faq, served = False, 0
    if len(row) > 12:
        answered_by = row[12] or row[13] or ""
        answer = row[14] or ""
        faq, served = bool(row[15]), int(row[16] or 0)
    return QuestionLine(
        id=row[0],
        asked_at=row[1],
        partner_id=row[2],
        partner_name=row[3] or "",
        partner_tier=row[4] or "",
        announcement_id=row[5],
        announcement_title=row[6] or "",
        asker=row[7] or row[8] or "",
        text=row[9],
        status=row[10],
        answered_at=row[11],
        answered_by=answered_by,
        answer=answer,
        faq=faq,
        served=served,
    )

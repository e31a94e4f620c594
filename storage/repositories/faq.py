"""Answered questions kept for reuse (issue 18): candidates for an offer, the partner's choice on an
offer, and the FAQs admins mark and word. The full-text SQL is in storage/repositories/faq_search.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bot.domain.engagement import EngagementKind
from bot.domain.faq import Faq, FaqCandidate, MatchWords, OfferState, is_common
from bot.domain.feedback import QuestionStatus
from bot.domain.sending import RelayKind
from storage.repositories.base import Repository
from storage.repositories.engagement import record_event
from storage.repositories.faq_candidates import candidate
from storage.repositories.faq_search import (
    candidate_queries,
    folded,
    recount,
    scope,
    weigh,
    wording,
)
from storage.repositories.faq_vectors import forget_vectors
from storage.tables import FaqDocumentRow, FaqWordRow, OfferedAnswerRow, QuestionRow, RelayRow

_F: Table = SQLModel.metadata.tables[FaqDocumentRow.__tablename__]
_W: Table = SQLModel.metadata.tables[FaqWordRow.__tablename__]
_O: Table = SQLModel.metadata.tables[OfferedAnswerRow.__tablename__]
_Q: Table = SQLModel.metadata.tables[QuestionRow.__tablename__]
_RELAY: Table = SQLModel.metadata.tables[RelayRow.__tablename__]
_STATE_OF = {
    QuestionStatus.SELF_SERVED.value: OfferState.ALREADY_SELF_SERVED,
    QuestionStatus.OPEN.value: OfferState.ALREADY_RELAYED,
    QuestionStatus.ANSWERED.value: OfferState.ALREADY_RELAYED,
}


class FaqRepository(Repository):
    """`bot.ports.faq.FaqStore` on SQLite and PostgreSQL."""

    async def common_words(self, *, words: Sequence[str]) -> frozenset[str]:
        query = select(_W.c.word, _W.c.docs).where(_W.c.word.in_(["", *words]))
        async with self._sessions() as session:
            counts: dict[str, int] = {row.word: row.docs for row in await session.execute(query)}
        total = counts.pop("", 0)
        return frozenset(word for word, docs in counts.items() if is_common(docs, total))

    async def candidates(self, *, wanted: MatchWords, announcement_id: int | None) -> list[FaqCandidate]:
        found: dict[int, FaqCandidate] = {}
        async with self._sessions() as session:
            conn = await session.connection()
            sqlite = conn.dialect.name == "sqlite"
            for sql, params in candidate_queries(conn.dialect.name, wanted, announcement_id):
                for row in await conn.execute(text(sql), params):
                    rank = weigh(wanted, row.question, row.answer) if sqlite else float(row.score)
                    found.setdefault(row.question_id, candidate(row, rank))
        return sorted(found.values(), key=lambda c: (c.rank, -c.question_id))

    async def self_serve(
        self, *, question_id: int, used: int, channel_id: int, user: str, now: datetime
    ) -> OfferState:
        async with self._sessions.begin() as session:
            conn = await session.connection()
            state = await _offered(conn, question_id, channel_id)
            if state is not None:
                return state
            offered = select(_O.c.question_id).where(
                _O.c.question_id == question_id, _O.c.answered_by == used
            )
            if (await conn.execute(offered)).first() is None:
                return OfferState.UNKNOWN
            if not await _cancel_relay(conn, question_id):
                return OfferState.ALREADY_RELAYED  # a worker is posting it right now
            await conn.execute(
                update(_Q)
                .where(_Q.c.id == question_id)
                .values(status=QuestionStatus.SELF_SERVED.value, self_served_by=used)
            )
            await conn.execute(update(_F).where(_F.c.question_id == used).values(served=_F.c.served + 1))
            announcement_id = (
                await conn.execute(select(_Q.c.announcement_id).where(_Q.c.id == question_id))
            ).scalar_one()
            await record_event(
                session,
                EngagementKind.QUESTION_SELF_SERVED,
                channel_id=channel_id,
                user=user,
                now=now,
                announcement_id=announcement_id,
                detail=str(used),
            )
            return OfferState.SELF_SERVED

    async def relay_now(self, *, question_id: int, channel_id: int, now: datetime) -> OfferState:
        async with self._sessions.begin() as session:
            conn = await session.connection()
            state = await _offered(conn, question_id, channel_id)
            if state is not None:
                return state
            await conn.execute(
                update(_RELAY)
                .where(*_pending_relay(question_id), _RELAY.c.not_before > now)
                .values(not_before=now)
            )
            await conn.execute(
                update(_Q).where(_Q.c.id == question_id).values(status=QuestionStatus.OPEN.value)
            )
            return OfferState.RELAYED

    async def faq(self, question_id: int) -> Faq | None:
        async with self._sessions() as session:
            row = (await (await session.connection()).execute(_faq_query(question_id))).first()
        return _to_faq(row) if row is not None else None

    async def set_faq(self, question_id: int, *, on: bool, now: datetime) -> Faq | None:
        async with self._sessions.begin() as session:
            conn = await session.connection()
            row = (await conn.execute(_faq_query(question_id))).first()
            if row is None:
                return None
            await conn.execute(
                update(_F)
                .where(_F.c.question_id == question_id)
                .values(faq=on, scope=scope(row.announcement_id, on), updated_at=now)
            )
            row = (await conn.execute(_faq_query(question_id))).first()
        return _to_faq(row) if row is not None else None

    async def set_wording(
        self, question_id: int, *, question: str | None, answer: str | None, now: datetime
    ) -> Faq | None:
        async with self._sessions.begin() as session:
            conn = await session.connection()
            row = (await conn.execute(_faq_query(question_id))).first()
            if row is None:
                return None
            values = wording(question or row.shown_question, answer or row.shown_answer)
            await recount(conn, removed=[folded(row)], added=[folded(values)])
            await forget_vectors(conn, question_id)  # computed from the old wording
            await conn.execute(
                update(_F)
                .where(_F.c.question_id == question_id)
                .values(**values, edited=True, updated_at=now)
            )
            row = (await conn.execute(_faq_query(question_id))).first()
        return _to_faq(row) if row is not None else None

    async def faqs(self) -> Sequence[Faq]:
        query = _faq_query(None).where(_F.c.faq).order_by(_F.c.served.desc(), _F.c.question_id)
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [_to_faq(row) for row in rows]


async def _offered(conn: AsyncConnection, question_id: int, channel_id: int) -> OfferState | None:
    """None while the question (asked in `channel_id`) waits on its offer, else where it stands."""
    status = (
        await conn.execute(select(_Q.c.status).where(_Q.c.id == question_id, _Q.c.channel_id == channel_id))
    ).scalar_one_or_none()
    if status is None:
        return OfferState.UNKNOWN
    if status == QuestionStatus.OFFERED.value:
        return None
    return _STATE_OF.get(status, OfferState.ALREADY_RELAYED)


def _pending_relay(question_id: int) -> tuple[Any, ...]:
    return (
        _RELAY.c.question_id == question_id,
        _RELAY.c.kind == RelayKind.QUESTION.value,
        _RELAY.c.status == "pending",
    )


async def _cancel_relay(conn: AsyncConnection, question_id: int) -> bool:
    """Skip the question's relay unless a worker has claimed it: whether it was still pending."""
    result = await conn.execute(update(_RELAY).where(*_pending_relay(question_id)).values(status="skipped"))
    return int(result.rowcount) > 0


def _faq_query(question_id: int | None) -> Any:
    query = select(
        _F.c.question_id,
        _F.c.announcement_id,
        _F.c.shown_question,
        _F.c.shown_answer,
        _F.c.question,
        _F.c.answer,
        _F.c.faq,
        _F.c.served,
    )
    return query if question_id is None else query.where(_F.c.question_id == question_id)


def _to_faq(row: Any) -> Faq:
    return Faq(
        question_id=row.question_id,
        question=row.shown_question,
        answer=row.shown_answer,
        served=row.served,
        announcement_id=row.announcement_id,
        faq=bool(row.faq),
    )

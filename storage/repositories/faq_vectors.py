"""The vectors an embedding matcher keeps per answered question and model (issue 18; the port is
`bot.ports.faq.FaqVectorStore`, the table `faq_embedding`, migration 0038).

The offerable rows are read as the full-text match reads them: the FAQs through the partial index
`ix_faq_document_faq` (page by page, by question id, so thousands of FAQs are never held at once) and
one announcement's answers through `ix_faq_document_announcement`; each with its vector, if kept,
by the primary key of `faq_embedding`. The `faq-vectors` job walks the rows without a vector, FAQs
(through the same partial index) then the other answers, newest first by primary key, a page at a
time (`missing_vectors`). Vectors are dropped where the wording changes (`forget_vectors`, called by
storage/repositories/faq.py and faq_search.py in their transactions) and with their `faq_document`
row (ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bot.domain.faq import FaqCandidate, KeptVector, Wording
from storage.repositories.base import Repository
from storage.repositories.faq_candidates import candidate
from storage.tables import ChannelRow, FaqDocumentRow, FaqEmbeddingRow

_F: Table = SQLModel.metadata.tables[FaqDocumentRow.__tablename__]
_V: Table = SQLModel.metadata.tables[FaqEmbeddingRow.__tablename__]
_C: Table = SQLModel.metadata.tables[ChannelRow.__tablename__]


async def forget_vectors(conn: AsyncConnection, question_id: int) -> None:
    """Drop every model's vector of the question, inside the caller's transaction that rewords it."""
    await conn.execute(delete(_V).where(_V.c.question_id == question_id))


def _with_vector(model: str) -> Any:
    joined = _F.outerjoin(_V, and_(_V.c.question_id == _F.c.question_id, _V.c.model == model))
    return select(_F.c.question_id, _V.c.vector).select_from(joined)


class FaqVectorRepository(Repository):
    """`bot.ports.faq.FaqVectorStore` on SQLite and PostgreSQL."""

    async def faq_vectors(self, *, model: str, after: int, limit: int) -> list[KeptVector]:
        query = (
            _with_vector(model)
            .where(_F.c.faq, _F.c.question_id > after)
            .order_by(_F.c.question_id)
            .limit(limit)
        )
        return await self._kept(query)

    async def answer_vectors(self, *, model: str, announcement_id: int) -> list[KeptVector]:
        return await self._kept(_with_vector(model).where(_F.c.announcement_id == announcement_id))

    async def _kept(self, query: Any) -> list[KeptVector]:
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [KeptVector(row.question_id, row.vector) for row in rows]

    async def missing_vectors(
        self, *, model: str, faqs: bool, before: int | None, limit: int
    ) -> list[Wording]:
        joined = _F.outerjoin(_V, and_(_V.c.question_id == _F.c.question_id, _V.c.model == model))
        # What a question may be offered (bot/services/similarity.py): FAQs, and answers given under
        # an announcement; a direct question's answer that is no FAQ is never compared.
        which = _F.c.faq if faqs else and_(~_F.c.faq, _F.c.announcement_id.is_not(None))
        query = (
            select(_F.c.question_id, _F.c.shown_question, _F.c.shown_answer)
            .select_from(joined)
            .where(_V.c.question_id.is_(None), which)
            .order_by(_F.c.question_id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(_F.c.question_id < before)
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [Wording(row.question_id, row.shown_question, row.shown_answer) for row in rows]

    async def wordings(self, question_ids: Sequence[int]) -> list[Wording]:
        if not question_ids:
            return []
        query = select(_F.c.question_id, _F.c.shown_question, _F.c.shown_answer).where(
            _F.c.question_id.in_(question_ids)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [Wording(row.question_id, row.shown_question, row.shown_answer) for row in rows]

    async def keep_vectors(self, *, model: str, vectors: Sequence[tuple[Wording, bytes]]) -> None:
        if not vectors:
            return
        async with self._sessions.begin() as session:
            conn = await session.connection()
            for wording, vector in vectors:
                # Kept only while the row still shows the words it was computed from: an edit that
                # committed while the model was encoding has already dropped the old vector, and must
                # not get it back.
                still = select(
                    literal(wording.question_id), literal(model), literal(vector, type_=_V.c.vector.type)
                ).where(
                    _F.c.question_id == wording.question_id,
                    _F.c.shown_question == wording.question,
                    _F.c.shown_answer == wording.answer,
                )
                statement = _insert(conn)(_V).from_select(["question_id", "model", "vector"], still)
                # A vector kept already (another process, or a model of another length under the
                # same name) is replaced: both were computed from the current wording.
                await conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["question_id", "model"], set_={"vector": statement.excluded.vector}
                    )
                )

    async def offerable(self, question_ids: Sequence[int]) -> list[FaqCandidate]:
        if not question_ids:
            return []
        query = (
            select(
                _F.c.question_id,
                _F.c.announcement_id,
                _F.c.channel_id,
                _C.c.partner_id,
                _F.c.shown_question,
                _F.c.shown_answer,
                _F.c.question,
                _F.c.answer,
                _F.c.faq,
            )
            .select_from(_F.join(_C, _C.c.id == _F.c.channel_id))
            .where(_F.c.question_id.in_(question_ids))
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [candidate(row, rank=0.0) for row in rows]


def _insert(conn: AsyncConnection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT."""
    return sqlite_insert if conn.dialect.name == "sqlite" else pg_insert

"""Reactions, partner questions and admin answers; each question/answer writes its relay row too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.domain import DeliveryHit, MessageRef, Platform, Question, QuestionStatus, RelayKind
from bot.domain.engagement import HELPFUL_EMOJI, EngagementKind
from storage.repositories.base import Repository, channel_ref, need_id
from storage.repositories.engagement import record_delivery_event, record_event
from storage.repositories.faq_search import index_answer
from storage.tables import (
    AnswerRow,
    ChannelRow,
    DeliveryRow,
    OfferedAnswerRow,
    PartnerRow,
    QuestionRow,
    ReactionRow,
    RelayRow,
)


class FeedbackRepository(Repository):
    async def delivery_by_message(self, platform: Platform, channel: str, message: str) -> DeliveryHit | None:
        """The delivery whose posted message is `message` in that platform channel."""
        query = (
            select(DeliveryRow, ChannelRow)
            .join(ChannelRow, col(ChannelRow.id) == DeliveryRow.channel_id)
            .where(
                ChannelRow.platform == platform,
                ChannelRow.channel_id == channel,
                DeliveryRow.message_id == message,
                # A digest message carries several deliveries; it is none of them in particular.
                col(DeliveryRow.digest_id).is_(None),
            )
        )
        async with self._sessions() as session:
            found = (await session.exec(query)).first()
        if found is None:
            return None
        delivery, channel_row = found
        return DeliveryHit(
            delivery_id=need_id(delivery.id),
            announcement_id=delivery.announcement_id,
            channel_id=need_id(channel_row.id),
            message=MessageRef(channel_ref(channel_row), message),
        )

    async def record_reaction(
        self, delivery_id: int, *, user: str, emoji: str, added: bool, now: datetime
    ) -> None:
        async with self._sessions.begin() as session:
            query = select(ReactionRow).where(
                ReactionRow.delivery_id == delivery_id,
                ReactionRow.user_id == user,
                ReactionRow.emoji == emoji,
            )
            row = (await session.exec(query)).first()
            # A repeat (a second Helpful press, a redelivered event) changes nothing: no new event.
            changed = row is None or row.active != added
            if row is None:
                if not added:
                    return  # removing a reaction we never saw (e.g. added before install)
                row = ReactionRow(delivery_id=delivery_id, user_id=user, emoji=emoji, added_at=now)
            elif added:
                row.active, row.added_at, row.removed_at = True, now, None
            else:
                row.active, row.removed_at = False, now
            session.add(row)
            if changed:
                await record_delivery_event(
                    session,
                    _reaction_kind(emoji, added),
                    delivery_id=delivery_id,
                    user=user,
                    now=now,
                    detail=emoji,
                )

    async def ask(
        self,
        *,
        channel_id: int,
        delivery_id: int | None,
        announcement_id: int | None,
        asker: str,
        asker_name: str,
        text: str,
        partner_thread: str | None,
        now: datetime,
        offered: Sequence[int] = (),
        relay_at: datetime | None = None,
    ) -> int:
        """Store a question and queue its relay to the admin channel, atomically; with `offered`
        answers, the question waits on the partner's choice and its relay is due at `relay_at`."""
        async with self._sessions.begin() as session:
            question = QuestionRow(
                status=QuestionStatus.OFFERED.value if offered else QuestionStatus.OPEN.value,
                channel_id=channel_id,
                delivery_id=delivery_id,
                announcement_id=announcement_id,
                asker_id=asker,
                asker_name=asker_name,
                text=text,
                partner_thread=partner_thread,
                created_at=now,
            )
            session.add(question)
            await session.flush()
            await record_event(
                session,
                EngagementKind.QUESTION_ASKED,
                channel_id=channel_id,
                user=asker,
                now=now,
                announcement_id=announcement_id,
            )
            question_id = need_id(question.id)
            for used in offered:
                session.add(OfferedAnswerRow(question_id=question_id, answered_by=used))
            due = relay_at if offered and relay_at is not None else now
            session.add(RelayRow(kind=RelayKind.QUESTION.value, question_id=question_id, not_before=due))
            return question_id

    async def answer(
        self,
        question_id: int,
        *,
        admin_platform: str,
        admin_id: str,
        admin_name: str,
        text: str,
        now: datetime,
    ) -> int:
        """Store an answer, mark the question answered and queue the relay back, atomically."""
        async with self._sessions.begin() as session:
            answer = AnswerRow(
                question_id=question_id,
                admin_platform=admin_platform,
                admin_id=admin_id,
                admin_name=admin_name,
                text=text,
                created_at=now,
            )
            session.add(answer)
            await session.flush()
            asked = await session.get(QuestionRow, question_id)
            if asked is not None:
                # Counted for the partner who asked: the vendor answered them.
                await record_event(
                    session,
                    EngagementKind.ANSWER_RECEIVED,
                    channel_id=asked.channel_id,
                    user=asked.asker_id,
                    now=now,
                    announcement_id=asked.announcement_id,
                )
            await session.exec(
                update(QuestionRow)
                .where(col(QuestionRow.id) == question_id)
                .values(status=QuestionStatus.ANSWERED.value, answered_at=now)
            )
            await index_answer(session, question_id, text, now=now)
            session.add(
                RelayRow(
                    kind=RelayKind.ANSWER.value,
                    question_id=question_id,
                    answer_id=need_id(answer.id),
                    not_before=now,
                )
            )
            return need_id(answer.id)

    async def answer_text(self, answer_id: int) -> tuple[str, str]:
        async with self._sessions() as session:
            row = await session.get(AnswerRow, answer_id)
            assert row is not None
            return row.text, row.admin_name

    async def question(self, question_id: int) -> Question | None:
        async with self._sessions() as session:
            found = (await session.exec(_question_query().where(QuestionRow.id == question_id))).first()
            return _to_question(*found) if found else None

    async def open_questions(self, *, limit: int = 50) -> list[Question]:
        query = (
            _question_query().where(QuestionRow.status == "open").order_by(col(QuestionRow.id)).limit(limit)
        )
        async with self._sessions() as session:
            return [_to_question(*found) for found in await session.exec(query)]

    async def questions_in_admin_thread(self, channel: str, thread: str) -> list[Question]:
        query = _question_query().where(
            QuestionRow.admin_channel == channel, QuestionRow.admin_thread == thread
        )
        async with self._sessions() as session:
            return [_to_question(*found) for found in await session.exec(query.order_by(col(QuestionRow.id)))]

    async def set_relayed(self, question_id: int, *, channel: str, message: str, thread: str) -> None:
        async with self._sessions.begin() as session:
            await session.exec(
                update(QuestionRow)
                .where(col(QuestionRow.id) == question_id)
                .values(admin_channel=channel, admin_message=message, admin_thread=thread)
            )
            # An offer nobody took up in time (issue 18): the question is the team's now.
            await session.exec(
                update(QuestionRow)
                .where(
                    col(QuestionRow.id) == question_id,
                    col(QuestionRow.status) == QuestionStatus.OFFERED.value,
                )
                .values(status=QuestionStatus.OPEN.value)
            )


def _question_query() -> Any:
    return (
        select(QuestionRow, ChannelRow, PartnerRow)
        .join(ChannelRow, col(ChannelRow.id) == QuestionRow.channel_id)
        .outerjoin(PartnerRow, col(PartnerRow.id) == ChannelRow.partner_id)
    )


def _to_question(row: QuestionRow, channel: ChannelRow, partner: PartnerRow | None) -> Question:
    return Question(
        id=need_id(row.id),
        channel=channel_ref(channel),
        channel_id=need_id(channel.id),
        announcement_id=row.announcement_id,
        asker=row.asker_name or row.asker_id,
        text=row.text,
        status=QuestionStatus(row.status),
        partner_name=partner.name if partner else (channel.name or "?"),
        partner_tier=partner.tier if partner else "unlinked",
        partner_thread=row.partner_thread,
        admin_thread=row.admin_thread,
        created_at=row.created_at,
    )


def _reaction_kind(emoji: str, added: bool) -> EngagementKind:
    if not added:
        return EngagementKind.REACTION_REMOVED
    return EngagementKind.HELPFUL if emoji == HELPFUL_EMOJI else EngagementKind.REACTION_ADDED

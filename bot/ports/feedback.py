"""Feedback from partners: reactions, questions and answers, acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.feedback import AckDue, AckState, DeliveryHit, Question
from bot.domain.refs import Platform


class FeedbackStore(Protocol):
    """Implemented by `storage.repositories.FeedbackRepository`."""

    async def delivery_by_message(self, platform: Platform, channel: str, message: str) -> DeliveryHit | None:
        """The delivery whose posted message is `message` in that platform channel."""
        ...

    async def record_reaction(
        self, delivery_id: int, *, user: str, emoji: str, added: bool, now: datetime
    ) -> None: ...

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
        """Store a question and queue its relay to the admin channel, atomically. With `offered`
        (the answered questions whose answers the partner is offered first, issue 18) the question
        waits on the partner's choice (status `offered`) and its relay is due at `relay_at`."""
        ...

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
        ...

    async def answer_text(self, answer_id: int) -> tuple[str, str]: ...

    async def question(self, question_id: int) -> Question | None: ...

    async def open_questions(self, *, limit: int = 50) -> list[Question]: ...

    async def questions_in_admin_thread(self, channel: str, thread: str) -> list[Question]: ...

    async def set_relayed(self, question_id: int, *, channel: str, message: str, thread: str) -> None: ...


class AckStore(Protocol):
    """Implemented by `storage.repositories.AckRepository`: acknowledgements of deliveries."""

    async def record(self, delivery_id: int, *, user: str, user_name: str, now: datetime) -> AckState | None:
        """Acknowledge a delivery once: None when this call recorded it, else the earlier record."""
        ...

    async def states(self, announcement_id: int) -> list[AckState]:
        """Every delivered copy of the announcement with its acknowledgement, if any (by partner)."""
        ...

    async def due(self, *, delivered_before: datetime, key_prefix: str, limit: int) -> list[AckDue]:
        """Delivered, unacknowledged copies of `ack_required` announcements, delivered before
        `delivered_before` to active channels, with no notice keyed `key_prefix + delivery id` yet."""
        ...

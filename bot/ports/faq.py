"""Answered questions kept for reuse (issue 18): the index the full-text Similarity reads, the FAQs
admins mark and word, and the offers made to partners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.faq import Faq, FaqCandidate, MatchWords, OfferState


class FaqStore(Protocol):
    """Implemented by `storage.repositories.FaqRepository` (SQLite FTS5, PostgreSQL tsvector)."""

    async def common_words(self, *, words: Sequence[str]) -> frozenset[str]:
        """The ones of `words` too common among the answered questions to match on (bot/domain/faq.py:
        `is_common` over `faq_word`'s counts)."""
        ...

    async def candidates(self, *, wanted: MatchWords, announcement_id: int | None) -> list[FaqCandidate]:
        """Answered questions holding any of the wanted words, best ranked first: the FAQs and the
        ones asked about `announcement_id`. The caller applies the relevance floor and audience."""
        ...

    async def self_serve(
        self, *, question_id: int, used: int, channel_id: int, user: str, now: datetime
    ) -> OfferState:
        """ "This answers it": close the offered question without relaying it (its relay row is
        cancelled), count it for the answer `used` (which must have been offered), and record a
        `question_self_served` event — atomically; or say where the question already stands."""
        ...

    async def relay_now(self, *, question_id: int, channel_id: int, now: datetime) -> OfferState:
        """ "Ask the team anyway": the offered question's relay is due now; or where it stands."""
        ...

    async def faq(self, question_id: int) -> Faq | None:
        """The answered question's reusable form (marked as FAQ or not); None if it has no answer."""
        ...

    async def set_faq(self, question_id: int, *, on: bool, now: datetime) -> Faq | None:
        """Mark (or unmark) an answered question as FAQ; None if it has no answer."""
        ...

    async def set_wording(
        self, question_id: int, *, question: str | None, answer: str | None, now: datetime
    ) -> Faq | None:
        """Edit an FAQ's wording (re-indexed in the same transaction); None if it has no answer."""
        ...

    async def faqs(self) -> Sequence[Faq]:
        """Every FAQ, the most used first."""
        ...

"""Answered questions kept for reuse (issue 18): the index the full-text Similarity reads, the FAQs
admins mark and word, and the offers made to partners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.faq import Faq, FaqCandidate, KeptVector, MatchWords, OfferState, Wording


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


class FaqVectorStore(Protocol):
    """The vectors an embedding `Similarity` keeps for the answered questions it may offer, one per
    question and model (implemented by `storage.repositories.FaqVectorRepository`). A vector is
    dropped in the transaction that changes the wording it was computed from (a new answer, an FAQ's
    edited wording), so a kept vector always belongs to the words partners are shown."""

    async def faq_vectors(self, *, model: str, after: int, limit: int) -> list[KeptVector]:
        """Up to `limit` FAQs whose question id is above `after`, by id, each with its vector for
        `model` (None when none is kept): one page of a walk over every FAQ."""
        ...

    async def answer_vectors(self, *, model: str, announcement_id: int) -> list[KeptVector]:
        """The answered questions asked about `announcement_id`, each with its vector for `model`."""
        ...

    async def missing_vectors(
        self, *, model: str, faqs: bool, before: int | None, limit: int
    ) -> list[Wording]:
        """Up to `limit` answered questions without a vector for `model`, newest first (question id
        below `before`, if given), with their current wording: FAQs (`faqs`), or else the answers
        given under an announcement that are no FAQ. One page of the walk that fills them."""
        ...

    async def wordings(self, question_ids: Sequence[int]) -> list[Wording]:
        """The current wording of each of these answered questions (those still answered)."""
        ...

    async def keep_vectors(self, *, model: str, vectors: Sequence[tuple[Wording, bytes]]) -> None:
        """Keep (or replace) each vector for `model` — unless its question's wording is no longer
        the one it was computed from (edited meanwhile): then it is dropped."""
        ...

    async def offerable(self, question_ids: Sequence[int]) -> list[FaqCandidate]:
        """These answered questions as candidates (who asked, under which announcement, their shown
        wording), in no order and with rank 0: the caller ranks them."""
        ...

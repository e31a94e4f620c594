"""Answers that already exist (issue 18): which answered questions resemble a partner's new one."""

from __future__ import annotations

from typing import Protocol

from bot.domain.directory import Partner
from bot.domain.faq import SimilarAnswer


class Similarity(Protocol):
    """Finds answers worth offering before a question goes to the vendor team.

    The default is full-text (`bot.services.similarity.FullTextSimilarity`, over the database's
    index of answered questions). Another implementation (an embedding model, say) must keep the
    same audience rules: only answers to questions on `announcement_id`, and FAQs whose announcement
    (if any) the channel may see; another partner's question wording only for an FAQ."""

    async def similar(
        self,
        *,
        text: str,
        channel_id: int,
        partner: Partner | None,
        announcement_id: int | None,
        limit: int,
    ) -> list[SimilarAnswer]:
        """Up to `limit` answers for the question `text` asked in `channel_id` (about
        `announcement_id`, or none for a direct question), best first; none when nothing is close."""
        ...


class VectorFiller(Protocol):
    """Computes the vectors an embedding `Similarity` has not kept yet (for every answered question
    it may offer), in batches, so that questions never wait for them; run by the `faq-vectors` job
    (bot/jobs.py). Only an embedding matcher has one."""

    async def fill(self, *, limit: int) -> int:
        """Encode and keep up to `limit` missing vectors, a batch at a time; how many were encoded.
        Fewer than `limit` means none were missing when the walk ended."""
        ...

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

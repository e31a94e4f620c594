"""The default `Similarity` (bot/ports/similarity.py): full-text matching by the database — and the
audience rules every `Similarity` keeps (`OfferAudience`, shared with the embedding matcher in
adapters/similarity/).

The store finds answered questions holding any of the new question's significant words — but those
too common among the answered questions (bot/domain/faq.py) — ranked (a share of the words found
on SQLite, ts_rank on PostgreSQL); here they must clear the relevance floor (bot/domain/faq.py) and the
audience rules:

- an answer given under the announcement asked about, or an FAQ;
- an FAQ given under another announcement only if this channel may see that announcement (the rule
  of `news search`: its audience includes the partner, or it was delivered to the channel);
- another partner's question wording is never shown unless it is an FAQ (then the FAQ's wording).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence

from bot.domain.directory import Partner
from bot.domain.faq import FaqCandidate, SimilarAnswer, clears_floor, match_words, significant_words
from bot.ports.faq import FaqStore
from bot.ports.search import SearchStore


class OfferAudience:
    """Which ranked candidates a partner may be offered, and how each is shown (the module's rules).
    Every `Similarity` hands its candidates to `offers`, best first, in chunks: the announcements of
    a chunk's FAQs are checked in one query."""

    def __init__(self, search: SearchStore) -> None:
        self._search = search

    async def offers(
        self,
        ranked: AsyncIterable[Sequence[FaqCandidate]],
        *,
        channel_id: int,
        partner: Partner | None,
        announcement_id: int | None,
        limit: int,
    ) -> list[SimilarAnswer]:
        """The first `limit` of `ranked` this channel may be offered, as the partner sees them."""
        offered: list[SimilarAnswer] = []
        if limit <= 0:
            return offered
        async for chunk in ranked:
            elsewhere = {c.announcement_id for c in chunk if _faq_elsewhere(c, announcement_id)}
            seen = await self._search.visible_among(
                {a for a in elsewhere if a is not None}, channel_id=channel_id, partner=partner
            )
            for candidate in chunk:
                if _may_see(candidate, announcement_id, seen):
                    offered.append(_shown(candidate, channel_id, partner))
                    if len(offered) == limit:
                        return offered
        return offered


def _faq_elsewhere(candidate: FaqCandidate, announcement_id: int | None) -> bool:
    """An FAQ given under another announcement than the one asked about: offered only if the channel
    may see that announcement."""
    return candidate.faq and candidate.announcement_id not in (None, announcement_id)


def _may_see(candidate: FaqCandidate, announcement_id: int | None, seen: frozenset[int]) -> bool:
    if candidate.announcement_id is None or candidate.announcement_id == announcement_id:
        return candidate.faq or candidate.announcement_id is not None
    return candidate.faq and candidate.announcement_id in seen


class FullTextSimilarity:
    def __init__(self, faq: FaqStore, search: SearchStore) -> None:
        self._faq = faq
        self._audience = OfferAudience(search)

    async def similar(
        self,
        *,
        text: str,
        channel_id: int,
        partner: Partner | None,
        announcement_id: int | None,
        limit: int,
    ) -> list[SimilarAnswer]:
        every = significant_words(text)
        if not every:
            return []
        # Common words are left out of the match and of the floor (bot/domain/faq.py).
        common = await self._faq.common_words(words=sorted(set(every.words))) if every.words else frozenset()
        wanted = match_words(text, common)
        if not wanted:
            return []
        found = await self._faq.candidates(wanted=wanted, announcement_id=announcement_id)
        close = [candidate for candidate in found if clears_floor(wanted, candidate.folded)]
        return await self._audience.offers(
            one_chunk(close),
            channel_id=channel_id,
            partner=partner,
            announcement_id=announcement_id,
            limit=limit,
        )


async def one_chunk(items: Sequence[FaqCandidate]) -> AsyncIterator[Sequence[FaqCandidate]]:
    """`items` as the one chunk `OfferAudience.offers` reads (the full-text match's few rows)."""
    yield items


def _shown(candidate: FaqCandidate, channel_id: int, partner: Partner | None) -> SimilarAnswer:
    """The candidate as the partner sees it: the question's words only if it is an FAQ or theirs."""
    own = candidate.channel_id == channel_id or (
        partner is not None and candidate.partner_id is not None and candidate.partner_id == partner.id
    )
    return SimilarAnswer(
        question_id=candidate.question_id,
        question=candidate.question if candidate.faq or own else "",
        answer=candidate.answer,
        faq=candidate.faq,
        rank=candidate.rank,
    )

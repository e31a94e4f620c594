"""Searching past announcements (`news search`): the full-text index kept by the database."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from bot.domain.directory import Partner
from bot.domain.engagement import NewsSearch
from bot.domain.search import DeliveredCopy, SearchHit, SearchQuery


class SearchStore(Protocol):
    """Implemented by `storage.repositories.SearchRepository` (SQLite FTS5, PostgreSQL tsvector)."""

    async def search(
        self,
        *,
        query: SearchQuery,
        channel_id: int,
        partner: Partner | None,
        limit: int,
        topic_id: int | None = None,
        searched_by: NewsSearch | None = None,
    ) -> list[SearchHit]:
        """The announcements matching `query` that the channel may see — sent (not recalled) to an
        audience that includes `partner`, or delivered to the channel — best match first, newest first
        among equals; with `topic_id`, only those on that topic; with `searched_by`, a `news_searched`
        event is written once the search has run."""
        ...

    async def visible(self, announcement_id: int, *, channel_id: int, partner: Partner | None) -> bool:
        """Whether a search from the channel may find the announcement (the "Show" button checks)."""
        ...

    async def visible_among(
        self, announcement_ids: Collection[int], *, channel_id: int, partner: Partner | None
    ) -> frozenset[int]:
        """The ones of `announcement_ids` a search from the channel may find (`visible`, in one query:
        the answers offered before a question is relayed check several at once)."""
        ...

    async def delivered(self, announcement_id: int, *, channel_id: int) -> DeliveredCopy | None:
        """The copy of the announcement sent to the channel, if one was (the "Show" button answers
        with it: its language, its counted links, a link to the message that carries its files)."""
        ...

"""`news search <words>` and its "Show" button: past announcements a channel may see, found by the
database's full-text index (bot/ports/search.py), shown in the channel's language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import SearchNews
from bot.domain.conversation import Invocation
from bot.domain.directory import Channel, Partner
from bot.domain.engagement import NewsSearch
from bot.domain.search import SearchHit, SearchQuery, matches, snippet
from bot.domain.variants import pick, reader_language
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.search import SearchStore
from bot.ports.topics import TopicStore
from bot.results import AnnouncementGone, AnnouncementShown, FoundAnnouncement, NewsFound, Refused
from bot.services.partners import resolve_topics
from bot.settings import CoreSettings
from bot.timezones import channel_clock

SEARCH_SHOWN = 5  # results per search; `more` says when others matched


@dataclass(frozen=True, slots=True)
class SearchPorts:
    directory: DirectoryStore
    topics: TopicStore
    announcements: AnnouncementStore
    search: SearchStore


class SearchService:
    def __init__(self, ports: SearchPorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings

    async def search(self, inv: Invocation, cmd: SearchNews) -> NewsFound | Refused:
        """The announcements the channel may see that match, best first (recorded as a search)."""
        channel, partner = await self._reader(inv)
        topic_id: int | None = None
        if cmd.topic:
            chosen, problem = resolve_topics(
                (cmd.topic,), await self._stores.topics.all(include_archived=True)
            )
            if problem:
                return problem
            topic_id = chosen[0].id
        hits = await self._stores.search.search(
            query=cmd.query,
            channel_id=channel.id,
            partner=partner,
            topic_id=topic_id,
            limit=SEARCH_SHOWN + 1,
            searched_by=NewsSearch(inv.user.user, self._clock.now(), cmd.words),
        )
        language = self._language(partner)
        found = tuple(_found(hit, cmd.query, language) for hit in hits[:SEARCH_SHOWN])
        return NewsFound(
            cmd.words, found, more=len(hits) > SEARCH_SHOWN, timezone=self._zone(channel, partner)
        )

    async def show(self, inv: Invocation, announcement_id: int) -> AnnouncementShown | AnnouncementGone:
        """A search result in full, if the channel may still see it."""
        channel, partner = await self._reader(inv)
        visible = await self._stores.search.visible(announcement_id, channel_id=channel.id, partner=partner)
        announcement = await self._stores.announcements.get(announcement_id) if visible else None
        if announcement is None:
            return AnnouncementGone()
        variant = pick(announcement.variants, self._language(partner))
        return AnnouncementShown(
            title=variant.title if variant else announcement.title,
            body=variant.body if variant else announcement.body,
            sent=announcement.sent_at or announcement.created_at,
            topics=announcement.topics,
            ctas=announcement.ctas,
            files=announcement.files,
            timezone=self._zone(channel, partner),
        )

    def _zone(self, channel: Channel, partner: Partner | None) -> str:
        """The channel's clock: its own zone, else its partner's, else the vendor's."""
        return channel_clock(
            channel.timezone, partner.timezone if partner else None, self._settings.default_timezone
        )

    async def _reader(self, inv: Invocation) -> tuple[Channel, Partner | None]:
        channel = await self._stores.directory.ensure_channel(
            inv.channel, name=inv.channel_name, now=self._clock.now()
        )
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        return channel, partner

    def _language(self, partner: Partner | None) -> str:
        return reader_language(partner.language if partner else None, self._settings.default_language)


def _found(hit: SearchHit, query: SearchQuery, language: str) -> FoundAnnouncement:
    """The result in the reader's language; its snippet quotes the first text of the announcement that
    holds a match: the reader's own, else the default text, else another language's."""
    variant = pick(hit.variants, language)
    title = variant.title if variant else hit.title
    texts = [variant.body if variant else hit.body, hit.body, *(v.body for v in hit.variants)]
    quoted = next((text for text in texts if matches(text, query)), texts[0])
    return FoundAnnouncement(
        announcement_id=hit.announcement_id,
        title=title,
        sent=hit.sent,
        topics=hit.topics,
        snippet=snippet(quoted, query),
    )

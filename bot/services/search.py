"""`news search <words>` and its "Show" button: past announcements a channel may see, found by the
database's full-text index (bot/ports/search.py), shown in the channel's language.

"Show" answers with the announcement as the channel got it: the language variant of the channel's own
copy (else the one a copy would have had: the channel's language, its partner's, the vendor's), its
calls to action and its files. A channel that received a copy has its clicks counted on that copy:
Discord's link buttons go through the copy's signed redirect (with PARTNERBOT_PUBLIC_URL), Slack's URL
buttons report the press (`link_pressed`). Without a copy, the buttons open the page itself and count
nothing: a click must belong to a delivery (the `link_clicked` event and the per-tier counts are per
copy), and making one up for a search would count partners who never got the announcement.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import SearchNews
from bot.domain.conversation import FileShown, Invocation
from bot.domain.directory import Channel, Partner
from bot.domain.engagement import NewsSearch
from bot.domain.files import Attachment
from bot.domain.refs import MessageRef
from bot.domain.search import DeliveredCopy, SearchHit, SearchQuery, matches, snippet
from bot.domain.variants import pick, reader_language
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.cta import CtaStore
from bot.ports.directory import DirectoryStore
from bot.ports.files import FileStore
from bot.ports.search import SearchStore
from bot.ports.topics import TopicStore
from bot.results import AnnouncementGone, AnnouncementShown, FoundAnnouncement, NewsFound, Refused
from bot.services import cta
from bot.services.partners import resolve_topics
from bot.services.preview_images import MAX_IMAGE_URL, SLACK_IMAGES, ImageLinks
from bot.settings import CoreSettings
from bot.timezones import channel_clock

SEARCH_SHOWN = 5  # results per search; `more` says when others matched


@dataclass(frozen=True, slots=True)
class SearchPorts:
    directory: DirectoryStore
    topics: TopicStore
    announcements: AnnouncementStore
    search: SearchStore
    ctas: CtaStore


@dataclass(frozen=True, slots=True)
class ShowLinks:
    """What "Show" links to, where the root makes such links (PARTNERBOT_PUBLIC_URL): the counted
    CTA redirects, and images at signed links (served from `files`, which "Show" also asks whether
    each file is still there)."""

    ctas: cta.CtaLinks | None = None
    images: ImageLinks | None = None
    files: FileStore | None = None


class SearchService:
    def __init__(
        self, ports: SearchPorts, clock: Clock, settings: CoreSettings, links: ShowLinks | None = None
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._links = links or ShowLinks()

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
        language = self._channel_language(channel, partner)
        found = tuple(_found(hit, cmd.query, language) for hit in hits[:SEARCH_SHOWN])
        return NewsFound(
            cmd.words, found, more=len(hits) > SEARCH_SHOWN, timezone=self._zone(channel, partner)
        )

    async def show(self, inv: Invocation, announcement_id: int) -> AnnouncementShown | AnnouncementGone:
        """A search result in full, as the channel got it, if the channel may still see it."""
        channel, partner = await self._reader(inv)
        visible = await self._stores.search.visible(announcement_id, channel_id=channel.id, partner=partner)
        announcement = await self._stores.announcements.get(announcement_id) if visible else None
        if announcement is None:
            return AnnouncementGone()
        copy = await self._stores.search.delivered(announcement_id, channel_id=channel.id)
        language = (
            reader_language(copy.language, self._settings.default_language)
            if copy is not None
            else self._channel_language(channel, partner)
        )
        variant = pick(announcement.variants, language)
        return AnnouncementShown(
            announcement_id=announcement_id,
            title=variant.title if variant else announcement.title,
            body=variant.body if variant else announcement.body,
            sent=announcement.sent_at or announcement.created_at,
            topics=announcement.topics,
            ctas=cta.buttons(
                announcement.ctas,
                announcement_id=announcement_id,
                delivery_id=copy.delivery_id if copy else 0,
                links=self._links.ctas,
            ),
            files=tuple([await self._file(announcement_id, f) for f in announcement.files]),
            delivered=MessageRef(inv.channel, copy.message) if copy and copy.message else None,
            timezone=self._zone(channel, partner),
        )

    async def link_pressed(self, inv: Invocation, announcement_id: int, number: int) -> bool:
        """A call to action pressed under "Show" on a platform that reports link presses (Slack):
        one click counted on the channel's own copy, if it got one and may still see it."""
        channel, partner = await self._reader(inv)
        copy = await self._visible_copy(announcement_id, channel, partner)
        if copy is None:
            return False
        clicked = await self._stores.ctas.click(
            delivery_id=copy.delivery_id,
            announcement_id=announcement_id,
            number=number,
            user=inv.user.user,
            now=self._clock.now(),
        )
        return clicked is not None

    async def _visible_copy(
        self, announcement_id: int, channel: Channel, partner: Partner | None
    ) -> DeliveredCopy | None:
        if not await self._stores.search.visible(announcement_id, channel_id=channel.id, partner=partner):
            return None  # recalled since: its clicks no longer count
        return await self._stores.search.delivered(announcement_id, channel_id=channel.id)

    async def _file(self, announcement_id: int, file: Attachment) -> FileShown:
        """The file, whether its bytes are still stored, and a signed link to it if Slack can show it."""
        store = self._links.files
        if store is not None and not await store.has(sha256=file.sha256):
            return FileShown(file, missing=True)
        url = ""
        if self._links.images is not None and store is not None and file.media_type in SLACK_IMAGES:
            url = self._links.images.link(announcement_id, file.sha256, self._clock.now())
        return FileShown(file, image_url=url if len(url) <= MAX_IMAGE_URL else "")

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

    def _channel_language(self, channel: Channel, partner: Partner | None) -> str:
        """The language a copy sent now would be read in: the channel's own setting, else its
        partner's (as fan-out stores it on the delivery), else the vendor default."""
        stored = channel.language or (partner.language if partner else None)
        return reader_language(stored, self._settings.default_language)


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

"""Daily and weekly digests: one message per channel and period instead of each announcement.

Announcements for a daily/weekly channel are written as held delivery rows (status `digest`). The
periodic `digests` job (bot/app.py) asks `create_due`, which finds, per zone and mode, the latest
digest moment each channel has passed and makes that period's digest from the rows held up to then.
The delivery worker drains digests like deliveries (lease, retry, look before re-posting) and, once
one is posted, its rows are marked sent with the digest's message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot import messages as m
from bot.caps import MISSED
from bot.domain.directory import DeliveryMode
from bot.domain.outbox import Work
from bot.domain.sending import DigestItem, DigestPost, Outgoing
from bot.domain.variants import pick, reader_language
from bot.formats import long_day
from bot.i18n import reading
from bot.ports.clock import Clock
from bot.ports.outbox import DigestStore
from bot.services.cta import CtaLinks, linked
from bot.settings import CoreSettings
from bot.timezones import last_digest, local_wall, parse_period_key, period_key, zone_or

CATCH_UP = "now"  # the period of a channel that went back to immediate with announcements held


def idempotency_key(work: Work) -> str:
    """Stable for the digest row, which is unique per (channel, period)."""
    return f"g{work.id}"


@dataclass(frozen=True, slots=True)
class DigestPorts:
    """The ports DigestService uses (bot/core.py wires them)."""

    digests: DigestStore


class DigestService:
    def __init__(
        self, ports: DigestPorts, clock: Clock, settings: CoreSettings, *, cta_links: CtaLinks | None = None
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        # With a public URL, the CTAs a digest lists lead through the redirect that counts clicks.
        self._links = cta_links

    async def create_due(self) -> int:
        """Make every digest whose moment has come; returns how many were made.

        Safe to run in several processes at once: a (channel, period) digest is made once, and the
        rows it carries are fixed when it is made. An empty period makes nothing.
        """
        now = self._clock.now()
        when = self._settings.digest_at()
        made = 0
        for group in await self._stores.digests.held_groups():
            _, tz = zone_or(group.zone or None, self._settings.default_timezone)
            if group.missed:
                # Held by the channel's weekly cap: a "You also missed" digest at its daily digest time.
                boundary, day = last_digest(now, DeliveryMode.DAILY, when, tz)
                period = f"{MISSED}:{day.isoformat()}"
            elif group.mode is DeliveryMode.IMMEDIATE:
                # The channel left digest mode with announcements still held: send them now, once.
                boundary, period = now, f"{CATCH_UP}:{local_wall(now, tz):%Y-%m-%dT%H:%M}"
            else:
                boundary, day = last_digest(now, group.mode, when, tz)
                period = period_key(group.mode, day)
            made += await self._stores.digests.create(group=group, period=period, boundary=boundary, now=now)
        return made

    async def outgoing(self, work: Work) -> Outgoing:
        """What the worker posts for a claimed digest."""
        assert work.channel is not None
        period, items = await self._stores.digests.contents(work.id)
        items = [self._in_language(item) for item in items]
        items = [
            replace(
                item,
                ctas=linked(
                    item.ctas,
                    announcement_id=item.announcement_id,
                    delivery_id=item.delivery_id,
                    links=self._links,
                ),
            )
            if item.ctas
            else item
            for item in items
        ]
        language = reader_language(items[0].language if items else None, self._settings.default_language)
        with reading(language):
            period_label = str(label(period))  # plain text in the reader language
        post = DigestPost(digest_id=work.id, period_label=period_label, items=tuple(items), language=language)
        return Outgoing(channel=work.channel, content=post)

    def _in_language(self, item: DigestItem) -> DigestItem:
        """The item in its reader's language: the best matching variant, else the default text."""
        language = reader_language(item.language, self._settings.default_language)
        variant = pick(item.variants, language)
        return replace(item, title=variant.title, body=variant.body) if variant else item


def label(period: str) -> str:
    kind, day = parse_period_key(period)
    if kind == MISSED:
        return m.DIGEST_MISSED
    if day is None or kind == CATCH_UP:
        return m.DIGEST_CATCH_UP
    template = m.DIGEST_WEEKLY if kind == DeliveryMode.WEEKLY.value else m.DIGEST_DAILY
    # The day written out as the reader writes it: "Wednesday, November 25, 2026" (Babel, CLDR).
    return template.format(date=long_day(day))

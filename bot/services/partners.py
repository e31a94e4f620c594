"""What partners do in their own channel: choose topics, read news, set delivery preferences, join.

Each use-case returns a typed result (bot/results.py) saying what changed or why not; the
presenter (bot/presenter/partners.py) words it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import available_timezones

from bot.caps import effective_cap
from bot.commands import Join, News, SetMode, SetQuietHours, SetTimezone, SetWeeklyCap, Subscribe, Unsubscribe
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.directory import Channel, InviteOutcome
from bot.domain.engagement import NewsPull
from bot.domain.topics import Topic
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.topics import SubscriptionStore, TopicStore
from bot.presenter.partners import SUBSCRIBE_ACTION as SUBSCRIBE_ACTION
from bot.presenter.partners import UNSUBSCRIBE_ACTION as UNSUBSCRIBE_ACTION
from bot.results import (
    ChannelSettings,
    Joined,
    ModeSet,
    NewsListed,
    QuietHoursSet,
    Refused,
    Subscribed,
    SubscriptionsListed,
    TimezoneSet,
    TopicsListed,
    Unsubscribed,
    WeeklyCapSet,
)
from bot.settings import CoreSettings
from bot.timezones import channel_clock, closest_zone, stored_quiet

_INVITE_REFUSALS = {
    InviteOutcome.UNKNOWN: RefusalCode.INVITE_UNKNOWN,
    InviteOutcome.USED: RefusalCode.INVITE_USED,
    InviteOutcome.EXPIRED: RefusalCode.INVITE_EXPIRED,
}


@dataclass(frozen=True, slots=True)
class PartnerPorts:
    """The ports PartnerService uses (bot/core.py wires them)."""

    directory: DirectoryStore
    topics: TopicStore
    subscriptions: SubscriptionStore
    announcements: AnnouncementStore


class PartnerService:
    def __init__(self, ports: PartnerPorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings

    async def channel(self, inv: Invocation) -> Channel:
        """The calling channel, registered the first time anyone uses partnerbot there."""
        return await self._stores.directory.ensure_channel(
            inv.channel, name=inv.channel_name, now=self._clock.now()
        )

    async def topics(self, inv: Invocation) -> TopicsListed:
        """Every active topic, and which of them the channel follows."""
        channel = await self.channel(inv)
        topics = await self._stores.topics.all()
        if not topics:
            return TopicsListed(())
        mine = frozenset(t.slug for t in await self._stores.subscriptions.topics_of(channel.id))
        return TopicsListed(tuple(topics), mine)

    async def subscribe(self, inv: Invocation, cmd: Subscribe) -> Subscribed | Refused:
        """Follow the topics named (or every active one): which were added, which followed already."""
        # One transaction: read the topics, register the channel and subscribe it.
        linked_only = not self._settings.open_subscriptions
        chosen: list[Topic] = []
        problem: Refused | None = None

        def choose(topics: Sequence[Topic]) -> list[int]:
            nonlocal chosen, problem
            chosen, problem = resolve_topics(cmd.topics, topics, everything=cmd.all)
            return [] if problem else [t.id for t in chosen]

        channel, new_ids = await self._stores.subscriptions.subscribe_channel(
            inv.channel,
            choose,
            name=inv.channel_name,
            now=self._clock.now(),
            linked_only=linked_only,
            user=inv.user.user,
        )
        if problem:
            # Partner news is for partners: a channel subscribes once it is linked to one.
            return _NEEDS_LINK if linked_only and channel.partner_id is None else problem
        if new_ids is None:
            return _NEEDS_LINK
        added = sorted({t.slug for t in chosen if t.id in new_ids})
        already = tuple(t.slug for t in chosen if t.slug not in added)
        return Subscribed(tuple(added), already, linked=channel.partner_id is not None)

    async def unsubscribe(
        self, inv: Invocation, cmd: Unsubscribe, *, muted: bool = False
    ) -> Unsubscribed | Refused:
        """Stop following the topics named (or all): which were removed. `muted`: the "Mute this topic"
        button (recorded as its own kind of engagement event)."""
        channel = await self.channel(inv)
        mine = await self._stores.subscriptions.topics_of(channel.id)
        if cmd.all:
            chosen: Sequence[Topic] = mine
        else:
            chosen, problem = resolve_topics(cmd.topics, await self._stores.topics.all(include_archived=True))
            if problem:
                return problem
        removed = await self._stores.subscriptions.remove(
            channel.id, [t.id for t in chosen], user=inv.user.user, now=self._clock.now(), muted=muted
        )
        return Unsubscribed(tuple(removed), tuple(t.slug for t in chosen))

    async def toggle(
        self, inv: Invocation, slug: str, *, subscribe: bool
    ) -> Subscribed | Unsubscribed | Refused:
        """The Subscribe/Unsubscribe buttons next to each topic."""
        if subscribe:
            return await self.subscribe(inv, Subscribe(topics=(slug,)))
        return await self.unsubscribe(inv, Unsubscribe(topics=(slug,)))

    async def subscriptions(self, inv: Invocation) -> SubscriptionsListed:
        """The topics the channel follows."""
        channel = await self.channel(inv)
        return SubscriptionsListed(tuple(await self._stores.subscriptions.topics_of(channel.id)))

    async def news(self, inv: Invocation, cmd: News) -> NewsListed | Refused:
        """The latest announcements on a topic, or on the topics the channel follows."""
        channel = await self.channel(inv)
        if cmd.topic:
            chosen, problem = resolve_topics(
                (cmd.topic,), await self._stores.topics.all(include_archived=True)
            )
            if problem:
                return problem
        else:
            chosen = await self._stores.subscriptions.topics_of(channel.id)
            if not chosen:
                return NewsListed((), follows_nothing=True)
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        found = await self._stores.announcements.news(
            topic_ids=[t.id for t in chosen],
            partner=partner,
            limit=cmd.count,
            pulled_by=NewsPull(
                channel.id, inv.user.user, self._clock.now(), chosen[0].id if cmd.topic else None
            ),
        )
        return NewsListed(
            tuple(found),
            timezone=await self._timezone(channel) or self._settings.default_timezone,
            topics=tuple(t.slug for t in chosen),
        )

    async def settings(self, inv: Invocation) -> ChannelSettings:
        """The channel's delivery settings and the partner it is linked to."""
        channel = await self.channel(inv)
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        return ChannelSettings(
            mode=channel.mode,
            digest_at=self._settings.digest_at(),
            timezone=await self._timezone(channel),
            quiet=stored_quiet(channel.quiet_hours, self._settings.default_quiet()),
            quiet_is_default=not channel.quiet_hours,
            partner_name=partner.name if partner else "",
            partner_tier=partner.tier if partner else "",
            cap=effective_cap(channel.weekly_cap, self._settings.weekly_cap),
            # The vendor's cap is the one in force (none in force: nobody's).
            cap_is_default=channel.weekly_cap is None and self._settings.weekly_cap is not None,
        )

    async def set_mode(self, inv: Invocation, cmd: SetMode) -> ModeSet:
        channel = await self.channel(inv)
        await self._stores.directory.set_mode(channel.id, cmd.mode, user=inv.user.user, now=self._clock.now())
        return ModeSet(cmd.mode, self._settings.digest_at(), await self._timezone(channel))

    async def set_quiet_hours(self, inv: Invocation, cmd: SetQuietHours) -> QuietHoursSet:
        channel = await self.channel(inv)
        await self._stores.directory.set_quiet_hours(
            channel.id,
            "off" if cmd.quiet is None else str(cmd.quiet),
            user=inv.user.user,
            now=self._clock.now(),
        )
        return QuietHoursSet(cmd.quiet, await self._timezone(channel))

    async def set_weekly_cap(self, inv: Invocation, cmd: SetWeeklyCap) -> WeeklyCapSet:
        """`settings cap <n>|off|default` (bot/caps.py)."""
        channel = await self.channel(inv)
        await self._stores.directory.set_weekly_cap(
            channel.id, cmd.cap, user=inv.user.user, now=self._clock.now()
        )
        return WeeklyCapSet(
            cap=effective_cap(cmd.cap, self._settings.weekly_cap),
            follows_vendor=cmd.cap is None,
            mode=channel.mode,
            digest_at=self._settings.digest_at(),
            # A partner imported without a zone stores "": the vendor's applies.
            timezone=await self._timezone(channel) or self._settings.default_timezone,
        )

    async def _timezone(self, channel: Channel) -> str:
        """The zone the channel's clock follows: its own, else its partner's, else the vendor's."""
        if channel.timezone:  # no partner to read
            return channel.timezone
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        return channel_clock(None, partner.timezone if partner else None, self._settings.default_timezone)

    async def set_timezone(self, inv: Invocation, cmd: SetTimezone) -> TimezoneSet | Refused:
        zone = _canonical_timezone(cmd.timezone)
        if zone is None:
            suggestion = closest_zone(cmd.timezone) or ""
            return Refused(
                RefusalCode.UNKNOWN_TIMEZONE, "timezone", value=cmd.timezone, suggestion=suggestion
            )
        channel = await self.channel(inv)
        await self._stores.directory.set_timezone(channel.id, zone, user=inv.user.user, now=self._clock.now())
        return TimezoneSet(zone)

    async def join(self, inv: Invocation, cmd: Join) -> Joined | Refused:
        """Link the channel to the partner a join code was made for."""
        channel = await self.channel(inv)
        outcome, partner = await self._stores.directory.redeem_invite(
            cmd.code.strip().upper(), channel_id=channel.id, now=self._clock.now(), user=inv.user.user
        )
        if outcome is InviteOutcome.JOINED and partner is not None:
            return Joined(partner.name, partner.tier)
        return Refused(_INVITE_REFUSALS.get(outcome, RefusalCode.INVITE_UNKNOWN), "code")


_NEEDS_LINK = Refused(RefusalCode.NEEDS_LINK)


def resolve_topics(
    wanted: Sequence[str], topics: Sequence[Topic], *, everything: bool = False
) -> tuple[list[Topic], Refused | None]:
    """Map slugs to topics; the refusal (with the closest known slug) for the first unknown one."""
    active = [t for t in topics if not t.archived]
    if everything:
        return active, None
    by_slug = {t.slug: t for t in topics}
    for slug in wanted:
        if slug not in by_slug:
            close = difflib.get_close_matches(slug, [t.slug for t in active], n=1, cutoff=0.6)
            suggestion = close[0] if close else ""
            return [], Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value=slug, suggestion=suggestion)
    return [by_slug[slug] for slug in wanted], None


def _canonical_timezone(value: str) -> str | None:
    zones = available_timezones()
    if value in zones:
        return value
    folded = {zone.lower(): zone for zone in zones}
    return folded.get(value.strip().lower())

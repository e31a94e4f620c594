"""What partners do in their own channel: choose topics, read news, set delivery preferences, join."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import available_timezones

from bot import messages as m
from bot.commands import Join, News, SetMode, SetQuietHours, SetTimezone, Subscribe, Unsubscribe
from bot.domain.conversation import Button, ButtonStyle, Invocation, Reply, Row
from bot.domain.directory import Channel, DeliveryMode, InviteOutcome
from bot.domain.topics import Topic
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.topics import SubscriptionStore, TopicStore
from bot.settings import CoreSettings
from bot.timezones import WEEKDAYS, closest_zone, stored_quiet

SUBSCRIBE_ACTION = "topic_subscribe"
UNSUBSCRIBE_ACTION = "topic_unsubscribe"


def error(text: str) -> Reply:
    return Reply(text=text, is_error=True)


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

    async def topics(self, inv: Invocation) -> Reply:
        channel = await self.channel(inv)
        topics = await self._stores.topics.all()
        if not topics:
            return Reply(text=m.NO_TOPICS_YET)
        mine = {t.slug for t in await self._stores.subscriptions.topics_of(channel.id)}
        rows = tuple(_topic_row(topic, topic.slug in mine) for topic in topics)
        return Reply(text=m.TOPICS_HEADER.format(count=len(topics), mine=len(mine)), rows=rows)

    async def subscribe(self, inv: Invocation, cmd: Subscribe) -> Reply:
        # One transaction: read the topics, register the channel and subscribe it.
        linked_only = not self._settings.open_subscriptions
        chosen: list[Topic] = []
        problem = ""

        def choose(topics: Sequence[Topic]) -> list[int]:
            nonlocal chosen, problem
            chosen, problem = _resolve(cmd.topics, topics, everything=cmd.all)
            return [] if problem else [t.id for t in chosen]

        channel, new_ids = await self._stores.subscriptions.subscribe_channel(
            inv.channel, choose, name=inv.channel_name, now=self._clock.now(), linked_only=linked_only
        )
        if problem:
            # Partner news is for partners: a channel subscribes once it is linked to one.
            return error(m.SUBSCRIBE_NEEDS_LINK if linked_only and channel.partner_id is None else problem)
        if new_ids is None:
            return error(m.SUBSCRIBE_NEEDS_LINK)
        added = sorted({t.slug for t in chosen if t.id in new_ids})
        already = [t.slug for t in chosen if t.slug not in added]
        text = m.SUBSCRIBED.format(topics=_slugs(added)) if added else m.NOTHING_NEW
        if already:
            text += "\n" + m.ALREADY_SUBSCRIBED.format(topics=_slugs(already))
        if channel.partner_id is None:
            text += "\n" + m.NOT_LINKED_HINT
        return Reply(text=text)

    async def unsubscribe(self, inv: Invocation, cmd: Unsubscribe) -> Reply:
        channel = await self.channel(inv)
        mine = await self._stores.subscriptions.topics_of(channel.id)
        if cmd.all:
            chosen: Sequence[Topic] = mine
        else:
            chosen, problem = _resolve(cmd.topics, await self._stores.topics.all(include_archived=True))
            if problem:
                return error(problem)
        removed = await self._stores.subscriptions.remove(channel.id, [t.id for t in chosen])
        if not removed:
            return Reply(text=m.NOTHING_TO_UNSUBSCRIBE)
        return Reply(text=m.UNSUBSCRIBED.format(topics=_slugs(removed)))

    async def toggle(self, inv: Invocation, slug: str, *, subscribe: bool) -> Reply:
        """The Subscribe/Unsubscribe buttons next to each topic."""
        if subscribe:
            return await self.subscribe(inv, Subscribe(topics=(slug,)))
        return await self.unsubscribe(inv, Unsubscribe(topics=(slug,)))

    async def subscriptions(self, inv: Invocation) -> Reply:
        channel = await self.channel(inv)
        mine = await self._stores.subscriptions.topics_of(channel.id)
        if not mine:
            return Reply(text=m.NO_SUBSCRIPTIONS)
        lines = "\n".join(f"• `{t.slug}` — {t.title}" for t in mine)
        return Reply(text=m.SUBSCRIPTIONS.format(topics=m.TOPICS(len(mine)), lines=lines))

    async def news(self, inv: Invocation, cmd: News) -> Reply:
        channel = await self.channel(inv)
        if cmd.topic:
            chosen, problem = _resolve((cmd.topic,), await self._stores.topics.all(include_archived=True))
            if problem:
                return error(problem)
        else:
            chosen = await self._stores.subscriptions.topics_of(channel.id)
            if not chosen:
                return Reply(text=m.NEWS_NEEDS_TOPICS)
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        found = await self._stores.announcements.news(
            topic_ids=[t.id for t in chosen], partner=partner, limit=cmd.count
        )
        if not found:
            return Reply(text=m.NO_NEWS)
        blocks = [
            m.NEWS_ITEM.format(
                title=a.title,
                date=f"{(a.sent_at or a.created_at):%Y-%m-%d}",
                topics=", ".join(a.topics),
                body=a.body,
            )
            for a in found
        ]
        return Reply(text=m.NEWS_HEADER(len(found)) + "\n\n" + "\n\n".join(blocks))

    async def settings(self, inv: Invocation) -> Reply:
        channel = await self.channel(inv)
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        digest = (
            ""
            if channel.mode is DeliveryMode.IMMEDIATE
            else m.SETTINGS_DIGEST.format(when=self._when(channel))
        )
        return Reply(
            text=m.SETTINGS.format(
                mode=channel.mode.value,
                digest=digest,
                timezone=await self._timezone(channel),
                quiet=self._quiet_text(channel),
                partner=m.LINKED_TO.format(name=partner.name, tier=partner.tier) if partner else m.NOT_LINKED,
            )
        )

    async def set_mode(self, inv: Invocation, cmd: SetMode) -> Reply:
        channel = await self.channel(inv)
        await self._stores.directory.set_mode(channel.id, cmd.mode)
        if cmd.mode is DeliveryMode.IMMEDIATE:
            return Reply(text=m.MODE_IMMEDIATE)
        when, timezone = self._when(replace(channel, mode=cmd.mode)), await self._timezone(channel)
        return Reply(text=m.MODE_DIGEST.format(mode=cmd.mode.value, when=when, timezone=timezone))

    async def set_quiet_hours(self, inv: Invocation, cmd: SetQuietHours) -> Reply:
        channel = await self.channel(inv)
        if cmd.quiet is None:
            await self._stores.directory.set_quiet_hours(channel.id, "off")
            return Reply(text=m.QUIET_OFF)
        await self._stores.directory.set_quiet_hours(channel.id, str(cmd.quiet))
        return Reply(
            text=m.QUIET_SET.format(
                quiet=f"`{cmd.quiet}`", timezone=await self._timezone(channel), end=f"{cmd.quiet.end:%H:%M}"
            )
        )

    async def _timezone(self, channel: Channel) -> str:
        """The zone the channel's clock follows: its own, else its partner's, else the vendor's."""
        if channel.timezone:
            return channel.timezone
        partner = await self._stores.directory.partner(channel.partner_id) if channel.partner_id else None
        return partner.timezone if partner else self._settings.default_timezone

    def _when(self, channel: Channel) -> str:
        at = self._settings.digest_at()
        time = f"{at.hour:02d}:{at.minute:02d}"
        if channel.mode is DeliveryMode.WEEKLY:
            return m.DIGEST_EVERY_WEEK.format(weekday=WEEKDAYS[at.weekday].capitalize(), time=time)
        return m.DIGEST_EVERY_DAY.format(time=time)

    def _quiet_text(self, channel: Channel) -> str:
        default = self._settings.default_quiet()
        quiet = stored_quiet(channel.quiet_hours, default)
        if quiet is None:
            return m.QUIET_SHOW_NONE
        if not channel.quiet_hours:
            return m.QUIET_SHOW_DEFAULT.format(quiet=quiet)
        return m.QUIET_SHOW.format(quiet=quiet)

    async def set_timezone(self, inv: Invocation, cmd: SetTimezone) -> Reply:
        zone = _canonical_timezone(cmd.timezone)
        if zone is None:
            suggestion = closest_zone(cmd.timezone)
            hint = m.DID_YOU_MEAN.format(suggestion=suggestion) if suggestion else ""
            return error(m.BAD_TIMEZONE.format(value=cmd.timezone, did_you_mean=hint))
        channel = await self.channel(inv)
        await self._stores.directory.set_timezone(channel.id, zone)
        return Reply(text=m.TIMEZONE_SET.format(timezone=zone))

    async def join(self, inv: Invocation, cmd: Join) -> Reply:
        channel = await self.channel(inv)
        outcome, partner = await self._stores.directory.redeem_invite(
            cmd.code.strip().upper(), channel_id=channel.id, now=self._clock.now()
        )
        if outcome is InviteOutcome.JOINED and partner is not None:
            return Reply(text=m.JOINED.format(name=partner.name, tier=partner.tier), ephemeral=False)
        return error(
            {
                InviteOutcome.UNKNOWN: m.JOIN_UNKNOWN,
                InviteOutcome.USED: m.JOIN_USED,
                InviteOutcome.EXPIRED: m.JOIN_EXPIRED,
            }[outcome]
        )


def _topic_row(topic: Topic, subscribed: bool) -> Row:
    label = f"{'✅' if subscribed else '▫️'} `{topic.slug}` — **{topic.title}**"
    if topic.description:
        label += f"\n{topic.description}"
    button = (
        Button(m.UNSUBSCRIBE_BUTTON, UNSUBSCRIBE_ACTION, topic.slug)
        if subscribed
        else Button(m.SUBSCRIBE_BUTTON, SUBSCRIBE_ACTION, topic.slug, ButtonStyle.PRIMARY)
    )
    return Row(text=label, button=button)


def _resolve(
    wanted: Sequence[str], topics: Sequence[Topic], *, everything: bool = False
) -> tuple[list[Topic], str]:
    """Map slugs to topics; a friendly error (with did-you-mean) for the first unknown one."""
    active = [t for t in topics if not t.archived]
    if everything:
        return active, ""
    by_slug = {t.slug: t for t in topics}
    for slug in wanted:
        if slug not in by_slug:
            close = difflib.get_close_matches(slug, [t.slug for t in active], n=1, cutoff=0.6)
            hint = m.DID_YOU_MEAN.format(suggestion=close[0]) if close else "."
            return [], m.UNKNOWN_TOPIC.format(slug=slug, did_you_mean=hint)
    return [by_slug[slug] for slug in wanted], ""


def _canonical_timezone(value: str) -> str | None:
    zones = available_timezones()
    if value in zones:
        return value
    folded = {zone.lower(): zone for zone in zones}
    return folded.get(value.strip().lower())


def _slugs(slugs: Sequence[str]) -> str:
    return ", ".join(f"`{slug}`" for slug in slugs)

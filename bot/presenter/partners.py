"""A partner's own channel: topics, subscriptions, news, delivery settings, joining."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from bot import messages as m
from bot.domain.conversation import Button, ButtonStyle, Reply, Row
from bot.domain.directory import DeliveryMode
from bot.domain.languages import ReaderLanguage
from bot.domain.topics import Topic
from bot.domain.variants import pick
from bot.formats import clock, local_day, number
from bot.i18n import language_name, reader, reading, weekday_name
from bot.results import (
    ChannelSettings,
    Joined,
    LanguageSet,
    ModeSet,
    NewsListed,
    QuietHoursSet,
    Subscribed,
    SubscriptionsListed,
    TimezoneSet,
    TopicsListed,
    Unsubscribed,
    WeeklyCapSet,
)
from bot.timezones import DigestTime

# The actions of the Subscribe/Unsubscribe buttons next to each topic (adapters route on these).
SUBSCRIBE_ACTION = "topic_subscribe"
UNSUBSCRIBE_ACTION = "topic_unsubscribe"


def topics_reply(listed: TopicsListed) -> Reply:
    """Every topic on a row of its own, with Subscribe or Unsubscribe."""
    if not listed.topics:
        return Reply(text=m.NO_TOPICS_YET)
    rows = tuple(_topic_row(topic, topic.slug in listed.mine) for topic in listed.topics)
    return Reply(
        text=m.TOPICS_HEADER.format(count=number(len(listed.topics)), mine=number(len(listed.mine))),
        rows=rows,
    )


def subscribed_reply(subscribed: Subscribed) -> Reply:
    text = m.SUBSCRIBED.format(topics=_slugs(subscribed.added)) if subscribed.added else m.NOTHING_NEW
    if subscribed.already:
        text += "\n" + m.ALREADY_SUBSCRIBED.format(topics=_slugs(subscribed.already))
    if not subscribed.linked:
        text += "\n" + m.NOT_LINKED_HINT
    return Reply(text=text)


def unsubscribed_reply(unsubscribed: Unsubscribed) -> Reply:
    if not unsubscribed.removed:
        match unsubscribed.asked:
            case ():  # `unsubscribe all` in a channel that follows nothing
                return Reply(text=m.NO_SUBSCRIPTIONS)
            case (slug,):  # one topic: named, not "any of those topics"
                return Reply(text=m.NOT_FOLLOWING_TOPIC.format(topic=slug))
        return Reply(text=m.NOTHING_TO_UNSUBSCRIBE)
    return Reply(text=m.UNSUBSCRIBED.format(topics=_slugs(unsubscribed.removed)))


def subscriptions_reply(listed: SubscriptionsListed) -> Reply:
    if not listed.topics:
        return Reply(text=m.NO_SUBSCRIPTIONS)
    lines = "\n".join(f"• `{t.slug}` — {t.title}" for t in listed.topics)
    return Reply(text=m.SUBSCRIPTIONS.format(topics=m.TOPICS(len(listed.topics)), lines=lines))


def news_reply(news: NewsListed) -> Reply:
    if news.follows_nothing:
        return Reply(text=m.NEWS_NEEDS_TOPICS)
    if not news.announcements:
        if len(news.topics) == 1:  # one topic: named, not "those topics"
            return Reply(text=m.NO_NEWS_ON_TOPIC.format(topic=news.topics[0]))
        return Reply(text=m.NO_NEWS)
    blocks = []
    for a in news.announcements:
        variant = pick(a.variants, reader())  # the reader's translation, as its delivery would have
        title, body = (variant.title, variant.body) if variant else (a.title, a.body)
        date = local_day(a.sent_at or a.created_at, news.timezone)
        blocks.append(m.NEWS_ITEM.format(title=title, date=date, topics=", ".join(a.topics), body=body))
    return Reply(text=m.NEWS_HEADER(len(news.announcements)) + "\n\n" + "\n\n".join(blocks))


def settings_reply(settings: ChannelSettings) -> Reply:
    s = settings
    digest = (
        "" if s.mode is DeliveryMode.IMMEDIATE else m.SETTINGS_DIGEST.format(when=_when(s.mode, s.digest_at))
    )
    quiet: str
    if s.quiet is None:
        quiet = m.QUIET_SHOW_NONE
    elif s.quiet_is_default:
        quiet = m.QUIET_SHOW_DEFAULT.format(quiet=s.quiet)
    else:
        quiet = m.QUIET_SHOW.format(quiet=s.quiet)
    partner = m.LINKED_TO.format(name=s.partner_name, tier=s.partner_tier) if s.partner_name else m.NOT_LINKED
    language = language_line(s.language) if s.language else m.QUIET_SHOW_NONE
    text = m.SETTINGS.format(
        mode=s.mode.value,
        digest=digest,
        timezone=s.timezone,
        quiet=quiet,
        cap=_cap(settings=s),
        language=language,
        partner=partner,
    )
    if s.language and not s.language.translated:
        text += "\n" + m.LANGUAGE_NO_WORDING.format(language=language_name(s.language.tag))
    return Reply(text=text)


def language_line(reader: ReaderLanguage) -> str:
    source = m.LANGUAGE_SOURCES[reader.source.value]
    return m.LANGUAGE_LINE.format(language=language_name(reader.tag), tag=reader.tag, source=source)


def language_reply(changed: LanguageSet) -> Reply:
    """Worded in the language the channel reads from now on (the command was read in the one before):
    the confirmation is the first thing said in it."""
    with reading(changed.reader.tag):
        name = language_name(changed.reader.tag)
        if changed.language is None:
            source = m.LANGUAGE_SOURCES[changed.reader.source.value]
            text = m.LANGUAGE_OFF.format(language=name, source=source)
        else:
            text = m.LANGUAGE_SET.format(language=name, tag=changed.reader.tag)
        if not changed.reader.translated:
            text += "\n" + m.LANGUAGE_NO_WORDING.format(language=name)
    return Reply(text=text)


def _cap(*, settings: ChannelSettings) -> str:
    if settings.cap is None:
        return m.CAP_SHOW_NONE
    return (m.CAP_SHOW_DEFAULT if settings.cap_is_default else m.CAP_SHOW)(settings.cap)


def cap_reply(changed: WeeklyCapSet) -> Reply:
    """`settings cap …`: what the channel's cap now is and what it does there."""
    if changed.cap is None:
        return Reply(text=m.CAP_DEFAULT_NONE if changed.follows_vendor else m.CAP_OFF)
    if changed.follows_vendor:
        return Reply(text=m.CAP_DEFAULT(changed.cap))
    if changed.mode is not DeliveryMode.IMMEDIATE:
        return Reply(text=m.CAP_SET_DIGEST(changed.cap, mode=changed.mode.value))
    when = _when(DeliveryMode.DAILY, changed.digest_at)
    return Reply(text=m.CAP_SET(changed.cap, when=when, timezone=changed.timezone))


def mode_reply(changed: ModeSet) -> Reply:
    if changed.mode is DeliveryMode.IMMEDIATE:
        return Reply(text=m.MODE_IMMEDIATE)
    when = _when(changed.mode, changed.digest_at)
    return Reply(text=m.MODE_DIGEST.format(mode=changed.mode.value, when=when, timezone=changed.timezone))


def quiet_reply(changed: QuietHoursSet) -> Reply:
    if changed.quiet is None:
        return Reply(text=m.QUIET_OFF)
    quiet = changed.quiet
    return Reply(text=m.QUIET_SET.format(quiet=f"`{quiet}`", timezone=changed.timezone, end=clock(quiet.end)))


def timezone_reply(changed: TimezoneSet) -> Reply:
    return Reply(text=m.TIMEZONE_SET.format(timezone=changed.timezone))


def joined_reply(joined: Joined) -> Reply:
    return Reply(text=m.JOINED.format(name=joined.name, tier=joined.tier), ephemeral=False)


def _when(mode: DeliveryMode, at: DigestTime) -> str:
    """When a digest of `mode` goes out, in words."""
    at_time = clock(time(at.hour, at.minute))
    if mode is DeliveryMode.WEEKLY:
        return m.DIGEST_EVERY_WEEK.format(weekday=weekday_name(at.weekday), time=at_time)
    return m.DIGEST_EVERY_DAY.format(time=at_time)


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


def _slugs(slugs: Sequence[str]) -> str:
    return ", ".join(f"`{slug}`" for slug in slugs)

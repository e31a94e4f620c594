"""A partner's own commands as typed results (issue 12): bot/services/partners.py returns what
changed — slugs added, already followed or removed, the channel's settings, the partner joined — or
a `Refused` with its code, and bot/presenter/ alone words it; the chat reply carries the same code.

Runs on SQLite and PostgreSQL (the `harness` fixture); the chat replies go through the local adapter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from bot import messages as m
from bot.commands import Join, News, SetMode, SetQuietHours, SetTimezone, Subscribe, Unsubscribe
from bot.domain import DeliveryMode, Refusal, RefusalCode
from bot.domain.conversation import Invocation
from bot.domain.languages import LanguageSource, ReaderLanguage
from bot.presenter import present
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
)
from bot.timezones import QuietHours
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, setup_topics


def _inv(h: Harness, channel: str) -> Invocation:
    return h.local.invocation("pat", channel)


async def test_subscribing_returns_what_changed_or_why_not(harness: Harness) -> None:
    h = harness
    p = h.app.bot.partners
    await setup_topics(h, "pricing", "security")
    await h.link("acme")
    acme = _inv(h, "acme")
    assert await p.subscribe(acme, Subscribe(("pricing",))) == Subscribed(("pricing",), (), linked=True)
    both = await p.subscribe(acme, Subscribe(("security", "pricing")))
    assert both == Subscribed(("security",), ("pricing",))
    assert present(both).text == (
        m.SUBSCRIBED.format(topics="`security`") + "\n" + m.ALREADY_SUBSCRIBED.format(topics="`pricing`")
    )
    typo = await p.subscribe(acme, Subscribe(("pricng",)))
    assert typo == Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value="pricng", suggestion="pricing")
    listed = await p.topics(acme)
    assert listed.mine == {"pricing", "security"} and [t.slug for t in listed.topics] == [
        "pricing",
        "security",
    ]
    mine = await p.subscriptions(acme)
    assert isinstance(mine, SubscriptionsListed) and [t.slug for t in mine.topics] == ["pricing", "security"]
    assert await p.unsubscribe(acme, Unsubscribe(("pricing",))) == Unsubscribed(("pricing",), ("pricing",))
    assert await p.unsubscribe(acme, Unsubscribe(("pricing",))) == Unsubscribed((), ("pricing",))
    assert await p.toggle(acme, "pricing", subscribe=True) == Subscribed(("pricing",))
    # A channel no partner owns cannot subscribe; the chat reply carries the code with the words.
    assert await p.subscribe(_inv(h, "beta"), Subscribe(("pricing",))) == Refused(RefusalCode.NEEDS_LINK)
    reply = await h.partner("beta", "subscribe pricing")
    assert reply.text == m.SUBSCRIBE_NEEDS_LINK and reply.refusal == Refusal(RefusalCode.NEEDS_LINK)
    reply = await h.partner("acme", "subscribe pricng")
    assert reply.refusal == Refusal(RefusalCode.UNKNOWN_TOPIC, "topics") and reply.text == present(typo).text
    assert isinstance(await p.topics(_inv(h, "beta")), TopicsListed)


async def test_settings_are_returned_as_values_and_changes_as_what_now_holds(harness: Harness) -> None:
    h = harness
    p = h.app.bot.partners
    acme = _inv(h, "acme")
    digest_at = h.app.bot.settings.digest_at()
    assert await p.set_timezone(acme, SetTimezone("europe/berlin")) == TimezoneSet("Europe/Berlin")
    wrong = await p.set_timezone(acme, SetTimezone("Europe/Berln"))
    assert wrong == Refused(
        RefusalCode.UNKNOWN_TIMEZONE, "timezone", value="Europe/Berln", suggestion="Europe/Berlin"
    )
    reply = await h.partner("acme", "settings timezone Europe/Berln")
    assert reply.refusal == Refusal(RefusalCode.UNKNOWN_TIMEZONE, "timezone")
    assert reply.text == present(wrong).text
    weekly = await p.set_mode(acme, SetMode(DeliveryMode.WEEKLY))
    assert weekly == ModeSet(DeliveryMode.WEEKLY, digest_at, "Europe/Berlin")
    night = QuietHours(time(20), time(8))
    assert await p.set_quiet_hours(acme, SetQuietHours(night)) == QuietHoursSet(night, "Europe/Berlin")
    shown = await p.settings(acme)
    assert shown == ChannelSettings(DeliveryMode.WEEKLY, digest_at, "Europe/Berlin", night, False)
    # The core adds the language the channel reads (bot/services/languages.py).
    english = ReaderLanguage("en", LanguageSource.DEFAULT)
    assert (await h.partner("acme", "settings")).text == present(replace(shown, language=english)).text
    assert await p.set_quiet_hours(acme, SetQuietHours(None)) == QuietHoursSet(None, "Europe/Berlin")
    assert (await p.settings(acme)).quiet is None


async def test_joining_returns_the_partner_or_the_codes_refusal(harness: Harness) -> None:
    h = harness
    p = h.app.bot.partners
    invite = await h.admin("invite Acme tier:gold type:reseller region:emea language:en")
    assert invite.join_code is not None
    assert await p.join(_inv(h, "acme"), Join(invite.join_code.lower())) == Joined("Acme", "gold")
    again = await p.join(_inv(h, "beta"), Join(invite.join_code))
    assert again == Refused(RefusalCode.INVITE_USED, "code")
    assert await p.join(_inv(h, "beta"), Join("NOPE-NOPE")) == Refused(RefusalCode.INVITE_UNKNOWN, "code")
    reply = await h.partner("beta", "join NOPE-NOPE")
    assert reply.text == m.JOIN_UNKNOWN and reply.refusal == Refusal(RefusalCode.INVITE_UNKNOWN, "code")
    settings = await p.settings(_inv(h, "acme"))
    assert (settings.partner_name, settings.partner_tier) == ("Acme", "gold")


async def test_news_returns_the_announcements_or_says_the_channel_follows_nothing(harness: Harness) -> None:
    h = harness
    p = h.app.bot.partners
    await setup_topics(h, "pricing")
    acme = _inv(h, "acme")
    assert await p.news(acme, News()) == NewsListed((), follows_nothing=True)
    assert await p.news(acme, News("pricing")) == NewsListed((), topics=("pricing",))
    assert not (await h.subscribe("acme", "pricing")).is_error
    await broadcast_and_send(h, "topic:pricing title:Prices")
    await h.deliver()
    found = await p.news(acme, News())
    assert isinstance(found, NewsListed) and [a.title for a in found.announcements] == ["Prices"]
    assert (await h.partner("acme", "news")).text == present(found).text
    typo = await p.news(acme, News("pricng"))
    assert isinstance(typo, Refused) and typo.code is RefusalCode.UNKNOWN_TOPIC

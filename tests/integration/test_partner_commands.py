"""Every `/partner …` command and its error paths, as a partner types them.

Tests that depend on what storage does run on SQLite and PostgreSQL (`harness`); tests of replies
that come from the grammar, or that repeat a storage path already covered on both, use SQLite only
(`sqlite_harness`) to keep the suite fast.
"""

from __future__ import annotations

from datetime import time as _time

import pytest
from babel.dates import format_time

from bot import messages as m
from bot.services.partners import SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION
from storage.tables import DeliveryRow, QuestionRow, SubscriptionRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness
from tests.integration.support import (
    PING_TEXT,
    admin_posts,
    assert_no_ping,
    broadcast_and_send,
    channel_row,
    rows,
    setup_topics,
)

# 09:00 as English readers write it (Babel: "9:00 AM", with the narrow space CLDR puts before AM).
NINE_AM = format_time(_time(9, 0), format="short", locale="en")


# --- help ----------------------------------------------------------------------------------------


async def test_help_lists_every_partner_command(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    reply = await h.partner("acme", "help")
    assert not reply.is_error
    for command in ("topics", "subscribe", "unsubscribe", "list", "news", "ask", "settings", "join"):
        assert f"`{command}" in reply.text
    # An empty `/partner` is a request for help too.
    assert (await h.partner("acme", "")).text == reply.text


async def test_help_for_one_command_gives_usage_and_purpose(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "help news")
    assert not reply.is_error
    assert m.PARTNER_USAGE["news"] in reply.text
    assert m.PARTNER_ABOUT["news"] in reply.text
    assert "`subscribe" not in reply.text


async def test_help_for_an_unknown_command_suggests_one(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "help subscrib")
    assert reply.is_error
    assert 'unknown command "subscrib"' in reply.text
    assert 'did you mean "subscribe"' in reply.text


async def test_unknown_subcommand_points_to_help_with_a_suggestion(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "subscrbe security")
    assert reply.is_error
    assert 'unknown command "subscrbe"' in reply.text
    assert 'did you mean "subscribe"' in reply.text
    assert "`help`" in reply.text
    # Short: a pointer to help, not the whole reference.
    assert len(reply.text.splitlines()) <= 3


async def test_command_replies_are_shown_to_the_caller_only(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.partner("acme", "help")
    assert h.posts("acme") == []
    assert [msg.visible_to for msg in h.workspace.in_channel("acme", author="partnerbot")] == ["pat"]


# --- topics and the Subscribe / Unsubscribe buttons ----------------------------------------------


async def test_topics_without_any_topic_says_so(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "topics")
    assert not reply.is_error
    assert reply.text == m.NO_TOPICS_YET
    assert reply.rows == ()


async def test_topics_rows_and_buttons_reflect_state_and_toggle(harness: Harness) -> None:
    await harness.admin('topic add security "Security advisories" "CVEs and patches"')
    await harness.admin('topic add pricing "Pricing"')
    await harness.admin('topic add legacy "Old stuff"')
    await harness.admin("topic archive legacy")
    await harness.subscribe("acme", "security")

    reply = await harness.partner("acme", "topics")
    assert not reply.is_error
    assert "(2; this channel follows 1)" in reply.text
    buttons = {row.button.value: row.button for row in reply.rows if row.button}
    texts = {row.button.value: row.text for row in reply.rows if row.button}
    assert list(buttons) == ["pricing", "security"]  # archived topics are not offered
    assert (buttons["security"].action, buttons["security"].label) == (
        UNSUBSCRIBE_ACTION,
        m.UNSUBSCRIBE_BUTTON,
    )
    assert (buttons["pricing"].action, buttons["pricing"].label) == (SUBSCRIBE_ACTION, m.SUBSCRIBE_BUTTON)
    assert "✅" in texts["security"] and "CVEs and patches" in texts["security"]
    assert "✅" not in texts["pricing"]

    # Pressing Subscribe on pricing follows it; the next `topics` offers Unsubscribe instead.
    pressed = await harness.local.press("pat", "acme", buttons["pricing"].action, "pricing")
    assert not pressed.is_error, pressed.text
    assert m.SUBSCRIBED.format(topics="`pricing`") in pressed.text
    again = await harness.partner("acme", "topics")
    assert "this channel follows 2" in again.text
    button = next(row.button for row in again.rows if row.button and row.button.value == "pricing")
    assert button.action == UNSUBSCRIBE_ACTION

    pressed = await harness.local.press("pat", "acme", button.action, button.value)
    assert pressed.text == m.UNSUBSCRIBED.format(topics="`pricing`")
    listed = await harness.partner("acme", "list")
    assert "`security`" in listed.text and "`pricing`" not in listed.text


async def test_an_unlinked_channel_is_told_how_to_get_a_join_code(harness: Harness) -> None:
    await setup_topics(harness, "security", "pricing")
    typed = await harness.partner("acme", "subscribe security")
    assert typed.is_error and typed.text == m.SUBSCRIBE_NEEDS_LINK
    everything = await harness.partner("acme", "subscribe all")
    assert everything.is_error and everything.text == m.SUBSCRIBE_NEEDS_LINK
    pressed = await harness.local.press("pat", "acme", SUBSCRIBE_ACTION, "pricing")
    assert pressed.is_error and pressed.text == m.SUBSCRIBE_NEEDS_LINK
    assert await rows(harness, SubscriptionRow) == []

    # Once linked with a join code, the same command works.
    await harness.join("acme", "Acme", tier="gold")
    assert not (await harness.partner("acme", "subscribe security")).is_error
    assert len(await rows(harness, SubscriptionRow)) == 1


async def test_open_subscriptions_let_any_channel_subscribe(harness: Harness) -> None:
    harness.app.bot.settings.open_subscriptions = True
    await setup_topics(harness, "security")
    reply = await harness.partner("acme", "subscribe security")
    assert not reply.is_error
    assert m.SUBSCRIBED.format(topics="`security`") in reply.text and m.NOT_LINKED_HINT in reply.text


async def test_the_admin_channel_never_receives_broadcasts_even_if_subscribed(harness: Harness) -> None:
    h = harness
    h.app.bot.settings.open_subscriptions = True
    await setup_topics(h, "security")
    assert not (await h.partner(ADMIN_CHANNEL, "subscribe security", user="alice")).is_error
    await h.subscribe("acme", "security")
    preview = await h.admin('broadcast topic:security title:"Patch" Please patch.')
    assert "1 channel of 1 partner" in preview.text
    assert not (await h.admin("send 1")).is_error
    await h.deliver()
    assert len(h.posts("acme")) == 1
    assert [p for p in h.posts(ADMIN_CHANNEL) if "Please patch." in p.text] == []
    assert [d.channel_id for d in await rows(h, DeliveryRow)] == [(await channel_row(h, "acme")).id]


async def test_a_stale_or_unknown_button_is_answered_kindly(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    reply = await h.local.press("pat", "acme", "no_such_action", "x")
    assert reply.is_error and reply.text == m.BUTTON_EXPIRED
    await h.admin("topic archive security")
    reply = await h.local.press("pat", "acme", SUBSCRIBE_ACTION, "security")
    assert reply.is_error
    assert await rows(h, SubscriptionRow) == []


# --- subscribe ----------------------------------------------------------------------------------


async def test_subscribe_one_then_all_then_again(harness: Harness) -> None:
    await setup_topics(harness, "security", "pricing", "events", "legacy")
    await harness.admin("topic archive legacy")

    one = await harness.subscribe("acme", "security")
    assert not one.is_error
    assert m.SUBSCRIBED.format(topics="`security`") in one.text
    assert m.NOT_LINKED_HINT not in one.text

    everything = await harness.subscribe("acme", "all")
    assert not everything.is_error
    assert m.SUBSCRIBED.format(topics="`events`, `pricing`") in everything.text
    assert m.ALREADY_SUBSCRIBED.format(topics="`security`") in everything.text
    assert "legacy" not in everything.text

    again = await harness.subscribe("acme", "security pricing")
    assert not again.is_error
    assert m.NOTHING_NEW in again.text
    assert m.ALREADY_SUBSCRIBED.format(topics="`security`, `pricing`") in again.text
    assert len(await rows(harness, SubscriptionRow)) == 3


@pytest.mark.parametrize(
    "text",
    [
        "subscribe security pricing",
        "subscribe security,pricing",
        "subscribe Security, PRICING",
        "subscribe security pricing security",
    ],
)
async def test_subscribe_several_topics(sqlite_harness: Harness, text: str) -> None:
    h = sqlite_harness
    await setup_topics(h, "security", "pricing", "events")
    await h.link("acme")
    reply = await h.partner("acme", text)
    assert not reply.is_error, reply.text
    assert m.SUBSCRIBED.format(topics="`pricing`, `security`") in reply.text
    listed = await h.partner("acme", "list")
    assert "2 topics:" in listed.text
    assert "`events`" not in listed.text


async def test_subscribe_refuses_unknown_and_archived_topics(harness: Harness) -> None:
    await setup_topics(harness, "security", "pricing", "legacy")
    await harness.admin("topic archive legacy")

    typo = await harness.subscribe("acme", "secrity")
    assert typo.is_error
    assert 'unknown topic "secrity"' in typo.text
    assert 'did you mean "security"' in typo.text
    assert "`topics`" in typo.text

    # One bad topic in a list subscribes none of them.
    mixed = await harness.subscribe("acme", "pricing nonsense")
    assert mixed.is_error
    assert 'unknown topic "nonsense"' in mixed.text and "did you mean" not in mixed.text

    archived = await harness.subscribe("acme", "legacy")
    assert archived.is_error and '"legacy"' in archived.text
    assert await rows(harness, SubscriptionRow) == []


async def test_subscribe_usage_errors(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    empty = await h.partner("acme", "subscribe")
    assert empty.is_error and m.PARTNER_USAGE["subscribe"] in empty.text
    mixed = await h.partner("acme", "subscribe all security")
    assert mixed.is_error and "`subscribe all` stands on its own" in mixed.text
    bad = await h.partner("acme", "subscribe Pricing!")
    assert bad.is_error and "isn't a valid topic name" in bad.text


# --- unsubscribe --------------------------------------------------------------------------------


async def test_unsubscribe_topics_all_and_nothing(harness: Harness) -> None:
    await setup_topics(harness, "security", "pricing", "events")
    await harness.subscribe("acme", "all")
    await harness.subscribe("birch", "security")

    some = await harness.partner("acme", "unsubscribe security, events")
    assert not some.is_error
    assert some.text == m.UNSUBSCRIBED.format(topics="`events`, `security`")
    listed = await harness.partner("acme", "list")
    assert "1 topic:" in listed.text and "`pricing`" in listed.text

    # Not following it: nothing to do, said plainly (not an error), naming the one topic.
    none = await harness.partner("acme", "unsubscribe security")
    assert not none.is_error and none.text == m.NOT_FOLLOWING_TOPIC.format(topic="security")
    several = await harness.partner("acme", "unsubscribe security events")
    assert not several.is_error and several.text == m.NOTHING_TO_UNSUBSCRIBE

    typo = await harness.partner("acme", "unsubscribe pricng")
    assert typo.is_error and 'did you mean "pricing"' in typo.text

    everything = await harness.partner("acme", "unsubscribe all")
    assert everything.text == m.UNSUBSCRIBED.format(topics="`pricing`")
    assert (await harness.partner("acme", "list")).text == m.NO_SUBSCRIPTIONS
    # `all` in a channel that follows nothing: says so, not "any of those topics".
    assert (await harness.partner("acme", "unsubscribe all")).text == m.NO_SUBSCRIPTIONS
    # Another channel's subscriptions are untouched.
    assert "`security`" in (await harness.partner("birch", "list")).text


async def test_unsubscribe_from_an_archived_topic_works(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security", "legacy")
    await h.subscribe("acme", "legacy security")
    await h.admin("topic archive legacy")
    reply = await h.partner("acme", "unsubscribe legacy")
    assert not reply.is_error
    assert reply.text == m.UNSUBSCRIBED.format(topics="`legacy`")


# --- list ---------------------------------------------------------------------------------------


async def test_list_shows_followed_active_topics_with_titles(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.admin('topic add security "Security advisories"')
    await h.admin('topic add pricing "Pricing"')
    await h.admin('topic add legacy "Old stuff"')
    assert (await h.partner("acme", "list")).text == m.NO_SUBSCRIPTIONS
    await h.subscribe("acme", "security legacy")
    await h.admin("topic archive legacy")
    reply = await h.partner("acme", "list")
    assert not reply.is_error
    assert "1 topic:" in reply.text
    assert "`security` — Security advisories" in reply.text
    assert "pricing" not in reply.text and "legacy" not in reply.text


# --- news ---------------------------------------------------------------------------------------


async def test_news_without_topics_or_announcements(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    assert (await h.partner("acme", "news")).text == m.NEWS_NEEDS_TOPICS
    await h.subscribe("acme", "security")
    # One topic is named, not "those topics"; several keep the general sentence.
    assert (await h.partner("acme", "news")).text == m.NO_NEWS_ON_TOPIC.format(topic="security")
    assert (await h.partner("acme", "news security 3")).text == m.NO_NEWS_ON_TOPIC.format(topic="security")
    await h.admin('topic add pricing "Pricing"')
    await h.subscribe("acme", "pricing")
    assert (await h.partner("acme", "news")).text == m.NO_NEWS


async def test_news_latest_sent_first_default_five_and_limit(harness: Harness, clock: FakeClock) -> None:
    await setup_topics(harness, "security")
    await harness.subscribe("acme", "security")
    for n in range(1, 8):
        clock.advance(minutes=1)
        await broadcast_and_send(harness, f'topic:security title:"Advisory {n}"', f"Body {n}.")
    # Neither a draft nor a cancelled announcement is news.
    await harness.admin('broadcast topic:security title:"Draft only" not yet')
    await harness.admin('broadcast topic:security title:"Cancelled one" never')
    await harness.admin("cancel 9")

    reply = await harness.partner("acme", "news")
    assert not reply.is_error
    assert m.NEWS_HEADER(5) in reply.text
    assert [n for n in range(1, 8) if f"**Advisory {n}**" in reply.text] == [3, 4, 5, 6, 7]
    assert reply.text.index("Advisory 7") < reply.text.index("Advisory 3")  # newest first
    assert "Draft only" not in reply.text and "Cancelled one" not in reply.text

    two = await harness.partner("acme", "news 2")
    assert m.NEWS_HEADER(2) in two.text
    assert [n for n in range(1, 8) if f"**Advisory {n}**" in two.text] == [6, 7]
    assert "Body 7." in two.text

    twenty = await harness.partner("acme", "news 20")
    assert m.NEWS_HEADER(7) in twenty.text


async def test_news_for_one_topic(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security", "pricing")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "pricing")
    await broadcast_and_send(h, 'topic:security title:"Patch"')
    await broadcast_and_send(h, 'topic:pricing title:"Prices"')

    mine = await h.partner("acme", "news")
    assert "**Patch**" in mine.text and "**Prices**" not in mine.text
    # A topic given by name is shown even when the channel does not follow it.
    other = await h.partner("acme", "news 3 pricing")
    assert "**Prices**" in other.text and "**Patch**" not in other.text
    assert m.NEWS_HEADER(1) in other.text


async def test_news_respects_the_audience(harness: Harness) -> None:
    await setup_topics(harness, "security")
    await harness.join("gold-ch", "Goldco", tier="gold")
    await harness.join("silver-ch", "Silverco", tier="silver")
    harness.app.bot.settings.open_subscriptions = True  # so that an unlinked channel may follow it too
    for channel in ("gold-ch", "silver-ch", "unlinked"):
        await harness.partner(channel, "subscribe security")
    await broadcast_and_send(harness, 'topic:security tier:gold title:"Gold only"')
    await broadcast_and_send(harness, 'topic:security title:"For everyone"')

    gold = await harness.partner("gold-ch", "news")
    assert "**Gold only**" in gold.text and "**For everyone**" in gold.text
    silver = await harness.partner("silver-ch", "news")
    assert "**For everyone**" in silver.text and "Gold only" not in silver.text
    unlinked = await harness.partner("unlinked", "news")
    assert "**For everyone**" in unlinked.text and "Gold only" not in unlinked.text
    # Naming the topic does not widen the audience either.
    assert "Gold only" not in (await harness.partner("silver-ch", "news security")).text


async def test_news_errors(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    unknown = await h.partner("acme", "news securty")
    assert unknown.is_error and 'did you mean "security"' in unknown.text
    too_many = await h.partner("acme", "news 50")
    assert too_many.is_error and "between 1 and 20" in too_many.text
    assert (await h.partner("acme", "news 0")).is_error
    two_topics = await h.partner("acme", "news security pricing")
    assert two_topics.is_error and two_topics.text == m.NEWS_TOO_MANY


# --- ask ----------------------------------------------------------------------------------------


async def test_ask_relays_the_question_to_the_admin_channel(harness: Harness) -> None:
    await harness.join("acme", "Acme GmbH", tier="gold")
    reply = await harness.partner("acme", "ask When does the Q3 price list apply? <!channel>")
    assert not reply.is_error
    assert "(#1)" in reply.text
    # Queued in the outbox, posted by the worker.
    assert admin_posts(harness) == []
    await harness.deliver()
    (relayed,) = admin_posts(harness)
    assert "When does the Q3 price list apply?" in relayed.text
    assert "Acme GmbH" in relayed.text and "gold" in relayed.text and "local" in relayed.text
    assert "pat" in relayed.text
    assert "<!channel>" not in relayed.text
    (question,) = await rows(harness, QuestionRow)
    assert question.status == "open" and question.announcement_id is None
    assert question.admin_channel == ADMIN_CHANNEL and question.admin_message == relayed.id
    assert "When does the Q3 price list apply?" in (await harness.admin("questions")).text


async def test_ask_neutralises_mentions(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    reply = await h.partner("acme", f"ask {PING_TEXT}")
    assert not reply.is_error
    await h.deliver()
    (relayed,) = admin_posts(h)
    assert_no_ping(relayed.text)
    assert "everyone" in relayed.text and "team" in relayed.text  # still legible
    assert_no_ping((await h.admin("questions")).text)


async def test_ask_needs_text_and_has_a_length_limit(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    empty = await h.partner("acme", "ask   ")
    assert empty.is_error and empty.text == m.ASK_EMPTY
    too_long = await h.partner("acme", "ask " + "x" * 3001)
    assert too_long.is_error and "3000" in too_long.text
    await h.deliver()
    assert admin_posts(h) == []
    assert await rows(h, QuestionRow) == []


async def test_answer_to_a_direct_question_comes_back_to_the_partner_channel(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Is there a partner portal?")
    await h.deliver()
    answered = await h.admin("answer 1 Yes: portal.example.com")
    assert not answered.is_error, answered.text
    await h.deliver()
    (answer,) = h.posts("acme")
    assert "Yes: portal.example.com" in answer.text
    assert "Is there a partner portal?" in answer.text


# --- settings -----------------------------------------------------------------------------------


async def test_settings_show_defaults(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "settings")
    assert not reply.is_error
    assert "mode: `immediate`" in reply.text
    assert "time zone: `UTC`" in reply.text
    assert m.NOT_LINKED in reply.text


async def test_settings_mode_timezone_and_partner_are_stored(harness: Harness) -> None:
    await harness.join("acme", "Acme GmbH", tier="gold")
    mode = await harness.partner("acme", "settings mode Daily")
    daily = m.MODE_DIGEST.format(mode="daily", when=f"every day at {NINE_AM}", timezone="UTC")
    assert not mode.is_error and mode.text == daily
    zone = await harness.partner("acme", "settings timezone america/new_york")
    assert not zone.is_error and zone.text == m.TIMEZONE_SET.format(timezone="America/New_York")

    shown = await harness.partner("acme", "settings")
    assert "mode: `daily`" in shown.text
    assert "time zone: `America/New_York`" in shown.text
    assert m.LINKED_TO.format(name="Acme GmbH", tier="gold") in shown.text
    stored = await channel_row(harness, "acme")
    assert (stored.mode, stored.timezone) == ("daily", "America/New_York")

    back = await harness.partner("acme", "settings mode immediate")
    assert back.text == m.MODE_IMMEDIATE
    assert (await channel_row(harness, "acme")).mode == "immediate"


@pytest.mark.parametrize(
    ("mode", "expected", "when"),
    [("daily", "daily", f"every day at {NINE_AM}"), ("WEEKLY", "weekly", f"every Monday at {NINE_AM}")],
)
async def test_settings_mode_values(sqlite_harness: Harness, mode: str, expected: str, when: str) -> None:
    h = sqlite_harness
    reply = await h.partner("acme", f"settings mode {mode}")
    assert not reply.is_error
    assert reply.text == m.MODE_DIGEST.format(mode=expected, when=when, timezone="UTC")
    assert f"mode: `{expected}`" in (await h.partner("acme", "settings")).text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Europe/Berlin", "Europe/Berlin"), ("EUROPE/BERLIN", "Europe/Berlin"), ("utc", "UTC")],
)
async def test_settings_timezone_values(sqlite_harness: Harness, typed: str, stored: str) -> None:
    h = sqlite_harness
    reply = await h.partner("acme", f"settings tz {typed}")
    assert not reply.is_error, reply.text
    assert reply.text == m.TIMEZONE_SET.format(timezone=stored)
    assert f"time zone: `{stored}`" in (await h.partner("acme", "settings")).text


async def test_a_language_change_is_confirmed_in_the_language_it_sets(sqlite_harness: Harness) -> None:
    # Read in the language before it, the confirmation came in English for "de", in German for "off".
    h = sqlite_harness
    german = await h.partner("acme", "settings language de")
    assert german.text.startswith("🌐 Dieser Kanal liest jetzt Deutsch (`de`)"), german.text
    back = await h.partner("acme", "settings language off")
    assert back.text.startswith("🌐 This channel has no language of its own any more; it now reads English")


async def test_settings_mode_invalid(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.partner("acme", "settings")
    reply = await h.partner("acme", "settings mode hourly")
    assert reply.is_error
    assert '"hourly" isn\'t a delivery mode' in reply.text
    assert (await h.partner("acme", "settings mode")).is_error
    assert (await channel_row(h, "acme")).mode == "immediate"


async def test_settings_timezone_invalid_with_suggestion(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.partner("acme", "settings")
    reply = await h.partner("acme", "settings timezone Europe/Berln")
    assert reply.is_error
    assert '"Europe/Berln" isn\'t a time zone' in reply.text
    assert 'did you mean "Europe/Berlin"' in reply.text
    nothing_close = await h.partner("acme", "settings tz Mars/Olympus")
    assert nothing_close.is_error and "did you mean" not in nothing_close.text
    spaced = await h.partner("acme", "settings timezone New York")
    assert spaced.is_error and spaced.text == m.TIMEZONE_ONE_WORD
    assert (await channel_row(h, "acme")).timezone is None


async def test_settings_unknown_setting_suggests(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "settings mod daily")
    assert reply.is_error
    assert 'unknown setting "mod"' in reply.text and 'did you mean "mode"' in reply.text


# --- join ---------------------------------------------------------------------------------------


async def _invite_code(h: Harness, name: str = "Acme GmbH", tier: str = "gold") -> str:
    reply = await h.admin(f'invite "{name}" tier:{tier} region:emea')
    assert not reply.is_error, reply.text
    return reply.text.split("`")[1]


async def test_join_valid_used_unknown_and_expired_codes(harness: Harness, clock: FakeClock) -> None:
    code = await _invite_code(harness)
    unknown = await harness.partner("acme", "join PB-NOPE-NOPE")
    assert unknown.is_error and unknown.text == m.JOIN_UNKNOWN
    assert (await channel_row(harness, "acme")).partner_id is None

    joined = await harness.partner("acme", f"join {code.lower()}")  # codes are read case-blind
    assert not joined.is_error, joined.text
    assert joined.text == m.JOINED.format(name="Acme GmbH", tier="gold")
    assert not joined.ephemeral
    assert (await channel_row(harness, "acme")).partner_id is not None

    used = await harness.partner("birch", f"join {code}")
    assert used.is_error and used.text == m.JOIN_USED
    assert (await channel_row(harness, "birch")).partner_id is None

    late = await _invite_code(harness, name="Birch Ltd", tier="silver")
    clock.advance(days=harness.app.settings.invite_ttl_days, seconds=1)
    expired = await harness.partner("birch", f"join {late}")
    assert expired.is_error and expired.text == m.JOIN_EXPIRED
    assert (await channel_row(harness, "birch")).partner_id is None


async def test_join_just_before_expiry_works(sqlite_harness: Harness, clock: FakeClock) -> None:
    code = await _invite_code(sqlite_harness)
    clock.advance(days=sqlite_harness.app.settings.invite_ttl_days, seconds=-1)
    assert not (await sqlite_harness.partner("acme", f"join {code}")).is_error


async def test_join_needs_exactly_one_code(sqlite_harness: Harness) -> None:
    reply = await sqlite_harness.partner("acme", "join")
    assert reply.is_error and m.PARTNER_USAGE["join"] in reply.text
    assert (await sqlite_harness.partner("acme", "join A B")).is_error

"""Partners on Discord, through the real discord.py client: /partner with autocomplete, the permission
check in the bot, ephemeral answers, reactions on delivered announcements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.e2e.discord_world import OPTIONS, DiscordWorld, discord_world, eventually
from tests.fakes.discord_gateway import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url) as w:
        yield w


async def choices(world: DiscordWorld, typed: str) -> list[str]:
    acme = world.acme
    typing = world.fake.push_autocomplete(
        "partner subscribe",
        {"topics": typed},
        focused="topics",
        channel_id=acme.channel.id,
        user_id=acme.manager.user.id,
    )
    response = await world.fake.interaction_response(typing.id)
    assert response["type"] == 8
    return [choice["value"] for choice in response["data"]["choices"]]


async def test_subscribe_with_autocomplete(world: DiscordWorld) -> None:
    await world.add_topic("security", "Security advisories")
    await world.add_topic("pricing", "Price lists")
    await world.add_topic("roadmap", "Product roadmap")
    acme = world.acme

    assert await choices(world, "") == ["all", "pricing", "roadmap", "security"]
    assert await choices(world, "se") == ["security"]
    assert await choices(world, "advis") == ["security"]  # titles match too
    assert await choices(world, "security pri") == ["security pricing"]  # completes the last word

    answer = await world.subscribe(acme, "security pricing")
    assert answer["data"]["flags"] & EPHEMERAL
    assert "now gets announcements on `pricing`, `security`" in answer["data"]["content"]
    assert world.fake.channel_messages(acme.channel.id) == []  # ephemeral: nothing in the channel

    listed = await world.slash("partner list", channel=acme.channel, user=acme.member)
    assert listed["data"]["flags"] & EPHEMERAL
    assert "**This channel follows 2 topics:**" in listed["data"]["content"]  # mrkdwn → Discord bold


async def test_changing_subscriptions_needs_manage_channels(world: DiscordWorld) -> None:
    await world.add_topic("security", "Security advisories")
    acme = world.acme

    refused = await world.slash(
        "partner subscribe", {"topics": "security"}, channel=acme.channel, user=acme.member
    )
    assert refused["data"]["flags"] & EPHEMERAL
    assert "needs the **Manage Channels** permission" in refused["data"]["content"]
    settings = await world.slash(
        "partner settings", {"mode": "daily"}, channel=acme.channel, user=acme.member
    )
    assert "Manage Channels" in settings["data"]["content"]

    # Reading is open to everyone, and the topic list offers buttons that are checked the same way.
    listing = world.fake.push_slash_command(
        "partner topics", channel_id=acme.channel.id, user_id=acme.member.user.id
    )
    topics = await world.answer(listing)
    button = topics["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "pb:topic_subscribe:security" and button["label"] == "Subscribe security"
    message = listing.original_message_id or 0
    press = world.fake.push_component(message, button["custom_id"], user_id=acme.member.user.id)
    assert "Manage Channels" in (await world.answer(press))["data"]["content"]
    # The channel is not linked to a partner yet: the manager is told how to get a join code.
    press = world.fake.push_component(message, button["custom_id"], user_id=acme.manager.user.id)
    assert "join <code>" in (await world.answer(press))["data"]["content"]
    await world.link(acme, tier="gold")
    press = world.fake.push_component(message, button["custom_id"], user_id=acme.manager.user.id)
    assert "now gets announcements on `security`" in (await world.answer(press))["data"]["content"]

    settings = await world.slash(
        "partner settings",
        {"mode": "weekly", "timezone": "Europe/Berlin"},
        channel=acme.channel,
        user=acme.manager,
    )
    assert "weekly digest" in settings["data"]["content"] and "Europe/Berlin" in settings["data"]["content"]


async def test_reactions_on_a_delivered_announcement_are_recorded(world: DiscordWorld) -> None:
    await world.add_topic("security", "Security advisories")
    acme = world.acme
    await world.subscribe(acme, "security")
    announcement = await world.broadcast("security", "Patch Tuesday", "Three fixes this month.")
    await world.send(announcement)
    (delivered,) = await world.wait_posts(acme.channel)  # reacted to at once: kept all the same
    chatter = world.fake.push_message(acme.channel.id, "unrelated", author_id=acme.member.user.id)

    world.fake.push_reaction(delivered.id, "👍", user_id=acme.member.user.id)
    world.fake.push_reaction(delivered.id, "🎉", user_id=acme.manager.user.id)
    world.fake.push_reaction(chatter.id, "👍", user_id=acme.manager.user.id)  # not an announcement

    async def reactions_are(expected: dict[str, int]) -> bool:
        stats = await world.app.stores.stats.announcement(announcement)
        return stats is not None and stats.reactions == expected

    await eventually(lambda: reactions_are({"👍": 1, "🎉": 1}))
    world.fake.push_reaction(delivered.id, "🎉", user_id=acme.manager.user.id, remove=True)
    await eventually(lambda: reactions_are({"👍": 1}))


async def test_mentions_use_the_partner_grammar_and_the_admin_grammar_in_admin_channels(
    world: DiscordWorld,
) -> None:
    fake, acme, bot = world.fake, world.acme, f"<@{world.fake.bot.id}>"
    asked = fake.push_message(acme.channel.id, f"{bot} help", author_id=acme.member.user.id)
    (reply,) = await world.wait_posts(acme.channel)
    assert reply.content.startswith("**partnerbot — what you can do in this channel**")
    assert reply.message_reference is not None and reply.message_reference["message_id"] == str(asked.id)
    assert reply.allowed_mentions is not None and reply.allowed_mentions["parse"] == []
    assert reply.mentions == []  # the reply does not ping the person it answers

    fake.push_message(world.admin_channel.id, f"{bot} questions", author_id=world.admin.user.id)
    (admin_reply,) = await world.wait_posts(world.admin_channel)
    assert "No open partner questions" in admin_reply.content

    fake.push_message(acme.channel.id, "no mention, no answer", author_id=acme.member.user.id)
    fake.push_message(acme.channel.id, f"{bot} list", author_id=acme.member.user.id)
    await world.wait_posts(acme.channel, 2)
    assert "follows no topics" in world.bot_posts(acme.channel)[1].content


async def test_a_slow_answer_is_deferred_then_followed_up(sqlite_url: str) -> None:
    # ack_seconds=0: every answer takes "too long", so the adapter defers within Discord's 3 s.
    async with discord_world(
        sqlite_url, partners=("acme",), options=replace(OPTIONS, ack_seconds=0)
    ) as world:
        acme = world.acme
        asked = world.fake.push_slash_command(
            "partner list", channel_id=acme.channel.id, user_id=acme.member.user.id
        )
        deferred = await world.fake.interaction_response(asked.id)
        assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
        answer = await world.answer(asked)
        assert "follows no topics yet" in answer["data"]["content"]
        assert answer["data"]["flags"] & EPHEMERAL

        # An admin's slow preview is deferred in public: the team sees the draft in the admin channel.
        options = {"slug": "security", "title": "Security"}
        await world.slash("partner-admin topic add", options, channel=world.admin_channel, user=world.admin)
        options = {"topics": "security", "title": "Slow", "body": "Reach takes a while."}
        drafted = world.fake.push_slash_command(
            "partner-admin broadcast", options, channel_id=world.admin_channel.id, user_id=world.admin.user.id
        )
        assert await world.fake.interaction_response(drafted.id) == {"type": 5}  # not ephemeral
        preview = await world.answer(drafted)
        assert "Preview of announcement #1" in preview["data"]["content"]
        assert not preview["data"]["flags"] & EPHEMERAL
        message = world.fake.messages[drafted.original_message_id or 0]
        assert message.embeds[0]["title"] == "Slow" and message.components


async def test_news_search_option_and_show_button(world: DiscordWorld) -> None:
    await world.add_topic("pricing", "Price lists")
    acme = world.acme
    await world.subscribe(acme, "pricing")
    announcement = await world.broadcast("pricing", "Deal registration", "The deal registration form moved.")
    await world.send(announcement)
    await world.wait_posts(acme.channel)

    asked = world.fake.push_slash_command(
        "partner news",
        {"search": '"deal registration"'},
        channel_id=acme.channel.id,
        user_id=acme.member.user.id,
    )
    found = await world.answer(asked)
    assert found["data"]["flags"] & EPHEMERAL
    assert "**Deal registration**" in found["data"]["content"]
    assert "**deal registration**" in found["data"]["content"]  # the match, highlighted
    message = world.fake.messages[asked.original_message_id or 0]
    show_id = f"pb:news_show:{announcement}"
    assert [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c] == [show_id]

    pressed = world.fake.push_component(message.id, show_id, user_id=acme.member.user.id)
    shown = await world.answer(pressed)
    assert shown["data"]["flags"] & EPHEMERAL
    assert "The deal registration form moved." in shown["data"]["content"]

    bad = await world.slash("partner news", {"search": "reg*x"}, channel=acme.channel, user=acme.member)
    assert bad["data"]["flags"] & EPHEMERAL
    assert "A `*` only goes at the end of a word" in bad["data"]["content"]


async def test_settings_quiet_hours_and_weekly_cap_as_options(world: DiscordWorld) -> None:
    """`/partner settings quiet: cap:` say what the chat's `settings quiet …` and `settings cap …` say,
    and a value the grammar refuses is refused in its words, with nothing changed."""
    acme = world.acme
    await world.link(acme, tier="gold")
    changed = await world.slash(
        "partner settings", {"quiet": "20:00-08:00", "cap": "3"}, channel=acme.channel, user=acme.manager
    )
    content = changed["data"]["content"]
    assert changed["data"]["flags"] & EPHEMERAL
    assert (
        "Quiet hours set to `20:00-08:00`" in content and "at most 3 normal announcements a week" in content
    )

    shown = await world.slash("partner settings", channel=acme.channel, user=acme.member)
    assert "quiet hours: `20:00-08:00`" in shown["data"]["content"]
    assert "weekly cap: 3 normal announcements a week" in shown["data"]["content"]

    refused = await world.slash("partner settings", {"cap": "lots"}, channel=acme.channel, user=acme.manager)
    assert refused["data"]["content"].startswith('"lots" isn\'t a weekly cap')
    again = await world.slash("partner settings", channel=acme.channel, user=acme.member)
    assert (
        "weekly cap: 3 normal announcements a week" in again["data"]["content"]
    )  # the refused value changed nothing

    member = await world.slash("partner settings", {"cap": "off"}, channel=acme.channel, user=acme.member)
    assert "Manage Channels" in member["data"]["content"]  # changing needs the permission, as for mode

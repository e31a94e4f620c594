"""Saved audiences and test sends through the Discord fake: `/partner-admin audience …` with
autocomplete, `broadcast audience:` resolved when sent, "Send test" under the preview and
`/partner-admin test` posting the delivery's own rendering into the admin (or test) channel only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from bot.domain import Platform
from tests.e2e.discord_world import DiscordWorld, discord_world
from tests.fakes.discord import Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("acme", "globex")) as w:
        await w.add_topic("security", "Security advisories")
        await w.link(w.partners["acme"], tier="gold")
        await w.link(w.partners["globex"], tier="silver")
        await w.subscribe(w.partners["acme"], "security")
        await w.subscribe(w.partners["globex"], "security")
        yield w


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c]


def copies_in(world: DiscordWorld, channel_id: int) -> list[Message]:
    return [msg for msg in world.bot_posts_in(channel_id) if msg.content.startswith("🧪 **Test copy**")]


async def _admin(world: DiscordWorld, command: str, **options: object) -> str:
    answer = await world.slash(
        f"partner-admin {command}", options, channel=world.admin_channel, user=world.admin
    )
    return str(answer["data"]["content"])


async def test_saved_audience_autocomplete_broadcast_and_send_test(world: DiscordWorld) -> None:
    fake = world.fake
    saved = await _admin(world, "audience save", name="golds", tier="gold", topic="security")
    assert "Saved audience “golds” (tier: gold · topics: security)" in saved
    typing = fake.push_autocomplete(
        "partner-admin broadcast",
        {"title": "T", "body": "B", "audience": "go"},
        focused="audience",
        channel_id=world.admin_channel.id,
        user_id=world.admin.user.id,
    )
    response = await fake.interaction_response(typing.id)
    assert [choice["value"] for choice in response["data"]["choices"]] == ["golds"]

    options = {"title": "Patch now", "body": "Update **today**.", "audience": "golds"}
    drafting = fake.push_slash_command(
        "partner-admin broadcast", options, channel_id=world.admin_channel.id, user_id=world.admin.user.id
    )
    drafted = await world.answer(drafting)
    draft = int(drafted["data"]["content"].split("announcement #", 1)[1].split("*", 1)[0])
    preview = fake.messages[drafting.original_message_id or 0]
    assert "audience “golds” (tier: gold) — resolved when sent" in preview.content
    assert f"pb:announcement_test:{draft}" in custom_ids(preview)

    # Edited between draft and send: silver partners are in by the time it is sent.
    await _admin(world, "audience save", name="golds", tier="gold,silver", topic="security")
    press = fake.push_component(preview.id, f"pb:announcement_test:{draft}", user_id=world.admin.user.id)
    queued = (await world.answer(press))["data"]
    assert "test copy of announcement" in queued["content"] and queued["flags"] & EPHEMERAL
    [copy] = await _wait_copies(world, world.admin_channel.id)
    assert copy.embeds[0]["title"] == "Patch now" and copy.embeds[0]["description"] == "Update **today**."
    assert [c["custom_id"] for c in walk_components(copy.components) if c["type"] == 2] == [
        "partnerbot:ask",
        "partnerbot:helpful",
        "partnerbot:mute",
    ]
    assert (
        world.bot_posts(world.acme.channel) == [] and world.bot_posts(world.partners["globex"].channel) == []
    )

    helpful = fake.push_component(copy.id, "partnerbot:helpful", user_id=world.staff.user.id)
    answer = await world.answer(helpful)
    assert answer["data"]["content"] == m.TEST_COPY_PRESSED

    await world.send(draft)
    await world.delivered(draft, 2)
    assert len(world.bot_posts(world.acme.channel)) == 1
    assert len(world.bot_posts(world.partners["globex"].channel)) == 1


async def test_test_command_goes_to_the_test_channel(world: DiscordWorld) -> None:
    qa = world.fake.add_channel(world.vendor.id, "partnerbot-tests")
    world.app.bot.test_sends._test_channels[Platform.DISCORD] = str(qa.id)  # PARTNERBOT_DISCORD_TEST_CHANNEL
    draft = await world.broadcast("security", "Draft", "Body.")
    said = await _admin(world, "test", announcement=draft)
    assert "on its way to the test channel" in said
    await _wait_copies(world, qa.id)
    assert copies_in(world, world.admin_channel.id) == []
    listed = await _admin(world, "audience list")
    assert listed.startswith("No saved audiences yet.")


async def _wait_copies(world: DiscordWorld, channel_id: int) -> list[Message]:
    await world.fake.wait_for(lambda: copies_in(world, channel_id), 10.0)
    return copies_in(world, channel_id)

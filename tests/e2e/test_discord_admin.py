"""Admins on Discord: the "Broadcast to partners" menu → modal → preview → Send, /partner-admin, and
delivery to exactly the matching channels; non-admins and other channels are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import messages as m
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually
from tests.fakes.discord import Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme", "globex", "initech")) as w:
        await w.add_topic("security", "Security advisories")
        await w.add_topic("pricing", "Price lists")
        await w.link(w.partners["acme"], tier="gold")
        await w.link(w.partners["globex"], tier="silver")
        await w.link(w.partners["initech"], tier="gold", region="apac")
        await w.subscribe(w.partners["acme"], "security")
        await w.subscribe(w.partners["globex"], "security")
        await w.subscribe(w.partners["initech"], "pricing")
        yield w


def inputs(modal: dict[str, Any]) -> dict[str, str]:
    return {
        c["custom_id"]: c.get("value") or "" for c in walk_components(modal["components"]) if c["type"] == 4
    }


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c]


async def test_context_menu_modal_preview_select_and_send(world: DiscordWorld) -> None:
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id,
        "Critical gateway patch\nPatch every gateway before Friday; details in the portal.",
        author_id=admin.user.id,
    )
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    modal = await fake.interaction_response(menu.id)
    assert modal["type"] == 9
    assert inputs(modal["data"]) == {
        "title": "Critical gateway patch",
        "body": "Patch every gateway before Friday; details in the portal.",
        "topics": "",
        "audience": "",
    }

    submit = fake.push_modal_submit(menu.id, {"topics": "security"})
    preview = (await fake.interaction_response(submit.id))["data"]
    assert not preview.get("flags", 0) & EPHEMERAL  # the team sees the draft in the admin channel
    (embed,) = preview["embeds"]
    assert embed["title"] == "Critical gateway patch"
    assert embed["description"] == "Patch every gateway before Friday; details in the portal."
    assert (
        "2 channel(s) of 2 partner(s)" in preview["content"]
        and "by tier: gold 1, silver 1" in preview["content"]
    )
    message = fake.messages[submit.original_message_id or 0]
    first = int(custom_ids(message)[0].rsplit(":", 1)[1])
    assert custom_ids(message) == [
        f"pb:announcement_send:{first}",
        f"pb:announcement_cancel:{first}",
        f"pbx:topics:{first}",
        f"pbx:audience:{first}",
    ]

    # Narrow the audience with the select: a new draft replaces the old one, in place.
    narrowed = fake.push_component(
        message.id, f"pbx:audience:{first}", user_id=admin.user.id, values=["tier:gold"]
    )
    assert (await fake.interaction_response(narrowed.id))["type"] == 6
    await fake.wait_for(lambda: f"pb:announcement_send:{first + 1}" in custom_ids(message))
    assert "1 channel(s) of 1 partner(s)" in message.content and f"Replaces draft #{first}" in message.content
    old = await world.app.stores.announcements.get(first)
    assert old is not None and old.status.value == "cancelled"

    send = fake.push_component(message.id, f"pb:announcement_send:{first + 1}", user_id=admin.user.id)
    assert (await fake.interaction_response(send.id))["type"] == 6
    (sending,) = await world.followups(send, 1)
    assert "Sending announcement" in sending.content and not sending.ephemeral
    await fake.wait_for(lambda: message.components == [])  # no second Send from the same preview

    (delivered,) = await world.wait_posts(world.partners["acme"].channel)
    assert delivered.embeds[0]["title"] == "Critical gateway patch"
    assert world.bot_posts(world.partners["globex"].channel) == []  # silver: not in the audience
    assert world.bot_posts(world.partners["initech"].channel) == []  # gold, but not subscribed


async def test_delivery_reaches_exactly_the_matching_channels(world: DiscordWorld) -> None:
    body = "Hi <@&123> and @everyone: please patch.\n\n" + "Details. " * 40
    gold = await world.broadcast("security", "Gold patch", body, tier="gold", urgent=True)
    await world.send(gold)
    everyone = await world.broadcast("security,pricing", "For everyone", "Read me.")
    await world.send(everyone)

    acme, globex, initech = (world.partners[name].channel for name in ("acme", "globex", "initech"))
    posts = await world.wait_posts(acme, 2)
    await world.wait_posts(globex, 1)
    await world.wait_posts(initech, 1)
    delivered = {
        channel.name + str(i): post
        for channel in (acme, globex, initech)
        for i, post in enumerate(world.bot_posts(channel))
    }
    await eventually(lambda: _all_sent(world, (gold, everyone)))
    assert [p.embeds[0]["title"] for p in posts] == [f"{m.URGENT_MARK}Gold patch", "For everyone"]
    assert len(world.bot_posts(globex)) == 1 and len(world.bot_posts(initech)) == 1

    urgent = posts[0]
    (embed,) = urgent.embeds
    assert embed["description"] == body.strip()
    assert embed["color"] == 0xED4245
    assert embed["footer"]["text"] == f"security · urgent · announcement #{gold}"
    assert [(c["label"], c["custom_id"]) for c in walk_components(urgent.components) if c["type"] == 2] == [
        ("Ask a question", "partnerbot:ask"),
        ("Helpful", "partnerbot:helpful"),
        ("Mute this topic", "partnerbot:mute"),
    ]
    for post in delivered.values():
        assert isinstance(post.nonce, str) and post.nonce.startswith("pb-d") and len(post.nonce) <= 25
        assert post.allowed_mentions is not None and post.allowed_mentions.get("parse") == []
        assert post.mentions == [] and post.mention_roles == [] and not post.mention_everyone
    assert len({post.nonce for post in delivered.values()}) == len(delivered)


async def _all_sent(world: DiscordWorld, ids: tuple[int, ...]) -> bool:
    for announcement_id in ids:
        stats = await world.app.stores.stats.announcement(announcement_id)
        if stats is None or stats.pending or stats.failed:
            return False
    return True


async def test_non_admins_and_other_channels_are_refused(world: DiscordWorld) -> None:
    fake = world.fake
    refused = await world.slash(
        "partner-admin broadcast",
        {"topics": "security", "title": "Sneaky", "body": "Not from the vendor team."},
        channel=world.admin_channel,
        user=world.staff,
    )
    assert refused["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS and refused["data"]["flags"] & EPHEMERAL
    assert await world.app.stores.announcements.recent() == []

    elsewhere = await world.slash("partner-admin questions", channel=world.lounge, user=world.admin)
    assert elsewhere["data"]["content"] == m.ADMIN_ONLY_IN_ADMIN_CHANNEL

    source = fake.push_message(world.admin_channel.id, "Leak this", author_id=world.staff.user.id)
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=world.staff.user.id)
    answer = await fake.interaction_response(menu.id)
    assert answer["type"] == 4 and answer["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS  # no modal

    # An admin by role (PARTNERBOT_ADMIN_GROUPS) is an admin; a bad slug is explained to admins only.
    assert (
        "No open partner questions"
        in (await world.slash("partner-admin questions", channel=world.admin_channel, user=world.role_admin))[
            "data"
        ]["content"]
    )
    bad = {"slug": "Bad Slug", "title": "Nope"}
    mine = await world.slash("partner-admin topic add", bad, channel=world.admin_channel, user=world.admin)
    assert "isn't a valid topic name" in mine["data"]["content"]
    theirs = await world.slash("partner-admin topic add", bad, channel=world.admin_channel, user=world.staff)
    assert theirs["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS

    # A non-admin pressing Send on a preview is refused, and the preview keeps its buttons.
    draft = await world.broadcast("security", "Draft", "Body.")
    (preview,) = [
        msg
        for msg in fake.channel_messages(world.admin_channel.id)
        if f"pb:announcement_send:{draft}" in custom_ids(msg)
    ]
    press = fake.push_component(preview.id, f"pb:announcement_send:{draft}", user_id=world.staff.user.id)
    (refusal,) = await world.followups(press, 1)
    assert refusal.content == m.ADMIN_ONLY_FOR_ADMINS and refusal.ephemeral
    assert f"pb:announcement_send:{draft}" in custom_ids(preview)

    # /partner-admin and the menu exist only in the vendor's server.
    assert set(fake.commands) == {None, world.vendor.id}
    assert {c["name"] for c in fake.commands[world.vendor.id]} == {"partner-admin", "Broadcast to partners"}
    with pytest.raises(LookupError):
        acme = world.partners["acme"]
        fake.push_slash_command(
            "partner-admin questions", channel_id=acme.channel.id, user_id=acme.manager.user.id
        )

"""Delivery under trouble: a gateway drop mid-broadcast, a 429 storm with dropped connections and 5xx,
channels the bot lost — every matching channel gets the announcement exactly once, or is switched off."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from bot.domain import AnnouncementPost, ChannelRef, MessageRef, Outgoing, Platform
from bot.ports import PermanentSendError
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually

PARTNERS = ("acme", "globex", "initech", "umbrella", "hooli", "stark")


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=PARTNERS) as w:
        await w.add_topic("security", "Security advisories")
        for space in w.partners.values():
            await w.subscribe(space, "security")
        yield w


def exactly_once(world: DiscordWorld) -> bool:
    return all(len(world.bot_posts(space.channel)) == 1 for space in world.partners.values())


async def test_gateway_disconnect_and_resume_mid_broadcast_loses_nothing(world: DiscordWorld) -> None:
    fake = world.fake
    fake.delay_next("create_message", seconds=0.15, times=len(PARTNERS))  # a broadcast that takes a while
    announcement = await world.broadcast("security", "Mid-flight", "Delivered across a gateway drop.")
    resumed = world.adapter.client.wait_for("resumed", timeout=5)
    await world.send(announcement)
    first = next(iter(world.partners.values()))
    (delivered,) = await world.wait_posts(first.channel)

    assert fake.disconnect_gateway() == 1  # TCP drop mid-broadcast; Discord keeps the events
    fake.push_reaction(delivered.id, "👀", user_id=first.member.user.id)  # happens while disconnected
    resume = await fake.wait_for_resume()
    await resumed
    assert resume.replayed >= 1 and len(fake.identifies) == 1  # resumed, not re-identified

    await fake.wait_for(lambda: exactly_once(world))
    await world.delivered(announcement, len(PARTNERS))

    async def reaction_recorded() -> bool:
        stats = await world.app.stores.stats.announcement(announcement)
        return stats is not None and stats.reactions == {"👀": 1}

    await eventually(reaction_recorded)
    assert exactly_once(world)


async def test_a_429_storm_and_dropped_connections_post_no_duplicate(world: DiscordWorld) -> None:
    fake = world.fake
    # More 429s than discord.py retries inside its calls (5 tries each), then a connection dropped
    # after Discord stored the message, an answer that never comes for a stored message (the send
    # times out), and a 503 (which discord.py does not retry).
    fake.storm_429(40, route="create_message", retry_after=0.05)
    fake.drop_after_commit("create_message")
    fake.delay_next("create_message", seconds=30, commit_first=True)
    fake.fail_next("create_message", status=503)
    announcement = await world.broadcast("security", "Storm", "Exactly once, whatever happens.")
    await world.send(announcement)

    await world.delivered(announcement, len(PARTNERS))
    assert exactly_once(world)
    creates = [c for c in fake.call_log if c.name == "create_message"]
    assert sum(c.status == 429 for c in creates) == 40
    # discord.py gave up on some sends; the worker rescheduled them instead of waiting inside calls.
    assert world.app.worker.stats.retried >= 3
    # The dropped request had been stored: its retry found it in the history, not a second post.
    assert fake.calls["GET /channels/{channel_id}/messages"] >= 2
    assert all(c.body["enforce_nonce"] is True for c in creates)
    nonces = [m.nonce for space in world.partners.values() for m in world.bot_posts(space.channel)]
    assert len(set(nonces)) == len(PARTNERS)


async def test_channels_the_bot_lost_are_deactivated(world: DiscordWorld) -> None:
    fake, spaces = world.fake, world.partners
    bot_role = fake.guilds[spaces["acme"].guild.id].members[fake.bot.id].roles[0]
    fake.set_permission_overwrite(
        spaces["acme"].channel.id, bot_role, deny=discord.Permissions(view_channel=True).value
    )
    announcement = await world.broadcast("security", "Access check", "Who can see this?")
    await world.send(announcement)
    await world.delivered(announcement, len(PARTNERS) - 1)

    async def inactive(name: str) -> bool:
        row = await world.channel_row(spaces[name].channel, spaces[name].guild)
        return row is not None and not row.active

    await eventually(lambda: inactive("acme"))  # 403 Missing Access: failed at once, switched off
    assert world.bot_posts(spaces["acme"].channel) == []
    stats = await world.app.stores.stats.announcement(announcement)
    assert stats is not None and stats.failed == 1 and stats.pending == 0

    fake.push_channel_delete(spaces["globex"].channel.id)  # CHANNEL_DELETE
    await eventually(lambda: inactive("globex"))
    fake.push_guild_delete(spaces["initech"].guild.id)  # kicked from the server
    await eventually(lambda: inactive("initech"))
    fake.push_guild_delete(spaces["hooli"].guild.id, unavailable=True)  # an outage is not a removal

    later = await world.broadcast("security", "After the losses", "Only the channels still reachable.")
    await world.send(later)
    await world.delivered(later, 3)
    assert [len(world.bot_posts(s.channel)) for s in spaces.values()] == [0, 1, 1, 2, 2, 2]
    assert await inactive("hooli") is False


async def test_the_sender_edits_and_deletes_what_it_posted(world: DiscordWorld) -> None:
    announcement = await world.broadcast("security", "First title", "First body.")
    await world.send(announcement)
    await world.delivered(announcement, len(PARTNERS))
    space = world.partners["acme"]
    (posted,) = world.bot_posts(space.channel)
    ref = MessageRef(ChannelRef(Platform.DISCORD, str(space.guild.id), str(space.channel.id)), str(posted.id))
    edited = AnnouncementPost(0, announcement, "Corrected title", "Corrected body.", ("security",), False)
    sender = world.adapter.sender

    await sender.edit(ref, Outgoing(ref.channel, edited))
    assert posted.edited and posted.embeds[0]["title"] == "Corrected title"
    await sender.delete(ref)
    assert posted.deleted
    await sender.delete(ref)  # already gone: fine
    with pytest.raises(PermanentSendError):
        await sender.edit(ref, Outgoing(ref.channel, edited))

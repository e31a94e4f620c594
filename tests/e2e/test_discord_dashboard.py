"""`/partner-admin dashboard` through the real discord.py stack against the fake Discord: an ephemeral
one-time sign-in link for the Discord admin who asked; refused to a member who is not an admin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from bot.app import dashboard_access
from bot.domain.refs import Platform
from tests.e2e.discord_world import DiscordWorld, discord_world

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=()) as w:
        yield w


async def test_dashboard_on_discord_is_an_ephemeral_link_for_that_admin(world: DiscordWorld) -> None:
    answer = await world.slash("partner-admin dashboard", None, channel=world.admin_channel, user=world.admin)
    data = answer["data"]
    assert int(str(data["flags"])) & EPHEMERAL
    found = re.search(r"/dashboard/signin/link\?token=([\w-]+)", str(data["content"]))
    assert found is not None, data
    who = await dashboard_access(world.app).redeem(found.group(1))
    assert who is not None and (who.platform, who.user) == (Platform.DISCORD, str(world.admin.user.id))

    refused = await world.slash(
        "partner-admin dashboard", None, channel=world.admin_channel, user=world.staff
    )
    assert str(refused["data"]["content"]) == m.ADMIN_ONLY_FOR_ADMINS


async def test_a_mention_never_shows_the_link_in_the_channel(world: DiscordWorld) -> None:
    """A reply to a message is public on Discord: the link is not given there, the slash command is named."""
    bot = f"<@{world.fake.bot.id}>"
    world.fake.push_message(world.admin_channel.id, f"{bot} Dashboard", author_id=world.admin.user.id)
    (reply,) = await world.wait_posts(world.admin_channel)
    assert reply.content == m.PRIVATE_REPLY_ELSEWHERE.format(command="dashboard")
    assert "signin/link" not in reply.content

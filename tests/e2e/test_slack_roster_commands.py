"""The roster and topic commands of issue 11 through the real slack-bolt stack against the fake Slack:
`invite` of a partner that exists, `partner` (card, set, remove), the admin `topics` listing and
`topic unarchive`, and an unlinked channel that asks to subscribe."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import VENDOR, SlackWorld, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing", "security")
        yield w


async def first_text(world: SlackWorld, text: str) -> str:
    answer = (await world.admin(text))[0]
    return str(answer["text"])


async def test_invite_of_an_existing_partner_changes_nothing_and_points_to_partner_set(
    world: SlackWorld,
) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    reply = await first_text(world, 'invite "acme" tier:silver')
    assert "*acme* is already a partner (tier gold · type reseller · region emea · language en)" in reply
    assert '`partner set "acme" tier:silver`' in reply
    partner = (await world.app.stores.directory.partners())[0][0]
    assert partner.tier == "gold"


async def test_partner_card_set_and_remove(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    card = await first_text(world, 'partner "acme"')
    assert "• tier: gold · type: reseller · region: emea · language: en" in card, card
    assert "pricing" in card

    typo = await first_text(world, 'partner set "acme" tier:platnum')
    assert 'unknown tier "platnum" — did you mean "platinum"?' in typo
    changed = await first_text(world, 'partner set "acme" tier:platinum')
    assert "*acme* updated: tier gold → platinum." in changed

    removed = await first_text(world, 'partner remove "acme"')
    assert "*acme* removed: 1 channel switched off" in removed, removed
    channel = await world.app.stores.directory.channel(acme.ref)
    assert channel is not None and not channel.active
    # A removed partner is out of targeting: a broadcast to its topic reaches nobody.
    preview = await first_text(world, 'broadcast topic:pricing title:"After" Nobody left.')
    assert "would reach *no channel*" in preview


async def test_admin_topics_lists_archived_ones_and_unarchive_brings_one_back(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    assert "archived" in await first_text(world, "topic archive security")
    listing = await first_text(world, "topics")
    assert "`pricing`" in listing and "`security`" in listing and "archived" in listing, listing
    back = await first_text(world, "topic unarchive security")
    assert "security" in back and "archived" not in (await first_text(world, "topics")).split("security")[1]


async def test_an_unlinked_channel_is_told_how_to_get_a_join_code(world: SlackWorld) -> None:
    stranger = world.fake.add_user(VENDOR, "stranger")
    channel = world.fake.add_channel(VENDOR, "random", members={stranger.id})
    answer = (await world.command("/partner", "subscribe pricing", channel=channel, user=stranger))[0]
    assert "isn't linked to a partner organisation yet" in answer["text"], answer
    assert "join &lt;code&gt;" in answer["text"]  # Slack escapes < and > in mrkdwn

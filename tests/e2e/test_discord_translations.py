"""Translated announcements through the Discord fake: `/partner-admin translate` and `translations`
as slash commands, a German partner's embed in German and an English one's in the default text; a
blank title typed into the options is refused by the core with the grammar's words."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from tests.e2e.discord_world import DiscordWorld, PartnerSpace, discord_world


async def _link(world: DiscordWorld, space: PartnerSpace, language: str) -> None:
    options = {
        "partner": space.name,
        "tier": "gold",
        "region": "emea",
        "type": "reseller",
        "language": language,
    }
    invite = await world.slash("partner-admin invite", options, channel=world.admin_channel, user=world.admin)
    code = invite["data"]["content"].split("`")[1]
    await world.slash("partner join", {"code": code}, channel=space.channel, user=space.manager)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("berlin", "acme")) as w:
        await w.add_topic("pricing", "Pricing")
        await _link(w, w.partners["berlin"], "de")
        await _link(w, w.partners["acme"], "en")
        await w.subscribe(w.partners["berlin"], "pricing")
        await w.subscribe(w.partners["acme"], "pricing")
        yield w


async def _admin(world: DiscordWorld, command: str, **options: object) -> str:
    answer = await world.slash(
        f"partner-admin {command}", options, channel=world.admin_channel, user=world.admin
    )
    return str(answer["data"]["content"])


async def test_each_partner_gets_its_language(world: DiscordWorld) -> None:
    drafted = await _admin(
        world, "broadcast", topics="pricing", title="New prices", body="Lists are **out**."
    )
    assert "1 partner reads German; no German text yet, so they get the default (English)." in drafted
    draft = int(drafted.split("announcement #", 1)[1].split("*", 1)[0])

    blank = await _admin(world, "translate", announcement=draft, language="de", title="  ", body="Text")
    assert m.TITLE_EMPTY in blank
    saved = await _admin(
        world, "translate", announcement=draft, language="DE", title="Neue Preise", body="Listen sind **da**."
    )
    assert saved.startswith(m.TRANSLATION_ADDED.format(language="German", id=draft, title="Neue Preise"))
    listed = await _admin(world, "translations", announcement=draft)
    assert "German (`de`): “Neue Preise”" in listed

    await world.send(draft)
    [german] = await world.wait_posts(world.partners["berlin"].channel)
    [english] = await world.wait_posts(world.partners["acme"].channel)
    assert (
        german.embeds[0]["title"] == "Neue Preise"
        and german.embeds[0]["description"] == "Listen sind **da**."
    )
    assert (
        english.embeds[0]["title"] == "New prices"
        and english.embeds[0]["description"] == "Lists are **out**."
    )

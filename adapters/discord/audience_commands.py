"""`/partner-admin audience save|list|show|delete` and `/partner-admin test`: saved audiences and test
sends (the rest of `/partner-admin` is in adapters/discord/commands.py). Saved audience names
autocomplete from the saved ones; filter values from the vocabulary, like `invite` and `broadcast`."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot.grammar import parse_admin


def saved_audiences(h: DiscordHandlers) -> Any:
    """Autocomplete of a saved audience's name."""

    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await h.audience_choices(current)
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    return complete


def _values(h: DiscordHandlers, key: str) -> Any:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await h.vocabulary_choices(key, current)
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    return complete


def add_audience_commands(group: app_commands.Group, h: DiscordHandlers) -> None:
    """Add `audience …` and `test` to the `/partner-admin` group."""
    audience = app_commands.Group(name="audience", description="Saved audiences for broadcasts", parent=group)
    named = saved_audiences(h)

    @audience.command(name="save", description="Save (or replace) a named audience")
    @app_commands.describe(
        name="One word: letters, digits, dashes", tier="e.g. gold,platinum", topic="Its broadcasts' topics"
    )
    @app_commands.autocomplete(
        name=named, tier=_values(h, "tier"), type=_values(h, "type"), region=_values(h, "region")
    )
    async def save(
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 40],
        tier: app_commands.Range[str, 1, 200] | None = None,
        type: app_commands.Range[str, 1, 200] | None = None,
        region: app_commands.Range[str, 1, 200] | None = None,
        language: app_commands.Range[str, 1, 200] | None = None,
        topic: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        # The same checks and words as the text form: parsed from the options.
        given = (("tier", tier), ("type", type), ("region", region), ("language", language), ("topic", topic))
        options = " ".join(f'{key}:"{value.strip()}"' for key, value in given if value and value.strip())
        text = f'audience save "{name.strip()}" {options}'
        parsed = parse_admin(text)
        if isinstance(parsed, c.CommandError):
            await h.admin(interaction, parsed.message, detail=text)
            return
        await h.admin(interaction, parsed)

    @audience.command(name="list", description="Every saved audience, with its reach now")
    async def list_(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.AudienceList())

    @audience.command(name="show", description="A saved audience's filters and reach now")
    @app_commands.autocomplete(name=named)
    async def show(interaction: discord.Interaction, name: app_commands.Range[str, 1, 40]) -> None:
        await h.admin(interaction, c.AudienceShow(name.strip().lower()))

    @audience.command(name="delete", description="Delete a saved audience no open draft uses")
    @app_commands.autocomplete(name=named)
    async def delete(interaction: discord.Interaction, name: app_commands.Range[str, 1, 40]) -> None:
        await h.admin(interaction, c.AudienceDelete(name.strip().lower()))

    @group.command(name="test", description="A test copy, as partners will see it, here only")
    async def test(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.SendTest(announcement))

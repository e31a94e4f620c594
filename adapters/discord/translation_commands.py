"""`/partner-admin translate` and `/partner-admin translations`: an announcement's text per language
(the rest of `/partner-admin` is in adapters/discord/commands.py). The options become the typed
command directly — the title and body as typed, never re-parsed — and the core checks them with the
grammar's rules (bot/services/translations.py)."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot.commands import MAX_BODY, MAX_TITLE
from bot.grammar import MAX_LANGUAGE


def add_translation_commands(group: app_commands.Group, h: DiscordHandlers) -> None:
    @group.command(name="translate", description="Add or replace an announcement's text in one language")
    @app_commands.describe(
        announcement="The announcement's number",
        language="A BCP 47 tag: de, de-AT, pt-BR…",
        title="The title in that language",
        body="The text in that language",
        update_sent="Also update the copies already delivered in that language",
    )
    async def translate(
        interaction: discord.Interaction,
        announcement: app_commands.Range[int, 1],
        language: app_commands.Range[str, 1, MAX_LANGUAGE],
        title: app_commands.Range[str, 1, MAX_TITLE],
        body: app_commands.Range[str, 1, MAX_BODY],
        update_sent: bool = False,
    ) -> None:
        command = c.Translate(announcement, language.strip(), title.strip(), body.strip(), update_sent)
        await h.admin(interaction, command)

    @group.command(name="translations", description="An announcement's translations and who reads each")
    async def translations(
        interaction: discord.Interaction, announcement: app_commands.Range[int, 1]
    ) -> None:
        await h.admin(interaction, c.Translations(announcement))

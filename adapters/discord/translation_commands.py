"""`/partner-admin translate` and `/partner-admin translations`: an announcement's text per language
(the rest of `/partner-admin` is in adapters/discord/commands.py). The options become the typed
command directly — the title and body as typed, never re-parsed — and the core checks them with the
grammar's rules (bot/services/translations.py). `machine: draft|accept` is the text form's
`translate <id> <lang> draft|accept`: an option, not a subcommand, as `/partner-admin` has 25
subcommands and groups at most and uses 24."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot import messages as m
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
        machine="Instead of a title and text: a machine draft, or accept the one there",
    )
    @app_commands.choices(
        machine=[
            app_commands.Choice(
                name="draft — ask the translator (reviewed before it is sent)", value="draft"
            ),
            app_commands.Choice(name="accept — send the machine draft from now on", value="accept"),
        ]
    )
    async def translate(
        interaction: discord.Interaction,
        announcement: app_commands.Range[int, 1],
        language: app_commands.Range[str, 1, MAX_LANGUAGE],
        title: app_commands.Range[str, 1, MAX_TITLE] | None = None,
        body: app_commands.Range[str, 1, MAX_BODY] | None = None,
        update_sent: bool = False,
        machine: app_commands.Choice[str] | None = None,
    ) -> None:
        await h.admin(
            interaction, translate_command(announcement, language, title, body, update_sent, machine)
        )

    @group.command(name="translations", description="An announcement's translations and who reads each")
    async def translations(
        interaction: discord.Interaction, announcement: app_commands.Range[int, 1]
    ) -> None:
        await h.admin(interaction, c.Translations(announcement))


def translate_command(
    announcement: int,
    language: str,
    title: str | None,
    body: str | None,
    update_sent: bool,
    machine: app_commands.Choice[str] | None,
) -> c.Translate | c.TranslateDraft | c.TranslateAccept | str:
    """The options as the typed command: `machine` (draft / accept) instead of a text, the text's
    problems (a missing title or body) left to the core; a `str` for both given at once."""
    language = language.strip()
    if machine is None:
        return c.Translate(announcement, language, (title or "").strip(), (body or "").strip(), update_sent)
    if title or body or update_sent:
        return m.DISCORD_TRANSLATE_MACHINE_WITH_TEXT.format(action=machine.value)
    if machine.value == "accept":
        return c.TranslateAccept(announcement, language)
    return c.TranslateDraft(announcement, language)

"""Discord command and option descriptions in each client's language, from partnerbot's catalogs.

discord.py asks a `Translator` for every name and description, per Discord locale, when it builds the
commands it syncs; this one answers descriptions from the partner catalogs (bot/locale, through
`bot.i18n.translation`) and leaves names alone, since partners type the English command words.
Discord shows the default (English) text where no localisation is given.
https://discordpy.readthedocs.io/en/stable/interactions/api.html#translator
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes, locale_str

from bot import messages as m
from bot.i18n import translation

_DESCRIPTIONS = frozenset(
    {
        TranslationContextLocation.command_description,
        TranslationContextLocation.group_description,
        TranslationContextLocation.parameter_description,
    }
)


def described(key: str, **values: Any) -> locale_str:
    """The description `DISCORD_PARTNER_DESCRIPTIONS[key]` (filled with `values`), carrying its
    message id for the translator."""
    message = m.DISCORD_PARTNER_DESCRIPTIONS[key]
    return locale_str(message.format(**values), msgid=message, **values)


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        if context.location not in _DESCRIPTIONS:
            return None
        extras = dict(string.extras)
        msgid = str.__str__(extras.pop("msgid", string.message))
        translated = translation(msgid, locale.value)
        return translated.format(**extras)[:100] if translated else None

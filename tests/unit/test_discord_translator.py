"""adapters/discord/i18n.py: Discord's command descriptions from the partner catalogs, names never."""

from __future__ import annotations

from typing import Any

import discord
from discord.app_commands import TranslationContext, TranslationContextLocation

from adapters.discord.i18n import CatalogTranslator, described


def _context(location: TranslationContextLocation) -> TranslationContext[Any, Any]:
    return TranslationContext(location=location, data=None)


async def test_descriptions_are_translated_and_filled() -> None:
    translator = CatalogTranslator()
    description = _context(TranslationContextLocation.parameter_description)
    count = described("count_option", max=20)
    assert count.message == "How many (1 to 20)"
    assert await translator.translate(count, discord.Locale.german, description) == "Wie viele (1 bis 20)"
    ask = described("ask")
    command = _context(TranslationContextLocation.command_description)
    assert await translator.translate(ask, discord.Locale.japanese, command) == "ベンダーチームに質問を送る"
    assert await translator.translate(ask, discord.Locale.spain_spanish, command) == (
        "Enviar una pregunta al equipo del proveedor"
    )


async def test_english_names_and_languages_without_a_catalog_keep_discords_default() -> None:
    translator = CatalogTranslator()
    command = _context(TranslationContextLocation.command_description)
    ask = described("ask")
    assert await translator.translate(ask, discord.Locale.american_english, command) is None
    assert await translator.translate(ask, discord.Locale.brazil_portuguese, command) is None
    name = _context(TranslationContextLocation.command_name)
    assert await translator.translate(described("subscribe"), discord.Locale.german, name) is None
    unknown = discord.app_commands.locale_str("Not a catalog message")
    assert await translator.translate(unknown, discord.Locale.german, command) is None

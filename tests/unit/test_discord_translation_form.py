"""Discord's translation form, its pure parts: the language select's options (the announcement's
languages first, then the roster's, then any other; 25 at most) and `/partner-admin translate`'s
options as the typed command."""

from __future__ import annotations

from discord import app_commands

from adapters.discord.translation_commands import translate_command
from adapters.discord.translation_form import OTHER, language_options
from bot import commands as c
from bot import messages as m
from bot.domain.variants import Variant


def test_the_announcements_languages_come_first_then_the_rosters_then_any_other() -> None:
    variants = [Variant("fr", "Titre", "Texte"), Variant("ja", "題", "本文", machine=True)]
    options = language_options(variants, ["de", "en", "fr", "ja", "de"], "en")
    assert [value for _, value, _ in options] == ["fr", "ja", "de", OTHER]
    assert options[0][0] == "French (fr) — change its text"
    assert options[1][0] == "Japanese (ja) — review the machine draft"
    assert options[-1][0] == m.DISCORD_TRANSLATION_OTHER_OPTION


def test_no_more_than_discord_allows_and_another_language_stays() -> None:
    options = language_options([], [f"x{n:02d}" for n in range(40)], "en")
    assert len(options) == 25 and options[-1][1] == OTHER


def test_translate_options_become_the_typed_command() -> None:
    draft = app_commands.Choice(name="draft", value="draft")
    accept = app_commands.Choice(name="accept", value="accept")
    assert translate_command(4, " de ", " T ", " B ", True, None) == c.Translate(4, "de", "T", "B", True)
    assert translate_command(4, "de", None, None, False, None) == c.Translate(
        4, "de", "", ""
    )  # the core says what
    assert translate_command(4, "de", None, None, False, draft) == c.TranslateDraft(4, "de")
    assert translate_command(4, "de", None, None, False, accept) == c.TranslateAccept(4, "de")
    alone = m.DISCORD_TRANSLATE_MACHINE_WITH_TEXT.format(action="accept")
    assert translate_command(4, "de", "T", None, False, accept) == alone
    assert translate_command(
        4, "de", None, None, True, draft
    ) == m.DISCORD_TRANSLATE_MACHINE_WITH_TEXT.format(action="draft")

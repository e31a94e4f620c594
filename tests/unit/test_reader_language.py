"""Whose language a reply or a delivery is in (bot/services/languages.py) and how partner-facing
messages follow it (bot/i18n.py): lazily, per task, with each language's plural rule, its names,
dates and numbers; English wherever no catalog is shipped."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot import messages as m
from bot.commands import CommandError, SetLanguage
from bot.domain.directory import Channel, DeliveryMode, Partner
from bot.domain.languages import LanguageSource, ReaderLanguage
from bot.domain.refs import ChannelRef, Platform
from bot.grammar import parse_partner
from bot.i18n import (
    Message,
    catalog_language,
    has_catalog,
    language_name,
    long_date,
    normalised,
    partner_plural,
    reader,
    reading,
    text,
    weekday_name,
)
from bot.services.languages import resolve

REF = ChannelRef(Platform.SLACK, "T1", "C1")


def _channel(language: str | None = None) -> Channel:
    return Channel(1, REF, "partner-acme", 1, DeliveryMode.IMMEDIATE, None, True, language=language)


def _partner(language: str = "") -> Partner:
    return Partner(1, "Acme", "gold", "reseller", "emea", language, "UTC")


# --- the order: channel, partner, platform, default ------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "partner", "locale", "expected"),
    [
        (_channel("fr"), _partner("de"), "ja", ReaderLanguage("fr", LanguageSource.CHANNEL)),
        (_channel(), _partner("de"), "ja", ReaderLanguage("de", LanguageSource.PARTNER)),
        (_channel(), _partner(""), "ja", ReaderLanguage("ja", LanguageSource.PLATFORM)),
        (_channel(), None, "en-GB", ReaderLanguage("en-gb", LanguageSource.PLATFORM)),
        (None, None, "", ReaderLanguage("es", LanguageSource.DEFAULT)),
        # A locale Babel does not know is skipped, never an error.
        (_channel(), _partner(""), "xx-nonsense", ReaderLanguage("es", LanguageSource.DEFAULT)),
    ],
)
def test_the_reader_language_is_the_first_one_set(
    channel: Channel | None, partner: Partner | None, locale: str, expected: ReaderLanguage
) -> None:
    assert resolve(channel=channel, partner=partner, locale=locale, default="es") == expected


@pytest.mark.parametrize(
    ("tag", "catalog", "translated"),
    [("de", "de", True), ("de-AT", "de", True), ("de-at", "de", True), ("ja", "ja", True),
     ("en-US", "en", True), ("pt-BR", "en", False), ("nl", "en", False), ("", "en", False),
     ("not a tag", "en", False)],
)  # fmt: skip
def test_languages_without_a_catalog_read_english(tag: str, catalog: str, translated: bool) -> None:
    assert catalog_language(tag) == catalog
    assert has_catalog(tag) is translated


@pytest.mark.parametrize(
    ("written", "stored"), [("de", "de"), ("de-AT", "de-at"), ("pt_BR", "pt-br"), (" ja ", "ja")]
)
def test_tags_are_stored_lower_case_with_hyphens(written: str, stored: str) -> None:
    assert normalised(written) == stored


@pytest.mark.parametrize("written", ["", "klingon", "de--at", "12"])
def test_what_babel_does_not_know_is_no_tag(written: str) -> None:
    assert normalised(written) is None


# --- `settings language …` in the grammar ---------------------------------------------------------


def test_settings_language_sets_a_tag_or_switches_it_off() -> None:
    assert parse_partner("settings language DE-at") == SetLanguage("de-at")
    assert parse_partner("settings lang ja") == SetLanguage("ja")
    assert parse_partner("settings language off") == SetLanguage(None)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("settings language", m.USAGE.format(usage=m.SETTINGS_LANGUAGE_USAGE)),
        ("settings language de fr", m.USAGE.format(usage=m.SETTINGS_LANGUAGE_USAGE)),
        ("settings language klingon", m.LANGUAGE_INVALID.format(value="klingon")),
    ],
)
def test_settings_language_refuses_kindly(written: str, message: str) -> None:
    parsed = parse_partner(written)
    assert isinstance(parsed, CommandError) and parsed.message == message


def test_a_misspelt_setting_suggests_language() -> None:
    parsed = parse_partner("settings langauge de")
    assert isinstance(parsed, CommandError) and 'did you mean "language"' in parsed.message


def test_refusals_are_worded_in_the_reader_language() -> None:
    with reading("de"):
        parsed = parse_partner("settings language klingon")
    assert isinstance(parsed, CommandError)
    assert parsed.message.startswith("„klingon“ ist kein Sprach-Tag, das ich kenne.")


# --- lazy messages ----------------------------------------------------------------------------------


def test_a_message_is_its_english_id_outside_any_reading() -> None:
    assert reader() == "en"
    assert isinstance(m.SUBSCRIBE_BUTTON, Message) and m.SUBSCRIBE_BUTTON == "Subscribe"
    assert str(m.SUBSCRIBE_BUTTON) == "Subscribe" and f"[{m.SUBSCRIBE_BUTTON}]" == "[Subscribe]"


def test_a_message_translates_wherever_it_is_used() -> None:
    with reading("fr"):
        assert (
            m.SUBSCRIBED.format(topics="`pricing`")
            == "✅ Ce canal reçoit désormais les annonces sur `pricing`."
        )
        assert str(m.SUBSCRIBE_BUTTON) == "S'abonner" and f"[{m.SUBSCRIBE_BUTTON}]" == "[S'abonner]"
        assert m.NOTHING_NEW + "!" == "Rien n'a changé.!" and "» " + m.NOTHING_NEW == "» Rien n'a changé."
        assert text(m.ACK_BUTTON) == "Confirmer la lecture" and type(text(m.ACK_BUTTON)) is str
        assert text("plain") == "plain"
        assert m.SUBSCRIBE_BUTTON == "Subscribe"  # comparisons stay on the English id
    assert str(m.SUBSCRIBE_BUTTON) == "Subscribe"


def test_plurals_follow_each_languages_rule_and_number_format() -> None:
    with reading("de"):
        assert (m.TOPICS(1), m.TOPICS(2), m.TOPICS(1234)) == ("1 Thema", "2 Themen", "1.234 Themen")
        assert m.NEWS_HEADER(1) == "**Die neueste Ankündigung:**"
    with reading("fr"):
        assert (m.TOPICS(0), m.TOPICS(1), m.TOPICS(2)) == ("0 sujet", "1 sujet", "2 sujets")
    with reading("ja"):
        assert (m.TOPICS(1), m.TOPICS(5)) == ("1件のトピック", "5件のトピック")
    with reading("pt-BR"):  # no catalog: English words, Brazilian digits
        assert m.TOPICS(1234) == "1.234 topics"


def test_an_admin_plural_is_english_whatever_the_reader() -> None:
    with reading("de"):
        assert m.CHANNELS(2) == "2 channels"
    assert not m.CHANNELS.partner and partner_plural("a", "b").partner


def test_names_and_dates_are_in_the_readers_words() -> None:
    day = date(2026, 11, 25)
    assert (language_name("de"), weekday_name(4), long_date(day)) == (
        "German",
        "Friday",
        "Wednesday, November 25, 2026",
    )
    with reading("de-AT"):
        assert (language_name("ja"), weekday_name(4)) == ("Japanisch", "Freitag")
        assert long_date(day) == "Mittwoch, 25. November 2026"
    with reading("ja"):
        assert language_name("ja") == "日本語" and long_date(day) == "2026年11月25日水曜日"
    with reading("pt-BR"):  # English sentences around: English names
        assert language_name("de") == "German"
    assert language_name("not a tag") == "not a tag"


async def test_each_task_reads_its_own_language() -> None:
    async def reply(language: str) -> str:
        with reading(language):
            await asyncio.sleep(0)
            return str(m.ACK_BUTTON)

    assert await asyncio.gather(reply("de"), reply("ja"), reply("en")) == [
        "Bestätigen",
        "確認しました",
        "Acknowledge",
    ]

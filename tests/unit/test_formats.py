"""Dates, times and numbers in the reader's locale (bot/formats.py). Expected values are Babel's own
output for that locale, so the tests hold the formatter to CLDR, not to strings typed here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from bot import messages as m
from bot.domain.topics import Topic
from bot.formats import clock, day, long_day, moment, number, reader_locale
from bot.i18n import reading
from bot.presenter import present
from bot.results import TopicsListed, TopicsOverview

MARCH_3 = date(2026, 3, 3)


@pytest.mark.parametrize(("language", "locale"), [("en", "en"), ("de", "de"), ("ja", "ja"), ("fr", "fr")])
def test_a_day_is_the_medium_date_of_the_readers_locale(language: str, locale: str) -> None:
    with reading(language):
        assert day(MARCH_3) == format_date(MARCH_3, format="medium", locale=locale)
        assert long_day(MARCH_3) == format_date(MARCH_3, format="full", locale=locale)


def test_german_japanese_and_english_dates_differ_as_their_readers_write_them() -> None:
    with reading("de"):
        german = day(MARCH_3)
    with reading("ja"):
        japanese = day(MARCH_3)
    assert (german, japanese, day(MARCH_3)) == (
        format_date(MARCH_3, format="medium", locale="de"),
        format_date(MARCH_3, format="medium", locale="ja"),
        format_date(MARCH_3, format="medium", locale="en"),  # outside any reading: English
    )
    assert len({german, japanese, day(MARCH_3)}) == 3


def test_a_regional_reader_gets_its_region_and_a_reader_without_wording_gets_english() -> None:
    with reading("de-at"):
        assert str(reader_locale()) == "de_AT"
        assert day(date(2026, 1, 5)) == format_date(date(2026, 1, 5), format="medium", locale="de_AT")
    with reading("pt-br"):  # no Portuguese catalog: English sentences, English dates in them
        assert str(reader_locale()) == "en"
    with reading("xx-nonsense"):
        assert str(reader_locale()) == "en"


def test_a_clock_time_is_the_short_time_of_the_readers_locale() -> None:
    nine = time(9, 0)
    assert clock(nine) == format_time(nine, format="short", locale="en")
    with reading("de"):
        assert clock(time(21, 30)) == format_time(time(21, 30), format="short", locale="de")


def test_a_moment_is_shown_in_the_zone_it_concerns_with_the_zone_named() -> None:
    instant = datetime(2026, 3, 3, 15, 5, tzinfo=UTC)  # 16:05 in Berlin (CET), 00:05 next day in Tokyo
    with reading("de"):
        berlin = moment(instant, ZoneInfo("Europe/Berlin"))
        local = datetime(2026, 3, 3, 16, 5)
        assert berlin == (
            f"{format_date(local, format='medium', locale='de')}, "
            f"{format_time(local, format='short', locale='de')} Europe/Berlin"
        )
    with reading("ja"):
        tokyo = moment(instant, ZoneInfo("Asia/Tokyo"))
        assert tokyo.startswith(format_date(date(2026, 3, 4), format="medium", locale="ja"))
        assert tokyo.endswith(f"{format_time(time(0, 5), format='short', locale='ja')} Asia/Tokyo")
    summer = datetime(2026, 7, 1, 15, 5, tzinfo=UTC)  # 17:05 in Berlin (CEST): the zone's rules apply
    assert format_time(time(17, 5), format="short", locale="en") in moment(summer, ZoneInfo("Europe/Berlin"))
    assert moment(instant).endswith(" UTC")
    naive = datetime(2026, 3, 3, 15, 5)  # a naive instant is UTC, as storage keeps them
    assert moment(naive) == moment(instant)


def test_numbers_follow_the_reader() -> None:
    assert number(1234) == format_decimal(1234, locale="en") == "1,234"
    with reading("de"):
        assert number(1234) == format_decimal(1234, locale="de") == "1.234"


def test_counts_in_a_partner_reply_follow_the_reader() -> None:
    topics = tuple(Topic(i, f"t{i}", f"Topic {i}") for i in range(1234))
    listed = TopicsListed(topics, frozenset({"t1"}))
    with reading("de"):
        german = present(listed).text
        assert german == m.TOPICS_HEADER.format(count=format_decimal(1234, locale="de"), mine="1")
    assert "1.234" in german
    assert present(listed).text == m.TOPICS_HEADER.format(count="1,234", mine="1")


def test_admin_counts_follow_the_admin_language() -> None:
    overview = TopicsOverview(((Topic(1, "pricing", "Pricing"), 1234),))
    assert "1,234 channels follow it" in present(overview).text  # PARTNERBOT_ADMIN_LANGUAGE=en
    with reading("de"):  # PARTNERBOT_ADMIN_LANGUAGE=de: English words, German numbers
        assert "1.234 channels follow it" in present(overview).text
        assert m.CHANNELS(1234) == "1.234 channels"

"""Wall-clock time in real IANA zones: DST gaps and folds, quiet hours, digest moments, `at:` parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from bot import messages as m
from bot.commands import Broadcast, CommandError, SetQuietHours
from bot.config import Settings
from bot.domain import DeliveryMode
from bot.grammar import parse_admin, parse_partner
from bot.timezones import (
    DigestTime,
    QuietHours,
    canonical_zone,
    last_digest,
    next_digest,
    parse_period_key,
    parse_quiet,
    period_key,
    stored_quiet,
    to_utc,
    zone,
    zone_or,
)
from bot.when import At, parse_at

BERLIN = zone("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --- DST ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wall", "zone_name", "expected"),
    [
        (datetime(2026, 12, 1, 9, 0), "Europe/Berlin", utc(2026, 12, 1, 8, 0)),  # CET, UTC+1
        (datetime(2026, 7, 1, 9, 0), "Europe/Berlin", utc(2026, 7, 1, 7, 0)),  # CEST, UTC+2
        # Spring forward: 02:00 → 03:00, so 02:30 does not exist; the first valid instant is 03:00.
        (datetime(2027, 3, 28, 2, 30), "Europe/Berlin", utc(2027, 3, 28, 1, 0)),
        (datetime(2027, 3, 28, 2, 0), "Europe/Berlin", utc(2027, 3, 28, 1, 0)),
        (datetime(2027, 3, 28, 3, 0), "Europe/Berlin", utc(2027, 3, 28, 1, 0)),
        # Fall back: 03:00 → 02:00, so 02:30 happens twice; the first (CEST, UTC+2) is taken.
        (datetime(2026, 10, 25, 2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
        (datetime(2027, 3, 14, 2, 30), "America/New_York", utc(2027, 3, 14, 7, 0)),
        (datetime(2026, 11, 1, 1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
        # Lord Howe moves by 30 minutes: 02:00 → 02:30.
        (datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
        # Samoa skipped 30 December 2011 entirely: the day after is the first valid instant.
        (datetime(2011, 12, 30, 10, 0), "Pacific/Apia", utc(2011, 12, 30, 10, 0)),
        (datetime(2026, 12, 1, 9, 0), "Asia/Kolkata", utc(2026, 12, 1, 3, 30)),
    ],
)
def test_to_utc_handles_gaps_and_folds(wall: datetime, zone_name: str, expected: datetime) -> None:
    assert to_utc(wall, zone(zone_name)) == expected


def test_zone_names() -> None:
    assert canonical_zone("europe/berlin") == "Europe/Berlin"
    assert canonical_zone(" UTC ") == "UTC"
    assert canonical_zone("Mars/Olympus") is None
    with pytest.raises(KeyError):
        zone("../../etc/passwd")
    assert zone_or("Nowhere/Else", "Asia/Tokyo")[0] == "Asia/Tokyo"
    assert zone_or(None, "Broken/Default")[0] == "UTC"


# --- quiet hours --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:00-08:00", QuietHours(time(20), time(8))),
        ("9:30-12:00", QuietHours(time(9, 30), time(12))),
        (" 22:00\u201307:00 ", QuietHours(time(22), time(7))),
        ("24:00-08:00", None),
        ("20:00-20:00", None),
        ("20:00", None),
        ("8pm-8am", None),
        ("20:60-08:00", None),
    ],
)
def test_parse_quiet(text: str, expected: QuietHours | None) -> None:
    assert parse_quiet(text) == expected


def test_quiet_hours_overnight_and_daytime() -> None:
    night = QuietHours(time(20), time(8))
    assert str(night) == "20:00-08:00"
    assert night.contains(time(23)) and night.contains(time(7, 59)) and night.contains(time(20))
    assert not night.contains(time(8)) and not night.contains(time(12))
    # 22:00 in Berlin on 24 November → 08:00 next morning; 06:00 → 08:00 the same morning.
    assert night.until(utc(2026, 11, 24, 21, 0), BERLIN) == utc(2026, 11, 25, 7, 0)
    assert night.until(utc(2026, 11, 25, 5, 0), BERLIN) == utc(2026, 11, 25, 7, 0)
    assert night.until(utc(2026, 11, 25, 12, 0), BERLIN) is None
    lunch = QuietHours(time(12), time(13))
    assert lunch.until(utc(2026, 11, 25, 11, 30), BERLIN) == utc(2026, 11, 25, 12, 0)
    assert lunch.until(utc(2026, 11, 25, 12, 0), BERLIN) is None


def test_quiet_hours_ending_in_a_dst_gap_end_when_the_clocks_jump() -> None:
    early = QuietHours(time(1), time(2, 30))
    assert early.until(utc(2027, 3, 28, 0, 30), BERLIN) == utc(2027, 3, 28, 1, 0)


def test_stored_quiet() -> None:
    default = QuietHours(time(22), time(7))
    assert stored_quiet(None, default) == default
    assert stored_quiet("", None) is None
    assert stored_quiet("off", default) is None
    assert stored_quiet("12:00-13:00", default) == QuietHours(time(12), time(13))


# --- digest moments ---------------------------------------------------------------------------------


def test_daily_digest_moments() -> None:
    nine = DigestTime()
    # Tuesday 10:00 in Berlin: today's 09:00 has passed.
    assert last_digest(utc(2026, 11, 24, 9, 0), DeliveryMode.DAILY, nine, BERLIN) == (
        utc(2026, 11, 24, 8, 0),
        date(2026, 11, 24),
    )
    assert last_digest(utc(2026, 11, 24, 7, 59), DeliveryMode.DAILY, nine, BERLIN)[1] == date(2026, 11, 23)
    assert next_digest(utc(2026, 11, 24, 9, 0), DeliveryMode.DAILY, nine, BERLIN) == utc(2026, 11, 25, 8, 0)
    assert next_digest(utc(2026, 11, 24, 8, 0), DeliveryMode.DAILY, nine, BERLIN) == utc(2026, 11, 24, 8, 0)


def test_weekly_digest_moments() -> None:
    monday = DigestTime()
    tokyo = zone("Asia/Tokyo")
    assert last_digest(utc(2026, 11, 24, 9, 0), DeliveryMode.WEEKLY, monday, tokyo) == (
        utc(2026, 11, 23, 0, 0),
        date(2026, 11, 23),
    )
    assert next_digest(utc(2026, 11, 24, 9, 0), DeliveryMode.WEEKLY, monday, tokyo) == utc(2026, 11, 30, 0, 0)
    friday = DigestTime(hour=17, minute=30, weekday=4)
    assert next_digest(utc(2026, 11, 24, 9, 0), DeliveryMode.WEEKLY, friday, zone("UTC")) == utc(
        2026, 11, 27, 17, 30
    )


def test_a_digest_hour_inside_a_dst_gap_goes_when_the_clocks_jump() -> None:
    at_0230 = DigestTime(hour=2, minute=30)
    assert next_digest(utc(2027, 3, 27, 12, 0), DeliveryMode.DAILY, at_0230, BERLIN) == utc(2027, 3, 28, 1, 0)


def test_period_keys() -> None:
    assert period_key(DeliveryMode.WEEKLY, date(2026, 11, 23)) == "weekly:2026-11-23"
    assert parse_period_key("daily:2026-11-25") == ("daily", date(2026, 11, 25))
    assert parse_period_key("now:2026-11-25T09:00") == ("now", date(2026, 11, 25))
    assert parse_period_key("garbage") == ("garbage", None)


# --- `at:` ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-01 09:00", At(datetime(2026, 12, 1, 9, 0), None)),
        ("2026-12-01T09:00", At(datetime(2026, 12, 1, 9, 0), None)),
        ("2026-12-01  09:00  LOCAL", At(datetime(2026, 12, 1, 9, 0), None, local=True)),
        ("2026-12-01 09:00 asia/tokyo", At(datetime(2026, 12, 1, 9, 0), "Asia/Tokyo")),
    ],
)
def test_parse_at_forms(value: str, expected: At) -> None:
    assert parse_at(value) == expected


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("12/01/2026 09:00", "The date in"),
        ("1.12.26 9:00", "The date in"),
        ("tomorrow", "I couldn't read"),
        ("2026/12/01 09:00", "I couldn't read"),
        ("2026-12-01", "I couldn't read"),
        ("2026-13-01 09:00", "I couldn't read"),
        ("2026-12-01 24:00", "I couldn't read"),
        ("2026-12-01 09:00 Europe/Berlin please", "I couldn't read"),
        ("2026-12-01 09:00 Atlantis/Lost", '"Atlantis/Lost" isn\'t a time zone I know'),
    ],
)
def test_parse_at_errors_name_the_accepted_forms(value: str, start: str) -> None:
    error = parse_at(value)
    assert isinstance(error, str)
    assert error.startswith(start) and m.AT_FORMS_LIST in error


def test_grammar_carries_the_schedule_and_quiet_hours() -> None:
    broadcast = parse_admin('broadcast topic:x at:"2026-12-01 09:00 local" title:T body')
    assert isinstance(broadcast, Broadcast)
    assert (broadcast.send_at, broadcast.send_zone, broadcast.send_local) == (
        datetime(2026, 12, 1, 9),
        None,
        True,
    )
    zoned = parse_admin('broadcast topic:x at:"2026-12-01 09:00 Europe/Berlin" title:T body')
    assert isinstance(zoned, Broadcast) and zoned.send_zone == "Europe/Berlin"
    assert parse_partner("settings quiet 20:00-08:00") == SetQuietHours(QuietHours(time(20), time(8)))
    assert parse_partner("settings quiet 22:00 - 07:00") == SetQuietHours(QuietHours(time(22), time(7)))
    assert parse_partner("settings quiet OFF") == SetQuietHours(None)
    assert isinstance(parse_partner("settings quiet now"), CommandError)
    assert parse_admin("scheduled") != parse_admin("schedule")


# --- settings ------------------------------------------------------------------------------------------


def test_settings_validate_zone_quiet_hours_and_digest_time() -> None:
    settings = Settings(
        _env_file=None,
        default_timezone="europe/berlin",
        quiet_hours="22:00-07:00",
        digest_time="7:05",
        digest_weekday="Friday",
    )
    assert settings.default_timezone == "Europe/Berlin"
    assert settings.default_quiet() == QuietHours(time(22), time(7))
    assert settings.digest_at() == DigestTime(hour=7, minute=5, weekday=4)
    assert Settings(_env_file=None, quiet_hours="off").default_quiet() is None
    assert Settings(_env_file=None).default_quiet() is None
    for bad in (
        {"default_timezone": "Mars/Base"},
        {"quiet_hours": "late"},
        {"digest_time": "25:00"},
        {"digest_weekday": "someday"},
    ):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **bad)  # type: ignore[arg-type]

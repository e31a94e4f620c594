"""Fatigue caps (bot/caps.py): the `settings cap` grammar, its properties, and the preview's words."""

from __future__ import annotations

from datetime import time as _time

import pytest
from babel.dates import format_time
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.caps import CAP_OFF, MAX_CAP, MIN_CAP, CapReach, effective_cap
from bot.commands import SetWeeklyCap
from bot.domain.directory import DeliveryMode
from bot.grammar import CommandError, parse_partner
from bot.presenter import present
from bot.presenter.caps import cap_lines
from bot.results import WeeklyCapSet
from bot.timezones import DigestTime

# 09:00 as English readers write it (Babel: "9:00 AM", with the narrow space CLDR puts before AM).
NINE_AM = format_time(_time(9, 0), format="short", locale="en")


PROPERTY = settings(max_examples=200, deadline=None)
NINE = DigestTime(hour=9, minute=0, weekday=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("settings cap 3", SetWeeklyCap(3)),
        ("settings cap 1", SetWeeklyCap(1)),
        ("settings cap 50", SetWeeklyCap(50)),
        ("settings cap 007", SetWeeklyCap(7)),
        ("settings CAP Off", SetWeeklyCap(CAP_OFF)),
        ("settings cap default", SetWeeklyCap(None)),
        ("Settings cap DEFAULT", SetWeeklyCap(None)),
    ],
)
def test_cap_forms(text: str, expected: SetWeeklyCap) -> None:
    assert parse_partner(text) == expected


def _invalid(value: str) -> str:
    return msg.CAP_INVALID.format(value=value, min=MIN_CAP, max=MAX_CAP)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("settings cap 0", _invalid("0")),
        ("settings cap 51", _invalid("51")),
        ("settings cap -3", _invalid("-3")),
        ("settings cap three", _invalid("three")),
        ("settings cap 3.5", _invalid("3.5")),
        ("settings cap 99999999999999999999", _invalid("99999999999999999999")),
    ],
)
def test_cap_refusals_are_friendly(text: str, message: str) -> None:
    parsed = parse_partner(text)
    assert isinstance(parsed, CommandError)
    assert parsed.message == message


@pytest.mark.parametrize("text", ["settings cap", "settings cap 3 4", "settings cap off please"])
def test_cap_usage(text: str) -> None:
    parsed = parse_partner(text)
    assert isinstance(parsed, CommandError)
    assert msg.SETTINGS_CAP_USAGE in parsed.message


def test_a_mistyped_setting_suggests_cap() -> None:
    parsed = parse_partner("settings capp 3")
    assert isinstance(parsed, CommandError)
    assert 'did you mean "cap"?' in parsed.message


def test_help_and_usage_name_the_cap() -> None:
    assert "settings cap" in msg.PARTNER_HELP
    assert msg.SETTINGS_CAP_USAGE in msg.PARTNER_USAGE["settings"]


@PROPERTY
@given(st.integers(-(10**6), 10**6))
def test_any_number_is_a_cap_or_a_refusal_naming_it(n: int) -> None:
    parsed = parse_partner(f"settings cap {n}")
    if MIN_CAP <= n <= MAX_CAP:
        assert parsed == SetWeeklyCap(n)
    else:
        assert isinstance(parsed, CommandError) and parsed.message == _invalid(str(n))


@PROPERTY
@given(st.text(max_size=30))
def test_cap_never_raises_and_sets_only_what_was_typed(text: str) -> None:
    parsed = parse_partner("settings cap " + text)
    if isinstance(parsed, CommandError):
        assert parsed.message.strip()
        return
    assert isinstance(parsed, SetWeeklyCap)
    word = text.strip().lower()
    if parsed.cap is None:
        assert word == "default"
    elif parsed.cap == CAP_OFF:
        assert word == "off"
    else:
        assert MIN_CAP <= parsed.cap <= MAX_CAP and int(word) == parsed.cap


def test_effective_cap() -> None:
    assert effective_cap(None, None) is None
    assert effective_cap(None, 3) == 3
    assert effective_cap(CAP_OFF, 3) is None  # off on the channel: none, whatever the vendor sets
    assert effective_cap(5, 3) == 5
    assert effective_cap(5, None) == 5


def test_preview_lines() -> None:
    assert cap_lines(CapReach(), NINE) == []
    one = cap_lines(CapReach(missed=1, caps=(3,)), NINE)
    assert one == [msg.WAIT_CAP_MISSED(1, caps="of 3", when=f"every day at {NINE_AM}")]
    assert "1 channel is at its weekly cap of 3" in one[0]
    many = cap_lines(CapReach(missed=2, digest=40, caps=(2, 5)), NINE)
    assert many == [
        msg.WAIT_CAP_MISSED(2, caps="(from 2 to 5)", when=f"every day at {NINE_AM}"),
        msg.WAIT_CAP_DIGEST(40, caps="(from 2 to 5)"),
    ]
    assert "40 channels are at their weekly cap (from 2 to 5): they get this in their next digest." in many[1]


def test_cap_replies_say_what_now_holds() -> None:
    def reply(cap: int | None, follows_vendor: bool, mode: DeliveryMode = DeliveryMode.IMMEDIATE) -> str:
        return present(WeeklyCapSet(cap, follows_vendor, mode, NINE, "Asia/Tokyo")).text

    assert reply(3, False) == msg.CAP_SET(3, when=f"every day at {NINE_AM}", timezone="Asia/Tokyo")
    assert reply(1, False).startswith("🧢 Saved: at most 1 normal announcement a week is posted")
    assert reply(2, False, DeliveryMode.WEEKLY) == msg.CAP_SET_DIGEST(2, mode="weekly")
    assert reply(None, False) == msg.CAP_OFF
    assert reply(4, True) == msg.CAP_DEFAULT(4)
    assert reply(None, True) == msg.CAP_DEFAULT_NONE

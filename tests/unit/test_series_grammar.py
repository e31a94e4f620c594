"""The grammar of recurring series and the calendar: `every:"…"`, `until:"…"`, `series …`,
`calendar [weeks]` — typed commands or friendly errors, never an exception; and the rule's dates."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import Broadcast, Calendar, CommandError, SeriesAction, SeriesEdit, SeriesList
from bot.domain.series import LAST, WEEKDAY_NAMES, WORKDAYS, Cadence, Recurrence
from bot.grammar import parse_admin
from bot.recurrence import parse_every, parse_until
from tests.unit.test_commands import any_text

PROPERTY = settings(max_examples=200, deadline=None)
NINE = time(9, 0)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("day 08:30", Recurrence(Cadence.DAILY, time(8, 30))),
        ("Daily 8:30", Recurrence(Cadence.DAILY, time(8, 30))),
        ("monday 09:00 local", Recurrence(Cadence.WEEKLY, NINE, frozenset({0}), local=True)),
        ("MONDAYS 09:00 LOCAL", Recurrence(Cadence.WEEKLY, NINE, frozenset({0}), local=True)),
        ("mon, thu 09:00", Recurrence(Cadence.WEEKLY, NINE, frozenset({0, 3}))),
        ("monday,thursday 09:00", Recurrence(Cadence.WEEKLY, NINE, frozenset({0, 3}))),
        ("weekdays 09:00", Recurrence(Cadence.WEEKLY, NINE, WORKDAYS)),
        ("1st monday 10:00", Recurrence(Cadence.MONTHLY, time(10), frozenset({0}), nth=1)),
        ("first Monday 10:00", Recurrence(Cadence.MONTHLY, time(10), frozenset({0}), nth=1)),
        ("4th fri 23:59", Recurrence(Cadence.MONTHLY, time(23, 59), frozenset({4}), nth=4)),
        (
            "last sunday 00:00 local",
            Recurrence(Cadence.MONTHLY, time(0), frozenset({6}), nth=LAST, local=True),
        ),
    ],
)
def test_every_forms(text: str, rule: Recurrence) -> None:
    assert parse_every(text) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", msg.EVERY_INVALID.format(value="")),
        ("monday", msg.EVERY_INVALID.format(value="monday")),
        ("09:00", msg.EVERY_INVALID.format(value="09:00")),
        ("monday 9am", msg.EVERY_TIME_INVALID.format(value="9am", every="monday 9am")),
        ("day 24:00", msg.EVERY_TIME_INVALID.format(value="24:00", every="day 24:00")),
        ("5th monday 09:00", msg.EVERY_UNKNOWN_DAY.format(word="5th", did_you_mean=".")),
        (
            "tuesdy 09:00",
            msg.EVERY_UNKNOWN_DAY.format(
                word="tuesdy", did_you_mean=msg.DID_YOU_MEAN.format(suggestion="tuesday")
            ),
        ),
    ],
)
def test_every_refusals_name_the_forms(text: str, message: str) -> None:
    assert parse_every(text) == message


def test_until_reads_one_date() -> None:
    assert parse_until(" 2027-06-30 ") == date(2027, 6, 30)
    assert parse_until("2027-02-30") == msg.UNTIL_INVALID.format(value="2027-02-30")
    assert parse_until("30.06.2027") == msg.UNTIL_INVALID.format(value="30.06.2027")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("series", SeriesList()),
        ("series start 3", SeriesAction("start", 3)),
        ("SERIES Pause #3", SeriesAction("pause", 3)),
        ("series resume 3", SeriesAction("resume", 3)),
        ("series end 3", SeriesAction("end", 3)),
        ('series edit 3 title:"New" Body  text.', SeriesEdit(3, "New", "Body  text.")),
        ("series edit 3 Re: the body", SeriesEdit(3, None, "Re: the body")),
        ("calendar", Calendar(2)),
        ("calendar 12", Calendar(12)),
        ("calendar 4 weeks", Calendar(4)),
    ],
)
def test_series_and_calendar_forms(text: str, expected: object) -> None:
    assert parse_admin(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("series start", "Usage: "),
        ("series start x", '"x" isn\'t a series number, e.g. `series start 3`.'),
        ("series edit 3", msg.SERIES_EDIT_NOTHING),
        ("calendar 0", msg.CALENDAR_WEEKS_INVALID.format(max=12, value="0")),
        ("calendar two", msg.CALENDAR_WEEKS_INVALID.format(max=12, value="two")),
        ("calendar 2 3", "Usage: "),
        ('broadcast topic:a every:"day 09:00" attach:x.pdf title:"T" B', msg.EVERY_NO_FILES),
        (
            'broadcast topic:a every:"day 09:00" until:"someday" title:"T" B',
            msg.UNTIL_INVALID.format(value="someday"),
        ),
        ('broadcast topic:a until:"2027-01-01" title:"T" B', msg.UNTIL_WITHOUT_EVERY),
        ('broadcast topic:a every:"day 09:00" at:"2027-01-01 09:00" title:"T" B', msg.EVERY_WITH_AT),
        ('broadcast topic:a every:"" title:"T" B', "`every:` has nothing between its quotes"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    parsed = parse_admin(text)
    assert isinstance(parsed, CommandError) and message in parsed.message, parsed


def test_broadcast_every_until() -> None:
    parsed = parse_admin('broadcast topic:pricing every:"monday 09:00 local" until:"2027-06-30" title:"T" B')
    assert isinstance(parsed, Broadcast)
    assert parsed.every == Recurrence(Cadence.WEEKLY, NINE, frozenset({0}), local=True)
    assert parsed.until == date(2027, 6, 30)
    assert parsed.send_at is None


# --- properties -------------------------------------------------------------------------------------

weekdays = st.sampled_from(range(7))
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
rules = st.one_of(
    st.builds(Recurrence, st.just(Cadence.DAILY), times, local=st.booleans()),
    st.builds(
        Recurrence,
        st.just(Cadence.WEEKLY),
        times,
        st.frozensets(weekdays, min_size=1),
        local=st.booleans(),
    ),
    st.builds(
        Recurrence,
        st.just(Cadence.MONTHLY),
        times,
        st.frozensets(weekdays, min_size=1, max_size=1),
        nth=st.sampled_from([1, 2, 3, 4, LAST]),
        local=st.booleans(),
    ),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@PROPERTY
@given(any_text)
def test_every_and_until_never_raise(text: str) -> None:
    assert isinstance(parse_every(text), Recurrence | str)
    assert isinstance(parse_until(text), date | str)


@PROPERTY
@given(any_text, any_text)
def test_series_commands_never_raise(action: str, rest: str) -> None:
    for text in (
        f"series {action} {rest}",
        f"calendar {rest}",
        f'broadcast topic:a every:"{rest}" title:"T" B',
    ):
        assert isinstance(
            parse_admin(text), (SeriesList, SeriesAction, SeriesEdit, Calendar, Broadcast, CommandError)
        )


@PROPERTY
@given(rules)
def test_the_canonical_text_parses_back_to_the_rule(rule: Recurrence) -> None:
    assert parse_every(rule.text()) == rule


@PROPERTY
@given(rules, days)
def test_dates_are_the_matching_days_in_order(rule: Recurrence, start: date) -> None:
    window = start + timedelta(days=70)
    found = list(rule.dates(start, window))
    assert found == [start + timedelta(days=n) for n in range(71) if rule.matches(start + timedelta(days=n))]
    assert found, "every rule falls at least once in ten weeks"
    for day in found:
        if rule.cadence is not Cadence.DAILY:
            assert day.weekday() in rule.weekdays
    if rule.cadence is Cadence.MONTHLY:  # once a month
        months = [(d.year, d.month) for d in found]
        assert len(months) == len(set(months))
        for day in found:
            if rule.nth == LAST:
                assert (day + timedelta(days=7)).month != day.month
            else:
                assert (day.day - 1) // 7 + 1 == rule.nth


def test_weekday_names_are_the_calendar_order() -> None:
    assert [WEEKDAY_NAMES[date(2026, 11, 23 + n).weekday()] for n in range(7)] == list(WEEKDAY_NAMES)

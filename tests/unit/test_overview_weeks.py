"""The Overview's 90-day chart counts calendar weeks (read from the weekly roll-up), the first and
last cut to the window."""

from __future__ import annotations

from datetime import date

from storage.repositories.overview import week_buckets


def test_weeks_start_on_the_monday_before_the_window() -> None:
    # Thursday 2026-09-03 to Friday 2026-12-04: the week of Monday 08-31 (cut), … the week of 11-30.
    assert week_buckets(date(2026, 9, 3), date(2026, 12, 4)) == (date(2026, 8, 31), 14)


def test_a_window_starting_on_a_monday_has_no_cut_first_week() -> None:
    assert week_buckets(date(2026, 8, 31), date(2026, 9, 6)) == (date(2026, 8, 31), 1)
    assert week_buckets(date(2026, 8, 31), date(2026, 9, 7)) == (date(2026, 8, 31), 2)

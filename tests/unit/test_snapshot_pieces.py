"""Which spans of completed days a score snapshot holds (bot.domain.engagement): the pieces a window is
cut into end by today; today itself is always counted live."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.engagement import quiet_pieces, score_pieces, snapshot_pieces

TODAY = date(2026, 12, 4)


def test_a_score_window_is_one_piece_before_today() -> None:
    assert score_pieces(30, TODAY) == ((date(2026, 11, 5), TODAY),)  # 29 completed days + today
    assert score_pieces(1, TODAY) == ()  # today only: nothing to keep


def test_the_gone_quiet_windows_are_cut_where_their_counts_change() -> None:
    got = quiet_pieces(timedelta(days=30), timedelta(weeks=4), TODAY)
    until = TODAY + timedelta(days=1)
    assert got == (
        (until - timedelta(days=60), until - timedelta(days=30)),  # the window before
        (until - timedelta(days=30), until - timedelta(days=28)),  # the window, before the last 4 weeks
        (until - timedelta(days=28), TODAY),  # the last 4 weeks, today aside
    )


def test_cuts_outside_the_window_cut_nothing() -> None:
    # Quiet for longer than both windows: the last `quiet_for` starts before the window does.
    got = quiet_pieces(timedelta(days=7), timedelta(weeks=4), TODAY)
    assert got == (
        (TODAY - timedelta(days=13), TODAY - timedelta(days=6)),
        (TODAY - timedelta(days=6), TODAY),
    )


@given(
    st.integers(min_value=-400, max_value=10),
    st.integers(min_value=1, max_value=400),
    st.lists(st.integers(min_value=-800, max_value=20), max_size=4),
)
def test_the_pieces_tile_the_completed_days_in_order(offset: int, length: int, cuts: list[int]) -> None:
    start = TODAY + timedelta(days=offset)
    until = start + timedelta(days=length)
    pieces = snapshot_pieces(start, until, [TODAY + timedelta(days=n) for n in cuts], TODAY)
    first, end = min(start, TODAY), min(until, TODAY)  # the window's completed days
    days = [d for a, b in pieces for d in (a + timedelta(days=i) for i in range((b - a).days))]
    assert days == [first + timedelta(days=i) for i in range((end - first).days)]
    assert all(a < b <= TODAY for a, b in pieces)

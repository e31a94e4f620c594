"""The partner card's engagement lines (bot/presenter/roster.py): the trend in words."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.engagement import EngagementKind, PartnerEngagement, RecentAction
from bot.formats import moment
from bot.presenter.roster import engagement_lines


def _score_line(score: float, previous: float) -> str:
    return engagement_lines(PartnerEngagement(90, score, previous, ()))[0]


def test_trend_up_down_and_steady() -> None:
    assert ", up 12 from 30 the 90 days before " in _score_line(42, 30)
    assert ": 12.5, down 17.5 from 30 the 90 days before " in _score_line(12.5, 30)
    # Less than a point either way is steady; a point is a move.
    assert ": 30.4, steady (30 the 90 days before) " in _score_line(30.4, 30)
    assert ": 29.1, steady (30 the 90 days before) " in _score_line(29.1, 30)
    assert ", up 1 from 30 " in _score_line(31, 30)


def test_recent_actions_name_what_and_where() -> None:
    at = datetime(2026, 12, 1, 14, 3, tzinfo=UTC)
    when = moment(at)  # the instant as the admin reads it
    lines = engagement_lines(
        PartnerEngagement(
            90,
            10,
            10,
            (
                RecentAction(EngagementKind.ACKNOWLEDGED, at, announcement="Price list 2027"),
                RecentAction(EngagementKind.MUTED, at, topic="pricing"),
                RecentAction(EngagementKind.SETTINGS_CHANGED, at),
            ),
        )
    )
    assert lines[1:] == [
        "• the latest 3 actions:",
        f'  · {when}: acknowledged ("Price list 2027")',
        f"  · {when}: muted a topic (`pricing`)",
        f"  · {when}: changed settings",
    ]


def test_every_kind_has_words() -> None:
    from bot import messages as m

    assert set(m.ENGAGEMENT_ACTIONS) == {kind.value for kind in EngagementKind}

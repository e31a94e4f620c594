"""The weekly report's "partner actions" line: proactive apart from reactive, real plurals."""

from __future__ import annotations

from bot import messages as m
from bot.domain.engagement import ActionTotals, EngagementKind
from bot.services.reports import render_actions


def test_every_kind_has_words() -> None:
    assert set(m.ENGAGEMENT_KIND_COUNTS) == {kind.value for kind in EngagementKind}


def test_most_frequent_first_and_singulars() -> None:
    k = EngagementKind
    totals = ActionTotals(
        by_kind={k.SUBSCRIBED: 2, k.NEWS_PULLED: 3, k.UNSUBSCRIBED: 2, k.REACTION_ADDED: 1, k.HELPFUL: 0}
    )
    assert (totals.proactive, totals.reactive) == (7, 1)
    assert render_actions(totals) == (
        "Partner actions: 7 proactive actions (3 news pulls, 2 subscriptions, 2 unsubscriptions)"
        " · 1 reactive action (1 reaction)"
    )


def test_no_actions() -> None:
    assert ActionTotals().is_empty()
    assert render_actions(ActionTotals()) == "Partner actions: 0 proactive actions · 0 reactive actions"

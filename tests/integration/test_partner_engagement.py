"""`partner <name>` shows the partner's engagement score, its trend against the window before and its
latest actions (issue 14), on the hand-computed world of test_engagement_score.py, on SQLite and
PostgreSQL, through the local adapter.

Previous window (90 to 180 days ago): Acme and Calm did and received nothing (0); Bolt pulled news
120 days ago: 100 * 3 / (0 + 5) = 60; Dull 171.4 (see the world's docstring).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.engagement import EngagementKind
from bot.formats import moment
from storage.tables import EngagementEventRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import channel_row, rebuild_rollups, setup_topics
from tests.integration.test_engagement_score import _world


async def test_store_scores_one_partner_like_the_ranking(harness: Harness, clock: FakeClock) -> None:
    ids = await _world(harness, clock)
    store = harness.app.stores.engagement
    formula = harness.app.bot.engagement.formula
    now, window = clock.now(), timedelta(days=90)
    got = {
        name: await store.partner_engagement(
            partner_id=ids[name], now=now, window=window, formula=formula, recent=5
        )
        for name in ("acme", "bolt", "calm", "dull")
    }
    assert {name: (e.score, e.previous_score) for name, e in got.items()} == {
        "acme": (90.0, 0.0),
        "bolt": (6.7, 60.0),
        "calm": (20.0, 0.0),
        "dull": (12.5, 171.4),
    }
    # The same numbers as the ranking and gone-quiet list.
    ranked = {s.partner_id: s.score async for s in harness.app.bot.engagement.scores()}
    assert all(ranked[ids[name]] == e.score for name, e in got.items())
    acme = got["acme"].recent
    assert [(a.kind.value, now - a.at, a.announcement, a.topic) for a in acme] == [
        ("news_pulled", timedelta(days=3), None, "security"),
        ("reaction_removed", timedelta(days=5), "A1", None),
        ("reaction_added", timedelta(days=5), "A1", None),
        ("reaction_added", timedelta(days=5), "A1", None),
        ("reaction_added", timedelta(days=5), "A1", None),
    ]
    assert len(got["dull"].recent) == 5 and got["dull"].recent[0].at == now - timedelta(days=50)
    assert [a.kind.value for a in got["calm"].recent] == ["helpful"]


async def test_partner_card_in_chat_shows_score_trend_and_actions(harness: Harness, clock: FakeClock) -> None:
    await _world(harness, clock)
    now = clock.now()

    def at(days: int) -> str:
        return moment(now - timedelta(days=days))

    acme = (await harness.admin("partner Acme")).text.splitlines()
    # After the channels, before the over-sending line (still the card's last).
    assert acme[6:] == [
        "• engagement score over the last 90 days: 90, up 90 from 0 the 90 days before "
        "(`engagement` explains the score)",
        "• the latest 5 actions:",
        f"  · {at(3)}: pulled news (`security`)",
        f'  · {at(5)}: took a reaction back ("A1")',
        f'  · {at(5)}: reacted ("A1")',
        f'  · {at(5)}: reacted ("A1")',
        f'  · {at(5)}: reacted ("A1")',
        "• last 30 days: 5 announcements received (1.2 a week) · 2 proactive actions, 4 reactive actions",
    ]
    bolt = (await harness.admin("partner bolt")).text.splitlines()
    assert bolt[6:9] == [
        "• engagement score over the last 90 days: 6.7, down 53.3 from 60 the 90 days before "
        "(`engagement` explains the score)",
        "• the latest 2 actions:",
        f'  · {at(60)}: reacted ("A2")',
    ]
    assert bolt[9] == f"  · {at(120)}: pulled news"
    calm = (await harness.admin("partner Calm")).text.splitlines()
    assert calm[7:9] == ["• the latest action:", f'  · {at(30)}: pressed Helpful ("A3")']


async def test_a_partner_without_actions_says_so(harness: Harness, clock: FakeClock) -> None:
    await harness.link("idle", "Idle", tier="gold")
    card = (await harness.admin("partner Idle")).text.splitlines()
    assert card[-3:-1] == [
        "• engagement score over the last 90 days: 0, steady (0 the 90 days before) "
        "(`engagement` explains the score)",
        "• no action recorded yet",
    ]
    # Its own subscription is an action, and shows at once: 100 * 3 / (0 + 5) = 60.
    await setup_topics(harness, "security")
    subscribed = clock.now()
    await harness.subscribe("idle", "security")
    clock.advance(60)
    card = (await harness.admin("partner Idle")).text.splitlines()
    assert card[-4:-1] == [
        "• engagement score over the last 90 days: 60, up 60 from 0 the 90 days before "
        "(`engagement` explains the score)",
        "• the latest action:",
        f"  · {moment(subscribed)}: subscribed (`security`)",
    ]


K_REACTION = EngagementKind.REACTION_ADDED


async def test_last_action_kind_is_the_latest_counted_event(harness: Harness, clock: FakeClock) -> None:
    """Two actions at the same instant: the one written last; a reaction taken back later is not an
    action (it is not counted), so the reaction before it stays the last action."""
    await harness.link("acme", "Acme", tier="gold")
    row = await channel_row(harness, "acme")
    now = clock.now()
    async with AsyncSession(harness.app.engine) as session:
        for kind, days in (
            (EngagementKind.SUBSCRIBED, 2),
            (EngagementKind.NEWS_PULLED, 2),
            (EngagementKind.REACTION_ADDED, 2),
            (EngagementKind.REACTION_REMOVED, 1),
        ):
            session.add(
                EngagementEventRow(
                    at=now - timedelta(days=days), kind=kind.value, proactive=kind is not K_REACTION,
                    partner_id=row.partner_id, channel_id=row.id, platform="local", user_id="u",
                )
            )  # fmt: skip
        await session.commit()
    await rebuild_rollups(harness)
    (score,) = [s async for s in harness.app.bot.engagement.scores()]
    assert (score.last_action, score.last_action_kind) == (now - timedelta(days=2), K_REACTION)

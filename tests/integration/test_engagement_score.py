"""The engagement score and "gone quiet" (issue 14) on hand-computed fixtures, on SQLite and PostgreSQL:
the store's one-statement queries, the service, and the `engagement` / `quiet` admin commands through
the local adapter.

The world (now = the clock's, window 90 days, quiet after 4 weeks, drop 50%, weights 3/1, smoothing 5):
- Acme (gold, emea): received #1-#5 10 days ago; a news pull (security) 3 days ago, a subscription
  (pricing) 20 days ago, three reactions on #1 5 days ago and one removed (not counted):
  100 * (3*2 + 3) / (5 + 5) = 90.
- Bolt (silver, na): received #1-#10 10 days ago; one reaction 60 days ago: 100 * 1 / (10 + 5) = 6.7;
  no action in the last 4 weeks while receiving: gone quiet (no action).
- Calm (gold, no region): received nothing; a Helpful 30 days ago: 100 * 1 / (0 + 5) = 20.
- Dull (silver, na): received #3-#5 40 days ago; a reaction 50 days ago: 100 * 1 / (3 + 5) = 12.5;
  previous window: #6, #7 received and four pulls 100 days ago: 100 * 12 / (2 + 5) = 171.4, so its
  score fell by more than 50%: gone quiet (score drop). Received nothing in the last 4 weeks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.engagement import EngagementKind, EngagementOverview, QuietReason, ScoreFilter
from bot.formats import day
from storage.tables import AnnouncementRow, AnnouncementTopicRow, DeliveryRow, EngagementEventRow, TopicRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import channel_row, rebuild_rollups, rows, setup_topics

K = EngagementKind


async def _world(h: Harness, clock: FakeClock) -> dict[str, int]:
    """The fixture above; returns the topic ids and partner ids by name."""
    await setup_topics(h, "security", "pricing")
    ids = {t.slug: t.id for t in await rows(h, TopicRow) if t.id is not None}
    linked = (
        ("acme", "gold", "emea"),
        ("bolt", "silver", "na"),
        ("calm", "gold", ""),
        ("dull", "silver", "na"),
    )
    for channel, tier, region in linked:
        await h.link(channel, channel.capitalize(), tier=tier, region=region)
    channels = {name: await channel_row(h, name) for name in ("acme", "bolt", "calm", "dull")}
    for name, row in channels.items():
        assert row.partner_id is not None
        ids[name] = row.partner_id
    now = clock.now()

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    async with AsyncSession(h.app.engine) as session:
        for number in range(1, 11):
            session.add(
                AnnouncementRow(
                    id=number, title=f"A{number}", body="b", status="sent", author_platform="local",
                    author_workspace="W", author_user="alice", origin_channel="admin", created_at=ago(200),
                    sent_at=ago(200),
                )
            )  # fmt: skip
        await session.flush()
        # Announcements #1-#5 are about security, #6-#10 about pricing.
        for number in range(1, 11):
            topic = ids["security"] if number <= 5 else ids["pricing"]
            session.add(AnnouncementTopicRow(announcement_id=number, topic_id=topic))

        def deliver(channel: str, numbers: range, days: int) -> None:
            for number in numbers:
                session.add(
                    DeliveryRow(
                        announcement_id=number, channel_id=channels[channel].id, platform="local",
                        status="sent", not_before=ago(days), sent_at=ago(days),
                    )
                )  # fmt: skip

        deliver("acme", range(1, 6), 10)
        deliver("bolt", range(1, 11), 10)
        deliver("dull", range(3, 6), 40)
        deliver("dull", range(6, 8), 100)

        def event(
            channel: str, kind: EngagementKind, days: int, *, topic: int | None = None, ann: int | None = None
        ) -> None:
            session.add(
                EngagementEventRow(
                    at=ago(days), kind=kind.value, proactive=kind in (K.NEWS_PULLED, K.SUBSCRIBED),
                    partner_id=ids[channel], channel_id=channels[channel].id, platform="local",
                    user_id="u", topic_id=topic, announcement_id=ann,
                )
            )  # fmt: skip

        event("acme", K.NEWS_PULLED, 3, topic=ids["security"])
        event("acme", K.SUBSCRIBED, 20, topic=ids["pricing"])
        for _ in range(3):
            event("acme", K.REACTION_ADDED, 5, ann=1)
        event("acme", K.REACTION_REMOVED, 5, ann=1)
        event("bolt", K.REACTION_ADDED, 60, ann=2)
        event("bolt", K.NEWS_PULLED, 120)
        event("calm", K.HELPFUL, 30, ann=3)
        event("dull", K.REACTION_ADDED, 50, ann=3)
        for _ in range(4):
            event("dull", K.NEWS_PULLED, 100)
        await session.commit()
    await rebuild_rollups(h)
    return ids


async def test_scores_are_the_hand_computed_ones(harness: Harness, clock: FakeClock) -> None:
    ids = await _world(harness, clock)
    service = harness.app.bot.engagement
    scores = [s async for s in service.scores()]
    assert [(s.name, s.score, s.proactive, s.reactive, s.received) for s in scores] == [
        ("Acme", 90.0, 2, 3, 5),
        ("Calm", 20.0, 0, 1, 0),
        ("Dull", 12.5, 0, 1, 3),
        ("Bolt", 6.7, 0, 1, 10),
    ]
    acme = scores[0]
    assert (acme.partner_id, acme.tier, acme.region) == (ids["acme"], "gold", "emea")
    assert acme.last_action == clock.now() - timedelta(days=3)
    assert [s.last_action_kind for s in scores] == [
        K.NEWS_PULLED,
        K.HELPFUL,
        K.REACTION_ADDED,
        K.REACTION_ADDED,
    ]

    # Of one topic: security is #1-#5 (Acme's reactions and pull count, its pricing subscription not).
    by_topic = [s async for s in service.scores(ScoreFilter(topic_id=ids["security"]))]
    assert [(s.name, s.score, s.proactive, s.reactive, s.received) for s in by_topic] == [
        ("Acme", 60.0, 1, 3, 5),
        ("Calm", 20.0, 0, 1, 0),
        ("Dull", 12.5, 0, 1, 3),
        ("Bolt", 10.0, 0, 1, 5),  # its reaction is on #2, a security one
    ]
    silver = [s.name async for s in service.scores(ScoreFilter(tier="silver", region="na"))]
    assert silver == ["Dull", "Bolt"]


async def test_overview_has_averages_and_totals(harness: Harness, clock: FakeClock) -> None:
    await _world(harness, clock)
    overview = await harness.app.bot.engagement.overview()
    assert isinstance(overview, EngagementOverview)
    assert [(a.name, a.partners, a.score) for a in overview.tiers] == [("gold", 2, 55.0), ("silver", 2, 9.6)]
    assert [(a.name, a.score) for a in overview.regions] == [("emea", 90.0), ("", 20.0), ("na", 9.6)]
    assert (overview.proactive, overview.reactive, overview.partners) == (2, 6, 4)


async def test_gone_quiet_lists_the_silent_and_the_dropped(harness: Harness, clock: FakeClock) -> None:
    await _world(harness, clock)
    listing = await harness.app.bot.engagement.quiet()
    assert [(p.name, p.tier, p.reason, p.score, p.previous_score) for p in listing.partners] == [
        ("Bolt", "silver", QuietReason.NO_ACTION, 6.7, 60.0),
        ("Dull", "silver", QuietReason.SCORE_DROP, 12.5, 171.4),
    ]
    assert [p.last_action for p in listing.partners] == [
        clock.now() - timedelta(days=60),
        clock.now() - timedelta(days=50),
    ]
    assert [p.last_action_kind for p in listing.partners] == [K.REACTION_ADDED, K.REACTION_ADDED]


async def test_engagement_and_quiet_commands_in_chat(harness: Harness, clock: FakeClock) -> None:
    await _world(harness, clock)
    reply = await harness.admin("engagement")
    assert not reply.is_error
    assert reply.text == "\n".join(
        [
            "**Engagement of 4 partners, last 90 days**",
            "Proactive actions: 2 · reactive actions: 6",
            "**Most engaged**",
            "• Acme (gold) — score 90 · 2 proactive, 3 reactive, 5 announcements received",
            "• Calm (gold) — score 20 · 0 proactive, 1 reactive, 0 announcements received",
            "• Dull (silver) — score 12.5 · 0 proactive, 1 reactive, 3 announcements received",
            "• Bolt (silver) — score 6.7 · 0 proactive, 1 reactive, 10 announcements received",
            "**Average by tier:** gold 55 (2 partners) · silver 9.6 (2 partners)",
            "**Average by region:** emea 90 (1 partner) · no region 20 (1 partner) · na 9.6 (2 partners)",
            "Score: `100 * (3 * proactive + 1 * reactive) / (received + 5)`",
        ]
    )
    one = await harness.admin("engagement tier:gold region:emea topic:security")
    assert one.text.splitlines()[:2] == [
        "**Engagement of 1 partner (tier:gold, region:emea, topic:security), last 90 days**",
        "Proactive actions: 1 · reactive actions: 3",
    ]
    quiet = await harness.admin("quiet")
    assert quiet.text == "\n".join(
        [
            "**2 partners have gone quiet**",
            "• Bolt (silver) — no action in the last 4 weeks while still receiving; last action: reacted on "
            + day((clock.now() - timedelta(days=60)).date()),
            "• Dull (silver) — score 12.5, down from 171.4; last action: reacted on "
            + day((clock.now() - timedelta(days=50)).date()),
            "_Gone quiet: still receiving with no action in the last 4 weeks, or a score down by more "
            "than 50% against the previous 90 days._",
        ]
    )


async def test_engagement_refusals_say_what_to_type(harness: Harness) -> None:
    unknown = await harness.admin("engagement topic:nosuch")
    assert unknown.is_error and unknown.text == 'There is no topic "nosuch": `topics` lists them.'
    several = await harness.admin("engagement tier:gold,silver")
    assert several.is_error
    assert several.text == (
        "`engagement` scores one tier at a time: write `tier:<value>` without commas, "
        "e.g. `engagement tier:gold`."
    )
    typo = await harness.admin("engagement tier:gld")
    assert typo.is_error and typo.text.startswith('unknown tier "gld" — did you mean "gold"?'), typo.text
    prose = await harness.admin("engagement gold")
    assert prose.is_error and "`engagement tier:gold region:emea`" in prose.text
    extra = await harness.admin("quiet please")
    assert extra.is_error and extra.text == "Usage: `quiet`"
    empty = await harness.admin("engagement")
    assert empty.text == (
        "No partner to score yet. `invite` adds a partner; `engagement` without options scores every partner."
    )

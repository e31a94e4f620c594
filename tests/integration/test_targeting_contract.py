"""The SQL targeting (storage/repositories/targeting.py, and the reach counted from it) is a fast
path for the core's rule (bot/targeting.py, `Audience.matches`): on random partners, channels,
subscriptions and audiences drawn by Hypothesis, both give the same target set, on SQLite and on
PostgreSQL.

The worlds are drawn first and then written one after another into the test's database: a fresh
database per example would make the property too slow to run on both backends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from bot.domain import Audience, Channel, ChannelRef, DeliveryMode, Partner, Platform, Reach
from bot.targeting import is_target
from storage.repositories.targeting import targets
from storage.tables import ChannelRow, PartnerRow, SubscriptionRow, TopicRow
from tests.harness import ADMIN_CHANNEL, Harness

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TOPICS = 3
EXAMPLES = 40
# Few values, so audiences often hit and often miss; "" is a partner without that attribute.
VALUES = {
    "tier": ["gold", "silver", "Gold", ""],
    "type": ["msp", "isv", ""],
    "region": ["emea", "na", ""],
    "language": ["en", "de", ""],
}


@dataclass(frozen=True)
class World:
    partners: list[Partner]
    # (channel, index into partners or None, topics followed)
    channels: list[tuple[Channel, int | None, frozenset[int]]]
    topic_ids: frozenset[int]
    audience: Audience


@st.composite
def worlds(draw: st.DrawFn) -> World:
    def value(attribute: str) -> str:
        return draw(st.sampled_from(VALUES[attribute]))

    partners = [
        Partner(
            id=i + 1,
            name=f"Partner {i}",
            tier=value("tier"),
            type=value("type"),
            region=value("region"),
            language=value("language"),
            timezone="UTC",
            removed_at=NOW if draw(st.booleans()) and draw(st.booleans()) else None,
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    channels = []
    for i in range(draw(st.integers(2, 8))):
        platform = draw(st.sampled_from([Platform.LOCAL, Platform.SLACK]))
        # Now and then the admin channel's id, which targeting leaves out (on `local` only).
        name = ADMIN_CHANNEL if i == 0 and draw(st.booleans()) else f"c{i}"
        owner = None if draw(st.integers(0, 4)) == 0 else draw(st.integers(0, len(partners) - 1))
        channel = Channel(
            id=i + 1,
            ref=ChannelRef(platform, "W1", name),
            name=name,
            partner_id=None if owner is None else partners[owner].id,
            mode=DeliveryMode.IMMEDIATE,
            timezone=None,
            active=draw(st.integers(0, 3)) > 0,
        )
        follows = draw(st.frozensets(st.integers(1, TOPICS), min_size=int(draw(st.integers(0, 3)) > 0)))
        channels.append((channel, owner, follows))

    def wanted(attribute: str) -> frozenset[str]:
        # Mostly left open ("any"), as in most audiences; else one or two values.
        if draw(st.integers(0, 2)) > 0:
            return frozenset()
        return draw(st.frozensets(st.sampled_from(VALUES[attribute]), min_size=1, max_size=2))

    audience = Audience(
        tiers=wanted("tier"), types=wanted("type"), regions=wanted("region"), languages=wanted("language")
    )
    topic_ids = draw(st.frozensets(st.integers(1, TOPICS), min_size=1))
    return World(partners, channels, topic_ids, audience)


def _drawn(examples: int = EXAMPLES) -> list[World]:
    drawn: list[World] = []

    # A fixed seed: the same 40 worlds on every run, so CI never flakes on the "worlds mean something"
    # check below (about one random seed in six drew worlds where almost nobody was targeted).
    @seed(20261203)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate])
    @given(worlds())
    def draw(world: World) -> None:
        drawn.append(world)

    draw()
    return drawn


def _by_rule(world: World, excluded: list[ChannelRef]) -> list[tuple[Channel, Partner | None]]:
    chosen = []
    for channel, owner, follows in world.channels:
        partner = None if owner is None else world.partners[owner]
        if is_target(
            channel,
            partner,
            follows=follows,
            topic_ids=world.topic_ids,
            audience=world.audience,
            excluded=excluded,
        ):
            chosen.append((channel, partner))
    return chosen


def _reach_by_rule(chosen: list[tuple[Channel, Partner | None]]) -> Reach:
    def label(partner: Partner | None, value: str) -> str:
        return "unlinked" if partner is None else value or "none"

    return Reach(
        channels=len(chosen),
        partners=len({partner.id for _, partner in chosen if partner is not None}),
        by_platform=dict(Counter(channel.ref.platform.value for channel, _ in chosen)),
        by_tier=dict(Counter(label(partner, partner.tier if partner else "") for _, partner in chosen)),
        by_region=dict(Counter(label(partner, partner.region if partner else "") for _, partner in chosen)),
        # Partners (not channels) per language as stored; channels without a partner count none.
        by_language=dict(Counter(p.language for p in {p.id: p for _, p in chosen if p is not None}.values())),
    )


async def _write(h: Harness, world: World) -> None:
    async with h.app.engine.begin() as conn:
        for table in (SubscriptionRow, ChannelRow, PartnerRow, TopicRow):
            await conn.execute(delete(table))
        await conn.execute(
            insert(TopicRow),
            [{"id": t, "slug": f"t{t}", "title": f"T{t}", "created_at": NOW} for t in range(1, TOPICS + 1)],
        )
        if world.partners:
            await conn.execute(
                insert(PartnerRow),
                [
                    {
                        "id": p.id,
                        "name": p.name,
                        "tier": p.tier,
                        "type": p.type,
                        "region": p.region,
                        "language": p.language,
                        "removed_at": p.removed_at,
                        "created_at": NOW,
                    }
                    for p in world.partners
                ],
            )
        if world.channels:
            await conn.execute(
                insert(ChannelRow),
                [
                    {
                        "id": c.id,
                        "platform": c.ref.platform.value,
                        "workspace_id": c.ref.workspace,
                        "channel_id": c.ref.channel,
                        "name": c.name,
                        "partner_id": c.partner_id,
                        "active": c.active,
                        "created_at": NOW,
                    }
                    for c, _, _ in world.channels
                ],
            )
        follows = [
            {"channel_id": c.id, "topic_id": t, "created_at": NOW} for c, _, ts in world.channels for t in ts
        ]
        if follows:
            await conn.execute(insert(SubscriptionRow), follows)


async def test_sql_targeting_and_reach_follow_the_core_rule(harness: Harness) -> None:
    h = harness
    excluded = h.app.settings.admin_channel_refs()
    assert excluded, "the harness has an admin channel, so exclusion is exercised"
    checked = hits = 0
    for world in _drawn():
        await _write(h, world)
        expected = _by_rule(world, excluded)
        query = targets(sorted(world.topic_ids), world.audience, excluded)
        async with h.app.engine.connect() as conn:
            found = {row.id for row in (await conn.execute(query)).all()}
        assert found == {channel.id for channel, _ in expected}, world
        reach = await h.app.stores.announcements.reach(sorted(world.topic_ids), world.audience)
        assert reach == _reach_by_rule(expected), world
        checked += 1
        hits += bool(expected)
    # The drawn worlds are not all empty answers: the property means something.
    assert checked == EXAMPLES and hits >= EXAMPLES // 10

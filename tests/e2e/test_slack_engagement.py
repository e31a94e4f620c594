"""Engagement events through the real slack-bolt app: what a partner person does in Slack (slash
commands, reactions, the buttons under an announcement) is recorded with their Slack user id."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import EngagementEventRow
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("security", "pricing")
        yield w


async def events(world: SlackWorld) -> list[EngagementEventRow]:
    async with AsyncSession(world.app.engine) as session:
        return list(await session.exec(select(EngagementEventRow).order_by(col(EngagementEventRow.id))))


async def test_a_partner_persons_slack_actions_are_engagement_events(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing", "security"))
    announcement = await world.broadcast('topic:pricing title:"Q3 prices" New lists are out.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    seen = len(await events(world))
    who = {"channel_id": acme.channel.id, "user_id": acme.user.id}

    news = await world.command("/partner", "news pricing", channel=acme.channel, user=acme.user)
    assert "Q3 prices" in news[0]["text"]
    await world.events.reaction_added(acme.channel.id, post.ts, acme.user.id, "tada")
    await world.wait_until(lambda: _count(world, seen + 2), "the reaction's event")
    await world.events.block_actions("partnerbot_helpful", "d1", message_ts=post.ts, **who)
    await world.wait_until(lambda: _count(world, seen + 3), "the Helpful press's event")
    await world.events.block_actions("partnerbot_mute", "pricing", message_ts=post.ts, **who)
    await world.wait_until(lambda: _count(world, seen + 4), "the mute's event")
    mode = await world.command("/partner", "settings mode daily", channel=acme.channel, user=acme.user)
    assert "daily" in mode[0]["text"]

    recorded = (await events(world))[seen:]
    assert [(e.kind, e.proactive, e.announcement_id, e.detail) for e in recorded] == [
        ("news_pulled", True, None, None),
        ("reaction_added", False, announcement, "tada"),
        ("helpful", False, announcement, "helpful"),
        ("muted", True, None, None),
        ("settings_changed", True, None, "mode=daily"),
    ]
    assert {(e.platform, e.user_id) for e in recorded} == {("slack", acme.user.id)}
    assert len({e.partner_id for e in recorded}) == 1 and recorded[0].partner_id is not None


async def _count(world: SlackWorld, n: int) -> bool:
    return len(await events(world)) >= n

"""The daily roll-ups (engagement per partner and day, deliveries sent per channel and day) stay equal
to the rows they count: kept by the repositories in the same transactions as real actions, deliveries
and digests over several days, and back-filled by migration 0020. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.jobs import make_digests
from storage import migrate
from storage.engine import sync_url
from storage.repositories import rollups
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, channel_row, id_from, setup_topics

Snapshot = dict[str, list[tuple[Any, ...]]]


async def _snapshot(h: Harness) -> Snapshot:
    async with h.app.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in (await conn.execute(sa.select(t).order_by(*t.primary_key))).all()]
            for t in (rollups.ENGAGEMENT_DAY, rollups.DELIVERY_DAY)
        }


async def _rebuilt(h: Harness) -> Snapshot:
    async with h.app.engine.begin() as conn:
        await rollups.rebuild(conn)
    return await _snapshot(h)


async def _three_days_of_activity(h: Harness, clock: FakeClock) -> None:
    await setup_topics(h, "security", "pricing")
    for channel, name in (("acme", "Acme"), ("birch", "Birch"), ("cedar", "Cedar")):
        await h.join(channel, name, tier="gold")
        await h.subscribe(channel, "security pricing")
    assert not (await h.partner("cedar", "settings mode daily")).is_error
    for day in range(3):
        await broadcast_and_send(h, 'topic:security title:"Patch"', f"Day {day}.")
        await h.deliver()
        post = h.posts("acme")[-1]
        assert await h.local.react("ana", post, "thumbsup")
        assert await h.local.react("ana", post, "thumbsup", added=False)  # an event, not counted
        assert not (await h.local.helpful("bo", post)).is_error
        assert not (await h.partner("birch", "news security")).is_error
        asked = await h.local.say("ana", "acme", f"Question {day}?", thread=post.id)
        assert asked is not None
        assert not (await h.admin(f"answer {id_from(asked)} Yes.")).is_error
        clock.advance(hours=20)
        assert await make_digests(h.app) >= 0  # Cedar's digest once its hour comes
        await h.deliver()
        clock.advance(hours=4)
    assert not (await h.partner("birch", "unsubscribe pricing")).is_error


async def test_the_rollups_count_what_the_rows_hold(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _three_days_of_activity(h, clock)
    live = await _snapshot(h)
    events, sent = live["engagement_day"], live["delivery_day"]
    assert len({row[1] for row in events}) >= 3  # actions on three days at least
    acme = await channel_row(h, "acme")
    cedar = await channel_row(h, "cedar")
    assert sum(row[2] for row in sent if row[0] == acme.id) == 3  # three announcements, one a day
    assert sum(row[2] for row in sent if row[0] == cedar.id) == 3  # carried by digests, counted when sent
    assert live == await _rebuilt(h)


async def test_the_scores_from_rollups_equal_the_scores_from_rows(harness: Harness, clock: FakeClock) -> None:
    """The store reads the roll-ups for whole days and the rows otherwise: both count the same."""
    h = harness
    await _three_days_of_activity(h, clock)
    store = h.app.bot.engagement._ports.engagement
    formula = h.app.bot.engagement.formula
    until = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    since = until - timedelta(days=90)
    whole = [s async for s in store.scores(since=since, until=until, formula=formula)]
    # A microsecond off midnight: the rows are read (nothing happened in that microsecond).
    off = since + timedelta(microseconds=1)
    rows = [s async for s in store.scores(since=off, until=until, formula=formula)]
    assert whole == rows
    assert {(s.name, s.received) for s in whole} == {("Acme", 3), ("Birch", 3), ("Cedar", 3)}
    assert [s.name for s in whole if s.reactive] == ["Acme"]


async def test_the_migration_back_fills_the_rollups(
    harness: Harness, clock: FakeClock, database_url: str
) -> None:
    h = harness
    await _three_days_of_activity(h, clock)
    live = await _snapshot(h)
    await h.app.engine.dispose()
    migrate.downgrade(database_url, "0019")
    migrate.upgrade(database_url)
    engine = sa.create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            found = {
                t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key)).all()]
                for t in (rollups.ENGAGEMENT_DAY, rollups.DELIVERY_DAY)
            }
    finally:
        engine.dispose()
    assert found == live

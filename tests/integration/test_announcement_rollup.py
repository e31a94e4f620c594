"""The per-announcement roll-up (`announcement_day`) gives the dashboard's Topics page exactly the
numbers the copies give: on randomised worlds, for windows cut anywhere in a day (across midnight),
with copies engaged after the window, not sent, or engaged before they were sent, and kept exact by
the write paths (a copy sent, sent again, engaged). On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.dashboard import Segment
from bot.ports.topic_trends import TopicLoad
from storage.engine import make_sessionmaker
from storage.repositories import announcement_rollup, rollups
from storage.repositories.topic_trends import TopicTrendsRepository
from storage.tables import AnnouncementTopicRow, DeliveryRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import add_sent_announcements, channel_row

NAMES = ("acme", "birch", "cedar", "dune", "elm", "fjord")
_D = DeliveryRow.__table__  # type: ignore[attr-defined]


async def _world(h: Harness, clock: FakeClock, seed: int) -> None:
    """Six partners, four topics, twelve announcements; copies sent at random times over 100 days
    (some never sent), some engaged (a few after now, a few before they were sent), as a bulk load."""
    rng = random.Random(seed)
    channels = []
    for name in NAMES:
        await h.link(name, name.title(), tier="gold")
        channels.append((await channel_row(h, name)).id)
    now = clock.now()
    async with AsyncSession(h.app.engine) as session:
        await add_sent_announcements(
            session, now, ("security", "pricing", "events", "legal"), 12, days_ago=101
        )
        for number in range(1, 13):
            for topic in sorted({number % 4 + 1, (number * 3) % 4 + 1}):
                session.add(AnnouncementTopicRow(announcement_id=number, topic_id=topic))
            for channel in rng.sample(channels, rng.randrange(2, len(channels) + 1)):
                sent = now - timedelta(seconds=rng.randrange(100 * 86_400)) if rng.random() < 0.9 else None
                engaged = None
                if rng.random() < 0.5:
                    base = sent or now
                    engaged = base + timedelta(seconds=rng.randrange(-3_600, 5 * 86_400))
                session.add(
                    DeliveryRow(
                        announcement_id=number, channel_id=channel, platform="local",
                        status="sent" if sent else "pending", not_before=sent or now, sent_at=sent,
                        engaged_at=engaged,
                    )
                )  # fmt: skip
        await session.commit()
    # Only this roll-up: rollups.rebuild would set engaged_at from the events (none here).
    await _rebuilt(h)


async def _load(h: Harness, since: datetime, until: datetime) -> list[TopicLoad]:
    repository = TopicTrendsRepository(make_sessionmaker(h.app.engine))
    return await repository.load(Segment(days=90), since=since, until=until)


async def _from_rows(h: Harness, since: datetime, until: datetime) -> list[TopicLoad]:
    """`_load` counting every copy of the window (the query before the roll-up)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            announcement_rollup, "per_announcement", lambda s, u: announcement_rollup._copies(s, u, u)
        )
        return await _load(h, since, until)


async def _rolled(h: Harness) -> list[tuple[Any, ...]]:
    r = announcement_rollup.ANNOUNCEMENT_DAY
    async with h.app.engine.connect() as conn:
        rows = await conn.execute(sa.select(r.c.day, r.c.announcement_id, r.c.sent, r.c.engaged))
        return sorted((str(d)[:10], a, s, e) for d, a, s, e in rows if s or e)


async def _rebuilt(h: Harness) -> list[tuple[Any, ...]]:
    async with h.app.engine.begin() as conn:
        await conn.run_sync(
            lambda sync: announcement_rollup.rebuild_sync(
                sync, rollups._utc_day(_D.c.sent_at, sync.dialect.name)
            )
        )
    return await _rolled(h)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_topics_from_the_rollup_equal_topics_from_the_copies(
    harness: Harness, clock: FakeClock, seed: int
) -> None:
    h = harness
    clock.advance(hours=random.Random(seed).randrange(24))  # now anywhere in its day
    await _world(h, clock, seed)
    now = clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed * 7)
    windows = [
        (now - timedelta(days=90), now),
        (now - timedelta(days=30), now),
        (midnight - timedelta(days=30), midnight),  # whole days only
        (midnight - timedelta(days=30, microseconds=-1), midnight + timedelta(microseconds=1)),
        (now - timedelta(hours=5), now),  # inside one day (or across one midnight)
        (midnight - timedelta(hours=1), midnight + timedelta(hours=1)),  # across midnight, no whole day
        (now - timedelta(days=60), now - timedelta(days=20, hours=3)),  # copies engaged after `until`
    ]
    for _ in range(8):
        until = now - timedelta(seconds=rng.randrange(40 * 86_400))
        windows.append((until - timedelta(seconds=rng.randrange(1, 60 * 86_400)), until))
    engaged_later = 0
    for since, until in windows:
        found = await _load(h, since, until)
        assert found == await _from_rows(h, since, until), (since, until)
        engaged_later += sum(t.deliveries - t.engaged for t in found)
    assert engaged_later > 0
    assert any(t.deliveries for t in await _load(h, now - timedelta(days=90), now))


async def test_the_write_paths_keep_the_rollup_equal_to_the_copies(
    harness: Harness, clock: FakeClock
) -> None:
    """Copies marked sent, one sent again a day later, one engaged before it is sent and one after:
    the roll-up the transactions kept equals the one rebuilt from the copies."""
    h = harness
    await _world(h, clock, 9)
    async with h.app.engine.begin() as conn:
        await conn.execute(sa.update(_D).values(sent_at=None, engaged_at=None, status="pending"))
    assert await _rebuilt(h) == []
    ids = [
        (int(i), int(a), int(c))
        for i, a, c in (await _select(h, sa.select(_D.c.id, _D.c.announcement_id, _D.c.channel_id)))
    ]
    first, second = ids[0], ids[-1]
    async with h.app.engine.begin() as conn:  # engaged before it is sent: counted when it is
        await rollups.mark_engaged(conn, announcement_id=first[1], channel_id=first[2], at=clock.now())
    for batch in (ids[: len(ids) // 2], ids[len(ids) // 2 :], ids[:3]):  # the last: sent again
        clock.advance(hours=23)
        await _send(h, [i for i, _, _ in batch], clock.now())
    async with h.app.engine.begin() as conn:  # engaged after it was sent
        await rollups.mark_engaged(conn, announcement_id=second[1], channel_id=second[2], at=clock.now())
        await rollups.mark_engaged(conn, announcement_id=second[1], channel_id=second[2], at=clock.now())
    live = await _rolled(h)
    assert sum(e for *_, e in live) == 2
    assert sum(s for _, _, s, _ in live) == len(ids)
    assert live == await _rebuilt(h)
    now = clock.now()
    for since in (now - timedelta(days=2, hours=5), now - timedelta(hours=30)):
        assert await _load(h, since, now) == await _from_rows(h, since, now)


async def _select(h: Harness, query: Any) -> list[Any]:
    async with h.app.engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def _send(h: Harness, ids: list[int], now: datetime) -> None:
    """Mark copies sent as the outbox does: count them, then set `sent_at`."""
    where = _D.c.id.in_(ids)
    async with h.app.engine.begin() as conn:
        await rollups.count_sent(conn, where, now)
        await conn.execute(sa.update(_D).where(where).values(status="sent", sent_at=now))

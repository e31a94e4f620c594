"""The roll-ups (engagement per partner, deliveries sent per channel, per day and per week) stay equal
to the rows they count: kept by the repositories in the same transactions as real actions, deliveries
and digests over several days, and back-filled by migration 0020. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.jobs import make_digests
from storage import migrate
from storage.engine import sync_url
from storage.repositories import announcement_rollup, engagement, overview_rollup, rollups
from storage.tables import DeliveryRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, channel_row, id_from, setup_topics

Snapshot = dict[str, list[tuple[Any, ...]]]
TABLES = (
    rollups.ENGAGEMENT_DAY,
    rollups.ENGAGEMENT_WEEK,
    rollups.DELIVERY_DAY,
    rollups.DELIVERY_WEEK,
    announcement_rollup.ANNOUNCEMENT_DAY,
    overview_rollup.DAY,
    overview_rollup.FAILURE,
    overview_rollup.CHANNEL_REACH,
    overview_rollup.ANNOUNCEMENT_REACH,
)


def _queries() -> dict[str, Any]:
    found: dict[str, Any] = {t.name: sa.select(t).order_by(*t.primary_key) for t in TABLES}
    d = DeliveryRow.__table__  # type: ignore[attr-defined]
    found["engaged copies"] = sa.select(d.c.id, d.c.engaged_at).order_by(d.c.id)
    return found


async def _snapshot(h: Harness) -> Snapshot:
    async with h.app.engine.connect() as conn:
        return {name: [tuple(r) for r in (await conn.execute(q)).all()] for name, q in _queries().items()}


async def _rebuilt(h: Harness) -> Snapshot:
    async with h.app.engine.begin() as conn:
        await rollups.rebuild(conn)
    return await _snapshot(h)


async def _activity(h: Harness, clock: FakeClock) -> None:
    """Five rounds three days apart (so whole weeks and days around them hold something): a
    broadcast, reactions (one taken back), Helpful, a news pull, a question answered, a digest."""
    await setup_topics(h, "security", "pricing")
    for channel, name in (("acme", "Acme"), ("birch", "Birch"), ("cedar", "Cedar")):
        await h.join(channel, name, tier="gold")
        await h.subscribe(channel, "security pricing")
    assert not (await h.partner("cedar", "settings mode daily")).is_error
    for day in range(5):
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
        clock.advance(hours=52)
    assert not (await h.partner("birch", "unsubscribe pricing")).is_error


async def test_the_rollups_count_what_the_rows_hold(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _activity(h, clock)
    live = await _snapshot(h)
    days = {row[0] for row in live["engagement_day"]}  # (day, partner, …)
    assert len(days) >= 5  # actions on five days at least
    assert len({row[0] for row in live["engagement_week"]}) >= 2  # (week, partner, …): two weeks or more
    assert sum(1 for _, at in live["engaged copies"] if at is not None) == 5  # Acme's, reacted to
    acme = await channel_row(h, "acme")
    cedar = await channel_row(h, "cedar")
    for table, channel in (("delivery_day", 1), ("delivery_week", 1)):
        sent = live[table]
        assert sum(row[2] for row in sent if row[channel] == acme.id) == 5  # five announcements
        assert sum(row[2] for row in sent if row[channel] == cedar.id) == 5  # digests, counted when sent
    assert live == await _rebuilt(h)


async def test_the_scores_from_rollups_equal_the_scores_from_rows(harness: Harness, clock: FakeClock) -> None:
    """The store reads the roll-ups for whole days and the rows otherwise: both count the same."""
    h = harness
    await _activity(h, clock)
    store = h.app.bot.engagement._ports.engagement
    formula = h.app.bot.engagement.formula
    until = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    since = until - timedelta(days=90)
    whole = [s async for s in store.scores(since=since, until=until, formula=formula)]
    # A microsecond off midnight: the rows are read (nothing happened in that microsecond).
    off = since + timedelta(microseconds=1)
    rows = [s async for s in store.scores(since=off, until=until, formula=formula)]
    assert whole == rows
    assert {(s.name, s.received) for s in whole} == {("Acme", 5), ("Birch", 5), ("Cedar", 5)}
    assert [s.name for s in whole if s.reactive] == ["Acme"]


async def test_every_count_from_rollups_equals_the_count_from_rows(
    harness: Harness, clock: FakeClock
) -> None:
    """Two windows with cuts inside (gone-quiet's shape): each column from the roll-ups (whole days)
    and from the rows (the same bounds, the first a microsecond later) per partner."""
    h = harness
    await _activity(h, clock)
    until = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    for recent_days in (3, 10, 28):
        bounds = (
            until - timedelta(days=24),
            until - timedelta(days=12),
            until,
            until - timedelta(days=recent_days),
        )
        found = []
        for start in (bounds[0], bounds[0] + timedelta(microseconds=1)):
            events, received, _ = engagement._sources(start, *bounds[1:], None)
            async with h.app.engine.connect() as conn:
                found.append(
                    (
                        sorted(tuple(r)[:6] for r in (await conn.execute(sa.select(events))).all()),
                        sorted(tuple(r) for r in (await conn.execute(sa.select(received))).all()),
                    )
                )
        assert found[0] == found[1]
        assert len(found[0][0]) == 3 and len(found[0][1]) == 3


async def test_the_migration_back_fills_the_rollups(
    harness: Harness, clock: FakeClock, database_url: str
) -> None:
    h = harness
    await _activity(h, clock)
    live = await _snapshot(h)
    await h.app.engine.dispose()
    migrate.downgrade(database_url, "0019")
    migrate.upgrade(database_url)
    engine = sa.create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            found = {name: [tuple(r) for r in conn.execute(q).all()] for name, q in _queries().items()}
    finally:
        engine.dispose()
    assert found == live


def test_a_window_reads_whole_weeks_and_the_days_around_them() -> None:
    from datetime import date

    # Thursday 2026-09-03 to Friday 2026-12-04 (exclusive), cut on Wednesday 2026-11-04.
    got = rollups.spans(date(2026, 9, 3), date(2026, 12, 4), [date(2026, 11, 4)])
    assert got.weeks == ((date(2026, 9, 7), date(2026, 10, 26)), (date(2026, 11, 9), date(2026, 11, 23)))
    assert got.days == (
        (date(2026, 9, 3), date(2026, 9, 7)),
        (date(2026, 11, 2), date(2026, 11, 9)),
        (date(2026, 11, 30), date(2026, 12, 4)),
    )
    # Too short for a whole week; a cut on a Monday cuts no week.
    assert rollups.spans(date(2026, 12, 1), date(2026, 12, 6)).weeks == ()
    on_monday = rollups.spans(date(2026, 11, 2), date(2026, 11, 30), [date(2026, 11, 16)])
    assert on_monday == rollups.Spans(weeks=((date(2026, 11, 2), date(2026, 11, 23)),), days=())


async def test_a_send_recorded_again_moves_its_count_to_the_new_day(
    harness: Harness, clock: FakeClock
) -> None:
    """The group commit counts sends in SQL; one already recorded (a late duplicate outcome) is taken
    off its old day and week, and a chunk with two copies for one channel counts both."""
    from bot.domain import Outcome, OutcomeKind, WorkKind

    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    for day in range(2):
        await broadcast_and_send(h, "topic:security title:Patch", f"Day {day}.")
    await h.deliver()
    async with h.app.engine.connect() as conn:
        ids = [row[0] for row in await conn.execute(sa.select(DeliveryRow.__table__.c.id))]  # type: ignore[attr-defined]
    assert len(ids) == 2
    clock.advance(days=9)  # another day and another week
    again = [Outcome(OutcomeKind.SENT, i, message_id=f"m{i}") for i in ids]
    await h.app.stores.outbox.record(WorkKind.DELIVERY, again, worker="w", now=clock.now())
    live = await _snapshot(h)
    assert [row[2] for row in live["delivery_day"] if row[2]] == [2]  # all on the new day
    assert [row[2] for row in live["delivery_week"] if row[2]] == [2]
    rebuilt = await _rebuilt(h)  # which drops the old day's and week's rows, now at zero

    def counting(snapshot: Snapshot) -> Snapshot:
        def kept(name: str, row: tuple[Any, ...]) -> bool:
            if name == "announcement_day":  # (day, announcement, sent, engaged, …)
                return bool(row[2] or row[3])
            if name == "overview_day":  # (day, topic, tier, type, region, language, sent, engaged, …)
                return bool(row[6] or row[7])
            return "delivery" not in name or bool(row[2])

        return {name: [row for row in rows if kept(name, row)] for name, rows in snapshot.items()}

    assert counting(live) == counting(rebuilt)

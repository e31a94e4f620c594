"""The Overview's roll-ups (storage/repositories/overview_rollup.py) give its figures exactly what the
copies give: sent copies, distinct channels and announcements reached, engaged copies and failures by
reason, on randomised worlds (copies sent, failed, recalled, queued; sent after the window, engaged
after it; segments with no value or in another case), for windows of 1 to 180 days ending anywhere
in a day (at midnight too), for every segment filter and topic. And the write paths (sent, sent again
with the clock set back, engaged, failed, given up for a deactivated channel, recalled) keep them equal
to a rebuild. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Outcome, OutcomeKind, WorkKind
from bot.domain.dashboard import Segment
from bot.ports.overview import FailureCount
from storage.engine import make_sessionmaker
from storage.repositories import overview_rollup, rollups
from storage.repositories.outbox import OutboxRepository
from storage.repositories.overview import OverviewRepository, _delivery_filter
from storage.repositories.revisions import RevisionRepository
from storage.repositories.stats import failure_reason
from storage.tables import AnnouncementTopicRow, DeliveryRow, UTCDateTime
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import add_sent_announcements, channel_row

NAMES = ("acme", "birch", "cedar", "dune", "elm", "fjord", "grove", "heath")
TOPICS = ("security", "pricing", "events", "legal")
REASONS = ("channel_not_found", "gave up after 5 attempts: ratelimited", "is_archived", "")
_D = DeliveryRow.__table__  # type: ignore[attr-defined]
_TABLES = (
    overview_rollup.DAY,
    overview_rollup.FAILURE,
    overview_rollup.CHANNEL_REACH,
    overview_rollup.ANNOUNCEMENT_REACH,
)
SEGMENTS = (
    {},
    {"tier": "gold"},
    {"tier": "GOLD"},  # the filter ignores case; the copies hold "gold" and "Gold"
    {"region": "emea"},
    {"type": "isv"},
    {"language": "de"},
    {"tier": "gold", "region": "na"},
    {"tier": "silver", "language": "en", "type": "reseller"},
    {"tier": "platinum"},  # no copy has it
)


def _segment(rng: random.Random) -> dict[str, Any]:
    return {
        "tier": rng.choice(("gold", "Gold", "silver", None, "")),
        "region": rng.choice(("emea", "na", None)),
        "type": rng.choice(("reseller", "ISV")),
        "language": rng.choice(("en", "de", None)),
    }


async def _world(h: Harness, clock: FakeClock, seed: int) -> list[int]:
    """Eight channels, four topics, twenty announcements (one without a topic); copies sent over 120
    days (a few up to three days after now), failed (due over 120 days), recalled after being sent,
    or still queued; some engaged (a few after now, a few before they were sent). A bulk load; the
    channel ids."""
    rng = random.Random(seed)
    channels = []
    for name in NAMES:
        await h.link(name, name.title(), tier="gold")
        channels.append((await channel_row(h, name)).id)
    now = clock.now()
    async with AsyncSession(h.app.engine) as session:
        await add_sent_announcements(session, now, TOPICS, 20, days_ago=121)
        for number in range(1, 21):
            if number != 20:
                for topic in sorted({number % 4 + 1, (number * 3) % 4 + 1}):
                    session.add(AnnouncementTopicRow(announcement_id=number, topic_id=topic))
            for channel in rng.sample(channels, rng.randrange(3, len(channels) + 1)):
                status = rng.choice(("sent",) * 6 + ("failed", "failed", "recalled", "pending"))
                at = now - timedelta(seconds=rng.randrange(-3 * 86_400, 120 * 86_400))
                sent = at if status in ("sent", "recalled") else None
                engaged = None
                if rng.random() < 0.5:
                    engaged = (sent or now) + timedelta(seconds=rng.randrange(-3_600, 5 * 86_400))
                session.add(
                    DeliveryRow(
                        announcement_id=number, channel_id=channel, platform="local", status=status,
                        not_before=at, sent_at=sent, engaged_at=engaged,
                        last_error=rng.choice(REASONS) if status == "failed" else "", **_segment(rng),
                    )
                )  # fmt: skip
        await session.commit()
    await _rebuild(h)
    return channels


async def _rebuild(h: Harness) -> None:
    # Only these roll-ups: rollups.rebuild would set engaged_at from the events (none here).
    async with h.app.engine.begin() as conn:
        await conn.run_sync(overview_rollup.rebuild_sync)


async def _figures(h: Harness, segment: Segment, topic_id: int | None, now: datetime) -> tuple[Any, ...]:
    """What the Overview shows of the copies, from the roll-ups."""
    repository = OverviewRepository(make_sessionmaker(h.app.engine))
    f = await repository.figures(segment, topic_id=topic_id, now=now, bucket=timedelta(days=1))
    failed = await repository.failures(segment, topic_id=topic_id, now=now)
    return f.delivered, f.channels, f.announcements, f.engaged, failed


async def _from_rows(h: Harness, segment: Segment, topic_id: int | None, now: datetime) -> tuple[Any, ...]:
    """The same figures counted from every copy (the queries before the roll-ups)."""
    since, until = _at(now - timedelta(days=segment.days)), _at(now)
    where = _delivery_filter(segment, topic_id)
    reach = sa.select(
        sa.func.count(),
        sa.func.count(sa.func.distinct(_D.c.channel_id)),
        sa.func.count(sa.func.distinct(_D.c.announcement_id)),
        sa.func.coalesce(sa.func.sum(sa.case((_D.c.engaged_at <= until, 1), else_=0)), 0),
    ).where(_D.c.status == "sent", _D.c.sent_at >= since, _D.c.sent_at <= until, *where)
    failed = (
        sa.select(_D.c.last_error, sa.func.count())
        .where(_D.c.status == "failed", _D.c.not_before >= since, _D.c.not_before <= until, *where)
        .group_by(_D.c.last_error)
    )
    async with h.app.engine.connect() as conn:
        delivered, channels, announcements, engaged = (await conn.execute(reach)).one()
        reasons: Counter[str] = Counter()
        for error, count in (await conn.execute(failed)).all():
            reasons[failure_reason(str(error or ""))] += int(count)
    ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    failures = [FailureCount(reason, count) for reason, count in ordered]
    return int(delivered), int(channels), int(announcements), int(engaged), failures


def _at(value: datetime) -> Any:
    return sa.literal(value, UTCDateTime())


async def _assert_same(h: Harness, nows: list[datetime], days: tuple[int, ...] = (1, 7, 30, 90, 180)) -> int:
    """Every segment, topic and window: the roll-ups' figures equal the rows'; how many were not zero."""
    seen = 0
    for now in nows:
        for length in days:
            for dimensions in SEGMENTS:
                for topic_id in (None, 1, 2, 3, 4):
                    segment = Segment(days=length, **dimensions)
                    found = await _figures(h, segment, topic_id, now)
                    assert found == await _from_rows(h, segment, topic_id, now), (now, segment, topic_id)
                    seen += bool(found[0] or found[4])
    return seen


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_overview_from_the_rollups_equals_the_overview_from_the_copies(
    harness: Harness, clock: FakeClock, seed: int
) -> None:
    h = harness
    clock.advance(hours=random.Random(seed).randrange(24), minutes=17)  # now anywhere in its day
    await _world(h, clock, seed)
    now = clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    nows = [
        now,
        midnight,  # a window of whole days only
        midnight + timedelta(microseconds=1),
        now - timedelta(days=2, hours=3),  # copies sent and engaged after it
        now - timedelta(days=37, minutes=5),
    ]
    assert await _assert_same(h, nows) > 100
    # The worlds hold what the edges are about.
    copies = await _rows(h, sa.select(_D.c.status, _D.c.sent_at, _D.c.engaged_at))
    assert any(sent and sent > now for _, sent, _ in copies)
    assert any(engaged and sent and engaged > sent + timedelta(days=2) for _, sent, engaged in copies)
    assert {status for status, _, _ in copies} == {"sent", "failed", "recalled", "pending"}


async def test_a_channel_reached_on_several_days_counts_once(harness: Harness, clock: FakeClock) -> None:
    """Three copies to one channel on three days of the window, one to another: two channels, not
    four (a sum of per-day distinct counts would say four)."""
    h = harness
    channels = await _world(h, clock, 5)
    async with h.app.engine.begin() as conn:
        await conn.execute(sa.delete(_D))
    now = clock.now()
    async with AsyncSession(h.app.engine) as session:
        for number, (channel, ago) in enumerate(
            [(channels[0], 1), (channels[0], 3), (channels[0], 9), (channels[1], 2)], start=1
        ):
            session.add(
                DeliveryRow(
                    announcement_id=number, channel_id=channel, platform="local", status="sent",
                    not_before=now - timedelta(days=ago), sent_at=now - timedelta(days=ago), tier="gold",
                )
            )  # fmt: skip
        await session.commit()
    await _rebuild(h)
    assert (await _figures(h, Segment(days=30), None, now))[:3] == (4, 2, 4)
    assert (await _figures(h, Segment(days=30, tier="gold"), None, now))[:3] == (4, 2, 4)
    assert (await _figures(h, Segment(days=30), None, now - timedelta(days=4)))[:3] == (1, 1, 1)


async def _tables(h: Harness) -> list[list[tuple[Any, ...]]]:
    """The roll-ups' rows without their zero counts and upper bounds (`last_engaged_at`)."""
    found = []
    async with h.app.engine.connect() as conn:
        for table in _TABLES:
            columns = [c for c in table.c if c.name != "last_engaged_at"]
            rows = (await conn.execute(sa.select(*columns))).all()
            counts = [c.name for c in columns if c.name in ("sent", "engaged", "failed")]
            kept = [
                tuple(str(v) for v in row)
                for row in rows
                if not counts or any(row._mapping[n] for n in counts)
            ]
            found.append(sorted(kept))
    return found


async def _assert_kept(h: Harness, now: datetime) -> None:
    """The roll-ups the transactions kept equal a rebuild, and the Overview equals the copies."""
    live = await _tables(h)
    await _rebuild(h)
    assert live == await _tables(h)
    for segment in (Segment(days=30), Segment(days=90, tier="gold"), Segment(days=1, region="na")):
        for topic_id in (None, 2):
            assert await _figures(h, segment, topic_id, now) == await _from_rows(h, segment, topic_id, now)


async def _rows(h: Harness, query: Any) -> list[Any]:
    async with h.app.engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def _claim(h: Harness, ids: list[int]) -> None:
    """Claim the queued ones (as a worker would; a sent or failed copy is recorded as it stands)."""
    queued = (_D.c.id.in_(ids), _D.c.status == "pending")
    async with h.app.engine.begin() as conn:
        await conn.execute(sa.update(_D).where(*queued).values(status="claimed", claimed_by="w"))


async def test_the_write_paths_keep_the_rollups_equal_to_a_rebuild(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    channels = await _world(h, clock, 11)
    async with h.app.engine.begin() as conn:
        await conn.execute(
            sa.update(_D).values(sent_at=None, engaged_at=None, status="pending", last_error="")
        )
    await _rebuild(h)
    assert await _tables(h) == [[], [], [], []]
    sessions = make_sessionmaker(h.app.engine)
    outbox, revisions = OutboxRepository(sessions), RevisionRepository(sessions)
    ids = [
        (int(i), int(a), int(c))
        for i, a, c in await _rows(h, sa.select(_D.c.id, _D.c.announcement_id, _D.c.channel_id))
    ]
    rng = random.Random(3)
    rng.shuffle(ids)
    first = ids[0]

    async def engage(copy: tuple[int, int, int]) -> None:
        async with h.app.engine.begin() as conn:
            await rollups.mark_engaged(conn, announcement_id=copy[1], channel_id=copy[2], at=clock.now())

    async def record(kind: OutcomeKind, batch: list[tuple[int, int, int]]) -> None:
        await _claim(h, [i for i, _, _ in batch])
        outcomes = [Outcome(kind, i, message_id=f"m{i}", error="channel_not_found") for i, _, _ in batch]
        await outbox.record(WorkKind.DELIVERY, outcomes, worker="w", now=clock.now())

    await engage(first)  # engaged before it is sent: counted when it is
    third = len(ids) // 3
    for batch in (ids[:third], ids[third : 2 * third]):
        clock.advance(hours=23)
        await record(OutcomeKind.SENT, batch)
    await _assert_kept(h, clock.now())
    clock.advance(hours=5)
    await record(OutcomeKind.FAILED, ids[2 * third : -4])
    await engage(ids[1])  # engaged after it was sent
    await engage(ids[1])  # the first action only
    await _assert_kept(h, clock.now())
    # Sent again a day later, then again with the clock set back two days (its latest goes back too).
    clock.advance(days=1)
    await record(OutcomeKind.SENT, ids[:3])
    clock.advance(days=-2)
    await record(OutcomeKind.SENT, ids[1:2])
    await _assert_kept(h, clock.now())
    clock.advance(days=2)
    # A failed copy that went out after all (another worker's success recorded late).
    await record(OutcomeKind.SENT, ids[2 * third : 2 * third + 1])
    await _assert_kept(h, clock.now())
    # Recalled: no longer sent; a channel's latest copy among them leaves an earlier one latest.
    await revisions.record([], worker="w", now=clock.now(), recalled=[i for i, _, _ in ids[:5]])
    # A deactivated channel: its queued copies fail.
    assert await outbox.fail_pending_for_channel(ids[-1][2], reason="channel_not_found") >= 1
    await _assert_kept(h, clock.now())
    assert await _assert_same(h, [clock.now()], days=(1, 30, 90)) > 10
    live = await _tables(h)
    assert all(live), "every roll-up holds rows"
    assert channels

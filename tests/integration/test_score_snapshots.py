"""Score snapshots (issue 15) count exactly what the roll-ups count: the scores of every dashboard
window, the gone-quiet lists and the Partners table by score read the same numbers with the snapshots
as without them, on randomised worlds, across midnight, after a past day's counts change, and with two
builders at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Outcome, OutcomeKind, WorkKind
from bot.domain.engagement import EngagementKind, is_proactive, window_end
from bot.jobs import JOB_LEASE, run_job, snapshot_pieces_for
from bot.ports.partner_pulse import PartnerQuery
from bot.services.engagement import formula_of, gone_quiet
from storage.engine import make_sessionmaker
from storage.repositories import rollups, snapshots
from storage.repositories.partner_pulse import PartnerPulseRepository
from storage.repositories.snapshots import SPAN, SPAN_EVENT, ScoreSnapshotRepository
from storage.tables import AnnouncementRow, DeliveryRow, EngagementEventRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import channel_row, rebuild_rollups

KINDS = [k for k in EngagementKind if k is not EngagementKind.LINK_CLICKED]
NAMES = ("acme", "birch", "cedar", "dune", "elm", "fjord", "gale")
TIERS = ("gold", "silver", "platinum")


async def _world(h: Harness, clock: FakeClock, seed: int) -> list[int]:
    """Seven partners; a few hundred events and deliveries at random times over the last 200 days
    (some today, some removed reactions), written as rows and rolled up as a bulk load would; the
    delivery ids."""
    rng = random.Random(seed)
    channels = {}
    for i, name in enumerate(NAMES):
        await h.link(name, name.title(), tier=TIERS[i % 3])
        channels[name] = await channel_row(h, name)
    now = clock.now()

    def ago() -> datetime:
        return now - timedelta(seconds=rng.randrange(200 * 86_400))

    async with AsyncSession(h.app.engine) as session:
        for number in range(1, 21):
            session.add(
                AnnouncementRow(
                    id=number, title=f"A{number}", body="b", status="sent", author_platform="local",
                    author_workspace="W", author_user="alice", origin_channel="admin",
                    created_at=now - timedelta(days=201), sent_at=now - timedelta(days=201),
                )
            )  # fmt: skip
        await session.flush()
        pairs = rng.sample([(a, n) for a in range(1, 21) for n in NAMES], 120)
        for number, name in pairs:
            at = ago()
            session.add(
                DeliveryRow(
                    announcement_id=number, channel_id=channels[name].id, platform="local", status="sent",
                    not_before=at, sent_at=at,
                )
            )  # fmt: skip
        for _ in range(rng.randrange(250, 400)):
            name, kind = rng.choice(NAMES), rng.choice(KINDS)
            at = ago() if rng.random() < 0.9 else now - timedelta(seconds=rng.randrange(3_600))
            session.add(
                EngagementEventRow(
                    at=at, kind=kind.value, proactive=is_proactive(kind),
                    partner_id=channels[name].partner_id, channel_id=channels[name].id, platform="local",
                    user_id="u",
                    announcement_id=rng.randrange(1, 21),
                )
            )  # fmt: skip
        await session.commit()
    await rebuild_rollups(h)
    async with h.app.engine.connect() as conn:
        return [int(i) for i in (await conn.execute(sa.select(DeliveryRow.__table__.c.id))).scalars()]  # type: ignore[attr-defined]


async def _reads(h: Harness) -> dict[str, Any]:
    """Every read a snapshot serves, at the clock's now."""
    store, settings = h.app.stores.engagement, h.app.settings
    formula = formula_of(settings)
    until = window_end(h.app.clock.now())
    pulse = PartnerPulseRepository(make_sessionmaker(h.app.engine))
    found: dict[str, Any] = {}
    for days in (7, 30, 90, settings.engagement_window_days):
        since = until - timedelta(days=days)
        found[f"scores {days}"] = [s async for s in store.scores(since=since, until=until, formula=formula)]
        page = await pulse.page(PartnerQuery(limit=200), since=since, until=until, formula=formula)
        found[f"partners {days}"] = page
    found["quiet"] = await gone_quiet(store, settings, now=h.app.clock.now())
    return found


async def _from_scratch(h: Harness) -> dict[str, Any]:
    """`_reads` with no snapshot ready: the roll-ups added up as before the snapshots."""

    async def none(conn: Any, *bounds: Any) -> dict[Any, int]:
        return {}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshots, "ready", none)
        return await _reads(h)


async def _spans(h: Harness) -> list[tuple[date, date, str]]:
    async with h.app.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(SPAN.c.first_day, SPAN.c.end_day, SPAN.c.state).order_by(SPAN.c.id)
        )
        return [(snapshots._date(a), snapshots._date(b), str(s)) for a, b, s in rows]


async def _job(h: Harness, clock: FakeClock) -> None:
    """One run of the job, in a period of its own (it runs every five minutes)."""
    clock.advance(minutes=5)
    assert await run_job(h.app, "score-snapshots")


def _today(h: Harness) -> date:
    return h.app.clock.now().astimezone(UTC).date()


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_snapshots_count_what_the_rollups_count(
    harness: Harness, clock: FakeClock, seed: int
) -> None:
    h = harness
    await _world(h, clock, seed)
    expected = await _from_scratch(h)
    assert sum(len(page.rows) for name, page in expected.items() if name.startswith("partners")) > 20
    assert expected == await _reads(h)  # no snapshot yet: the same statements
    await _job(h, clock)
    spans = await _spans(h)
    assert {(a, b) for a, b, _ in spans} == set(snapshot_pieces_for(h.app.settings, _today(h)))
    assert {state for *_, state in spans} == {"ready"}
    assert await _reads(h) == expected
    # They are what is read: a changed snapshot row changes the scores.
    async with h.app.engine.begin() as conn:
        await conn.execute(sa.update(SPAN_EVENT).values(proactive=SPAN_EVENT.c.proactive + 100))
    assert (await _reads(h))["scores 90"] != expected["scores 90"]


async def test_across_midnight_and_a_late_action(harness: Harness, clock: FakeClock) -> None:
    """Just before midnight today's actions count live; just after, yesterday's spans are no longer
    read (the reads add up the roll-ups until the job has built today's); an action written for
    yesterday after its span was built (a transaction that began before midnight) marks it stale."""
    h = harness
    await _world(h, clock, 3)
    await _job(h, clock)
    clock.advance(seconds=(window_end(clock.now()) - clock.now()).total_seconds() - 1)  # 23:59:59
    assert not (await h.partner("acme", "news")).is_error
    assert not (await h.partner("birch", "settings mode daily")).is_error
    assert await _reads(h) == await _from_scratch(h)
    clock.advance(seconds=2)  # 00:00:01
    assert not (await h.partner("cedar", "news")).is_error
    assert await _reads(h) == await _from_scratch(h)
    await _job(h, clock)
    spans = await _spans(h)
    assert {(a, b) for a, b, _ in spans} == set(snapshot_pieces_for(h.app.settings, _today(h)))
    assert {s for *_, s in spans} == {"ready"}
    assert await _reads(h) == await _from_scratch(h)
    # An action at 23:59:59.5 yesterday committed now (its roll-up write) marks the spans over it stale.
    acme = await channel_row(h, "acme")
    assert acme.partner_id is not None
    async with h.app.engine.begin() as conn:
        late = window_end(clock.now()) - timedelta(days=1, seconds=0.5)
        await rollups.add_events(
            conn, partner_id=acme.partner_id, kind=EngagementKind.HELPFUL, at=late, count=1
        )
    yesterday = _today(h) - timedelta(days=1)
    states = {(a, b): s for a, b, s in await _spans(h)}
    assert {s for (a, b), s in states.items() if a <= yesterday < b} == {"stale"}
    assert await _reads(h) == await _from_scratch(h)
    await _job(h, clock)
    assert {s for *_, s in await _spans(h)} == {"ready"}
    assert await _reads(h) == await _from_scratch(h)


async def test_a_send_recorded_again_on_a_later_day_marks_its_old_day_stale(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    ids = await _world(h, clock, 4)
    await _job(h, clock)
    again = [Outcome(OutcomeKind.SENT, i, message_id=f"m{i}") for i in ids[:10]]
    await h.app.stores.outbox.record(WorkKind.DELIVERY, again, worker="w", now=clock.now())
    assert "stale" in {s for *_, s in await _spans(h)}
    assert await _reads(h) == await _from_scratch(h)
    await _job(h, clock)
    assert {s for *_, s in await _spans(h)} == {"ready"}
    assert await _reads(h) == await _from_scratch(h)


async def test_a_rebuild_of_the_rollups_makes_every_snapshot_stale(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _world(h, clock, 5)
    await _job(h, clock)
    await rebuild_rollups(h)
    assert {s for *_, s in await _spans(h)} == {"stale"}


async def test_two_builders_at_once_build_each_span_once(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _world(h, clock, 6)
    expected = await _from_scratch(h)
    now = clock.now()
    pieces = snapshot_pieces_for(h.app.settings, _today(h))
    repos = [ScoreSnapshotRepository(make_sessionmaker(h.app.engine)) for _ in range(2)]
    built = await asyncio.gather(
        *[r.refresh(pieces, now=now, worker=f"w{i}", lease=JOB_LEASE) for i, r in enumerate(repos)]
    )
    assert sum(built) == len(pieces)
    assert {s for *_, s in await _spans(h)} == {"ready"}
    assert await _reads(h) == expected


async def test_a_claimed_span_waits_for_its_lease(harness: Harness, clock: FakeClock) -> None:
    """A builder that died leaves its claim; another takes the span over once the lease has passed."""
    h = harness
    await _world(h, clock, 7)
    now = clock.now()
    piece = snapshot_pieces_for(h.app.settings, _today(h))[0]
    async with h.app.engine.begin() as conn:
        await conn.execute(
            sa.insert(SPAN).values(
                first_day=piece[0],
                end_day=piece[1],
                state="building",
                built_by="dead",
                lease_until=now + JOB_LEASE,
            )
        )
    repo = ScoreSnapshotRepository(make_sessionmaker(h.app.engine))

    def build(at: datetime) -> Awaitable[int]:
        return repo.refresh([piece], now=at, worker="w", lease=JOB_LEASE)

    assert await build(now) == 0
    assert await build(now + JOB_LEASE + timedelta(seconds=1)) == 1
    assert await _spans(h) == [(*piece, "ready")]

"""Daily and weekly digests: held deliveries become one message per channel and period, made by the
`digests` job (called directly, on the fake clock) and posted through the outbox like deliveries.

The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from adapters.local.sender import Fault
from bot import messages as m
from bot.app import build_scheduler
from bot.formats import clock as time_of_day
from bot.formats import long_day
from bot.jobs import JOBS, finish_announcements, make_digests
from storage.tables import ChannelRow, DigestRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import (
    admin_posts,
    announcement,
    broadcast_and_send,
    channel_row,
    deliveries,
    replies_in_thread,
    rows,
    setup_topics,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


async def _digest_channel(h: Harness, channel: str, mode: str, zone: str | None = None) -> None:
    await h.subscribe(channel, "security pricing")
    if zone:
        assert not (await h.partner(channel, f"settings timezone {zone}")).is_error
    assert not (await h.partner(channel, f"settings mode {mode}")).is_error


async def _two_announcements(h: Harness) -> None:
    await broadcast_and_send(h, 'topic:security title:"Patch Tuesday"', "Three fixes this month.")
    await broadcast_and_send(h, 'topic:pricing,security title:"New prices"', "Lists are out.")


# --- daily and weekly ---------------------------------------------------------------------------


async def test_daily_digest_at_the_local_hour_carries_everything_once(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "daily", "Europe/Berlin")  # 09:00 Berlin = 08:00 UTC
    await h.subscribe("birch", "security")  # immediate
    await _two_announcements(h)
    await h.deliver()
    assert len(h.posts("birch")) == 2 and h.posts("acme") == []
    acme = (await channel_row(h, "acme")).id
    assert {r.status for r in await deliveries(h) if r.channel_id == acme} == {"digest"}

    # Released after today's 09:00 Berlin: they wait for tomorrow's.
    assert await make_digests(h.app) == 0
    move_to(clock, utc(2026, 11, 25, 7, 59))
    assert await make_digests(h.app) == 0
    move_to(clock, utc(2026, 11, 25, 8, 0))
    assert await make_digests(h.app) == 1
    assert await make_digests(h.app) == 0  # nothing is in two digests
    await h.deliver()

    (post,) = h.posts("acme")
    label = m.DIGEST_DAILY.format(date=long_day(date(2026, 11, 25)))
    assert post.text.startswith(m.DIGEST_HEADER.format(label=label, announcements=m.ANNOUNCEMENTS(2)))
    assert post.text.index("**Patch Tuesday** · _security_\nThree fixes this month.") < post.text.index(
        "**New prices** · _pricing, security_\nLists are out."
    )
    (digest,) = await rows(h, DigestRow)
    assert (digest.status, digest.period_key, digest.message_id) == ("sent", "daily:2026-11-25", post.id)
    carried = [r for r in await deliveries(h) if r.channel_id == acme]
    assert {(r.status, r.message_id, r.digest_id) for r in carried} == {("sent", post.id, digest.id)}
    assert [(await announcement(h, i)).status for i in (1, 2)] == ["sent", "sent"]
    stats = (await h.admin("stats 1")).text
    assert "targeted 2 · delivered 2 · failed 0 · pending 0 · in digest 0" in stats

    # An empty period sends nothing; the next announcement goes in the next day's digest only.
    move_to(clock, utc(2026, 11, 26, 8, 0))
    assert await make_digests(h.app) == 0
    await broadcast_and_send(h, 'topic:security title:"Third"', "Later news.")
    move_to(clock, utc(2026, 11, 27, 8, 0))
    assert await make_digests(h.app) == 1
    await h.deliver()
    assert len(h.posts("acme")) == 2 and "**Third**" in h.posts("acme")[1].text
    assert "Patch Tuesday" not in h.posts("acme")[1].text


async def test_weekly_digest_on_monday_in_the_channel_zone(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "tokyo", "weekly", "Asia/Tokyo")  # Monday 09:00 JST = Monday 00:00 UTC
    await _two_announcements(h)
    move_to(clock, utc(2026, 11, 29, 23, 59))
    assert await make_digests(h.app) == 0
    move_to(clock, utc(2026, 11, 30, 0, 0))
    assert await make_digests(h.app) == 1
    await h.deliver()
    (post,) = h.posts("tokyo")
    label = m.DIGEST_WEEKLY.format(date=long_day(date(2026, 11, 30)))
    assert post.text.startswith(m.DIGEST_HEADER.format(label=label, announcements=m.ANNOUNCEMENTS(2)))


async def test_digest_hour_and_weekday_are_vendor_settings(database_url: str, clock: FakeClock) -> None:
    h = await make_harness(database_url, clock, digest_time="17:30", digest_weekday="friday")
    try:
        await setup_topics(h, "security", "pricing")
        await _digest_channel(h, "acme", "weekly")
        assert f"every Friday at {time_of_day(time(17, 30))}" in (await h.partner("acme", "settings")).text
        await _two_announcements(h)
        move_to(clock, utc(2026, 11, 27, 17, 29))
        assert await make_digests(h.app) == 0
        move_to(clock, utc(2026, 11, 27, 17, 30))
        assert await make_digests(h.app) == 1
    finally:
        await h.close()


# --- several processes, and the outbox guarantees ---------------------------------------------------


async def test_two_processes_make_each_digest_once(
    harness: Harness, database_url: str, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    for channel in ("acme", "birch", "cedar"):
        await _digest_channel(h, channel, "daily")
    await _two_announcements(h)
    other = await make_harness(database_url, clock)
    try:
        move_to(clock, utc(2026, 11, 25, 9, 0))
        made = await asyncio.gather(make_digests(h.app), make_digests(other.app), make_digests(h.app))
        assert sum(made) == 3
        assert len(await rows(h, DigestRow)) == 3
        await asyncio.gather(h.deliver(), other.deliver())
        posted = [p for w in (h, other) for c in ("acme", "birch", "cedar") for p in w.posts(c)]
        assert sorted(p.channel for p in posted) == ["acme", "birch", "cedar"]
        assert {r.status for r in await deliveries(h)} == {"sent"}
    finally:
        await other.close()


async def test_ambiguous_digest_is_found_not_posted_twice(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "daily")
    await _two_announcements(h)
    move_to(clock, utc(2026, 11, 25, 9, 0))
    await make_digests(h.app)
    h.local.sender.fail_next(Fault("after_post"))  # posted, then the call timed out
    await h.deliver()
    (digest,) = await rows(h, DigestRow)
    assert (digest.status, digest.ambiguous) == ("pending", True)
    clock.advance(minutes=10)
    await h.deliver()
    (post,) = h.posts("acme")
    assert h.local.sender.calls == {"post": 1, "find_posted": 1, "edit": 0, "delete": 0}
    assert post.key == f"g{digest.id}"
    assert {(r.status, r.message_id) for r in await deliveries(h)} == {("sent", post.id)}


async def test_transient_then_permanent_digest_failures(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "daily")
    await _digest_channel(h, "gone", "daily")
    await _two_announcements(h)
    move_to(clock, utc(2026, 11, 25, 9, 0))
    await make_digests(h.app)
    # A crashed worker's claim expires and the digest is taken over, flagged to look first.
    claimed = await h.app.stores.digests.claim(
        now=clock.now(),
        lease_until=clock.now() + timedelta(seconds=60),
        limit=1,
        worker="dead",
        platforms=["local"],
    )
    assert len(claimed) == 1
    clock.advance(seconds=61)
    h.local.sender.fail_next(Fault("transient"))
    h.local.sender.fail_next(Fault("permanent", reason="channel_not_found"))
    await h.deliver()
    clock.advance(minutes=10)
    await h.deliver()
    digests = {d.channel_id: d for d in await rows(h, DigestRow)}
    statuses = sorted((d.status, d.last_error) for d in digests.values())
    assert statuses == [("failed", "channel_not_found"), ("sent", "")]
    failed = next(d for d in digests.values() if d.status == "failed")
    lost = [r for r in await deliveries(h) if r.channel_id == failed.channel_id]
    assert {(r.status, r.last_error) for r in lost} == {("failed", "channel_not_found")}
    (gone,) = await rows(h, ChannelRow, id=failed.channel_id)
    assert not gone.active
    assert sum(len(h.posts(c)) for c in ("acme", "gone")) == 1


# --- edges --------------------------------------------------------------------------------------------


async def test_back_to_immediate_sends_what_was_held_at_once(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "weekly")
    await _two_announcements(h)
    await h.partner("acme", "settings mode immediate")
    assert await make_digests(h.app) == 1
    await h.deliver()
    (post,) = h.posts("acme")
    assert post.text.startswith(
        m.DIGEST_HEADER.format(label=m.DIGEST_CATCH_UP, announcements=m.ANNOUNCEMENTS(2))
    )


async def test_scheduled_announcement_joins_the_digest_after_its_time(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "daily")
    preview = await h.admin('broadcast topic:security at:"2026-11-25 12:00" title:"Later" Text.')
    until = m.WAIT_ONE_TIME.format(first="2026-11-26 09:00 UTC")
    assert m.WAIT_DIGEST(1, until=until) in preview.text
    await h.admin("send 1")
    move_to(clock, utc(2026, 11, 25, 9, 0))
    assert await make_digests(h.app) == 0  # not yet released
    await finish_announcements(h.app)
    assert (await announcement(h, 1)).status == "scheduled"
    move_to(clock, utc(2026, 11, 26, 9, 0))
    assert await make_digests(h.app) == 1
    await h.deliver()
    assert "**Later**" in h.posts("acme")[0].text
    assert (await announcement(h, 1)).status == "sent"


async def test_a_question_under_a_digest_is_relayed_and_answered_there(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await setup_topics(h, "security", "pricing")
    await _digest_channel(h, "acme", "daily")
    await _two_announcements(h)
    move_to(clock, utc(2026, 11, 25, 9, 0))
    await make_digests(h.app)
    await h.deliver()
    (post,) = h.posts("acme")
    assert not await h.local.react("pat", post, "thumbsup")  # a digest is no single announcement
    asked = await h.local.say("pat", "acme", "Do the new prices apply to renewals?", thread=post.id)
    assert asked is not None and "#1" in asked.text
    await h.deliver()
    assert "Do the new prices apply to renewals?" in admin_posts(h)[-1].text
    assert not (await h.admin("answer 1 Yes, from January.")).is_error
    await h.deliver()
    (answer,) = replies_in_thread(h, "acme", post.id)
    assert "Yes, from January." in answer.text


async def test_the_digests_job_is_defined_with_the_others(sqlite_harness: Harness) -> None:
    assert "digests" in JOBS
    scheduler = build_scheduler(sqlite_harness.app)
    # Every job that applies to this process: `faq-vectors` only with an embedding model.
    applying = {name for name, job in JOBS.items() if job.applies(sqlite_harness.app.job_ports)}
    assert applying == set(JOBS) - {"faq-vectors"}
    assert {job.id for job in scheduler.get_jobs()} == applying

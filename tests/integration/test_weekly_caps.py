"""Fatigue caps (bot/caps.py): at most N normal announcements per channel per rolling week; the rest
wait for a digest ("You also missed" for an immediate channel), urgent ones always pass.

Both databases. The clock starts on Tuesday 2026-11-24 09:00 UTC; digests go out at 09:00 in each
channel's zone (the vendor's, UTC, here).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time

import pytest

from adapters.local.sender import Fault
from adapters.local.workspace import BOT
from bot import messages as m
from bot.formats import clock as time_of_day
from bot.formats import long_day
from bot.jobs import make_digests
from storage.tables import DigestRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import (
    broadcast_and_send,
    channel_row,
    deliveries,
    id_from,
    rows,
    setup_topics,
)

EVERY_DAY = m.DIGEST_EVERY_DAY.format(time=time_of_day(time(9)))  # as English readers write it (Babel)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


@pytest.fixture
async def capped(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """A vendor that caps every channel at 2 normal announcements a week (PARTNERBOT_WEEKLY_CAP=2)."""
    h = await make_harness(database_url, clock, weekly_cap=2)
    try:
        yield h
    finally:
        await h.close()


async def _send(h: Harness, title: str, *, urgent: bool = False) -> int:
    return await broadcast_and_send(
        h, f'topic:security{" urgent" if urgent else ""} title:"{title}"', "Body."
    )


async def _row(h: Harness, announcement_id: int, channel: str) -> tuple[str, bool]:
    channel_id = (await channel_row(h, channel)).id
    (row,) = [r for r in await deliveries(h, announcement_id) if r.channel_id == channel_id]
    return row.status, row.capped


# --- `settings cap` ------------------------------------------------------------------------------


async def test_settings_cap_set_show_off_default_and_errors(harness: Harness) -> None:
    h = harness
    await h.link("acme")
    reply = await h.partner("acme", "settings cap 3")
    assert reply.text == m.CAP_SET(3, when=EVERY_DAY, timezone="UTC")
    assert (await channel_row(h, "acme")).weekly_cap == 3
    assert "weekly cap: 3 normal announcements a week\n" in (await h.partner("acme", "settings")).text

    off = await h.partner("acme", "settings cap off")
    assert off.text == m.CAP_OFF
    assert (await channel_row(h, "acme")).weekly_cap == 0
    assert "weekly cap: off\n" in (await h.partner("acme", "settings")).text

    default = await h.partner("acme", "settings cap default")
    assert default.text == m.CAP_DEFAULT_NONE  # this vendor sets none
    assert (await channel_row(h, "acme")).weekly_cap is None

    for bad, value in (("settings cap 0", "0"), ("settings cap 51", "51"), ("settings cap lots", "lots")):
        refused = await h.partner("acme", bad)
        assert refused.is_error and refused.text == m.CAP_INVALID.format(value=value, min=1, max=50)
    usage = await h.partner("acme", "settings cap")
    assert usage.is_error and m.SETTINGS_CAP_USAGE in usage.text
    assert (await channel_row(h, "acme")).weekly_cap is None  # nothing changed by a refusal
    assert "settings cap" in (await h.partner("acme", "help")).text

    await h.partner("acme", "settings mode weekly")
    digest = await h.partner("acme", "settings cap 1")
    assert digest.text == m.CAP_SET_DIGEST(1, mode="weekly")


async def test_vendor_default_and_the_channels_own_choice(capped: Harness) -> None:
    h = capped
    await h.link("acme")
    assert (
        "weekly cap: 2 normal announcements a week (vendor default)"
        in (await h.partner("acme", "settings")).text
    )
    assert (await h.partner("acme", "settings cap default")).text == m.CAP_DEFAULT(2)
    await h.partner("acme", "settings cap 5")
    assert "weekly cap: 5 normal announcements a week\n" in (await h.partner("acme", "settings")).text


# --- capping -------------------------------------------------------------------------------------


async def test_the_fourth_of_a_week_waits_for_a_you_also_missed_digest(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")  # no cap
    assert not (await h.partner("acme", "settings cap 3")).is_error
    for n in range(1, 4):
        await _send(h, f"Note {n}")
        clock.advance(hours=1)
    await h.deliver()
    assert (len(h.posts("acme")), len(h.posts("birch"))) == (3, 3)

    preview = await h.admin('broadcast topic:security title:"Note 4" The fourth.')
    assert m.WAIT_CAP_MISSED(1, caps="of 3", when=EVERY_DAY) in preview.text
    assert "1 channel is at its weekly cap of 3" in preview.text
    fourth = id_from(preview)
    sent = await h.admin(f"send {fourth}")
    assert m.WAIT_CAP_MISSED(1, caps="of 3", when=EVERY_DAY) in sent.text
    await h.deliver()
    assert (len(h.posts("acme")), len(h.posts("birch"))) == (3, 4)
    assert await _row(h, fourth, "acme") == ("digest", True)
    assert await _row(h, fourth, "birch") == ("sent", False)

    urgent_preview = await h.admin('broadcast topic:security urgent title:"Breach" Rotate keys.')
    assert "weekly cap" not in urgent_preview.text
    await h.admin(f"send {id_from(urgent_preview)}")
    await h.deliver()
    assert "Breach" in h.posts("acme")[-1].text  # urgent always passes
    assert len(h.posts("acme")) == 4

    stats = await h.admin(f"stats {fourth}")
    assert m.STATS_CAPPED(1) in stats.text
    assert m.CAPPED_SUFFIX(1) in (await h.admin("stats")).text
    assert m.CAPPED_SUFFIX(1) in (await h.admin("topics")).text

    # Not before the channel's next digest time: tomorrow 09:00.
    assert await make_digests(h.app) == 0
    move_to(clock, utc(2026, 11, 25, 8, 59))
    assert await make_digests(h.app) == 0
    move_to(clock, utc(2026, 11, 25, 9, 0))
    assert await make_digests(h.app) == 1
    assert await make_digests(h.app) == 0
    await h.deliver()
    post = h.posts("acme")[-1]
    assert post.text.startswith(
        m.DIGEST_HEADER.format(label=m.DIGEST_MISSED, announcements=m.ANNOUNCEMENTS(1))
    )
    assert "**Note 4**" in post.text and "Breach" not in post.text
    assert await _row(h, fourth, "acme") == ("sent", True)
    (digest,) = await rows(h, DigestRow)
    assert digest.period_key == "missed:2026-11-25" and digest.status == "sent"
    assert m.STATS_CAPPED(1) in (await h.admin(f"stats {fourth}")).text  # still counted once carried
    await h.deliver()
    assert len(h.posts("acme")) == 5
    keys = Counter(post.key for post in h.workspace.messages if post.author == BOT and post.key)
    assert [key for key, n in keys.items() if n > 1] == []  # nothing posted twice


async def test_the_window_rolls(capped: Harness, clock: FakeClock) -> None:
    h = capped
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")  # the vendor's cap of 2
    await h.subscribe("birch", "security")
    assert not (await h.partner("birch", "settings cap off")).is_error  # none, whatever the vendor sets
    await _send(h, "One")
    await h.deliver()  # posted at 09:00 on Tuesday 24th: it counts until 09:00 on Tuesday 1st
    clock.advance(days=1)
    await _send(h, "Two")
    await h.deliver()
    clock.advance(days=1)
    third = await _send(h, "Three")
    await h.deliver()
    assert (len(h.posts("acme")), len(h.posts("birch"))) == (2, 3)
    assert await _row(h, third, "acme") == ("digest", True)

    # A week after the first, one slot is free again; not a minute before.
    move_to(clock, utc(2026, 12, 1, 8, 59))
    early = await _send(h, "Early")
    move_to(clock, utc(2026, 12, 1, 9, 1))
    late = await _send(h, "Late")
    await h.deliver()
    assert await _row(h, early, "acme") == ("digest", True)
    assert await _row(h, late, "acme") == ("sent", False)
    assert "Late" in h.posts("acme")[-1].text


async def test_scheduled_announcements_count_in_the_week_around_them(
    capped: Harness, clock: FakeClock
) -> None:
    h = capped
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    ahead = await h.admin('broadcast topic:security at:"2026-11-27 10:00 UTC" title:"Ahead" Later.')
    assert not (await h.admin(f"send {id_from(ahead)}")).is_error
    await _send(h, "Now")
    second = await _send(h, "Also now")  # with "Ahead" on Friday, a third in one week: over the cap
    await h.deliver()
    assert await _row(h, second, "acme") == ("digest", True)


async def test_preview_counts_channels_at_their_cap(capped: Harness) -> None:
    h = capped
    await setup_topics(h, "security")
    for name in ("a1", "a2", "a3", "free"):
        await h.subscribe(name, "security")
    await h.partner("free", "settings cap 10")
    await _send(h, "One")
    await _send(h, "Two")
    await h.deliver()
    preview = await h.admin('broadcast topic:security title:"Three" Body.')
    assert m.WAIT_CAP_MISSED(3, caps="of 2", when=EVERY_DAY) in preview.text
    assert "3 channels are at their weekly cap of 2: they get this" in preview.text


async def test_a_digest_channel_over_its_cap_gets_it_in_its_next_digest(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    h.app.bot.admin.hold_digests = False  # digest channels get normal announcements at once
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    await h.partner("acme", "settings mode daily")
    await h.partner("acme", "settings cap 1")
    await _send(h, "One")
    preview = await h.admin('broadcast topic:security title:"Two" Body.')
    assert m.WAIT_CAP_DIGEST(1, caps="of 1") in preview.text
    second = id_from(preview)
    await h.admin(f"send {second}")
    await h.deliver()
    assert len(h.posts("acme")) == 1
    assert await _row(h, second, "acme") == ("digest", True)
    move_to(clock, utc(2026, 11, 25, 9, 0))
    assert await make_digests(h.app) == 1
    await h.deliver()
    label = m.DIGEST_DAILY.format(date=long_day(date(2026, 11, 25)))
    assert h.posts("acme")[-1].text.startswith(
        m.DIGEST_HEADER.format(label=label, announcements=m.ANNOUNCEMENTS(1))
    )


# --- the outbox guarantees, and edges -------------------------------------------------------------


async def test_you_also_missed_is_made_once_by_two_processes_and_posted_once_after_a_timeout(
    capped: Harness, database_url: str, clock: FakeClock
) -> None:
    h = capped
    await setup_topics(h, "security")
    for name in ("acme", "birch"):
        await h.subscribe(name, "security")
    for title in ("One", "Two", "Three", "Four"):
        await _send(h, title)
    await h.deliver()
    assert [len(h.posts(c)) for c in ("acme", "birch")] == [2, 2]
    other = await make_harness(database_url, clock, weekly_cap=2)
    try:
        move_to(clock, utc(2026, 11, 25, 9, 0))
        made = await asyncio.gather(make_digests(h.app), make_digests(other.app), make_digests(h.app))
        assert sum(made) == 2
        h.local.sender.fail_next(Fault("after_post"))  # posted, then the call timed out
        await h.deliver()
        clock.advance(minutes=10)
        await asyncio.gather(h.deliver(), other.deliver())
    finally:
        await other.close()
    for name in ("acme", "birch"):
        (missed,) = h.posts(name)[2:]
        assert "**Three**" in missed.text and "**Four**" in missed.text
    assert {(r.status, r.capped) for r in await deliveries(h) if r.digest_id} == {("sent", True)}


async def test_held_by_the_cap_then_switched_to_a_digest_mode_joins_that_digest(
    capped: Harness, clock: FakeClock
) -> None:
    h = capped
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    for title in ("One", "Two", "Three"):
        await _send(h, title)
    await h.deliver()
    await h.partner("acme", "settings mode weekly")  # Mondays at 09:00
    move_to(clock, utc(2026, 11, 25, 9, 0))
    assert await make_digests(h.app) == 0  # no "You also missed" for a weekly channel
    move_to(clock, utc(2026, 11, 30, 9, 0))
    assert await make_digests(h.app) == 1
    await h.deliver()
    weekly = h.posts("acme")[-1]
    assert weekly.text.startswith("📰 **Weekly digest") and "**Three**" in weekly.text


async def test_a_recalled_announcement_is_left_out_of_you_also_missed(
    capped: Harness, clock: FakeClock
) -> None:
    h = capped
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    for title in ("One", "Two", "Three", "Four"):
        await _send(h, title)
    await h.deliver()
    assert not (await h.admin("recall 3")).is_error  # "Three", held by the cap
    move_to(clock, utc(2026, 11, 25, 9, 0))
    await make_digests(h.app)
    await h.deliver()
    missed = h.posts("acme")[-1]
    assert "**Four**" in missed.text and "**Three**" not in missed.text


async def test_channels_due_at_different_times_are_each_counted_around_their_own(
    capped: Harness, clock: FakeClock
) -> None:
    h = capped
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await h.partner("acme", "settings quiet 08:00-10:00")  # now, 09:00 UTC: acme's copies wait until 10:00
    await _send(h, "One")
    await _send(h, "Two")
    preview = await h.admin('broadcast topic:security title:"Three" Body.')
    assert m.WAIT_CAP_MISSED(2, caps="of 2", when=EVERY_DAY) in preview.text
    third = id_from(preview)
    await h.admin(f"send {third}")
    assert await _row(h, third, "acme") == ("digest", True)
    assert await _row(h, third, "birch") == ("digest", True)
    move_to(clock, utc(2026, 11, 24, 10, 0))
    await h.deliver()
    assert (len(h.posts("acme")), len(h.posts("birch"))) == (2, 2)

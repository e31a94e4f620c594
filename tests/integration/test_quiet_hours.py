"""Quiet hours: `settings quiet …` per channel and a vendor-wide default; normal announcements wait
for the end of the quiet period in the channel's local time, urgent ones do not.

The clock starts on Tuesday 2026-11-24 09:00 UTC; Europe/Berlin is UTC+1 in winter.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot import messages as m
from bot.formats import clock as time_of_day
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import broadcast_and_send, channel_row, deliveries, id_from, setup_topics


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


async def _channel(h: Harness, name: str, *, zone: str = "", quiet: str = "") -> None:
    assert not (await h.subscribe(name, "security")).is_error
    if zone:
        assert not (await h.partner(name, f"settings timezone {zone}")).is_error
    if quiet:
        assert not (await h.partner(name, f"settings quiet {quiet}")).is_error


async def test_settings_quiet_set_show_off_and_errors(harness: Harness) -> None:
    h = harness
    await h.partner("acme", "settings timezone Europe/Berlin")
    reply = await h.partner("acme", "settings quiet 20:00-08:00")
    assert reply.text == m.QUIET_SET.format(
        quiet="`20:00-08:00`", timezone="Europe/Berlin", end=time_of_day(time(8))
    )
    assert (await channel_row(h, "acme")).quiet_hours == "20:00-08:00"
    assert "quiet hours: `20:00-08:00`" in (await h.partner("acme", "settings")).text

    off = await h.partner("acme", "settings quiet off")
    assert off.text == m.QUIET_OFF
    assert (await channel_row(h, "acme")).quiet_hours == "off"
    assert "quiet hours: off" in (await h.partner("acme", "settings")).text

    bad = await h.partner("acme", "settings quiet 8pm-8am")
    assert bad.is_error and bad.text == m.QUIET_INVALID.format(value="8pm-8am")
    usage = await h.partner("acme", "settings quiet")
    assert usage.is_error and m.SETTINGS_QUIET_USAGE in usage.text
    assert (await channel_row(h, "acme")).quiet_hours == "off"
    assert "settings quiet 20:00-08:00" in (await h.partner("acme", "help")).text


async def test_normal_announcements_wait_for_the_end_of_quiet_hours(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security")
    await _channel(h, "night", zone="Europe/Berlin", quiet="20:00-08:00")
    await _channel(h, "day", zone="Europe/Berlin")
    move_to(clock, utc(2026, 11, 24, 21, 0))  # 22:00 in Berlin

    preview = await h.admin('broadcast topic:security title:"Evening" Read tomorrow.')
    until = m.WAIT_ONE_TIME.format(first="2026-11-25 07:00 UTC")  # 08:00 in Berlin
    assert m.WAIT_QUIET(1, until=until) in preview.text
    sent = await h.admin(f"send {id_from(preview)}")
    assert m.WAIT_QUIET(1, until=until) in sent.text
    await h.deliver()
    assert (len(h.posts("night")), len(h.posts("day"))) == (0, 1)
    night = (await channel_row(h, "night")).id
    assert [r.not_before for r in await deliveries(h) if r.channel_id == night] == [utc(2026, 11, 25, 7, 0)]

    urgent = await h.admin('broadcast topic:security urgent title:"Breach" Rotate keys now.')
    assert "quiet hours" not in urgent.text
    await h.admin(f"send {id_from(urgent)}")
    await h.deliver()
    assert (len(h.posts("night")), len(h.posts("day"))) == (1, 2)
    assert "Breach" in h.posts("night")[0].text

    move_to(clock, utc(2026, 11, 25, 6, 59))
    await h.deliver()
    assert len(h.posts("night")) == 1
    move_to(clock, utc(2026, 11, 25, 7, 0))
    await h.deliver()
    assert len(h.posts("night")) == 2 and "Evening" in h.posts("night")[1].text


async def test_vendor_default_quiet_hours_and_channel_overrides(database_url: str, clock: FakeClock) -> None:
    h = await make_harness(database_url, clock, quiet_hours="22:00-07:00")
    try:
        await setup_topics(h, "security")
        await _channel(h, "plain")
        await _channel(h, "loud", quiet="off")
        await _channel(h, "lunch", quiet="12:00-13:00")
        assert "quiet hours: `22:00-07:00` (vendor default)" in (await h.partner("plain", "settings")).text
        move_to(clock, utc(2026, 11, 24, 23, 0))
        await broadcast_and_send(h, 'topic:security title:"Late"')
        await h.deliver()
        assert [len(h.posts(c)) for c in ("plain", "loud", "lunch")] == [0, 1, 1]
        move_to(clock, utc(2026, 11, 25, 7, 0))
        await h.deliver()
        assert len(h.posts("plain")) == 1
    finally:
        await h.close()


async def test_quiet_hours_end_on_the_local_clock_across_dst(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security")
    await _channel(h, "berlin", zone="Europe/Berlin", quiet="22:00-08:00")
    # 22:30 CET on 27 March 2027; clocks jump to summer time that night, so 08:00 is 06:00 UTC.
    move_to(clock, utc(2027, 3, 27, 21, 30))
    await broadcast_and_send(h, 'topic:security title:"Spring"')
    (row,) = await deliveries(h)
    assert row.not_before == utc(2027, 3, 28, 6, 0)


async def test_a_scheduled_local_time_inside_quiet_hours_waits_for_their_end(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await _channel(h, "berlin", zone="Europe/Berlin", quiet="07:00-09:30")
    preview = await h.admin(
        'broadcast topic:security at:"2026-12-01 08:00 local" title:"Early" Coffee first.'
    )
    until = m.WAIT_ONE_TIME.format(first="2026-12-01 08:30 UTC")  # 09:30 in Berlin
    assert m.WAIT_QUIET(1, until=until) in preview.text
    await h.admin(f"send {id_from(preview)}")
    (row,) = await deliveries(h)
    assert (row.status, row.not_before) == ("pending", utc(2026, 12, 1, 8, 30))

"""Recurring announcements: `broadcast … every:"…"`, `series …`, and the `series` job drafting each
occurrence once — across a DST change and process restarts, on SQLite and PostgreSQL.

The vendor's zone is Europe/Berlin. The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot import messages as m
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from bot.jobs import run_job
from bot.services.series import OCCURRENCE_JOB
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, JobRunRow, SeriesRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import rows, setup_topics

BERLIN = "Europe/Berlin"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


@pytest.fixture
async def berlin(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await make_harness(database_url, clock, default_timezone=BERLIN)
    yield h
    await h.close()


async def _zoned(h: Harness, *zones: tuple[str, str]) -> None:
    await setup_topics(h, "pricing")
    for channel, zone in zones:
        await h.app.stores.directory.import_rows(
            [
                ImportRow(
                    line=2,
                    partner=PartnerProfile(name=channel.title(), tier="gold", timezone=zone),
                    channel=ChannelRef(Platform.LOCAL, "local", channel),
                )
            ],
            now=h.app.clock.now(),
        )
        assert not (await h.subscribe(channel, "pricing")).is_error


async def _tick(h: Harness) -> None:
    """What `partnerbot run` does each minute: the series job, finishing announcements, the worker."""
    await run_job(h.app, "series")
    await h.deliver()
    await run_job(h.app, "finish-announcements")


# --- preview, listing, start ---------------------------------------------------------------------


async def test_preview_shows_the_rule_in_words_and_the_next_three_occurrences(berlin: Harness) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    preview = await h.admin('broadcast topic:pricing every:"monday 09:00" title:"Weekly" Our news.')
    assert not preview.is_error, preview.text
    assert "**Draft series 1: Weekly**\nGoes out every Monday at 09:00 Europe/Berlin." in preview.text
    assert "> Our news." in preview.text
    nexts = " · ".join(f"Mon 2026-{d} 09:00 Europe/Berlin" for d in ("11-30", "12-07", "12-14"))
    assert m.SERIES_NEXT(3, list=nexts) in preview.text
    assert [b.action for b in preview.buttons] == ["series_start", "series_end"]
    assert (await rows(h, AnnouncementRow)) == []  # nothing is drafted before its time

    listed = await h.admin("series")
    assert "• **1** Weekly — every Monday at 09:00 Europe/Berlin · draft (`series start 1`)" in listed.text
    started = await h.admin("series start 1")
    assert started.text == m.SERIES_STARTED.format(
        id=1, title="Weekly", next="Mon 2026-11-30 09:00 Europe/Berlin"
    )
    local = await h.admin(
        'broadcast topic:pricing every:"1st monday 10:00 local" until:"2027-03-31" title:"Monthly" M.'
    )
    assert (
        "Goes out on the first Monday of every month at 10:00 on each channel's own clock, until "
        "2027-03-31." in local.text
    )
    assert (
        "Mon 2026-12-07 10:00 local · Mon 2027-01-04 10:00 local · Mon 2027-02-01 10:00 local" in local.text
    )


async def test_refusals_are_friendly_and_create_nothing(berlin: Harness) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    too_early = m.UNTIL_BEFORE_FIRST.format(until="2026-11-29", first="2026-11-30")
    cases = {
        'broadcast topic:pricing every:"monday 09:00" until:"2026-11-29" title:"T" B': too_early,
        'broadcast topic:pricing every:"monday 09:00" at:"2026-12-01 09:00" title:"T" B': m.EVERY_WITH_AT,
        'broadcast topic:pricing until:"2027-01-01" title:"T" B': m.UNTIL_WITHOUT_EVERY,
        'broadcast topic:nope every:"day 09:00" title:"T" B': "nope",
        "series 3": "Usage:",
        "series pause 7": m.NO_SUCH_SERIES.format(id=7),
        "series paus 7": 'did you mean "pause"?',
        "calendar 13": m.CALENDAR_WEEKS_INVALID.format(max=12, value="13"),
        "series edit 7 New body": m.NO_SUCH_SERIES.format(id=7),
    }
    for text, expected in cases.items():
        reply = await h.admin(text)
        assert reply.is_error and expected in reply.text, (text, reply.text)
    assert await rows(h, SeriesRow) == []


async def test_states_pause_resume_end_refuse_what_does_not_apply(berlin: Harness, clock: FakeClock) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing every:"day 09:00" title:"Daily" D.')
    assert (await h.admin("series resume 1")).text == m.SERIES_NOT_ALLOWED["draft"].format(id=1)
    assert not (await h.admin("series start 1")).is_error
    assert (await h.admin("series start 1")).text == m.SERIES_NOT_ALLOWED["active"].format(id=1)

    move_to(clock, utc(2026, 11, 25, 8, 0))  # Wednesday 09:00 Berlin
    await _tick(h)
    assert len(h.posts("acme")) == 1
    assert (await h.admin("series pause 1")).text == m.SERIES_PAUSED.format(id=1, title="Daily")
    move_to(clock, utc(2026, 11, 26, 8, 0))
    await _tick(h)
    assert len(h.posts("acme")) == 1  # paused: Thursday is skipped
    move_to(clock, utc(2026, 11, 26, 12, 0))
    resumed = await h.admin("series resume 1")
    assert resumed.text == m.SERIES_RESUMED.format(
        id=1, title="Daily", next="Fri 2026-11-27 09:00 Europe/Berlin"
    )
    await _tick(h)
    assert len(h.posts("acme")) == 1  # resuming does not send Thursday's late
    move_to(clock, utc(2026, 11, 27, 8, 0))
    await _tick(h)
    assert len(h.posts("acme")) == 2
    assert (await h.admin("series end 1")).text == m.SERIES_ENDED.format(id=1, title="Daily")
    assert (await h.admin("series resume 1")).text == m.SERIES_NOT_ALLOWED["ended"].format(id=1)
    move_to(clock, utc(2026, 11, 28, 8, 0))
    await _tick(h)
    assert len(h.posts("acme")) == 2
    listed = (await h.admin("series")).text
    assert "· ended · next: none · last: Fri 2026-11-27, drafted as #2" in listed

    await h.admin('broadcast topic:pricing every:"day 09:00" title:"Other" O.')
    assert (await h.admin("series end 2")).text == m.SERIES_DISCARDED.format(id=2, title="Other")


async def test_template_edits_change_only_future_occurrences(berlin: Harness, clock: FakeClock) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing every:"day 09:00" title:"Tips" First text.')
    await h.admin("series start 1")
    move_to(clock, utc(2026, 11, 25, 8, 0))
    await _tick(h)
    edited = await h.admin('series edit 1 title:"Better tips" Second text.')
    assert edited.text == m.SERIES_EDITED.format(
        id=1, title="Better tips", next="Thu 2026-11-26 09:00 Europe/Berlin"
    )
    move_to(clock, utc(2026, 11, 26, 8, 0))
    await _tick(h)
    first, second = await rows(h, AnnouncementRow)
    assert (first.title, first.body) == ("Tips", "First text.")
    assert (second.title, second.body) == ("Better tips", "Second text.")
    posts = [p.text for p in h.posts("acme")]
    assert "**Tips**\nFirst text." in posts[0] and "**Better tips**\nSecond text." in posts[1]
    await h.admin("series end 1")
    assert (await h.admin("series edit 1 Third.")).text == m.SERIES_EDIT_ENDED.format(id=1)


# --- every occurrence once, in each channel's local time, across DST and restarts ----------------


async def test_local_series_goes_out_once_a_day_at_nine_local_across_dst_and_restarts(
    database_url: str, clock: FakeClock
) -> None:
    """Tokyo (no DST), Berlin (CET → CEST on Sunday 2027-03-28) and New York (EDT already): a
    daily 09:00 local series through 2027-03-29, ticked hourly, the bot restarted twice — once while
    an occurrence is out in Tokyo but not yet in Berlin or New York."""
    zones = {"tokyo": "Asia/Tokyo", "berlin": BERLIN, "nyc": "America/New_York"}
    move_to(clock, utc(2027, 3, 26, 12, 0))
    h = await make_harness(database_url, clock, default_timezone=BERLIN)
    try:
        await _zoned(h, *zones.items())
        reply = await h.admin(
            'broadcast topic:pricing every:"day 09:00 local" until:"2027-03-29" title:"Daily" D.'
        )
        assert "Next 3 occurrences: Sat 2027-03-27 09:00 local" in reply.text
        await h.admin("series start 1")
        restarts = {utc(2027, 3, 27, 3, 0), utc(2027, 3, 28, 7, 0)}
        while clock.now() < utc(2027, 3, 30, 6, 0):
            await _tick(h)
            clock.advance(hours=1)
            if clock.now() in restarts:  # a new process on the same database
                await h.close()
                h = await make_harness(database_url, clock, default_timezone=BERLIN)
        days = [date(2027, 3, d) for d in range(27, 30)]
        channel_zone = {r.id: zones[r.channel_id] for r in await rows(h, ChannelRow) if r.channel_id in zones}
        sent = [d for d in await rows(h, DeliveryRow) if d.channel_id in channel_zone]
        # (each process has its own local workspace, so the posts are counted in the outbox)
        assert all(d.status == "sent" and d.message_id for d in sent)
        local = Counter(
            (
                channel_zone[d.channel_id],
                d.not_before.astimezone(ZoneInfo(channel_zone[d.channel_id])).replace(tzinfo=None),
            )
            for d in sent
        )
        expected = Counter(
            {(zone, datetime.combine(day, time(9))): 1 for zone in zones.values() for day in days}
        )
        assert local == expected
        assert len(await rows(h, AnnouncementRow)) == len(days)
        runs = await rows(h, JobRunRow, job=OCCURRENCE_JOB)
        assert sorted(r.period for r in runs) == [f"1/{day}" for day in days]
        assert (await h.app.stores.series.get(1)).status.value == "ended"  # type: ignore[union-attr]
    finally:
        await h.close()


async def test_a_vendor_zone_series_goes_out_at_the_first_valid_instant_in_a_dst_gap(
    berlin: Harness, clock: FakeClock
) -> None:
    """02:30 does not exist in Berlin on 2027-03-28 (clocks jump from 02:00 to 03:00): that
    occurrence goes out at 03:00 CEST, as `at:` schedules do; the days around it at 02:30."""
    h = berlin
    move_to(clock, utc(2027, 3, 26, 12, 0))
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing every:"day 02:30" until:"2027-03-29" title:"Night" N.')
    await h.admin("series start 1")
    while clock.now() < utc(2027, 3, 29, 2, 0):
        await _tick(h)
        clock.advance(minutes=30)
    sent = sorted((d.not_before, d.status) for d in await rows(h, DeliveryRow))
    assert sent == [
        (utc(2027, 3, 27, 1, 30), "sent"),  # 02:30 CET
        (utc(2027, 3, 28, 1, 0), "sent"),  # 03:00 CEST, the first instant after the gap
        (utc(2027, 3, 29, 0, 30), "sent"),  # 02:30 CEST
    ]
    assert len(h.posts("acme")) == 3


async def test_a_crashed_run_is_taken_over_and_sends_its_draft_once(
    berlin: Harness, clock: FakeClock, database_url: str
) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing every:"day 09:00" title:"Daily" D.')
    await h.admin("series start 1")
    move_to(clock, utc(2026, 11, 25, 8, 0))
    admin = h.app.bot.admin
    real = admin.send_draft

    async def dies(*args: object, **kwargs: object) -> object:
        raise ConnectionError("database went away")

    admin.send_draft = dies  # type: ignore[method-assign]
    await run_job(h.app, "series")  # drafted, then failed before sending: the claim is failed
    admin.send_draft = real  # type: ignore[method-assign]
    (failed,) = await rows(h, JobRunRow, job=OCCURRENCE_JOB)
    assert failed.status == "failed"
    assert [a.status for a in await rows(h, AnnouncementRow)] == ["draft"]

    other = await make_harness(database_url, clock, default_timezone=BERLIN)
    try:
        clock.advance(minutes=1)
        await _tick(other)
        clock.advance(minutes=1)
        await _tick(other)
        await _tick(h)
        assert len(other.posts("acme")) + len(h.posts("acme")) == 1
    finally:
        await other.close()
    assert [a.status for a in await rows(h, AnnouncementRow)] == ["sent"]  # the same draft, once
    (run,) = await rows(h, JobRunRow, job=OCCURRENCE_JOB)
    assert (run.status, run.attempts, run.detail) == ("done", 2, "drafted as #1")


async def test_an_occurrence_that_cannot_go_out_says_why_and_the_series_goes_on(
    berlin: Harness, clock: FakeClock
) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing every:"day 09:00" title:"Daily" D.')
    await h.admin("series start 1")
    assert not (await h.partner("acme", "unsubscribe pricing")).is_error
    move_to(clock, utc(2026, 11, 25, 8, 0))
    await _tick(h)
    listed = (await h.admin("series")).text
    assert "last: Wed 2026-11-25, " + m.SERIES_OCCURRENCE_REFUSED.format(reason="") in listed
    assert [a.status for a in await rows(h, AnnouncementRow)] == ["cancelled"]
    assert not (await h.partner("acme", "subscribe pricing")).is_error
    move_to(clock, utc(2026, 11, 26, 8, 0))
    await _tick(h)
    assert len(h.posts("acme")) == 1


async def test_with_approval_on_an_occurrence_waits_for_another_admin(
    database_url: str, clock: FakeClock
) -> None:
    h = await make_harness(
        database_url,
        clock,
        default_timezone=BERLIN,
        approval="broadcasts",
        admin_users=("local:alice", "local:bob"),
    )
    try:
        await _zoned(h, ("acme", ""))
        await h.admin('broadcast topic:pricing every:"day 09:00" title:"Daily" D.')
        await h.admin("series start 1")
        move_to(clock, utc(2026, 11, 25, 8, 0))
        await _tick(h)
        assert h.posts("acme") == []  # nothing goes out unapproved
        assert [a.status for a in await rows(h, AnnouncementRow)] == ["draft"]
        listed = (await h.admin("series")).text
        assert "last: Wed 2026-11-25, " + m.SERIES_OCCURRENCE_AWAITS.format(id=1) in listed
        notice = [p.text for p in h.workspace.in_channel("admin") if "#1" in p.text]
        assert any("approve 1" in text for text in notice), notice
        # Bob approves later: it goes out then (it had no time of its own yet).
        move_to(clock, utc(2026, 11, 25, 10, 0))
        approved = await h.admin("approve 1", user="bob")
        assert not approved.is_error, approved.text
        await _tick(h)
        assert len(h.posts("acme")) == 1
    finally:
        await h.close()


# --- the calendar --------------------------------------------------------------------------------


async def test_calendar_shows_each_day_scheduled_and_recurring_with_the_gaps(berlin: Harness) -> None:
    h = berlin
    await _zoned(h, ("acme", ""))
    await h.admin('broadcast topic:pricing at:"2026-11-27 14:00" title:"Price list" P.')
    await h.admin("send 1")
    await h.admin('broadcast topic:pricing every:"monday,thursday 09:00 local" title:"Tips" T.')
    await h.admin("series start 1")
    await h.admin('broadcast topic:pricing every:"day 07:00" title:"Paused" X.')
    await h.admin("series start 2")
    await h.admin("series pause 2")
    shown = (await h.admin("calendar 1")).text
    lines = shown.splitlines()
    assert lines[0] == m.CALENDAR_HEADER.format(first="Tue 2026-11-24", last="Mon 2026-11-30", zone=BERLIN)
    assert lines[1:3] == ["**Tue 2026-11-24**", "• 07:00 — series 2 Paused (paused)"]
    assert "**Thu 2026-11-26**\n• 07:00 — series 2 Paused (paused)\n• 09:00 local — series 1 Tips" in shown
    assert "**Fri 2026-11-27**\n• 07:00 — series 2 Paused (paused)\n• 14:00 — #1 Price list" in shown
    assert "**Mon 2026-11-30**\n• 07:00 — series 2 Paused (paused)\n• 09:00 local — series 1 Tips" in shown
    # The paused series is shown, but counts neither as planned nor against a day being empty.
    assert lines[-1] == m.CALENDAR_SUMMARY(4, planned=m.CALENDAR_ITEMS(3))
    await h.admin("series end 2")
    quiet = (await h.admin("calendar")).text
    assert "_Tue 2026-11-24 to Wed 2026-11-25: nothing planned_" in quiet
    assert m.CALENDAR_SUMMARY(9, planned=m.CALENDAR_ITEMS(5)) in quiet
    assert (await h.admin("calendar 2 weeks")).text == quiet

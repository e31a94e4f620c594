"""Scheduled broadcasts: `at:"…"` in the vendor zone, a named zone or each channel's own (`local`),
through preview, send, `scheduled`, restarts, the worker and `cancel` — driven by the fake clock.

The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import messages as m
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from storage.tables import AnnouncementRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import announcement, deliveries, id_from, rows, setup_topics


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


async def posted_titles(h: Harness, *channels: str) -> dict[str, int]:
    return {channel: len(h.posts(channel)) for channel in channels}


@pytest.fixture
async def berlin(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """A vendor whose default time zone is Europe/Berlin (UTC+1 in winter)."""
    h = await make_harness(database_url, clock, default_timezone="Europe/Berlin")
    yield h
    await h.close()


async def _zoned_channels(h: Harness) -> None:
    """berlin and tokyo set their own zone; nyc's partner is in New York; plain has none (UTC)."""
    await setup_topics(h, "pricing")
    await h.app.stores.directory.import_rows(
        [
            ImportRow(
                line=2,
                partner=PartnerProfile(name="Nyc Co", tier="gold", timezone="America/New_York"),
                channel=ChannelRef(Platform.LOCAL, "local", "nyc"),
            )
        ],
        now=h.app.clock.now(),
    )
    for channel, zone in (("berlin", "Europe/Berlin"), ("tokyo", "Asia/Tokyo"), ("nyc", ""), ("plain", "")):
        if zone:
            assert not (await h.partner(channel, f"settings timezone {zone}")).is_error
        assert not (await h.subscribe(channel, "pricing")).is_error


# --- the vendor's zone, and surviving a restart ---------------------------------------------------


async def test_scheduled_in_vendor_zone_waits_survives_restart_and_goes_out(
    berlin: Harness, clock: FakeClock, database_url: str
) -> None:
    h = berlin
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    preview = await h.admin('broadcast topic:pricing at:"2026-12-01 09:00" title:"Later" Not yet.')
    assert not preview.is_error, preview.text
    at = m.SCHEDULE_AT.format(wall="2026-12-01 09:00", zone="Europe/Berlin", utc="2026-12-01 08:00 UTC")
    assert at in preview.text
    assert m.SCHEDULE_HINT.format(id=1) in preview.text
    assert (await announcement(h, 1)).status == "draft"

    sent = await h.admin("send 1")
    assert not sent.is_error, sent.text
    assert sent.text == m.SCHEDULED_SENDING.format(id=1, title="Later", channels=m.CHANNELS(1), when=at)
    row = await announcement(h, 1)
    assert (row.status, row.send_at, row.sent_at) == ("scheduled", utc(2026, 12, 1, 8, 0), None)
    (delivery,) = await deliveries(h, 1)
    assert (delivery.status, delivery.not_before) == ("pending", utc(2026, 12, 1, 8, 0))
    listed = await h.admin("scheduled")
    assert "#1 Later — 2026-12-01 09:00 Europe/Berlin · 1 delivery waiting, at 2026-12-01 08:00 UTC" in (
        listed.text
    )

    assert await h.deliver() == 0
    move_to(clock, utc(2026, 12, 1, 7, 59))
    assert await h.deliver() == 0
    assert h.posts("acme") == []

    # A restart: a new process on the same database knows the schedule (it is data, not a job).
    later = await make_harness(database_url, clock, default_timezone="Europe/Berlin")
    try:
        assert "#1 Later" in (await later.admin("scheduled")).text
        move_to(clock, utc(2026, 12, 1, 8, 0))
        assert await later.deliver() == 1
        (post,) = later.posts("acme")
        assert "**Later**\nNot yet." in post.text
        assert (await announcement(later, 1)).status == "sent"
        assert (await later.admin("scheduled")).text == m.NO_SCHEDULED
    finally:
        await later.close()


# --- each channel's own clock -----------------------------------------------------------------------


async def test_local_follows_the_sun_channel_then_partner_then_vendor_zone(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _zoned_channels(h)
    preview = await h.admin(
        'broadcast topic:pricing at:"2026-12-01 09:00 local" title:"Sunrise" Good morning.'
    )
    assert not preview.is_error, preview.text
    # Tokyo (UTC+9) first, New York (UTC-5, the partner's zone) last.
    local = m.SCHEDULE_LOCAL.format(
        wall="2026-12-01 09:00", first="2026-12-01 00:00 UTC", last="2026-12-01 14:00 UTC"
    )
    assert local in preview.text
    assert not (await h.admin("send 1")).is_error
    due = {r.channel_id: r.not_before for r in await deliveries(h, 1)}
    assert sorted(due.values()) == [
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 1, 8, 0),
        utc(2026, 12, 1, 9, 0),
        utc(2026, 12, 1, 14, 0),
    ]
    channels = ("tokyo", "berlin", "plain", "nyc")
    move_to(clock, utc(2026, 12, 1, 0, 0))
    await h.deliver()
    assert await posted_titles(h, *channels) == {"tokyo": 1, "berlin": 0, "plain": 0, "nyc": 0}
    assert (await announcement(h, 1)).status == "sending"
    # The first delivery went out: too late to cancel, and nothing else changes.
    refused = await h.admin("cancel 1")
    assert refused.is_error and refused.text == m.CANCEL_TOO_LATE.format(id=1)
    assert sorted(r.status for r in await deliveries(h, 1)) == ["pending", "pending", "pending", "sent"]

    move_to(clock, utc(2026, 12, 1, 9, 0))
    await h.deliver()
    assert await posted_titles(h, *channels) == {"tokyo": 1, "berlin": 1, "plain": 1, "nyc": 0}
    assert (await announcement(h, 1)).status == "sending"
    move_to(clock, utc(2026, 12, 1, 14, 0))
    await h.deliver()
    assert await posted_titles(h, *channels) == dict.fromkeys(channels, 1)
    assert (await announcement(h, 1)).status == "sent"


async def test_dst_gap_moves_forward_and_repeated_time_takes_the_first(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await h.partner("berlin", "settings timezone Europe/Berlin")
    await h.subscribe("berlin", "pricing")
    # 2027-03-28 02:30 does not exist in Berlin (02:00 → 03:00): it goes at 03:00 CEST = 01:00 UTC.
    gap = await h.admin('broadcast topic:pricing at:"2027-03-28 02:30 local" title:"Gap" Spring.')
    assert "on each channel's own clock (at 2027-03-28 01:00 UTC)" in gap.text, gap.text
    # 2027-10-31 02:30 happens twice (03:00 CEST → 02:00 CET): the first, 02:30 CEST = 00:30 UTC.
    fold = await h.admin('broadcast topic:pricing at:"2027-10-31 02:30 Europe/Berlin" title:"Fold" Autumn.')
    assert m.SCHEDULE_AT.format(
        wall="2027-10-31 02:30", zone="Europe/Berlin", utc="2027-10-31 00:30 UTC"
    ) in (fold.text)
    for announcement_id in (id_from(gap), id_from(fold)):
        assert not (await h.admin(f"send {announcement_id}")).is_error
    first, second = await deliveries(h)
    assert (first.not_before, second.not_before) == (utc(2027, 3, 28, 1, 0), utc(2027, 10, 31, 0, 30))
    listed = (await h.admin("scheduled")).text
    assert listed.index("#1 Gap") < listed.index("#2 Fold")


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-24 08:59", "2026-11-24 08:59 UTC has already passed (it is now 2026-11-24 09:00 UTC)"),
        (
            "2026-12-01 09:00 Europe/Berln",
            '"Europe/Berln" isn\'t a time zone I know — did you mean "Europe/Berlin"?',
        ),
        ("01/12/2026 09:00", "is ambiguous"),
        ("next tuesday", 'I couldn\'t read the time "next tuesday"'),
        ("2026-12-01 9am", "I couldn't read the time"),
        ("2027-11-25 09:00", "2027-11-25 09:00 UTC is more than a year ahead"),
        ("2026-02-30 09:00", "I couldn't read the time"),
    ],
)
async def test_bad_times_are_refused_naming_the_accepted_forms(
    sqlite_harness: Harness, at: str, expected: str
) -> None:
    h = sqlite_harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    reply = await h.admin(f'broadcast topic:pricing at:"{at}" title:"T" Body')
    assert reply.is_error
    assert expected in reply.text
    assert m.AT_FORMS_LIST in reply.text
    assert await rows(h, AnnouncementRow) == []


async def test_local_time_already_passed_somewhere_is_refused(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await _zoned_channels(h)
    # 17:30 today has passed in Tokyo (it is 18:00 there) though not in UTC or New York.
    reply = await h.admin('broadcast topic:pricing at:"2026-11-24 17:30 local" title:"T" Body')
    assert reply.is_error
    assert "2026-11-24 17:30 has already passed in Asia/Tokyo, where 1 targeted channel is" in reply.text
    assert "(it is 2026-11-24 18:00 Asia/Tokyo there)" in reply.text
    assert m.AT_FORMS_LIST in reply.text


async def test_sending_a_scheduled_draft_after_its_time_is_refused(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    assert not (await h.admin('broadcast topic:pricing at:"2026-11-24 10:00" title:"T" Body')).is_error
    clock.advance(hours=2)
    late = await h.admin("send 1")
    assert late.is_error and "has already passed" in late.text
    assert (await announcement(h, 1)).status == "draft"
    assert await deliveries(h) == []


# --- cancel ------------------------------------------------------------------------------------------


async def test_cancel_a_scheduled_announcement_before_it_goes_out(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "pricing")
    for channel in ("acme", "birch"):
        await h.subscribe(channel, "pricing")
    await h.partner("birch", "settings mode daily")  # held for its digest: cancelled too
    await h.admin('broadcast topic:pricing at:"2026-11-30 12:00" title:"Oops" Wrong.')
    await h.admin("send 1")
    assert sorted(r.status for r in await deliveries(h, 1)) == ["digest", "pending"]

    cancelled = await h.admin("cancel 1")
    assert not cancelled.is_error and cancelled.text == m.CANCELLED.format(id=1, title="Oops")
    assert (await announcement(h, 1)).status == "cancelled"
    assert {(r.status, r.last_error) for r in await deliveries(h, 1)} == {("failed", "cancelled")}
    assert (await h.admin("scheduled")).text == m.NO_SCHEDULED
    move_to(clock, utc(2026, 12, 1, 12, 0))
    await h.deliver()
    assert await h.app.digests.create_due() == 0
    await h.deliver()
    assert h.posts("acme") == [] and h.posts("birch") == []
    again = await h.admin("cancel 1")
    assert again.is_error and again.text == m.CANNOT_CANCEL["cancelled"].format(id=1)


async def test_cancel_refused_once_sending_and_for_unknown(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    await h.admin('broadcast topic:pricing title:"Now" Right away.')
    await h.admin("send 1")
    refused = await h.admin("cancel 1")
    assert refused.is_error and refused.text == m.CANNOT_CANCEL["sending"].format(id=1)
    unknown = await h.admin("cancel 9")
    assert unknown.is_error and unknown.text == m.NO_SUCH_ANNOUNCEMENT.format(id=9)


async def test_scheduled_help_and_empty_listing(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    assert (await h.admin("scheduled")).text == m.NO_SCHEDULED
    helped = await h.admin("help scheduled")
    assert m.ADMIN_ABOUT["scheduled"] in helped.text
    assert "`scheduled`" in (await h.admin("help")).text

"""Dates, times and counts in partner replies, written for the reader (Babel) on SQLite and
PostgreSQL: `news` and `news search` dates, digest times and quiet hours in the channel's zone, "already
acknowledged" in the channel's local time, the ack reminder with the reader's own title. Expected
values are Babel's output for the reader's locale."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot import messages as m
from bot.i18n import reading
from bot.jobs import run_job
from bot.presenter import SHOW_ACTION
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, id_from, setup_topics


def _day(at: datetime, locale: str) -> str:
    return str(format_date(at.date(), format="medium", locale=locale))


def _clock(at: time, locale: str) -> str:
    return str(format_time(at, format="short", locale=locale))


async def _readers(h: Harness) -> None:
    """Berlin reads German, Tokyo Japanese, Acme English; all follow `pricing`."""
    await setup_topics(h, "pricing")
    for channel, name, language in (
        ("berlin", "Berlin GmbH", "de"),
        ("tokyo", "Tokyo KK", "ja"),
        ("acme", "Acme", "en"),
    ):
        await h.join(channel, name, tier="gold", language=language)
        assert not (await h.partner(channel, "subscribe pricing")).is_error


async def test_news_dates_are_written_as_each_reader_writes_them(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _readers(h)
    sent = clock.now()
    await broadcast_and_send(h, 'topic:pricing title:"New prices"', "The price lists are out.")
    await h.deliver()
    for channel, locale in (("berlin", "de"), ("tokyo", "ja"), ("acme", "en")):
        news = await h.partner(channel, "news")
        assert not news.is_error and f" — {_day(sent, locale)} · pricing" in news.text, news.text
        found = await h.partner(channel, "news search prices")
        assert [f" — {_day(sent, locale)} · `pricing`" in row.text for row in found.rows] == [True], found
    assert _day(sent, "de") != _day(sent, "en") != _day(sent, "ja")


async def test_digest_times_and_quiet_hours_read_in_the_readers_clock(harness: Harness) -> None:
    h = harness
    await _readers(h)
    await h.partner("berlin", "settings timezone Europe/Berlin")
    with reading("de"):
        expected = m.MODE_DIGEST.format(
            mode="daily", when=m.DIGEST_EVERY_DAY.format(time=_clock(time(9), "de")), timezone="Europe/Berlin"
        )
        quiet = m.QUIET_SET.format(quiet="`22:00-07:00`", timezone="Europe/Berlin", end=_clock(time(7), "de"))
    assert (await h.partner("berlin", "settings mode daily")).text == expected
    assert (await h.partner("berlin", "settings quiet 22:00-07:00")).text == quiet
    english = await h.partner("acme", "settings quiet 22:00-07:00")
    assert english.text == m.QUIET_SET.format(
        quiet="`22:00-07:00`", timezone="UTC", end=_clock(time(7), "en")
    )
    assert _clock(time(7), "en") != _clock(time(7), "de")


async def test_already_acknowledged_says_when_in_the_channels_local_time(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _readers(h)
    await h.partner("berlin", "settings timezone Europe/Berlin")
    await broadcast_and_send(h, 'topic:pricing urgent ack title:"Patch now"', "Please patch.")
    await h.deliver()
    (post,) = h.posts("berlin")
    acked = clock.now()
    assert not (await h.local.acknowledge("pat", post)).is_error
    again = await h.local.acknowledge("kim", post)
    local = acked.astimezone(ZoneInfo("Europe/Berlin"))
    when = f"{_day(local, 'de')}, {_clock(local.time(), 'de')} Europe/Berlin"
    with reading("de"):
        assert again.text == m.ACK_ALREADY.format(who="pat", when=when)
    assert local.hour != acked.hour  # the local time, not UTC's


async def test_the_ack_reminder_quotes_the_title_the_reader_reads(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _readers(h)
    preview = await h.admin('broadcast topic:pricing urgent ack title:"Patch now" Please patch.')
    draft = id_from(preview)
    assert not (await h.admin(f'translate {draft} de title:"Jetzt patchen" Bitte patchen.')).is_error
    assert not (await h.admin(f"send {draft}")).is_error
    await h.deliver()
    clock.advance(hours=5)
    await run_job(h.app, "ack-reminders")
    await h.deliver()
    reminders = {c: [p.text for p in h.posts(c) if p.thread] for c in ("berlin", "acme")}
    with reading("de"):
        assert reminders["berlin"] == [m.ACK_REMINDER.format(title="Jetzt patchen")]
    assert reminders["acme"] == [m.ACK_REMINDER.format(title="Patch now")]


async def test_news_and_search_dates_are_the_channels_own_dates(harness: Harness, clock: FakeClock) -> None:
    """Sent at 20:00 UTC: still that day in Berlin, already the next day in Tokyo."""
    h = harness
    await _readers(h)
    clock.advance(hours=11)  # 2026-11-24 20:00 UTC
    await h.partner("tokyo", "settings timezone Asia/Tokyo")
    await h.partner("berlin", "settings timezone Europe/Berlin")
    announcement = await broadcast_and_send(
        h, 'topic:pricing title:"Late prices"', "The price lists are out."
    )
    await h.deliver()
    for channel, locale, local in (
        ("tokyo", "ja", datetime(2026, 11, 25)),
        ("berlin", "de", datetime(2026, 11, 24)),
        ("acme", "en", datetime(2026, 11, 24)),
    ):
        expected = _day(local, locale)
        assert f" — {expected} · pricing" in (await h.partner(channel, "news")).text
        found = await h.partner(channel, "news search prices")
        assert [f" — {expected} · `pricing`" in row.text for row in found.rows] == [True], found
        shown = await h.local.press("pat", channel, SHOW_ACTION, str(announcement))
        assert shown is not None and f" — {expected} · `pricing`" in shown.text, shown
